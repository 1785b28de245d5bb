/**
 * The merged tree's memory per path, on 200,000 synthetic paths laid out like
 * a tar (grouped by directory, half the names shared, half unique). Prints
 * the figure; fails above the 300 bytes/path target.
 */
import { describe, expect, it } from 'vitest';
import { FileTree } from '../../src/analyze/file-tree.js';

const PATHS = 200_000;
const TOPS = [
  'usr/lib/python3.11/site-packages',
  'app/node_modules',
  'usr/share/doc',
  'usr/lib/x86_64-linux-gnu',
  'opt/app/src',
];
const NAMES = [
  '__init__.py',
  'index.js',
  'package.json',
  'README.md',
  'LICENSE',
  'utils.py',
  'core.js',
  'test_core.py',
];

function pathAt(i: number): string {
  const top = TOPS[Math.floor((i * TOPS.length) / PATHS)];
  const base = i % 2 ? NAMES[i % NAMES.length] : `generated_file_${i}.py`;
  return `${top}/package-name-${i >> 6}/module${(i >> 3) & 7}/${base}`;
}

describe('FileTree memory', () => {
  it('stays under 300 bytes per path for 200,000 paths', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage();
    const tree = new FileTree();
    tree.beginLayer(0);
    for (let i = 0; i < PATHS; i++) {
      tree.apply({
        path: pathAt(i),
        type: 'file',
        size: 1000 + (i % 5000),
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: 0,
      });
    }
    tree.endLayer();
    const estimate = tree.approxMemoryBytes() / PATHS;
    let measured: number | undefined;
    if (gc) {
      gc();
      const after = process.memoryUsage();
      measured = (after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers) / PATHS;
    }
    console.log(
      `FileTree: ${tree.nodeCount} nodes for ${PATHS} paths; ~${estimate.toFixed(0)} bytes/path estimated` +
        (measured === undefined
          ? ' (run node with --expose-gc for a heap measurement)'
          : `, ${measured.toFixed(0)} bytes/path measured`),
    );
    expect(tree.summary().files).toBe(PATHS);
    expect(estimate).toBeLessThan(300);
    if (measured !== undefined) expect(measured).toBeLessThan(300);
  });
});
