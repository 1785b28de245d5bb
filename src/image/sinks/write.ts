/**
 * `writeImage(IMAGE, image)`: the counterpart of `openImage`. Parses the same
 * transport references and hands the image to the sink for its transport:
 * `docker-archive:PATH[:name:tag]`, `oci:DIR[:ref]`, `oci-archive:PATH[:ref]`,
 * or `docker-daemon:NAME`, a docker-archive loaded by the engine. pare has no
 * registry writer, so a registry reference is refused.
 *
 * The image is an `Image` (any source, or slim's result) or an `ImageToWrite`
 * whose blobs are already files; an Image's layers are used in place when
 * each is a whole local file, else copied into a temporary directory first.
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { temporaryDirectory } from '../../engine/cleanup.js';
import { describeSystemError, isPareError, PareError } from '../../util/errors.js';
import { familiarDockerReference, parseImageReference, withDefaultTag } from '../reference.js';
import type { Image } from '../types.js';
import { type BlobFile, type ImageToWrite, refuseInputPath } from './write-common.js';
import { type WriteDockerArchiveOptions, writeDockerArchive } from './write-docker-archive.js';
import { writeOciArchive, writeOciLayout } from './write-oci-layout.js';

export type FileTransport = 'docker-archive' | 'oci' | 'oci-archive';

/** Where an image is written, as parsed from a reference. */
export type ImageTarget =
  | {
      transport: FileTransport;
      path: string;
      /** docker-archive RepoTags entry, or the OCI ref name. */
      name?: string;
    }
  | { transport: 'docker-daemon'; name: string };

/** What `docker-daemon:` needs of the engine (src/engine's Engine has it). */
export interface ImageLoader {
  load(archive: string | Readable, options?: { signal?: AbortSignal }): Promise<void>;
}

export interface WriteImageOptions {
  /** Local paths the image was read from: the output never replaces one of them. */
  inputs?: readonly string[];
  /** The engine that loads a `docker-daemon:` target. */
  engine?: ImageLoader;
  /** Names the target in errors (default: the reference). */
  subject?: string;
  /** Parent of temporary directories (default os.tmpdir()). */
  tempDir?: string;
  signal?: AbortSignal;
}

export type WritableImage = Image | ImageToWrite;

const TARGET_FORMS: Record<ImageTarget['transport'], string> = {
  'docker-archive': 'docker-archive:PATH[:name:tag]',
  oci: 'oci:DIR[:ref]',
  'oci-archive': 'oci-archive:PATH[:ref]',
  'docker-daemon': 'docker-daemon:NAME',
};
const ALL_TARGETS = Object.keys(TARGET_FORMS) as Array<ImageTarget['transport']>;

/**
 * Parses a reference to write to; `subject` names it in errors. `transports`
 * narrows what a caller writes (e.g. files only).
 */
export function parseImageTarget(
  text: string,
  subject = text,
  transports: readonly ImageTarget['transport'][] = ALL_TARGETS,
): ImageTarget {
  let reference: ReturnType<typeof parseImageReference>;
  try {
    reference = parseImageReference(text);
  } catch (error) {
    throw new PareError((error as Error).message, { subject });
  }
  // A registry (pare has no writer for one) or a bare path (no transport to say which format) is refused here.
  if (
    reference.transport === 'registry' ||
    reference.transport === 'path' ||
    !transports.includes(reference.transport)
  ) {
    const forms = transports.map((name) => TARGET_FORMS[name]);
    const expected = forms.length > 1 ? `${forms.slice(0, -1).join(', ')} or ${forms.at(-1)}` : forms[0];
    throw new PareError(`expected ${expected}, got "${text}"`, { subject });
  }
  if (reference.transport === 'docker-daemon') {
    if (!reference.name) {
      throw new PareError('an image is written to the engine by name, not by ID', { subject });
    }
    return { transport: 'docker-daemon', name: familiarDockerReference(reference.name) };
  }
  const target: ImageTarget = { transport: reference.transport, path: reference.path };
  const select = reference.select;
  if (select?.kind === 'name') target.name = familiarDockerReference(withDefaultTag(select.name));
  else if (select?.kind === 'ref') target.name = select.ref;
  else if (select?.kind === 'index') {
    throw new PareError('an output cannot select an image by index', { subject });
  }
  return target;
}

