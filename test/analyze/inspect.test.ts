/**
 * inspectImage over real archives written by the image-writer fixture: the
 * same hand-computed figures in every format, read sequentially and
 * concurrently, verified and not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InspectResult, inspectImage, wantsElfBytes } from '../../src/analyze/inspect.js';
import { openImage } from '../../src/image/open.js';
import type { Image, Layer } from '../../src/image/types.js';
import {
  type BuiltImage,
  buildImage,
  buildLayer,
  FORMATS,
  file,
  type LayerSpec,
  writeImage,
} from '../helpers/image-writer.js';
import { buildElf } from './elf-builder.js';
import { file as entryFile } from './entries.js';
import { DOCKERFILE, TOOL_BYTES as T, WASTEFUL } from './wasteful-image.js';

function checkFigures(result: InspectResult) {
  expect(result.schemaVersion).toBe('pare.inspect/v1');
  expect(result.layers.map((l) => l.contentBytes)).toEqual([5100 + T, 500, 1000]);
  expect(result.layers.map((l) => l.wastedBytes)).toEqual([5100, 300, 0]);
  expect(result.layers.map((l) => l.instruction)).toEqual([
    'ADD file:abc123 in /',
    'RUN apt-get update',
    'COPY . /app',
  ]);
  expect(result.layers[1]).toMatchObject({
    added: { files: 2, bytes: 300 },
    modified: { files: 1, bytes: 200 },
    removed: { files: 1, bytes: 5000 },
  });
  expect(result.layers[2]!.removed).toEqual({ files: 1, bytes: 300 });
  expect(result.layers.map((l) => l.removedPaths)).toEqual([
    undefined,
    [{ path: '/var/lib/apt/lists/pkgs', bytes: 5000 }],
    [{ path: '/app/main.go', bytes: 300 }],
  ]);
  expect(result.size).toMatchObject({ finalBytes: 1200 + T, contentBytes: 6600 + T, files: 4 });
  expect(result.efficiency.pare).toEqual({
    efficiency: (1200 + T) / (6600 + T),
    wastedBytes: 5400,
    contentBytes: 6600 + T,
    finalBytes: 1200 + T,
  });
  expect(result.efficiency.dive.wastedBytes).toBe(5300);
  expect(result.efficiency.dive.efficiency).toBeCloseTo((1400 + T) / (6600 + T), 12);
  expect(result.efficiency.inefficientPaths).toEqual([
    { path: '/var/lib/apt/lists/pkgs', count: 2, bytes: 5000 },
    { path: '/etc/os-release', count: 2, bytes: 300 },
  ]);
  const unstripped = result.leftovers.find((f) => f.detector === 'unstripped-binaries');
  expect(unstripped).toMatchObject({
    bytes: 5000,
    paths: ['/usr/bin/tool'],
    layerIndexes: [0],
    instruction: 'ADD file:abc123 in /',
  });
  expect(result.topFiles[0]).toEqual({ path: '/usr/bin/tool', bytes: T, layer: 0 });
}

describe('inspectImage', () => {
  let dir: string;
  let built: BuiltImage;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-inspect-'));
    built = buildImage(WASTEFUL);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const format of FORMATS) {
    it(`computes the hand-made figures from ${format}`, async () => {
      const reference = await writeImage(join(dir, format), format, [built]);
      const image = await openImage(reference);
      try {
        checkFigures(await inspectImage(image, { concurrency: 1 }));
        checkFigures(await inspectImage(image, { concurrency: 3, verify: false }));
      } finally {
        await image.close();
      }
    });
  }

  it("caps dive's inefficient paths at top, keeping the total in efficiency.dive", async () => {
    const reference = await writeImage(join(dir, 'top'), 'oci', [built]);
    const image = await openImage(reference);
    try {
      const result = await inspectImage(image, { top: 1 });
      expect(result.efficiency.inefficientPaths).toEqual([
        { path: '/var/lib/apt/lists/pkgs', count: 2, bytes: 5000 },
      ]);
      expect(result.efficiency.dive.repeatedPaths).toBe(2);
    } finally {
      await image.close();
    }
  });

  it('maps layers to Dockerfile lines, reports progress and renders a tree', async () => {
    const reference = await writeImage(join(dir, 'df'), 'oci', [built]);
    const image = await openImage(reference);
    const progress: number[] = [];
    try {
      const result = await inspectImage(image, {
        dockerfile: { path: 'Dockerfile', text: DOCKERFILE },
        tree: { depth: 2 },
        onProgress: (p) => progress.push(p.compressedDone),
      });
      expect(result.layers.map((l) => l.dockerfile?.startLine ?? null)).toEqual([null, 2, 4]);
      expect(result.layers[2]!.dockerfile?.text).toBe('COPY . /app');
      expect(result.warnings).toEqual([]);
      expect(progress.at(-1)).toBe(built.layers.reduce((s, l) => s + l.blob.length, 0));
      expect(result.tree?.children?.map((c) => c.name)).toEqual(['usr', 'app', 'etc', 'var']);
      expect(result.tree?.bytes).toBe(1200 + T);
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    } finally {
      await image.close();
    }
  });

  it('fails with the layer named when a blob is corrupt', async () => {
    const broken = buildImage(WASTEFUL);
    broken.layers[1]!.blob = Buffer.from(broken.layers[1]!.blob);
    broken.layers[1]!.blob[600]! ^= 0xff;
    const reference = await writeImage(join(dir, 'broken'), 'oci', [broken]);
    const image = await openImage(reference);
    try {
      await expect(inspectImage(image)).rejects.toThrow(/sha256|digest/i);
    } finally {
      await image.close();
    }
  });
});

describe('inspectImage: a corrupt layer among uncompressed ones', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-inspect-corrupt-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  // Later layers are walked while earlier ones still hash: an earlier layer's mismatch must still be the error.
  const layerSpecs = (): LayerSpec[] => [
    { entries: [file('a/one', 'first layer contents '.repeat(40))] },
    { entries: [file('b/two', 'second layer contents '.repeat(40))] },
    { entries: [file('c/three', 'third layer contents '.repeat(40))] },
  ];
  // Inside a file's data (the tar still reads), or inside the first header (the tar breaks).
  const CONTENT = -1;
  const HEADER = 10;

  it.each<[string, Array<[layer: number, byte: number]>, RegExp]>([
    ["the first layer's bytes changed, the tar intact", [[0, CONTENT]], /diff_id|digest/i],
    ["the last layer's bytes changed", [[2, CONTENT]], /diff_id|digest/i],
    [
      "the first layer's bytes changed and a later layer's tar broken",
      [
        [0, CONTENT],
        [1, HEADER],
      ],
      /diff_id|digest/i,
    ],
  ])('%s: the earliest corrupt layer is named', async (_name, flips, message) => {
    const built = buildImage({ layers: layerSpecs() });
    const subjects: string[] = [];
    for (const [layer, byte] of flips) {
      const blob = Buffer.from(built.layers[layer]!.blob);
      blob[byte === CONTENT ? blob.indexOf('layer contents') : byte]! ^= 0xff;
      built.layers[layer]!.blob = blob;
      subjects.push(built.layers[layer]!.digest.slice(7, 19));
    }
    const reference = await writeImage(
      join(dir, `corrupt-${flips.map((f) => f.join('-')).join('_')}`),
      'oci',
      [built],
    );
    const image = await openImage(reference);
    try {
      const error = await inspectImage(image).then(
        () => undefined,
        (caught: Error) => caught,
      );
      expect(error?.message).toMatch(message);
      expect(`${(error as { subject?: string }).subject ?? ''} ${error?.message}`).toContain(subjects[0]);
    } finally {
      await image.close();
    }
  });
});

describe('wantsElfBytes', () => {
  it.each([
    ['usr/bin/ls', 0o755, 1000, true],
    ['usr/lib/x86_64-linux-gnu/libc.so.6', 0o644, 1000, true],
    ['app/node_modules/x/build/Release/addon.node', 0o644, 1000, true],
    ['usr/lib/git-core/git-remote-http', 0o644, 1000, true],
    ['usr/lib/python3/dist-packages/x.py', 0o644, 1000, false],
    ['etc/passwd', 0o644, 1000, false],
    ['usr/bin/tiny', 0o755, 10, false],
  ])('%s', (path, mode, size, expected) => {
    expect(wantsElfBytes(entryFile(path, size, mode))).toBe(expected);
  });
});

/** An image whose first layer streams slowly, so later layers are read (and buffered) before it ends. */
function slowFirstLayerImage(specs: LayerSpec[]): Image {
  const built = specs.map(buildLayer);
  const layers: Layer[] = built.map((layer, index) => ({
    digest: layer.digest,
    diffId: layer.diffId,
    size: layer.blob.length,
    mediaType: layer.mediaType,
    compression: 'none',
    compressed: async () => Readable.from([layer.blob]),
    uncompressed: async () =>
      index === 0
        ? Readable.from(
            (async function* () {
              for (let at = 0; at < layer.tar.length; at += 512) {
                await new Promise((resolve) => setTimeout(resolve, 2));
                yield layer.tar.subarray(at, at + 512);
              }
            })(),
          )
        : Readable.from([layer.tar]),
  }));
  const config = {
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers' as const, diff_ids: built.map((l) => l.diffId) },
    history: specs.map((_, i) => ({ created_by: `RUN step ${i}` })),
  };
  return {
    reference: 'test:slow',
    manifest: async () => ({
      schemaVersion: 2,
      mediaType: '',
      config: { mediaType: '', digest: 'sha256:00', size: 0 },
      layers: [],
    }),
    configDigest: async () => 'sha256:00',
    config: async () => config,
    layers: async () => layers,
    close: async () => {},
  };
}

