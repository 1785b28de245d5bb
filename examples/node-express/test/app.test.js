// Runs against the compiled output: `npm test` builds first.
const { test } = require('node:test');
const assert = require('node:assert');
const { createApp } = require('../dist/app');

function withServer(fn) {
  return new Promise((resolve, reject) => {
    const server = createApp().listen(0, async () => {
      try {
        await fn(`http://127.0.0.1:${server.address().port}`);
        resolve();
      } catch (error) {
        reject(error);
      } finally {
        server.close();
      }
    });
  });
}

test('health', () =>
  withServer(async (base) => {
    const res = await fetch(`${base}/health`);
    assert.deepStrictEqual(await res.json(), { status: 'ok' });
  }));

test('in-stock filter', () =>
  withServer(async (base) => {
    const res = await fetch(`${base}/api/products?inStock=true`);
    assert.strictEqual((await res.json()).count, 3);
  }));
