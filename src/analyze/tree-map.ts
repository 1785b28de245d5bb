/**
 * The final filesystem reduced to a node budget, for the HTML reports'
 * treemap. The largest directories are opened first; what a budget or size
 * cut leaves out becomes one "(N small files)" node per directory, and
 * directories never opened stay closed leaves with their totals. Every node
 * says the layer that wrote most of its bytes and, per layer, how many bytes
 * (so a layer filter can re-size the treemap), and the leftover bytes under it.
 *
 * Read straight from the FileTree's arrays: the figures every node needs are
 * typed arrays indexed by node id, summed bottom-up in one pass (a parent's id
 * is lower than its children's), and objects are made only for the nodes
 * emitted. Building a full tree of objects first (one per path, then one more
 * per path for the figures) cost the node benchmark image ~200 ms of GC.
 */
import { compareBytes, type FileTree, KIND_ABSENT, KIND_DIRECTORY, ROOT } from './file-tree.js';
import { SizeIndex } from './top-paths.js';

/** Compact node: short keys keep the embedded JSON small. */
export interface TreeMapNode {
  /** Name (one path segment, "/" for the root, or "(N small files)"). */
  n: string;
  /** Bytes. */
  b: number;
  /** Layer that wrote most of the bytes (-1 when none). */
  l: number;
  /** Children (open directory). */
  c?: TreeMapNode[];
  /** Files summarised by this node (closed directory or small-files node). */
  f?: number;
  /** 1 for a directory (open or closed), 2 for a small-files node. */
  t?: 1 | 2;
  /** Bytes per layer, [layer, bytes] pairs, when more than one layer wrote the bytes. */
  s?: Array<[number, number]>;
  /** Leftover (removable) bytes under this node. */
  w?: number;
  /** Bytes under this node whose last write replaced an earlier version (changed rather than added). */
  m?: number;
}

export interface TreeMapLimits {
  /** Nodes emitted at most (approximately; default 20,000). */
  maxNodes?: number;
  /** Children listed per directory before the rest are summarised (default 200). */
  maxChildren?: number;
}

export interface TreeMapOptions extends TreeMapLimits {
  /**
   * Nodes the leftovers name (files or directories, e.g. by FileTree.lookup;
   * -1, a path that named nothing, is skipped): their bytes are marked removable.
   */
  leftovers?: Iterable<number>;
  /** The tree's sizes, when the caller has them already. */
  sizes?: SizeIndex;
}

/** Reduces the tree to at most about `maxNodes` nodes. */
export function treeMap(tree: FileTree, options: TreeMapOptions = {}): TreeMapNode {
  const maxNodes = Math.max(16, options.maxNodes ?? 20_000);
  const maxChildren = Math.max(1, options.maxChildren ?? 200);
  const figures = new NodeFigures(tree, options.sizes ?? new SizeIndex(tree), options.leftovers ?? []);
  const { bytes } = figures;
  const byBytesThenName = (a: number, b: number) =>
    bytes[b]! - bytes[a]! || compareBytes(tree.nameOf(a), tree.nameOf(b));

  const out = new Map<number, TreeMapNode>();
  const rootOut = figures.emit(ROOT);
  out.set(ROOT, rootOut);
  let used = 1;
  const heap = new MaxHeap(bytes);
  heap.push(ROOT);
  while (heap.size > 0) {
    const id = heap.pop();
    const kids = tree.childrenOf(id).sort(byBytesThenName);
    if (kids.length === 0) continue;
    const minBytes = rootOut.b / maxNodes;
    let shown = kids.filter((k, i) => i < maxChildren && (bytes[k]! >= minBytes || kids.length <= 8));
    const restCount = kids.length - shown.length;
    const cost = shown.length + (restCount > 0 ? 1 : 0);
    if (used + cost > maxNodes) {
      if (used + 2 > maxNodes) continue;
      shown = shown.slice(0, Math.max(1, maxNodes - used - 1));
    }
    const rest = kids.slice(shown.length);
    const node = out.get(id)!;
    delete node.f;
    node.c = shown.map((k) => {
      const child = figures.emit(k);
      out.set(k, child);
      if (figures.hasChildren[k] === 1) heap.push(k);
      return child;
    });
    if (rest.length > 0) node.c.push(figures.summary(rest));
    used += node.c.length;
  }
  return rootOut;
}

/** Counts the nodes of a tree map. */
export function countNodes(node: TreeMapNode): number {
  let n = 1;
  for (const c of node.c ?? []) n += countNodes(c);
  return n;
}

/**
 * Per node id: bytes (hard links shared), files, leftover and replaced bytes,
 * and the bytes per layer. Most directories hold one layer's bytes: they keep
 * that layer and its bytes in two arrays, and only a directory holding two or
 * more layers gets a map.
 */