describe('concurrent layer reading', () => {
  it('buffers later layers, applies them in order and keeps the ELF facts read meanwhile', async () => {
    const elf = buildElf({
      bits: 64,
      little: true,
      type: 2,
      sections: [{ name: '.debug_info', size: 3000 }],
      symtab: 100,
      strtab: 50,
    });
    const image = slowFirstLayerImage([
      { entries: Array.from({ length: 20 }, (_, i) => file(`etc/f${i}`, { size: 600 })) },
      { entries: [file('usr/bin/app', elf, { mode: 0o755 }), file('etc/f0', { size: 10 })] },
      { entries: [file('usr/bin/other', elf, { mode: 0o755 })] },
    ]);
    const progress: number[] = [];
    const result = await inspectImage(image, { concurrency: 3, onProgress: (p) => progress.push(p.layer) });
    expect(result.layers.map((l) => l.instruction)).toEqual(['RUN step 0', 'RUN step 1', 'RUN step 2']);
    expect(result.layers[1]!.modified).toEqual({ files: 1, bytes: 10 });
    expect(result.layers[0]!.wastedBytes).toBe(600);
    expect(result.size.finalBytes).toBe(19 * 600 + 10 + 2 * elf.length);
    const unstripped = result.leftovers.find((f) => f.detector === 'unstripped-binaries');
    expect(unstripped).toMatchObject({ files: 2, bytes: 2 * 3150, layerIndexes: [1, 2] });
    expect(progress.at(-1)).toBe(2);
  });
});
