/**
 * The streaming member hasher (tar/member-digests.ts) and the archive
 * receiver built on it (local/received-archive.ts): every regular-file
 * member's digest, at the data offset the seeking walker (and so the archive
 * index) finds for it, however the stream is cut into chunks; and a clear
 * error when the stream is not a whole tar.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashLocalRange } from '../../src/image/hash-pool.js';
import { ArchiveIndex } from '../../src/image/local/archive-index.js';
import { receiveArchive } from '../../src/image/local/received-archive.js';
import { type MemberDigest, MemberHasher } from '../../src/image/tar/member-digests.js';
import { walkTarFile } from '../../src/image/tar/tar.js';
import type { Digest } from '../../src/image/types.js';
import { PareError } from '../../src/util/errors.js';
import {
  endOfArchive,
  gnuLongHeader,
  padded,
  paxHeader,
  tarEntry,
  tarHeader,
  tarOf,
} from '../helpers/tar-writer.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pare-member-digests-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const sha256 = (data: Buffer): Digest => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const bytes = (length: number, seed: number) =>
  Buffer.from(Array.from({ length }, (_, i) => (i * seed + 7) % 251));
const long = `${'deep/'.repeat(30)}name.tar`;

/** Base-256 size field, as Go and GNU tar write sizes past 8 GiB. */
function base256(value: number): Buffer {
  const field = Buffer.alloc(12);
  field[0] = 0x80;
  field.writeUInt32BE(value, 8);
  return field;
}

const ARCHIVES: Array<{ name: string; tar: Buffer; files: number }> = [
  {
    name: 'a docker save layout: directories, small files, a layer, a symlink to it',
    tar: tarOf([
      { name: 'abc/', type: '5' },
      { name: 'abc/VERSION', data: Buffer.from('1.0') },
      { name: 'abc/json', data: Buffer.from('{"id":"abc"}') },
      { name: 'abc/layer.tar', data: bytes(3000, 3) },
      { name: 'def/layer.tar', type: '2', linkname: '../abc/layer.tar' },
      { name: 'config.json', data: bytes(512, 5) },
      { name: 'manifest.json', data: bytes(513, 11) },
    ]),
    files: 5,
  },
  {
    name: 'zero-size members next to others',
    tar: tarOf([
      { name: 'empty-1', data: Buffer.alloc(0) },
      { name: 'one', data: Buffer.from('x') },
      { name: 'empty-2', data: Buffer.alloc(0) },
      { name: 'empty-3', data: Buffer.alloc(0) },
    ]),
    files: 4,
  },
  {
    name: 'pax long names, a pax size, a global pax header',
    tar: Buffer.concat([
      paxHeader({ comment: 'global' }, true),
      tarEntry({ name: long, data: bytes(700, 13), longNames: 'pax' }),
      // The header's own size field says 0: the pax record is the size.
      paxHeader({ size: '1500' }),
      tarHeader({ name: 'sized-by-pax', size: 0 }),
      padded(bytes(1500, 17)),
      tarEntry({ name: 'after', data: bytes(40, 19) }),
      endOfArchive(),
    ]),
    files: 3,
  },
  {
    name: 'GNU long names and a base-256 size',
    tar: Buffer.concat([
      gnuLongHeader('L', long),
      tarHeader({ name: long.slice(0, 100), size: 900, format: 'gnu' }),
      padded(bytes(900, 23)),
      tarHeader({ name: 'big-sized', sizeField: base256(1025), format: 'gnu' }),
      padded(bytes(1025, 29)),
      endOfArchive(),
    ]),
    files: 2,
  },
  {
    name: 'no end-of-archive blocks (Go accepts that, so Docker may send it)',
    tar: tarOf([{ name: 'only', data: bytes(100, 31) }], { endMarker: false }),
    files: 1,
  },
];

/** What the seeking walker (the archive index's) finds: each regular file's data offset, size and digest. */
async function expectedDigests(tar: Buffer): Promise<MemberDigest[]> {
  const path = join(work, 'expected.tar');
  await writeFile(path, tar);
  const found: MemberDigest[] = [];
  await walkTarFile(path, 0, tar.length, (entry, location) => {
    if (entry.type !== 'file') return;
    const data = tar.subarray(location.dataOffset, location.dataOffset + entry.size);
    found.push({ offset: location.dataOffset, length: entry.size, digest: sha256(data) });
  });
  return found;
}

async function hashInChunks(tar: Buffer, cuts: number[]): Promise<MemberDigest[]> {
  const hasher = new MemberHasher('test.tar');
  let at = 0;
  for (const cut of [...cuts, tar.length]) {
    await hasher.push(tar.subarray(at, cut));
    at = cut;
  }
  return [...hasher.finish().values()];
}

