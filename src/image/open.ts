/**
 * `openImage(IMAGE)`: parses the reference and hands it to the source module
 * for its transport. The daemon and registry sources are imported lazily, so
 * reading an archive never loads HTTP or socket code.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeSystemError, PareError } from '../util/errors.js';
import { ArchiveIndex } from './archive-index.js';
import { openDockerArchive } from './docker-archive.js';
import { openOciArchive } from './oci-archive.js';
import { openOciLayout } from './oci-layout.js';
import { type ImageReference, type ImageSelector, parseImageReference } from './reference.js';
import type { Image, Platform } from './types.js';

export interface OpenImageOptions {
  /** `os/arch[/variant]` to pick from an image index (default linux/amd64). */
  platform?: string | Platform;
  signal?: AbortSignal;
}

/** What `docker-daemon:` hands to `openDaemonImage` in ./docker-daemon.js. */
export type DaemonImageReference = Extract<ImageReference, { transport: 'docker-daemon' }>;
/** What a registry reference hands to `openRegistryImage` in ./registry.js. */
export type RegistryImageReference = Extract<ImageReference, { transport: 'registry' }>;

interface DaemonModule {
  openDaemonImage(reference: DaemonImageReference, options: OpenImageOptions): Promise<Image>;
}
interface RegistryModule {
  openRegistryImage(reference: RegistryImageReference, options: OpenImageOptions): Promise<Image>;
}

export async function openImage(reference: string, options: OpenImageOptions = {}): Promise<Image> {
  return openParsedImage(parseImageReference(reference), options);
}

export async function openParsedImage(
  reference: ImageReference,
  options: OpenImageOptions = {},
): Promise<Image> {
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
      const module = await importSource<DaemonModule>('./docker-daemon.js', 'docker-daemon', reference.raw);
      return module.openDaemonImage(reference, options);
    }
    case 'registry': {
      const module = await importSource<RegistryModule>('./registry.js', 'registry', reference.raw);
      return module.openRegistryImage(reference, options);
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

async function importSource<T>(specifier: string, transport: string, raw: string): Promise<T> {
  try {
    // A variable specifier keeps TypeScript from requiring the module to exist at build time.
    return (await import(specifier)) as T;
  } catch (error) {
    if (isMissingModule(error, specifier)) {
      throw new PareError(`the ${transport} transport is not available in this build of pare yet`, {
        subject: raw,
        cause: error,
      });
    }
    throw error;
  }
}

/** True only when `specifier` itself is missing, not when it exists but one of its own imports fails. */
function isMissingModule(error: unknown, specifier: string): boolean {
  const message = (error as Error | undefined)?.message ?? '';
  const file = specifier.slice(2, -3); // './registry.js' -> 'registry': no regex metacharacters
  // Node: Cannot find module '/…/image/registry.js' imported from …; vite (tests): Failed to load url ./registry.js
  const node = new RegExp(`Cannot find module '[^']*/image/${file}\\.js'`);
  const vite = new RegExp(`Failed to load url \\./${file}\\.js`);
  return node.test(message) || vite.test(message);
}
