/**
 * Images in a registry (Registry HTTP API v2): `host/repo:tag` or
 * `host/repo@sha256:…`. The manifest is resolved when the image is opened (an
 * index or manifest list is followed to the requested platform), so a wrong
 * tag fails at once; the config is fetched on first use and layers stream
 * their blobs on demand. Every document and blob is checked against its digest.
 */
import { addAbortSignal, Readable } from 'node:stream';
import { PareError } from '../../util/errors.js';
import {
  compressionFromMediaType,
  decompressionStages,
  resolveCompression,
  translateCodecError,
} from '../compression.js';
import { isDigest, sha256, verifyBytes, verifyDigest } from '../digest.js';
import { DEFAULT_PLATFORM, parsePlatform, selectPlatform } from '../platform.js';
import {
  type DockerReference,
  formatDockerReference,
  type ImageReference,
  parseDockerReference,
  withDefaultTag,
} from '../reference.js';
import { chainStreams } from '../stream-chain.js';
import type {
  Compression,
  Descriptor,
  Digest,
  Image,
  ImageConfig,
  Layer,
  Manifest,
  Platform,
  ReadOptions,
} from '../types.js';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';
import { MANIFEST_ACCEPT, ManifestFormatError, parseRegistryDocument } from './registry-manifest.js';

export interface RegistryOpenOptions extends RegistryClientOptions {
  /** `os/arch[/variant]` chosen from an index or manifest list. Default `linux/amd64`. */
  platform?: string | Platform;
  signal?: AbortSignal;
}

/** What `openRegistryImage` accepts: the IMAGE text, or reference.ts's parse of it. */
export type RegistryImageReference =
  | string
  | DockerReference
  | Extract<ImageReference, { transport: 'registry' }>;

const MANIFEST_LIMIT = 4 * 1024 * 1024;
const CONFIG_LIMIT = 32 * 1024 * 1024;
/** OCI allows indexes of indexes; real images nest at most once. */
const MAX_INDEX_DEPTH = 4;

/** Resolves `ref` to one image manifest and returns the image; fails fast on unknown tags, auth or platform. */
export async function openRegistryImage(
  ref: RegistryImageReference,
  options: RegistryOpenOptions = {},
): Promise<RegistryImage> {
  const { reference, shown } = toReference(ref);
  const platform = resolvePlatformOption(options.platform, shown);
  const client = new RegistryClient(reference.domain, reference.repository, options);
  try {
    const resolved = await resolveManifest(client, reference, platform, options.signal);
    return new RegistryImage(shown, client, resolved);
  } catch (error) {
    client.close();
    throw error;
  }
}

function toReference(ref: RegistryImageReference): { reference: DockerReference; shown: string } {
  if (typeof ref === 'string') {
    const name = ref.startsWith('docker://') ? ref.slice('docker://'.length) : ref;
    return { reference: withDefaultTag(parseDockerReference(name)), shown: ref };
  }
  if ('transport' in ref) return { reference: withDefaultTag(ref.name), shown: ref.raw };
  return { reference: withDefaultTag(ref), shown: formatDockerReference(withDefaultTag(ref)) };
}

function resolvePlatformOption(option: string | Platform | undefined, subject: string): Platform {
  if (option === undefined) return DEFAULT_PLATFORM;
  if (typeof option !== 'string') return option;
  try {
    return parsePlatform(option);
  } catch (error) {
    // platform.ts does not know which image the flag was for.
    if (error instanceof PareError && error.subject === undefined) {
      throw new PareError(error.message, { subject });
    }
    throw error;
  }
}

interface ResolvedManifest {
  manifest: Manifest;
  /** Digest of the image manifest itself (after following any index). */
  manifestDigest: Digest;
  /** Digest of the index the reference named, when it named one. */
  indexDigest?: Digest;
  /** The index entry's platform, when one was chosen. */
  platform?: Platform;
}

