/**
 * Layer compression: which codec a blob uses (media type, checked against its
 * magic bytes, since docker-archive layers have no media type and mislabelled
 * blobs exist) and streaming decompressors with a guard against bombs.
 */
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { Decompress as ZstdDecompressor } from 'fzstd';
import { PareError } from '../util/errors.js';
import type { Compression } from './types.js';

/** Measured here: 256 KiB output chunks inflate 2-3x faster than zlib's 16 KiB default. */
const GUNZIP_CHUNK_SIZE = 256 * 1024;

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const;
/** zstd skippable frames (0x184D2A5?) precede real frames in some seekable/chunked formats. */
const ZSTD_SKIPPABLE_LOW = 0x50;

/** Codec named by a layer media type; undefined when the type does not say (or is not a layer type). */
export function compressionFromMediaType(mediaType: string): Compression | undefined {
  const type = mediaType.toLowerCase();
  if (type.endsWith('+gzip') || type.endsWith('.tar.gzip') || type.endsWith('.tar.gz')) return 'gzip';
  if (type.endsWith('+zstd') || type.endsWith('.tar.zstd')) return 'zstd';
  if (type.endsWith('.tar') || type.endsWith('.v1.tar')) return 'none';
  return undefined;
}

/** Codec given by the first bytes of a blob (4 are enough). Anything else is taken as a plain tar. */
export function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) return 'gzip';
  if (head.length >= 4) {
    if (head[0] === ZSTD_MAGIC[0] && head[1] === ZSTD_MAGIC[1] && head[2] === ZSTD_MAGIC[2]) {
      if (head[3] === ZSTD_MAGIC[3]) return 'zstd';
    }
    if (
      (head[0]! & 0xf0) === ZSTD_SKIPPABLE_LOW &&
      head[1] === 0x2a &&
      head[2] === 0x4d &&
      head[3] === 0x18
    ) {
      return 'zstd';
    }
  }
  return 'none';
}

/**
 * The codec to use for a blob: the media type's, provided the magic bytes agree;
 * the magic bytes' when the media type says nothing. Disagreement is an error:
 * guessing would either fail later with a confusing tar error or hash the wrong bytes.
 */
export function resolveCompression(
  mediaType: string | undefined,
  head: Uint8Array,
  subject: string,
): Compression {
  const sniffed = sniffCompression(head);
  const declared = mediaType === undefined ? undefined : compressionFromMediaType(mediaType);
  if (declared === undefined || declared === sniffed) return sniffed;
  // An empty blob has no magic bytes; let the tar reader report it.
  if (head.length === 0) return declared;
  throw new PareError(
    `media type ${mediaType} says ${describe(declared)} but the blob's first bytes are ${describe(sniffed)}`,
    { subject },
  );
}

function describe(compression: Compression): string {
  return compression === 'none' ? 'an uncompressed tar' : `${compression}`;
}

export interface DecompressOptions {
  /** Names the blob in errors, e.g. `docker-archive:app.tar layer 2 sha256:ab12…`. */
  subject: string;
  /** Fail once more than this many bytes come out (default 1 TiB: effectively off). */
  maxBytes?: number;
  /**
   * Fail when output/input exceeds this ratio, checked once output passes
   * RATIO_GRACE_BYTES. Off by default: a layer holding a big file of zeros is
   * legitimately ~1000:1 under gzip and far more under zstd.
   */
  maxRatio?: number;
}

const DEFAULT_MAX_UNCOMPRESSED_BYTES = 2 ** 40;
export const RATIO_GRACE_BYTES = 16 * 1024 * 1024;

/**
 * The stages that turn a compressed blob into its tar: the codec (gzip via zlib
 * on the thread pool; zstd natively where Node has it, else fzstd) followed by
 * the bomb guard. Codec errors are raw zlib/fzstd errors; pass them through
 * `translateCodecError` where the chain ends.
 */
export function decompressionStages(compression: 'gzip' | 'zstd', options: DecompressOptions): Transform[] {
  const decoder = compression === 'gzip' ? zlib.createGunzip({ chunkSize: GUNZIP_CHUNK_SIZE }) : createZstd();
  const consumed = () => (decoder as unknown as { bytesWritten?: number }).bytesWritten ?? 0;
  return [decoder, new DecompressionGuard(compression, consumed, options)];
}

type NativeZstd = (options?: { chunkSize?: number }) => Transform;

function createZstd(): Transform {
  // Node >= 22.15 ships zstd in zlib; Node 20 does not, so fall back to fzstd.
  const native = (zlib as unknown as { createZstdDecompress?: NativeZstd }).createZstdDecompress;
  return native ? native({ chunkSize: GUNZIP_CHUNK_SIZE }) : new FzstdTransform();
}

/** fzstd's push-style decoder as a Transform. Its output arrays are freshly allocated, so no copy. */
class FzstdTransform extends Transform {
  bytesWritten = 0;
  private readonly decoder = new ZstdDecompressor((data) => {
    if (data.length > 0) this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytesWritten += chunk.length;
    try {
      this.decoder.push(chunk);
      callback();
    } catch (error) {
      callback(codecError(error));
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      callback();
    } catch (error) {
      callback(codecError(error));
    }
  }
}

function codecError(error: unknown): Error {
  const wrapped = error instanceof Error ? error : new Error(String(error));
  (wrapped as { codec?: string }).codec = 'zstd';
  return wrapped;
}

/** Counts decompressed bytes and stops the stream when it looks like a bomb. */
class DecompressionGuard extends Transform {
  private produced = 0;
  private readonly maxBytes: number;

  constructor(
    private readonly compression: 'gzip' | 'zstd',
    private readonly consumed: () => number,
    private readonly options: DecompressOptions,
  ) {
    super();
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.produced += chunk.length;
    callback(this.checkLimits(), chunk);
  }

  private checkLimits(): PareError | null {
    const { subject, maxRatio } = this.options;
    if (this.produced > this.maxBytes) {
      return new PareError(
        `${this.compression} data expands past the ${this.maxBytes}-byte limit (possible decompression bomb)`,
        { subject },
      );
    }
    if (maxRatio !== undefined && this.produced > RATIO_GRACE_BYTES) {
      const ratio = this.produced / Math.max(1, this.consumed());
      if (ratio > maxRatio) {
        return new PareError(
          `${this.compression} data expands more than ${maxRatio}:1 (possible decompression bomb)`,
          { subject },
        );
      }
    }
    return null;
  }
}

/**
 * A one-line PareError for a zlib or fzstd failure, or undefined when the error
 * did not come from a codec. zlib errors carry `errno`/`code` Z_*; ours carry `codec`.
 */
export function translateCodecError(
  compression: Compression,
  error: Error,
  subject: string,
): PareError | undefined {
  if (compression === 'none') return undefined;
  const code = (error as { code?: unknown }).code;
  const fromZlib = typeof code === 'string' && code.startsWith('Z_');
  const fromZstd = (error as { codec?: unknown }).codec === 'zstd';
  if (!fromZlib && !fromZstd) return undefined;
  return new PareError(describeCodecError(compression, error), { subject, cause: error });
}

/** "truncated gzip data" or "corrupt zstd data (…)" from zlib/fzstd errors. */
function describeCodecError(compression: Compression, error: Error): string {
  const code = (error as { code?: unknown }).code;
  const truncated = code === 'Z_BUF_ERROR' || (compression === 'zstd' && code === 5);
  const detail = error.message.replace(/\s+/g, ' ').trim();
  return truncated ? `truncated ${compression} data (${detail})` : `corrupt ${compression} data (${detail})`;
}
