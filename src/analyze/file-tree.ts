/**
 * The merged filesystem of an image, built by streaming each layer's entries
 * in order, as a container runtime would apply them: `.wh.NAME` deletes NAME
 * and its subtree from lower layers, `.wh..wh..opq` hides a directory's lower
 * children, a later entry at a path replaces the earlier one (file↔directory
 * replacements remove the subtree), hard links share one set of bytes, and a
 * symlinked parent directory is followed.
 *
 * Memory is proportional to the number of distinct paths ever seen: nodes are
 * columns in typed arrays (no object per path), names are interned once for
 * the whole image, and children are found through one open-addressing hash
 * table keyed by (parent, name). Removed nodes stay as tombstones, so a path
 * keeps its identity (and its dive statistics) when a later layer adds it back.
 *
 * Alongside the runtime view it keeps what dive's layer trees would contain,
 * because dive's efficiency figures (see efficiency.ts) are defined on those:
 * dive ignores opaque markers, keeps a directory's children when a file
 * replaces it, and treats a directory that a layer only implies (no entry of
 * its own) as an empty non-directory payload.
 */
import type { TarEntry } from '../image/types.js';
import { PareError } from '../util/errors.js';
import { GrowableMemory } from '../util/growable-memory.js';
import { DiveTally } from './efficiency.js';
import { NameTable } from './name-table.js';
import type { LayerTally, TreeSummary } from './tallies.js';

export type { ChangeTally, LayerTally, TreeSummary } from './tallies.js';

export const KIND_ABSENT = 0;
export const KIND_DIRECTORY = 1;
export const KIND_FILE = 2;
export const KIND_SYMLINK = 3;
/** Character and block devices, fifos, anything else: present, no bytes. */
export const KIND_OTHER = 4;
export type NodeKind = 0 | 1 | 2 | 3 | 4;

export const ROOT = 0;

// dive's view of a node: present in its stacked tree / payload is an explicit directory entry.
const F_DIVE_ALIVE = 1;
const F_DIVE_DIR = 2;
// Valid only while touched[id] equals the current layer stamp.
const F_EXPLICIT = 4;
const F_NONLEAF = 8;
// The last write of a non-directory replaced content an earlier layer (or entry) had there.
const F_REPLACED = 16;

/** Largest paths a layer deleted from lower layers, kept per layer for the report. */
const REMOVED_PATHS_KEPT = 10;

const MAX_LAYERS = 65_534;
/** Bytes per node of each per-node array, in the order grow lays them out: sizes, parents, names, firstChild, nextSibling, modes, touched, writers, kinds, flags. */
const COLUMN_WIDTHS = [8, 4, 4, 4, 4, 2, 2, 2, 1, 1] as const;
/** Bytes of the per-node arrays (see grow). */
const BYTES_PER_NODE = COLUMN_WIDTHS.reduce((sum: number, width) => sum + width, 0);
/** Nodes the per-node block reserves address space for (growable-memory.ts), committed only as used: 128 MiB. */
const RESERVED_NODES = 1 << 22;

// How walkFiles reads a path back from its bytes: all ASCII, UTF-8, or not at all (joined instead).
const DECODE_LATIN1 = 2;
const DECODE_UTF8 = 1;
const DECODE_JOIN = 0;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_SYMLINK_HOPS = 40;

interface LinkGroup {
  /** Bytes of the shared inode. */
  size: number;
  /** Layer that wrote the bytes. */
  owner: number;
  /** Names still present. */
  live: number;
}

export class FileTree {
  /** dive's per-path statistics, fed as layers are applied. */
  readonly dive = new DiveTally();
  /** Called when a node's content leaves the final filesystem (overwritten or removed). */
  onContentGone: ((id: number) => void) | undefined;

