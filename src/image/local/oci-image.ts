/**
 * From an OCI layout's index.json to one image: choose the top-level entry
 * (ref name, digest, position, or the only one), descend through nested
 * indexes by platform, read and verify the manifest. Shared by `oci:` and
 * `oci-archive:`, which differ only in where blobs live.
 */
import { PareError } from '../../util/errors.js';
import { isDigest, shortDigest, verifyBytes } from '../digest.js';
import { type ImageIndex, parseIndex, parseIndexOrManifest } from '../image-json.js';
import { isIndexMediaType } from '../media-types.js';
import { selectPlatform } from '../platform.js';
import { type ImageSelector, parseDockerReference, sameDockerReference } from '../reference.js';
import type { Descriptor, Digest, Image, Manifest, Platform } from '../types.js';
import { type LocalBlob, readLocalBlob } from './local-blob.js';
import { LocalImage } from './local-image.js';

const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
/** containerd (and Docker 25+ `docker save`) put the full image name here. */
const CONTAINERD_NAME_ANNOTATION = 'io.containerd.image.name';

/** Nested indexes deeper than this are a loop or an attack, not an image. */
const MAX_INDEX_DEPTH = 8;

export interface OciBlobStore {
  /** The contents of index.json. */
  readIndexJson(): Promise<Buffer>;
  locate(digest: Digest): Promise<LocalBlob | undefined>;
}

export interface OpenOciOptions {
  /** The reference as the user wrote it; names the image in errors. */
  reference: string;
  /** For the hint in "choose one" errors. */
  transport: 'oci' | 'oci-archive';
  select?: ImageSelector;
  platform?: string | Platform;
}

export async function openOciImage(store: OciBlobStore, options: OpenOciOptions): Promise<Image> {
  const subject = options.reference;
  const index = await parseIndex(await store.readIndexJson(), subject, 'index.json');
  let descriptor = chooseTopLevel(index, options, subject);
  let manifest: Manifest | undefined;
  for (let depth = 0; manifest === undefined; depth++) {
    if (depth > MAX_INDEX_DEPTH)
      throw new PareError(`image indexes nest deeper than ${MAX_INDEX_DEPTH}`, { subject });
    const what = `${isIndexMediaType(descriptor.mediaType) ? 'index' : 'manifest'} ${shortDigest(descriptor.digest)}`;
    const bytes = await readVerified(store, descriptor, subject, what);
    const document = await parseIndexOrManifest(bytes, subject, what);
    if (document.kind === 'manifest') manifest = document.manifest;
    else descriptor = selectPlatform(document.index.manifests, options.platform, `${subject} ${what}`);
  }

  const blobs = new Map<Digest, LocalBlob>();
  for (const item of [manifest.config, ...manifest.layers]) {
    const blob = await store.locate(item.digest);
    if (blob) blobs.set(item.digest, blob);
  }
  return new LocalImage({ reference: options.reference, manifest, locate: (digest) => blobs.get(digest) });
}

async function readVerified(
  store: OciBlobStore,
  descriptor: Descriptor,
  subject: string,
  what: string,
): Promise<Buffer> {
  const blob = await store.locate(descriptor.digest);
  if (!blob) throw new PareError(`index.json names ${what}, which is missing from blobs/`, { subject });
  if (blob.length !== descriptor.size) {
    throw new PareError(`${what} is ${blob.length} bytes but its descriptor says ${descriptor.size}`, {
      subject,
    });
  }
  const bytes = await readLocalBlob(blob, `${subject} ${what}`);
  return verifyBytes(bytes, descriptor.digest, `${subject} ${what}`);
}

function refNames(descriptor: Descriptor): string[] {
  const annotations = descriptor.annotations ?? {};
  return [annotations[REF_NAME_ANNOTATION], annotations[CONTAINERD_NAME_ANNOTATION]].filter(
    (name): name is string => name !== undefined,
  );
}

function matchesRef(descriptor: Descriptor, ref: string): boolean {
  const names = refNames(descriptor);
  if (names.includes(ref)) return true;
  // `alpine:3.19` should find `docker.io/library/alpine:3.19`.
  const wanted = tryDockerReference(ref);
  return (
    wanted !== undefined &&
    names.some((name) => {
      const have = tryDockerReference(name);
      return have !== undefined && sameDockerReference(have, wanted);
    })
  );
}

function tryDockerReference(text: string) {
  try {
    return parseDockerReference(text);
  } catch {
    return undefined;
  }
}

function describeChoices(index: ImageIndex): string {
  return index.manifests
    .map((descriptor, position) => {
      const name = refNames(descriptor)[0];
      return name === undefined ? `@${position}` : `${name} (@${position})`;
    })
    .join(', ');
}

function chooseTopLevel(index: ImageIndex, options: OpenOciOptions, subject: string): Descriptor {
  const { manifests } = index;
  if (manifests.length === 0) throw new PareError('index.json lists no images', { subject });
  const select = options.select;
  if (select?.kind === 'index') {
    const chosen = manifests[select.index];
    if (!chosen) {
      throw new PareError(`there is no image @${select.index}; index.json has ${manifests.length}`, {
        subject,
      });
    }
    return chosen;
  }
  let candidates = manifests;
  if (select !== undefined) {
    const ref =
      select.kind === 'ref' ? select.ref : `${select.name.repository}:${select.name.tag ?? 'latest'}`;
    candidates = isDigest(ref)
      ? manifests.filter((descriptor) => descriptor.digest === ref)
      : manifests.filter((descriptor) => matchesRef(descriptor, ref));
    if (candidates.length === 0) {
      throw new PareError(`no image named "${ref}" (index.json has: ${describeChoices(index)})`, { subject });
    }
  }
  if (candidates.length === 1) return candidates[0]!;
  // Several entries: a flattened multi-platform image is resolved by platform, anything else is ambiguous.
  if (candidates.every((descriptor) => descriptor.platform !== undefined)) {
    return selectPlatform(candidates, options.platform, subject);
  }
  throw new PareError(
    `holds ${candidates.length} images; choose one as ${options.transport}:PATH:REF or ${options.transport}:PATH:@N (index.json has: ${describeChoices(index)})`,
    { subject },
  );
}
