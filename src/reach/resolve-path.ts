/**
 * Path resolution in an image's final filesystem, as the Linux kernel walks a
 * path: component by component, `.`/`..` on the physical tree (`..` of the
 * root is the root), symlinks expanded where they are met (absolute targets
 * from the image root, never the host; relative ones from the link's
 * directory), at most 40 links per walk (ELOOP), a trailing slash forcing the
 * last link to be followed.
 *
 * Besides the answer it records every symlink crossed: a slimmed image must
 * keep them, or the path that worked in the original stops resolving
 * (`/lib -> usr/lib` in front of every library path on merged-/usr systems).
 */
import { type FileTree, KIND_ABSENT, KIND_DIRECTORY, KIND_SYMLINK, ROOT } from '../analyze/file-tree.js';

/** The kernel's MAXSYMLINKS. */
const MAX_SYMLINK_HOPS = 40;

export interface ResolvePathOptions {
  /** Directory a relative path starts from (itself resolved from the root); default `/`. */
  cwd?: string;
  /** Follow a symlink in the last component (stat); false gives lstat semantics. Default true. */
  followFinal?: boolean;
}

export interface ResolvedPath {
  /** The node the path names, undefined when a component is missing, not a directory, or links loop. */
  id: number | undefined;
  /** Physical path of `id`. */
  resolved: string | undefined;
  /** Every symlink node crossed, in walk order, then the final node when it exists. */
  traversed: number[];
}

export function resolvePath(tree: FileTree, path: string, options: ResolvePathOptions = {}): ResolvedPath {
  const traversed: number[] = [];
  const followFinal = options.followFinal ?? true;
  // An empty path names nothing (ENOENT), unlike `.`.
  if (path === '') return { id: undefined, resolved: undefined, traversed };

  let start = ROOT;
  let startPath = '';
  if (!path.startsWith('/')) {
    const cwd = options.cwd ?? '/';
    const base = cwd === '/' ? { id: ROOT, traversed: [] } : resolvePath(tree, cwd);
    const baseId = base.id;
    if (baseId === undefined || tree.kindOf(baseId) !== KIND_DIRECTORY) {
      traversed.push(...base.traversed.filter((id) => tree.kindOf(id) === KIND_SYMLINK));
      return { id: undefined, resolved: undefined, traversed };
    }
    // The cwd's own links matter too; its directory node is not this path's final node.
    traversed.push(...base.traversed.filter((id) => id !== baseId));
    start = baseId;
    startPath = baseId === ROOT ? '' : tree.pathOf(baseId);
  }

  const walk = new Walk(tree, start, startPath, traversed);
  walk.push(path);
  const id = walk.run(followFinal);
  if (id === undefined) return { id: undefined, resolved: undefined, traversed };
  traversed.push(id);
  return { id, resolved: id === ROOT ? '/' : walk.currentPath || '/', traversed };
}

/** The state of one path walk: the directory reached so far and the components still to take. */
class Walk {
  /** Components still to walk, the next one last. */
  private readonly pending: string[] = [];
  private hops = 0;

  constructor(
    private readonly tree: FileTree,
    private current: number,
    /** Physical path of `current` ('' for the root). */
    public currentPath: string,
    private readonly traversed: number[],
  ) {}

  /** Puts a path's components in front of what is left to walk. */
  push(path: string): void {
    const parts = path.split('/').filter((part) => part !== '');
    // A trailing slash means "a directory": the last link must be followed, as with a trailing `/.`.
    if (path.endsWith('/') && parts.length > 0) parts.push('.');
    for (let i = parts.length - 1; i >= 0; i--) this.pending.push(parts[i]!);
  }

  run(followFinal: boolean): number | undefined {
    const tree = this.tree;
    while (this.pending.length > 0) {
      // Only a directory has components below it (ENOTDIR otherwise).
      if (tree.kindOf(this.current) !== KIND_DIRECTORY) return undefined;
      const name = this.pending.pop()!;
      if (name === '.') continue;
      if (name === '..') {
        if (this.current !== ROOT) this.moveTo(tree.parentOf(this.current));
        continue;
      }
      const child = tree.lookup(`${this.currentPath}/${name}`);
      if (child < 0 || tree.kindOf(child) === KIND_ABSENT) return undefined;
      const isLast = this.pending.length === 0;
      if (tree.kindOf(child) === KIND_SYMLINK && (!isLast || followFinal)) {
        this.traversed.push(child);
        if (++this.hops > MAX_SYMLINK_HOPS) return undefined;
        const target = tree.linkTargetOf(child) ?? '';
        if (target === '') return undefined;
        if (target.startsWith('/')) this.moveTo(ROOT);
        this.push(target);
        continue;
      }
      this.current = child;
      this.currentPath = `${this.currentPath}/${name}`;
    }
    return this.current;
  }

  private moveTo(id: number): void {
    this.current = id;
    this.currentPath = id === ROOT ? '' : this.tree.pathOf(id);
  }
}
