'use strict';

const { ConfigError, loadConfig } = require('./config');

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`orders-service: configuration error: ${err.message}`);
  process.exit(1);
}

const { createApp } = require('./app');
const { createDb } = require('./db');

let database;
try {
  database = createDb(config);
} catch (err) {
  // MongoParseError: the driver rejects an option or the URL itself.
  console.error(`orders-service: configuration error: MONGO_URL: ${err.message}`);
  process.exit(1);
}

const server = createApp(config, database).listen(config.port, () => {
  const { hosts, database: name } = config.mongo;
  console.log(`orders-service ${config.version} listening on :${config.port} (mongo ${hosts.join(',')}/${name})`);
});

function shutdown(signal) {
  console.log(`${signal}: shutting down`);
  server.close(() => {
    database.close().finally(() => process.exit(0));
  });
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
