import { type TreeMapNode, treeMap } from '../../src/analyze/tree-map.js';
import { file, treeOf } from '../analyze/entries.js';

/**
 * The final filesystem of these layers of files as SlimResult.treeMap holds
 * it, the removed paths' bytes marked: built by the real FileTree and
 * treeMap, one layer per inner list.
 */
export function treeMapOf(
  layers: ReadonlyArray<ReadonlyArray<{ path: string; size: number }>>,
  removed: ReadonlyArray<{ path: string }>,
): TreeMapNode {
  const tree = treeOf(layers.map((files) => files.map((f) => file(f.path.replace(/^\//, ''), f.size))));
  return treeMap(tree, { leftovers: removed.map((p) => tree.lookup(p.path)) });
}
