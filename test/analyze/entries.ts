/** Terse synthetic tar entries for analysis tests. */
import { FileTree } from '../../src/analyze/file-tree.js';
import type { TarEntry } from '../../src/image/types.js';

const base = { mode: 0o644, uid: 0, gid: 0, mtime: 0 };

export const file = (path: string, size: number, mode = 0o644): TarEntry => ({
  ...base,
  mode,
  path,
  type: 'file',
  size,
});
export const dir = (path: string): TarEntry => ({ ...base, mode: 0o755, path, type: 'directory', size: 0 });
export const whiteout = (path: string): TarEntry => {
  const slash = path.lastIndexOf('/');
  return file(`${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`, 0);
};
export const opaque = (dirPath: string): TarEntry => file(`${dirPath}/.wh..wh..opq`, 0);
export const symlink = (path: string, target: string): TarEntry => ({
  ...base,
  mode: 0o777,
  path,
  type: 'symlink',
  size: 0,
  linkname: target,
});
export const hardlink = (path: string, target: string): TarEntry => ({
  ...base,
  path,
  type: 'hardlink',
  size: 0,
  linkname: target,
});

/** Builds a tree from layers of entries. */
export function treeOf(layers: TarEntry[][]): FileTree {
  const tree = new FileTree();
  layers.forEach((entries, index) => {
    tree.beginLayer(index);
    for (const entry of entries) tree.apply(entry);
    tree.endLayer();
  });
  return tree;
}
