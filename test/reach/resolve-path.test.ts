import { describe, expect, it } from 'vitest';
import type { FileTree } from '../../src/analyze/file-tree.js';
import { resolvePath } from '../../src/reach/resolve-path.js';
import { dir, file, symlink, treeOf } from '../analyze/entries.js';

/** A merged-/usr Debian layout, plus the link shapes that trip path walkers. */
function debianLike(): FileTree {
  return treeOf([
    [
      dir('usr'),
      dir('usr/lib'),
      dir('usr/lib/x86_64-linux-gnu'),
      file('usr/lib/x86_64-linux-gnu/libc.so.6', 100, 0o755),
      file('usr/lib/x86_64-linux-gnu/libz.so.1.2.13', 50),
      symlink('usr/lib/x86_64-linux-gnu/libz.so.1', 'libz.so.1.2.13'),
      file('usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', 10, 0o755),
      dir('usr/bin'),
      file('usr/bin/python3.11', 10, 0o755),
      symlink('usr/bin/python3', 'python3.11'),
      symlink('lib', 'usr/lib'),
      symlink('bin', 'usr/bin'),
      symlink('lib64', 'usr/lib64'),
      dir('usr/lib64'),
      symlink('usr/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'),
      dir('etc'),
      symlink('etc/localtime', '/usr/share/zoneinfo/Etc/UTC'),
      dir('usr/share/zoneinfo/Etc'),
      file('usr/share/zoneinfo/Etc/UTC', 114),
      dir('app'),
      file('app/main.py', 5),
      symlink('app/up', '..'),
      symlink('app/escape', '../../../../etc'),
      symlink('app/loop1', 'loop2'),
      symlink('app/loop2', 'loop1'),
      symlink('app/self', 'self'),
      symlink('app/dangling', '/nowhere/at/all'),
      symlink('app/empty', ''),
      symlink('app/file-link', 'main.py'),
    ],
  ]);
}

/** A chain of `n` links /c/l0 -> l1 -> … -> l{n-1} -> target. */
function chain(n: number): FileTree {
  const entries = [dir('c'), file('c/target', 1)];
  for (let i = 0; i < n; i++) entries.push(symlink(`c/l${i}`, i === n - 1 ? 'target' : `l${i + 1}`));
  return treeOf([entries]);
}

const tree = debianLike();
const pathsOf = (ids: number[]) => ids.map((id) => tree.pathOf(id));