async function resolveManifest(
  client: RegistryClient,
  reference: DockerReference,
  platform: Platform,
  signal: AbortSignal | undefined,
): Promise<ResolvedManifest> {
  const name = `${reference.domain}/${reference.repository}`;
  let target: string = reference.digest ?? reference.tag ?? 'latest';
  let expected: Descriptor | undefined;
  let subject = formatDockerReference(reference);
  let indexDigest: Digest | undefined;
  let chosen: Platform | undefined;

  for (let depth = 0; ; depth++) {
    const { body, response } = await client.fetchBytes(`manifests/${target}`, MANIFEST_LIMIT, {
      subject,
      notFound: 'manifest not found',
      accept: MANIFEST_ACCEPT,
      signal,
    });
    const digest = sha256(body);
    const wanted = expected?.digest ?? (isDigest(target) ? target : undefined);
    if (wanted && digest !== wanted) {
      throw new PareError(`manifest digest mismatch: expected ${wanted}, got ${digest}`, { subject });
    }
    if (expected && body.length !== expected.size) {
      throw new PareError(`manifest is ${body.length} bytes but the index says ${expected.size}`, {
        subject,
      });
    }
    const announced = response.headers['docker-content-digest'];
    if (typeof announced === 'string' && announced.startsWith('sha256:') && announced !== digest) {
      const mismatch = `manifest digest mismatch: the registry announced ${announced}, the bytes hash to ${digest}`;
      throw new PareError(mismatch, { subject });
    }

    let document: ReturnType<typeof parseRegistryDocument>;
    try {
      document = parseRegistryDocument(body, headerValue(response.headers['content-type']));
    } catch (error) {
      if (error instanceof ManifestFormatError) throw new PareError(error.message, { subject });
      throw error;
    }
    if (document.kind === 'manifest') {
      return {
        manifest: document.manifest,
        manifestDigest: digest,
        ...(indexDigest ? { indexDigest } : {}),
        ...(chosen ? { platform: chosen } : {}),
      };
    }

    if (depth >= MAX_INDEX_DEPTH) {
      throw new PareError(`indexes nested more than ${MAX_INDEX_DEPTH} deep`, { subject });
    }
    indexDigest ??= digest;
    const entry = selectPlatform(document.manifests, platform, subject);
    chosen = entry.platform ?? chosen;
    expected = entry;
    target = entry.digest;
    subject = `${name}@${entry.digest}`;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export class RegistryImage implements Image {
  private configPromise: Promise<ImageConfig> | undefined;
  private layersPromise: Promise<Layer[]> | undefined;
  private closed = false;
  private readonly name: string;

  constructor(
    readonly reference: string,
    private readonly client: RegistryClient,
    private readonly resolved: ResolvedManifest,
  ) {
    this.name = `${client.host}/${client.repository}`;
  }

  /** Digest of the image manifest (the platform's, when the reference named an index). */
  get manifestDigest(): Digest {
    return this.resolved.manifestDigest;
  }

  /** Digest of the index or manifest list the reference named, if it named one. */
  get indexDigest(): Digest | undefined {
    return this.resolved.indexDigest;
  }

  /** The platform of the index entry chosen, if the reference named an index. */
  get platform(): Platform | undefined {
    return this.resolved.platform;
  }

  async manifest(): Promise<Manifest> {
    return this.resolved.manifest;
  }

  async configDigest(): Promise<Digest> {
    return this.resolved.manifest.config.digest;
  }

  config(): Promise<ImageConfig> {
    this.configPromise ??= this.fetchConfig();
    return this.configPromise;
  }

  layers(): Promise<Layer[]> {
    this.layersPromise ??= this.buildLayers();
    return this.layersPromise;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  private async fetchConfig(): Promise<ImageConfig> {
    const descriptor = this.resolved.manifest.config;
    const subject = `${this.name}@${descriptor.digest}`;
    if (descriptor.size > CONFIG_LIMIT) {
      const limit = `config blob of ${descriptor.size} bytes exceeds the ${CONFIG_LIMIT}-byte limit`;
      throw new PareError(limit, { subject });
    }
    const { body } = await this.client.fetchBytes(`blobs/${descriptor.digest}`, CONFIG_LIMIT, {
      subject,
      notFound: 'config blob not found',
    });
    if (body.length !== descriptor.size) {
      throw new PareError(`config blob is ${body.length} bytes but the manifest says ${descriptor.size}`, {
        subject,
      });
    }
    verifyBytes(body, descriptor.digest, subject);
    let config: ImageConfig;
    try {
      config = JSON.parse(body.toString('utf8')) as ImageConfig;
    } catch {
      throw new PareError('image config is not valid JSON', { subject });
    }
    const diffIds = config?.rootfs?.diff_ids;
    if (!Array.isArray(diffIds) || !diffIds.every(isDigest)) {
      throw new PareError('image config has no rootfs.diff_ids list of sha256 digests', { subject });
    }
    return config;
  }

  private async buildLayers(): Promise<Layer[]> {
    const manifest = this.resolved.manifest;
    const config = await this.config();
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) {
      throw new PareError(
        `manifest lists ${manifest.layers.length} layers but the config has ${diffIds.length} diff_ids`,
        { subject: this.reference },
      );
    }
    return manifest.layers.map((descriptor, i) => {
      const compression = compressionFromMediaType(descriptor.mediaType);
      if (!compression) {
        throw new PareError(`layer ${i} has unsupported media type ${descriptor.mediaType}`, {
          subject: `${this.name}@${descriptor.digest}`,
        });
      }
      return new RegistryLayer(this.client, this.name, descriptor, diffIds[i] as Digest, compression);
    });
  }
}

class RegistryLayer implements Layer {
  readonly digest: Digest;
  readonly size: number;
  readonly mediaType: string;

  constructor(
    private readonly client: RegistryClient,
    private readonly name: string,
    descriptor: Descriptor,
    readonly diffId: Digest,
    readonly compression: Compression,
  ) {
    this.digest = descriptor.digest;
    this.size = descriptor.size;
    this.mediaType = descriptor.mediaType;
  }

  async compressed(options: ReadOptions = {}): Promise<Readable> {
    const subject = this.subject();
    const blob = this.client.openBlob(this.digest, this.size, {
      subject,
      notFound: 'blob not found',
      signal: options.signal,
    });
    const stream =
      options.verify === false
        ? blob
        : chainStreams(
            blob,
            [verifyDigest({ expected: this.digest, role: 'blob', size: this.size, subject })],
            same,
          );
    if (options.signal) addAbortSignal(options.signal, stream);
    // Waiting for the first bytes makes a missing blob or refused auth reject this call, not a later read.
    return (await peek(stream, 1)).stream;
  }

  async uncompressed(options: ReadOptions = {}): Promise<Readable> {
    const subject = this.subject();
    const { head, stream: blob } = await peek(await this.compressed(options), 4);
    let compression: ReturnType<typeof resolveCompression>;
    try {
      compression = resolveCompression(this.mediaType, head, subject);
    } catch (error) {
      blob.destroy();
      throw error;
    }
    const stages = compression === 'none' ? [] : decompressionStages(compression, { subject });
    if (options.verify !== false) {
      stages.push(verifyDigest({ expected: this.diffId, role: 'diff_id', subject }));
    }
    if (stages.length === 0) return blob;
    const tar = chainStreams(
      blob,
      stages,
      (error) => translateCodecError(compression, error, subject) ?? error,
    );
    if (options.signal) addAbortSignal(options.signal, tar);
    return tar;
  }

  private subject(): string {
    return `${this.name}@${this.digest}`;
  }
}

const same = (error: Error): Error => error;

/**
 * Reads at least `count` bytes (fewer only at the end) and puts them back, so
 * the returned stream still starts at byte 0. Rejects if the stream fails first,
 * including before this call: a small blob can be read, checked and found
 * wrong before anyone asks for its first bytes, and then no event comes again.
 */
async function peek(stream: Readable, count: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let total = 0;
  let ended = false;
  while (total < count && !ended) {
    if (stream.errored) throw stream.errored;
    if (stream.destroyed) throw prematureClose();
    const chunk = stream.read() as Buffer | null;
    if (chunk !== null) {
      chunks.push(chunk);
      total += chunk.length;
      continue;
    }
    if (stream.readableEnded) break;
    ended = await new Promise<boolean>((resolve, reject) => {
      const settle = (outcome: () => void) => () => {
        stream.off('readable', onReadable);
        stream.off('end', onEnd);
        stream.off('error', onError);
        stream.off('close', onClose);
        outcome();
      };
      const onReadable = settle(() => resolve(false));
      const onEnd = settle(() => resolve(true));
      const onError = (error: Error) => settle(() => reject(error))();
      const onClose = settle(() => reject(stream.errored ?? prematureClose()));
      stream.on('readable', onReadable);
      stream.on('end', onEnd);
      stream.on('error', onError);
      stream.on('close', onClose);
    });
  }
  const head = Buffer.concat(chunks, total);
  // After 'end' a stream cannot take bytes back; hand out a fresh one holding them.
  if (ended || stream.readableEnded) {
    return { head, stream: Readable.from(head.length > 0 ? [head] : [], { objectMode: false }) };
  }
  stream.unshift(head);
  return { head, stream };
}

function prematureClose(): Error {
  return Object.assign(new Error('stream closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}
