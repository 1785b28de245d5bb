/**
 * What the image sinks (write-docker-archive.ts, write-oci-layout.ts) share:
 * the shape of an image ready to be written (config bytes and layer blobs
 * already on disk, digests known), the layer blob writer that computes the
 * blob digest and diff_id while compressing, and the OCI manifest and index.
 *
 * Sinks never write in place: they build a temporary sibling of the output
 * and rename it over, and refuse an output that is the input.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PareError } from '../../util/errors.js';
import { DigestingStream, sha256 } from '../digest.js';
import { MEDIA_TYPES, ociLayerMediaType } from '../media-types.js';
import type { Digest } from '../types.js';
import { ParallelGzip } from './parallel-gzip.js';

export type WriteCompression = 'gzip' | 'zstd' | 'none';

/**
 * zstd is written by the `zstd` program (Debian's zstd package), fed through
 * its stdin. Node 20's zlib has no zstd encoder; measured here on a 200 MB
 * layer tar at level 3: zstd CLI -T0 0.73 s, zstd-napi 1.3 s (0.64 s with 2
 * workers), gzip -6 5.1 s. zstd-napi would be as fast but is a native addon
 * whose prebuilt binaries come from GitHub, so installing pare without that
 * host compiles libzstd with node-gyp (28 s, and a C toolchain on every
 * user's machine); the CLI costs nothing to install where images are built.
 * Output does not depend on the thread count (-T0 and -T1 give the same
 * bytes), so the same input, options and zstd version give the same digests.
 */
const ZSTD_PROGRAM = 'zstd';
const DEFAULT_ZSTD_LEVEL = 3;

/** A layer blob already written to a local file. */
export interface BlobFile {
  path: string;
  digest: Digest;
  diffId: Digest;
  size: number;
  mediaType: string;
}

/** An image ready for a sink: the exact config bytes and the layer blobs, bottom to top. */
export interface ImageToWrite {
  config: Buffer;
  layers: BlobFile[];
}

export interface LayerBlobOptions {
  compression?: WriteCompression;
  /** gzip level 1-9 (default 6), or zstd level 1-19 (default 3). */
  level?: number;
  signal?: AbortSignal;
}

/**
 * Streams an uncompressed layer tar into `path`, compressing it, and returns
 * the blob's digest, size and diff_id, all measured on the bytes written.
 */
export async function writeLayerBlob(
  tar: Readable,
  path: string,
  options: LayerBlobOptions = {},
): Promise<BlobFile> {
  const compression = options.compression ?? 'gzip';
  const uncompressed = new DigestingStream();
  const stored = new DigestingStream();
  const streamOptions = options.signal ? { signal: options.signal } : {};
  if (compression === 'zstd') {
    const level = options.level ?? DEFAULT_ZSTD_LEVEL;
    checkZstdLevel(level);
    await zstdPipeline(tar, uncompressed, stored, path, level, options.signal);
  } else {
    const stages: NodeJS.ReadWriteStream[] = [uncompressed];
    if (compression === 'gzip') {
      const level = options.level ?? 6;
      checkGzipLevel(level);
      stages.push(new ParallelGzip({ level }));
    }
    stages.push(stored);
    await pipeline(
      [tar, ...stages, createWriteStream(path)] as unknown as Parameters<typeof pipeline>[0][],
      streamOptions,
    );
  }
  return {
    path,
    digest: stored.digest(),
    diffId: uncompressed.digest(),
    size: stored.bytes,
    mediaType: ociLayerMediaType(compression),
  };
}

export function checkGzipLevel(level: number): void {
  if (!Number.isInteger(level) || level < 1 || level > 9) {
    throw new PareError(`gzip level must be 1-9, got ${level}`, { subject: '--gzip-level' });
  }
}

export function checkZstdLevel(level: number): void {
  if (!Number.isInteger(level) || level < 1 || level > 19) {
    throw new PareError(`zstd level must be 1-19, got ${level}`, { subject: '--zstd-level' });
  }
}

