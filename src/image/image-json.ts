/**
 * The JSON documents images are made of (OCI index and manifest, Docker
 * schema2 manifest, image config, docker-archive manifest.json), validated on
 * the way in so a malformed one fails with one line naming the document and
 * the field, not a TypeError later. Unknown fields are kept.
 *
 * What is accepted is defined by the zod schemas in image-json-schemas.ts,
 * which also word every error. Loading zod costs more than reading a small
 * image, so each document is first checked here directly: the checks below
 * accept only what the schema accepts and build the same value (the same
 * fields in the same order, which matters when a config is written back out).
 * Anything they do not accept, an error or merely an unusual document, goes to
 * the schema, loaded then.
 */
import { PareError } from '../util/errors.js';
import { isDigest } from './digest.js';
import type { SchemaName } from './image-json-schemas.js';
import { isIndexMediaType, MEDIA_TYPES } from './media-types.js';
import type { Descriptor, ImageConfig, Manifest, Platform } from './types.js';

/** What a check returns for a value it does not accept (the schema decides). */
const REJECT = Symbol('reject');
type Check<T> = (value: unknown) => T | typeof REJECT;

interface Field {
  check: Check<unknown>;
  /** Absent is fine (zod's `.optional()`). */
  optional?: true;
  /** Absent becomes this (zod's `.default()`). */
  fallback?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const string: Check<string> = (value) => (typeof value === 'string' ? value : REJECT);
const boolean: Check<boolean> = (value) => (typeof value === 'boolean' ? value : REJECT);
const digest: Check<string> = (value) => (isDigest(value) ? value : REJECT);
const size: Check<number> = (value) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : REJECT;
const literal =
  <T>(expected: T): Check<T> =>
  (value) =>
    value === expected ? expected : REJECT;
const nullable =
  <T>(check: Check<T>): Check<T | null> =>
  (value) =>
    value === null ? null : check(value);

function array<T>(item: Check<T>): Check<T[]> {
  return (value) => {
    if (!Array.isArray(value)) return REJECT;
    const out: T[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const parsed = item(value[i]);
      if (parsed === REJECT) return REJECT;
      out[i] = parsed;
    }
    return out;
  };
}

/** zod's `z.record(z.string(), value)`: a new object, keys in their order. */
function record<T>(item: Check<T>): Check<Record<string, T>> {
  return (value) => {
    if (!isObject(value)) return REJECT;
    const out: Record<string, T> = {};
    for (const key of Object.keys(value)) {
      if (key === '__proto__') return REJECT;
      const parsed = item(value[key]);
      if (parsed === REJECT) return REJECT;
      out[key] = parsed;
    }
    return out;
  };
}

/**
 * zod's `z.looseObject(shape)`: a new object holding the shape's fields in
 * the shape's order (absent optional ones left out, defaults filled in), then
 * every other field of the input, in its order, as it is.
 */
function looseObject<T>(shape: Record<string, Field>): Check<T> {
  const names = Object.keys(shape);
  const known = new Set(names);
  return (value) => {
    if (!isObject(value)) return REJECT;
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const field = shape[name]!;
      if (!(name in value)) {
        if ('fallback' in field) out[name] = field.fallback;
        else if (!field.optional) return REJECT;
        continue;
      }
      const parsed = field.check(value[name]);
      if (parsed === REJECT) return REJECT;
      out[name] = parsed;
    }
    for (const key in value) {
      if (known.has(key)) continue;
      if (key === '__proto__') return REJECT;
      out[key] = value[key];
    }
    return out as T;
  };
}

const platform = looseObject<Platform>({
  architecture: { check: string },
  os: { check: string },
  variant: { check: string, optional: true },
});

const descriptor = looseObject<Descriptor>({
  mediaType: { check: string },
  digest: { check: digest },
  size: { check: size },
  annotations: { check: record(string), optional: true },
  platform: { check: platform, optional: true },
});

export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

type ParsedManifest = Omit<Manifest, 'mediaType'> & { mediaType?: string };

type ParsedConfig = Omit<ImageConfig, 'config' | 'history'> & { config?: unknown; history?: unknown };

export interface DockerArchiveEntry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

const history = looseObject({
  created: { check: string, optional: true },
  created_by: { check: string, optional: true },
  author: { check: string, optional: true },
  comment: { check: string, optional: true },
  empty_layer: { check: boolean, optional: true },
});

