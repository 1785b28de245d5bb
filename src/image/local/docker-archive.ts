/**
 * `docker-archive:PATH[:NAME:TAG|:@N]`: the tar `docker save` writes, read in
 * place (one header pass to index members, then byte ranges).
 *
 * Two layouts exist. Legacy (Docker < 25): manifest.json, `<config hex>.json`,
 * `<layer id>/layer.tar` (uncompressed; a layer shared between saved images
 * is a symlink to another `layer.tar`), `repositories`. Docker 25+: the same
 * manifest.json next to an OCI layout (oci-layout, index.json,
 * blobs/sha256/…). For the newer layout the real OCI manifest is used; for the
 * legacy one a Docker schema2 manifest is synthesised, with each uncompressed
 * layer's digest equal to its diff_id, so reading it verifies layer.tar
 * against the config. Layers may also be gzip or zstd (other tools write such
 * archives): the codec is sniffed from magic bytes.
 */
import { PareError } from '../../util/errors.js';
import { sniffCompression } from '../compression.js';
import {
  DigestMismatchError,
  digestFromHex,
  digestOfStream,
  sha256,
  shortDigest,
  verifyBytes,
} from '../digest.js';
import {
  type DockerArchiveEntry,
  parseConfig,
  parseDockerArchiveManifest,
  parseIndexOrManifest,
  parseRepositories,
} from '../image-json.js';
import { isIndexMediaType, MEDIA_TYPES } from '../media-types.js';
import {
  familiarDockerReference,
  type ImageSelector,
  parseDockerReference,
  sameDockerReference,
} from '../reference.js';
import type { Compression, Descriptor, Digest, Image, ImageConfig, Manifest } from '../types.js';
import { ArchiveIndex } from './archive-index.js';
import { type LocalBlob, openLocalBlob, readBlobHead } from './local-blob.js';
import { LocalImage } from './local-image.js';

export interface OpenDockerArchiveOptions {
  /** The reference as the user wrote it (default `docker-archive:PATH`). */
  reference?: string;
  select?: ImageSelector;
  /** An index already built for this file (saves a pass when the caller sniffed it). */
  index?: ArchiveIndex;
}

const HEX_IN_NAME = /(?:^|\/)(?:sha256[:/])?([a-f0-9]{64})(?:\.json|\.tar|\.tar\.gz|\.tgz|\.tar\.zst)?$/;
const MAX_INDEX_DEPTH = 4;

export async function openDockerArchive(
  path: string,
  options: OpenDockerArchiveOptions = {},
): Promise<Image> {
  const reference = options.reference ?? `docker-archive:${path}`;
  const archive = options.index ?? (await ArchiveIndex.build(path, reference));
  const manifestBytes = await archive.read('manifest.json');
  if (!manifestBytes) throw missingManifestError(archive, reference);
  const entries = await parseDockerArchiveManifest(manifestBytes, reference);
  const tags = await archiveTags(archive, entries, reference);
  const entry = chooseEntry(entries, tags, options.select, reference);

  const configBlob = archive.blob(entry.Config);
  if (!configBlob)
    throw new PareError(`manifest.json names config ${entry.Config}, which is not in the archive`, {
      subject: reference,
    });
  const configSubject = `${reference} config ${entry.Config}`;
  const configBytes = await readSmall(archive, entry.Config, configSubject);
  const configDigest = sha256(configBytes);
  const claimed = hexInName(entry.Config);
  if (claimed !== undefined && claimed !== configDigest) {
    throw new DigestMismatchError(claimed, configDigest, 'blob', configSubject);
  }
  const config = await parseConfig(configBytes, configSubject);
  const configDescriptor: Descriptor = {
    mediaType: MEDIA_TYPES.dockerConfig,
    digest: configDigest,
    size: configBytes.length,
  };

  const oci = await findOciManifest(archive, configDigest, reference);
  if (oci) {
    const layerBlobs = oci.layers.map(
      (descriptor, index) =>
        archive.blob(`blobs/sha256/${descriptor.digest.slice(7)}`) ??
        (entry.Layers[index] === undefined ? undefined : archive.blob(entry.Layers[index]!)),
    );
    return new LocalImage({
      reference,
      manifest: oci,
      locate: (_digest, index) => (index < 0 ? configBlob : layerBlobs[index]),
    });
  }

  const layerBlobs = entry.Layers.map((name) => {
    const blob = archive.blob(name);
    if (!blob)
      throw new PareError(`manifest.json names layer ${name}, which is not in the archive`, {
        subject: reference,
      });
    return blob;
  });
  const manifest = await synthesiseManifest(entry, layerBlobs, config, configDescriptor, reference);
  return new LocalImage({
    reference,
    manifest,
    locate: (_digest, index) => (index < 0 ? configBlob : layerBlobs[index]),
  });
}

function missingManifestError(archive: ArchiveIndex, reference: string): PareError {
  if (archive.has('repositories')) {
    return new PareError(
      'no manifest.json: this is a pre-Docker-1.10 archive, which has no image config to read; re-save it with a current Docker',
      { subject: reference },
    );
  }
  if (archive.has('oci-layout')) {
    return new PareError('no manifest.json, but an oci-layout: open it as oci-archive:PATH', {
      subject: reference,
    });
  }
  return new PareError('not a docker-archive (no manifest.json)', { subject: reference });
}

async function readSmall(archive: ArchiveIndex, name: string, subject: string): Promise<Buffer> {
  const bytes = await archive.read(name);
  if (!bytes) throw new PareError('missing from the archive', { subject });
  return bytes;
}

