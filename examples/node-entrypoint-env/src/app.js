'use strict';

const compression = require('compression');
const express = require('express');
const { ordersRouter } = require('./routes/orders');

function createApp(config, database) {
  const app = express();
  app.disable('x-powered-by');
  app.use(compression());
  app.use(express.json({ limit: '100kb' }));

  // Liveness: the process is up. Never touches the database (HEALTHCHECK uses it).
  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));

  // Readiness: the database answers.
  app.get('/readyz', async (_req, res) => {
    try {
      await database.ping();
      res.json({ status: 'ready' });
    } catch (err) {
      res.status(503).json({ status: 'unavailable', reason: err.name });
    }
  });

  // What this instance is configured with (no secrets).
  app.get('/api/info', (_req, res) => {
    const { scheme, hosts, database: name, user, options } = config.mongo;
    res.json({
      service: 'orders-service',
      version: config.version,
      environment: config.environment,
      mongo: { scheme, hosts, database: name, user, options },
      exports: config.exportDir !== null,
    });
  });

  app.use('/api/orders', ordersRouter(database));

  app.use((_req, res) => res.status(404).json({ error: 'not found' }));
  app.use((err, _req, res, _next) => {
    const unavailable = err.name === 'MongoServerSelectionError' || err.name === 'MongoNetworkError';
    if (!unavailable) console.error(err);
    res.status(unavailable ? 503 : 500).json({ error: unavailable ? 'database unavailable' : 'internal error' });
  });
  return app;
}

module.exports = { createApp };
