/**
 * An in-process fake of the Registry HTTP API v2 on 127.0.0.1 (random port),
 * plus a builder for small images held in memory. Behaviours a test needs —
 * token or basic auth, flaky or redirected or truncated blobs, expired tokens —
 * are switches, and every request is logged so tests can count retries.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export type Digest = `sha256:${string}`;

export function sha256(bytes: Buffer): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

// ---------------------------------------------------------------------------
// Images in memory

/** A ustar archive of regular files: enough for blobs whose digests we check. */
function tarOf(files: Record<string, string | Buffer>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A zstd frame of raw (stored) blocks: valid zstd without needing a compressor. */
function zstdStored(data: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0])];
  const size = Buffer.alloc(4);
  size.writeUInt32LE(data.length);
  parts.push(size);
  const blockMax = 128 * 1024;
  let offset = 0;
  do {
    const piece = data.subarray(offset, offset + blockMax);
    offset += piece.length;
    const last = offset >= data.length ? 1 : 0;
    const header = (piece.length << 3) | last; // block type 0 = raw
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), piece);
  } while (offset < data.length);
  return Buffer.concat(parts);
}

export type LayerCompression = 'gzip' | 'zstd' | 'none';
export type ImageFormat = 'oci' | 'docker';

export interface LayerSpec {
  files: Record<string, string | Buffer>;
  compression?: LayerCompression;
  /** Stored under a media type that lies about the compression. */
  mediaType?: string;
}

export interface BuiltLayer {
  digest: Digest;
  diffId: Digest;
  size: number;
  mediaType: string;
  blob: Buffer;
  tar: Buffer;
}

export interface BuiltImage {
  format: ImageFormat;
  manifest: Buffer;
  manifestDigest: Digest;
  manifestMediaType: string;
  config: Buffer;
  configDigest: Digest;
  layers: BuiltLayer[];
  platform: { os: string; architecture: string; variant?: string };
}

const LAYER_TYPES: Record<ImageFormat, Record<LayerCompression, string>> = {
  oci: {
    gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
    zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
    none: 'application/vnd.oci.image.layer.v1.tar',
  },
  docker: {
    gzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
    none: 'application/vnd.docker.image.rootfs.diff.tar',
  },
};

export function buildImage(options: {
  layers: LayerSpec[];
  format?: ImageFormat;
  platform?: { os: string; architecture: string; variant?: string };
  /** Overrides the config's diff_ids (to make a config that lies). */
  diffIds?: Digest[];
  configMediaType?: string;
}): BuiltImage {
  const format = options.format ?? 'oci';
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const layers = options.layers.map((spec): BuiltLayer => {
    const tar = tarOf(spec.files);
    const compression = spec.compression ?? 'gzip';
    const blob = compression === 'gzip' ? gzipSync(tar) : compression === 'zstd' ? zstdStored(tar) : tar;
    return {
      digest: sha256(blob),
      diffId: sha256(tar),
      size: blob.length,
      mediaType: spec.mediaType ?? LAYER_TYPES[format][compression],
      blob,
      tar,
    };
  });
  const config = Buffer.from(
    JSON.stringify({
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: options.diffIds ?? layers.map((layer) => layer.diffId) },
      history: layers.map((_, i) => ({ created_by: `RUN step ${i}` })),
    }),
  );
  const manifestMediaType =
    format === 'oci'
      ? 'application/vnd.oci.image.manifest.v1+json'
      : 'application/vnd.docker.distribution.manifest.v2+json';
  const configMediaType =
    options.configMediaType ??
    (format === 'oci'
      ? 'application/vnd.oci.image.config.v1+json'
      : 'application/vnd.docker.container.image.v1+json');
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestMediaType,
      config: { mediaType: configMediaType, digest: sha256(config), size: config.length },
      layers: layers.map((layer) => ({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size })),
    }),
  );
  return {
    format,
    manifest,
    manifestDigest: sha256(manifest),
    manifestMediaType,
    config,
    configDigest: sha256(config),
    layers,
    platform,
  };
}

export interface PushableImage {
  manifest: Buffer;
  manifestDigest: Digest;
  manifestMediaType?: string;
  config: Buffer;
  configDigest: Digest;
  layers: { digest: Digest; blob: Buffer }[];
}

export interface BuiltIndex {
  body: Buffer;
  digest: Digest;
  mediaType: string;
}

