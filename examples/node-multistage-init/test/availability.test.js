const test = require('node:test');
const assert = require('node:assert/strict');
const { freeSlots, freeMinutes } = require('../dist/lib/availability');
const { isIsoDate } = require('../dist/lib/time');

test('a day without bookings is one slot of office hours', () => {
  assert.deepEqual(freeSlots([]), [{ start: '08:00', end: '18:00' }]);
});

test('overlapping bookings merge', () => {
  const slots = freeSlots([
    { room: 'x', date: '2025-01-01', start: '09:00', end: '10:00', title: 'a' },
    { room: 'x', date: '2025-01-01', start: '09:30', end: '11:00', title: 'b' },
  ]);
  assert.deepEqual(slots, [
    { start: '08:00', end: '09:00' },
    { start: '11:00', end: '18:00' },
  ]);
  assert.equal(freeMinutes(slots), 480);
});

test('short gaps are dropped', () => {
  const slots = freeSlots(
    [
      { room: 'x', date: '2025-01-01', start: '08:10', end: '12:00', title: 'a' },
      { room: 'x', date: '2025-01-01', start: '12:20', end: '18:00', title: 'b' },
    ],
    30,
  );
  assert.deepEqual(slots, []);
});

test('dates', () => {
  assert.ok(isIsoDate('2024-02-29'));
  assert.ok(!isIsoDate('2023-02-29'));
  assert.ok(!isIsoDate('14/03/2025'));
});
