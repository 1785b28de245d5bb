/**
 * `openImage(IMAGE)`: parses the reference and hands it to the source module
 * for its transport. The daemon and registry sources are imported lazily, so
 * reading an archive never loads HTTP or socket code.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeSystemError, PareError } from '../util/errors.js';
import { ArchiveIndex } from './local/archive-index.js';
import { openDockerArchive } from './local/docker-archive.js';
import { openOciArchive } from './local/oci-archive.js';
import { openOciLayout } from './local/oci-layout.js';
import type { OpenImageOptions } from './open-options.js';
import { type ImageReference, type ImageSelector, parseImageReference } from './reference.js';
import type { Image } from './types.js';

export type { OpenImageOptions } from './open-options.js';
export type { DaemonImageReference, RegistryImageReference } from './reference.js';

export async function openImage(reference: string, options: OpenImageOptions = {}): Promise<Image> {
  return openParsedImage(parseImageReference(reference), options);
}

async function openParsedImage(reference: ImageReference, options: OpenImageOptions = {}): Promise<Image> {
  const platform = options.platform === undefined ? {} : { platform: options.platform };
  switch (reference.transport) {
    case 'docker-archive':
      return openDockerArchive(reference.path, { reference: reference.raw, ...selectOf(reference) });
    case 'oci':
      return openOciLayout(reference.path, { reference: reference.raw, ...selectOf(reference), ...platform });
    case 'oci-archive':
      return openOciArchive(reference.path, {
        reference: reference.raw,
        ...selectOf(reference),
        ...platform,
      });
    case 'path':
      return openLocalPath(reference.path, reference.raw, options);
    case 'docker-daemon': {
      const { openDaemonImage } = await import('./local/docker-daemon.js');
      return openDaemonImage(reference, options);
    }
    case 'registry': {
      const { openRegistryImage } = await import('./registry/registry.js');
      return openRegistryImage(reference, options);
    }
  }
}

function selectOf(reference: { select?: ImageSelector }): { select?: ImageSelector } {
  return reference.select === undefined ? {} : { select: reference.select };
}

/** A bare path: an OCI layout directory, or an archive whose members say which kind it is. */
async function openLocalPath(path: string, raw: string, options: OpenImageOptions): Promise<Image> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw new PareError(describeSystemError(error), { subject: raw, cause: error });
  }
  const platform = options.platform === undefined ? {} : { platform: options.platform };
  if (isDirectory) {
    try {
      await stat(join(path, 'oci-layout'));
    } catch {
      throw new PareError('is a directory but not an OCI image layout (no oci-layout file)', {
        subject: raw,
      });
    }
    return openOciLayout(path, { reference: raw, ...platform });
  }
  const index = await ArchiveIndex.build(path, raw);
  if (index.has('manifest.json')) return openDockerArchive(path, { reference: raw, index });
  if (index.has('oci-layout')) return openOciArchive(path, { reference: raw, index, ...platform });
  throw new PareError('is neither a docker-archive (no manifest.json) nor an OCI archive (no oci-layout)', {
    subject: raw,
  });
}
