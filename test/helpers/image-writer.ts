/**
 * Writes test images from a declarative description, in every local format
 * pare reads: docker-archive (legacy and Docker 25+ OCI-index layouts), OCI
 * layout directory, oci-archive. The same description gives the same blobs
 * (and so the same digests) in every format, which is what the conformance
 * tests compare.
 *
 *   const image = buildImage({ layers: [{ entries: [file('etc/hello', 'hi')] }] });
 *   await writeDockerArchive(path, [image]);
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Compression, ContainerConfig, Digest, HistoryEntry, Platform } from '../../src/image/types.js';
import { type LongNameStyle, type SimpleEntry, tarEntry, tarOf } from './tar-writer.js';

const ZSTD_CLI = '/usr/bin/zstd';
/** zstd layers are written with the zstd CLI; tests that need them skip when it is missing. */
export const zstdAvailable = existsSync(ZSTD_CLI);

export type Content = string | Buffer | { size: number; seed?: number };

interface Common {
  path: string;
  /** Raw name bytes, for non-UTF-8 names; `path` is then only a label. */
  pathBytes?: Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  longNames?: LongNameStyle;
  /** Extra pax records (e.g. `SCHILY.xattr.security.capability`). */
  pax?: Record<string, string | Buffer>;
}

export type EntrySpec =
  | (Common & { type: 'file'; content?: Content; strayLinkname?: string })
  | (Common & { type: 'dir' })
  | (Common & { type: 'symlink'; target: string })
  | (Common & { type: 'hardlink'; target: string })
  | (Common & { type: 'whiteout'; strayLinkname?: string })
  | (Common & { type: 'opaque' })
  | (Common & { type: 'fifo' | 'char' | 'block'; devmajor?: number; devminor?: number })
  /** Pre-built tar bytes (headers and data), for hostile cases. */
  | { type: 'raw'; bytes: Buffer };

export interface LayerSpec {
  entries: EntrySpec[];
  compression?: Compression;
  /** The history line of the instruction that made this layer. */
  createdBy?: string;
  /** Omit the end-of-archive blocks. */
  noEndMarker?: boolean;
}

export interface ImageSpec {
  layers: LayerSpec[];
  /** Full history; when absent, one entry per layer from its `createdBy`. */
  history?: HistoryEntry[];
  config?: ContainerConfig;
  platform?: Platform;
  created?: string;
  /** RepoTags / ref names, e.g. `app:1` or `ghcr.io/o/app:1`. */
  tags?: string[];
}

// ---- entry shorthands --------------------------------------------------------

export const file = (path: string, content: Content = '', extra: Partial<Common> = {}): EntrySpec => ({
  type: 'file',
  path,
  content,
  ...extra,
});
export const dir = (path: string, extra: Partial<Common> = {}): EntrySpec => ({
  type: 'dir',
  path,
  ...extra,
});
export const symlink = (path: string, target: string): EntrySpec => ({ type: 'symlink', path, target });
export const hardlink = (path: string, target: string): EntrySpec => ({ type: 'hardlink', path, target });
export const whiteout = (path: string, strayLinkname?: string): EntrySpec =>
  strayLinkname === undefined ? { type: 'whiteout', path } : { type: 'whiteout', path, strayLinkname };
export const opaque = (path: string): EntrySpec => ({ type: 'opaque', path });
export const raw = (bytes: Buffer): EntrySpec => ({ type: 'raw', bytes });

// ---- building ----------------------------------------------------------------

export interface BuiltLayer {
  /** The uncompressed tar. */
  tar: Buffer;
  /** The stored blob (compressed as asked). */
  blob: Buffer;
  digest: Digest;
  diffId: Digest;
  compression: Compression;
  mediaType: string;
}

export interface BuiltImage {
  spec: ImageSpec;
  layers: BuiltLayer[];
  config: Buffer;
  configDigest: Digest;
  /** OCI image manifest. */
  manifest: Buffer;
  manifestDigest: Digest;
  tags: string[];
  platform: Platform;
}

export function sha256(data: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

const hex = (digest: Digest) => digest.slice('sha256:'.length);

/** Deterministic filler bytes: compressible but not trivially so. */
export function fillBytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let state = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = 0x61 + ((state >>> 16) % 8);
  }
  return out;
}

function contentBytes(content: Content | undefined): Buffer {
  if (content === undefined) return Buffer.alloc(0);
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  if (Buffer.isBuffer(content)) return content;
  return fillBytes(content.size, content.seed);
}

function whiteoutName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? `.wh.${path}` : `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`;
}

