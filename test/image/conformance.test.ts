import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImage } from '../../src/image/open.js';
import {
  type BuiltImage,
  buildImage,
  dir,
  FORMATS,
  file,
  hardlink,
  type ImageSpec,
  opaque,
  symlink,
  whiteout,
  writeImage,
  zstdAvailable,
} from '../helpers/image-writer.js';
import { type ImageSummary, validateImage } from '../helpers/validate-image.js';

const deep = Array.from({ length: 60 }, (_, i) => `d${i}`).join('/');

/** Exercises every entry kind and name encoding the sources must carry through unchanged. */
const SPEC: ImageSpec = {
  tags: ['example.com/team/app:1.0'],
  layers: [
    {
      createdBy: '/bin/sh -c #(nop) ADD file:rootfs in /',
      entries: [
        dir('etc'),
        file('etc/os-release', 'ID=test\n'),
        dir('usr/bin'),
        file('usr/bin/tool', { size: 70_000, seed: 3 }, { mode: 0o755 }),
        symlink('bin', 'usr/bin'),
        hardlink('usr/bin/tool-alias', 'usr/bin/tool'),
        dir('var/cache/apt'),
        file('var/cache/apt/pkgcache.bin', { size: 5000 }),
        { type: 'fifo', path: 'run/fifo' },
      ],
    },
    {
      compression: 'gzip',
      createdBy: 'RUN apt-get update',
      entries: [
        file(`${deep}/long-pax-name.txt`, 'pax', { longNames: 'pax' }),
        file(`${deep}/long-gnu-name.txt`, 'gnu', { longNames: 'gnu' }),
        symlink('link-to-deep', `/${deep}/long-pax-name.txt`),
        file('latin1-\xe9', 'x', {
          pathBytes: Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0x31, 0x2d, 0xe9]),
        }),
        file('utf8-é', 'y'),
        file('etc/os-release', 'ID=changed\n'),
      ],
    },
    {
      compression: zstdAvailable ? 'zstd' : 'gzip',
      createdBy: 'RUN rm -rf /var/cache/apt',
      entries: [whiteout('var/cache/apt', 'stray/link'), opaque('usr/bin'), file('usr/bin/new', 'new')],
    },
  ],
  history: [
    { created_by: '/bin/sh -c #(nop) ADD file:rootfs in /' },
    { created_by: '/bin/sh -c #(nop) ENV A=1', empty_layer: true },
    { created_by: 'RUN apt-get update' },
    { created_by: '/bin/sh -c #(nop) CMD ["sh"]', empty_layer: true },
    { created_by: 'RUN rm -rf /var/cache/apt' },
  ],
};

let work: string;
let built: BuiltImage;
const summaries = new Map<string, ImageSummary>();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pare-conformance-'));
  built = buildImage(SPEC);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe.each(FORMATS)('%s', (format) => {
  it('passes the conformance check', async () => {
    const target = join(work, format);
    const reference = await writeImage(target, format, [built]);
    const image = await openImage(reference);
    try {
      expect(image.reference).toBe(reference);
      const summary = await validateImage(image);
      summaries.set(format, summary);
      expect(summary.configDigest).toBe(built.configDigest);
      expect(summary.diffIds).toEqual(built.layers.map((layer) => layer.diffId));
      expect(summary.layers.map((layer) => layer.digest)).toEqual(built.layers.map((layer) => layer.digest));
    } finally {
      await image.close();
    }
  });
});

describe('across sources', () => {
  it('every source yields the same layers, digests and entries', () => {
    const [first, ...rest] = FORMATS.map((format) => summaries.get(format));
    expect(first).toBeDefined();
    for (const other of rest) expect(other).toEqual(first);
  });

  it('entries are the ones described, with names normalised and decoded', () => {
    const summary = summaries.get('oci')!;
    const paths = summary.layers.map((layer) => layer.entries.map((entry) => entry.path));
    expect(paths[0]).toEqual([
      'etc',
      'etc/os-release',
      'usr/bin',
      'usr/bin/tool',
      'bin',
      'usr/bin/tool-alias',
      'var/cache/apt',
      'var/cache/apt/pkgcache.bin',
      'run/fifo',
    ]);
    expect(paths[1]).toEqual([
      `${deep}/long-pax-name.txt`,
      `${deep}/long-gnu-name.txt`,
      'link-to-deep',
      'latin1-\udce9',
      'utf8-é',
      'etc/os-release',
    ]);
    expect(paths[2]).toEqual(['var/cache/.wh.apt', 'usr/bin/.wh..wh..opq', 'usr/bin/new']);
    const layer0 = summary.layers[0]!.entries;
    expect(layer0.find((entry) => entry.path === 'bin')).toMatchObject({
      type: 'symlink',
      linkname: 'usr/bin',
    });
    expect(layer0.find((entry) => entry.path === 'usr/bin/tool')).toMatchObject({
      type: 'file',
      size: 70_000,
      mode: 0o755,
    });
    expect(layer0.find((entry) => entry.path === 'usr/bin/tool-alias')).toMatchObject({
      type: 'hardlink',
      linkname: 'usr/bin/tool',
      size: 0,
    });
    const whiteoutEntry = summary.layers[2]!.entries[0]!;
    expect(whiteoutEntry).toMatchObject({ type: 'file', size: 0 });
    expect(whiteoutEntry.linkname).toBeUndefined();
    expect(summary.layers[1]!.entries[2]).toMatchObject({ linkname: `/${deep}/long-pax-name.txt` });
  });
});
