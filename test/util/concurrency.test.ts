import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { inOrderConcurrently } from '../../src/util/concurrency.js';

/** A run that sleeps for its item (ms), recording which started and how many ran at once. */
function tracked() {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const run = async (delay: number, index: number) => {
    started.push(index);
    running++;
    most = Math.max(most, running);
    await sleep(delay);
    running--;
    return `item ${index} after ${delay} ms`;
  };
  return { run, started, most: () => most };
}

describe('inOrderConcurrently', () => {
  it.each([
    { limit: 1, delays: [30, 10, 20], most: 1 },
    { limit: 2, delays: [30, 10, 20, 5], most: 2 },
    { limit: 8, delays: [30, 10, 20], most: 3 },
    { limit: 0, delays: [5, 5], most: 1 },
  ])(
    'limit $limit over $delays: results in input order, at most $most at once',
    async ({ limit, delays, most }) => {
      const t = tracked();
      const results = await inOrderConcurrently(delays, limit, t.run);
      expect(results).toEqual(delays.map((delay, index) => `item ${index} after ${delay} ms`));
      expect(t.most()).toBe(most);
    },
  );

  it('returns an empty list for no items without running anything', async () => {
    const t = tracked();
    expect(await inOrderConcurrently([], 2, t.run)).toEqual([]);
    expect(t.started).toEqual([]);
  });

  it('throws the first failure only after the runs already started have settled, and starts no more', async () => {
    const settled: number[] = [];
    const run = async (delay: number, index: number) => {
      await sleep(delay);
      settled.push(index);
      if (index === 0) throw new Error('layer 0 failed');
      return index;
    };
    // Item 0 fails at 5 ms while item 1 (40 ms) is still running; items 2 and 3 never start.
    await expect(inOrderConcurrently([5, 40, 5, 5], 2, run)).rejects.toThrow('layer 0 failed');
    expect(settled).toEqual([0, 1]);
  });
});
