/**
 * `oci:DIR[:REF]`: an OCI image layout directory (oci-layout, index.json,
 * blobs/sha256/…). Blobs are read from their files in place.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeSystemError, PareError } from '../../util/errors.js';
import { digestHex } from '../digest.js';
import { parseOciLayoutFile } from '../image-json.js';
import type { ImageSelector } from '../reference.js';
import type { Digest, Image, Platform } from '../types.js';
import type { LocalBlob } from './local-blob.js';
import { type OciBlobStore, openOciImage } from './oci-image.js';

export { selectPlatform } from '../platform.js';

export interface OpenOciLayoutOptions {
  /** The reference as the user wrote it (default `oci:DIR`). */
  reference?: string;
  select?: ImageSelector;
  platform?: string | Platform;
}

export async function openOciLayout(dir: string, options: OpenOciLayoutOptions = {}): Promise<Image> {
  const reference = options.reference ?? `oci:${dir}`;
  const layoutFile = await readLayoutFile(join(dir, 'oci-layout'), reference);
  await parseOciLayoutFile(layoutFile, reference);
  const store: OciBlobStore = {
    readIndexJson: () => readLayoutFile(join(dir, 'index.json'), reference),
    locate: (digest) => locateBlob(dir, digest),
  };
  return openOciImage(store, {
    reference,
    transport: 'oci',
    ...(options.select ? { select: options.select } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
  });
}

async function readLayoutFile(path: string, reference: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const name = path.endsWith('oci-layout') ? 'oci-layout' : 'index.json';
    const problem =
      code === 'ENOENT'
        ? `not an OCI image layout (no ${name} file)`
        : `cannot read ${name}: ${describeSystemError(error)}`;
    throw new PareError(problem, { subject: reference, cause: error });
  }
}

async function locateBlob(dir: string, digest: Digest): Promise<LocalBlob | undefined> {
  const path = join(dir, 'blobs', 'sha256', digestHex(digest));
  try {
    const info = await stat(path);
    return info.isFile() ? { path, offset: 0, length: info.size } : undefined;
  } catch {
    return undefined;
  }
}
