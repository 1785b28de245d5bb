/**
 * The filesystem hierarchy embedded in the HTML report: the full tree
 * (`treeView` without depth or child limits) reduced to a node budget. The
 * largest directories are opened first; what a budget or size cut leaves
 * out becomes one "(N small files)" node per directory, and directories
 * never opened stay closed leaves with their totals. Every node says the
 * layer that wrote most of its bytes and, per layer, how many bytes (so a
 * layer filter can re-size the treemap), and the leftover bytes under it.
 */
import type { TreeViewNode } from '../../analyze/top-paths.js';

/** Compact node: short keys keep the embedded JSON small. */
export interface HtmlTreeNode {
  /** Name (one path segment, or "(N small files)"). */
  n: string;
  /** Bytes. */
  b: number;
  /** Layer that wrote most of the bytes (-1 when none). */
  l: number;
  /** Children (open directory). */
  c?: HtmlTreeNode[];
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

export interface AggregateOptions {
  /** Nodes emitted at most (approximately; default 20,000). */
  maxNodes?: number;
  /** Children listed per directory before the rest are summarised (default 200). */
  maxChildren?: number;
  /** Paths the leftovers name (files or directories); their bytes are marked removable. */
  leftoverPaths?: Iterable<string>;
}

interface Work {
  node: TreeViewNode;
  bytes: number;
  files: number;
  /**
   * Bytes per layer under a directory. A file's are all its layer's (none
   * when it has no bytes), so files, most of the nodes, carry no map.
   */
  layers: Map<number, number> | undefined;
  wasted: number;
  replaced: number;
  children?: Work[];
  isDir: boolean;
}

/**
 * The leftover paths by segment, so a node is looked up by its name under
 * its parent's entry instead of by a path string built for every node.
 */
interface LeftoverTrie {
  marked: boolean;
  children: Map<string, LeftoverTrie>;
}

function leftoverTrie(paths: Iterable<string>): LeftoverTrie {
  const root: LeftoverTrie = { marked: false, children: new Map() };
  for (const p of paths) {
    const path = p.length > 1 ? p.replace(/\/+$/, '') : p;
    if (path === '/') {
      root.marked = true;
      continue;
    }
    // Only an absolute path can equal a node's; an empty segment (`//`) matches no name.
    const segments = path.split('/');
    if (segments[0] !== '') continue;
    let at = root;
    for (let i = 1; i < segments.length; i++) {
      let next = at.children.get(segments[i]!);
      if (!next) {
        next = { marked: false, children: new Map() };
        at.children.set(segments[i]!, next);
      }
      at = next;
    }
    at.marked = true;
  }
  return root;
}

/** Reduces a full tree to at most about `maxNodes` nodes. */
export function aggregateTree(root: TreeViewNode, options: AggregateOptions = {}): HtmlTreeNode {
  const maxNodes = Math.max(16, options.maxNodes ?? 20_000);
  const maxChildren = Math.max(1, options.maxChildren ?? 200);
  const leftovers = leftoverTrie(options.leftoverPaths ?? []);

  const prepared = prepare(root, leftovers, false);
  // Open the largest directories first, until the budget is spent.
  const out = new Map<Work, HtmlTreeNode>();
  const rootOut = emitLeaf(prepared);
  out.set(prepared, rootOut);
  let used = 1;
  const heap = new MaxHeap<Work>((w) => w.bytes);
  if (prepared.children) heap.push(prepared);
  while (heap.size > 0) {
    const work = heap.pop()!;
    const kids = [...(work.children ?? [])].sort(
      (a, b) => b.bytes - a.bytes || cmp(a.node.name, b.node.name),
    );
    if (kids.length === 0) continue;
    const minBytes = rootOut.b / maxNodes;
    let shown = kids.filter((k, i) => i < maxChildren && (k.bytes >= minBytes || kids.length <= 8));
    const restCount = kids.length - shown.length;
    const cost = shown.length + (restCount > 0 ? 1 : 0);
    if (used + cost > maxNodes) {
      if (used + 2 > maxNodes) continue;
      shown = shown.slice(0, Math.max(1, maxNodes - used - 1));
    }
    const rest = kids.slice(shown.length);
    const node = out.get(work)!;
    delete node.f;
    node.c = shown.map((k) => {
      const child = emitLeaf(k);
      out.set(k, child);
      if (k.children && k.children.length > 0) heap.push(k);
      return child;
    });
    if (rest.length > 0) node.c.push(summary(rest));
    used += node.c.length;
  }
  return rootOut;
}

function prepare(node: TreeViewNode, leftovers: LeftoverTrie | undefined, underLeftover: boolean): Work {
  const marked = underLeftover || leftovers?.marked === true;
  const isDir = node.type === 'directory';
  const work: Work = {
    node,
    bytes: node.bytes,
    files: 0,
    layers: undefined,
    wasted: 0,
    replaced: 0,
    isDir,
  };
  if (isDir) {
    const layers = new Map<number, number>();
    const children = (node.children ?? []).map((c) => prepare(c, leftovers?.children.get(c.name), marked));
    work.children = children;
    shareHardlinks(children, node.bytes);
    for (const child of children) {
      work.files += child.files;
      work.wasted += child.wasted;
      work.replaced += child.replaced;
      addLayers(layers, child);
    }
    work.layers = layers;
    if (node.omitted) work.files += node.omitted.entries;
  } else {
    work.files = node.type === 'file' ? 1 : 0;
    if (marked) work.wasted = node.bytes;
    if (node.replaced) work.replaced = node.bytes;
  }
  return work;
}

function addLayers(into: Map<number, number>, from: Work): void {
  if (from.layers) {
    for (const [layer, bytes] of from.layers) into.set(layer, (into.get(layer) ?? 0) + bytes);
  } else if (from.bytes > 0) {
    into.set(from.node.layer, (into.get(from.node.layer) ?? 0) + from.bytes);
  }
}

/**
 * treeView counts a hard-linked inode once in directory totals (on its first
 * name) but in full on every name: when the files of a directory add up to
 * more than it holds, they are scaled down so the treemap's leaves sum to
 * the directory (the extra names share the inode's bytes).
 */
function shareHardlinks(children: Work[], dirBytes: number): void {
  let dirs = 0;
  let files = 0;
  for (const c of children) {
    if (c.isDir) dirs += c.bytes;
    else files += c.bytes;
  }
  if (files === 0 || dirs + files <= dirBytes) return;
  const budget = Math.max(0, dirBytes - dirs);
  const factor = budget / files;
  let left = budget;
  const fileKids = children.filter((c) => !c.isDir && c.bytes > 0);
  fileKids.forEach((c, i) => {
    const bytes = i === fileKids.length - 1 ? left : Math.min(left, Math.round(c.bytes * factor));
    left -= bytes;
    c.bytes = bytes;
    c.wasted = Math.min(c.wasted, bytes);
    c.replaced = Math.min(c.replaced, bytes);
  });
}

function dominant(layers: Map<number, number> | undefined, fallback: number): number {
  // A file's bytes, if any, are all in its own layer, the fallback.
  if (!layers) return fallback;
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

function layerPairs(layers: Map<number, number> | undefined): Array<[number, number]> | undefined {
  if (!layers || layers.size < 2) return undefined;
  return [...layers].filter(([, b]) => b > 0).sort((a, b) => a[0] - b[0]);
}

function emitLeaf(work: Work): HtmlTreeNode {
  const out: HtmlTreeNode = { n: work.node.name, b: work.bytes, l: dominant(work.layers, work.node.layer) };
  if (work.isDir) {
    out.t = 1;
    out.f = work.files;
  }
  const pairs = layerPairs(work.layers);
  if (pairs) out.s = pairs;
  if (work.wasted > 0) out.w = work.wasted;
  if (work.replaced > 0) out.m = work.replaced;
  return out;
}

function summary(rest: Work[]): HtmlTreeNode {
  const layers = new Map<number, number>();
  let bytes = 0;
  let files = 0;
  let wasted = 0;
  let replaced = 0;
  for (const r of rest) {
    bytes += r.bytes;
    files += r.isDir ? r.files : 1;
    wasted += r.wasted;
    replaced += r.replaced;
    addLayers(layers, r);
  }
  const out: HtmlTreeNode = {
    n: `(${files} small file${files === 1 ? '' : 's'})`,
    b: bytes,
    l: dominant(layers, rest[0]?.node.layer ?? -1),
    f: files,
    t: 2,
  };
  const pairs = layerPairs(layers);
  if (pairs) out.s = pairs;
  if (wasted > 0) out.w = wasted;
  if (replaced > 0) out.m = replaced;
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Counts the nodes of an aggregated tree. */
export function countNodes(node: HtmlTreeNode): number {
  let n = 1;
  for (const c of node.c ?? []) n += countNodes(c);
  return n;
}

class MaxHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly key: (item: T) => number) {}
  get size(): number {
    return this.items.length;
  }
  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.key(a[p]!) >= this.key(a[i]!)) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.key(a[l]!) > this.key(a[m]!)) m = l;
        if (r < a.length && this.key(a[r]!) > this.key(a[m]!)) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}
