import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextsFor, DETECTORS } from '../../src/analyze/detectors/index.js';
import { readFinalTree } from '../../src/analyze/final-tree.js';
import { runSlim } from '../../src/cli/slim.js';
import { MEDIA_TYPES } from '../../src/image/media-types.js';
import { openImage } from '../../src/image/open.js';
import { writeImage } from '../../src/image/sinks/write.js';
import { scanLayer } from '../../src/image/tar/layer-scan.js';
import type { Image, ImageConfig, TarEntry } from '../../src/image/types.js';
import { DEFAULT_REMOVE, detectSourceOf, selectCategories } from '../../src/slim/leftovers.js';
import {
  baseLayerCount,
  LABEL_REMOVED,
  LABEL_SOURCE,
  LABEL_VERSION,
  planLayers,
  slimImage,
} from '../../src/slim/slim.js';
import { formatBytes } from '../../src/util/bytes.js';
import { isPareError } from '../../src/util/errors.js';
import {
  buildImage,
  dir,
  type EntrySpec,
  file,
  hardlink,
  type ImageSpec,
  opaque,
  symlink,
  whiteout,
  writeDockerArchive,
  zstdAvailable,
} from '../helpers/image-writer.js';
import { validateImage } from '../helpers/validate-image.js';
import { containerView } from './tree-view.js';

const gnuTar = existsSync('/usr/bin/tar') || existsSync('/bin/tar');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pare-slim-test-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

let counter = 0;
async function archiveOf(spec: ImageSpec): Promise<string> {
  const path = join(work, `in-${counter++}.tar`);
  await writeDockerArchive(path, [buildImage(spec)]);
  return `docker-archive:${path}`;
}

async function withImage<T>(reference: string, body: (image: Image) => Promise<T>): Promise<T> {
  const image = await openImage(reference);
  try {
    return await body(image);
  } finally {
    await image.close();
  }
}

/** Slims `reference` and writes the result to a fresh output of `transport`; returns the output reference. */
async function slimTo(
  reference: string,
  options: Parameters<typeof slimImage>[1] = {},
  transport: 'docker-archive' | 'oci' | 'oci-archive' = 'oci',
): Promise<{ output: string; result: Awaited<ReturnType<typeof slimImage>> }> {
  const output = `${transport}:${join(work, `out-${counter++}${transport === 'oci' ? '' : '.tar'}`)}`;
  return withImage(reference, async (image) => {
    const result = await slimImage(image, options);
    try {
      await writeImage(output, result.image);
    } finally {
      await result.dispose();
    }
    return { output, result };
  });
}

// ---- generated images ----------------------------------------------------------

const names = fc.constantFrom('a', 'b', 'c', 'x', 'y');
const paths = fc.array(names, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const entry: fc.Arbitrary<EntrySpec> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(paths, fc.string({ maxLength: 40 }), fc.constantFrom(0o644, 0o755, 0o600))
      .map(([p, c, m]) => file(p, c, { mode: m })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(paths, fc.constantFrom(0o755, 0o700)).map(([p, m]) => dir(p, { mode: m })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        paths,
        fc.oneof(
          paths,
          paths.map((p) => `/${p}`),
          fc.constant('../a'),
        ),
      )
      .map(([p, t]) => symlink(p, t)),
  },
  { weight: 1, arbitrary: fc.tuple(paths, paths).map(([p, t]) => hardlink(p, t)) },
  { weight: 2, arbitrary: paths.map((p) => whiteout(p)) },
  { weight: 1, arbitrary: paths.map((p) => opaque(p)) },
);
const imageSpec: fc.Arbitrary<ImageSpec> = fc
  .array(fc.array(entry, { maxLength: 12 }), { minLength: 1, maxLength: 4 })
  .map((layers) => ({ layers: layers.map((entries) => ({ entries })) }));