  private capacity = 0;
  private count = 0;
  private readonly nodeMemory = new GrowableMemory(0, RESERVED_NODES * BYTES_PER_NODE);
  private parents = new Int32Array(0);
  private names = new Int32Array(0);
  private firstChild = new Int32Array(0);
  private nextSibling = new Int32Array(0);
  private kinds = new Uint8Array(0);
  private flags = new Uint8Array(0);
  private modes = new Uint16Array(0);
  private touched = new Uint16Array(0);
  private writers = new Uint16Array(0);
  private sizes = new Float64Array(0);

  private slots = new Int32Array(0);
  private slotMask = 0;

  private readonly nameTable = new NameTable();
  private readonly linkTargets = new Map<number, string>();
  private readonly groupOf = new Map<number, number>();
  private readonly groups: LinkGroup[] = [];

  private readonly tallies: LayerTally[] = [];
  /** Per layer, candidates for its largest removed paths: [node, bytes], trimmed as it grows. */
  private readonly removedCandidates: Array<Array<[number, number]>> = [];
  private current: LayerTally | undefined;
  private stamp = 0;
  private touchedList = new Int32Array(1024);
  private touchedCount = 0;

  private cachedDirPath: string | undefined;
  private cachedDirNode = ROOT;

  constructor() {
    this.grow(1024);
    this.slots = new Int32Array(2048);
    this.slotMask = this.slots.length - 1;
    this.count = 1;
    this.parents[ROOT] = -1;
    this.firstChild[ROOT] = -1;
    this.nextSibling[ROOT] = -1;
    this.kinds[ROOT] = KIND_DIRECTORY;
    this.modes[ROOT] = 0o755;
  }

  // ---------------------------------------------------------------- building

  beginLayer(index: number): void {
    if (this.current) throw new Error('beginLayer: previous layer not ended');
    if (index !== this.tallies.length) throw new Error(`beginLayer: expected layer ${this.tallies.length}`);
    if (index >= MAX_LAYERS) throw new PareError(`more than ${MAX_LAYERS} layers`);
    this.current = {
      index,
      entries: 0,
      contentBytes: 0,
      added: { files: 0, bytes: 0 },
      modified: { files: 0, bytes: 0 },
      removed: { files: 0, bytes: 0 },
      wastedBytes: 0,
    };
    this.tallies.push(this.current);
    this.stamp = index + 1;
    this.touchedCount = 0;
    this.cachedDirPath = undefined;
  }

  /**
   * Applies one entry of the current layer. Returns the node now holding the
   * entry's content (to attach facts read from its bytes), or -1.
   */
  apply(entry: TarEntry): number {
    const tally = this.current;
    if (!tally) throw new Error('apply: no layer begun');
    tally.entries++;
    tally.contentBytes += entry.size;
    const path = entry.path;
    if (path === '' || path === '.') return -1;
    const slash = path.lastIndexOf('/');
    const dirPath = slash < 0 ? '' : path.slice(0, slash);
    const base = path.slice(slash + 1);
    if (base === '' || base === '.' || base === '..') return -1;
    const dir = this.directoryFor(dirPath);

    if (base.startsWith('.wh.')) {
      if (base === '.wh..wh..opq') this.hideLowerUnder(dir);
      // Other `.wh..wh.` names are aufs bookkeeping; dive skips them too.
      else if (!base.startsWith('.wh..wh.')) this.whiteout(dir, base.slice(4));
      return -1;
    }

    this.markNonLeaf(dir);
    const nameId = this.nameTable.intern(base);
    let id = this.findChild(dir, nameId);
    if (id < 0) id = this.createChild(dir, nameId);
    const isDir = entry.type === 'directory';
    this.touchExplicit(id, isDir);
    const was = this.kinds[id]!;

    if (isDir) {
      if (was !== KIND_DIRECTORY && was !== KIND_ABSENT) this.releaseContent(id, true);
      this.sizes[id] = entry.size;
      this.modes[id] = entry.mode & 0o7777;
      this.kinds[id] = KIND_DIRECTORY;
      this.writers[id] = tally.index;
      this.linkTargets.delete(id);
      return id;
    }

    if (was === KIND_DIRECTORY) {
      this.hideChildren(id);
      this.cachedDirPath = undefined;
    } else if (was !== KIND_ABSENT) {
      this.releaseContent(id, false);
    }
    this.sizes[id] = entry.size;
    this.modes[id] = entry.mode & 0o7777;
    if (was === KIND_ABSENT) this.flags[id]! &= ~F_REPLACED;
    else this.flags[id]! |= F_REPLACED;
    const change = was === KIND_ABSENT ? tally.added : tally.modified;
    change.files++;
    change.bytes += entry.size;
    this.writers[id] = tally.index;
    this.linkTargets.delete(id);
    // The old content is gone before the new is made, as a runtime removes a path before it
    // extracts the entry: a hard link's target cannot be reached through the name it replaces.
    this.kinds[id] = KIND_OTHER;

    switch (entry.type) {
      case 'file':
        this.kinds[id] = KIND_FILE;
        break;
      case 'symlink':
        this.kinds[id] = KIND_SYMLINK;
        this.linkTargets.set(id, entry.linkname ?? '');
        break;
      case 'hardlink':
        this.applyHardlink(id, entry.linkname ?? '');
        break;
      default:
        this.kinds[id] = KIND_OTHER;
    }
    return id;
  }

