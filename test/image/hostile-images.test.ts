/**
 * Images that lie or are broken: every case must end in a one-line PareError
 * naming the image and what is wrong (or be read correctly), never a crash or
 * a hang.
 */
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImage } from '../../src/image/open.js';
import { scanLayer } from '../../src/image/tar/layer-scan.js';
import { MAX_PATH_DEPTH } from '../../src/image/tar/tar-path.js';
import type { Image, TarEntry } from '../../src/image/types.js';
import { PareError } from '../../src/util/errors.js';
import {
  type BuiltImage,
  buildImage,
  dockerArchiveLayerPaths,
  file,
  raw,
  sha256,
  writeDockerArchive,
  writeOciLayout,
} from '../helpers/image-writer.js';
import { tarHeader, tarOf } from '../helpers/tar-writer.js';

let work: string;
let counter = 0;
const fresh = async () => {
  const path = join(work, String(counter++));
  await mkdir(path, { recursive: true });
  return path;
};
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pare-hostile-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function scanAll(image: Image, options: { verify?: boolean; maxUncompressedBytes?: number } = {}) {
  const entries: TarEntry[] = [];
  for (const layer of await image.layers())
    await scanLayer(layer, (entry) => void entries.push(entry), options);
  return entries;
}

/** Resolves to the PareError the action fails with (failing the test if it succeeds or throws anything else). */
async function pareError(action: () => Promise<unknown>): Promise<PareError> {
  const error = await action().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PareError);
  expect((error as PareError).exitCode).toBe(2);
  expect((error as PareError).line).not.toContain('\n');
  return error as PareError;
}

const hex = (digest: string) => digest.slice(7);

/** Rebuilds config and manifest after changing them, as a dishonest or buggy tool would. */
function tampered(
  built: BuiltImage,
  change: {
    config?: (config: Record<string, unknown>) => void;
    manifest?: (manifest: Record<string, unknown>) => void;
  },
): BuiltImage {
  const config = JSON.parse(built.config.toString());
  change.config?.(config);
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest = JSON.parse(built.manifest.toString());
  manifest.config.digest = sha256(configBytes);
  manifest.config.size = configBytes.length;
  change.manifest?.(manifest);
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return {
    ...built,
    config: configBytes,
    configDigest: sha256(configBytes),
    manifest: manifestBytes,
    manifestDigest: sha256(manifestBytes),
  };
}

const base = () =>
  buildImage({
    tags: ['hostile:1'],
    layers: [
      { entries: [file('etc/a', 'a'.repeat(3000))] },
      { entries: [file('etc/b', 'b'.repeat(5000)), file('etc/c', 'c')], compression: 'gzip' },
    ],
  });

