process.env.NODE_ENV = 'test';
const test = require('node:test');
const assert = require('node:assert/strict');
const { createApp } = require('../dist/app');

async function withServer(fn) {
  const server = createApp().listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    await fn(`http://127.0.0.1:${server.address().port}`);
  } finally {
    server.close();
  }
}

test('availability for a busy day', async () => {
  await withServer(async (base) => {
    const res = await fetch(`${base}/api/rooms/availability?date=2025-03-14`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.rooms.find((r) => r.room === 'cirrus').freeMinutes, 60);
    assert.equal(body.rooms.find((r) => r.room === 'ember').freeMinutes, 600);
  });
});

test('bad date', async () => {
  await withServer(async (base) => {
    const res = await fetch(`${base}/api/rooms/availability?date=tomorrow`);
    assert.equal(res.status, 400);
  });
});
