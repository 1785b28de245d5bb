/**
 * The header checksum, read four bytes at a time where the block is aligned
 * and byte by byte where it is not: both must agree with the byte-wise sum
 * tar defines, at every alignment and for bytes with the high bit set.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHeader } from '../../src/image/tar/tar-header.js';

/** A ustar header for a regular file with `filler` bytes in its unused tail, checksummed. */
function header(filler: Uint8Array, sum: 'unsigned' | 'signed' = 'unsigned'): Uint8Array {
  const block = new Uint8Array(512);
  block.set(new TextEncoder().encode('app/file.txt'), 0);
  block.set(new TextEncoder().encode('0000644\0'), 100);
  block.set(new TextEncoder().encode('00000000012\0'), 124);
  block[156] = 0x30;
  block.set(new TextEncoder().encode('ustar\x0000'), 257);
  block.set(filler.subarray(0, 12), 500);
  block.fill(0x20, 148, 156);
  let checksum = 0;
  for (const byte of block) checksum += sum === 'signed' && byte >= 0x80 ? byte - 0x100 : byte;
  block.set(new TextEncoder().encode(`${(checksum & 0o777777).toString(8).padStart(6, '0')}\0 `), 148);
  return block;
}

function placed(block: Uint8Array, shift: number): Uint8Array {
  const buffer = new Uint8Array(512 + 16);
  buffer.set(block, shift);
  return buffer;
}

const context = { subject: 'test.tar', offset: 0 };

describe('tar header checksum', () => {
  it.each([0, 1, 2, 3, 4, 8])('accepts a valid header at byte offset %i', (shift) => {
    const block = header(new Uint8Array(12).fill(0xff));
    expect(parseHeader(placed(block, shift), shift, context).name).toBe('app/file.txt');
  });

  it('accepts the signed sum old tars wrote', () => {
    const block = header(new Uint8Array(12).fill(0xfe), 'signed');
    expect(parseHeader(placed(block, 4), 4, context).name).toBe('app/file.txt');
  });

  it('refuses any one changed byte, at any alignment', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 500, max: 511 }),
        fc.integer({ min: 1, max: 255 }),
        (filler, shift, at, delta) => {
          const buffer = placed(header(filler), shift);
          expect(parseHeader(buffer, shift, context).size).toBe(10);
          buffer[shift + at] = (buffer[shift + at]! + delta) & 0xff;
          // One byte moves the unsigned sum by 1..255 and the signed one by that or 256 less: never zero.
          expect(() => parseHeader(buffer, shift, context)).toThrow(/checksum mismatch/);
        },
      ),
      { numRuns: 300 },
    );
  });
});
