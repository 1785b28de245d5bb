import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ContentSink,
  decodeTarName,
  encodeTarName,
  normaliseEntryPath,
  type TarSummary,
  type TarVisitor,
  walkTar,
  walkTarFile,
} from '../../src/image/tar/tar.js';
import { MAX_PATH_DEPTH } from '../../src/image/tar/tar-path.js';
import type { TarEntry } from '../../src/image/types.js';
import { PareError } from '../../src/util/errors.js';
import {
  BLOCK,
  endOfArchive,
  gnuLongHeader,
  padded,
  paxHeader,
  type SimpleEntry,
  tarEntry,
  tarHeader,
  tarOf,
} from '../helpers/tar-writer.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pare-tar-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Feeds `tar` in chunks of `chunkSize` to exercise headers and data split across chunk boundaries. */
function chunked(tar: Buffer, chunkSize: number): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < tar.length; i += chunkSize) chunks.push(tar.subarray(i, i + chunkSize));
  return Readable.from(chunks);
}

type Walked = { entries: TarEntry[]; contents: Map<string, Buffer>; summary: TarSummary };

function collector(): { visitor: TarVisitor; entries: TarEntry[]; contents: Map<string, Buffer> } {
  const entries: TarEntry[] = [];
  const contents = new Map<string, Buffer>();
  const visitor: TarVisitor = (entry) => {
    entries.push(entry);
    // Sparse entries' contents are unsupported (tested separately).
    if (entry.type !== 'file' || entry.path === 'sparse') return;
    const parts: Buffer[] = [];
    return {
      write: (chunk) => void parts.push(chunk),
      end: () => void contents.set(entry.path, Buffer.concat(parts)),
    };
  };
  return { visitor, entries, contents };
}

async function walkStream(tar: Buffer, chunkSize = 1 << 20, options = {}): Promise<Walked> {
  const { visitor, entries, contents } = collector();
  const summary = await walkTar(chunked(tar, chunkSize), visitor, options);
  return { entries, contents, summary };
}

let fileCount = 0;
async function walkFile(tar: Buffer, options = {}, prefix = Buffer.alloc(0)): Promise<Walked> {
  const path = join(work, `t${fileCount++}.tar`);
  await writeFile(path, Buffer.concat([prefix, tar, Buffer.from('trailing garbage')]));
  const { visitor, entries, contents } = collector();
  const summary = await walkTarFile(path, prefix.length, tar.length, visitor, options);
  return { entries, contents, summary };
}

/** Runs the same archive through the streaming walker (several chunkings) and the seeking one; all must agree. */
async function walkAll(tar: Buffer, options = {}): Promise<Walked> {
  const reference = await walkStream(tar, 1 << 20, options);
  for (const size of [1, 7, 512, 1000]) {
    const other = await walkStream(tar, size, options);
    expect(other.entries).toEqual(reference.entries);
    expect(other.contents).toEqual(reference.contents);
  }
  const seeking = await walkFile(tar, options, Buffer.alloc(1536, 0x41));
  expect(seeking.entries).toEqual(reference.entries);
  expect(seeking.contents).toEqual(reference.contents);
  expect(seeking.summary).toEqual(reference.summary);
  return reference;
}

async function expectBoth(tar: Buffer, message: RegExp, options = {}): Promise<void> {
  await expect(walkStream(tar, 1 << 20, options)).rejects.toThrow(message);
  await expect(walkStream(tar, 100, options)).rejects.toThrow(message);
  await expect(walkFile(tar, options)).rejects.toThrow(message);
  await expect(walkStream(tar, 1 << 20, options)).rejects.toBeInstanceOf(PareError);
  await expect(walkFile(tar, options)).rejects.toBeInstanceOf(PareError);
}

const file = (name: string | Buffer, data = '', extra: Partial<SimpleEntry> = {}): SimpleEntry => ({
  name,
  data: Buffer.from(data),
  ...extra,
});