function hexInName(name: string): Digest | undefined {
  const match = HEX_IN_NAME.exec(name);
  return match ? digestFromHex(match[1]!) : undefined;
}

/** RepoTags of each entry; for legacy archives without them, the `repositories` file's names for its top layer. */
async function archiveTags(
  archive: ArchiveIndex,
  entries: DockerArchiveEntry[],
  reference: string,
): Promise<string[][]> {
  const tags = entries.map((entry) => [...entry.RepoTags]);
  if (tags.every((list) => list.length > 0) || !archive.has('repositories')) return tags;
  const repositories = await parseRepositories((await archive.read('repositories'))!, reference);
  entries.forEach((entry, position) => {
    if (tags[position]!.length > 0) return;
    const topLayerId = entry.Layers.at(-1)?.split('/')[0];
    for (const [name, byTag] of Object.entries(repositories)) {
      for (const [tag, id] of Object.entries(byTag))
        if (id === topLayerId) tags[position]!.push(`${name}:${tag}`);
    }
  });
  return tags;
}

function describeEntries(tags: string[][]): string {
  return tags
    .map((list, position) => (list.length > 0 ? `${list.join(', ')} (@${position})` : `@${position}`))
    .join('; ');
}

function chooseEntry(
  entries: DockerArchiveEntry[],
  tags: string[][],
  select: ImageSelector | undefined,
  reference: string,
): DockerArchiveEntry {
  if (entries.length === 0) throw new PareError('manifest.json lists no images', { subject: reference });
  if (select === undefined) {
    if (entries.length === 1) return entries[0]!;
    throw new PareError(
      `holds ${entries.length} images; choose one as docker-archive:PATH:NAME:TAG or docker-archive:PATH:@N (it has: ${describeEntries(tags)})`,
      { subject: reference },
    );
  }
  if (select.kind === 'index') {
    const entry = entries[select.index];
    if (!entry)
      throw new PareError(`there is no image @${select.index}; the archive has ${entries.length}`, {
        subject: reference,
      });
    return entry;
  }
  const wanted = select.kind === 'name' ? select.name : parseDockerReference(select.ref);
  const position = tags.findIndex((list) =>
    list.some((tag) => {
      try {
        return sameDockerReference(parseDockerReference(tag), wanted);
      } catch {
        return false;
      }
    }),
  );
  if (position === -1) {
    throw new PareError(
      `no image tagged ${familiarDockerReference(wanted)} (it has: ${describeEntries(tags)})`,
      {
        subject: reference,
      },
    );
  }
  return entries[position]!;
}

/**
 * Docker 25+ archives carry the real OCI manifest under blobs/: find the one
 * whose config is ours, looking through index.json and nested indexes.
 */
async function findOciManifest(
  archive: ArchiveIndex,
  configDigest: Digest,
  reference: string,
): Promise<Manifest | undefined> {
  const indexBytes = await archive.read('index.json');
  if (!indexBytes) return undefined;
  let pending: Descriptor[];
  try {
    const top = await parseIndexOrManifest(indexBytes, reference, 'index.json');
    if (top.kind !== 'index') return undefined;
    pending = top.index.manifests;
  } catch {
    return undefined; // `docker load` reads only manifest.json; a broken index.json does not stop it either
  }
  for (let depth = 0; depth < MAX_INDEX_DEPTH && pending.length > 0; depth++) {
    const next: Descriptor[] = [];
    for (const descriptor of pending) {
      const subject = `${reference} ${isIndexMediaType(descriptor.mediaType) ? 'index' : 'manifest'} ${shortDigest(descriptor.digest)}`;
      const bytes = await archive.read(`blobs/sha256/${descriptor.digest.slice(7)}`);
      if (!bytes) continue; // containerd saves only the platforms it has
      const document = await parseIndexOrManifest(
        verifyBytes(bytes, descriptor.digest, subject),
        subject,
        'blob',
      );
      if (document.kind === 'index') next.push(...document.index.manifests);
      else if (document.manifest.config.digest === configDigest) return document.manifest;
    }
    pending = next;
  }
  return undefined;
}

function layerMediaType(compression: Compression): string {
  switch (compression) {
    case 'gzip':
      return MEDIA_TYPES.dockerLayerGzip;
    case 'zstd':
      return MEDIA_TYPES.ociLayerZstd;
    case 'none':
      return MEDIA_TYPES.dockerLayer;
  }
}

async function synthesiseManifest(
  entry: DockerArchiveEntry,
  layerBlobs: LocalBlob[],
  config: ImageConfig,
  configDescriptor: Descriptor,
  reference: string,
): Promise<Manifest> {
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== entry.Layers.length) {
    throw new PareError(
      `manifest.json lists ${entry.Layers.length} layers but the config's rootfs.diff_ids lists ${diffIds.length}`,
      { subject: reference },
    );
  }
  const layers = await Promise.all(
    entry.Layers.map(async (name, index): Promise<Descriptor> => {
      const blob = layerBlobs[index]!;
      const subject = `${reference} layer ${index} ${name}`;
      const compression = sniffCompression(await readBlobHead(blob, subject));
      // An uncompressed layer's blob digest is its diff_id; a compressed one's is in its name or must be computed.
      const digest = compression === 'none' ? diffIds[index]! : (hexInName(name) ?? (await hashBlob(blob)));
      return { mediaType: layerMediaType(compression), digest, size: blob.length };
    }),
  );
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.dockerManifest,
    config: configDescriptor,
    layers,
  };
}

function hashBlob(blob: LocalBlob): Promise<Digest> {
  return digestOfStream(openLocalBlob(blob));
}
