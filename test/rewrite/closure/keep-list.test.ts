/**
 * The keep list: built from a selection, read back the same, and — what
 * matters — read by the real GNU tar through the same sed the closure
 * Dockerfile runs, so the paths tar picks are exactly the paths pare kept.
 */
import { execFile } from 'node:child_process';
import { symlink as makeSymlink, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeepSet } from '../../../src/reach/keep-set.js';
import type { WholeTree } from '../../../src/reach/whole-trees.js';
import {
  keepListOf,
  keepsPath,
  parseKeepList,
  renderKeepList,
} from '../../../src/rewrite/closure/keep-list.js';
import { dir, file, symlink, treeOf } from '../../analyze/entries.js';

const run = promisify(execFile);

/** An app image's shape: an interpreter, its libraries, a stdlib with tests, the app, and some OS. */
const layer = [
  dir('bin'),
  file('bin/sh', 100, 0o755),
  dir('usr'),
  dir('usr/bin'),
  file('usr/bin/python3.11', 1000, 0o755),
  symlink('usr/bin/python3', 'python3.11'),
  file('usr/bin/perl', 3000, 0o755),
  dir('usr/lib'),
  dir('usr/lib/x86_64-linux-gnu'),
  file('usr/lib/x86_64-linux-gnu/libc.so.6', 2000),
  file('usr/lib/x86_64-linux-gnu/libperl.so.5.36', 4000),
  dir('usr/lib/python3.11'),
  file('usr/lib/python3.11/os.py', 50),
  dir('usr/lib/python3.11/json'),
  file('usr/lib/python3.11/json/__init__.py', 20),
  dir('usr/lib/python3.11/test'),
  file('usr/lib/python3.11/test/test_os.py', 700),
  dir('app'),
  file('app/main.py', 30),
  dir('app/weird'),
  file('app/weird/back\\slash.txt', 1),
  dir('etc'),
  file('etc/passwd', 10),
  file('etc/shadow', 10),
];

function selection() {
  const tree = treeOf([layer]);
  const keep = new KeepSet(tree);
  keep.keepPath('/usr/bin/python3', 'entrypoint', 'program of the command line (python3)');
  keep.keepPath('/usr/lib/x86_64-linux-gnu/libc.so.6', 'elf-needed', 'DT_NEEDED libc.so.6');
  keep.keepPath('/etc/passwd', 'essential', 'identity');
  keep.keepSubtree('/app', 'app', 'COPY . .');
  keep.keepPath('/usr/lib/python3.11/os.py', 'runtime', 'stdlib');
  keep.keepPath('/usr/lib/python3.11/json/__init__.py', 'runtime', 'stdlib');
  const trees: WholeTree[] = [
    { path: '/app', reason: 'app', detail: 'COPY . . (line 6)', excluded: [] },
    {
      path: '/usr/lib/python3.11',
      reason: 'runtime',
      detail: 'the Python 3.11 standard library',
      excluded: ['/usr/lib/python3.11/test'],
    },
  ];
  return { tree, keep, trees };
}

describe('keepListOf', () => {
  it('lists kept paths one by one with the directories on the way, and the whole trees apart', () => {
    const { keep, trees } = selection();
    const list = keepListOf(keep, trees);
    expect(list.paths).toEqual([
      '/',
      '/etc',
      '/etc/passwd',
      '/usr',
      '/usr/bin',
      '/usr/bin/python3',
      '/usr/bin/python3.11',
      '/usr/lib',
      '/usr/lib/x86_64-linux-gnu',
      '/usr/lib/x86_64-linux-gnu/libc.so.6',
    ]);
    expect(list.trees.map((tree) => tree.path)).toEqual(['/app', '/usr/lib/python3.11']);
    expect(list.groups?.map((group) => group.heading)).toEqual([
      'The command lines (ENTRYPOINT, CMD, HEALTHCHECK), the scripts they run, their interpreters',
      'Shared libraries the kept programs load (ELF DT_NEEDED and PT_INTERP)',
      'Identity, network, trust and time; directories programs expect',
      'Directories on the way (kept for their owners and modes)',
    ]);
  });
});

