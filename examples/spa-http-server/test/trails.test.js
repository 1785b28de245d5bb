import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { estimateMinutes, filterTrails, formatDuration, sortTrails } from '../src/lib/trails.js';

const { trails } = JSON.parse(readFileSync(new URL('../public/data/trails.json', import.meta.url), 'utf8'));

test('Naismith estimate', () => {
  assert.equal(estimateMinutes({ km: 10, ascent: 600 }), 180);
  assert.equal(formatDuration(180), '3 h');
  assert.equal(formatDuration(75), '1 h 15 min');
  assert.equal(formatDuration(40), '40 min');
});

test('filters combine', () => {
  assert.deepEqual(
    filterTrails(trails, { difficulty: 'easy', query: 'family' }).map((t) => t.id),
    ['mill-creek', 'larch-wood'],
  );
  assert.equal(filterTrails(trails, { maxKm: 5 }).length, 1);
});

test('sort by ascent', () => {
  assert.deepEqual(
    sortTrails(trails, 'ascent').map((t) => t.ascent),
    [90, 140, 310, 620, 1140],
  );
});