export function buildIndex(
  images: BuiltImage[],
  format: ImageFormat = 'oci',
  extra: object[] = [],
): BuiltIndex {
  const mediaType =
    format === 'oci'
      ? 'application/vnd.oci.image.index.v1+json'
      : 'application/vnd.docker.distribution.manifest.list.v2+json';
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: [
        ...images.map((image) => ({
          mediaType: image.manifestMediaType,
          digest: image.manifestDigest,
          size: image.manifest.length,
          platform: image.platform,
        })),
        ...extra,
      ],
    }),
  );
  return { body, digest: sha256(body), mediaType };
}

// ---------------------------------------------------------------------------
// The fake registry

export type AuthMode = { kind: 'none' } | { kind: 'basic'; user: string; password: string } | TokenAuth;

export interface TokenAuth {
  kind: 'token';
  /** Credentials the token endpoint demands; anonymous tokens when absent. */
  user?: string;
  password?: string;
  /** Refresh token accepted by POST /token (docker's identitytoken). */
  refreshToken?: string;
}

export interface BlobBehaviour {
  /** Answer this many requests with 503 before serving. */
  failFirst?: number;
  /** Redirect to the storage server (a different origin). */
  redirect?: boolean;
  /** Serve these bytes instead of the real ones. */
  corruptWith?: Buffer;
  /** Close the connection after this many bytes of the response… */
  cutAfter?: number;
  /** …on this many requests (default 1). */
  cutTimes?: number;
  /** Send this many bytes of the body, then nothing more, keeping the connection open. */
  stallAfter?: number;
  /** Accept the request and never answer it. */
  neverAnswer?: boolean;
  /** Send the body in pieces of this many bytes, one per `dripMs`: slow but never stalled. */
  drip?: { bytes: number; everyMs: number };
}