  endLayer(): LayerTally {
    const tally = this.current;
    if (!tally) throw new Error('endLayer: no layer begun');
    // dive visits the leaves of each layer's own tree: paths with no child in this layer.
    for (let i = 0; i < this.touchedCount; i++) {
      const id = this.touchedList[i]!;
      const f = this.flags[id]!;
      if (f & F_NONLEAF) continue;
      this.dive.record(id, f & F_EXPLICIT ? this.sizes[id]! : 0);
    }
    this.touchedCount = 0;
    this.current = undefined;
    this.cachedDirPath = undefined;
    return tally;
  }

  // ---------------------------------------------------------------- queries

  get layerCount(): number {
    return this.tallies.length;
  }

  /** Per-layer tallies; `wastedBytes` is final once every layer is applied. */
  layerTallies(): LayerTally[] {
    return this.tallies.map((t) => ({
      ...t,
      added: { ...t.added },
      modified: { ...t.modified },
      removed: { ...t.removed },
    }));
  }

  /** Nodes allocated, tombstones included. */
  get nodeCount(): number {
    return this.count;
  }

  /** The present node at `path` (leading `/` optional), following symlinked parents; -1 if none. */
  lookup(path: string): number {
    const parts = splitPath(path);
    if (parts.length === 0) return ROOT;
    let node = ROOT;
    for (let i = 0; i < parts.length; i++) {
      const nameId = this.nameTable.find(parts[i]!);
      if (nameId < 0) return -1;
      node = this.findChild(node, nameId);
      if (node < 0 || this.kinds[node] === KIND_ABSENT) return -1;
      if (i < parts.length - 1) {
        node = this.followToDirectory(node);
        if (node < 0) return -1;
      }
    }
    return node;
  }

  /** Whether the content at `id` replaced what an earlier write had at that path (a changed file, not an added one). */
  replacedEarlier(id: number): boolean {
    return this.kinds[id] !== KIND_DIRECTORY && ((this.flags[id] ?? 0) & F_REPLACED) !== 0;
  }

  /** The largest non-directory paths layer `index` deleted from the layers below (whiteouts, opaque dirs), largest first. */
  removedBy(index: number): Array<{ path: string; bytes: number }> {
    const list = [...(this.removedCandidates[index] ?? [])].sort((a, b) => b[1] - a[1]);
    const seen = new Set<number>();
    const result: Array<{ path: string; bytes: number }> = [];
    for (const [id, bytes] of list) {
      if (seen.has(id)) continue;
      seen.add(id);
      result.push({ path: this.pathOf(id), bytes });
      if (result.length === REMOVED_PATHS_KEPT) break;
    }
    return result;
  }

