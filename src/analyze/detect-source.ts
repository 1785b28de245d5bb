/**
 * The detectors' view of a merged file tree, for inspect and slim alike: the
 * tree's walk in path order, and facts that read the tree when a detector
 * asks, so a file no detector wants costs nothing but its path.
 */

import { imageEnv } from '../image/image-env.js';
import type { ImageConfig } from '../image/types.js';
import type { DetectSource, FileFact } from './detectors/index.js';
import type { ElfInfo } from './elf.js';
import { type FileTree, KIND_FILE, KIND_SYMLINK } from './file-tree.js';
import type { SizeIndex } from './top-paths.js';

export function treeDetectSource(
  tree: FileTree,
  sizes: SizeIndex,
  config: ImageConfig | undefined,
  elf?: ReadonlyMap<number, ElfInfo>,
): DetectSource {
  /** A file's id and path; the rest is read from the tree when asked, so a fact costs two fields. */
  class TreeFile implements FileFact {
    constructor(
      readonly id: number,
      readonly path: string,
    ) {}
    /** Bytes this name adds: a hard-linked inode counts on its first name only (SizeIndex). */
    get size(): number {
      return sizes.bytes[this.id]!;
    }
    get layer(): number {
      return tree.writerOf(this.id);
    }
    get mode(): number {
      return tree.modeOf(this.id);
    }
    get kind(): FileFact['kind'] {
      const kind = tree.kindOf(this.id);
      return kind === KIND_FILE ? 'file' : kind === KIND_SYMLINK ? 'symlink' : 'other';
    }
  }
  return {
    walkFiles: (visit) => tree.walkFiles(visit),
    fact: (id, path) => new TreeFile(id, path),
    exists: (path) => tree.lookup(path) >= 0,
    elf: (id) => elf?.get(id),
    env: imageEnv(config),
    config,
  };
}
