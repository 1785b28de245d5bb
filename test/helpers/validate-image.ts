/**
 * A conformance check every image source must pass, after
 * go-containerregistry's validate.Image: the manifest, config, layers and
 * their streams agree with each other, digests are what they claim, and the
 * verified and unverified read paths see the same entries. Returns a summary
 * that tests compare across sources.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { expect } from 'vitest';
import { scanLayer } from '../../src/image/tar/layer-scan.js';
import type { Compression, Digest, Image, TarEntry } from '../../src/image/types.js';

export interface LayerSummary {
  digest: Digest;
  diffId: Digest;
  size: number;
  compression: Compression;
  entries: TarEntry[];
}

export interface ImageSummary {
  configDigest: Digest;
  diffIds: Digest[];
  layers: LayerSummary[];
}

async function hashStream(stream: Readable): Promise<{ digest: Digest; length: number }> {
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    length += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, length };
}

async function entriesOf(image: Image, index: number, verify: boolean): Promise<TarEntry[]> {
  const layer = (await image.layers())[index]!;
  const entries: TarEntry[] = [];
  await scanLayer(layer, (entry) => void entries.push(entry), { verify });
  return entries;
}

export async function validateImage(image: Image): Promise<ImageSummary> {
  const manifest = await image.manifest();
  const configDigest = await image.configDigest();
  expect(manifest.config.digest).toBe(configDigest);
  const config = await image.config();
  const layers = await image.layers();
  expect(layers.length).toBe(manifest.layers.length);
  expect(config.rootfs.diff_ids.length).toBe(layers.length);
  if (config.history) {
    expect(config.history.filter((entry) => !entry.empty_layer).length).toBe(layers.length);
  }

  const summaries: LayerSummary[] = [];
  for (const [index, layer] of layers.entries()) {
    const descriptor = manifest.layers[index]!;
    expect(layer.digest).toBe(descriptor.digest);
    expect(layer.size).toBe(descriptor.size);
    expect(layer.mediaType).toBe(descriptor.mediaType);
    expect(layer.diffId).toBe(config.rootfs.diff_ids[index]);

    const stored = await hashStream(await layer.compressed());
    expect(stored).toEqual({ digest: layer.digest, length: layer.size });
    const tar = await hashStream(await layer.uncompressed());
    expect(tar.digest).toBe(layer.diffId);
    const unverified = await hashStream(await layer.uncompressed({ verify: false }));
    expect(unverified).toEqual(tar);

    const verifiedEntries = await entriesOf(image, index, true);
    expect(await entriesOf(image, index, false)).toEqual(verifiedEntries);
    summaries.push({
      digest: layer.digest,
      diffId: layer.diffId,
      size: layer.size,
      compression: layer.compression,
      entries: verifiedEntries,
    });
  }
  return { configDigest, diffIds: config.rootfs.diff_ids, layers: summaries };
}