function entryBytes(spec: EntrySpec): Buffer {
  if (spec.type === 'raw') return spec.bytes;
  const name = spec.pathBytes ?? spec.path;
  const base: SimpleEntry = {
    name,
    ...(spec.mode !== undefined ? { mode: spec.mode } : {}),
    ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
    ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
    ...(spec.mtime !== undefined ? { mtime: spec.mtime } : {}),
    ...(spec.longNames !== undefined ? { longNames: spec.longNames } : {}),
    ...(spec.pax !== undefined ? { pax: spec.pax } : {}),
  };
  switch (spec.type) {
    case 'file':
      return tarEntry({
        ...base,
        data: contentBytes(spec.content),
        ...(spec.strayLinkname ? { linkname: spec.strayLinkname } : {}),
      });
    case 'dir':
      return tarEntry({
        ...base,
        type: '5',
        name: typeof name === 'string' && !name.endsWith('/') ? `${name}/` : name,
      });
    case 'symlink':
      return tarEntry({ ...base, type: '2', linkname: spec.target, mode: spec.mode ?? 0o777 });
    case 'hardlink':
      return tarEntry({ ...base, type: '1', linkname: spec.target });
    case 'whiteout':
      // Docker writes whiteouts as empty regular files; 20.10 sometimes left a link name on them.
      return tarEntry({
        ...base,
        name: whiteoutName(spec.path),
        mode: 0,
        ...(spec.strayLinkname ? { linkname: spec.strayLinkname } : {}),
      });
    case 'opaque':
      return tarEntry({ ...base, name: `${spec.path.replace(/\/$/, '')}/.wh..wh..opq`, mode: 0 });
    case 'fifo':
      return tarEntry({ ...base, type: '6' });
    case 'char':
    case 'block':
      return tarEntry({
        ...base,
        type: spec.type === 'char' ? '3' : '4',
        ...(spec.devmajor !== undefined ? { devmajor: spec.devmajor } : {}),
        ...(spec.devminor !== undefined ? { devminor: spec.devminor } : {}),
      });
  }
}

function layerTar(spec: LayerSpec): Buffer {
  const body = spec.entries.map(entryBytes);
  return Buffer.concat(spec.noEndMarker ? body : [...body, Buffer.alloc(1024)]);
}

export function compress(data: Buffer, compression: Compression): Buffer {
  switch (compression) {
    case 'none':
      return data;
    case 'gzip':
      return gzipSync(data, { level: 6 });
    case 'zstd':
      if (!zstdAvailable) throw new Error(`zstd layers need ${ZSTD_CLI}`);
      return execFileSync(ZSTD_CLI, ['-q', '-c', '-3'], { input: data, maxBuffer: 1 << 30 });
  }
}

const OCI_LAYER_TYPES: Record<Compression, string> = {
  none: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
};

export function buildLayer(spec: LayerSpec): BuiltLayer {
  const tar = layerTar(spec);
  const compression = spec.compression ?? 'none';
  const blob = compress(tar, compression);
  return {
    tar,
    blob,
    digest: sha256(blob),
    diffId: sha256(tar),
    compression,
    mediaType: OCI_LAYER_TYPES[compression],
  };
}

export function buildImage(spec: ImageSpec): BuiltImage {
  const layers = spec.layers.map(buildLayer);
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const created = spec.created ?? '2024-01-01T00:00:00Z';
  const history =
    spec.history ??
    spec.layers.map((layer, index) => ({ created, created_by: layer.createdBy ?? `COPY layer${index} /` }));
  const configObject = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    created,
    config: spec.config ?? {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['/bin/sh'],
    },
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    history,
  };
  const config = Buffer.from(JSON.stringify(configObject));
  const configDigest = sha256(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: layers.map((layer) => ({
        mediaType: layer.mediaType,
        digest: layer.digest,
        size: layer.blob.length,
      })),
    }),
  );
  return {
    spec,
    layers,
    config,
    configDigest,
    manifest,
    manifestDigest: sha256(manifest),
    tags: spec.tags ?? [],
    platform,
  };
}

// ---- outer archives ----------------------------------------------------------

interface OuterFile {
  name: string;
  data?: Buffer;
  symlink?: string;
  directory?: boolean;
}

function outerTar(files: OuterFile[]): Buffer {
  const entries: SimpleEntry[] = files.map((item) => {
    if (item.directory) return { name: `${item.name}/`, type: '5', mode: 0o755 };
    if (item.symlink !== undefined)
      return { name: item.name, type: '2', linkname: item.symlink, mode: 0o777 };
    return { name: item.name, data: item.data ?? Buffer.alloc(0) };
  });
  return tarOf(entries);
}

