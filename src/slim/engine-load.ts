/**
 * Puts an Image into the local engine so it can be run, through the engine's
 * load().
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Engine } from '../engine/engine.js';
import { sha256 } from '../image/digest.js';
import type { BlobFile } from '../image/sinks/write-common.js';
import { writeDockerArchive } from '../image/sinks/write-docker-archive.js';
import type { Image } from '../image/types.js';
import { PareError } from '../util/errors.js';

/**
 * Loads any Image (an OCI layout, an OCI archive, a registry image) into the
 * engine so it can be run: its stored layer blobs are copied into a
 * docker-archive under `workDir` and loaded. Returns the image ID to run.
 * The config is re-serialised, so the ID is that of the loaded copy, not the
 * source's config digest; what runs is the same filesystem and config.
 */
export async function loadImageIntoEngine(
  engine: Engine,
  image: Image,
  workDir: string,
  signal?: AbortSignal,
): Promise<string> {
  const layers = await image.layers();
  const zstd = layers.find((layer) => layer.compression === 'zstd');
  if (zstd) {
    throw new PareError(
      'the image has zstd layers, which Docker 20.10 cannot load; the engine must run the image for this (load a gzip copy first)',
      { subject: image.reference },
    );
  }
  const dir = join(workDir, 'original');
  await mkdir(dir, { recursive: true });
  const blobs: BlobFile[] = [];
  for (const [index, layer] of layers.entries()) {
    const path = join(dir, `layer-${index}`);
    await pipeline(await layer.compressed(signal ? { signal } : {}), createWriteStream(path));
    blobs.push({
      path,
      digest: layer.digest,
      diffId: layer.diffId,
      size: layer.size,
      mediaType: layer.mediaType,
    });
  }
  const config = Buffer.from(JSON.stringify(await image.config()));
  const archive = join(dir, 'image.tar');
  await writeDockerArchive(archive, { config, layers: blobs });
  await engine.load(archive, signal ? { signal } : {});
  await rm(dir, { recursive: true, force: true });
  return sha256(config);
}