class NodeFigures {
  readonly bytes: Float64Array;
  /** 1 for a directory with a present child. */
  readonly hasChildren: Uint8Array;
  private readonly files: Uint32Array;
  private readonly wasted: Float64Array;
  private readonly replaced: Float64Array;
  private readonly soleLayer: Int32Array;
  private readonly soleBytes: Float64Array;
  private readonly mixed = new Map<number, Map<number, number>>();

  constructor(
    private readonly tree: FileTree,
    sizes: SizeIndex,
    leftovers: Iterable<number>,
  ) {
    const count = tree.nodeCount;
    this.files = sizes.files;
    this.bytes = new Float64Array(count);
    this.hasChildren = new Uint8Array(count);
    this.wasted = new Float64Array(count);
    this.replaced = new Float64Array(count);
    this.soleLayer = new Int32Array(count).fill(-1);
    this.soleBytes = new Float64Array(count);
    const marked = markLeftovers(tree, leftovers);
    const overfull = this.sizeNodes(sizes);
    for (const dir of overfull) this.shareHardlinks(dir);
    for (let id = 1; id < count; id++) {
      const kind = tree.kindOf(id);
      if (kind === KIND_ABSENT || kind === KIND_DIRECTORY) continue;
      if (marked[id] === 1) this.wasted[id] = this.bytes[id]!;
      if (tree.replacedEarlier(id)) this.replaced[id] = this.bytes[id]!;
    }
    // A parent's id is lower than its children's: one pass from the top ids down sums subtrees.
    let parent = ROOT;
    const intoParent = (layer: number, bytes: number) => this.addLayer(parent, layer, bytes);
    for (let id = count - 1; id > 0; id--) {
      if (tree.kindOf(id) === KIND_ABSENT) continue;
      parent = tree.parentOf(id);
      this.wasted[parent]! += this.wasted[id]!;
      this.replaced[parent]! += this.replaced[id]!;
      this.forEachLayer(id, intoParent);
    }
  }

  /**
   * Directories take their totals from the size index (a hard-linked inode
   * counted once, on its first name), other nodes their own size (in full on
   * every name). Returns the directories whose children add up to more.
   */
  private sizeNodes(sizes: SizeIndex): number[] {
    const { tree, bytes } = this;
    const count = tree.nodeCount;
    const childBytes = new Float64Array(count);
    let anyHardlink = false;
    for (let id = 0; id < count; id++) {
      const kind = tree.kindOf(id);
      if (kind === KIND_ABSENT) continue;
      if (kind === KIND_DIRECTORY) bytes[id] = sizes.bytes[id]!;
      else {
        bytes[id] = tree.sizeOf(id);
        if (tree.isHardlinked(id)) anyHardlink = true;
      }
      if (id === ROOT) continue;
      childBytes[tree.parentOf(id)]! += bytes[id]!;
      this.hasChildren[tree.parentOf(id)] = 1;
    }
    if (!anyHardlink) return [];
    const overfull: number[] = [];
    for (let id = 0; id < count; id++) {
      if (tree.kindOf(id) === KIND_DIRECTORY && childBytes[id]! > bytes[id]!) overfull.push(id);
    }
    return overfull;
  }

  /**
   * A directory's files are scaled down so the treemap's leaves sum to the
   * directory: the extra names of a hard-linked inode share its bytes.
   */
  private shareHardlinks(dir: number): void {
    const { tree, bytes } = this;
    let dirs = 0;
    let files = 0;
    for (const c of tree.childrenOf(dir)) {
      if (tree.kindOf(c) === KIND_DIRECTORY) dirs += bytes[c]!;
      else files += bytes[c]!;
    }
    if (files === 0 || dirs + files <= bytes[dir]!) return;
    const budget = Math.max(0, bytes[dir]! - dirs);
    const factor = budget / files;
    let left = budget;
    const fileKids = tree
      .childrenOf(dir)
      .filter((c) => tree.kindOf(c) !== KIND_DIRECTORY && bytes[c]! > 0)
      .sort((a, b) => bytes[b]! - bytes[a]! || compareBytes(tree.nameOf(a), tree.nameOf(b)));
    fileKids.forEach((c, i) => {
      const share = i === fileKids.length - 1 ? left : Math.min(left, Math.round(bytes[c]! * factor));
      left -= share;
      bytes[c] = share;
    });
  }

