import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImage } from '../../src/image/open.js';
import { type ImageTarget, parseImageTarget, writeImage } from '../../src/image/sinks/write.js';
import type { Image } from '../../src/image/types.js';
import { PareError } from '../../src/util/errors.js';
import {
  type BuiltImage,
  buildImage,
  dir,
  FORMATS,
  file,
  hardlink,
  symlink,
  whiteout,
  writeImage as writeFixture,
} from '../helpers/image-writer.js';
import { type ImageSummary, validateImage } from '../helpers/validate-image.js';

let work: string;
let built: BuiltImage;
let counter = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pare-write-image-'));
  built = buildImage({
    tags: ['example.com/app:1'],
    layers: [
      {
        createdBy: 'ADD rootfs /',
        entries: [
          dir('etc'),
          file('etc/os-release', 'ID=test\n'),
          file('usr/bin/tool', { size: 40_000, seed: 2 }, { mode: 0o755 }),
          symlink('bin', 'usr/bin'),
          hardlink('usr/bin/alias', 'usr/bin/tool'),
        ],
      },
      {
        compression: 'gzip',
        createdBy: 'RUN rm -rf /etc',
        entries: [whiteout('etc'), file('app/main.py', 'print(1)\n')],
      },
    ],
  });
});

afterAll(() => rm(work, { recursive: true, force: true }));

async function summaryOf(reference: string): Promise<ImageSummary> {
  const image = await openImage(reference);
  try {
    return await validateImage(image);
  } finally {
    await image.close();
  }
}

async function withImage<T>(reference: string, body: (image: Image) => Promise<T>): Promise<T> {
  const image = await openImage(reference);
  try {
    return await body(image);
  } finally {
    await image.close();
  }
}

const OUTPUTS = [
  (path: string) => `docker-archive:${path}.tar`,
  (path: string) => `docker-archive:${path}.tar:app:copy`,
  (path: string) => `oci:${path}`,
  (path: string) => `oci:${path}:copy`,
  (path: string) => `oci-archive:${path}.tar`,
];

describe.each(FORMATS)('writeImage from %s', (format) => {
  it('writes every file transport, and each reopens with the same config, layers and entries', async () => {
    const source = await writeFixture(join(work, `src-${format}`), format, [built]);
    const expected = await summaryOf(source);
    expect(expected.configDigest).toBe(built.configDigest);
    for (const output of OUTPUTS) {
      const reference = output(join(work, `out-${counter++}`));
      await withImage(source, (image) => writeImage(reference, image, { inputs: [] }));
      expect(await summaryOf(reference), reference).toEqual(expected);
    }
  });
});

describe('writeImage', () => {
  it('loads docker-daemon: targets into the engine as a docker-archive named by the reference', async () => {
    const source = await writeFixture(join(work, 'daemon-src'), 'oci', [built]);
    const loaded: string[] = [];
    const engine = {
      async load(archive: string | Readable) {
        // The archive is removed once loaded: keep a copy to read back, as the engine would.
        const copy = join(work, `loaded-${loaded.length}.tar`);
        await copyFile(archive as string, copy);
        loaded.push(copy);
      },
    };
    const target = await withImage(source, (image) =>
      writeImage('docker-daemon:app:slim', image, { engine }),
    );
    expect(target).toEqual({ transport: 'docker-daemon', name: 'app:slim' });
    expect(loaded).toHaveLength(1);
    expect(await summaryOf(`docker-archive:${loaded[0]}:app:slim`)).toEqual(await summaryOf(source));
  });

  it('refuses a docker-daemon: target without an engine, and an output over the input', async () => {
    const source = await writeFixture(join(work, 'refuse-src'), 'oci-archive', [built]);
    const path = source.slice('oci-archive:'.length);
    await withImage(source, async (image) => {
      await expect(writeImage('docker-daemon:app:1', image)).rejects.toThrow(/needs a container engine/);
      await expect(writeImage(`oci-archive:${path}`, image, { inputs: [path] })).rejects.toThrow(
        /refusing to write the output over the input image/,
      );
    });
  });

  it('names an unwritable location in one line', async () => {
    const source = await writeFixture(join(work, 'unwritable-src'), 'oci', [built]);
    const error = await withImage(source, (image) =>
      writeImage(`oci-archive:${join(work, 'no-such-dir', 'x.tar')}`, image),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PareError);
    expect((error as PareError).message).toMatch(/^cannot write the image: /);
  });
});

describe('parseImageTarget', () => {
  const cases: Array<[string, ImageTarget | RegExp]> = [
    ['docker-archive:out.tar', { transport: 'docker-archive', path: 'out.tar' }],
    ['docker-archive:out.tar:app', { transport: 'docker-archive', path: 'out.tar', name: 'app:latest' }],
    ['oci:dir:v1', { transport: 'oci', path: 'dir', name: 'v1' }],
    ['oci-archive:a.tar', { transport: 'oci-archive', path: 'a.tar' }],
    ['docker-daemon:registry.local/app:2', { transport: 'docker-daemon', name: 'registry.local/app:2' }],
    ['docker-daemon:app', { transport: 'docker-daemon', name: 'app:latest' }],
    [`docker-daemon:sha256:${'a'.repeat(64)}`, /by name, not by ID/],
    ['oci:dir:@0', /cannot select an image by index/],
    ['nginx:1.25', /^expected docker-archive:PATH\[:name:tag\], .* or docker-daemon:NAME, got "nginx:1.25"$/],
    ['docker://nginx', /^expected .*, got "docker:\/\/nginx"$/],
    ['./app.tar', /^expected .*, got "\.\/app\.tar"$/],
  ];
  it.each(cases)('%s', (text, expected) => {
    if (expected instanceof RegExp) expect(() => parseImageTarget(text)).toThrow(expected);
    else expect(parseImageTarget(text)).toEqual(expected);
  });

  it('lists only the transports a caller allows', () => {
    expect(() =>
      parseImageTarget('docker-daemon:app', '--output', ['docker-archive', 'oci', 'oci-archive']),
    ).toThrow(
      'expected docker-archive:PATH[:name:tag], oci:DIR[:ref] or oci-archive:PATH[:ref], got "docker-daemon:app"',
    );
  });
});
