/**
 * The member table of an uncompressed outer archive (docker-archive,
 * oci-archive), built with one header-only pass so blobs can then be read in
 * place by byte range, never extracted.
 */
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { describeSystemError, PareError } from '../../util/errors.js';
import { sniffCompression } from '../compression.js';
import type { MemberDigests } from '../tar/member-digests.js';
import { normaliseEntryPath, walkTarFile } from '../tar/tar.js';
import type { Digest, TarEntry } from '../types.js';
import { type LocalBlob, readLocalBlob, readRange } from './local-blob.js';

export interface ArchiveMember {
  path: string;
  type: TarEntry['type'];
  /** Byte offset of the member's data in the archive file. */
  offset: number;
  size: number;
  linkname?: string;
  /** The sha256 of the member's data, computed as the archive was written (see LocalBlobRange). */
  digestAsWritten?: Digest;
}

/** Symlink chains longer than this are loops (Linux allows 40; real archives use 1). */
const MAX_LINK_HOPS = 16;

export class ArchiveIndex {
  private constructor(
    readonly path: string,
    private readonly subject: string,
    private readonly members: Map<string, ArchiveMember>,
  ) {}

  /**
   * Indexes `path`; `subject` (e.g. `docker-archive:app.tar`) names it in
   * errors. `digests`, from whoever wrote the file (receiveArchive), are kept
   * for the members whose data is exactly the range a digest was computed over.
   */
  static async build(path: string, subject: string, digests?: MemberDigests): Promise<ArchiveIndex> {
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) {
        throw new PareError(
          'not a regular file (pare reads archives in place; save the stream to a file first)',
          {
            subject,
          },
        );
      }
      size = info.size;
    } catch (error) {
      if (error instanceof PareError) throw error;
      throw new PareError(describeSystemError(error), { subject, cause: error });
    }
    const head = await readRange(path, 0, 8, subject);
    const compression = sniffCompression(head);
    if (compression !== 'none') {
      throw new PareError(
        `the archive is ${compression}-compressed; pare reads archives in place, so decompress it first`,
        { subject },
      );
    }
    const members = new Map<string, ArchiveMember>();
    await walkTarFile(
      path,
      0,
      size,
      (entry, location) => {
        const member: ArchiveMember = {
          path: entry.path,
          type: entry.type,
          offset: location.dataOffset,
          size: entry.size,
        };
        if (entry.linkname !== undefined) member.linkname = entry.linkname;
        const known = digests?.get(member.offset);
        if (known && known.length === member.size && entry.type === 'file')
          member.digestAsWritten = known.digest;
        // A later member of the same name replaces an earlier one, as extraction would.
        members.set(entry.path, member);
      },
      // Nothing is extracted, so a hostile name is just a member nobody can refer to.
      { subject, unsafePaths: 'skip' },
    );
    return new ArchiveIndex(path, subject, members);
  }

  has(name: string): boolean {
    return this.find(name) !== undefined;
  }

  names(): string[] {
    return [...this.members.keys()];
  }

  /** The regular-file member `name` refers to, following symlinks and hard links inside the archive. */
  find(name: string): ArchiveMember | undefined {
    let current = normaliseEntryPath(name);
    for (let hop = 0; hop <= MAX_LINK_HOPS && current !== undefined; hop++) {
      const member = this.members.get(current);
      if (!member) return undefined;
      if (member.type === 'file') return member;
      if (member.linkname === undefined) return undefined;
      // Symlink targets are relative to the link's directory; hard link targets to the archive root.
      current =
        member.type === 'symlink' && !member.linkname.startsWith('/')
          ? normaliseEntryPath(posix.join(posix.dirname(member.path), member.linkname))
          : normaliseEntryPath(member.linkname);
    }
    return undefined;
  }

  blob(name: string): LocalBlob | undefined {
    const member = this.find(name);
    if (!member) return undefined;
    const blob: LocalBlob = { path: this.path, offset: member.offset, length: member.size };
    if (member.digestAsWritten) blob.digestAsWritten = member.digestAsWritten;
    return blob;
  }

  /** Reads a small member (JSON documents) whole. */
  async read(name: string): Promise<Buffer | undefined> {
    const blob = this.blob(name);
    return blob ? readLocalBlob(blob, `${this.subject} ${name}`) : undefined;
  }
}