  private noteRemoved(layer: number, id: number, bytes: number): void {
    let list = this.removedCandidates[layer];
    if (!list) {
      list = [];
      this.removedCandidates[layer] = list;
    }
    list.push([id, bytes]);
    if (list.length > REMOVED_PATHS_KEPT * 8) {
      list.sort((a, b) => b[1] - a[1]);
      list.length = REMOVED_PATHS_KEPT * 2;
    }
  }

  kindOf(id: number): NodeKind {
    return this.kinds[id] as NodeKind;
  }

  nameOf(id: number): string {
    return this.nameTable.text(this.names[id]!);
  }

  parentOf(id: number): number {
    return this.parents[id]!;
  }

  /** Absolute path: `/usr/bin/env`; `/` for the root. */
  pathOf(id: number): string {
    if (id === ROOT) return '/';
    const parts: string[] = [];
    for (let n = id; n > ROOT; n = this.parents[n]!) parts.push(this.nameTable.text(this.names[n]!));
    return `/${parts.reverse().join('/')}`;
  }

  /** Bytes the node's content occupies (a hard-linked inode's full size on every name). */
  sizeOf(id: number): number {
    const kind = this.kinds[id];
    if (kind !== KIND_FILE) return 0;
    const group = this.groupOf.get(id);
    return group === undefined ? this.sizes[id]! : this.groups[group]!.size;
  }

  /** True for a name sharing its bytes with other names (hard links). */
  isHardlinked(id: number): boolean {
    return this.groupOf.has(id);
  }

  /** Identifies the shared inode of hard-linked names, undefined for others. */
  inodeGroupOf(id: number): number | undefined {
    return this.groupOf.get(id);
  }

  /** Present names of the node's inode: 1 unless it is hard-linked. */
  linkCount(id: number): number {
    const group = this.groupOf.get(id);
    return group === undefined ? 1 : this.groups[group]!.live;
  }

  /** Layer that last wrote the node. */
  writerOf(id: number): number {
    return this.writers[id]!;
  }

  modeOf(id: number): number {
    return this.modes[id]!;
  }

  linkTargetOf(id: number): string | undefined {
    return this.linkTargets.get(id);
  }

  /** Present children, in no particular order. */
  childrenOf(id: number): number[] {
    const out: number[] = [];
    for (let c = this.firstChild[id]!; c >= 0; c = this.nextSibling[c]!) {
      if (this.kinds[c] !== KIND_ABSENT) out.push(c);
    }
    return out;
  }

  /**
   * Depth-first walk of present nodes below `from` (excluded), parents before
   * children, children in byte order of their names. Return false to skip a subtree.
   */
  walk(visit: (id: number, path: string, depth: number) => unknown, from = ROOT): void {
    const prefix = from === ROOT ? '' : this.pathOf(from);
    const stack: Array<{ id: number; path: string; depth: number }> = [];
    const pushChildren = (id: number, path: string, depth: number) => {
      const children = this.childrenOf(id).sort((a, b) => compareBytes(this.nameOf(b), this.nameOf(a)));
      for (const c of children) stack.push({ id: c, path: `${path}/${this.nameOf(c)}`, depth });
    };
    pushChildren(from, prefix, 1);
    while (stack.length > 0) {
      const { id, path, depth } = stack.pop()!;
      const descend = visit(id, path, depth);
      if (descend !== false && this.kinds[id] === KIND_DIRECTORY) pushChildren(id, path, depth + 1);
    }
  }

