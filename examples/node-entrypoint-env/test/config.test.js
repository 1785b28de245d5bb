'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { ConfigError, loadConfig, parseMongoUrl } = require('../src/config');

test('MONGO_URL is required', () => {
  assert.throws(() => loadConfig({}), ConfigError);
});

test('replica set URL', () => {
  const mongo = parseMongoUrl('mongodb://orders:pw@m0:27017,m1:27017/orders?replicaSet=rs0&authSource=admin');
  assert.deepEqual(mongo, {
    scheme: 'mongodb',
    hosts: ['m0:27017', 'm1:27017'],
    database: 'orders',
    user: 'orders',
    options: { replicaSet: 'rs0', authSource: 'admin' },
  });
});

test('srv URL and default database', () => {
  const mongo = parseMongoUrl('mongodb+srv://cluster0.example.net/');
  assert.equal(mongo.database, 'orders');
  assert.equal(mongo.user, null);
  assert.throws(() => parseMongoUrl('mongodb+srv://a.example.net:27017'), ConfigError);
});

test('not a mongo URL', () => {
  assert.throws(() => parseMongoUrl('postgres://db:5432/orders'), ConfigError);
  assert.throws(() => parseMongoUrl('mongodb://bad host/orders'), ConfigError);
});

test('PORT', () => {
  assert.equal(loadConfig({ MONGO_URL: 'mongodb://m' }).port, 8080);
  assert.throws(() => loadConfig({ MONGO_URL: 'mongodb://m', PORT: 'http' }), ConfigError);
});
