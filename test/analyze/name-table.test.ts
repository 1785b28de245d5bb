import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NameTable } from '../../src/analyze/name-table.js';

describe('NameTable', () => {
  it.each([
    ['the empty name is id 0', [''], [0]],
    ['ids count up in first-seen order', ['usr', 'lib', 'usr', 'bin', 'lib'], [1, 2, 1, 3, 2]],
    ['names differing in case or Unicode form are distinct', ['é', 'e\u0301', 'E'], [1, 2, 3]],
    [
      'a long name and the same text sliced from a path',
      ['libstdc++.so.6.0.30', '/usr/lib/libstdc++.so.6.0.30'.slice(9)],
      [1, 1],
    ],
    ['names with a NUL, spaces and lone surrogates', ['a\0b', 'a b ', '\uD800', 'a\0b'], [1, 2, 3, 1]],
    [
      'long names with lone surrogates, quotes and control characters',
      ['\uDC00-long-name-with-\uD800', 'a "quoted" \\ name\t\n', '\uDC00-long-name-with-\uD800'],
      [1, 2, 1],
    ],
  ])('%s', (_name, names, ids) => {
    const table = new NameTable();
    expect(names.map((name) => table.intern(name))).toEqual(ids);
    for (const [i, name] of names.entries()) {
      expect(table.find(name)).toBe(ids[i]);
      expect(table.text(ids[i]!)).toBe(name);
    }
  });

  it('finds nothing it has not seen', () => {
    const table = new NameTable();
    table.intern('bin');
    expect(table.find('sbin')).toBe(-1);
    expect(table.find('bi')).toBe(-1);
  });

  it('gives the ids a Map would, across growth of its slots', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 5000 }), (names) => {
        const table = new NameTable();
        const map = new Map<string, number>([['', 0]]);
        for (const name of names) {
          if (!map.has(name)) map.set(name, map.size);
          expect(table.intern(name)).toBe(map.get(name));
        }
        expect(table.size).toBe(map.size);
        for (const [name, id] of map) {
          expect(table.find(name)).toBe(id);
          expect(table.text(id)).toBe(name);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('holds many names (slots grow past their first size)', () => {
    const table = new NameTable();
    for (let i = 0; i < 100_000; i++) expect(table.intern(`file-${i}.txt`)).toBe(i + 1);
    expect(table.find('file-99999.txt')).toBe(100_000);
    expect(table.size).toBe(100_001);
  });
});
