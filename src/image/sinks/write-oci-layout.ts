/**
 * Sinks for OCI image layouts: `oci:DIR[:ref]` (a directory) and
 * `oci-archive:PATH[:ref]` (the same layout as a tar). Both are built beside
 * the output under a temporary name and renamed into place; an existing
 * output is replaced only when it is not the input (refuseInputPath).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { type CleanupHandle, removeOnExit } from '../../engine/cleanup.js';
import { PareError } from '../../util/errors.js';
import { digestHex, sha256 } from '../digest.js';
import { type ImageToWrite, OCI_LAYOUT_FILE, ociIndex, ociManifest } from './write-common.js';

export interface WriteLayoutOptions {
  /** org.opencontainers.image.ref.name of the manifest in index.json. */
  refName?: string;
}

function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.pare-${randomBytes(6).toString('hex')}.tmp`);
}

/** Registers a half-written output so Ctrl-C removes it; release it once renamed into place. */
function registerTemp(path: string): CleanupHandle {
  return removeOnExit(path, 'partial output');
}

/** Writes an OCI layout directory at `dir` (replacing an existing one atomically enough: rename). */
export async function writeOciLayout(
  dir: string,
  image: ImageToWrite,
  options: WriteLayoutOptions = {},
): Promise<void> {
  const temp = tempSibling(dir);
  const handle = registerTemp(temp);
  try {
    const blobs = join(temp, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    const manifest = ociManifest(image);
    await writeFile(join(blobs, digestHex(sha256(image.config))), image.config);
    await writeFile(join(blobs, digestHex(manifest.digest)), manifest.bytes);
    for (const layer of image.layers) await copyFile(layer.path, join(blobs, digestHex(layer.digest)));
    await writeFile(join(temp, 'oci-layout'), OCI_LAYOUT_FILE);
    await writeFile(join(temp, 'index.json'), ociIndex(manifest, options.refName));
    const existing = await stat(dir).catch(() => undefined);
    if (existing && !existing.isDirectory()) {
      throw new PareError('exists and is not a directory', { subject: dir });
    }
    if (existing) {
      const old = tempSibling(dir);
      await rename(dir, old);
      await rename(temp, dir);
      handle.release();
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temp, dir);
      handle.release();
    }
  } catch (error) {
    await handle.runNow();
    throw error;
  }
}

export interface ArchiveMember {
  name: string;
  data?: Buffer;
  file?: { path: string; size: number };
}

/** Writes a tar of `members` to `path` via a temporary sibling and rename. */
export async function writeTarAtomic(path: string, members: ArchiveMember[]): Promise<void> {
  const temp = tempSibling(path);
  const handle = registerTemp(temp);
  try {
    // Opened before packing, so an unwritable or full location fails here, not mid-stream.
    const file = await open(temp, 'w');
    const pack = tarStream.pack();
    const out = pipeline(pack, file.createWriteStream());
    // Awaited after the entries; until then a write error must not surface as an unhandled rejection.
    out.catch(() => undefined);
    const dirs = new Set<string>();
    for (const member of members) {
      const parts = member.name.split('/');
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        if (dirs.has(dir)) continue;
        dirs.add(dir);
        await entry(pack, { name: dir, type: 'directory', mode: 0o755, mtime: new Date(0) });
      }
      if (member.data) {
        await entry(
          pack,
          { name: member.name, mode: 0o644, mtime: new Date(0), size: member.data.length },
          member.data,
        );
      } else if (member.file) {
        await entry(
          pack,
          { name: member.name, mode: 0o644, mtime: new Date(0), size: member.file.size },
          member.file.path,
        );
      }
    }
    pack.finalize();
    await out;
    await rename(temp, path);
    handle.release();
  } catch (error) {
    await handle.runNow();
    throw error;
  }
}

function entry(
  pack: tarStream.Pack,
  partial: Partial<tarStream.Header>,
  body?: Buffer | string,
): Promise<void> {
  const header = { type: 'file', uid: 0, gid: 0, ...partial } as tarStream.Header;
  return new Promise((resolvePromise, reject) => {
    if (body === undefined || Buffer.isBuffer(body)) {
      pack.entry(header, body ?? Buffer.alloc(0), (error) => (error ? reject(error) : resolvePromise()));
      return;
    }
    const sink = pack.entry(header, (error) => (error ? reject(error) : resolvePromise()));
    pipeline(createReadStream(body), sink).catch(reject);
  });
}

/** The OCI layout as tar members (oci-layout, index.json, blobs). */
export function ociLayoutMembers(image: ImageToWrite, refName?: string): ArchiveMember[] {
  const manifest = ociManifest(image);
  return [
    { name: 'oci-layout', data: OCI_LAYOUT_FILE },
    { name: 'index.json', data: ociIndex(manifest, refName) },
    { name: `blobs/sha256/${digestHex(sha256(image.config))}`, data: image.config },
    { name: `blobs/sha256/${digestHex(manifest.digest)}`, data: manifest.bytes },
    ...image.layers.map((layer) => ({
      name: `blobs/sha256/${digestHex(layer.digest)}`,
      file: { path: layer.path, size: layer.size },
    })),
  ];
}

export async function writeOciArchive(
  path: string,
  image: ImageToWrite,
  options: WriteLayoutOptions = {},
): Promise<void> {
  await writeTarAtomic(path, dedupe(ociLayoutMembers(image, options.refName)));
}

/** Two layers with the same bytes are one blob. */
export function dedupe(members: ArchiveMember[]): ArchiveMember[] {
  const seen = new Set<string>();
  return members.filter((member) => {
    if (seen.has(member.name)) return false;
    seen.add(member.name);
    return true;
  });
}