  /**
   * The present non-directories in `walk`'s order, each with its absolute
   * path. Paths are written into one byte buffer and read back from it, so
   * each is a single flat string: a path joined from its parent's (as `walk`
   * builds them) keeps a rope node per file and, once a regular expression
   * reads it, a flattened copy besides. A name that is not well-formed UTF-16
   * would not survive the bytes: paths below it are joined as `pathOf` does.
   */
  walkFiles(visit: (id: number, path: string) => void): void {
    let bytes = Buffer.allocUnsafe(4096);
    // Triples of node id, where its parent's path ends in `bytes`, and how that path reads back.
    const stack: number[] = [];
    const pushChildren = (id: number, end: number, decode: number) => {
      const children = this.childrenOf(id).sort((a, b) => compareBytes(this.nameOf(b), this.nameOf(a)));
      for (const c of children) stack.push(c, end, decode);
    };
    pushChildren(ROOT, 0, DECODE_LATIN1);
    while (stack.length > 0) {
      const parentDecode = stack.pop()!;
      const parentEnd = stack.pop()!;
      const id = stack.pop()!;
      const name = this.nameOf(id);
      const need = parentEnd + 1 + name.length * 3;
      if (need > bytes.length) {
        const grown = Buffer.allocUnsafe(Math.max(need, bytes.length * 2));
        bytes.copy(grown, 0, 0, parentEnd);
        bytes = grown;
      }
      bytes[parentEnd] = 0x2f;
      const written = bytes.write(name, parentEnd + 1, 'utf8');
      const end = parentEnd + 1 + written;
      // UTF-8 takes more bytes than UTF-16 code units exactly when a name is not ASCII.
      let decode = parentDecode;
      if (written !== name.length && decode === DECODE_LATIN1) decode = DECODE_UTF8;
      if (decode === DECODE_UTF8 && LONE_SURROGATE.test(name)) decode = DECODE_JOIN;
      if (this.kinds[id] === KIND_DIRECTORY) pushChildren(id, end, decode);
      else
        visit(
          id,
          decode === DECODE_LATIN1
            ? bytes.toString('latin1', 0, end)
            : decode === DECODE_UTF8
              ? bytes.toString('utf8', 0, end)
              : this.pathOf(id),
        );
    }
  }

  summary(): TreeSummary {
    const result: TreeSummary = { bytes: 0, files: 0, directories: 0, symlinks: 0, others: 0 };
    const groupsSeen = new Set<number>();
    for (let id = 1; id < this.count; id++) {
      switch (this.kinds[id]) {
        case KIND_DIRECTORY:
          result.directories++;
          break;
        case KIND_FILE: {
          result.files++;
          const group = this.groupOf.get(id);
          if (group === undefined) result.bytes += this.sizes[id]!;
          else if (!groupsSeen.has(group)) {
            groupsSeen.add(group);
            result.bytes += this.groups[group]!.size;
          }
          break;
        }
        case KIND_SYMLINK:
          result.symlinks++;
          break;
        case KIND_OTHER:
          result.others++;
          break;
      }
    }
    return result;
  }

  /** Approximate heap bytes held by the tree (typed arrays, names, side maps). */
  approxMemoryBytes(): number {
    const names = this.nameTable.approxMemoryBytes();
    const links = this.linkTargets.size * 80 + this.groupOf.size * 40;
    return (
      this.capacity * BYTES_PER_NODE + this.slots.length * 4 + names + links + this.dive.approxMemoryBytes()
    );
  }

  // ---------------------------------------------------------------- internals

  private slotOf(parent: number, nameId: number): number {
    let h = Math.imul(parent ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(nameId + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 13;
    return h & this.slotMask;
  }

  private findChild(parent: number, nameId: number): number {
    let slot = this.slotOf(parent, nameId);
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) return -1;
      const id = entry - 1;
      if (this.parents[id] === parent && this.names[id] === nameId) return id;
      slot = (slot + 1) & this.slotMask;
    }
  }

  private insertSlot(id: number): void {
    let slot = this.slotOf(this.parents[id]!, this.names[id]!);
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.slotMask;
    this.slots[slot] = id + 1;
  }

