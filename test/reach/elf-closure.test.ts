import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ElfInfo, ElfReader } from '../../src/analyze/elf.js';
import { parseLdd } from '../../src/optimize/shared-libraries.js';
import { type ElfClosureInput, elfClosure } from '../../src/reach/elf-closure.js';
import { parseLdSoConf } from '../../src/reach/ld-search.js';

// ---------------------------------------------------------------- real binaries of this host

function hostElf(path: string): ElfInfo | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  let info: ElfInfo | null = null;
  const reader = new ElfReader(bytes.length, (result) => {
    info = result;
  });
  for (let at = 0; at < bytes.length; at += 64 * 1024) reader.write(bytes.subarray(at, at + 64 * 1024));
  reader.end();
  return info ?? undefined;
}

function hostRealPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function hostLdSoConf(): string[] {
  const readFile = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  const listDir = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return undefined;
    }
  };
  return parseLdSoConf(readFile('/etc/ld.so.conf') ?? '', readFile, listDir);
}

function hostLdd(binary: string): string[] | undefined {
  try {
    return parseLdd(execFileSync('ldd', [binary], { encoding: 'utf8' }));
  } catch {
    return undefined;
  }
}

const hostBinaries = ['/usr/bin/strace', '/usr/bin/python3', '/bin/ls', process.execPath].filter(
  (path) => existsSync(path) && hostElf(path)?.interpreter,
);

describe('elfClosure on real binaries of this host', () => {
  it.skipIf(hostBinaries.length === 0).each(hostBinaries)('%s loads what ldd lists', (binary) => {
    const expected = hostLdd(binary);
    if (!expected) return;
    const closure = elfClosure({
      roots: [binary],
      elfOf: hostElf,
      exists: hostRealPath,
      searchDirs: {
        ldSoConf: hostLdSoConf(),
        ldLibraryPath: (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
      },
    });
    expect(closure.unresolved).toEqual([]);
    // ldd prints each object by the path it was found under: the paths a slim image must keep resolving.
    expect(new Set(closure.edges.map((edge) => edge.path))).toEqual(new Set(expected));
    expect(new Set(closure.edges.map((edge) => edge.resolved))).toEqual(
      new Set(expected.map((path) => realpathSync(path))),
    );
    const interpreter = closure.edges.filter((edge) => edge.reason === 'elf-interpreter');
    expect(interpreter).toHaveLength(1);
    expect(interpreter[0]!.from).toBe(realpathSync(binary));
  });

  it.skipIf(!existsSync('/usr/bin/strace'))(
    'follows strace to libunwind and its own needs, in BFS order',
    () => {
      const closure = elfClosure({
        roots: ['/usr/bin/strace'],
        elfOf: hostElf,
        exists: hostRealPath,
        searchDirs: { ldSoConf: hostLdSoConf(), ldLibraryPath: [] },
      });
      const names = closure.edges.filter((edge) => edge.from === '/usr/bin/strace').map((edge) => edge.name);
      expect(names).toEqual([undefined, ...(hostElf('/usr/bin/strace')!.needed ?? [])]);
      // libunwind-ptrace needs libunwind-x86_64 and libunwind: reached only transitively.
      expect(
        closure.edges.some((edge) => edge.name === 'libunwind.so.8' && edge.from !== '/usr/bin/strace'),
      ).toBe(true);
    },
  );
});

// ---------------------------------------------------------------- synthetic images

function elf(fields: Partial<ElfInfo>): ElfInfo {
  return {
    bits: 64,
    endian: 'little',
    type: 'shared',
    machine: 62,
    machineName: 'x86_64',
    interpreter: null,
    isStatic: true,
    hasDynamicSection: true,
    needed: [],
    soname: null,
    rpath: null,
    runpath: null,
    pie: false,
    sections: null,
    ...fields,
  };
}

const exe = (fields: Partial<ElfInfo>) =>
  elf({ type: 'shared', pie: true, interpreter: '/lib64/ld-linux-x86-64.so.2', isStatic: false, ...fields });

/** An image as files (ELF facts) and symlinks (full path → full path), resolved like the closure expects. */
function image(files: Record<string, ElfInfo | 'not-elf'>, links: Record<string, string> = {}) {
  const exists = (path: string): string | undefined => {
    // These images have no directory links under `..`, so collapsing it by text is exact here.
    for (let hops = 0, at = collapseDotDot(path); hops < 40; hops++) {
      if (files[at] !== undefined) return at;
      const prefix = Object.keys(links).find((link) => at === link || at.startsWith(`${link}/`));
      if (!prefix) return undefined;
      at = links[prefix]! + at.slice(prefix.length);
    }
    return undefined;
  };
  const elfOf = (path: string) => {
    const info = files[path];
    return info === 'not-elf' ? undefined : info;
  };
  return { exists, elfOf };
}

function collapseDotDot(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '' && part !== '.') parts.push(part);
  }
  return `/${parts.join('/')}`;
}

