/**
 * The paths a minimal image keeps, each with the first reason it was kept.
 * Keeping a path keeps every symlink crossed to reach it (so it still
 * resolves) and, implicitly, its parent directories; everything else is
 * removed as `unreachable`.
 */
import { type FileTree, KIND_DIRECTORY, KIND_FILE, ROOT } from '../analyze/file-tree.js';
import { type ReasonTally, type RemovedFile, type ReportedPath, settleHardLinkSizes } from './paths.js';
import { resolvePath } from './resolve-path.js';

export interface KeepReason {
  reason: string;
  detail?: string;
}

const UNREACHABLE = 'unreachable';

export class KeepSet {
  private readonly reasons = new Map<number, KeepReason>();

  constructor(readonly tree: FileTree) {}

  has(id: number): boolean {
    return this.reasons.has(id);
  }

  reasonOf(id: number): KeepReason | undefined {
    return this.reasons.get(id);
  }

  entries(): IterableIterator<[number, KeepReason]> {
    return this.reasons.entries();
  }

  get size(): number {
    return this.reasons.size;
  }

  keepId(id: number, reason: string, detail?: string): void {
    if (id < 0 || this.reasons.has(id)) return;
    this.reasons.set(id, detail === undefined ? { reason } : { reason, detail });
  }

  /**
   * Keeps `path` and the symlinks on the way to it. Returns the node it
   * resolves to, or undefined when it does not exist in the image.
   */
  keepPath(
    path: string,
    reason: string,
    detail?: string,
    options: { cwd?: string; followFinal?: boolean } = {},
  ): number | undefined {
    const result = resolvePath(this.tree, path, options);
    for (const id of result.traversed) this.keepId(id, reason, detail);
    return result.id;
  }

  /** Keeps a directory and everything below it (symlinks inside kept as links). */
  keepSubtree(path: string, reason: string, detail?: string): boolean {
    const id = this.keepPath(path, reason, detail);
    if (id === undefined) return false;
    if (this.tree.kindOf(id) === KIND_DIRECTORY) {
      this.tree.walk((child) => {
        this.keepId(child, reason, detail);
      }, id);
    }
    return true;
  }

  /** Forgets kept paths (an `--exclude`); returns how many. */
  drop(matches: (path: string) => boolean): number {
    let dropped = 0;
    for (const id of [...this.reasons.keys()]) {
      if (id !== ROOT && matches(this.tree.pathOf(id))) {
        this.reasons.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  /** Every present node not kept and without a kept descendant, as removals. */
  removals(): Map<number, RemovedFile> {
    const tree = this.tree;
    const needed = new Set<number>(this.reasons.keys());
    for (const id of this.reasons.keys()) {
      for (let p = tree.parentOf(id); p > ROOT && !needed.has(p); p = tree.parentOf(p)) needed.add(p);
    }
    const removed = new Map<number, RemovedFile>();
    tree.walk((id, path) => {
      if (needed.has(id)) return;
      const size = tree.kindOf(id) === KIND_FILE ? tree.sizeOf(id) : 0;
      removed.set(id, { path, size, reason: UNREACHABLE, detail: 'not reached by the app' });
    });
    settleHardLinkSizes(tree, removed);
    return removed;
  }

  /** Kept files, links and explicitly kept directories with sizes and reasons, in path order. */
  report(): { kept: ReportedPath[]; keptByReason: Record<string, ReasonTally> } {
    const tree = this.tree;
    const kept: ReportedPath[] = [];
    const keptByReason: Record<string, ReasonTally> = {};
    const countedInodes = new Set<number>();
    tree.walk((id, path) => {
      const why = this.reasons.get(id);
      if (!why) return;
      const inode = tree.inodeGroupOf(id);
      let size = tree.kindOf(id) === KIND_FILE ? tree.sizeOf(id) : 0;
      if (inode !== undefined) {
        if (countedInodes.has(inode)) size = 0;
        countedInodes.add(inode);
      }
      kept.push({ path, size, reason: why.reason, ...(why.detail ? { detail: why.detail } : {}) });
      const tally = keptByReason[why.reason] ?? { files: 0, bytes: 0 };
      keptByReason[why.reason] = tally;
      tally.files++;
      tally.bytes += size;
    });
    return { kept, keptByReason };
  }
}