  private createChild(parent: number, nameId: number): number {
    if (this.count === this.capacity) this.grow(Math.ceil(this.capacity * 1.5));
    if ((this.count + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    const id = this.count++;
    this.parents[id] = parent;
    this.names[id] = nameId;
    this.firstChild[id] = -1;
    this.nextSibling[id] = this.firstChild[parent]!;
    this.firstChild[parent] = id;
    this.kinds[id] = KIND_ABSENT;
    this.insertSlot(id);
    return id;
  }

  /**
   * The per-node arrays are columns of one block, widest elements first so
   * that each view is aligned (one block to allocate per growth instead of
   * ten, which left the allocator holding freed memory). The block grows in
   * place (growable-memory.ts), so its columns move up within it.
   */
  private grow(capacity: number): void {
    const previous = this.capacity;
    const block = this.nodeMemory.ensure(capacity * BYTES_PER_NODE);
    // Each column moves up to where it now starts, the last first, so none lands on one not yet moved.
    // The rest of it is zeroed where the old columns were; beyond them the bytes are new, zero and not
    // yet touched, so not yet resident either.
    const bytes = new Uint8Array(block);
    const usedBefore = previous * BYTES_PER_NODE;
    let oldStart = usedBefore;
    let newStart = capacity * BYTES_PER_NODE;
    for (let column = COLUMN_WIDTHS.length - 1; column >= 0; column--) {
      const width = COLUMN_WIDTHS[column]!;
      oldStart -= previous * width;
      newStart -= capacity * width;
      if (previous > 0) bytes.copyWithin(newStart, oldStart, oldStart + previous * width);
      const stale = Math.min(newStart + capacity * width, usedBefore);
      if (newStart + previous * width < stale) bytes.fill(0, newStart + previous * width, stale);
    }
    let offset = 0;
    const view = <T extends Int32Array | Uint8Array | Uint16Array | Float64Array>(Type: {
      new (buffer: ArrayBuffer, offset: number, length: number): T;
      BYTES_PER_ELEMENT: number;
    }): T => {
      const next = new Type(block, offset, capacity);
      offset += capacity * Type.BYTES_PER_ELEMENT;
      return next;
    };
    // In COLUMN_WIDTHS' order.
    this.sizes = view(Float64Array);
    this.parents = view(Int32Array);
    this.names = view(Int32Array);
    this.firstChild = view(Int32Array);
    this.nextSibling = view(Int32Array);
    this.modes = view(Uint16Array);
    this.touched = view(Uint16Array);
    this.writers = view(Uint16Array);
    this.kinds = view(Uint8Array);
    this.flags = view(Uint8Array);
    this.capacity = capacity;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    this.slotMask = size - 1;
    for (let id = 1; id < this.count; id++) this.insertSlot(id);
  }

  private pushTouched(id: number): void {
    if (this.touchedCount === this.touchedList.length) {
      const next = new Int32Array(this.touchedList.length * 2);
      next.set(this.touchedList);
      this.touchedList = next;
    }
    this.touchedList[this.touchedCount++] = id;
  }

  /** First mention of a node in this layer: dive's layer tree gets an empty payload for it. */
  private touch(id: number): void {
    if (this.touched[id] === this.stamp) return;
    this.touched[id] = this.stamp;
    this.flags[id] = (this.flags[id]! & ~(F_EXPLICIT | F_NONLEAF | F_DIVE_DIR)) | F_DIVE_ALIVE;
    this.pushTouched(id);
  }

  private touchExplicit(id: number, isDir: boolean): void {
    this.touch(id);
    const f = this.flags[id]! | F_EXPLICIT;
    this.flags[id] = isDir ? f | F_DIVE_DIR : f & ~F_DIVE_DIR;
  }

  private markNonLeaf(id: number): void {
    if (id !== ROOT) this.flags[id]! |= F_NONLEAF;
  }

  /**
   * The directory an entry's parent path names, created (as the runtime would)
   * when missing; a file in the way is replaced, a symlink to a directory followed.
   */
  private directoryFor(dirPath: string): number {
    if (dirPath === '') return ROOT;
    if (dirPath === this.cachedDirPath) return this.cachedDirNode;
    let node = ROOT;
    let start = 0;
    const cached = this.cachedDirPath;
    if (
      cached !== undefined &&
      dirPath.length > cached.length &&
      dirPath.startsWith(cached) &&
      dirPath[cached.length] === '/'
    ) {
      node = this.cachedDirNode;
      start = cached.length + 1;
    }
    while (start <= dirPath.length) {
      let end = dirPath.indexOf('/', start);
      if (end < 0) end = dirPath.length;
      const part = dirPath.slice(start, end);
      start = end + 1;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (node !== ROOT) node = this.parents[node]!;
        continue;
      }
      this.markNonLeaf(node);
      const nameId = this.nameTable.intern(part);
      let child = this.findChild(node, nameId);
      if (child < 0) child = this.createChild(node, nameId);
      this.touch(child);
      node = this.ensureDirectory(child);
    }
    this.cachedDirPath = dirPath;
    this.cachedDirNode = node;
    return node;
  }

  private ensureDirectory(id: number): number {
    const kind = this.kinds[id];
    if (kind === KIND_DIRECTORY) return id;
    if (kind === KIND_SYMLINK) {
      const target = this.followToDirectory(id);
      if (target >= 0) return target;
    }
    if (kind !== KIND_ABSENT) this.releaseContent(id, true);
    this.linkTargets.delete(id);
    this.kinds[id] = KIND_DIRECTORY;
    this.sizes[id] = 0;
    this.modes[id] = 0o755;
    this.writers[id] = this.current!.index;
    return id;
  }

  /** Resolves a node through symlinks to a present directory; -1 when dangling, looping or not a directory. */
  private followToDirectory(id: number, hops = 0): number {
    let node = id;
    while (this.kinds[node] === KIND_SYMLINK) {
      if (hops++ >= MAX_SYMLINK_HOPS) return -1;
      const target = this.linkTargets.get(node) ?? '';
      let at = target.startsWith('/') ? ROOT : this.parents[node]!;
      for (const part of target.split('/')) {
        if (part === '' || part === '.') continue;
        if (part === '..') {
          if (at !== ROOT) at = this.parents[at]!;
          continue;
        }
        const nameId = this.nameTable.find(part);
        const child = nameId < 0 ? -1 : this.findChild(at, nameId);
        if (child < 0 || this.kinds[child] === KIND_ABSENT) return -1;
        at = this.kinds[child] === KIND_SYMLINK ? this.followToDirectory(child, hops) : child;
        if (at < 0) return -1;
      }
      node = at;
    }
    return this.kinds[node] === KIND_DIRECTORY ? node : -1;
  }

  private applyHardlink(id: number, linkname: string): void {
    const target = linkname === '' ? -1 : this.lookup(linkname);
    if (target >= 0 && target !== id && this.kinds[target] === KIND_FILE) {
      let group = this.groupOf.get(target);
      if (group === undefined) {
        group = this.groups.length;
        this.groups.push({ size: this.sizes[target]!, owner: this.writers[target]!, live: 1 });
        this.groupOf.set(target, group);
      }
      this.groupOf.set(id, group);
      this.groups[group]!.live++;
      this.kinds[id] = KIND_FILE;
      return;
    }
    if (target >= 0 && this.kinds[target] === KIND_SYMLINK) {
      this.kinds[id] = KIND_SYMLINK;
      this.linkTargets.set(id, this.linkTargets.get(target) ?? '');
      return;
    }
    // A link to nothing extracts as nothing useful; keep the name, no bytes.
    this.kinds[id] = KIND_FILE;
  }

  /**
   * A non-directory's content leaves the final filesystem. Its bytes become
   * waste of the layer that wrote them (a hard-linked inode only when its last
   * name goes); `removed` also counts it against the current layer.
   */
  private releaseContent(id: number, removed: boolean): void {
    let bytes = 0;
    let owner = this.writers[id]!;
    const group = this.groupOf.get(id);
    if (group !== undefined) {
      this.groupOf.delete(id);
      const shared = this.groups[group]!;
      shared.live--;
      owner = shared.owner;
      if (shared.live === 0) bytes = shared.size;
    } else if (this.kinds[id] === KIND_FILE) {
      bytes = this.sizes[id]!;
    }
    this.tallies[owner]!.wastedBytes += bytes;
    if (removed) {
      this.current!.removed.files++;
      this.current!.removed.bytes += bytes;
      this.noteRemoved(this.current!.index, id, bytes);
    }
    this.onContentGone?.(id);
  }

  /** Removes a present node and everything under it from the final filesystem. */
  private hide(id: number): void {
    const stack = [id];
    while (stack.length > 0) {
      const n = stack.pop()!;
      const kind = this.kinds[n];
      if (kind === KIND_ABSENT) continue;
      if (kind === KIND_DIRECTORY) {
        for (let c = this.firstChild[n]!; c >= 0; c = this.nextSibling[c]!) stack.push(c);
      } else {
        this.releaseContent(n, true);
        this.linkTargets.delete(n);
      }
      this.kinds[n] = KIND_ABSENT;
    }
    this.cachedDirPath = undefined;
  }

  private hideChildren(id: number): void {
    for (let c = this.firstChild[id]!; c >= 0; c = this.nextSibling[c]!) this.hide(c);
  }

  /**
   * Whiteouts and opaque markers apply to lower layers only: what this layer
   * already wrote under `id` stays, everything older goes.
   */
  private hideLowerUnder(id: number): void {
    const stack = [id];
    while (stack.length > 0) {
      const n = stack.pop()!;
      for (let c = this.firstChild[n]!; c >= 0; c = this.nextSibling[c]!) {
        if (this.kinds[c] === KIND_ABSENT) continue;
        if (this.touched[c] !== this.stamp) this.hide(c);
        else if (this.kinds[c] === KIND_DIRECTORY) stack.push(c);
      }
    }
    this.cachedDirPath = undefined;
  }

  private whiteout(dir: number, name: string): void {
    // In dive's layer tree the whiteout is a child of `dir`, a leaf keyed by the path it deletes.
    this.markNonLeaf(dir);
    const nameId = this.nameTable.find(name);
    const target = nameId < 0 ? -1 : this.findChild(dir, nameId);
    if (target < 0) return;
    if (this.flags[target]! & F_DIVE_ALIVE) {
      // dive sizes a whiteout by the subtree it deletes, but only when the
      // stacked lower tree holds an explicit directory entry there; a deleted file counts 0.
      const size = this.flags[target]! & F_DIVE_DIR ? this.diveSubtreeBytes(target) : 0;
      this.dive.record(target, size);
      this.clearDiveAlive(target);
    }
    if (this.kinds[target] === KIND_ABSENT) return;
    if (this.touched[target] === this.stamp) {
      if (this.kinds[target] === KIND_DIRECTORY) this.hideLowerUnder(target);
    } else {
      this.hide(target);
    }
  }

  private diveSubtreeBytes(id: number): number {
    let total = 0;
    const stack = [id];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (!(this.flags[n]! & F_DIVE_ALIVE)) continue;
      total += this.sizes[n]!;
      for (let c = this.firstChild[n]!; c >= 0; c = this.nextSibling[c]!) stack.push(c);
    }
    return total;
  }

  private clearDiveAlive(id: number): void {
    const stack = [id];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (!(this.flags[n]! & F_DIVE_ALIVE)) continue;
      this.flags[n]! &= ~F_DIVE_ALIVE;
      for (let c = this.firstChild[n]!; c >= 0; c = this.nextSibling[c]!) stack.push(c);
    }
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/** Byte-order comparison (like Go's sort.Strings and `ls` in the C locale). */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