export interface LoggedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class FakeRegistry {
  readonly manifests = new Map<string, { body: Buffer; mediaType: string; failFirst?: number }>();
  readonly blobs = new Map<string, Buffer>();
  readonly blobBehaviour = new Map<string, BlobBehaviour>();
  readonly requests: LoggedRequest[] = [];
  readonly storageRequests: LoggedRequest[] = [];
  auth: AuthMode = { kind: 'none' };
  private readonly issuedTokens = new Set<string>();
  private tokenCounter = 0;
  private readonly server = http.createServer((req, res) => this.handle(req, res, this.requests, false));
  private readonly storage = http.createServer((req, res) =>
    this.handle(req, res, this.storageRequests, true),
  );
  private readonly counts = new Map<string, number>();
  private port = 0;
  private storagePort = 0;

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port = await listen(this.server);
    this.storagePort = await listen(this.storage);
    return this;
  }

  async stop(): Promise<void> {
    for (const server of [this.server, this.storage]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  /** Forget issued tokens, as when they expire. */
  expireTokens(): void {
    this.issuedTokens.clear();
  }

  /** Takes images from this file's builder or from test/helpers/image-writer.ts (OCI manifests). */
  pushImage(repository: string, tag: string | undefined, image: PushableImage): void {
    const entry = {
      body: image.manifest,
      mediaType: image.manifestMediaType ?? 'application/vnd.oci.image.manifest.v1+json',
    };
    this.manifests.set(`${repository}@${image.manifestDigest}`, entry);
    if (tag) this.manifests.set(`${repository}:${tag}`, entry);
    this.blobs.set(image.configDigest, image.config);
    for (const layer of image.layers) this.blobs.set(layer.digest, layer.blob);
  }

  pushIndex(repository: string, tag: string, index: BuiltIndex, images: BuiltImage[]): void {
    for (const image of images) this.pushImage(repository, undefined, image);
    const entry = { body: index.body, mediaType: index.mediaType };
    this.manifests.set(`${repository}:${tag}`, entry);
    this.manifests.set(`${repository}@${index.digest}`, entry);
  }

  countOf(path: string): number {
    return this.requests.filter((request) => request.url.split('?')[0] === path).length;
  }

  private authorized(
    req: http.IncomingMessage,
    repository: string,
  ): { ok: true } | { ok: false; challenge: string } {
    const header = req.headers.authorization ?? '';
    if (this.auth.kind === 'none') return { ok: true };
    if (this.auth.kind === 'basic') {
      const expected = `Basic ${Buffer.from(`${this.auth.user}:${this.auth.password}`).toString('base64')}`;
      return header === expected ? { ok: true } : { ok: false, challenge: 'Basic realm="fake-registry"' };
    }
    if (header.startsWith('Bearer ') && this.issuedTokens.has(header.slice(7))) return { ok: true };
    return {
      ok: false,
      challenge: `Bearer realm="http://${this.host}/token",service="fake-registry",scope="repository:${repository}:pull"`,
    };
  }

  private issueToken(req: http.IncomingMessage, body: string, res: http.ServerResponse) {
    const auth = this.auth;
    if (auth.kind !== 'token') return sendJson(res, 404, {});
    if (req.method === 'POST') {
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== auth.refreshToken) {
        return sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad refresh token' }] });
      }
    } else if (auth.user !== undefined) {
      const expected = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        return sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
      }
    }
    const token = `token-${++this.tokenCounter}`;
    this.issuedTokens.add(token);
    // Half the token servers in the wild answer `token`, the others `access_token`.
    sendJson(res, 200, this.tokenCounter % 2 === 0 ? { access_token: token } : { token, expires_in: 300 });
  }

  private async handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    log: LoggedRequest[],
    isStorage: boolean,
  ): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    const url = req.url ?? '/';
    log.push({ method: req.method ?? 'GET', url, headers: req.headers, body });
    const path = url.split('?')[0] ?? '/';
    const count = (this.counts.get(`${isStorage}${path}`) ?? 0) + 1;
    this.counts.set(`${isStorage}${path}`, count);

    if (isStorage) {
      const digest = path.replace(/^\/storage\//, '');
      const blob = this.blobs.get(digest);
      return blob ? this.sendBlob(req, res, blob, digest, count) : sendJson(res, 404, {});
    }
    if (path === '/token') return this.issueToken(req, body, res);
    if (path === '/v2/' || path === '/v2') return sendJson(res, 200, {});

    const match = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
    if (!match) return sendJson(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'no route' }] });
    const [, repository = '', kind, reference = ''] = match;
    const auth = this.authorized(req, repository);
    if (!auth.ok) {
      res.setHeader('www-authenticate', auth.challenge);
      return sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
    }

    if (kind === 'manifests') {
      const key = reference.startsWith('sha256:')
        ? `${repository}@${reference}`
        : `${repository}:${reference}`;
      const manifest = this.manifests.get(key);
      if (!manifest) {
        return sendJson(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
      }
      if (manifest.failFirst && count <= manifest.failFirst) return sendJson(res, 503, {});
      res.writeHead(200, { 'content-type': manifest.mediaType, 'content-length': manifest.body.length });
      return void res.end(manifest.body);
    }

    const blob = this.blobs.get(reference);
    if (!blob)
      return sendJson(res, 404, { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] });
    const behaviour = this.blobBehaviour.get(reference) ?? {};
    if (behaviour.neverAnswer) return;
    if (behaviour.failFirst && count <= behaviour.failFirst) {
      return sendJson(res, 503, { errors: [{ code: 'UNAVAILABLE', message: 'try again' }] });
    }
    if (behaviour.redirect) {
      res.writeHead(307, { location: `http://127.0.0.1:${this.storagePort}/storage/${reference}` });
      return void res.end();
    }
    this.sendBlob(req, res, blob, reference, count);
  }

  private sendBlob(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    blob: Buffer,
    digest: string,
    count: number,
  ): void {
    const behaviour = this.blobBehaviour.get(digest) ?? {};
    const bytes = behaviour.corruptWith ?? blob;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const body = bytes.subarray(start);
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
    };
    if (range) headers['content-range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    res.writeHead(range ? 206 : 200, headers);
    if (behaviour.stallAfter !== undefined) {
      res.write(body.subarray(0, behaviour.stallAfter));
      return;
    }
    if (behaviour.drip) {
      const { bytes: piece, everyMs } = behaviour.drip;
      let offset = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(body.subarray(offset, offset + piece));
        offset += piece;
        if (offset >= body.length) {
          clearInterval(timer);
          res.end();
        }
      }, everyMs);
      return;
    }
    if (behaviour.cutAfter !== undefined && count <= (behaviour.cutTimes ?? 1)) {
      res.write(body.subarray(0, behaviour.cutAfter), () => {
        res.socket?.destroy();
      });
      return;
    }
    res.end(body);
  }
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
