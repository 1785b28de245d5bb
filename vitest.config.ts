import { defineConfig } from 'vitest/config';

// Two projects: `unit` is fast and needs nothing but Node; `engine` builds and
// runs real images and needs a container engine (provisioned by .ci/run).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/engine/**', 'test/browser/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'engine',
          include: ['test/engine/**/*.test.ts', 'test/browser/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