describe('walkTar / walkTarFile: well-formed archives', () => {
  const long = `${'a'.repeat(120)}/${'b'.repeat(120)}/file.txt`;
  const cases: Array<{
    name: string;
    tar: Buffer;
    expect: Array<Partial<TarEntry>>;
    contents?: Record<string, string>;
  }> = [
    {
      name: 'ustar files, directories and links',
      tar: tarOf([
        { name: 'etc/', type: '5' },
        file('etc/passwd', 'root:x:0:0\n', { mode: 0o600, uid: 1, gid: 2, mtime: 1234 }),
        { name: 'bin', type: '2', linkname: '/usr/bin' },
        { name: 'etc/passwd-', type: '1', linkname: 'etc/passwd' },
        { name: 'dev/null', type: '3' },
        { name: 'dev/sda', type: '4' },
        { name: 'run/pipe', type: '6' },
      ]),
      expect: [
        { path: 'etc', type: 'directory', size: 0, mode: 0o755 },
        { path: 'etc/passwd', type: 'file', size: 11, mode: 0o600, uid: 1, gid: 2, mtime: 1234 },
        { path: 'bin', type: 'symlink', linkname: '/usr/bin', size: 0 },
        { path: 'etc/passwd-', type: 'hardlink', linkname: 'etc/passwd' },
        { path: 'dev/null', type: 'char' },
        { path: 'dev/sda', type: 'block' },
        { path: 'run/pipe', type: 'fifo' },
      ],
      contents: { 'etc/passwd': 'root:x:0:0\n' },
    },
    {
      name: 'paths are normalised',
      tar: tarOf([
        file('./a/./b//c'),
        file('/abs/path'),
        { name: './dir/', type: '5' },
        file('x/../y'),
        file('/../clamped'),
        { name: './', type: '5' },
      ]),
      // `./` (the root itself) is not reported; `/../x` is `x`, as Go's filepath.Clean makes it.
      expect: [{ path: 'a/b/c' }, { path: 'abs/path' }, { path: 'dir' }, { path: 'y' }, { path: 'clamped' }],
    },
    {
      name: 'ustar prefix field',
      tar: tarOf([file(long, 'prefix')]),
      expect: [{ path: long, size: 6 }],
      contents: { [long]: 'prefix' },
    },
    {
      name: 'pax path, linkpath, size, uid, gid, mtime',
      tar: Buffer.concat([
        paxHeader({ path: `${long}-pax`, uid: '70000000', gid: '5', mtime: '1700000000.5' }),
        tarEntry(file('truncated-name', 'pax')),
        paxHeader({ linkpath: `/${long}` }),
        tarEntry({ name: 'link', type: '2', linkname: 'short' }),
        endOfArchive(),
      ]),
      expect: [
        { path: `${long}-pax`, uid: 70000000, gid: 5, mtime: 1700000000.5, size: 3 },
        { path: 'link', type: 'symlink', linkname: `/${long}` },
      ],
      contents: { [`${long}-pax`]: 'pax' },
    },
    {
      name: 'pax global headers apply to all later entries, local ones to the next only',
      tar: Buffer.concat([
        paxHeader({ uid: '42', comment: 'ignored' }, true),
        paxHeader({ uid: '7' }),
        tarEntry(file('one')),
        tarEntry(file('two')),
        endOfArchive(),
      ]),
      expect: [
        { path: 'one', uid: 7 },
        { path: 'two', uid: 42 },
      ],
    },
    {
      name: 'GNU long names and long links',
      tar: Buffer.concat([
        gnuLongHeader('L', `${long}-gnu`),
        tarEntry(file('ignored', 'gnu')),
        gnuLongHeader('L', 'hard'),
        gnuLongHeader('K', `${long}-gnu`),
        tarEntry({ name: 'x', type: '1', linkname: 'y' }),
        endOfArchive(),
      ]),
      expect: [
        { path: `${long}-gnu`, type: 'file', size: 3 },
        { path: 'hard', type: 'hardlink', linkname: `${long}-gnu` },
      ],
    },
    {
      name: 'base-256 size and a pax size beyond the octal range',
      tar: Buffer.concat([
        (() => {
          const field = Buffer.alloc(12);
          field[0] = 0x80;
          field[11] = 5;
          return Buffer.concat([tarHeader({ name: 'b256', sizeField: field }), padded(Buffer.from('12345'))]);
        })(),
        paxHeader({ size: '3' }),
        tarHeader({ name: 'paxsize', size: 999 }),
        padded(Buffer.from('abc')),
        endOfArchive(),
      ]),
      expect: [
        { path: 'b256', size: 5 },
        { path: 'paxsize', size: 3 },
      ],
      contents: { b256: '12345', paxsize: 'abc' },
    },
    {
      name: 'whiteouts keep a stray link name (Docker 20.10) and stay files',
      tar: tarOf([file('var/.wh.cache', '', { linkname: 'var/cache', mode: 0 }), file('usr/.wh..wh..opq')]),
      expect: [
        { path: 'var/.wh.cache', type: 'file', size: 0 },
        { path: 'usr/.wh..wh..opq', type: 'file' },
      ],
    },
    {
      name: 'duplicate entries are all reported, in order',
      tar: tarOf([file('dup', 'first'), file('dup', 'second')]),
      expect: [
        { path: 'dup', size: 5 },
        { path: 'dup', size: 6 },
      ],
      contents: { dup: 'second' },
    },
    {
      name: 'non-UTF-8 names survive byte-exactly; UTF-8 names decode normally',
      tar: tarOf([file(Buffer.from([0x66, 0xe9, 0x2f, 0xff])), file('caf\u00e9/\u6587\u4ef6')]),
      expect: [{ path: 'f\udce9/\udcff' }, { path: 'café/文件' }],
    },
    {
      name: 'v7 (no magic) and contiguous-file entries',
      tar: Buffer.concat([
        tarHeader({ name: 'v7file', format: 'v7', size: 2, type: '\0' }),
        padded(Buffer.from('v7')),
        tarHeader({ name: 'contig', type: '7', size: 1 }),
        padded(Buffer.from('c')),
        endOfArchive(),
      ]),
      expect: [
        { path: 'v7file', type: 'file', size: 2 },
        { path: 'contig', type: 'file', size: 1 },
      ],
    },
    {
      name: 'unknown types are "other", their data skipped; volume labels are dropped',
      tar: Buffer.concat([
        tarHeader({ name: 'label', type: 'V', format: 'gnu' }),
        tarHeader({ name: 'vendor', type: 'A', size: 4 }),
        padded(Buffer.from('data')),
        tarEntry(file('after', 'ok')),
        endOfArchive(),
      ]),
      expect: [{ path: 'vendor', type: 'other', size: 0 }, { path: 'after' }],
      contents: { after: 'ok' },
    },
    {
      name: 'old GNU sparse files are files of their real size',
      tar: Buffer.concat([
        tarHeader({
          name: 'sparse',
          type: 'S',
          format: 'gnu',
          size: 512,
          sparseRealSize: 1_000_000,
          sparseExtended: true,
        }),
        (() => {
          const extension = Buffer.alloc(BLOCK);
          extension[504] = 0;
          return extension;
        })(),
        Buffer.alloc(512, 0x61),
        tarEntry(file('next', 'n')),
        endOfArchive(),
      ]),
      expect: [{ path: 'sparse', type: 'file', size: 1_000_000 }, { path: 'next' }],
    },
    {
      name: 'no end-of-archive blocks (accepted, as Go does)',
      tar: Buffer.concat([tarEntry(file('only', 'x'))]),
      expect: [{ path: 'only' }],
    },
    {
      name: 'an empty archive',
      tar: endOfArchive(),
      expect: [],
    },
  ];

  it.each(cases)('$name', async (testCase) => {
    const walked = await walkAll(testCase.tar);
    expect(walked.entries.length).toBe(testCase.expect.length);
    for (const [index, expected] of testCase.expect.entries())
      expect(walked.entries[index]).toMatchObject(expected);
    for (const [path, content] of Object.entries(testCase.contents ?? {})) {
      expect(walked.contents.get(path)?.toString()).toBe(content);
    }
    expect(walked.summary.entries).toBe(testCase.expect.length);
  });

  it('reports header and data offsets', async () => {
    const tar = tarOf([file('a', 'x'.repeat(600)), file('b', 'y')]);
    const locations: Array<[string, number, number]> = [];
    await walkTar(chunked(tar, 300), (entry, location) => {
      locations.push([entry.path, location.headerOffset, location.dataOffset]);
    });
    expect(locations).toEqual([
      ['a', 0, 512],
      ['b', 1536, 2048],
    ]);
  });

  it('the tar summary counts bytes of the whole stream', async () => {
    const tar = Buffer.concat([tarOf([file('a', 'x')]), Buffer.alloc(8192)]);
    expect((await walkStream(tar)).summary).toEqual({ entries: 1, bytes: tar.length });
  });

  it('waits for async visitors and sinks (backpressure)', async () => {
    const tar = tarOf([file('a', 'x'.repeat(5000)), file('b', 'y')]);
    const events: string[] = [];
    const sleep = () => new Promise((resolve) => setTimeout(resolve, 1));
    await walkTar(chunked(tar, 700), async (entry) => {
      await sleep();
      events.push(`visit ${entry.path}`);
      const sink: ContentSink = {
        write: async (chunk) => {
          await sleep();
          events.push(`write ${chunk.length}`);
        },
        end: async () => {
          await sleep();
          events.push(`end ${entry.path}`);
        },
      };
      return sink;
    });
    expect(events[0]).toBe('visit a');
    expect(events.indexOf('end a')).toBeLessThan(events.indexOf('visit b'));
    expect(events.at(-1)).toBe('end b');
  });

  it('walkTarFile reads contents only for entries that ask', async () => {
    const tar = tarOf([file('big', 'z'.repeat(300_000)), file('small', 'ok')]);
    const path = join(work, 'seek.tar');
    await writeFile(path, tar);
    const contents: Record<string, string> = {};
    await walkTarFile(path, 0, tar.length, (entry) => {
      if (entry.path !== 'small') return;
      let text = '';
      return {
        write: (chunk) => {
          text += chunk.toString();
        },
        end: () => {
          contents[entry.path] = text;
        },
      };
    });
    expect(contents).toEqual({ small: 'ok' });
  });
});