describe('lossless shrink', () => {
  it('never changes what the container sees (generated images)', async () => {
    await fc.assert(
      fc.asyncProperty(imageSpec, fc.integer({ min: 1, max: 4 }), async (spec, layers) => {
        const input = await archiveOf(spec);
        const before = await withImage(input, containerView);
        const { output } = await slimTo(input, { remove: new Set(), layers });
        const after = await withImage(output, containerView);
        expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));
      }),
      // Bounded in time as well as runs: on a loaded CI machine 200 runs took longer than the
      // test's limit, which then reported a timeout instead of a result. A failure found within
      // the limit still fails, with fast-check's seed, path and (shrunk so far) counterexample.
      { numRuns: 200, interruptAfterTimeLimit: 90_000 },
    );
  }, 150_000);

  // Counterexamples the property found, kept as cases of their own.
  const found: Array<[string, ImageSpec, number]> = [
    [
      'a hard link whose target runs through the symlink it replaces (seed 940999441)',
      {
        layers: [
          { entries: [file('b', ' ')] },
          { entries: [symlink('y', 'a'), hardlink('y', 'y/b')] },
          { entries: [] },
        ],
      },
      1,
    ],
  ];
  it.each(found)('never changes what the container sees: %s', async (_name, spec, layers) => {
    const input = await archiveOf(spec);
    const before = await withImage(input, containerView);
    const { output } = await slimTo(input, { remove: new Set(), layers });
    const after = await withImage(output, containerView);
    expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));
  });

  it('keeps contents either side of the one-read limit, across gzip blocks', async () => {
    // Contents up to 1 MiB are packed from one read of the spool, larger ones streamed; the
    // 3 MiB file spans several of the gzip writer's 1 MiB blocks.
    const MiB = 1024 * 1024;
    const input = await archiveOf({
      layers: [
        { entries: [file('bin/one', { size: 1, seed: 1 }), file('bin/limit', { size: MiB, seed: 2 })] },
        { entries: [file('lib/over', { size: MiB + 1, seed: 3 }), file('lib/small', 'small')] },
        { entries: [file('app/big', { size: 3 * MiB + 17, seed: 4 }), file('app/empty', '')] },
      ],
    });
    const before = await withImage(input, containerView);
    const { output, result } = await slimTo(input, { remove: new Set(), layers: 3 });
    expect(result.blobs.layers).toHaveLength(3);
    const after = await withImage(output, containerView);
    expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));
  });

  it.each([
    ['the first', 0],
    ['the last', 2],
  ])(
    '%s of three layers not matching its diff_id: that mismatch is the error, exit 2, nothing written',
    async (_which, tampered) => {
      // Each layer holds a marker of its own; one byte of the tampered layer's marker is changed in place.
      const markers = [0, 1, 2].map((i) => `MARKER-OF-LAYER-${i}-`.repeat(40));
      const input = await archiveOf({
        layers: markers.map((marker, i) => ({ entries: [file(`layer${i}/data`, marker)] })),
      });
      const path = input.slice('docker-archive:'.length);
      const bytes = await readFile(path);
      const at = bytes.indexOf(markers[tampered]!);
      expect(at).toBeGreaterThan(0);
      bytes[at + 3]! ^= 0x20;
      await writeFile(path, bytes);
      const out = join(work, `tampered-${tampered}.tar`);
      const error = await runSlim(input, { output: `docker-archive:${out}` }, quietIo()).catch((e) => e);
      expect(isPareError(error), String(error)).toBe(true);
      expect((error as { exitCode: number }).exitCode).toBe(2);
      expect((error as { line: string }).line).toMatch(
        new RegExp(`layer ${tampered} sha256:[0-9a-f]{12}…: uncompressed layer does not match its diff_id`),
      );
      expect(existsSync(out)).toBe(false);
    },
  );

  it('drops overwritten and deleted bytes', async () => {
    const input = await archiveOf({
      layers: [
        {
          entries: [
            file('big', { size: 100_000 }),
            file('keep', 'k'),
            dir('d'),
            file('d/old', { size: 50_000 }),
          ],
        },
        { entries: [whiteout('big'), opaque('d'), file('d/new', 'n')] },
      ],
    });
    const { output, result } = await slimTo(input, { remove: new Set(), layers: 1 });
    expect(result.output.uncompressedBytes).toBeLessThan(10_000);
    const view = await withImage(output, containerView);
    expect([...view.keys()].sort()).toEqual(['/d', '/d/new', '/keep']);
  });

  it('is reproducible', async () => {
    const input = await archiveOf({
      layers: [{ entries: [file('z', 'zz'), file('a/b', 'b', { mtime: 2_000_000_000 }), dir('a')] }],
    });
    const one = await slimTo(input, { mtime: 1000 });
    const two = await slimTo(input, { mtime: 1000 });
    expect(one.result.blobs.layers.map((l) => l.digest)).toEqual(
      two.result.blobs.layers.map((l) => l.digest),
    );
    expect(one.result.config.rootfs).toEqual(two.result.config.rootfs);
  });

  it('keeps the base/app split by default, and squashes with --layers 1', async () => {
    const created = '2024-01-01T00:00:00Z';
    const spec: ImageSpec = {
      layers: [
        { entries: [file('bin/sh', 'sh')] },
        { entries: [file('usr/lib/libx.so', 'x')] },
        { entries: [file('app/main', 'm')] },
        { entries: [file('app/data', 'd')] },
      ],
      history: [
        { created, created_by: 'ADD rootfs.tar /' },
        { created, created_by: 'RUN install' },
        { created, created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
        { created, created_by: 'COPY main /app/' },
        { created, created_by: 'COPY data /app/' },
        { created, created_by: '/bin/sh -c #(nop)  CMD ["/app/main"]', empty_layer: true },
      ],
    };
    const input = await archiveOf(spec);
    const config = await withImage(input, (image) => image.config());
    expect(baseLayerCount(config, 4)).toBe(2);
    expect(planLayers(4, undefined, 2)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(planLayers(4, 3, 2)).toEqual([
      [0, 1],
      [2, 2],
      [3, 3],
    ]);
    const split = await slimTo(input);
    expect(split.result.groups).toEqual([
      [0, 1],
      [2, 3],
    ]);
    const history = split.result.config.history!;
    expect(history.filter((h) => !h.empty_layer).map((h) => h.created_by)).toEqual([
      'RUN install',
      'COPY data /app/',
    ]);
    const squashed = await slimTo(input, { layers: 1 });
    expect(squashed.result.output.layers).toBe(1);
  });
});