describe('resolvePath', () => {
  const cases: Array<{
    name: string;
    path: string;
    cwd?: string;
    followFinal?: boolean;
    resolved: string | undefined;
    traversed: string[];
  }> = [
    {
      name: 'a plain file',
      path: '/usr/bin/python3.11',
      resolved: '/usr/bin/python3.11',
      traversed: ['/usr/bin/python3.11'],
    },
    {
      name: 'a directory link in front of a library (merged /usr)',
      path: '/lib/x86_64-linux-gnu/libc.so.6',
      resolved: '/usr/lib/x86_64-linux-gnu/libc.so.6',
      traversed: ['/lib', '/usr/lib/x86_64-linux-gnu/libc.so.6'],
    },
    {
      name: 'the interpreter through three links, absolute and relative',
      path: '/lib64/ld-linux-x86-64.so.2',
      resolved: '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
      traversed: [
        '/lib64',
        '/usr/lib64/ld-linux-x86-64.so.2',
        '/lib',
        '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
      ],
    },
    {
      name: 'a final relative link is followed',
      path: '/bin/python3',
      resolved: '/usr/bin/python3.11',
      traversed: ['/bin', '/usr/bin/python3', '/usr/bin/python3.11'],
    },
    {
      name: 'lstat semantics stop at the final link but still cross the intermediate one',
      path: '/bin/python3',
      followFinal: false,
      resolved: '/usr/bin/python3',
      traversed: ['/bin', '/usr/bin/python3'],
    },
    {
      name: 'a trailing slash follows the final link even with lstat semantics',
      path: '/lib/',
      followFinal: false,
      resolved: '/usr/lib',
      traversed: ['/lib', '/usr/lib'],
    },
    {
      name: 'relative to the cwd',
      path: 'main.py',
      cwd: '/app',
      resolved: '/app/main.py',
      traversed: ['/app/main.py'],
    },
    {
      name: 'a relative path from a cwd reached through a link keeps that link',
      path: 'libz.so.1',
      cwd: '/lib/x86_64-linux-gnu',
      resolved: '/usr/lib/x86_64-linux-gnu/libz.so.1.2.13',
      traversed: ['/lib', '/usr/lib/x86_64-linux-gnu/libz.so.1', '/usr/lib/x86_64-linux-gnu/libz.so.1.2.13'],
    },
    {
      name: '.. after a link goes up from the link target (the kernel walk), not lexically',
      path: '/lib/../bin/python3.11',
      resolved: '/usr/bin/python3.11',
      traversed: ['/lib', '/usr/bin/python3.11'],
    },
    {
      name: '.. at the root stays at the root, also inside a link target',
      path: '/app/escape/localtime',
      resolved: '/usr/share/zoneinfo/Etc/UTC',
      traversed: ['/app/escape', '/etc/localtime', '/usr/share/zoneinfo/Etc/UTC'],
    },
    {
      name: 'a link to the parent directory',
      path: '/app/up/app/./main.py',
      resolved: '/app/main.py',
      traversed: ['/app/up', '/app/main.py'],
    },
    { name: 'the root', path: '/', resolved: '/', traversed: ['/'] },
    { name: 'dot from the root cwd', path: '.', resolved: '/', traversed: ['/'] },
    { name: 'a missing file', path: '/usr/bin/python2', resolved: undefined, traversed: [] },
    {
      name: 'a missing file behind a link keeps the links crossed so far',
      path: '/lib/x86_64-linux-gnu/libmissing.so.1',
      resolved: undefined,
      traversed: ['/lib'],
    },
    {
      name: 'a dangling link',
      path: '/app/dangling',
      resolved: undefined,
      traversed: ['/app/dangling'],
    },
    {
      name: 'a dangling link is a node of its own under lstat',
      path: '/app/dangling',
      followFinal: false,
      resolved: '/app/dangling',
      traversed: ['/app/dangling'],
    },
    { name: 'an empty link target', path: '/app/empty', resolved: undefined, traversed: ['/app/empty'] },
    { name: 'an empty path', path: '', resolved: undefined, traversed: [] },
    {
      name: 'a file used as a directory (ENOTDIR)',
      path: '/app/main.py/x',
      resolved: undefined,
      traversed: [],
    },
    {
      name: 'a trailing slash on a file (ENOTDIR)',
      path: '/app/file-link/',
      resolved: undefined,
      traversed: ['/app/file-link'],
    },
    {
      name: 'a missing cwd',
      path: 'main.py',
      cwd: '/nope',
      resolved: undefined,
      traversed: [],
    },
  ];

  it.each(cases)('$name', ({ path, cwd, followFinal, resolved, traversed }) => {
    const options = { ...(cwd ? { cwd } : {}), ...(followFinal === undefined ? {} : { followFinal }) };
    const result = resolvePath(tree, path, options);
    expect(result.resolved).toBe(resolved);
    expect(result.id === undefined).toBe(resolved === undefined);
    if (result.id !== undefined) expect(tree.pathOf(result.id)).toBe(resolved);
    expect(pathsOf(result.traversed)).toEqual(traversed);
  });

  it('gives up on link loops (ELOOP) without hanging', () => {
    for (const path of ['/app/loop1', '/app/self', '/app/loop1/x']) {
      const result = resolvePath(tree, path);
      expect(result.id).toBeUndefined();
      expect(result.traversed.length).toBe(41);
    }
  });

  it('follows exactly 40 links and fails on the 41st, like the kernel', () => {
    expect(resolvePath(chain(40), '/c/l0').resolved).toBe('/c/target');
    expect(resolvePath(chain(41), '/c/l0').id).toBeUndefined();
  });

  it('sees the final filesystem: a whiteout removes the path, a later layer restores a link', () => {
    const layered = treeOf([
      [dir('usr'), dir('usr/lib'), file('usr/lib/libold.so', 1), symlink('lib', 'usr/lib')],
      [file('usr/lib/.wh.libold.so', 0), file('usr/lib/libnew.so', 1)],
    ]);
    expect(resolvePath(layered, '/lib/libold.so').id).toBeUndefined();
    expect(resolvePath(layered, '/lib/libnew.so').resolved).toBe('/usr/lib/libnew.so');
  });
});
