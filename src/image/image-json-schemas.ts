/**
 * The zod schemas of the image JSON documents (image-json.ts). They are the
 * definition of what is accepted and the source of every validation message,
 * but they are loaded only when a document fails image-json.ts's direct checks:
 * zod is some hundred modules to load, and a well-formed image never needs it.
 */
import { z } from 'zod';
import { isDigest } from './digest.js';
import type { Descriptor, Digest, Platform } from './types.js';

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

const history = z.looseObject({
  created: z.string().optional(),
  created_by: z.string().optional(),
  author: z.string().optional(),
  comment: z.string().optional(),
  empty_layer: z.boolean().optional(),
});

export const SCHEMAS = {
  index: z.looseObject({
    schemaVersion: z.literal(2),
    mediaType: z.string().optional(),
    manifests: z.array(descriptor),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  manifest: z.looseObject({
    schemaVersion: z.literal(2),
    mediaType: z.string().optional(),
    config: descriptor,
    layers: z.array(descriptor),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  config: z.looseObject({
    architecture: z.string().default(''),
    os: z.string().default(''),
    variant: z.string().optional(),
    created: z.string().optional(),
    author: z.string().optional(),
    config: z.looseObject({}).nullable().optional(),
    rootfs: z.looseObject({ type: z.literal('layers'), diff_ids: z.array(digest) }),
    history: z.array(history).nullable().optional(),
  }),
  dockerArchiveManifest: z.array(
    z.looseObject({
      Config: z.string(),
      RepoTags: z.array(z.string()).nullable().optional(),
      Layers: z.array(z.string()),
    }),
  ),
  repositories: z.record(z.string(), z.record(z.string(), z.string())),
  ociLayout: z.looseObject({ imageLayoutVersion: z.string() }),
} satisfies Record<string, z.ZodType>;

export type SchemaName = keyof typeof SCHEMAS;