/** Writes `image` to `reference` (or an already parsed target); returns the target written. */
export async function writeImage(
  reference: string | ImageTarget,
  image: WritableImage,
  options: WriteImageOptions = {},
): Promise<ImageTarget> {
  const text = typeof reference === 'string' ? reference : undefined;
  const target = typeof reference === 'string' ? parseImageTarget(reference, options.subject) : reference;
  const subject = options.subject ?? text ?? describeTarget(target);
  if (target.transport !== 'docker-daemon') await refuseInputPath(target.path, options.inputs ?? []);
  if (target.transport === 'docker-daemon' && !options.engine) {
    throw new PareError('writing to docker-daemon: needs a container engine', { subject });
  }
  try {
    await withImageToWrite(image, options, async (writable, workDir) => {
      switch (target.transport) {
        case 'docker-archive':
          await writeDockerArchive(target.path, writable, target.name ? { repoTags: [target.name] } : {});
          break;
        case 'oci':
          await writeOciLayout(target.path, writable, target.name ? { refName: target.name } : {});
          break;
        case 'oci-archive':
          await writeOciArchive(target.path, writable, target.name ? { refName: target.name } : {});
          break;
        case 'docker-daemon': {
          const archive = join(await workDir(), 'load.tar');
          await writeDockerArchive(archive, writable, { repoTags: [target.name] });
          await options.engine!.load(archive, options.signal ? { signal: options.signal } : {});
          break;
        }
      }
    });
    return target;
  } catch (error) {
    // A read-only, full or missing output location is the user's to fix: one line naming it.
    if (typeof (error as NodeJS.ErrnoException).code === 'string' && !isPareError(error)) {
      throw new PareError(`cannot write the image: ${describeSystemError(error)}`, { subject, cause: error });
    }
    throw error;
  }
}

/**
 * The docker-archive sink for any image (a source, slim's result, or blobs
 * already written): the library's `writeDockerArchive`, which can set several
 * RepoTags.
 */
export async function writeDockerArchiveOf(
  path: string,
  image: WritableImage,
  options: WriteDockerArchiveOptions & { signal?: AbortSignal } = {},
): Promise<void> {
  await withImageToWrite(image, options, (writable) =>
    writeDockerArchive(path, writable, options.repoTags ? { repoTags: options.repoTags } : {}),
  );
}

/**
 * Runs `use` with the image as config bytes and blob files. The temporary
 * directory is made only when needed (a layer to copy, an archive to load),
 * so writing blobs that are already files leaves nothing to clean up, and is
 * removed when `use` ends.
 */
async function withImageToWrite<T>(
  image: WritableImage,
  options: { tempDir?: string; signal?: AbortSignal },
  use: (writable: ImageToWrite, workDir: () => Promise<string>) => Promise<T>,
): Promise<T> {
  let temporary: Awaited<ReturnType<typeof temporaryDirectory>> | undefined;
  const workDir = async () => {
    temporary ??= await temporaryDirectory('pare-write-', options.tempDir);
    return temporary.path;
  };
  try {
    return await use(await toImageToWrite(image, workDir, options.signal), workDir);
  } finally {
    await temporary?.handle.runNow();
  }
}

/** `transport:path[:name]` or `docker-daemon:name`, as a reference spells it. */
function describeTarget(target: ImageTarget): string {
  if (target.transport === 'docker-daemon') return `docker-daemon:${target.name}`;
  return `${target.transport}:${target.path}`;
}

function isImageToWrite(image: WritableImage): image is ImageToWrite {
  return Buffer.isBuffer((image as ImageToWrite).config);
}

/**
 * The config bytes and layer blob files a sink writes. Layers that are whole
 * local files are used where they are; others are copied (and verified) into
 * the directory `workDir` gives.
 */
async function toImageToWrite(
  image: WritableImage,
  workDir: () => Promise<string>,
  signal?: AbortSignal,
): Promise<ImageToWrite> {
  if (isImageToWrite(image)) return image;
  const config = image.rawConfig
    ? await image.rawConfig()
    : Buffer.from(JSON.stringify(await image.config()));
  const layers: BlobFile[] = [];
  for (const [index, layer] of (await image.layers()).entries()) {
    const local = layer.localBlob?.();
    let path: string;
    if (local && local.offset === 0 && (await stat(local.path)).size === local.length) path = local.path;
    else {
      path = join(await workDir(), `layer-${index}`);
      await pipeline(await layer.compressed(signal ? { signal } : {}), createWriteStream(path));
    }
    layers.push({
      path,
      digest: layer.digest,
      diffId: layer.diffId,
      size: layer.size,
      mediaType: layer.mediaType,
    });
  }
  return { config, layers };
}