/** tar → hash → `zstd` → hash → file. Fails with the program's own message when it fails. */
async function zstdPipeline(
  tar: Readable,
  uncompressed: DigestingStream,
  stored: DigestingStream,
  path: string,
  level: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  // -T0: all cores; --no-check is not used (the content checksum costs little and guards the blob).
  const child = spawn(ZSTD_PROGRAM, ['-q', '-c', `-${level}`, '-T0'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(signal ? { signal } : {}),
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  /** Why the program failed, when it failed on its own (not killed by us). */
  let ownFailure: Error | undefined;
  let killing = false;
  const exited = new Promise<void>((resolvePromise, reject) => {
    child.on('error', (error: NodeJS.ErrnoException) => {
      ownFailure =
        error.code === 'ENOENT'
          ? new PareError(
              `--compression zstd needs the ${ZSTD_PROGRAM} program, which is not on PATH (Debian/Ubuntu: apt-get install zstd)`,
              { subject: '--compression' },
            )
          : error;
      reject(ownFailure);
    });
    child.on('close', (code, killedBy) => {
      if (code === 0) return resolvePromise();
      const why = stderr.trim().split('\n').pop() || (killedBy ? `killed by ${killedBy}` : `exit ${code}`);
      const failure = new PareError(`${ZSTD_PROGRAM} failed: ${why}`, { subject: path });
      if (!killing) ownFailure ??= failure;
      reject(failure);
    });
  });
  const streamOptions = signal ? { signal } : {};
  const inbound = pipeline(tar, uncompressed, child.stdin, streamOptions);
  const outbound = pipeline(child.stdout, stored, createWriteStream(path), streamOptions);
  try {
    await Promise.all([exited, inbound, outbound]);
  } catch (error) {
    killing = true;
    child.kill();
    child.stdin.destroy();
    child.stdout.destroy();
    // Not awaited: thrown before the producer sees its pipe close, so callers get this reason first.
    // The program's own failure (or its absence) explains a broken pipe better than the pipe does.
    tar.destroy();
    throw ownFailure ?? error;
  }
}

export interface OciManifestBlob {
  bytes: Buffer;
  digest: Digest;
}

export function ociManifest(image: ImageToWrite): OciManifestBlob {
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: MEDIA_TYPES.ociConfig, digest: sha256(image.config), size: image.config.length },
    layers: image.layers.map((layer) => ({
      mediaType: layer.mediaType,
      digest: layer.digest,
      size: layer.size,
    })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { bytes, digest: sha256(bytes) };
}

export function ociIndex(manifest: OciManifestBlob, refName: string | undefined): Buffer {
  const descriptor: Record<string, unknown> = {
    mediaType: MEDIA_TYPES.ociManifest,
    digest: manifest.digest,
    size: manifest.bytes.length,
  };
  if (refName) descriptor.annotations = { 'org.opencontainers.image.ref.name': refName };
  return Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [descriptor] }),
  );
}

export const OCI_LAYOUT_FILE = Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }));

/**
 * Refuses to write over an input: same path, or the same file or directory
 * reached another way (symlink, hard link).
 */
export async function refuseInputPath(output: string, inputs: readonly string[]): Promise<void> {
  const target = resolve(output);
  const targetReal = await realpath(target).catch(() => target);
  const targetStat = await stat(target).catch(() => undefined);
  for (const input of inputs) {
    const source = resolve(input);
    const sourceReal = await realpath(source).catch(() => source);
    const sourceStat = await stat(source).catch(() => undefined);
    const sameInode =
      targetStat !== undefined &&
      sourceStat !== undefined &&
      targetStat.dev === sourceStat.dev &&
      targetStat.ino === sourceStat.ino;
    if (target === source || targetReal === sourceReal || sameInode) {
      throw new PareError('refusing to write the output over the input image', { subject: output });
    }
  }
}
