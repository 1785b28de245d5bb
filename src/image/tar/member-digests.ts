/**
 * The sha256 of every regular-file member of a tar, computed from the bytes
 * as they stream past: a source that writes an archive to a file (the
 * docker-daemon: export) knows each member's digest when the last byte is
 * written, instead of reading the file again to hash it.
 *
 * Headers are read by the same walker and header decoder as every other tar
 * (pax sizes and names, GNU long names, base-256 sizes), so a member's data
 * offset here is the offset the archive index finds for it. Each digest is
 * kept with the byte range it was computed over, and is only ever used for
 * exactly that range of the file the bytes were written to.
 */
import { createHash, type Hash } from 'node:crypto';
import { digestFromHex } from '../digest.js';
import type { Digest } from '../types.js';
import { type ContentSink, StreamWalker } from './tar.js';

/** One member's data: where it starts in the archive, how long it is, and its sha256. */
export interface MemberDigest {
  offset: number;
  length: number;
  digest: Digest;
}

/** Member digests by data offset, as MemberHasher.finish returns them. */
export type MemberDigests = ReadonlyMap<number, MemberDigest>;

export class MemberHasher {
  private readonly walker: StreamWalker;
  private readonly digests = new Map<number, MemberDigest>();

  /** `subject` names the archive in errors, e.g. `docker-daemon:app:1`. */
  constructor(subject: string) {
    this.walker = new StreamWalker(
      (entry, location) => (entry.type === 'file' ? this.sink(location.dataOffset) : undefined),
      subject,
      // Nothing is extracted: a hostile name is a member nobody refers to, as in the archive index.
      { subject, unsafePaths: 'skip' },
    );
  }

  /** Bytes pushed so far. */
  get bytes(): number {
    return this.walker.bytes;
  }

  /** The next bytes of the archive; rejects with a PareError on a malformed header. */
  push(chunk: Buffer): Promise<void> {
    return this.walker.push(chunk);
  }

  /** The digests once every byte is pushed; throws a PareError if the archive ends inside a member. */
  finish(): MemberDigests {
    this.walker.finish();
    return this.digests;
  }

  private sink(offset: number): ContentSink {
    const hash: Hash = createHash('sha256');
    let length = 0;
    return {
      write: (chunk) => {
        hash.update(chunk);
        length += chunk.length;
      },
      end: () => {
        this.digests.set(offset, { offset, length, digest: digestFromHex(hash.digest('hex')) });
      },
    };
  }
}