describe('tar details', () => {
  // cap_net_raw+ep as setcap writes it (VFS_CAP_REVISION_2): what /usr/bin/ping carries.
  const capNetRaw = Buffer.from('0100000201200000000000000000000000000000', 'hex');
  const longName = `opt/${'n'.repeat(120)}/tool`;
  const spec: ImageSpec = {
    layers: [
      {
        entries: [
          dir('dev'),
          { type: 'char', path: 'dev/null', mode: 0o666, devmajor: 1, devminor: 3 },
          { type: 'block', path: 'dev/sda', mode: 0o660, devmajor: 8, devminor: 16 },
          file('usr/bin/ping', 'ELF ping', {
            mode: 0o755,
            pax: { 'SCHILY.xattr.security.capability': capNetRaw },
          }),
          file('etc/labelled', 'x', {
            pax: {
              'SCHILY.xattr.user.comment': Buffer.from('h\u00e9llo', 'utf8'),
              'SCHILY.xattr.user.empty': Buffer.alloc(0),
            },
          }),
        ],
      },
      {
        entries: [
          hardlink('usr/bin/ping6', 'usr/bin/ping'),
          file(longName, 'tool', {
            pax: { uid: '3000000', 'SCHILY.xattr.security.capability': capNetRaw },
          }),
        ],
      },
    ],
  };

  async function detailsOf(reference: string) {
    const found = new Map<string, Pick<TarEntry, 'type' | 'devmajor' | 'devminor' | 'xattrs' | 'uid'>>();
    await withImage(reference, async (image) => {
      for (const layer of await image.layers()) {
        await scanLayer(layer, (entry) => {
          const { type, devmajor, devminor, xattrs, uid } = entry;
          found.set(entry.path, {
            type,
            uid,
            ...(devmajor !== undefined ? { devmajor, devminor } : {}),
            ...(xattrs ? { xattrs } : {}),
          });
        });
      }
    });
    return found;
  }

  it('reads device numbers and SCHILY.xattr records', async () => {
    const input = await archiveOf(spec);
    const details = await detailsOf(input);
    expect(details.get('dev/null')).toMatchObject({ type: 'char', devmajor: 1, devminor: 3 });
    expect(details.get('dev/sda')).toMatchObject({ type: 'block', devmajor: 8, devminor: 16 });
    expect(details.get('usr/bin/ping')?.xattrs).toEqual({ 'security.capability': capNetRaw });
    expect(details.get('etc/labelled')?.xattrs).toEqual({
      'user.comment': Buffer.from('h\u00e9llo', 'utf8'),
      'user.empty': Buffer.alloc(0),
    });
    expect(details.get('dev')?.xattrs).toBeUndefined();
  });

  for (const layers of [1, 2]) {
    it(`keeps them through the lossless rewrite (--layers ${layers})`, async () => {
      const input = await archiveOf(spec);
      const { output } = await slimTo(input, { remove: new Set(), layers });
      const details = await detailsOf(output);
      expect(details.get('dev/null')).toEqual({ type: 'char', uid: 0, devmajor: 1, devminor: 3 });
      expect(details.get('dev/sda')).toEqual({ type: 'block', uid: 0, devmajor: 8, devminor: 16 });
      expect(details.get('usr/bin/ping')?.xattrs).toEqual({ 'security.capability': capNetRaw });
      // A hard link is the same inode: same capabilities.
      expect(details.get('usr/bin/ping6')?.xattrs).toEqual({ 'security.capability': capNetRaw });
      expect(details.get('etc/labelled')?.xattrs).toEqual({
        'user.comment': Buffer.from('h\u00e9llo', 'utf8'),
        'user.empty': Buffer.alloc(0),
      });
      // Long name and big uid in the same pax header as the xattrs.
      expect(details.get(longName)).toEqual({
        type: 'file',
        uid: 3_000_000,
        xattrs: { 'security.capability': capNetRaw },
      });
      const before = await withImage(input, containerView);
      const after = await withImage(output, containerView);
      expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));
    });
  }

  it.skipIf(!gnuTar)('writes xattrs GNU tar reads back', async () => {
    const input = await archiveOf(spec);
    const { output } = await slimTo(input, { remove: new Set(), layers: 1, compression: 'none' });
    const layout = output.slice('oci:'.length);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
    const manifest = JSON.parse(
      await readFile(join(layout, 'blobs', ...index.manifests[0].digest.split(':')), 'utf8'),
    );
    const blob = join(layout, 'blobs', ...manifest.layers[0].digest.split(':'));
    const listing = execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-tvvf', blob], {
      encoding: 'utf8',
    });
    expect(listing).toMatch(/^c\S* .* 1,\s*3 .*dev\/null$/m);
    expect(listing).toMatch(/^b\S* .* 8,\s*16 .*dev\/sda$/m);
    expect(listing).toMatch(/x: 20 security\.capability/);
    expect(listing).toContain(longName);
  });
});