  private addLayer(dir: number, layer: number, bytes: number): void {
    const layers = this.mixed.get(dir);
    if (layers) layers.set(layer, (layers.get(layer) ?? 0) + bytes);
    else if (this.soleLayer[dir] === -1 || this.soleLayer[dir] === layer) {
      this.soleLayer[dir] = layer;
      this.soleBytes[dir]! += bytes;
    } else {
      this.mixed.set(
        dir,
        new Map([
          [this.soleLayer[dir]!, this.soleBytes[dir]!],
          [layer, bytes],
        ]),
      );
    }
  }

  /** The node's bytes per layer: a file's are all its writer's; a directory's were summed from below. */
  private forEachLayer(id: number, visit: (layer: number, bytes: number) => void): void {
    if (this.tree.kindOf(id) !== KIND_DIRECTORY) {
      if (this.bytes[id]! > 0) visit(this.tree.writerOf(id), this.bytes[id]!);
      return;
    }
    const layers = this.mixed.get(id);
    if (layers) for (const [layer, bytes] of layers) visit(layer, bytes);
    else if (this.soleLayer[id]! >= 0) visit(this.soleLayer[id]!, this.soleBytes[id]!);
  }

  emit(id: number): TreeMapNode {
    const { tree } = this;
    const isDir = tree.kindOf(id) === KIND_DIRECTORY;
    const mixed = this.mixed.get(id);
    const sole = this.soleLayer[id]!;
    const layer = mixed ? dominant(mixed, tree.writerOf(id)) : isDir && sole >= 0 ? sole : tree.writerOf(id);
    const out: TreeMapNode = { n: id === ROOT ? '/' : tree.nameOf(id), b: this.bytes[id]!, l: layer };
    if (isDir) {
      out.t = 1;
      out.f = this.files[id]!;
    }
    const pairs = mixed && layerPairs(mixed);
    if (pairs) out.s = pairs;
    if (this.wasted[id]! > 0) out.w = this.wasted[id]!;
    if (this.replaced[id]! > 0) out.m = this.replaced[id]!;
    return out;
  }

  /** One node for the children a directory does not list. */
  summary(rest: number[]): TreeMapNode {
    const { tree } = this;
    const layers = new Map<number, number>();
    const intoLayers = (layer: number, bytes: number) => layers.set(layer, (layers.get(layer) ?? 0) + bytes);
    let bytes = 0;
    let files = 0;
    let wasted = 0;
    let replaced = 0;
    for (const id of rest) {
      bytes += this.bytes[id]!;
      files += tree.kindOf(id) === KIND_DIRECTORY ? this.files[id]! : 1;
      wasted += this.wasted[id]!;
      replaced += this.replaced[id]!;
      this.forEachLayer(id, intoLayers);
    }
    const out: TreeMapNode = {
      n: `(${files} small file${files === 1 ? '' : 's'})`,
      b: bytes,
      l: dominant(layers, rest.length > 0 ? tree.writerOf(rest[0]!) : -1),
      f: files,
      t: 2,
    };
    const pairs = layerPairs(layers);
    if (pairs) out.s = pairs;
    if (wasted > 0) out.w = wasted;
    if (replaced > 0) out.m = replaced;
    return out;
  }
}

/** 1 for every leftover node and every node under one. */
function markLeftovers(tree: FileTree, leftovers: Iterable<number>): Uint8Array {
  const marked = new Uint8Array(tree.nodeCount);
  for (const id of leftovers) if (id >= 0) marked[id] = 1;
  for (let id = 1; id < tree.nodeCount; id++) {
    if (marked[tree.parentOf(id)] === 1) marked[id] = 1;
  }
  return marked;
}

/** The layer with the most bytes (ties to the later layer); `fallback` when there are none. */
function dominant(layers: Map<number, number>, fallback: number): number {
  let best = fallback;
  let bestBytes = -1;
  for (const [layer, bytes] of layers) {
    if (bytes > bestBytes || (bytes === bestBytes && layer > best)) {
      best = layer;
      bestBytes = bytes;
    }
  }
  return best;
}

function layerPairs(layers: Map<number, number>): Array<[number, number]> | undefined {
  if (layers.size < 2) return undefined;
  return [...layers].filter(([, b]) => b > 0).sort((a, b) => a[0] - b[0]);
}

/** Node ids, the one with the most bytes on top. */
class MaxHeap {
  private readonly items: number[] = [];
  constructor(private readonly bytes: Float64Array) {}
  get size(): number {
    return this.items.length;
  }
  push(id: number): void {
    const a = this.items;
    const key = this.bytes;
    a.push(id);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (key[a[p]!]! >= key[a[i]!]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): number {
    const a = this.items;
    const key = this.bytes;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && key[a[l]!]! > key[a[m]!]!) m = l;
        if (r < a.length && key[a[r]!]! > key[a[m]!]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}
