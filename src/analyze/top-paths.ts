/**
 * Where the bytes of the final filesystem are: the largest files, the
 * largest directories, and a size-annotated tree. A hard-linked inode is
 * counted in directory totals once, on its first name.
 */

import { FirstN } from '../util/first-n.js';
import {
  compareBytes,
  type FileTree,
  KIND_ABSENT,
  KIND_DIRECTORY,
  KIND_FILE,
  KIND_SYMLINK,
  type NodeKind,
  ROOT,
} from './file-tree.js';

export interface PathSize {
  path: string;
  bytes: number;
  /** Layer that last wrote the path. */
  layer: number;
}

export interface DirectorySize extends PathSize {
  /** Regular files below it. */
  files: number;
}

export type EntryType = 'directory' | 'file' | 'symlink' | 'other';

export interface TreeViewNode {
  name: string;
  type: EntryType;
  bytes: number;
  layer: number;
  /** Symlink target. */
  target?: string;
  /** A non-directory whose last write replaced an earlier one at this path (changed, not added). */
  replaced?: true;
  children?: TreeViewNode[];
  /** Children left out (beyond maxChildren), and their bytes. */
  omitted?: { entries: number; bytes: number };
}

function entryType(kind: NodeKind): EntryType {
  switch (kind) {
    case KIND_DIRECTORY:
      return 'directory';
    case KIND_FILE:
      return 'file';
    case KIND_SYMLINK:
      return 'symlink';
    default:
      return 'other';
  }
}

/**
 * Bytes each node adds to the image: its own size for files (a hard-linked
 * inode only on its lowest node id), the sum below it for directories.
 */
export class SizeIndex {
  readonly bytes: Float64Array;
  readonly files: Uint32Array;

  constructor(readonly tree: FileTree) {
    const count = tree.nodeCount;
    this.bytes = new Float64Array(count);
    this.files = new Uint32Array(count);
    const groupCounted = new Set<number>();
    for (let id = 1; id < count; id++) {
      const kind = tree.kindOf(id);
      if (kind !== KIND_FILE) continue;
      this.files[id] = 1;
      const group = tree.inodeGroupOf(id);
      if (group !== undefined) {
        if (groupCounted.has(group)) continue;
        groupCounted.add(group);
      }
      this.bytes[id] = tree.sizeOf(id);
    }
    // A parent always has a lower id than its children: one pass from the top ids down sums subtrees.
    for (let id = count - 1; id > 0; id--) {
      if (tree.kindOf(id) === KIND_ABSENT) continue;
      const parent = tree.parentOf(id);
      this.bytes[parent]! += this.bytes[id]!;
      this.files[parent]! += this.files[id]!;
    }
  }
}

/** The n largest non-directories (a hard link shows its inode's full size). */
export function largestFiles(tree: FileTree, n: number): PathSize[] {
  const eachFile = (visit: (id: number, value: number) => void) => {
    for (let id = 1; id < tree.nodeCount; id++) if (tree.kindOf(id) === KIND_FILE) visit(id, tree.sizeOf(id));
  };
  return selectTop(eachFile, n, tree).map(([id, bytes]) => ({
    path: tree.pathOf(id),
    bytes,
    layer: tree.writerOf(id),
  }));
}

/**
 * The n largest directories, leaving out a directory when one child directory
 * holds 90% or more of its bytes (the child says the same, more precisely)
 * and the root.
 */
export function largestDirectories(tree: FileTree, n: number, sizes = new SizeIndex(tree)): DirectorySize[] {
  const biggestChildDir = new Float64Array(tree.nodeCount);
  for (let id = 1; id < tree.nodeCount; id++) {
    if (tree.kindOf(id) !== KIND_DIRECTORY) continue;
    const parent = tree.parentOf(id);
    if (sizes.bytes[id]! > biggestChildDir[parent]!) biggestChildDir[parent] = sizes.bytes[id]!;
  }
  const eachDirectory = (visit: (id: number, value: number) => void) => {
    for (let id = 1; id < tree.nodeCount; id++) {
      if (tree.kindOf(id) !== KIND_DIRECTORY) continue;
      const bytes = sizes.bytes[id]!;
      if (bytes === 0 || biggestChildDir[id]! >= 0.9 * bytes) continue;
      visit(id, bytes);
    }
  };
  return selectTop(eachDirectory, n, tree).map(([id, bytes]) => ({
    path: tree.pathOf(id),
    bytes,
    layer: tree.writerOf(id),
    files: sizes.files[id]!,
  }));
}

