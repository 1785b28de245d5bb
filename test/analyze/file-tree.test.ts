import { describe, expect, it } from 'vitest';
import { KIND_DIRECTORY, KIND_FILE, KIND_SYMLINK } from '../../src/analyze/file-tree.js';
import type { TarEntry } from '../../src/image/types.js';
import { dir, file, hardlink, opaque, symlink, treeOf, whiteout } from './entries.js';

const present = (tree: ReturnType<typeof treeOf>) => {
  const paths: string[] = [];
  tree.walk((_id, path) => {
    paths.push(path);
  });
  return paths;
};

describe('FileTree', () => {
  it('keeps every node as it grows many times over (its arrays and hash table grow in place)', () => {
    // 3 layers, ~9,000 nodes: the per-node block grows from 1,024 nodes six times, the slots four times.
    const expected = new Map<string, { size: number; layer: number; mode: number }>();
    const layers: TarEntry[][] = [[], [], []];
    for (let i = 0; i < 6000; i++) {
      const path = `usr/lib/pkg${i % 97}/sub${i % 7}/file-${i}.so`;
      layers[0]!.push(file(path, 1000 + i, 0o644));
      expected.set(`/${path}`, { size: 1000 + i, layer: 0, mode: 0o644 });
    }
    for (let i = 0; i < 6000; i += 3) {
      const path = `usr/lib/pkg${i % 97}/sub${i % 7}/file-${i}.so`;
      layers[1]!.push(file(path, 7 * i, 0o755));
      expected.set(`/${path}`, { size: 7 * i, layer: 1, mode: 0o755 });
    }
    for (let i = 0; i < 2500; i++) {
      const path = `opt/app/node_modules/m${i}/index.js`;
      layers[2]!.push(file(path, i, 0o600));
      expected.set(`/${path}`, { size: i, layer: 2, mode: 0o600 });
    }
    for (let i = 1; i < 6000; i += 5) {
      const path = `usr/lib/pkg${i % 97}/sub${i % 7}/file-${i}.so`;
      layers[2]!.push(whiteout(path));
      expected.delete(`/${path}`);
    }
    const tree = treeOf(layers);
    expect(tree.nodeCount).toBeGreaterThan(8000);
    const seen = new Map<string, { size: number; layer: number; mode: number }>();
    tree.walkFiles((id, path) => {
      seen.set(path, { size: tree.sizeOf(id), layer: tree.writerOf(id), mode: tree.modeOf(id) & 0o7777 });
    });
    expect(seen).toEqual(expected);
    for (const [path, fact] of expected) expect(tree.sizeOf(tree.lookup(path))).toBe(fact.size);
  });

  it('overwrites, deletes and records which layer wrote each path', () => {
    const tree = treeOf([
      [dir('etc'), file('etc/a', 100), file('etc/b', 200)],
      [file('etc/a', 150), whiteout('etc/b'), file('etc/c', 5)],
    ]);
    expect(present(tree)).toEqual(['/etc', '/etc/a', '/etc/c']);
    expect(tree.writerOf(tree.lookup('/etc/a'))).toBe(1);
    expect(tree.sizeOf(tree.lookup('etc/a'))).toBe(150);
    const [l0, l1] = tree.layerTallies();
    expect(l0).toMatchObject({ contentBytes: 300, added: { files: 2, bytes: 300 }, wastedBytes: 300 });
    expect(l1).toMatchObject({
      entries: 3,
      contentBytes: 155,
      added: { files: 1, bytes: 5 },
      modified: { files: 1, bytes: 150 },
      removed: { files: 1, bytes: 200 },
      wastedBytes: 0,
    });
    expect(tree.summary()).toMatchObject({ bytes: 155, files: 2, directories: 1 });
  });

  it.each<[string, string[]]>([
    [
      'ASCII names, nested, in byte order',
      ['usr/lib/b', 'usr/lib/a', 'usr/B', 'a-very-long-directory-name/x'],
    ],
    ['UTF-8 names beside ASCII ones', ['doc/café/read me', 'doc/z', 'doc/日本/語.txt', 'emoji/😀/f']],
    ['a name that is not well-formed UTF-16', ['odd/\uD800x/inner/file', 'odd/ok', 'odd/\uDC00']],
    [
      'a path longer than the first buffer',
      [`deep/${'d'.repeat(200)}/${'e'.repeat(3000)}/${'f'.repeat(2000)}`, 'z'],
    ],
  ])('walkFiles gives the files walk gives, with the same paths: %s', (_name, paths) => {
    const entries = paths.map((path) => file(path, path.length));
    const tree = treeOf([[...entries, symlink('link', 'usr'), dir('empty')]]);
    const walked: Array<[number, string]> = [];
    tree.walk((id, path) => {
      if (tree.kindOf(id) !== KIND_DIRECTORY) walked.push([id, path]);
    });
    const files: Array<[number, string]> = [];
    tree.walkFiles((id, path) => {
      files.push([id, path]);
    });
    expect(files).toEqual(walked);
    expect(files.length).toBe(paths.length + 1);
  });

  it.each<[string, Parameters<typeof treeOf>[0], Record<string, boolean>]>([
    ['added once', [[file('a', 1)]], { '/a': false }],
    ['rewritten by a later layer', [[file('a', 1)], [file('a', 2)]], { '/a': true }],
    ['rewritten in the same layer', [[file('a', 1), file('a', 2)]], { '/a': true }],
    ['deleted, then added again', [[file('a', 1)], [whiteout('a')], [file('a', 3)]], { '/a': false }],
    ['a file over a directory', [[dir('d'), file('d/x', 1)], [file('d', 4)]], { '/d': true }],
    ['a directory is never "changed"', [[dir('d')], [dir('d')]], { '/d': false }],
  ])('knows a changed file from an added one: %s', (_name, layers, expected) => {
    const tree = treeOf(layers);
    for (const [path, replaced] of Object.entries(expected))
      expect(tree.replacedEarlier(tree.lookup(path)), path).toBe(replaced);
  });

  it('lists the largest paths each layer removed from the layers below', () => {
    const many = Array.from({ length: 100 }, (_, i) => file(`big/f${i}`, 1000 + i));
    const tree = treeOf([
      [dir('big'), ...many, file('keep', 5), file('small', 3)],
      [whiteout('big'), whiteout('small')],
      [file('keep', 6)],
    ]);
    const removed = tree.removedBy(1);
    expect(removed).toHaveLength(10);
    expect(removed[0]).toEqual({ path: '/big/f99', bytes: 1099 });
    expect(removed.map((r) => r.bytes)).toEqual([...removed.map((r) => r.bytes)].sort((a, b) => b - a));
    expect(removed.some((r) => r.path === '/small')).toBe(false);
    // Overwriting is not removing.
    expect(tree.removedBy(2)).toEqual([]);
    expect(tree.removedBy(0)).toEqual([]);
  });

  it('whiteout of a directory removes its subtree', () => {
    const tree = treeOf([[dir('d'), dir('d/e'), file('d/e/x', 10), file('d/y', 1)], [whiteout('d')]]);
    expect(present(tree)).toEqual([]);
    expect(tree.layerTallies()[1]!.removed).toEqual({ files: 2, bytes: 11 });
  });

  it('opaque directory hides lower children but keeps what its own layer wrote', () => {
    const tree = treeOf([
      [dir('d'), file('d/x', 100), dir('d/sub'), file('d/sub/old', 7)],
      [dir('d'), file('d/sub/new', 1), opaque('d'), file('d/z', 10)],
    ]);
    expect(present(tree)).toEqual(['/d', '/d/sub', '/d/sub/new', '/d/z']);
    expect(tree.layerTallies()[1]!.removed).toEqual({ files: 2, bytes: 107 });
    expect(tree.layerTallies()[0]!.wastedBytes).toBe(107);
  });

  it('a whiteout applies to lower layers only, even when it comes after same-layer entries', () => {
    const tree = treeOf([[file('d/a', 1)], [file('d/c', 3), whiteout('d')]]);
    expect(present(tree)).toEqual(['/d', '/d/c']);
  });

  it('whiteout then re-add in one layer', () => {
    const tree = treeOf([
      [file('d/a', 1), file('d/b', 2)],
      [whiteout('d'), file('d/c', 3)],
    ]);
    expect(present(tree)).toEqual(['/d', '/d/c']);
    expect(tree.summary().bytes).toBe(3);
  });

  it('replaces a directory by a file and a file by a directory', () => {
    const tree = treeOf([
      [dir('d'), file('d/x', 100), file('f', 10)],
      [file('d', 5), dir('f'), file('f/y', 20)],
    ]);
    expect(present(tree)).toEqual(['/d', '/f', '/f/y']);
    expect(tree.kindOf(tree.lookup('/d'))).toBe(KIND_FILE);
    expect(tree.kindOf(tree.lookup('/f'))).toBe(KIND_DIRECTORY);
    const l1 = tree.layerTallies()[1]!;
    expect(l1.removed).toEqual({ files: 2, bytes: 110 });
    expect(l1.modified).toEqual({ files: 1, bytes: 5 });
    expect(l1.added).toEqual({ files: 1, bytes: 20 });
  });

  it('counts a hard-linked inode once and keeps it while a name survives', () => {
    const tree = treeOf([[file('a', 100), hardlink('b', 'a')], [whiteout('a')], [whiteout('b')]]);
    const tallies = tree.layerTallies();
    expect(tallies[0]!.contentBytes).toBe(100);
    expect(tallies[1]!.removed).toEqual({ files: 1, bytes: 0 });
    expect(tallies[2]!.removed).toEqual({ files: 1, bytes: 100 });
    expect(tallies[0]!.wastedBytes).toBe(100);

    const kept = treeOf([[file('a', 100), hardlink('b', 'a'), hardlink('c', 'b')], [whiteout('a')]]);
    expect(kept.summary()).toMatchObject({ bytes: 100, files: 2 });
    expect(kept.sizeOf(kept.lookup('/c'))).toBe(100);
    expect(kept.isHardlinked(kept.lookup('/c'))).toBe(true);
  });

  it.each([
    ['a symlink it replaces', [symlink('y', 'a')]],
    ['a file it replaces', [file('y', 3)]],
    ['a directory it replaces', [dir('y'), file('y/b', 3)]],
  ])(
    'does not reach a hard link target through %s (the name is removed first, as a runtime does)',
    (_name, before) => {
      // Found by slim's property test: `y -> a`, then a hard link `y` to `y/b`, was read as a link to /b.
      const tree = treeOf([[file('b', 1)], [...before, hardlink('y', 'y/b')]]);
      const y = tree.lookup('/y');
      expect(tree.kindOf(y)).toBe(KIND_FILE);
      expect(tree.isHardlinked(y)).toBe(false);
      expect(tree.sizeOf(y)).toBe(0);
      expect(tree.sizeOf(tree.lookup('/b'))).toBe(1);
    },
  );

  it('keeps symlinks as small entries and follows a symlinked parent directory', () => {
    const tree = treeOf([
      [dir('usr'), dir('usr/lib'), symlink('lib', 'usr/lib'), symlink('bin/sh', '/bin/dash')],
      [file('lib/x.so', 100)],
    ]);
    expect(tree.kindOf(tree.lookup('/lib'))).toBe(KIND_SYMLINK);
    expect(tree.lookup('/usr/lib/x.so')).toBeGreaterThan(0);
    expect(tree.lookup('/lib/x.so')).toBe(tree.lookup('/usr/lib/x.so'));
    expect(tree.linkTargetOf(tree.lookup('/bin/sh'))).toBe('/bin/dash');
    expect(tree.summary()).toMatchObject({ bytes: 100, symlinks: 2 });
  });

  it('survives symlink loops and dangling parents', () => {
    const tree = treeOf([
      [symlink('a', 'b'), symlink('b', 'a'), symlink('c', '../../nowhere')],
      [file('a/x', 1), file('c/y', 2)],
    ]);
    expect(tree.lookup('/a/x')).toBeGreaterThan(0);
    expect(tree.kindOf(tree.lookup('/a'))).toBe(KIND_DIRECTORY);
    expect(tree.lookup('/c/y')).toBeGreaterThan(0);
  });

  it('duplicate entries in one layer: the last wins and the first is waste of that layer', () => {
    const tree = treeOf([[file('a', 10), file('a', 4)]]);
    expect(tree.summary().bytes).toBe(4);
    expect(tree.layerTallies()[0]).toMatchObject({ contentBytes: 14, wastedBytes: 10 });
  });

  it('reports content gone for overwritten and removed nodes', () => {
    const gone: string[] = [];
    const tree = treeOf([[file('a', 1), file('b', 1)]]);
    tree.onContentGone = (id) => gone.push(tree.pathOf(id));
    tree.beginLayer(1);
    tree.apply(file('a', 2));
    tree.apply(whiteout('b'));
    tree.endLayer();
    expect(gone).toEqual(['/a', '/b']);
  });
});
