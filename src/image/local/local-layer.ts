/**
 * A layer whose blob is a byte range of a local file: every local source
 * (docker-archive, oci, oci-archive) serves its layers through this.
 *
 * Verified reads hash while streaming: the stored bytes against the blob
 * digest, the inflated bytes against the diff_id. An uncompressed blob whose
 * digest is its diff_id (the usual case) is hashed once.
 */
import type { Duplex, Readable } from 'node:stream';
import { describeSystemError, PareError } from '../../util/errors.js';
import { decompressionStages, translateCodecError } from '../compression.js';
import { verifyDigest } from '../digest.js';
import { chainStreams } from '../stream-chain.js';
import type { Compression, Digest, Layer, ReadOptions } from '../types.js';
import { type LocalBlob, openLocalBlob } from './local-blob.js';

export interface LocalLayerInit {
  digest: Digest;
  diffId: Digest;
  mediaType: string;
  compression: Compression;
  blob: LocalBlob;
  /** Names the layer in errors, e.g. `oci:dir layer 2 sha256:ab12…`. */
  subject: string;
}

export class LocalLayer implements Layer {
  readonly digest: Digest;
  readonly diffId: Digest;
  readonly size: number;
  readonly mediaType: string;
  readonly compression: Compression;
  readonly subject: string;
  private readonly blob: LocalBlob;

  constructor(init: LocalLayerInit) {
    this.digest = init.digest;
    this.diffId = init.diffId;
    this.size = init.blob.length;
    this.mediaType = init.mediaType;
    this.compression = init.compression;
    this.subject = init.subject;
    this.blob = init.blob;
  }

  localBlob(): LocalBlob {
    return this.blob;
  }

  async compressed(options: ReadOptions = {}): Promise<Readable> {
    const stages: Duplex[] = [];
    if (options.verify !== false) {
      stages.push(
        verifyDigest({ expected: this.digest, role: 'blob', size: this.size, subject: this.subject }),
      );
    }
    return chainStreams(openLocalBlob(this.blob, options.signal), stages, (error) => this.translate(error));
  }

  async uncompressed(options: ReadOptions = {}): Promise<Readable> {
    const verify = options.verify !== false;
    const stages: Duplex[] = [];
    const { subject } = this;
    if (this.compression === 'none') {
      if (verify) {
        if (this.digest !== this.diffId) {
          stages.push(verifyDigest({ expected: this.digest, role: 'blob', size: this.size, subject }));
        }
        stages.push(verifyDigest({ expected: this.diffId, role: 'diff_id', size: this.size, subject }));
      }
    } else {
      if (verify)
        stages.push(verifyDigest({ expected: this.digest, role: 'blob', size: this.size, subject }));
      const limits = {
        subject,
        ...(options.maxUncompressedBytes !== undefined ? { maxBytes: options.maxUncompressedBytes } : {}),
        ...(options.maxCompressionRatio !== undefined ? { maxRatio: options.maxCompressionRatio } : {}),
      };
      stages.push(...decompressionStages(this.compression, limits));
      if (verify) stages.push(verifyDigest({ expected: this.diffId, role: 'diff_id', subject }));
    }
    return chainStreams(openLocalBlob(this.blob, options.signal), stages, (error) => this.translate(error));
  }

  private translate(error: Error): Error {
    if (error instanceof PareError || error.name === 'AbortError') return error;
    const codec = translateCodecError(this.compression, error, this.subject);
    if (codec) return codec;
    if ((error as NodeJS.ErrnoException).code !== undefined) {
      return new PareError(describeSystemError(error), { subject: this.subject, cause: error });
    }
    return error;
  }
}