describe('walkTarFile: what a copying, seeking sink is handed', () => {
  /** Contents where every byte says where it is. */
  const contentOf = (name: string, size: number) =>
    Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + name.length * 13) & 0xff));

  it.each([
    ['small files, inside the header window', [100, 700, 5_000, 20_000]],
    ['files larger than the window after a seek', [300_000, 90_000, 2_000_000]],
    ['a mix, small after large', [1_500_000, 64, 40_000, 1_100_000, 3]],
  ])('%s: reads and skipped-to chunks hold the entry bytes', async (_name, sizes) => {
    const files = sizes.map((size, i) => ({ name: `f${i}`, data: contentOf(`f${i}`, size) }));
    const tar = tarOf(files.map((f) => ({ name: f.name, data: f.data })));
    const path = join(work, `window-${sizes.join('-')}.tar`);
    await writeFile(path, tar);
    const problems: string[] = [];
    await walkTarFile(path, 0, tar.length, (entry) => {
      const expected = files.find((f) => f.name === entry.path)!.data;
      const size = expected.length;
      // Reads the head, the tail and the middle through the reader, then takes every 3rd 4 KiB block as written.
      let read: ((offset: number, length: number) => Buffer) | undefined;
      let wanted = 0;
      const check = (what: string, bytes: Buffer, offset: number) => {
        if (!bytes.equals(expected.subarray(offset, offset + bytes.length))) {
          problems.push(`${entry.path}: ${what} at ${offset}`);
        }
      };
      const sink: ContentSink = {
        copiesChunks: true,
        attach: (reader) => {
          read = reader;
        },
        nextWanted: () => wanted,
        write: (chunk, offset = 0) => {
          check('chunk', chunk, offset);
          wanted = (Math.floor((offset + chunk.length) / 12_288) + 1) * 12_288;
        },
        end: () => {
          for (const [offset, length] of [
            [0, Math.min(64, size)],
            [Math.max(0, size - 100), Math.min(100, size)],
            [Math.floor(size / 2), Math.min(1000, size - Math.floor(size / 2))],
          ] as const) {
            check('read', read!(offset, length), offset);
          }
        },
      };
      return sink;
    });
    expect(problems).toEqual([]);
  });
});