const glibcBase = {
  '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2': elf({ soname: 'ld-linux-x86-64.so.2' }),
  '/usr/lib/x86_64-linux-gnu/libc.so.6': elf({ soname: 'libc.so.6', needed: ['ld-linux-x86-64.so.2'] }),
};
const glibcLinks = {
  '/lib': '/usr/lib',
  '/lib64': '/usr/lib64',
  '/usr/lib64/ld-linux-x86-64.so.2': '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
};
const debianConf = [
  '/usr/local/lib',
  '/usr/local/lib/x86_64-linux-gnu',
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
];

type Row = [path: string, from: string, reason: string];
const rows = (closure: ReturnType<typeof elfClosure>): Row[] =>
  closure.edges.map((edge) => [edge.path, edge.from, edge.reason]);

interface Case {
  name: string;
  files: Record<string, ElfInfo | 'not-elf'>;
  links?: Record<string, string>;
  roots: string[];
  ldSoConf?: string[];
  ldLibraryPath?: string[];
  edges: Row[];
  unresolved?: Array<{ from: string; name: string }>;
}

const cases: Case[] = [
  {
    name: 'a Debian program: interpreter through /lib64, libraries through /lib, ld.so needed by libc reused',
    files: { ...glibcBase, '/app/server': exe({ needed: ['libc.so.6'] }) },
    links: glibcLinks,
    roots: ['/app/server'],
    ldSoConf: debianConf,
    edges: [
      ['/lib64/ld-linux-x86-64.so.2', '/app/server', 'elf-interpreter'],
      ['/lib/x86_64-linux-gnu/libc.so.6', '/app/server', 'elf-needed'],
      ['/lib64/ld-linux-x86-64.so.2', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'elf-needed'],
    ],
  },
  {
    name: 'RUNPATH with $ORIGIN and ${ORIGIN}; the RUNPATH is not inherited by the library it loads',
    files: {
      ...glibcBase,
      '/opt/app/bin/app': exe({
        needed: ['libcore.so', 'libc.so.6'],
        runpath: '$ORIGIN/../lib:${ORIGIN}/../vendor',
      }),
      '/opt/app/lib/libcore.so': elf({ needed: ['libhelper.so'] }),
      '/opt/app/vendor/libhelper.so': elf({}),
    },
    links: glibcLinks,
    roots: ['/opt/app/bin/app'],
    ldSoConf: debianConf,
    edges: [
      ['/lib64/ld-linux-x86-64.so.2', '/opt/app/bin/app', 'elf-interpreter'],
      ['/opt/app/bin/../lib/libcore.so', '/opt/app/bin/app', 'elf-needed'],
      ['/lib/x86_64-linux-gnu/libc.so.6', '/opt/app/bin/app', 'elf-needed'],
      ['/lib64/ld-linux-x86-64.so.2', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'elf-needed'],
    ],
    unresolved: [{ from: '/opt/app/lib/libcore.so', name: 'libhelper.so' }],
  },
  {
    name: 'RPATH is inherited down the loader chain (glibc), unless the requester has a RUNPATH',
    files: {
      '/opt/app/bin/app': exe({
        interpreter: null,
        needed: ['libcore.so', 'libother.so'],
        rpath: '/opt/app/lib:/opt/app/deps',
      }),
      '/opt/app/lib/libcore.so': elf({ needed: ['libdep.so'] }),
      '/opt/app/lib/libother.so': elf({ needed: ['libdep2.so'], runpath: '/nowhere' }),
      '/opt/app/deps/libdep.so': elf({}),
      '/opt/app/deps/libdep2.so': elf({}),
    },
    roots: ['/opt/app/bin/app'],
    edges: [
      ['/opt/app/lib/libcore.so', '/opt/app/bin/app', 'elf-needed'],
      ['/opt/app/lib/libother.so', '/opt/app/bin/app', 'elf-needed'],
      ['/opt/app/deps/libdep.so', '/opt/app/lib/libcore.so', 'elf-needed'],
    ],
    unresolved: [{ from: '/opt/app/lib/libother.so', name: 'libdep2.so' }],
  },
  {
    name: 'RPATH is searched before LD_LIBRARY_PATH, RUNPATH after it; an object with both ignores its RPATH',
    files: {
      '/app/a': exe({ interpreter: null, needed: ['liba.so'], rpath: '/rpath' }),
      '/app/b': exe({ interpreter: null, needed: ['libb.so'], runpath: '/runpath' }),
      '/app/c': exe({ interpreter: null, needed: ['libc2.so'], rpath: '/rpath', runpath: '/runpath' }),
      '/rpath/liba.so': elf({}),
      '/env/liba.so': elf({}),
      '/env/libb.so': elf({}),
      '/runpath/libb.so': elf({}),
      '/rpath/libc2.so': elf({}),
      '/runpath/libc2.so': elf({}),
    },
    roots: ['/app/a', '/app/b', '/app/c'],
    ldLibraryPath: ['/env'],
    edges: [
      ['/rpath/liba.so', '/app/a', 'elf-needed'],
      ['/env/libb.so', '/app/b', 'elf-needed'],
      ['/runpath/libc2.so', '/app/c', 'elf-needed'],
    ],
  },
  {
    name: '$LIB and $PLATFORM expand as Debian x86_64 glibc does; unknown tokens drop the entry',
    files: {
      '/app/bin': exe({
        interpreter: null,
        needed: ['libx.so', 'liby.so'],
        runpath: '/opt/$LIB:/opt/${PLATFORM}/lib:/opt/$UNKNOWN',
      }),
      '/opt/lib/x86_64-linux-gnu/libx.so': elf({}),
      '/opt/x86_64/lib/liby.so': elf({}),
    },
    roots: ['/app/bin'],
    edges: [
      ['/opt/lib/x86_64-linux-gnu/libx.so', '/app/bin', 'elf-needed'],
      ['/opt/x86_64/lib/liby.so', '/app/bin', 'elf-needed'],
    ],
  },
  {
    name: 'candidates of the wrong class or machine, and non-ELF files, are skipped like ld.so does',
    files: {
      ...glibcBase,
      '/app/bin': exe({ needed: ['libfoo.so.1', 'libc.so.6'] }),
      '/usr/local/lib/libfoo.so.1': elf({ bits: 32, machine: 3, machineName: 'i386' }),
      '/usr/local/lib/x86_64-linux-gnu/libfoo.so.1': elf({ machine: 183, machineName: 'aarch64' }),
      '/usr/lib/x86_64-linux-gnu/libfoo.so.1': 'not-elf',
      '/usr/lib64/libfoo.so.1': elf({}),
    },
    links: {
      ...glibcLinks,
      '/usr/lib64/ld-linux-x86-64.so.2': '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
    },
    roots: ['/app/bin'],
    ldSoConf: debianConf,
    edges: [
      ['/lib64/ld-linux-x86-64.so.2', '/app/bin', 'elf-interpreter'],
      ['/lib64/libfoo.so.1', '/app/bin', 'elf-needed'],
      ['/lib/x86_64-linux-gnu/libc.so.6', '/app/bin', 'elf-needed'],
      ['/lib64/ld-linux-x86-64.so.2', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'elf-needed'],
    ],
  },
  {
    name: 'a dependency loop is walked once; a SONAME already loaded answers a later request',
    files: {
      '/app/bin': exe({ interpreter: null, needed: ['libping.so', 'libalias.so'], runpath: '/l' }),
      '/l/libping.so': elf({ needed: ['libpong.so'], runpath: '/l', soname: 'libalias.so' }),
      '/l/libpong.so': elf({ needed: ['libping.so'], runpath: '/l' }),
    },
    roots: ['/app/bin'],
    edges: [
      ['/l/libping.so', '/app/bin', 'elf-needed'],
      ['/l/libping.so', '/app/bin', 'elf-needed'],
      ['/l/libpong.so', '/l/libping.so', 'elf-needed'],
      ['/l/libping.so', '/l/libpong.so', 'elf-needed'],
    ],
  },
  {
    name: 'a needed name with a slash is used as is; a relative one is taken from /',
    files: {
      '/app/bin': exe({
        interpreter: null,
        needed: ['/opt/abs/libabs.so', 'rel/librel.so', '$ORIGIN/libo.so'],
      }),
      '/opt/abs/libabs.so': elf({}),
      '/rel/librel.so': elf({}),
      '/app/libo.so': elf({}),
    },
    roots: ['/app/bin'],
    edges: [
      ['/opt/abs/libabs.so', '/app/bin', 'elf-needed'],
      ['/rel/librel.so', '/app/bin', 'elf-needed'],
      ['/app/libo.so', '/app/bin', 'elf-needed'],
    ],
  },
  {
    name: 'musl: libc.musl-*.so.1 is the loader itself; no ld.so.conf, RPATH used like RUNPATH',
    files: {
      '/lib/ld-musl-x86_64.so.1': elf({ soname: 'libc.musl-x86_64.so.1' }),
      '/usr/bin/app': exe({
        interpreter: '/lib/ld-musl-x86_64.so.1',
        needed: ['libssl.so.3', 'libc.musl-x86_64.so.1'],
        rpath: '/opt/ssl',
      }),
      '/opt/ssl/libssl.so.3': elf({ needed: ['libcrypto.so.3', 'libc.musl-x86_64.so.1'] }),
      '/usr/lib/libcrypto.so.3': elf({ needed: ['libc.musl-x86_64.so.1'] }),
    },
    links: { '/lib/libc.musl-x86_64.so.1': '/lib/ld-musl-x86_64.so.1' },
    roots: ['/usr/bin/app'],
    edges: [
      ['/lib/ld-musl-x86_64.so.1', '/usr/bin/app', 'elf-interpreter'],
      ['/opt/ssl/libssl.so.3', '/usr/bin/app', 'elf-needed'],
      ['/lib/ld-musl-x86_64.so.1', '/usr/bin/app', 'elf-needed'],
      ['/usr/lib/libcrypto.so.3', '/opt/ssl/libssl.so.3', 'elf-needed'],
      ['/lib/ld-musl-x86_64.so.1', '/opt/ssl/libssl.so.3', 'elf-needed'],
      ['/lib/ld-musl-x86_64.so.1', '/usr/lib/libcrypto.so.3', 'elf-needed'],
    ],
  },
  {
    name: 'musl: a path file (given as ldSoConf) replaces the built-in directories',
    files: {
      '/lib/ld-musl-x86_64.so.1': elf({}),
      '/usr/bin/app': exe({ interpreter: '/lib/ld-musl-x86_64.so.1', needed: ['libz.so.1'] }),
      '/usr/lib/libz.so.1': elf({}),
    },
    roots: ['/usr/bin/app'],
    ldSoConf: ['/opt/only'],
    edges: [['/lib/ld-musl-x86_64.so.1', '/usr/bin/app', 'elf-interpreter']],
    unresolved: [{ from: '/usr/bin/app', name: 'libz.so.1' }],
  },
  {
    name: 'nothing to find: a static binary, a missing root, a non-ELF root, a missing interpreter',
    files: {
      '/app/static': elf({ type: 'executable', needed: [], hasDynamicSection: false }),
      '/app/script.sh': 'not-elf',
      '/app/broken': exe({ interpreter: '/lib/ld-missing.so.1', needed: ['libnone.so'] }),
    },
    roots: ['/app/static', '/app/missing', '/app/script.sh', '/app/broken'],
    edges: [],
    unresolved: [
      { from: '/app/broken', name: '/lib/ld-missing.so.1' },
      { from: '/app/broken', name: 'libnone.so' },
    ],
  },
];

describe('elfClosure follows ld.so rules', () => {
  it.each(cases)('$name', (c) => {
    const { exists, elfOf } = image(c.files, c.links);
    const input: ElfClosureInput = {
      roots: c.roots,
      elfOf,
      exists,
      searchDirs: { ldSoConf: c.ldSoConf ?? [], ldLibraryPath: c.ldLibraryPath ?? [] },
    };
    const closure = elfClosure(input);
    expect(rows(closure)).toEqual(c.edges);
    expect(closure.unresolved).toEqual(c.unresolved ?? []);
    for (const edge of closure.edges) expect(edge.resolved).toBe(exists(edge.path));
    // Same input, same answer: the order is part of the contract.
    expect(elfClosure(input)).toEqual(closure);
  });
});
