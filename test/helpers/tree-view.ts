import { type TreeViewNode, treeView } from '../../src/analyze/top-paths.js';
import { file, treeOf } from '../analyze/entries.js';

/**
 * The whole final filesystem of these layers of files, as SlimResult.tree holds
 * it: built by the real FileTree and treeView, one layer per inner list.
 */
export function treeViewOf(
  layers: ReadonlyArray<ReadonlyArray<{ path: string; size: number }>>,
): TreeViewNode {
  const tree = treeOf(layers.map((files) => files.map((f) => file(f.path.replace(/^\//, ''), f.size))));
  return treeView(tree, { depth: Number.POSITIVE_INFINITY });
}
