import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LargestValues,
  largestDirectories,
  largestFiles,
  SizeIndex,
  treeView,
} from '../../src/analyze/top-paths.js';
import { dir, file, hardlink, symlink, treeOf, whiteout } from './entries.js';

const tree = treeOf([
  [
    dir('usr'),
    dir('usr/lib'),
    file('usr/lib/big.so', 9000),
    file('usr/lib/small.so', 100),
    file('usr/bin/app', 500),
    hardlink('usr/bin/app-alias', 'usr/bin/app'),
    symlink('bin', 'usr/bin'),
    file('etc/a', 300),
    file('etc/b', 300),
    file('tmp/gone', 7000),
  ],
  [whiteout('tmp/gone'), file('etc/c', 300)],
]);

describe('top paths', () => {
  it('lists the largest files, ties by path, hard links at full size', () => {
    expect(largestFiles(tree, 4)).toEqual([
      { path: '/usr/lib/big.so', bytes: 9000, layer: 0 },
      { path: '/usr/bin/app', bytes: 500, layer: 0 },
      { path: '/usr/bin/app-alias', bytes: 500, layer: 0 },
      { path: '/etc/a', bytes: 300, layer: 0 },
    ]);
  });

  it('keeps the first paths among many ties at the cut (empty files), however many there are', () => {
    // 5,000 empty files, written in an order unlike path order, and three with bytes.
    const names = Array.from({ length: 5000 }, (_, i) => `app/pkg${(i * 7919) % 5000}/__init__.py`);
    const manyTies = treeOf([
      [...names.map((name) => file(name, 0)), file('z/big', 30), file('a/mid', 20), file('m/small', 10)],
    ]);
    const expected = [
      { path: '/z/big', bytes: 30, layer: 0 },
      { path: '/a/mid', bytes: 20, layer: 0 },
      { path: '/m/small', bytes: 10, layer: 0 },
      ...names
        .map((name) => `/${name}`)
        .sort()
        .slice(0, 7)
        .map((path) => ({ path, bytes: 0, layer: 0 })),
    ];
    expect(largestFiles(manyTies, 10)).toEqual(expected);
  });

  it('agrees with sorting every file by size, then path', () => {
    const files = fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 6 })), {
      selector: ([name]) => name,
      minLength: 1,
      maxLength: 120,
    });
    fc.assert(
      fc.property(files, fc.integer({ min: 1, max: 15 }), (list, n) => {
        const entries = list.map(([name, size]) => file(`d${name % 9}/f${name}`, size));
        const bySorting = entries
          .map((entry) => ({ path: `/${entry.path}`, bytes: entry.size, layer: 0 }))
          .sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
          .slice(0, n);
        expect(largestFiles(treeOf([entries]), n)).toEqual(bySorting);
      }),
      { numRuns: 300 },
    );
  });

  it('sums directories with a hard-linked inode once, skipping directories one child explains', () => {
    const sizes = new SizeIndex(tree);
    expect(sizes.bytes[0]).toBe(9000 + 100 + 500 + 900);
    expect(largestDirectories(tree, 5, sizes)).toEqual([
      { path: '/usr/lib', bytes: 9100, layer: 0, files: 2 },
      { path: '/etc', bytes: 900, layer: 0, files: 3 },
      { path: '/usr/bin', bytes: 500, layer: 0, files: 2 },
    ]);
  });

  it('keeps n items exactly among many ties', () => {
    const many = treeOf([
      Array.from({ length: 500 }, (_, i) => file(`f${String(i).padStart(3, '0')}`, i % 7 === 0 ? 10 : 5)),
    ]);
    const top = largestFiles(many, 3);
    expect(top.map((t) => t.path)).toEqual(['/f000', '/f007', '/f014']);
  });

  it('renders a tree to a depth, largest first, summarising the rest', () => {
    const view = treeView(tree, { depth: 2, maxChildren: 2 });
    expect(view.name).toBe('/');
    expect(view.children?.map((c) => [c.name, c.bytes])).toEqual([
      ['usr', 9600],
      ['etc', 900],
    ]);
    expect(view.omitted).toEqual({ entries: 2, bytes: 0 });
    expect(view.children?.[0]?.children?.map((c) => c.name)).toEqual(['lib', 'bin']);
    expect(view.children?.[0]?.children?.[0]?.children).toBeUndefined();
    const full = treeView(tree, { depth: 1 });
    expect(full.children?.find((c) => c.name === 'bin')).toMatchObject({
      type: 'symlink',
      target: 'usr/bin',
      bytes: 0,
    });
  });
});

describe('LargestValues', () => {
  const nthLargest = (values: number[], n: number) => {
    const largest = new LargestValues(n);
    for (const value of values) largest.push(value);
    return largest.cut;
  };
  /** What it replaces: sort every value, read the n-th from the top. */
  const bySorting = (values: number[], n: number) => Float64Array.from(values).sort()[values.length - n]!;

  it.each([
    { values: [5], n: 1, expected: 5 },
    { values: [1, 9, 3, 7], n: 1, expected: 9 },
    { values: [1, 9, 3, 7], n: 2, expected: 7 },
    { values: [1, 9, 3, 7], n: 4, expected: 1 },
    { values: [4, 4, 4, 1], n: 3, expected: 4 },
    { values: [0, 2 ** 40, 0, 3, 2 ** 40], n: 2, expected: 2 ** 40 },
    { values: [0, 2 ** 40, 0, 3, 2 ** 40], n: 3, expected: 3 },
  ])('the $n-th largest of $values is $expected', ({ values, n, expected }) => {
    expect(nthLargest(values, n)).toBe(expected);
  });

  it('agrees with sorting on any list, repeats included', () => {
    const values = fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.nat()), {
      minLength: 1,
      maxLength: 300,
    });
    fc.assert(
      fc.property(
        values.chain((list) => fc.tuple(fc.constant(list), fc.integer({ min: 1, max: list.length }))),
        ([list, n]) => nthLargest(list, n) === bySorting(list, n),
      ),
      { numRuns: 500 },
    );
  });
});
