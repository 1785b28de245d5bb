import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    sourcemap: true,
    // the club's old tablets at the trailhead kiosk
    target: 'es2019',
  },
  server: { port: 5173 },
});
