/**
 * The documents a registry serves for a reference — OCI manifests and
 * indexes, Docker schema2 manifests and manifest lists — parsed, checked and
 * normalised to the `Manifest` shape. Choosing one platform's manifest from
 * an index is platform.ts's job, shared with the other sources.
 */
import { isDigest } from '../digest.js';
import { MEDIA_TYPES } from '../media-types.js';
import type { Descriptor, Manifest } from '../types.js';

/** What we ask a registry for: everything we can read, images before indexes only by order of listing. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerManifestList,
].join(', ');

export class ManifestFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestFormatError';
  }
}

export type RegistryDocument =
  | { kind: 'manifest'; manifest: Manifest }
  | { kind: 'index'; manifests: Descriptor[] };

/**
 * Parses a manifest or index body. The body's own `mediaType` wins over the
 * Content-Type header (some registries send `application/json`); OCI allows
 * both to be absent, and then the shape decides.
 */
export function parseRegistryDocument(body: Buffer, contentType: string | undefined): RegistryDocument {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ManifestFormatError('manifest is not valid JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ManifestFormatError('manifest is not a JSON object');
  }
  const document = json as Record<string, unknown>;
  const headerType = contentType?.split(';')[0]?.trim();
  const declared =
    typeof document.mediaType === 'string'
      ? document.mediaType
      : headerType && headerType !== 'application/json' && headerType !== 'application/octet-stream'
        ? headerType
        : undefined;

  if (
    declared === MEDIA_TYPES.dockerSchema1 ||
    declared === MEDIA_TYPES.dockerSchema1Signed ||
    document.schemaVersion === 1
  ) {
    throw new ManifestFormatError(
      'Docker schema 1 manifests are not supported (the image is too old for pare; re-push it with a current docker)',
    );
  }
  if (document.schemaVersion !== 2) {
    throw new ManifestFormatError(
      `unsupported manifest schemaVersion ${JSON.stringify(document.schemaVersion)}`,
    );
  }

  const isIndex =
    declared === MEDIA_TYPES.ociIndex ||
    declared === MEDIA_TYPES.dockerManifestList ||
    (declared === undefined && Array.isArray(document.manifests));
  if (isIndex) {
    if (!Array.isArray(document.manifests)) throw new ManifestFormatError('index has no "manifests" array');
    return {
      kind: 'index',
      manifests: document.manifests.map((entry, i) => parseDescriptor(entry, `manifests[${i}]`)),
    };
  }
  const isManifest =
    declared === MEDIA_TYPES.ociManifest ||
    declared === MEDIA_TYPES.dockerManifest ||
    (declared === undefined && document.config !== undefined);
  if (!isManifest) throw new ManifestFormatError(`unsupported manifest media type ${declared ?? '(none)'}`);
  return { kind: 'manifest', manifest: normaliseManifest(document, declared ?? MEDIA_TYPES.ociManifest) };
}

function normaliseManifest(document: Record<string, unknown>, mediaType: string): Manifest {
  const config = parseDescriptor(document.config, 'config');
  if (config.mediaType !== MEDIA_TYPES.ociConfig && config.mediaType !== MEDIA_TYPES.dockerConfig) {
    throw new ManifestFormatError(`not a container image: its config has media type ${config.mediaType}`);
  }
  if (!Array.isArray(document.layers)) throw new ManifestFormatError('manifest has no "layers" array');
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType,
    config,
    layers: document.layers.map((entry, i) => parseDescriptor(entry, `layers[${i}]`)),
  };
  const annotations = stringRecord(document.annotations);
  if (annotations) manifest.annotations = annotations;
  return manifest;
}

function parseDescriptor(value: unknown, where: string): Descriptor {
  if (value === null || typeof value !== 'object') {
    throw new ManifestFormatError(`${where} is not a descriptor object`);
  }
  const entry = value as Record<string, unknown>;
  if (typeof entry.mediaType !== 'string') throw new ManifestFormatError(`${where} has no mediaType`);
  if (!isDigest(entry.digest)) {
    throw new ManifestFormatError(
      `${where} has digest ${JSON.stringify(entry.digest)}; only sha256 digests are supported`,
    );
  }
  if (typeof entry.size !== 'number' || !Number.isSafeInteger(entry.size) || entry.size < 0) {
    throw new ManifestFormatError(`${where} has an invalid size ${JSON.stringify(entry.size)}`);
  }
  const descriptor: Descriptor = { mediaType: entry.mediaType, digest: entry.digest, size: entry.size };
  const annotations = stringRecord(entry.annotations);
  if (annotations) descriptor.annotations = annotations;
  const platform = entry.platform as Record<string, unknown> | undefined;
  if (platform && typeof platform.os === 'string' && typeof platform.architecture === 'string') {
    descriptor.platform = { os: platform.os, architecture: platform.architecture };
    if (typeof platform.variant === 'string' && platform.variant !== '') {
      descriptor.platform.variant = platform.variant;
    }
  }
  return descriptor;
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const entries = Object.entries(value as Record<string, unknown>).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
