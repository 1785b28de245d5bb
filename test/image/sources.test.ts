import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectPlatform } from '../../src/image/local/oci-layout.js';
import { openImage } from '../../src/image/open.js';
import { scanLayer, scanLayers } from '../../src/image/tar/layer-scan.js';
import type { Image, Platform, TarEntry } from '../../src/image/types.js';
import {
  type BuiltImage,
  buildImage,
  file,
  type ImageSpec,
  writeDockerArchive,
  writeOciArchive,
  writeOciLayout,
} from '../helpers/image-writer.js';

let work: string;
let counter = 0;
const fresh = async (name: string) => {
  const path = join(work, `${counter++}-${name}`);
  await mkdir(path, { recursive: true });
  return path;
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pare-sources-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const simple = (marker: string, extra: Partial<ImageSpec> = {}): BuiltImage =>
  buildImage({
    layers: [{ entries: [file('base', 'base')] }, { entries: [file('marker', marker)], compression: 'gzip' }],
    ...extra,
  });

async function markerOf(image: Image): Promise<string> {
  const layers = await image.layers();
  let marker = '';
  await scanLayer(layers.at(-1)!, (entry) => {
    if (entry.path !== 'marker') return;
    return {
      write: (chunk) => {
        marker += chunk.toString();
      },
      end() {},
    };
  });
  await image.close();
  return marker;
}

describe('docker-archive', () => {
  const app1 = simple('one', { tags: ['app:1', 'app:latest'] });
  const app2 = simple('two', { tags: ['ghcr.io/o/app:2'] });

  it.each(['legacy', 'oci'] as const)(
    '%s layout: selects an image by name:tag or position',
    async (layout) => {
      const path = await writeDockerArchive(join(await fresh('multi'), 'a.tar'), [app1, app2], { layout });
      expect(await markerOf(await openImage(`docker-archive:${path}:app:1`))).toBe('one');
      expect(await markerOf(await openImage(`docker-archive:${path}:docker.io/library/app`))).toBe('one');
      expect(await markerOf(await openImage(`docker-archive:${path}:ghcr.io/o/app:2`))).toBe('two');
      expect(await markerOf(await openImage(`docker-archive:${path}:@1`))).toBe('two');
      await expect(openImage(`docker-archive:${path}`)).rejects.toThrow(
        /holds 2 images; choose one as docker-archive:PATH:NAME:TAG .*it has: app:1, app:latest \(@0\); ghcr.io\/o\/app:2 \(@1\)/,
      );
      await expect(openImage(`docker-archive:${path}:app:3`)).rejects.toThrow(
        /no image tagged app:3 \(it has: app:1/,
      );
      await expect(openImage(`docker-archive:${path}:@5`)).rejects.toThrow(
        /there is no image @5; the archive has 2/,
      );
    },
  );

  it('legacy: a layer shared by two images is a symlink to the first copy', async () => {
    const shared = { entries: [file('shared', 'same bytes')] };
    const a = buildImage({ tags: ['a:1'], layers: [{ entries: [file('a', 'a')] }, shared] });
    const b = buildImage({ tags: ['b:1'], layers: [{ entries: [file('b', 'b')] }, shared] });
    const path = await writeDockerArchive(join(await fresh('shared'), 's.tar'), [a, b], { layout: 'legacy' });
    const image = await openImage(`docker-archive:${path}:b:1`);
    const entries: string[] = [];
    await scanLayer((await image.layers())[1]!, (entry) => void entries.push(entry.path));
    expect(entries).toEqual(['shared']);
  });

  it('legacy: falls back to the repositories file when RepoTags is missing', async () => {
    const image = simple('repo', { tags: ['old:1'] });
    const dir = await fresh('repositories');
    const manifestJson = [
      { Config: `${image.configDigest.slice(7)}.json`, RepoTags: null, Layers: [] as string[] },
    ];
    // Real layer paths, as the writer names them.
    const { dockerArchiveLayerPaths } = await import('../helpers/image-writer.js');
    manifestJson[0]!.Layers = dockerArchiveLayerPaths(image, 'legacy');
    const path = await writeDockerArchive(join(dir, 'r.tar'), [image], { layout: 'legacy', manifestJson });
    expect(await markerOf(await openImage(`docker-archive:${path}:old:1`))).toBe('repo');
  });

  it('explains archives it cannot read', async () => {
    const dir = await fresh('bad');
    const image = simple('x', { tags: ['x:1'] });
    const legacy = await writeDockerArchive(join(dir, 'old.tar'), [image], { omit: ['manifest.json'] });
    await expect(openImage(`docker-archive:${legacy}`)).rejects.toThrow(/pre-Docker-1.10 archive/);

    const oci = await writeOciArchive(join(dir, 'oci.tar'), [image]);
    await expect(openImage(`docker-archive:${oci}`)).rejects.toThrow(/open it as oci-archive:PATH/);

    const { dockerArchiveBytes } = await import('../helpers/image-writer.js');
    const gz = join(dir, 'saved.tar.gz');
    await writeFile(gz, gzipSync(dockerArchiveBytes([image])));
    await expect(openImage(`docker-archive:${gz}`)).rejects.toThrow(
      /the archive is gzip-compressed; pare reads archives in place, so decompress it first/,
    );

    const notTar = join(dir, 'notes.txt');
    await writeFile(notTar, 'hello world\n'.repeat(100));
    await expect(openImage(`docker-archive:${notTar}`)).rejects.toThrow(/not a tar archive/);

    await expect(openImage(`docker-archive:${join(dir, 'missing.tar')}`)).rejects.toMatchObject({
      line: expect.stringMatching(/^docker-archive:.*missing.tar: no such file or directory$/),
      exitCode: 2,
    });
    await expect(openImage(`docker-archive:${dir}`)).rejects.toThrow(/not a regular file/);
  });
});

describe('oci layout and archive', () => {
  const amd64 = simple('amd64', { platform: { os: 'linux', architecture: 'amd64' } });
  const arm64 = simple('arm64', { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });

  it.each(['oci', 'oci-archive'] as const)(
    '%s: picks the platform from a nested index',
    async (transport) => {
      const dir = await fresh('multiarch');
      const target =
        transport === 'oci'
          ? await writeOciLayout(join(dir, 'layout'), [amd64, arm64], {
              nestedIndex: true,
              indexRef: 'multi',
            })
          : await writeOciArchive(join(dir, 'multi.tar'), [amd64, arm64], {
              nestedIndex: true,
              indexRef: 'multi',
            });
      expect(await markerOf(await openImage(`${transport}:${target}`))).toBe('amd64');
      expect(
        await markerOf(await openImage(`${transport}:${target}:multi`, { platform: 'linux/arm64' })),
      ).toBe('arm64');
      expect(await markerOf(await openImage(`${transport}:${target}`, { platform: 'linux/arm64/v8' }))).toBe(
        'arm64',
      );
      await expect(openImage(`${transport}:${target}`, { platform: 'linux/s390x' })).rejects.toThrow(
        /no image for platform linux\/s390x \(the index has: linux\/amd64, linux\/arm64\/v8\)/,
      );
      await expect(openImage(`${transport}:${target}`, { platform: 'linux' })).rejects.toThrow(
        /invalid platform "linux"/,
      );
    },
  );

  it.each(['oci', 'oci-archive'] as const)(
    '%s: selects by ref name, digest or position',
    async (transport) => {
      const one = simple('one', { tags: ['v1'] });
      const two = simple('two', { tags: ['v2', 'docker.io/library/app:2'] });
      const dir = await fresh('refs');
      const target =
        transport === 'oci'
          ? await writeOciLayout(join(dir, 'layout'), [one, two])
          : await writeOciArchive(join(dir, 'refs.tar'), [one, two]);
      expect(await markerOf(await openImage(`${transport}:${target}:v2`))).toBe('two');
      expect(await markerOf(await openImage(`${transport}:${target}:app:2`))).toBe('two');
      expect(await markerOf(await openImage(`${transport}:${target}:@0`))).toBe('one');
      expect(await markerOf(await openImage(`${transport}:${target}:${one.manifestDigest}`))).toBe('one');
      await expect(openImage(`${transport}:${target}`)).rejects.toThrow(
        new RegExp(`holds 3 images; choose one as ${transport}:PATH:REF .*v1 \\(@0\\), v2 \\(@1\\)`),
      );
      await expect(openImage(`${transport}:${target}:v9`)).rejects.toThrow(/no image named "v9"/);
    },
  );

  it('explains directories that are not layouts', async () => {
    const dir = await fresh('empty');
    await expect(openImage(`oci:${dir}`)).rejects.toThrow(/not an OCI image layout \(no oci-layout file\)/);
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await expect(openImage(`oci:${dir}`)).rejects.toThrow(/not an OCI image layout \(no index.json file\)/);
    await writeFile(join(dir, 'index.json'), '{"schemaVersion":2,"manifests":[{"digest":"nope"}]}');
    await expect(openImage(`oci:${dir}`)).rejects.toThrow(/index.json: manifests\[0\]\.mediaType: /);
  });

  it('selectPlatform prefers the default variant and takes a lone unlabelled manifest', () => {
    const items = [
      { platform: { os: 'linux', architecture: 'arm', variant: 'v6' }, name: 'v6' },
      { platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, name: 'v7' },
      { platform: { os: 'linux', architecture: 'amd64' }, name: 'amd64' },
    ];
    expect(selectPlatform(items, 'linux/arm', 's').name).toBe('v7');
    expect(selectPlatform(items, 'linux/arm/v6', 's').name).toBe('v6');
    expect(selectPlatform(items, undefined, 's').name).toBe('amd64');
    expect(selectPlatform(items, { os: 'linux', architecture: 'x86_64' }, 's').name).toBe('amd64');
    const lone: Array<{ name: string; platform?: Platform }> = [{ name: 'only' }];
    expect(selectPlatform(lone, 'linux/arm64', 's').name).toBe('only');
  });
});

describe('bare paths', () => {
  it('opens a docker-archive, an oci-archive and a layout directory from a plain path', async () => {
    const image = simple('plain', { tags: ['p:1'] });
    const dir = await fresh('plain');
    const docker = await writeDockerArchive(join(dir, 'docker.tar'), [image]);
    const oci = await writeOciArchive(join(dir, 'oci.tar'), [image]);
    const layout = await writeOciLayout(join(dir, 'layout'), [image]);
    for (const path of [docker, oci, layout]) {
      const opened = await openImage(path);
      expect(opened.reference).toBe(path);
      expect(await opened.configDigest()).toBe(image.configDigest);
      await opened.close();
    }
    await expect(openImage(dir)).rejects.toThrow(/is a directory but not an OCI image layout/);
    await expect(openImage(join(dir, 'nope.tar'))).rejects.toMatchObject({
      line: expect.stringMatching(/nope.tar: no such file or directory$/),
    });
    const other = join(dir, 'other.tar');
    const { tarOf } = await import('../helpers/tar-writer.js');
    await writeFile(other, tarOf([{ name: 'README', data: Buffer.from('hi') }]));
    await expect(openImage(other)).rejects.toThrow(/is neither a docker-archive .* nor an OCI archive/);
  });
});

describe('scanLayers', () => {
  it('scans layers concurrently with the same results as one by one', async () => {
    const image = buildImage({
      layers: Array.from({ length: 5 }, (_, index) => ({
        entries: [file(`layer${index}/a`, 'x'.repeat(index * 1000)), file(`layer${index}/b`, 'y')],
        compression: index % 2 ? ('gzip' as const) : ('none' as const),
      })),
    });
    const layout = await writeOciLayout(join(await fresh('concurrent'), 'layout'), [image]);
    const opened = await openImage(`oci:${layout}`);
    const layers = await opened.layers();
    const run = async (concurrency: number, verify: boolean) => {
      const seen: TarEntry[][] = layers.map(() => []);
      const summaries = await scanLayers(
        layers,
        (_layer, index) => (entry) => void seen[index]!.push(entry),
        {
          concurrency,
          verify,
        },
      );
      return { seen, summaries };
    };
    const serial = await run(1, true);
    expect(await run(3, true)).toEqual(serial);
    expect(await run(2, false)).toEqual(serial);
    expect(serial.summaries.map((summary) => summary.entries)).toEqual([2, 2, 2, 2, 2]);
  });

  it('stops at the first failing layer and reports its error', async () => {
    const image = buildImage({
      layers: Array.from({ length: 4 }, (_, index) => ({
        entries: [file(`f${index}`, 'x'.repeat(100_000))],
      })),
    });
    const layout = await writeOciLayout(join(await fresh('failing'), 'layout'), [image]);
    await writeFile(
      join(layout, 'blobs/sha256', image.layers[2]!.digest.slice(7)),
      Buffer.alloc(image.layers[2]!.blob.length),
    );
    const layers = await (await openImage(`oci:${layout}`)).layers();
    await expect(scanLayers(layers, () => () => {}, { concurrency: 2 })).rejects.toMatchObject({
      line: expect.stringMatching(
        /layer 2 sha256:[a-f0-9]{12}…: uncompressed layer does not match its diff_id/,
      ),
    });
    const controller = new AbortController();
    controller.abort();
    await expect(scanLayers(layers, () => () => {}, { signal: controller.signal })).rejects.toThrow(/abort/i);
  });
});