describe('walkTar / walkTarFile: hostile archives', () => {
  it('rejects entries that climb out of the root, or skips them when asked', async () => {
    const tar = tarOf([file('../../etc/passwd', 'evil'), file('fine')]);
    await expectBoth(tar, /entry "\.\.\/\.\.\/etc\/passwd" climbs out of the image root/);
    const skipped = await walkAll(tar, { unsafePaths: 'skip' });
    expect(skipped.entries.map((entry) => entry.path)).toEqual(['fine']);
    await expectBoth(tarOf([file('a/../../x')]), /climbs out/);
  });

  it('rejects hard links that point outside the root', async () => {
    await expectBoth(
      tarOf([{ name: 'h', type: '1', linkname: '../../etc/shadow' }]),
      /hard link "h" points outside/,
    );
  });

  it('keeps symlinks pointing anywhere as data', async () => {
    const walked = await walkAll(
      tarOf([
        { name: 'up', type: '2', linkname: '../../../../etc/passwd' },
        { name: 'abs', type: '2', linkname: '/etc/shadow' },
      ]),
    );
    expect(walked.entries.map((entry) => entry.linkname)).toEqual(['../../../../etc/passwd', '/etc/shadow']);
  });

  it('a truncated archive is an error naming the stream and the entry', async () => {
    const tar = tarOf([file('first', 'x'), file('victim', 'y'.repeat(3000))]);
    const cut = tar.subarray(0, 2048);
    await expect(walkStream(cut, 1 << 20, { subject: 'layer 3' })).rejects.toThrow(
      /^truncated tar: entry "victim" ends 2488 bytes early \(archive is 2048 bytes\)$/,
    );
    await expect(walkStream(cut, 1 << 20, { subject: 'layer 3' })).rejects.toMatchObject({
      subject: 'layer 3',
    });
    await expectBoth(cut, /truncated tar: entry "victim"/);
    await expectBoth(tar.subarray(0, 700), /truncated tar/);
    await expectBoth(tar.subarray(0, 300), /truncated tar: archive ends inside a header/);
  });

  it('a header checksum mismatch is an error', async () => {
    const tar = Buffer.concat([
      tarEntry(file('ok')),
      tarHeader({ name: 'bad', badChecksum: true }),
      endOfArchive(),
    ]);
    await expectBoth(tar, /tar header checksum mismatch .*\(tar header at byte 512\)/);
  });

  it('data that is not a tar at all says so', async () => {
    await expectBoth(Buffer.from('{"this": "is json"}'.padEnd(2048, ' ')), /^not a tar archive/);
  });

  it('an enormous size field is an error, not a hang', async () => {
    const huge = Buffer.alloc(12, 0xff);
    huge[0] = 0x80;
    await expectBoth(
      Buffer.concat([tarHeader({ name: 'huge', sizeField: huge }), endOfArchive()]),
      /size field is too large/,
    );
    // Large but representable: the stream ends long before, which is truncation.
    const large = Buffer.concat([tarHeader({ name: 'big', size: 2 ** 40 }), endOfArchive()]);
    await expect(walkStream(large)).rejects.toThrow(/truncated tar: entry "big"/);
    await expect(walkFile(large)).rejects.toThrow(
      /entry "big" \(1099511627776 bytes\) extends .* past the end/,
    );
    const garbage = Buffer.from('12345678901x');
    await expectBoth(
      Buffer.concat([tarHeader({ name: 'g', sizeField: garbage }), endOfArchive()]),
      /invalid size field/,
    );
  });

  it('an enormous pax or long-name header is an error, not an allocation', async () => {
    await expectBoth(
      Buffer.concat([tarHeader({ name: 'p', type: 'x', size: 2 ** 33 }), endOfArchive()]),
      /pax header of 8589934592 bytes exceeds the 1048576-byte limit/,
    );
    await expectBoth(
      Buffer.concat([tarHeader({ name: 'l', type: 'L', size: 2 ** 30, format: 'gnu' }), endOfArchive()]),
      /gnu-longname header of 1073741824 bytes exceeds/,
    );
  });

  it('malformed pax records are an error', async () => {
    const data = Buffer.from('999 path=x\n');
    await expectBoth(
      Buffer.concat([
        tarHeader({ name: 'p', type: 'x', size: data.length }),
        padded(data),
        tarEntry(file('f')),
        endOfArchive(),
      ]),
      /malformed pax record/,
    );
    await expectBoth(
      Buffer.concat([paxHeader({ size: '-5' }), tarEntry(file('f')), endOfArchive()]),
      /invalid pax size "-5"/,
    );
  });

  it('a path as deep as MAX_PATH_DEPTH is handled, a deeper one refused', async () => {
    const deep = Array.from({ length: MAX_PATH_DEPTH - 1 }, () => 'd').join('/');
    const walked = await walkAll(tarOf([file(`${deep}/leaf`, 'x'), file(`./${deep}/../leaf2`)]));
    expect(walked.entries.map((entry) => entry.path)).toEqual([`${deep}/leaf`, `${deep.slice(0, -2)}/leaf2`]);
    await expect(walkAll(tarOf([file(`${deep}/d/leaf`, 'x')]))).rejects.toThrow(
      `is ${MAX_PATH_DEPTH + 1} levels deep; pare reads paths of at most ${MAX_PATH_DEPTH} levels`,
    );
  });

  it('sparse file contents are refused clearly when a sink asks for them', async () => {
    const tar = Buffer.concat([
      tarHeader({ name: 'sparse', type: 'S', format: 'gnu', size: 0, sparseRealSize: 10 }),
      endOfArchive(),
    ]);
    const wantAll: TarVisitor = () => ({ write() {}, end() {} });
    await expect(walkTar(chunked(tar, 512), wantAll)).rejects.toThrow(/sparse/);
  });

  it('a visitor error stops the walk and reaches the caller unchanged; open sinks are destroyed', async () => {
    const failure = new Error('visitor failed');
    let destroyed: Error | undefined;
    const tar = tarOf([file('a', 'x'.repeat(2000)), file('b')]);
    await expect(
      walkTar(chunked(tar, 600), (entry) => {
        if (entry.path === 'b') throw failure;
        return {
          write() {},
          end() {},
          destroy(error) {
            destroyed = error;
          },
        };
      }),
    ).rejects.toBe(failure);
    const truncated = tar.subarray(0, 1024);
    await expect(
      walkTar(chunked(truncated, 600), () => ({
        write() {},
        end() {},
        destroy: (error) => {
          destroyed = error;
        },
      })),
    ).rejects.toThrow(/truncated/);
    expect(destroyed?.message).toMatch(/truncated/);
  });

  it('stops on abort', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      walkTar(chunked(tarOf([file('a')]), 512), () => {}, { signal: controller.signal }),
    ).rejects.toThrow(/abort/i);
  });
});

