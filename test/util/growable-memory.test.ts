import { describe, expect, it } from 'vitest';
import { GrowableMemory } from '../../src/util/growable-memory.js';

function fill(buffer: ArrayBuffer, length: number): void {
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < length; i++) bytes[i] = (i % 251) + 1;
}

describe('GrowableMemory', () => {
  const cases: Array<[string, number, number, number, 'in place' | 'copy']> = [
    // name, bytes first, reserved, bytes then, how it grows
    ['within the reservation', 100, 4096, 3000, 'in place'],
    ['up to the reservation exactly', 1024, 4096, 4096, 'in place'],
    ['from nothing', 0, 4096, 2048, 'in place'],
    ['beyond the reservation', 1024, 2048, 5000, 'copy'],
    ['from nothing beyond the reservation', 0, 16, 100, 'copy'],
  ];
  for (const [name, first, reserved, then, how] of cases) {
    it(`grows ${name} (${how}), keeping the bytes and zeroing the new ones`, () => {
      const memory = new GrowableMemory(first, reserved);
      expect(memory.buffer.byteLength).toBe(first);
      fill(memory.buffer, first);
      const before = memory.buffer;
      const earlierView = new Uint8Array(before, 0, first);
      const after = memory.ensure(then);
      expect(after).toBe(memory.buffer);
      expect(after.byteLength).toBe(then);
      // In place, nothing is left behind for the collector, and a view made before still reads the bytes.
      if (how === 'in place') expect(after).toBe(before);
      else expect(after).not.toBe(before);
      for (let i = 0; i < first; i++) if (earlierView[i] !== (i % 251) + 1) expect.fail(`byte ${i} changed`);
      const bytes = new Uint8Array(after);
      for (let i = 0; i < first; i++) if (bytes[i] !== (i % 251) + 1) expect.fail(`byte ${i} was not kept`);
      for (let i = first; i < then; i++) if (bytes[i] !== 0) expect.fail(`byte ${i} is not zero`);
      // A copy reserves room to grow as far again, in place.
      if (how === 'copy') expect(memory.ensure(2 * then)).toBe(after);
    });
  }

  it('never shrinks', () => {
    const memory = new GrowableMemory(64, 128);
    expect(memory.ensure(16).byteLength).toBe(64);
  });
});