describe('MemberHasher', () => {
  for (const { name, tar, files } of ARCHIVES) {
    it(`${name}: the same digests at the same offsets as the seeking walker, cut at every byte`, async () => {
      const expected = await expectedDigests(tar);
      expect(expected).toHaveLength(files);
      expect(await hashInChunks(tar, [])).toEqual(expected);
      // Two chunks, split at every offset: inside headers, bodies, padding and the end blocks.
      for (let cut = 1; cut < tar.length; cut++) {
        const digests = await hashInChunks(tar, [cut]);
        if (JSON.stringify(digests) !== JSON.stringify(expected))
          expect(digests, `cut at ${cut}`).toEqual(expected);
      }
      for (const size of [1, 7, 511, 512, 513, 4096]) {
        const cuts = Array.from({ length: Math.floor((tar.length - 1) / size) }, (_, i) => (i + 1) * size);
        expect(await hashInChunks(tar, cuts), `chunks of ${size}`).toEqual(expected);
      }
    });
  }

  // abc/ at 0; abc/VERSION at 512, its 3 bytes at 1024; abc/json at 1536, its 12 bytes at 2048.
  const complete = ARCHIVES[0]!.tar;
  it.each([
    [
      'inside a member',
      complete.subarray(0, 2048 + 5),
      /^truncated tar: entry "abc\/json" ends 7 bytes early/,
    ],
    [
      'inside a header',
      complete.subarray(0, 1536 + 200),
      /^truncated tar: archive ends inside a header at byte 1536/,
    ],
    [
      'inside the padding',
      complete.subarray(0, 2048 + 12 + 3),
      /^truncated tar: archive ends inside the padding after "abc\/json"/,
    ],
  ])('a stream that ends %s is an error naming where', async (_, tar, message) => {
    const hasher = new MemberHasher('docker-daemon:app:1');
    await hasher.push(tar);
    let error: unknown;
    try {
      hasher.finish();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PareError);
    expect((error as PareError).subject).toBe('docker-daemon:app:1');
    expect((error as PareError).message).toMatch(message);
  });

  it('a block that is not a tar header is an error, not a guess', async () => {
    const tar = Buffer.concat([
      tarEntry({ name: 'a', data: bytes(10, 3) }),
      tarHeader({ name: 'b', badChecksum: true }),
    ]);
    const hasher = new MemberHasher('x');
    await expect(hasher.push(tar)).rejects.toThrow(
      /tar header checksum mismatch \(stored \d+, computed \d+\) \(tar header at byte 1024\)/,
    );
  });
});

describe('receiveArchive', () => {
  const tar = ARCHIVES[0]!.tar;

  async function* chunks(data: Buffer, size: number): AsyncGenerator<Buffer> {
    for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
  }

  it.each([1000, 64 * 1024, 3 * 1024 * 1024 + 5])(
    'writes exactly the bytes it was given (chunks of %i, some batches past 1 MiB) and returns their digests',
    async (size) => {
      const big = tarOf([
        {
          name: 'big/layer.tar',
          data: Buffer.concat(Array.from({ length: 5 }, (_, i) => bytes(1024 * 1024 + 3, 37 + i))),
        },
        { name: 'manifest.json', data: Buffer.from('[]') },
      ]);
      for (const data of [tar, big]) {
        const path = join(work, `received-${size}.tar`);
        const digests = await receiveArchive(chunks(data, size), path, 'test');
        expect((await readFile(path)).equals(data)).toBe(true);
        expect([...digests.values()]).toEqual(await expectedDigests(data));
      }
    },
  );

  it('the archive index keeps a digest only for the member whose data it was computed over', async () => {
    const path = join(work, 'indexed.tar');
    const digests = await receiveArchive(chunks(tar, 100), path, 'test');
    const index = await ArchiveIndex.build(path, 'test', digests);
    const layer = index.blob('abc/layer.tar')!;
    expect(layer.digestAsWritten).toBe(sha256(bytes(3000, 3)));
    // Through the symlink, the member it names.
    expect(index.blob('def/layer.tar')).toEqual(layer);
    // A digest whose range is not a member's exactly is not given to any member.
    const shifted = new Map([...digests].map(([offset, d]) => [offset, { ...d, length: d.length + 1 }]));
    const unmatched = await ArchiveIndex.build(path, 'test', shifted);
    expect(unmatched.blob('abc/layer.tar')!.digestAsWritten).toBeUndefined();
    expect((await ArchiveIndex.build(path, 'test')).blob('abc/layer.tar')!.digestAsWritten).toBeUndefined();
  });

  it('a range whose digest was computed as it was written is not read again', async () => {
    const digest = sha256(Buffer.from('written'));
    const absent = join(work, 'no-such-file');
    expect(await hashLocalRange({ path: absent, offset: 0, length: 7, digestAsWritten: digest })).toEqual({
      hex: digest.slice(7),
      bytes: 7,
    });
    await expect(hashLocalRange({ path: absent, offset: 0, length: 7 })).rejects.toThrow(/ENOENT/);
  });

  it('a truncated stream rejects, and the source error of a broken one is the one reported', async () => {
    const path = join(work, 'truncated.tar');
    await expect(receiveArchive(chunks(tar.subarray(0, 4000), 256), path, 'docker-daemon:x')).rejects.toThrow(
      /^truncated tar: entry "abc\/layer.tar" ends \d+ bytes early/,
    );
    async function* failing(): AsyncGenerator<Buffer> {
      yield tar.subarray(0, 2000);
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    }
    await expect(receiveArchive(failing(), path, 'docker-daemon:x')).rejects.toThrow(/^aborted$/);
  });
});