describe('wrong digests', () => {
  it('a layer blob that does not match its manifest digest', async () => {
    const built = base();
    const layout = await writeOciLayout(join(await fresh(), 'layout'), [built]);
    const blobPath = join(layout, 'blobs/sha256', hex(built.layers[0]!.digest));
    const bytes = await readFile(blobPath);
    bytes[600] = bytes[600]! ^ 1; // flip one bit inside etc/a's contents: same size, valid tar
    await writeFile(blobPath, bytes);
    const image = await openImage(`oci:${layout}`);
    const error = await pareError(() => scanAll(image));
    expect(error.line).toMatch(
      /^oci:.* layer 0 sha256:[a-f0-9]{12}…: uncompressed layer does not match its diff_id sha256:[a-f0-9]{12}… \(got sha256:/,
    );
    // --no-verify does not hash, so the same image reads.
    expect((await scanAll(image, { verify: false })).map((entry) => entry.path)).toEqual([
      'etc/a',
      'etc/b',
      'etc/c',
    ]);
  });

  it('a gzip layer whose blob digest is wrong in the manifest', async () => {
    const built = tampered(base(), {
      manifest: (manifest) => {
        const layers = manifest.layers as Array<{ digest: string }>;
        layers[1]!.digest = sha256('something else');
      },
    });
    const dir = await fresh();
    const layout = await writeOciLayout(join(dir, 'layout'), [built]);
    // Put the real blob where the lying manifest says it is.
    await writeFile(join(layout, 'blobs/sha256', hex(sha256('something else'))), built.layers[1]!.blob);
    const image = await openImage(`oci:${layout}`);
    const error = await pareError(() => scanAll(image));
    expect(error.line).toMatch(
      /layer 1 sha256:[a-f0-9]{12}…: blob sha256:[a-f0-9]{12}… does not match its digest \(got/,
    );
  });

  it.each(['legacy', 'oci'] as const)(
    'docker-archive (%s): a diff_id that does not match the layer',
    async (layout) => {
      const built = tampered(base(), {
        config: (config) => {
          (config.rootfs as { diff_ids: string[] }).diff_ids[1] = sha256('not this layer');
        },
      });
      const path = await writeDockerArchive(join(await fresh(), 'a.tar'), [built], { layout });
      const error = await pareError(async () => scanAll(await openImage(`docker-archive:${path}`)));
      expect(error.line).toMatch(/layer 1 .*: uncompressed layer does not match its diff_id sha256:/);
    },
  );

  it('docker-archive: a config whose name is not its digest', async () => {
    const built = base();
    const liar = `${hex(sha256('x'))}.json`;
    const path = await writeDockerArchive(join(await fresh(), 'a.tar'), [built], {
      manifestJson: [
        { Config: liar, RepoTags: ['hostile:1'], Layers: dockerArchiveLayerPaths(built, 'legacy') },
      ],
      rename: { [`${hex(built.configDigest)}.json`]: liar },
    });
    const error = await pareError(() => openImage(`docker-archive:${path}`));
    expect(error.line).toMatch(/config .*\.json: blob sha256:[a-f0-9]{12}… does not match its digest/);
  });

  it('oci: a manifest blob that does not match index.json', async () => {
    const built = base();
    const layout = await writeOciLayout(join(await fresh(), 'layout'), [built]);
    await writeFile(
      join(layout, 'blobs/sha256', hex(built.manifestDigest)),
      // Same length, different bytes: the digest, not the size, gives it away.
      built.manifest.toString().replace('"schemaVersion":2', '"schemaVersion":3'),
    );
    const error = await pareError(() => openImage(`oci:${layout}`));
    expect(error.line).toMatch(
      /manifest sha256:[a-f0-9]{12}…: blob sha256:[a-f0-9]{12}… does not match its digest/,
    );
  });

  it('oci: a manifest whose size differs from its index.json descriptor', async () => {
    const built = base();
    const layout = await writeOciLayout(join(await fresh(), 'layout'), [built]);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
    index.manifests[0].size -= 1;
    await writeFile(join(layout, 'index.json'), JSON.stringify(index));
    const error = await pareError(() => openImage(`oci:${layout}`));
    expect(error.message).toBe(
      `manifest ${built.manifestDigest.slice(0, 19)}… is ${built.manifest.length} bytes but its descriptor says ${built.manifest.length - 1}`,
    );
  });

  it('a config whose size differs from its manifest descriptor', async () => {
    const built = tampered(base(), {
      manifest: (manifest) => {
        (manifest.config as { size: number }).size += 100;
      },
    });
    const layout = await writeOciLayout(join(await fresh(), 'layout'), [built]);
    const error = await pareError(async () => (await openImage(`oci:${layout}`)).config());
    expect(error.message).toBe(
      `config blob is ${built.config.length} bytes but the manifest says ${built.config.length + 100}`,
    );
  });

  it('a layer count that disagrees with diff_ids', async () => {
    const built = tampered(base(), {
      config: (config) => {
        (config.rootfs as { diff_ids: string[] }).diff_ids.pop();
      },
    });
    const layout = await writeOciLayout(join(await fresh(), 'layout'), [built]);
    const image = await openImage(`oci:${layout}`);
    const error = await pareError(() => image.layers());
    expect(error.message).toBe("manifest lists 2 layers but the config's rootfs.diff_ids lists 1");
  });
});

describe('missing and broken blobs', () => {
  it('a manifest naming a missing layer blob', async () => {
    const built = base();
    const layout = await writeOciLayout(join(await fresh(), 'layout'), [built], {
      omitBlobs: [hex(built.layers[1]!.digest)],
    });
    const image = await openImage(`oci:${layout}`);
    const error = await pareError(() => image.layers());
    expect(error.line).toMatch(
      /^oci:.*: the manifest names layer 1 blob sha256:[a-f0-9]{12}…, which is missing$/,
    );
  });

  it('a missing config or manifest blob', async () => {
    const built = base();
    const noConfig = await writeOciLayout(join(await fresh(), 'layout'), [built], {
      omitBlobs: [hex(built.configDigest)],
    });
    await expect((await openImage(`oci:${noConfig}`)).config()).rejects.toThrow(
      /names config blob .* which is missing/,
    );
    const noManifest = await writeOciLayout(join(await fresh(), 'layout'), [built], {
      omitBlobs: [hex(built.manifestDigest)],
    });
    await expect(openImage(`oci:${noManifest}`)).rejects.toThrow(
      /index.json names manifest sha256:.* which is missing/,
    );
  });

  it('docker-archive: manifest.json naming a layer the archive lacks', async () => {
    const built = base();
    const paths = dockerArchiveLayerPaths(built, 'legacy');
    const path = await writeDockerArchive(join(await fresh(), 'a.tar'), [built], { omit: [paths[1]!] });
    const error = await pareError(() => openImage(`docker-archive:${path}`));
    expect(error.message).toBe(`manifest.json names layer ${paths[1]}, which is not in the archive`);
  });

  it('a corrupted gzip layer', async () => {
    const built = base();
    const layout = await writeOciLayout(join(await fresh(), 'layout'), [built]);
    const blobPath = join(layout, 'blobs/sha256', hex(built.layers[1]!.digest));
    const bytes = await readFile(blobPath);
    bytes.fill(0xaa, 12, 40);
    await writeFile(blobPath, bytes);
    const image = await openImage(`oci:${layout}`);
    const error = await pareError(() => scanAll(image));
    // Either the codec notices first, or the inflated garbage breaks the tar and the blob digest explains why.
    expect(error.line).toMatch(
      /layer 1 sha256:[a-f0-9]{12}…: (corrupt gzip data \(|blob sha256:\S+ does not match its digest)/,
    );
    await pareError(() => scanAll(image, { verify: false }));
  });

  it('a truncated layer blob', async () => {
    const built = base();
    const layout = await writeOciLayout(join(await fresh(), 'layout'), [built]);
    await truncate(join(layout, 'blobs/sha256', hex(built.layers[1]!.digest)), 50);
    const image = await openImage(`oci:${layout}`);
    const error = await pareError(() => image.layers());
    expect(error.message).toMatch(/^blob is 50 bytes but the manifest says \d+$/);
  });

  it('a truncated uncompressed layer in a docker-archive, read without verification', async () => {
    const built = buildImage({
      layers: [{ entries: [raw(tarOf([{ name: 'big', data: Buffer.alloc(5000) }]).subarray(0, 2560))] }],
    });
    const path = await writeDockerArchive(join(await fresh(), 'a.tar'), [built]);
    const image = await openImage(`docker-archive:${path}`);
    const error = await pareError(() => scanAll(image, { verify: false }));
    expect(error.line).toMatch(
      /layer 0 .*: truncated tar: entry "big" \(5000 bytes\) extends 1928 bytes past the end/,
    );
  });

  it('a layer whose media type says gzip but is a plain tar', async () => {
    const built = tampered(base(), {
      manifest: (manifest) => {
        (manifest.layers as Array<{ mediaType: string }>)[0]!.mediaType =
          'application/vnd.oci.image.layer.v1.tar+gzip';
      },
    });
    const layout = await writeOciLayout(join(await fresh(), 'layout'), [built]);
    const error = await pareError(async () => (await openImage(`oci:${layout}`)).layers());
    expect(error.message).toMatch(/says gzip but the blob's first bytes are an uncompressed tar/);
  });

  it('a gzip bomb stops at the configured limit', async () => {
    const built = buildImage({
      layers: [{ entries: [file('zeros', Buffer.alloc(8 * 1024 * 1024))], compression: 'gzip' }],
    });
    expect(built.layers[0]!.blob.length).toBeLessThan(16 * 1024);
    const layout = await writeOciLayout(join(await fresh(), 'layout'), [built]);
    const image = await openImage(`oci:${layout}`);
    const error = await pareError(() => scanAll(image, { maxUncompressedBytes: 1024 * 1024 }));
    expect(error.message).toBe('gzip data expands past the 1048576-byte limit (possible decompression bomb)');
  });

  it('a corrupt tar header inside a verified layer is reported as the digest mismatch it is', async () => {
    const built = base();
    const layout = await writeOciLayout(join(await fresh(), 'layout'), [built]);
    const blobPath = join(layout, 'blobs/sha256', hex(built.layers[0]!.digest));
    const bytes = await readFile(blobPath);
    bytes[10] = bytes[10]! ^ 0x20; // inside the first header's name: checksum now wrong
    await writeFile(blobPath, bytes);
    const image = await openImage(`oci:${layout}`);
    expect((await pareError(() => scanAll(image))).message).toMatch(/does not match its diff_id/);
    expect((await pareError(() => scanAll(image, { verify: false }))).message).toMatch(
      /header checksum mismatch/,
    );
  });
});

describe('hostile layer contents', () => {
  const hostile = (entries: Parameters<typeof tarOf>[0]) =>
    buildImage({ layers: [{ entries: [raw(tarOf(entries).subarray(0, -1024))] }] });

  it('../ entries are refused with the layer named', async () => {
    const built = hostile([{ name: '../../../etc/cron.d/evil', data: Buffer.from('* * * * * root sh') }]);
    const path = await writeDockerArchive(join(await fresh(), 'a.tar'), [built]);
    const error = await pareError(async () => scanAll(await openImage(`docker-archive:${path}`)));
    expect(error.line).toMatch(
      /layer 0 .*: entry "\.\.\/\.\.\/\.\.\/etc\/cron.d\/evil" climbs out of the image root/,
    );
  });

  it('absolute paths and symlinks out of the tree are read as data', async () => {
    const built = hostile([
      { name: '/etc/passwd', data: Buffer.from('x') },
      { name: 'escape', type: '2', linkname: '../../../../../etc/shadow' },
    ]);
    const path = await writeDockerArchive(join(await fresh(), 'a.tar'), [built]);
    const entries = await scanAll(await openImage(`docker-archive:${path}`));
    expect(entries.map((entry) => [entry.path, entry.linkname])).toEqual([
      ['etc/passwd', undefined],
      ['escape', '../../../../../etc/shadow'],
    ]);
  });

  it('an enormous size field in a layer is an error, not a hang', async () => {
    const huge = Buffer.alloc(12, 0xff);
    huge[0] = 0x80;
    const built = buildImage({ layers: [{ entries: [raw(tarHeader({ name: 'huge', sizeField: huge }))] }] });
    const path = await writeDockerArchive(join(await fresh(), 'a.tar'), [built]);
    const image = await openImage(`docker-archive:${path}`);
    expect((await pareError(() => scanAll(image))).message).toMatch(/size field is too large/);
    expect((await pareError(() => scanAll(image, { verify: false }))).message).toMatch(
      /size field is too large/,
    );
  });

  it('deeply nested paths and duplicate entries are read', async () => {
    const deep = `${Array.from({ length: MAX_PATH_DEPTH - 1 }, (_, i) => `n${i % 10}`).join('/')}/leaf`;
    const built = buildImage({
      layers: [
        { entries: [file(deep, 'deep', { longNames: 'pax' }), file('dup', 'one'), file('dup', 'two')] },
      ],
    });
    const path = await writeDockerArchive(join(await fresh(), 'a.tar'), [built]);
    const entries = await scanAll(await openImage(`docker-archive:${path}`));
    expect(entries.map((entry) => entry.path)).toEqual([deep, 'dup', 'dup']);
  });
});
