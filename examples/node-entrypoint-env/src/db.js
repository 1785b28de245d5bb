'use strict';

const { MongoClient } = require('mongodb');

// The client is created at start (the driver validates the URL then) but
// connects on first use, so the service starts and answers /healthz and
// /api/info while the database is still coming up.
function createDb(config) {
  const client = new MongoClient(config.mongoUrl, {
    appName: `orders-service/${config.version}`,
    serverSelectionTimeoutMS: 3000,
  });
  let connecting = null;

  async function db() {
    connecting ??= client.connect().catch((err) => {
      connecting = null;
      throw err;
    });
    await connecting;
    return client.db(config.mongo.database);
  }

  return {
    db,
    orders: async () => (await db()).collection('orders'),
    ping: async () => (await db()).command({ ping: 1 }),
    close: () => client.close(),
  };
}

module.exports = { createDb };