describe('names', () => {
  it.each([
    ['a/b', 'a/b'],
    ['./a', 'a'],
    ['/a/b/', 'a/b'],
    ['a//b', 'a/b'],
    ['a/./b', 'a/b'],
    ['a/../b', 'b'],
    ['/../a', 'a'],
    ['.', ''],
    ['..a/b..', '..a/b..'],
    ['../a', undefined],
    ['a/../..', undefined],
  ])('normaliseEntryPath(%j) = %j', (input, expected) => {
    expect(normaliseEntryPath(input)).toBe(expected);
  });

  it.each([
    [[0x61, 0x62], 'ab'],
    [[0xc3, 0xa9], 'é'],
    [[0xe9], '\udce9'],
    [[0xc3], '\udcc3'],
    [[0xed, 0xa0, 0x80], '\udced\udca0\udc80'], // an encoded surrogate is not valid UTF-8
    [[0xf0, 0x9f, 0x98, 0x80, 0xff], '😀\udcff'],
    [[0xef, 0xbb, 0xbf, 0x61], '\ufeffa'], // a BOM is kept
  ])('decodeTarName(%j) round-trips', (bytes, expected) => {
    const buffer = Buffer.from(bytes);
    expect(decodeTarName(buffer)).toBe(expected);
    expect(encodeTarName(decodeTarName(buffer))).toEqual(buffer);
  });
});
