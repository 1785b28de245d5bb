import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE, ParallelGzip } from '../../src/image/sinks/parallel-gzip.js';

/** Deterministic bytes: `random` ones compress poorly, the others like text. */
function bytesOf(size: number, random: boolean): Buffer {
  const out = Buffer.alloc(size);
  let state = 12345;
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = random ? state >>> 24 : 97 + ((i * 7 + (i >> 9)) % 26);
  }
  return out;
}

/** `data` cut into chunks of the given sizes, the last size repeating. */
function chunked(data: Buffer, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const size = sizes[Math.min(i, sizes.length - 1)]!;
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

async function gzipOf(chunks: Buffer[], level: number, concurrency?: number): Promise<Buffer> {
  const gzip = new ParallelGzip({ level, ...(concurrency ? { concurrency } : {}) });
  const out = buffer(gzip);
  await pipeline(Readable.from(chunks), gzip);
  return out;
}

async function singleStreamGzip(data: Buffer, level: number): Promise<Buffer> {
  const gzip = createGzip({ level });
  const out = buffer(gzip);
  await pipeline(Readable.from([data]), gzip);
  return out;
}

describe('ParallelGzip', () => {
  it.each([
    { name: 'nothing', size: 0, random: false },
    { name: 'one byte', size: 1, random: false },
    { name: 'one byte short of a block', size: BLOCK_SIZE - 1, random: true },
    { name: 'exactly one block', size: BLOCK_SIZE, random: false },
    { name: 'one byte past a block', size: BLOCK_SIZE + 1, random: true },
    { name: 'several blocks and a bit', size: 3 * BLOCK_SIZE + 17, random: false },
  ])(
    '$name: gunzip gives the input back, whatever the chunks and however many blocks run at once',
    async ({ size, random }) => {
      const data = bytesOf(size, random);
      const whole = await gzipOf([data], 6);
      expect(gunzipSync(whole).equals(data)).toBe(true);
      // The same bytes out, so the same blob digest, for any chunking and concurrency.
      expect((await gzipOf(chunked(data, [1000, 7, 65536]), 6, 1)).equals(whole)).toBe(true);
      expect((await gzipOf(chunked(data, [BLOCK_SIZE + 3]), 6, 4)).equals(whole)).toBe(true);
      // The trailer: CRC-32 and length of the input, as gzip's.
      const single = await singleStreamGzip(data, 6);
      expect(whole.subarray(-8)).toEqual(single.subarray(-8));
    },
  );

  it('reaches back across the cuts: repeated text compresses as well as in one stream', async () => {
    // A 40 KiB random pattern, repeated: past the first copy, every block is matches into the block
    // before. Without the preset dictionary each block would store the pattern again (~40 KiB each).
    const pattern = bytesOf(40 * 1024, true);
    const data = Buffer.concat(Array.from({ length: 80 }, () => pattern));
    const parallel = await gzipOf([data], 6);
    const single = await singleStreamGzip(data, 6);
    expect(gunzipSync(parallel).equals(data)).toBe(true);
    expect(parallel.length).toBeLessThan(single.length * 1.02 + 64);
  });

  it.each([
    [1, 4],
    [6, 0],
    [9, 2],
  ])('level %i: the header zlib writes for it (extra flags %i), Unix always', async (level, flags) => {
    const data = bytesOf(5000, false);
    const out = await gzipOf([data], level);
    expect([...out.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, flags, 3]);
    // As zlib's own but for the last byte, which zlib sets to the platform it was built for.
    expect(out.subarray(0, 9)).toEqual((await singleStreamGzip(data, level)).subarray(0, 9));
    expect(gunzipSync(out).equals(data)).toBe(true);
  });
});
