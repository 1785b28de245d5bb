/**
 * Leftover detectors: each is data (id, title, description) plus one pure
 * function from the final filesystem to findings, like a lint rule. Detectors
 * say which files are left over; runDetectors (index.ts) turns that into
 * bytes, layers and instructions, and makes sure no byte is counted twice.
 *
 * A detector sees only the files it `wants`: one walk of the filesystem (a
 * DetectSource) builds each path once and every detector's list from it, so a
 * file no detector wants costs no fact and is not kept (on an image of 200 k
 * paths, a list of every file was the largest thing in memory).
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

/** The final filesystem as the detectors' lists are built from it (see contextsFor). */
export interface DetectSource {
  /** Each present non-directory, in path order. */
  walkFiles(visit: (id: number, path: string) => void): void;
  /** The fact of a file walkFiles named. */
  fact(id: number, path: string): FileFact;
  exists(path: string): boolean;
  elf(id: number): ElfInfo | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly config: ImageConfig | undefined;
}

export interface DetectContext {
  /** The present non-directories this detector wants (Detector.wants), in path order. */
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
  /**
   * The files `detect` is given: every file it may match, and every file it
   * reads to decide (a marker, a built artifact). `elf`: ELF facts were read
   * for the file. A cheap test on the path; the detector's table tests check
   * that it leaves out nothing detect would have used.
   */
  wants(path: string, elf: boolean): boolean;
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
