import type { TreeViewNode } from '../../src/analyze/top-paths.js';

/** The whole filesystem of these files (each written by `layerOf(path)`), as SlimResult.tree holds it. */
export function treeOf(
  files: ReadonlyArray<{ path: string; size: number }>,
  layerOf: (path: string) => number,
): TreeViewNode {
  const root: TreeViewNode = { name: '/', type: 'directory', bytes: 0, layer: 0, children: [] };
  for (const file of files) {
    let node = root;
    const parts = file.path.split('/').filter(Boolean);
    parts.forEach((name, i) => {
      node.bytes += file.size;
      const last = i === parts.length - 1;
      let child = node.children!.find((c) => c.name === name);
      if (!child) {
        child = last
          ? { name, type: 'file', bytes: 0, layer: layerOf(file.path) }
          : { name, type: 'directory', bytes: 0, layer: 0, children: [] };
        node.children!.push(child);
      }
      if (last) child.bytes = file.size;
      node = child;
    });
  }
  return root;
}
