/**
 * sha256 digests: parsing, formatting, and a pass-through stream that checks a
 * blob against its digest while it is read, so no source ever has to buffer a
 * blob to verify it.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { PareError } from '../util/errors.js';
import type { Digest } from './types.js';

const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_PATTERN.test(value);
}

/** Validates a digest string from a manifest or a user; `subject` names where it came from. */
export function parseDigest(value: string, subject: string): Digest {
  if (isDigest(value)) return value;
  throw new PareError(`"${value}" is not a sha256 digest (expected sha256: and 64 lowercase hex digits)`, {
    subject,
  });
}

export function digestFromHex(hex: string): Digest {
  return `sha256:${hex}`;
}

export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

/** `sha256:0123456789ab…`: long enough to tell blobs apart in a one-line message. */
export function shortDigest(digest: string): string {
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

export function sha256(data: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The digest of everything a stream yields. */
export async function digestOfStream(stream: AsyncIterable<Buffer | Uint8Array>): Promise<Digest> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

/** Passes bytes through unchanged, hashing and counting them: the digest and size of what was written. */
export class DigestingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  digest(): Digest {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/** What a digest was checked as: the stored blob, or the uncompressed tar against the config's diff_id. */
export type DigestRole = 'blob' | 'diff_id';

export class DigestMismatchError extends PareError {
  readonly expected: Digest;
  readonly actual: Digest;
  readonly role: DigestRole;

  constructor(expected: Digest, actual: Digest, role: DigestRole, subject?: string) {
    const message =
      role === 'blob'
        ? `blob ${shortDigest(expected)} does not match its digest (got ${shortDigest(actual)})`
        : `uncompressed layer does not match its diff_id ${shortDigest(expected)} (got ${shortDigest(actual)})`;
    super(message, subject === undefined ? {} : { subject });
    this.name = 'DigestMismatchError';
    this.expected = expected;
    this.actual = actual;
    this.role = role;
  }
}

export class BlobSizeError extends PareError {
  /** `actual` undefined: the blob overran `expected` and was not read further. */
  constructor(digest: Digest, expected: number, actual: number | undefined, subject?: string) {
    super(
      actual === undefined
        ? `blob ${shortDigest(digest)} is longer than the ${expected} bytes its descriptor says`
        : `blob ${shortDigest(digest)} is ${actual} bytes, but its descriptor says ${expected}`,
      subject === undefined ? {} : { subject },
    );
    this.name = 'BlobSizeError';
  }
}

export interface DigestCheck {
  expected: Digest;
  role: DigestRole;
  /** When known, a blob longer than this fails as soon as it overruns rather than at its end. */
  size?: number;
  subject?: string;
}

/**
 * Passes bytes through unchanged and fails at the end of the stream (or as soon
 * as the blob overruns its declared size) if they do not hash to `expected`.
 */
export class DigestVerifier extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  constructor(private readonly check: DigestCheck) {
    super();
  }

  get bytesSeen(): number {
    return this.bytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    const { size } = this.check;
    if (size !== undefined && this.bytes > size) {
      callback(new BlobSizeError(this.check.expected, size, undefined, this.check.subject));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual: Digest = `sha256:${this.hash.digest('hex')}`;
    const { expected, size, role, subject } = this.check;
    if (actual !== expected) {
      callback(new DigestMismatchError(expected, actual, role, subject));
    } else if (size !== undefined && this.bytes !== size) {
      // Same hash, different length: only possible if the descriptor's size is wrong.
      callback(new BlobSizeError(expected, size, this.bytes, subject));
    } else {
      callback();
    }
  }
}

export function verifyDigest(check: DigestCheck): DigestVerifier {
  return new DigestVerifier(check);
}

/** Checks an in-memory blob (configs, manifests, indexes) and returns it unchanged. */
export function verifyBytes(data: Buffer, expected: Digest, subject?: string): Buffer {
  const actual = sha256(data);
  if (actual !== expected) throw new DigestMismatchError(expected, actual, 'blob', subject);
  return data;
}
