/**
 * The shapes in which reachability speaks about paths: a path removed (with
 * the reason it can go) and a path kept (with the reason it stays). Slim's
 * leftovers use the same shape for what their detectors remove.
 */
import type { FileTree } from '../analyze/file-tree.js';

export interface RemovedFile {
  path: string;
  /** Bytes removing it saves (a hard-linked inode: see settleHardLinkSizes). */
  size: number;
  /** Detector id, or `unreachable`. */
  reason: string;
  /** Detector result title, e.g. "man pages". */
  detail: string;
}

/**
 * Sets the sizes of removed hard-linked names to what removing them saves:
 * an inode's bytes leave the image with its last name only, so they count
 * once, on the first removed name, when every name goes, and not at all while
 * a name that stays still holds them.
 */
export function settleHardLinkSizes(tree: FileTree, removed: Map<number, RemovedFile>): void {
  const namesByInode = new Map<number, number[]>();
  for (const id of removed.keys()) {
    const inode = tree.inodeGroupOf(id);
    if (inode === undefined) continue;
    const ids = namesByInode.get(inode);
    if (ids) ids.push(id);
    else namesByInode.set(inode, [id]);
  }
  for (const ids of namesByInode.values()) {
    const allGone = ids.length === tree.linkCount(ids[0]!);
    for (const [i, id] of ids.entries()) removed.get(id)!.size = allGone && i === 0 ? tree.sizeOf(id) : 0;
  }
}

export interface ReportedPath {
  /** Absolute path in the image, e.g. `/usr/lib/x86_64-linux-gnu/libssl.so.3`. */
  path: string;
  /** Bytes of file content (a hard-linked inode counts on its first name only; 0 for links and directories). */
  size: number;
  /** Machine-readable reason: a leftover category (`docs`…), `unreachable`, or why a path was kept (`entrypoint`, `elf-needed`, `traced`…). */
  reason: string;
  /** Human words for the reason, e.g. "man pages" or "DT_NEEDED of /usr/bin/python3.11". */
  detail?: string;
}

export interface ReasonTally {
  files: number;
  bytes: number;
}