/**
 * The n largest of the values pushed, counting repeats: a min-heap of the n
 * largest seen, one pass instead of sorting every value to read one.
 */
export class LargestValues {
  private readonly heap: Float64Array;
  private size = 0;

  constructor(private readonly n: number) {
    this.heap = new Float64Array(n);
  }

  /** Values pushed so far, up to n. */
  get count(): number {
    return this.size;
  }

  /** The n-th largest pushed (the smallest of the n largest); with fewer than n pushed, the smallest. */
  get cut(): number {
    return this.heap[0]!;
  }

  push(value: number): void {
    const heap = this.heap;
    const n = this.n;
    if (this.size < n) {
      // Sift up.
      let at = this.size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (heap[parent]! <= value) break;
        heap[at] = heap[parent]!;
        at = parent;
      }
      heap[at] = value;
    } else if (value > heap[0]!) {
      // Replace the smallest and sift down.
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && heap[right]! < heap[left]! ? right : left;
        if (heap[child]! >= value) break;
        heap[at] = heap[child]!;
        at = child;
      }
      heap[at] = value;
    }
  }
}

/**
 * The n largest of what `each` visits, ties in path order. Two passes over
 * the tree, nothing listed but the n kept: the values' cut, then the nodes at
 * or above it, with their paths. (Lists of every file's id and size, with the
 * copies they grew through, were inspect's peak RSS on an image of 200 k
 * files.) Nodes at the cut are many when sizes repeat (empty files): their
 * paths are built one at a time and only the first n in path order kept.
 */
function selectTop(
  each: (visit: (id: number, value: number) => void) => void,
  n: number,
  tree: FileTree,
): Array<[id: number, value: number]> {
  if (n <= 0) return [];
  const largest = new LargestValues(n);
  each((_id, value) => largest.push(value));
  if (largest.count === 0) return [];
  // Fewer than n values: all of them, whatever the cut.
  const cut = largest.count < n ? Number.NEGATIVE_INFINITY : largest.cut;
  type Candidate = [id: number, value: number, path: string];
  // Only ties at the cut can pile up (above it there are fewer than n).
  const first = new FirstN<Candidate>(n, (a, b) => b[1] - a[1] || compareBytes(a[2], b[2]));
  each((id, value) => {
    if (value >= cut) first.offer([id, value, tree.pathOf(id)]);
  });
  return first.result().map(([id, value]) => [id, value]);
}

export interface TreeViewOptions {
  /** Levels below the root to include (1 = the root's children). */
  depth: number;
  /** Children listed per directory, largest first; the rest are summarised. */
  maxChildren?: number;
  sizes?: SizeIndex;
}

export function treeView(tree: FileTree, options: TreeViewOptions): TreeViewNode {
  const sizes = options.sizes ?? new SizeIndex(tree);
  const maxChildren = options.maxChildren ?? Number.POSITIVE_INFINITY;
  const build = (id: number, depth: number): TreeViewNode => {
    const kind = tree.kindOf(id);
    const node: TreeViewNode = {
      name: id === ROOT ? '/' : tree.nameOf(id),
      type: entryType(kind),
      bytes: kind === KIND_DIRECTORY ? sizes.bytes[id]! : tree.sizeOf(id),
      layer: tree.writerOf(id),
    };
    const target = tree.linkTargetOf(id);
    if (kind === KIND_SYMLINK && target !== undefined) node.target = target;
    if (tree.replacedEarlier(id)) node.replaced = true;
    if (kind === KIND_DIRECTORY && depth < options.depth) {
      const children = tree
        .childrenOf(id)
        .map((c) => ({
          id: c,
          bytes: tree.kindOf(c) === KIND_DIRECTORY ? sizes.bytes[c]! : tree.sizeOf(c),
          name: tree.nameOf(c),
        }))
        .sort((a, b) => b.bytes - a.bytes || compareBytes(a.name, b.name));
      const shown = children.slice(0, maxChildren);
      node.children = shown.map((c) => build(c.id, depth + 1));
      if (children.length > shown.length) {
        const rest = children.slice(shown.length);
        node.omitted = { entries: rest.length, bytes: rest.reduce((sum, c) => sum + c.bytes, 0) };
      }
    }
    return node;
  };
  return build(ROOT, 0);
}