function descriptorFor(image: BuiltImage, annotations?: Record<string, string>) {
  return {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: image.manifestDigest,
    size: image.manifest.length,
    ...(annotations ? { annotations } : {}),
  };
}

function fullName(tag: string): string {
  const slash = tag.indexOf('/');
  const first = slash === -1 ? '' : tag.slice(0, slash);
  const hasDomain = first.includes('.') || first.includes(':') || first === 'localhost';
  if (hasDomain) return tag;
  return slash === -1 ? `docker.io/library/${tag}` : `docker.io/${tag}`;
}

function blobFiles(images: BuiltImage[], extra: Buffer[] = []): OuterFile[] {
  const blobs = new Map<string, Buffer>();
  for (const image of images) {
    blobs.set(hex(image.configDigest), image.config);
    blobs.set(hex(image.manifestDigest), image.manifest);
    for (const layer of image.layers) blobs.set(hex(layer.digest), layer.blob);
  }
  for (const data of extra) blobs.set(hex(sha256(data)), data);
  return [
    { name: 'blobs', directory: true },
    { name: 'blobs/sha256', directory: true },
    ...[...blobs].map(([name, data]) => ({ name: `blobs/sha256/${name}`, data })),
  ];
}

export interface DockerArchiveOptions {
  /** `legacy` (Docker < 25) or `oci` (Docker 25+: manifest.json beside an OCI layout). */
  layout?: 'legacy' | 'oci';
  /** Write a second use of a layer as a symlink to the first, as legacy `docker save` does (default true). */
  symlinkSharedLayers?: boolean;
  /** Replace manifest.json (for hostile cases). */
  manifestJson?: unknown;
  /** Leave these archive members out (for hostile cases). */
  omit?: string[];
  /** Store these members under other names (for hostile cases). */
  rename?: Record<string, string>;
}

/** Path of each layer inside a docker-archive, in manifest order, for tests that tamper with them. */
export function dockerArchiveLayerPaths(image: BuiltImage, layout: 'legacy' | 'oci'): string[] {
  return image.layers.map((layer, index) =>
    layout === 'oci' ? `blobs/sha256/${hex(layer.digest)}` : `${legacyLayerId(image, index)}/layer.tar`,
  );
}

function legacyLayerId(image: BuiltImage, index: number): string {
  // Like Docker's v1 IDs: derived from the chain of diff_ids below and including this layer.
  return hex(
    sha256(
      image.layers
        .slice(0, index + 1)
        .map((layer) => layer.diffId)
        .join(' '),
    ),
  );
}

