'use strict';

const { version } = require('../package.json');

class ConfigError extends Error {}

// mongodb://[user[:password]@]host[:port][,host[:port]...][/database][?options]
// (several hosts make it something WHATWG URL cannot parse, hence a pattern).
const MONGO_URL = /^(mongodb(?:\+srv)?):\/\/(?:([^:@/]+)(?::([^@/]*))?@)?([^/?@]+)(?:\/([^?]*))?(?:\?(.*))?$/;

function parseMongoUrl(url) {
  const match = MONGO_URL.exec(url);
  if (!match) throw new ConfigError('MONGO_URL is not a mongodb:// or mongodb+srv:// connection string');
  const [, scheme, user, , hostList, database, query] = match;
  const hosts = hostList.split(',');
  if (hosts.some((h) => !/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(h))) {
    throw new ConfigError(`MONGO_URL has a malformed host list: ${hostList}`);
  }
  if (scheme === 'mongodb+srv' && (hosts.length !== 1 || hosts[0].includes(':'))) {
    throw new ConfigError('MONGO_URL: mongodb+srv:// takes exactly one host name and no port');
  }
  const options = Object.fromEntries(new URLSearchParams(query ?? ''));
  return {
    scheme,
    hosts,
    database: decodeURIComponent(database || '') || 'orders',
    user: user ? decodeURIComponent(user) : null,
    options,
  };
}

function loadConfig(env = process.env) {
  if (!env.MONGO_URL) {
    throw new ConfigError('MONGO_URL is not set (e.g. mongodb://user:pass@mongo:27017/orders)');
  }
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`PORT is not a port: ${env.PORT}`);
  return {
    version,
    environment: env.NODE_ENV ?? 'development',
    port,
    mongoUrl: env.MONGO_URL,
    mongo: parseMongoUrl(env.MONGO_URL),
    exportDir: env.EXPORT_DIR ?? null,
  };
}

module.exports = { ConfigError, loadConfig, parseMongoUrl };
