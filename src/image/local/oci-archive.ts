/**
 * `oci-archive:PATH[:REF]`: a tar of an OCI image layout, read in place by
 * byte range (never extracted). The tar must be uncompressed.
 */
import { PareError } from '../../util/errors.js';
import { digestHex } from '../digest.js';
import { parseOciLayoutFile } from '../image-json.js';
import type { ImageSelector } from '../reference.js';
import type { Image, Platform } from '../types.js';
import { ArchiveIndex } from './archive-index.js';
import { type OciBlobStore, openOciImage } from './oci-image.js';

export interface OpenOciArchiveOptions {
  /** The reference as the user wrote it (default `oci-archive:PATH`). */
  reference?: string;
  select?: ImageSelector;
  platform?: string | Platform;
  /** An index already built for this file (saves a pass when the caller sniffed it). */
  index?: ArchiveIndex;
}

export async function openOciArchive(path: string, options: OpenOciArchiveOptions = {}): Promise<Image> {
  const reference = options.reference ?? `oci-archive:${path}`;
  const archive = options.index ?? (await ArchiveIndex.build(path, reference));
  const layoutFile = await archive.read('oci-layout');
  if (!layoutFile) {
    const hint = archive.has('manifest.json')
      ? ' (it looks like a docker-archive: use docker-archive:PATH)'
      : '';
    throw new PareError(`not an OCI archive: no oci-layout file${hint}`, { subject: reference });
  }
  await parseOciLayoutFile(layoutFile, reference);
  const store: OciBlobStore = {
    readIndexJson: async () => {
      const bytes = await archive.read('index.json');
      if (!bytes) throw new PareError('not an OCI archive: no index.json', { subject: reference });
      return bytes;
    },
    locate: async (digest) => archive.blob(`blobs/sha256/${digestHex(digest)}`),
  };
  return openOciImage(store, {
    reference,
    transport: 'oci-archive',
    ...(options.select ? { select: options.select } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
  });
}
