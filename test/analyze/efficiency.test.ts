/**
 * Hand-computed dive and pare figures on crafted layer sequences. dive's own
 * test (dive/filetree/efficiency_test.go, TestEfficency) is the first case.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiveTally, efficiencyFigures } from '../../src/analyze/efficiency.js';
import type { TarEntry } from '../../src/image/types.js';
import { dir, file, hardlink, opaque, treeOf, whiteout } from './entries.js';

function figures(layers: TarEntry[][]) {
  const tree = treeOf(layers);
  const result = efficiencyFigures(tree.dive, tree.layerTallies(), tree.summary());
  const repeated = tree.dive
    .repeatedPaths(10)
    .map((r) => ({ path: tree.pathOf(r.id), count: r.count, bytes: r.bytes }));
  return { ...result, repeated, layers: tree.layerTallies() };
}

describe('dive figures', () => {
  it("reproduces dive's own efficiency test (implicit directory whiteout sizes 0)", () => {
    const f = figures([
      [file('etc/nginx/nginx.conf', 2000), file('etc/nginx/public', 3000)],
      [file('etc/nginx/nginx.conf', 5000), file('etc/athing', 10000)],
      [whiteout('etc/nginx')],
    ]);
    // paths: nginx.conf 2000+5000 (min 2000), public 3000, athing 10000, /etc/nginx 0 → 15000 / 20000
    expect(f.dive.efficiency).toBe(0.75);
    expect(f.dive.wastedBytes).toBe(7000);
    expect(f.repeated).toEqual([{ path: '/etc/nginx/nginx.conf', count: 2, bytes: 7000 }]);
    expect(f.dive.userBytes).toBe(15000);
    expect(f.dive.userWastedRatio).toBeCloseTo(7000 / 15000);
    // pare: 20000 stored, 10000 left
    expect(f.pare).toEqual({ efficiency: 0.5, wastedBytes: 10000, contentBytes: 20000, finalBytes: 10000 });
    expect(f.layers.map((l) => l.wastedBytes)).toEqual([5000, 5000, 0]);
  });

  it('a deleted file counts its size once as waste; efficiency 0', () => {
    const f = figures([[file('a', 100)], [whiteout('a')]]);
    expect(f.dive).toMatchObject({ efficiency: 0, wastedBytes: 100 });
    expect(f.pare).toMatchObject({ efficiency: 0, wastedBytes: 100 });
  });

  it('an overwritten file counts every copy, the first included', () => {
    const f = figures([[file('a', 100)], [file('a', 100)], [file('a', 40)]]);
    // cumulative 240, minimum 40
    expect(f.dive.wastedBytes).toBe(240);
    expect(f.dive.efficiency).toBeCloseTo(40 / 240);
    expect(f.pare.wastedBytes).toBe(200);
    expect(f.repeated).toEqual([{ path: '/a', count: 3, bytes: 240 }]);
  });

  it('a deleted explicit directory is sized by its subtree but seen once, so not waste', () => {
    const f = figures([[dir('d'), file('d/a', 100), file('d/b', 200)], [whiteout('d')]]);
    expect(f.dive).toMatchObject({ efficiency: 1, wastedBytes: 0 });
    expect(f.pare).toMatchObject({ efficiency: 0, wastedBytes: 300 });
  });

  it('sizes a directory whiteout by the payload of the last layer that touched it', () => {
    const explicit = figures([
      [dir('d'), file('d/a', 100)],
      [dir('d'), file('d/b', 50)],
      [whiteout('d')],
      [file('d', 10)],
    ]);
    // /d: whiteout 150 (0 + 100 + 50) then file 10 → cumulative 160, minimum 10
    expect(explicit.dive.wastedBytes).toBe(160);
    expect(explicit.dive.efficiency).toBeCloseTo((100 + 50 + 10) / (100 + 50 + 160));

    const implicit = figures([
      [dir('d'), file('d/a', 100)],
      [file('d/b', 50)],
      [whiteout('d')],
      [file('d', 10)],
    ]);
    // layer 1 only implies d, so dive's stacked payload is not a directory: whiteout counts 0
    expect(implicit.dive.wastedBytes).toBe(10);
    expect(implicit.dive.efficiency).toBeCloseTo(150 / 160);
  });

  it('ignores opaque markers like dive does, while pare counts what they hide', () => {
    const f = figures([
      [dir('d'), file('d/x', 100), file('d/y', 50)],
      [dir('d'), opaque('d'), file('d/z', 10)],
    ]);
    expect(f.dive).toMatchObject({ efficiency: 1, wastedBytes: 0 });
    expect(f.pare).toMatchObject({ wastedBytes: 150, finalBytes: 10 });
  });

  it('a directory replaced by a file keeps its children in dive, which a later whiteout then counts', () => {
    const f = figures([[dir('d'), file('d/x', 100)], [file('d', 5)], [dir('d'), whiteout('d/x')]]);
    // dive: /d/x seen as leaf (100) and as whiteout (file → 0): wasted 100; /d leaf 5 (layer 1) and dir leaf? no: layer 2 d has a child
    expect(f.dive.wastedBytes).toBe(100);
    // pare: d/x went with layer 1; d (5 bytes) replaced by a directory in layer 2
    expect(f.pare).toMatchObject({ wastedBytes: 105, finalBytes: 0 });
  });

  it('re-emitted empty directories repeat with size 0 and change nothing', () => {
    const f = figures([[dir('tmp'), file('a', 10)], [dir('tmp')]]);
    expect(f.dive).toMatchObject({ efficiency: 1, wastedBytes: 0, repeatedPaths: 1 });
  });

  it('a single-layer image has no user size', () => {
    const f = figures([[file('a', 1)]]);
    expect(f.dive.userWastedRatio).toBeNull();
    expect(f.pare.efficiency).toBe(1);
  });

  it('an empty image is fully efficient', () => {
    const f = figures([[]]);
    expect(f.dive.efficiency).toBe(1);
    expect(f.pare.efficiency).toBe(1);
  });

  it('hard links add no bytes of their own', () => {
    const f = figures([[file('a', 100), hardlink('b', 'a')], [whiteout('a')]]);
    expect(f.pare).toMatchObject({ wastedBytes: 0, finalBytes: 100, contentBytes: 100 });
    // dive: /a 100 then whiteout 0 → wasted 100, although the bytes survive under /b
    expect(f.dive.wastedBytes).toBe(100);
  });

  it('the worked example of docs/inspect.md', () => {
    const f = figures([
      [
        dir('etc'),
        file('etc/app.conf', 1000),
        dir('var/lib/apt/lists'),
        file('var/lib/apt/lists/pkgs', 50_000),
        dir('opt'),
        dir('opt/tool'),
        file('opt/tool/a', 2000),
        file('opt/tool/b', 3000),
      ],
      [dir('etc'), file('etc/app.conf', 1200), dir('var/lib/apt/lists'), whiteout('var/lib/apt/lists/pkgs')],
      [dir('opt'), whiteout('opt/tool'), dir('app'), file('app/x', 500)],
    ]);
    expect(f.dive).toEqual({
      efficiency: 11_500 / 62_700,
      wastedBytes: 52_200,
      userBytes: 1700,
      userWastedRatio: 52_200 / 1700,
      repeatedPaths: 2,
    });
    expect(f.repeated).toEqual([
      { path: '/var/lib/apt/lists/pkgs', count: 2, bytes: 50_000 },
      { path: '/etc/app.conf', count: 2, bytes: 2200 },
    ]);
    expect(f.pare).toEqual({
      efficiency: 1700 / 57_700,
      wastedBytes: 56_000,
      contentBytes: 57_700,
      finalBytes: 1700,
    });
    expect(f.layers.map((l) => l.wastedBytes)).toEqual([56_000, 0, 0]);
  });
});

describe('repeatedPaths', () => {
  it('lists the same paths as sorting every repeated one, largest cumulative size first, ties by id', () => {
    // Enough visits that the kept rows are cut back (at 4 × limit) several times.
    const visits = fc.array(fc.tuple(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 0, max: 5 })), {
      minLength: 150,
      maxLength: 600,
    });
    fc.assert(
      fc.property(visits, fc.integer({ min: 1, max: 12 }), (list, limit) => {
        const tally = new DiveTally();
        const seen = new Map<number, { count: number; bytes: number }>();
        for (const [id, size] of list) {
          tally.record(id, size);
          const row = seen.get(id) ?? { count: 0, bytes: 0 };
          seen.set(id, { count: row.count + 1, bytes: row.bytes + size });
        }
        const bySorting = [...seen]
          .filter(([, row]) => row.count > 1)
          .map(([id, row]) => ({ id, ...row }))
          .sort((a, b) => b.bytes - a.bytes || a.id - b.id)
          .slice(0, limit);
        expect(tally.repeatedPaths(limit)).toEqual(bySorting);
      }),
      { numRuns: 300 },
    );
  });
});
