/**
 * The final filesystem reduced to a node budget for the HTML treemap:
 * budget, small-files nodes, dominant layer, per-layer bytes, changed and
 * leftover bytes, hard-linked names sharing their inode.
 */
import { describe, expect, it } from 'vitest';
import { countNodes, type TreeMapNode, treeMap } from '../../src/analyze/tree-map.js';
import { jsonForScript } from '../../src/report/html/escape.js';
import { file, treeOf } from './entries.js';

const child = (node: TreeMapNode, name: string) => node.c?.find((c) => c.n === name);

describe('treeMap', () => {
  it('keeps totals, dominant layers and per-layer bytes', () => {
    const tree = treeOf([
      [file('usr/lib/a.so', 6000), file('usr/lib/b.so', 1000), file('etc/conf', 10)],
      [file('usr/lib/c.so', 2000), file('app/main.js', 4000)],
    ]);
    const root = treeMap(tree);
    expect(root.b).toBe(13_010);
    expect(root.s).toEqual([
      [0, 7010],
      [1, 6000],
    ]);
    const lib = child(child(root, 'usr')!, 'lib')!;
    expect(lib).toMatchObject({
      b: 9000,
      l: 0,
      t: 1,
      s: [
        [0, 7000],
        [1, 2000],
      ],
    });
    expect(child(root, 'app')).toMatchObject({ b: 4000, l: 1 });
  });

  it('marks changed bytes (a later layer replaced the file) up to the root', () => {
    const tree = treeOf([
      [file('etc/conf', 100), file('etc/other', 40), file('bin/sh', 10)],
      [file('etc/conf', 120), file('etc/new', 7)],
    ]);
    const root = treeMap(tree);
    expect(root.m).toBe(120);
    expect(child(child(root, 'etc')!, 'conf')).toMatchObject({ b: 120, l: 1, m: 120 });
    expect(child(child(root, 'etc')!, 'new')!.m).toBeUndefined();
    expect(child(root, 'bin')!.m).toBeUndefined();
  });

  it('marks leftover bytes up to the root', () => {
    const tree = treeOf([
      [file('var/lib/apt/lists/x', 500), file('var/lib/apt/lists/y', 300), file('bin/sh', 100)],
    ]);
    const root = treeMap(tree, { leftovers: ['/var/lib/apt/lists', '/bin/sh'].map((p) => tree.lookup(p)) });
    expect(root.w).toBe(900);
    expect(child(root, 'var')!.w).toBe(800);
  });

  it('summarises small entries and stays within the node budget', () => {
    const layer = [file('big/one', 1_000_000)];
    for (let i = 0; i < 5000; i++) layer.push(file(`many/d${i % 50}/f${i}`, 10 + (i % 7)));
    const root = treeMap(treeOf([layer]), { maxNodes: 200, maxChildren: 20 });
    expect(countNodes(root)).toBeLessThanOrEqual(230);
    expect(root.b).toBe(1_000_000 + layer.slice(1).reduce((s, e) => s + e.size, 0));
    const sumLeaves = (n: TreeMapNode): number => (n.c ? n.c.reduce((s, c) => s + sumLeaves(c), 0) : n.b);
    expect(sumLeaves(root)).toBe(root.b);
    const many = child(root, 'many')!;
    const small = (many.c ?? []).find((c) => c.t === 2) ?? many;
    expect(small.f).toBeGreaterThan(0);
    const files = (n: TreeMapNode): number => (n.c ? n.c.reduce((s, c) => s + files(c), 0) : (n.f ?? 1));
    expect(files(root)).toBe(5001);
  });

  it('keeps a 200,000-file image to a few MB', () => {
    const layers: ReturnType<typeof file>[][] = [[], [], []];
    for (let i = 0; i < 200_000; i++) {
      const depth = 2 + (i % 6);
      const parts = ['usr', `p${i % 97}`, `s${(i >> 3) % 31}`, `t${(i >> 5) % 13}`, 'x', 'y', 'z'].slice(
        0,
        depth,
      );
      layers[i % 3]!.push(file(`${parts.join('/')}/file-${i}.dat`, 100 + ((i * 7919) % 50_000)));
    }
    const tree = treeOf(layers);
    const started = performance.now();
    const root = treeMap(tree);
    const json = jsonForScript(root);
    const ms = performance.now() - started;
    console.log(
      `200k files: ${countNodes(root)} nodes, ${(json.length / 1e6).toFixed(2)} MB of JSON, ${ms.toFixed(0)} ms`,
    );
    expect(json.length).toBeLessThan(3_000_000);
    expect(root.b).toBe(layers.flat().reduce((s, e) => s + e.size, 0));
  }, 60_000);
});

describe('treeMap with hard links', () => {
  it('shares an inode between its names so leaves add up to the total', async () => {
    const { hardlink } = await import('./entries.js');
    const tree = treeOf([
      [file('usr/bin/perl', 5000), hardlink('usr/bin/perl5.36', 'usr/bin/perl'), file('x', 7)],
    ]);
    const root = treeMap(tree);
    const leaves = (n: TreeMapNode): number => (n.c ? n.c.reduce((s, c) => s + leaves(c), 0) : n.b);
    expect(root.b).toBe(5007);
    expect(leaves(root)).toBe(5007);
  });
});
