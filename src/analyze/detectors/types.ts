/**
 * Leftover detectors: each is data (id, title, description) plus one pure
 * function from the final filesystem to findings, like a lint rule. Detectors
 * say which files are left over; runDetectors (index.ts) turns that into
 * bytes, layers and instructions, and makes sure no byte is counted twice.
 */
import type { ImageConfig } from '../../image/types.js';
import type { ElfInfo } from '../elf.js';

export interface FileFact {
  /** File-tree node id. */
  id: number;
  /** Absolute path: `/usr/lib/x86_64-linux-gnu/libc.so.6`. */
  path: string;
  /** Bytes this name adds to the image (a hard-linked inode counts on its first name only). */
  size: number;
  /** Layer that wrote it. */
  layer: number;
  mode: number;
  kind: 'file' | 'symlink' | 'other';
}

export interface DetectContext {
  /** Present non-directories of the final filesystem, in path order. */
  readonly files: readonly FileFact[];
  /** True when the final filesystem has something at `path`. */
  exists(path: string): boolean;
  /** ELF facts for files whose bytes were read. */
  elf(id: number): ElfInfo | undefined;
  /** The image's environment (config.Env), parsed. */
  readonly env: Readonly<Record<string, string>>;
  readonly config: ImageConfig | undefined;
}

export interface Match {
  file: FileFact;
  /** Bytes removable from this file; the whole file unless said otherwise. */
  bytes?: number;
}

export interface DetectorResult {
  title: string;
  matches: Match[];
  /** Paths to show instead of the largest matched files (e.g. the cache directory). */
  paths?: string[];
  /** The saving is an approximation (e.g. removing a whole toolchain package). */
  estimated?: boolean;
  /** How to avoid it, one line. */
  hint?: string;
}

/**
 * What `pare slim` does with a detector's matches: removes them unless kept
 * (`default`), only when asked with `--remove` (`optional`), or never (what
 * it finds is not a whole file to delete, e.g. debug symbols to strip).
 */
export type Removal = 'default' | 'optional' | 'never';

export interface Detector {
  id: string;
  removal: Removal;
  title: string;
  description: string;
  detect(context: DetectContext): DetectorResult[];
}

export interface Finding {
  detector: string;
  title: string;
  /** Bytes removing the leftover would save. */
  bytes: number;
  files: number;
  /** The top few paths involved. */
  paths: string[];
  /** Layers holding these bytes, most bytes first. */
  layerIndexes: number[];
  /** Instruction of the first of layerIndexes. */
  instruction: string | null;
  estimated: boolean;
  hint?: string;
}