/** The direct check of each schema in image-json-schemas.ts. */
const CHECKS = {
  index: looseObject<ImageIndex>({
    schemaVersion: { check: literal(2) },
    mediaType: { check: string, optional: true },
    manifests: { check: array(descriptor) },
    annotations: { check: record(string), optional: true },
  }),
  manifest: looseObject<ParsedManifest>({
    schemaVersion: { check: literal(2) },
    mediaType: { check: string, optional: true },
    config: { check: descriptor },
    layers: { check: array(descriptor) },
    annotations: { check: record(string), optional: true },
  }),
  config: looseObject<ParsedConfig>({
    architecture: { check: string, fallback: '' },
    os: { check: string, fallback: '' },
    variant: { check: string, optional: true },
    created: { check: string, optional: true },
    author: { check: string, optional: true },
    config: { check: nullable(looseObject({})), optional: true },
    rootfs: {
      check: looseObject({ type: { check: literal('layers') }, diff_ids: { check: array(digest) } }),
    },
    history: { check: nullable(array(history)), optional: true },
  }),
  dockerArchiveManifest: array(
    looseObject<Omit<DockerArchiveEntry, 'RepoTags'> & { RepoTags?: string[] | null }>({
      Config: { check: string },
      RepoTags: { check: nullable(array(string)), optional: true },
      Layers: { check: array(string) },
    }),
  ),
  repositories: record(record(string)),
  ociLayout: looseObject<{ imageLayoutVersion: string }>({ imageLayoutVersion: { check: string } }),
} satisfies Record<SchemaName, Check<unknown>>;

type Parsed<N extends SchemaName> = Exclude<ReturnType<(typeof CHECKS)[N]>, typeof REJECT>;

/**
 * The direct check alone: the value the schema would give, or undefined when
 * the schema has to decide. Exported for the test holding it to the schema.
 */
export function checkDirectly(name: SchemaName, json: unknown): unknown {
  const checked = CHECKS[name](json);
  return checked === REJECT ? undefined : checked;
}

function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path)
    text += typeof key === 'number' ? `[${key}]` : text === '' ? String(key) : `.${String(key)}`;
  return text;
}

function parseJson(bytes: Buffer | string, subject: string, what: string): unknown {
  try {
    return JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (error) {
    throw new PareError(`${what} is not valid JSON (${(error as Error).message})`, { subject, cause: error });
  }
}

async function parseDocument<N extends SchemaName>(
  name: N,
  bytes: Buffer | string,
  subject: string,
  what: string,
): Promise<Parsed<N>> {
  const json = parseJson(bytes, subject, what);
  const checked = CHECKS[name](json);
  if (checked !== REJECT) return checked as Parsed<N>;
  const { SCHEMAS } = await import('./image-json-schemas.js');
  const result = SCHEMAS[name].safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = formatIssuePath(issue.path);
    throw new PareError(`${what}: ${where ? `${where}: ` : ''}${issue.message}`, { subject });
  }
  return result.data as Parsed<N>;
}

export function parseIndex(bytes: Buffer, subject: string, what = 'index'): Promise<ImageIndex> {
  return parseDocument('index', bytes, subject, what);
}

async function parseManifest(bytes: Buffer, subject: string, what = 'manifest'): Promise<Manifest> {
  const parsed = await parseDocument('manifest', bytes, subject, what);
  return { ...parsed, mediaType: parsed.mediaType ?? MEDIA_TYPES.ociManifest };
}

/** Parses either document; the media type (or the presence of `manifests`) tells them apart. */
export async function parseIndexOrManifest(
  bytes: Buffer,
  subject: string,
  what: string,
): Promise<{ kind: 'index'; index: ImageIndex } | { kind: 'manifest'; manifest: Manifest }> {
  const probe = parseJson(bytes, subject, what);
  const object = (probe ?? {}) as { mediaType?: unknown; manifests?: unknown };
  const isIndex = isIndexMediaType(object.mediaType as string | undefined) || Array.isArray(object.manifests);
  return isIndex
    ? { kind: 'index', index: await parseIndex(bytes, subject, what) }
    : { kind: 'manifest', manifest: await parseManifest(bytes, subject, what) };
}

export async function parseConfig(bytes: Buffer, subject: string, what = 'config'): Promise<ImageConfig> {
  const parsed = await parseDocument('config', bytes, subject, what);
  const result = { ...parsed };
  // Docker writes `null` for absent lists; the model uses absence.
  if (parsed.config === null) delete result.config;
  if (parsed.history === null) delete result.history;
  return result as ImageConfig;
}

export async function parseDockerArchiveManifest(
  bytes: Buffer,
  subject: string,
): Promise<DockerArchiveEntry[]> {
  return (await parseDocument('dockerArchiveManifest', bytes, subject, 'manifest.json')).map((entry) => ({
    ...entry,
    RepoTags: entry.RepoTags ?? [],
  }));
}

/** `{ "repositories": { "name": { "tag": "<top layer id>" } } }` from legacy `docker save`. */
export function parseRepositories(
  bytes: Buffer,
  subject: string,
): Promise<Record<string, Record<string, string>>> {
  return parseDocument('repositories', bytes, subject, 'repositories');
}

export function parseOciLayoutFile(bytes: Buffer, subject: string): Promise<{ imageLayoutVersion: string }> {
  return parseDocument('ociLayout', bytes, subject, 'oci-layout');
}
