/**
 * The JSON documents images are made of (OCI index and manifest, Docker
 * schema2 manifest, image config, docker-archive manifest.json), validated on
 * the way in so a malformed one fails with one line naming the document and
 * the field, not a TypeError later. Unknown fields are kept.
 */
import { z } from 'zod';
import { PareError } from '../util/errors.js';
import { isDigest } from './digest.js';
import { isIndexMediaType, MEDIA_TYPES } from './media-types.js';
import type { Descriptor, Digest, ImageConfig, Manifest, Platform } from './types.js';

const digest = z.custom<Digest>((value) => isDigest(value), { message: 'expected a sha256 digest' });
const size = z.number().int().nonnegative();

const platform: z.ZodType<Platform> = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
});

const descriptor: z.ZodType<Descriptor> = z.looseObject({
  mediaType: z.string(),
  digest,
  size,
  annotations: z.record(z.string(), z.string()).optional(),
  platform: platform.optional(),
});

export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

const index: z.ZodType<ImageIndex> = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptor),
  annotations: z.record(z.string(), z.string()).optional(),
});

const manifest = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptor,
  layers: z.array(descriptor),
  annotations: z.record(z.string(), z.string()).optional(),
});

const history = z.looseObject({
  created: z.string().optional(),
  created_by: z.string().optional(),
  author: z.string().optional(),
  comment: z.string().optional(),
  empty_layer: z.boolean().optional(),
});

const config = z.looseObject({
  architecture: z.string().default(''),
  os: z.string().default(''),
  variant: z.string().optional(),
  created: z.string().optional(),
  author: z.string().optional(),
  config: z.looseObject({}).nullable().optional(),
  rootfs: z.looseObject({ type: z.literal('layers'), diff_ids: z.array(digest) }),
  history: z.array(history).nullable().optional(),
});

export interface DockerArchiveEntry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

const dockerArchiveManifest = z.array(
  z.looseObject({
    Config: z.string(),
    RepoTags: z.array(z.string()).nullable().optional(),
    Layers: z.array(z.string()),
  }),
);

function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path)
    text += typeof key === 'number' ? `[${key}]` : text === '' ? String(key) : `.${String(key)}`;
  return text;
}

function parseDocument<T>(schema: z.ZodType<T>, bytes: Buffer | string, subject: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (error) {
    throw new PareError(`${what} is not valid JSON (${(error as Error).message})`, { subject, cause: error });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = formatIssuePath(issue.path);
    throw new PareError(`${what}: ${where ? `${where}: ` : ''}${issue.message}`, { subject });
  }
  return result.data;
}

export function parseIndex(bytes: Buffer, subject: string, what = 'index'): ImageIndex {
  return parseDocument(index, bytes, subject, what);
}

function parseManifest(bytes: Buffer, subject: string, what = 'manifest'): Manifest {
  const parsed = parseDocument(manifest, bytes, subject, what);
  return { ...parsed, mediaType: parsed.mediaType ?? MEDIA_TYPES.ociManifest };
}

/** Parses either document; the media type (or the presence of `manifests`) tells them apart. */
export function parseIndexOrManifest(
  bytes: Buffer,
  subject: string,
  what: string,
): { kind: 'index'; index: ImageIndex } | { kind: 'manifest'; manifest: Manifest } {
  let probe: unknown;
  try {
    probe = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new PareError(`${what} is not valid JSON (${(error as Error).message})`, { subject, cause: error });
  }
  const object = (probe ?? {}) as { mediaType?: unknown; manifests?: unknown };
  const isIndex = isIndexMediaType(object.mediaType as string | undefined) || Array.isArray(object.manifests);
  return isIndex
    ? { kind: 'index', index: parseIndex(bytes, subject, what) }
    : { kind: 'manifest', manifest: parseManifest(bytes, subject, what) };
}

export function parseConfig(bytes: Buffer, subject: string, what = 'config'): ImageConfig {
  const parsed = parseDocument(config, bytes, subject, what);
  const result = { ...parsed } as ImageConfig & { config?: unknown; history?: unknown };
  // Docker writes `null` for absent lists; the model uses absence.
  if (parsed.config === null) delete result.config;
  if (parsed.history === null) delete result.history;
  return result as ImageConfig;
}

export function parseDockerArchiveManifest(bytes: Buffer, subject: string): DockerArchiveEntry[] {
  return parseDocument(dockerArchiveManifest, bytes, subject, 'manifest.json').map((entry) => ({
    ...entry,
    RepoTags: entry.RepoTags ?? [],
  }));
}

/** `{ "repositories": { "name": { "tag": "<top layer id>" } } }` from legacy `docker save`. */
export function parseRepositories(bytes: Buffer, subject: string): Record<string, Record<string, string>> {
  return parseDocument(
    z.record(z.string(), z.record(z.string(), z.string())),
    bytes,
    subject,
    'repositories',
  );
}

export function parseOciLayoutFile(bytes: Buffer, subject: string): { imageLayoutVersion: string } {
  return parseDocument(z.looseObject({ imageLayoutVersion: z.string() }), bytes, subject, 'oci-layout');
}
