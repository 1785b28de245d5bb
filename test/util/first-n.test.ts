import { describe, expect, it } from 'vitest';
import { FirstN } from '../../src/util/first-n.js';

const ascending = (a: number, b: number) => a - b;

describe('FirstN', () => {
  const cases: Array<[string, number[], number, number[]]> = [
    ['fewer than n', [5, 1, 3], 10, [1, 3, 5]],
    ['none', [], 3, []],
    ['n of 0', [4, 2], 0, []],
    // 1,000 offered, in an order unlike the result's: cut back many times at 4n.
    [
      'many, cut back as they come',
      Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000),
      5,
      [0, 1, 2, 3, 4],
    ],
    ['repeats', [2, 2, 1, 2, 1, 1, 1, 3, 1, 1, 1, 1, 1], 3, [1, 1, 1]],
  ];
  for (const [name, items, n, expected] of cases) {
    it(`keeps the first n in order: ${name}`, () => {
      const first = new FirstN(n, ascending);
      for (const item of items) first.offer(item);
      expect(first.result()).toEqual(expected);
    });
  }
});