describe('zstd layers', () => {
  const spec: ImageSpec = {
    layers: [
      {
        entries: [
          dir('app'),
          file('app/big', { size: 300_000 }),
          file('app/run', '#!/bin/sh', { mode: 0o755 }),
        ],
      },
      { entries: [file('etc/conf', 'c'), symlink('etc/link', 'conf')] },
    ],
  };

  for (const transport of ['oci', 'oci-archive', 'docker-archive'] as const) {
    it.skipIf(!zstdAvailable)(
      `are read back with the diff_ids and files of gzip (${transport})`,
      async () => {
        const input = await archiveOf(spec);
        const gzip = await slimTo(input, { mtime: 1000 });
        const zstd = await slimTo(input, { mtime: 1000, compression: 'zstd' }, transport);
        expect(zstd.result.blobs.layers.map((l) => l.mediaType)).toEqual([
          MEDIA_TYPES.ociLayerZstd,
          MEDIA_TYPES.ociLayerZstd,
        ]);
        expect(zstd.result.config.rootfs.diff_ids).toEqual(gzip.result.config.rootfs.diff_ids);
        const summary = await withImage(zstd.output, validateImage);
        expect(summary.layers.map((l) => l.compression)).toEqual(['zstd', 'zstd']);
        expect(summary.diffIds).toEqual(gzip.result.config.rootfs.diff_ids);
        const before = await withImage(gzip.output, containerView);
        const after = await withImage(zstd.output, containerView);
        expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));
      },
    );
  }

  it.skipIf(!zstdAvailable)('are reproducible, and --zstd-level changes the blob only', async () => {
    const input = await archiveOf(spec);
    const one = await slimTo(input, { mtime: 1000, compression: 'zstd' });
    const two = await slimTo(input, { mtime: 1000, compression: 'zstd' });
    const high = await slimTo(input, { mtime: 1000, compression: 'zstd', zstdLevel: 19 });
    const digests = (r: typeof one) => r.result.blobs.layers.map((l) => l.digest);
    expect(digests(two)).toEqual(digests(one));
    expect(digests(high)).not.toEqual(digests(one));
    expect(high.result.config.rootfs.diff_ids).toEqual(one.result.config.rootfs.diff_ids);
  });

  it('names the missing zstd program', async () => {
    const input = await archiveOf(spec);
    const path = process.env.PATH;
    process.env.PATH = join(work, 'no-such-bin');
    try {
      const error = await slimTo(input, { compression: 'zstd' }).catch((e) => e);
      expect(isPareError(error)).toBe(true);
      expect((error as Error).message).toMatch(/needs the zstd program/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('refuses --tag up front: Docker 20.10 cannot load zstd layers', async () => {
    const input = await archiveOf(spec);
    const error = await runSlim(input, { tag: 'app:slim', compression: 'zstd' }, quietIo()).catch((e) => e);
    expect(isPareError(error)).toBe(true);
    expect((error as { exitCode: number }).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/--output oci:DIR or oci-archive:PATH/);
  });
});

describe('leftover removal', () => {
  const spec: ImageSpec = {
    layers: [
      {
        entries: [
          file('usr/share/doc/libfoo/README', { size: 5000 }),
          file('usr/share/doc/libfoo/copyright', 'c'),
          file('usr/share/man/man1/foo.1.gz', { size: 3000 }),
          file('usr/share/locale/de/LC_MESSAGES/foo.mo', { size: 700 }),
          file('usr/share/locale/fr/LC_MESSAGES/foo.mo', { size: 700 }),
          file('var/cache/apt/archives/foo.deb', { size: 9000 }),
          file('var/lib/apt/lists/deb.debian.org_dists', { size: 9000 }),
          file('usr/include/foo.h', 'int f();'),
          file('usr/lib/libfoo.a', { size: 2000 }),
          file('usr/lib/python3/dist-packages/foo/__init__.py', 'x = 1'),
          file('usr/lib/python3/dist-packages/foo/__pycache__/gone.cpython-311.pyc', 'pyc'),
          file('app/.git/HEAD', 'ref: refs/heads/main'),
          file('app/main.py', 'print(1)'),
          hardlink('app/doc-link', 'usr/share/doc/libfoo/README'),
        ],
      },
    ],
    config: { Env: ['LANG=de_DE.UTF-8'], Cmd: ['python3', '/app/main.py'] },
  };

  it('removes exactly what the selected detectors report, and nothing else', async () => {
    const input = await archiveOf(spec);
    const expected = await withImage(input, async (image) => {
      const final = await readFinalTree(await image.layers());
      const source = detectSourceOf(final, await image.config());
      const paths = new Set<string>();
      for (const detector of DETECTORS) {
        if (!(DEFAULT_REMOVE as readonly string[]).includes(detector.id)) continue;
        // Every file, not only those the detector wants: what slim removes must not depend on that filter.
        const [context] = contextsFor(source, [{ ...detector, wants: () => true }]);
        for (const result of detector.detect(context!))
          for (const m of result.matches) paths.add(m.file.path);
      }
      return paths;
    });
    expect(expected.has('/usr/share/doc/libfoo/README')).toBe(true);
    const before = await withImage(input, containerView);
    const { output, result } = await slimTo(input);
    expect(new Set(result.removed.map((r) => r.path))).toEqual(expected);
    const after = await withImage(output, containerView);
    for (const [path, node] of before) {
      if (expected.has(path)) expect(after.has(path), path).toBe(false);
      else if (node.kind !== 'dir') expect(after.get(path), path).toEqual(node);
    }
    expect(after.has('/usr/share/doc/libfoo/copyright')).toBe(true);
    expect(after.has('/usr/share/locale/de/LC_MESSAGES/foo.mo')).toBe(true);
    expect(after.has('/usr/share/locale/fr/LC_MESSAGES/foo.mo')).toBe(false);
    // The other name of a removed hard-linked file keeps the bytes, so removing this one saved none.
    expect(after.get('/app/doc-link')?.size).toBe(5000);
    expect(result.removed.find((r) => r.path === '/usr/share/doc/libfoo/README')?.size).toBe(0);
    expect(result.removedByReason.docs?.files).toBeGreaterThan(0);
  });

  it('keeps categories on request', async () => {
    const input = await archiveOf(spec);
    const { result } = await slimTo(input, { remove: selectCategories(['docs', 'vcs-metadata'], []) });
    const reasons = new Set(result.removed.map((r) => r.reason));
    expect(reasons.has('docs')).toBe(false);
    expect(reasons.has('vcs-metadata')).toBe(false);
    expect(reasons.has('package-cache')).toBe(true);
    expect(selectCategories([], ['none']).size).toBe(0);
    expect(selectCategories(['all'], []).size).toBe(0);
    expect(selectCategories([], ['toolchain']).has('toolchain')).toBe(true);
  });
});

describe('output image', () => {
  const config = {
    User: '1000:1000',
    Env: ['PATH=/usr/bin:/bin', 'A=b'],
    Entrypoint: ['/app/run'],
    Cmd: ['--serve'],
    WorkingDir: '/app',
    ExposedPorts: { '8080/tcp': {} },
    Labels: { 'org.example.team': 'core' },
    StopSignal: 'SIGINT',
    Healthcheck: { Test: ['CMD', '/app/run', '--health'], Interval: 30_000_000_000, Retries: 3 },
    Volumes: { '/data': {} },
  };
  const spec: ImageSpec = {
    layers: [
      { entries: [file('app/run', '#!/bin/sh', { mode: 0o755, uid: 1000, gid: 1000 })] },
      { entries: [file('usr/share/man/man1/run.1', 'man')] },
    ],
    config,
  };

  it('preserves the config and adds provenance labels', async () => {
    const input = await archiveOf(spec);
    const original = await withImage(input, (image) => image.config());
    const sourceDigest = await withImage(input, (image) => image.configDigest());
    const { output } = await slimTo(input, { layers: 1 });
    const slim = await withImage(output, (image) => image.config());
    const strip = (c: ImageConfig) => {
      const { rootfs: _r, history: _h, config: runtime, ...rest } = c;
      const { Labels: _l, ...other } = runtime ?? {};
      return { rest, other };
    };
    expect(strip(slim)).toEqual(strip(original));
    expect(slim.config?.Labels?.['org.example.team']).toBe('core');
    expect(slim.config?.Labels?.[LABEL_SOURCE]).toBe(sourceDigest);
    expect(slim.config?.Labels?.[LABEL_VERSION]).toMatch(/^\d+\.\d+\.\d+/);
    expect(JSON.parse(slim.config!.Labels![LABEL_REMOVED]!)).toEqual({ docs: { files: 1, bytes: 3 } });
    expect(slim.rootfs.diff_ids.length).toBe(1);
  });

  for (const transport of ['docker-archive', 'oci', 'oci-archive'] as const) {
    it(`passes validateImage as ${transport}`, async () => {
      const input = await archiveOf(spec);
      const { output } = await slimTo(input, {}, transport);
      await withImage(output, async (image) => {
        const summary = await validateImage(image);
        expect(summary.layers.length).toBeGreaterThan(0);
      });
    });
  }

  it.each([
    'docker-archive:/sys/pare-slim-test.tar',
    'oci:/sys/pare-slim-test',
    'oci-archive:/proc/pare.tar',
  ])('an output location it cannot write (%s) is one line and exit 2, not a crash', async (output) => {
    const input = await archiveOf(spec);
    const error = await runSlim(input, { output }, quietIo()).catch((e) => e);
    expect(isPareError(error)).toBe(true);
    expect((error as { exitCode: number }).exitCode).toBe(2);
    expect((error as { line: string }).line).toMatch(/^--output .*: cannot write the image: /);
    expect((error as { line: string }).line).not.toContain('\n');
  });

  it('refuses to write over the input', async () => {
    const input = await archiveOf(spec);
    const path = input.slice('docker-archive:'.length);
    const before = await readFile(path);
    const error = await runSlim(input, { output: `docker-archive:${path}` }, quietIo()).catch((e) => e);
    expect(isPareError(error)).toBe(true);
    expect((error as Error).message).toMatch(/over the input/);
    expect(await readFile(path)).toEqual(before);
  });

  it('writes a report and tags the archive', async () => {
    const input = await archiveOf(spec);
    const out = join(work, 'cli-out.tar');
    const report = join(work, 'report.json');
    const io = quietIo();
    const code = await runSlim(input, { output: `docker-archive:${out}:app:slim`, report }, io);
    expect(code).toBe(0);
    const json = JSON.parse(await readFile(report, 'utf8'));
    expect(json.removed).toEqual([
      { path: '/usr/share/man/man1/run.1', size: 3, reason: 'docs', detail: 'man pages' },
    ]);
    expect((await stat(out)).size).toBeGreaterThan(0);
    await withImage(`docker-archive:${out}:app:slim`, async (image) => {
      expect((await image.config()).config?.Entrypoint).toEqual(['/app/run']);
    });
  });

  it.each([
    [
      true,
      [
        'reading 2 layers',
        'copying the kept contents',
        'writing layer 1 of 2',
        'writing layer 2 of 2',
        'writing oci:',
      ],
    ],
    [false, []],
  ])(
    'on a terminal (%s) says as each long step starts; piped, stderr stays empty',
    async (terminal, steps) => {
      const input = await archiveOf(spec);
      const { io, out } = capturingIo(terminal);
      const output = join(work, `steps-${terminal}`);
      expect(await runSlim(input, { output: `oci:${output}` }, io)).toBe(0);
      const lines = out.stderr.split('\n').filter(Boolean);
      expect(lines, out.stderr).toHaveLength(steps.length);
      expect(lines.map((line, index) => line.startsWith(`pare: ${steps[index]}`))).toEqual(
        steps.map(() => true),
      );
    },
  );

  it('compares like with like: tars with tars, stored layers with stored layers, each named', async () => {
    const input = await archiveOf(spec);
    let inputTarBytes = 0;
    let inputStored = 0;
    await withImage(input, async (image) => {
      for (const layer of await image.layers()) {
        inputTarBytes += (await scanLayer(layer, () => {})).bytes;
        inputStored += layer.size;
      }
    });
    const { io, out } = capturingIo();
    const report = join(work, 'like-with-like.json');
    const code = await runSlim(input, { output: `oci:${join(work, 'like-with-like')}`, report }, io);
    expect(code).toBe(0);
    const json = JSON.parse(await readFile(report, 'utf8'));
    expect(json.source).toMatchObject({
      uncompressedBytes: inputTarBytes,
      compressedBytes: inputStored,
      compression: 'none',
    });
    expect(json.output.compression).toBe('gzip');
    expect(json.layers.before.map((l: { uncompressedBytes: number }) => l.uncompressedBytes)).not.toContain(
      undefined,
    );
    const mb = (bytes: number) => formatBytes(bytes).replace('.', '\\.');
    const stdout = out.stdout;
    expect(stdout).toMatch(
      new RegExp(`uncompressed +${mb(inputTarBytes)} → ${mb(json.output.uncompressedBytes)}`),
    );
    expect(stdout).toMatch(
      new RegExp(
        `as stored +${mb(inputStored)} → ${mb(json.output.compressedBytes)}.*\\(plain tar → gzip\\)`,
      ),
    );
  });

  it.each([
    ['json', (text: string) => JSON.parse(text).schemaVersion === 'pare.slim/v1'],
    ['html', (text: string) => text.startsWith('<!doctype html>') && text.includes('run.1')],
  ])('--format %s puts the report alone on stdout and the summary on stderr', async (format, looksRight) => {
    const input = await archiveOf(spec);
    const { io, out } = capturingIo();
    const code = await runSlim(input, { output: `oci:${join(work, `fmt-${format}`)}`, format }, io);
    expect(code).toBe(0);
    expect(looksRight(out.stdout)).toBe(true);
    expect(out.stderr).toMatch(/removed docs: 1 files/);
  });

  it('rejects bad options with exit-2 errors', async () => {
    const input = await archiveOf(spec);
    const bad = [
      { output: 'oci:/tmp/x', format: 'yaml' },
      { output: 'oci:/tmp/x', include: ['/etc'] },
      { output: 'oci:/tmp/x', exclude: ['*.md'] },
      {},
      { output: 'registry.example/app:1' },
      { output: 'oci:/tmp/x', layers: '0' },
      { output: 'oci:/tmp/x', keep: 'nonsense' },
      { output: 'oci:/tmp/x', compression: 'lz4' },
      { output: 'oci:/tmp/x', compression: 'zstd', zstdLevel: '20' },
      { tag: 'app:slim', compression: 'zstd' },
      { output: 'oci:/tmp/x', verify: true, compression: 'zstd' },
      { output: 'oci:/tmp/x', remove: 'unstripped-binaries' },
    ];
    for (const options of bad) {
      const error = await runSlim(input, options, quietIo()).catch((e) => e);
      expect(isPareError(error), JSON.stringify(options)).toBe(true);
      expect((error as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it.each([
    [{ gzipLevel: '12' }, /^--gzip-level: gzip level must be 1-9, got 12$/],
    [{ compression: 'zstd', zstdLevel: '20' }, /^--zstd-level: zstd level must be 1-19, got 20$/],
  ])('rejects a bad level (%o) before reading the image', async (options, message) => {
    // The input does not exist: the level must be the error, not the missing file after it.
    const missing = `docker-archive:${join(work, 'no-such-input.tar')}`;
    const error = await runSlim(missing, { output: 'oci:/tmp/x', ...options }, quietIo()).catch((e) => e);
    expect(isPareError(error), String(error)).toBe(true);
    expect((error as { line: string }).line).toMatch(message);
  });
});

function quietIo() {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  return { stdout: sink, stderr: sink };
}

/** An io for runSlim that keeps what it writes; `terminal` makes stderr look like a terminal. */
function capturingIo(terminal = false) {
  const out = { stdout: '', stderr: '' };
  const stream = (name: 'stdout' | 'stderr') =>
    ({
      write: (chunk: string) => {
        out[name] += chunk;
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  const stderr = Object.assign(stream('stderr'), terminal ? { isTTY: true } : {});
  return { io: { stdout: stream('stdout'), stderr }, out };
}
