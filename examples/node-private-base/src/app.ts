import express, { type ErrorRequestHandler } from 'express';
import { quoteRouter } from './routes/quote';
import { SERVICE, VERSION } from './version';

export function createApp() {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.get('/health', (_req, res) => {
    res.json({ service: SERVICE, version: VERSION, status: 'ok' });
  });
  app.use('/v1', quoteRouter);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    console.error(err);
    res.status(500).json({ error: 'internal error' });
  };
  app.use(onError);
  return app;
}
