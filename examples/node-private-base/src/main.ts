import { createApp } from './app';
import { SERVICE, VERSION } from './version';

const port = Number(process.env.PORT ?? 3000);

const server = createApp().listen(port, () => {
  console.log(JSON.stringify({ level: 'info', msg: 'listening', service: SERVICE, version: VERSION, port }));
});

process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
});