export function dockerArchiveBytes(images: BuiltImage[], options: DockerArchiveOptions = {}): Buffer {
  const layout = options.layout ?? 'legacy';
  const files: OuterFile[] = [];
  const manifest: unknown[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  if (layout === 'legacy') {
    const written = new Map<string, string>();
    for (const image of images) {
      const layerPaths: string[] = [];
      image.layers.forEach((layer, index) => {
        const id = legacyLayerId(image, index);
        const path = `${id}/layer.tar`;
        layerPaths.push(path);
        if (files.some((item) => item.name === id)) return;
        files.push({ name: id, directory: true });
        files.push({ name: `${id}/VERSION`, data: Buffer.from('1.0') });
        files.push({ name: `${id}/json`, data: Buffer.from(JSON.stringify({ id })) });
        const first = written.get(layer.digest);
        if (first !== undefined && options.symlinkSharedLayers !== false) {
          files.push({ name: path, symlink: `../${first}` });
        } else {
          files.push({ name: path, data: layer.blob });
          written.set(layer.digest, path);
        }
      });
      files.push({ name: `${hex(image.configDigest)}.json`, data: image.config });
      manifest.push({
        Config: `${hex(image.configDigest)}.json`,
        RepoTags: image.tags.length ? image.tags : null,
        Layers: layerPaths,
      });
      for (const tag of image.tags) {
        const colon = tag.lastIndexOf(':');
        const name = tag.slice(0, colon);
        repositories[name] ??= {};
        repositories[name][tag.slice(colon + 1)] = legacyLayerId(image, image.layers.length - 1);
      }
    }
  } else {
    files.push(...blobFiles(images));
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: images.flatMap((image) =>
        (image.tags.length ? image.tags : [undefined]).map((tag) =>
          descriptorFor(
            image,
            tag === undefined
              ? undefined
              : {
                  'io.containerd.image.name': fullName(tag),
                  'org.opencontainers.image.ref.name': tag.slice(tag.lastIndexOf(':') + 1),
                },
          ),
        ),
      ),
    };
    files.push({ name: 'index.json', data: Buffer.from(JSON.stringify(index)) });
    files.push({ name: 'oci-layout', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') });
    for (const image of images) {
      manifest.push({
        Config: `blobs/sha256/${hex(image.configDigest)}`,
        RepoTags: image.tags.length ? image.tags : null,
        Layers: image.layers.map((layer) => `blobs/sha256/${hex(layer.digest)}`),
      });
    }
  }
  files.push({
    name: 'manifest.json',
    data: Buffer.from(JSON.stringify(options.manifestJson ?? manifest)),
  });
  if (Object.keys(repositories).length > 0) {
    files.push({ name: 'repositories', data: Buffer.from(JSON.stringify(repositories)) });
  }
  const omit = new Set(options.omit ?? []);
  const rename = options.rename ?? {};
  return outerTar(
    files
      .filter((item) => !omit.has(item.name))
      .map((item) => ({ ...item, name: rename[item.name] ?? item.name })),
  );
}

export async function writeDockerArchive(
  path: string,
  images: BuiltImage[],
  options: DockerArchiveOptions = {},
): Promise<string> {
  await writeFile(path, dockerArchiveBytes(images, options));
  return path;
}

export interface OciLayoutOptions {
  /** Put all images under one nested image index (a multi-platform image) instead of listing them at the top. */
  nestedIndex?: boolean;
  /** ref.name annotation of the nested index. */
  indexRef?: string;
  /** Leave these blobs out (hex digests) for hostile cases. */
  omitBlobs?: string[];
}

function ociIndexAndBlobs(
  images: BuiltImage[],
  options: OciLayoutOptions,
): { index: Buffer; files: OuterFile[] } {
  const extra: Buffer[] = [];
  let manifests: unknown[];
  if (options.nestedIndex) {
    const nested = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: images.map((image) => ({ ...descriptorFor(image), platform: image.platform })),
      }),
    );
    extra.push(nested);
    manifests = [
      {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest: sha256(nested),
        size: nested.length,
        ...(options.indexRef
          ? { annotations: { 'org.opencontainers.image.ref.name': options.indexRef } }
          : {}),
      },
    ];
  } else {
    manifests = images.flatMap((image) =>
      (image.tags.length ? image.tags : [undefined]).map((tag) =>
        descriptorFor(image, tag === undefined ? undefined : { 'org.opencontainers.image.ref.name': tag }),
      ),
    );
  }
  const index = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }),
  );
  const omit = new Set(options.omitBlobs ?? []);
  const files = blobFiles(images, extra).filter((item) => !omit.has(item.name.slice('blobs/sha256/'.length)));
  return { index, files };
}

export async function writeOciLayout(
  dir: string,
  images: BuiltImage[],
  options: OciLayoutOptions = {},
): Promise<string> {
  const { index, files } = ociIndexAndBlobs(images, options);
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(join(dir, 'index.json'), index);
  for (const item of files) if (item.data) await writeFile(join(dir, item.name), item.data);
  return dir;
}

function ociArchiveBytes(images: BuiltImage[], options: OciLayoutOptions = {}): Buffer {
  const { index, files } = ociIndexAndBlobs(images, options);
  return outerTar([
    { name: 'oci-layout', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    { name: 'index.json', data: index },
    ...files,
  ]);
}

export async function writeOciArchive(
  path: string,
  images: BuiltImage[],
  options: OciLayoutOptions = {},
): Promise<string> {
  await writeFile(path, ociArchiveBytes(images, options));
  return path;
}

/** Every format this helper writes, for tests that run the same checks over all of them. */
export const FORMATS = ['docker-archive-legacy', 'docker-archive-oci', 'oci', 'oci-archive'] as const;
export type Format = (typeof FORMATS)[number];

/** Writes `images` in `format` under `dir` and returns the IMAGE reference to open it. */
export async function writeImage(dir: string, format: Format, images: BuiltImage[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  switch (format) {
    case 'docker-archive-legacy':
      return `docker-archive:${await writeDockerArchive(join(dir, 'legacy.tar'), images, { layout: 'legacy' })}`;
    case 'docker-archive-oci':
      return `docker-archive:${await writeDockerArchive(join(dir, 'docker25.tar'), images, { layout: 'oci' })}`;
    case 'oci':
      return `oci:${await writeOciLayout(join(dir, 'layout'), images)}`;
    case 'oci-archive':
      return `oci-archive:${await writeOciArchive(join(dir, 'oci.tar'), images)}`;
  }
}
