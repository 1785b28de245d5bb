import { describe, expect, it } from 'vitest';
import { SpareBuffers } from '../../src/util/spare-buffers.js';

describe('SpareBuffers', () => {
  it('hands a buffer given back to the next taker, and a new one when none waits', () => {
    const spare = new SpareBuffers(64, 2);
    const first = spare.take();
    expect(first.length).toBe(64);
    spare.give(first);
    expect(spare.take()).toBe(first);
    expect(spare.take()).not.toBe(first);
  });

  it('keeps at most `keep` buffers, each once', () => {
    const spare = new SpareBuffers(16, 2);
    const [a, b, c] = [spare.take(), spare.take(), spare.take()];
    spare.give(a);
    spare.give(a);
    spare.give(b);
    spare.give(c);
    const taken = [spare.take(), spare.take(), spare.take()];
    expect(taken[0]).toBe(b);
    expect(taken[1]).toBe(a);
    expect(taken[2]).not.toBe(c);
  });

  const foreign: Array<[string, () => Buffer]> = [
    ['another size', () => Buffer.allocUnsafe(32)],
    ['a view at the start of a larger buffer', () => Buffer.allocUnsafe(64).subarray(0, 16)],
    ['a view inside a larger buffer', () => Buffer.allocUnsafe(64).subarray(16, 32)],
    ['a buffer from the shared pool', () => Buffer.from('0123456789abcdef')],
  ];
  for (const [name, make] of foreign) {
    it(`does not keep ${name}`, () => {
      const spare = new SpareBuffers(16, 4);
      const buffer = make();
      spare.give(buffer);
      expect(spare.take()).not.toBe(buffer);
    });
  }
});