describe('renderKeepList and parseKeepList', () => {
  it('read back what they wrote, names with a backslash or a newline included', () => {
    const list = {
      paths: ['/', '/app', '/app/back\\slash', '/app/new\nline'],
      trees: [{ path: '/srv/data', excluded: ['/srv/data/cache'], detail: 'COPY data /srv/data (line 9)' }],
    };
    const text = renderKeepList(list, { dockerfile: 'Dockerfile.pare', stage: 'app' });
    expect(text).toContain('/app/back\\\\slash\n/app/new\\nline\n');
    expect(parseKeepList(text, 'Dockerfile.pare.keep')).toEqual(list);
  });

  it('refuses a line that is neither a path nor a tar option', () => {
    expect(() => parseKeepList('--no-recursion\napp/main.py\n', 'Dockerfile.pare.keep')).toThrow(
      /line 2: expected an absolute path or a tar option, got "app\/main\.py"/,
    );
  });
});

describe('keepsPath', () => {
  const list = {
    paths: ['/', '/usr', '/usr/bin/python3'],
    trees: [{ path: '/usr/lib/python3.11', excluded: ['/usr/lib/python3.11/test'] }],
  };
  it.each([
    ['/usr/bin/python3', true],
    ['/usr/lib/python3.11', true],
    ['/usr/lib/python3.11/new_module.py', true],
    ['/usr/lib/python3.11/test', false],
    ['/usr/lib/python3.11/test/test_os.py', false],
    ['/usr/lib/python3.111/x.py', false],
    ['/usr/bin/perl', false],
  ])('%s: %s', (path, kept) => {
    expect(keepsPath(list, path)).toBe(kept);
  });
});

describe('GNU tar reads the keep list as the closure Dockerfile does', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pare-keep-list-'));
    for (const entry of layer) {
      const path = join(root, entry.path);
      if (entry.type === 'directory') await mkdir(path, { recursive: true });
      else if (entry.type === 'symlink') await makeSymlink(entry.linkname!, path);
      else await writeFile(path, 'x'.repeat(entry.size));
    }
    // Added after the list was written: a whole tree picks it up, one by one does not.
    await writeFile(join(root, 'app/added-later.py'), 'print(1)');
    await writeFile(join(root, 'usr/lib/python3.11/added.py'), '');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('picks exactly the kept paths, and what was added later to a whole tree', async () => {
    const { keep, trees } = selection();
    const text = renderKeepList(keepListOf(keep, trees), { dockerfile: 'Dockerfile.pare', stage: 'app' });
    await writeFile(join(root, '.keep'), text);
    // The same transformation the pick stage runs (src/rewrite/closure/dockerfile.ts).
    const { stdout } = await run(
      'sh',
      [
        '-c',
        `sed -e '/^#/d' -e 's,^/$,.,' -e 's,^/,,' -e 's,^--exclude=/,--exclude=,' .keep | tar -C . -cf - -T - | tar -tf -`,
      ],
      { cwd: root },
    );
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(
      [
        './',
        'app/',
        'app/added-later.py',
        'app/main.py',
        'app/weird/',
        'app/weird/back\\\\slash.txt',
        'etc/',
        'etc/passwd',
        'usr/',
        'usr/bin/',
        'usr/bin/python3',
        'usr/bin/python3.11',
        'usr/lib/',
        'usr/lib/python3.11/',
        'usr/lib/python3.11/added.py',
        'usr/lib/python3.11/json/',
        'usr/lib/python3.11/json/__init__.py',
        'usr/lib/python3.11/os.py',
        'usr/lib/x86_64-linux-gnu/',
        'usr/lib/x86_64-linux-gnu/libc.so.6',
      ].sort(),
    );
  });
});
