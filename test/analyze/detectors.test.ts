/**
 * Table-driven detector tests: each case is a final filesystem (paths with
 * sizes, optional ELF facts and env) and the findings expected from one
 * detector — [] for the negative cases.
 */
import { describe, expect, it } from 'vitest';
import { compiledSources } from '../../src/analyze/detectors/compiled-sources.js';
import { devFiles } from '../../src/analyze/detectors/dev-files.js';
import { docs } from '../../src/analyze/detectors/docs.js';
import {
  contextsFor,
  DETECTORS,
  type Detector,
  type DetectSource,
  type FileFact,
  runDetectors,
} from '../../src/analyze/detectors/index.js';
import { orphanBytecode } from '../../src/analyze/detectors/orphan-bytecode.js';
import { packageCache } from '../../src/analyze/detectors/package-cache.js';
import { packageTests } from '../../src/analyze/detectors/package-tests.js';
import { toolchain } from '../../src/analyze/detectors/toolchain.js';
import { unstrippedBinaries } from '../../src/analyze/detectors/unstripped-binaries.js';
import { vcsMetadata } from '../../src/analyze/detectors/vcs-metadata.js';
import type { ElfInfo } from '../../src/analyze/elf.js';

type Spec = string | [path: string, size: number, layer?: number];

function elfInfo(overrides: Partial<ElfInfo> = {}): ElfInfo {
  return {
    bits: 64,
    endian: 'little',
    type: 'executable',
    machine: 62,
    machineName: 'x86_64',
    interpreter: '/lib64/ld-linux-x86-64.so.2',
    isStatic: false,
    hasDynamicSection: true,
    needed: ['libc.so.6'],
    soname: null,
    rpath: null,
    runpath: null,
    pie: false,
    sections: { count: 30, debugBytes: 0, symtabBytes: 0, strtabBytes: 0, namesKnown: true },
    ...overrides,
  };
}

function sourceOf(
  specs: Spec[],
  extra: { env?: Record<string, string>; elf?: Record<string, ElfInfo> } = {},
): DetectSource & { factsMade: number } {
  const files: FileFact[] = specs
    .map((spec, id) => {
      const [path, size, layer] = typeof spec === 'string' ? [spec, 100, 0] : spec;
      return { id, path, size, layer: layer ?? 0, mode: 0o644, kind: 'file' as const };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const paths = new Set(files.map((f) => f.path));
  const elfByPath = extra.elf ?? {};
  const source = {
    factsMade: 0,
    walkFiles: (visit: (id: number, path: string) => void) => {
      for (const file of files) visit(file.id, file.path);
    },
    fact: (id: number) => {
      source.factsMade++;
      return files.find((f) => f.id === id)!;
    },
    exists: (path: string) => paths.has(path),
    elf: (id: number) => {
      const file = files.find((f) => f.id === id);
      return file ? elfByPath[file.path] : undefined;
    },
    env: extra.env ?? {},
    config: undefined,
  };
  return source;
}

/** The same detector given every file, to check that what it `wants` leaves out nothing it uses. */
function wantingEverything(detector: Detector): Detector {
  return { ...detector, wants: () => true };
}

interface Case {
  name: string;
  files: Spec[];
  env?: Record<string, string>;
  elf?: Record<string, ElfInfo>;
  /** Expected findings: title, bytes, and optionally paths. */
  expect: Array<{ title: string; bytes: number; paths?: string[] }>;
}

function table(detector: Detector, cases: Case[]) {
  describe(detector.id, () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const findings = runDetectors(sourceOf(c.files, c), { detectors: [detector] });
      const actual = findings.map((f) => ({ title: f.title, bytes: f.bytes, paths: f.paths }));
      expect(actual).toEqual(c.expect.map((e) => (e.paths ? e : { ...e, paths: expect.any(Array) })));
      const unfiltered = runDetectors(sourceOf(c.files, c), { detectors: [wantingEverything(detector)] });
      expect(findings).toEqual(unfiltered);
    });
  });
}

table(packageCache, [
  {
    name: 'apt lists',
    files: ['/var/lib/apt/lists/deb_Packages.lz4', '/var/lib/apt/lists/lock'],
    expect: [{ title: 'apt package lists', bytes: 100, paths: ['/var/lib/apt/lists'] }],
  },
  {
    name: 'apt archives',
    files: ['/var/cache/apt/archives/curl_8.deb', '/var/cache/apt/pkgcache.bin'],
    expect: [{ title: 'apt downloaded packages', bytes: 200 }],
  },
  {
    name: 'apk cache',
    files: ['/var/cache/apk/APKINDEX.tar.gz'],
    expect: [{ title: 'apk cache', bytes: 100, paths: ['/var/cache/apk'] }],
  },
  {
    name: 'dnf and yum',
    files: ['/var/cache/dnf/repo.solv', '/var/cache/yum/x.rpm'],
    expect: [
      { title: 'dnf cache', bytes: 100 },
      { title: 'yum cache', bytes: 100 },
    ],
  },
  {
    name: 'pip in /root and in a user home',
    files: [['/root/.cache/pip/http/a', 300], '/home/app/.cache/pip/wheels/b.whl'],
    expect: [
      { title: 'pip cache', bytes: 300, paths: ['/root/.cache/pip'] },
      { title: 'pip cache', bytes: 100, paths: ['/home/app/.cache/pip'] },
    ],
  },
  {
    name: 'poetry cache, not virtualenvs',
    files: ['/root/.cache/pypoetry/cache/x', '/root/.cache/pypoetry/virtualenvs/app/lib/y.py'],
    expect: [{ title: 'poetry cache', bytes: 100 }],
  },
  {
    name: 'npm, yarn, pnpm',
    files: [
      '/root/.npm/_cacache/content-v2/x',
      '/usr/local/share/.cache/yarn/v6/x',
      '/root/.local/share/pnpm/store/v3/x',
    ],
    expect: [
      { title: 'npm cache', bytes: 100 },
      { title: 'pnpm store', bytes: 100 },
      { title: 'yarn cache', bytes: 100 },
    ],
  },
  {
    name: 'go caches',
    files: ['/root/.cache/go-build/ab/x-d', '/go/pkg/mod/github.com/x@v1/y.go'],
    expect: [
      { title: 'Go build cache', bytes: 100 },
      { title: 'Go module cache', bytes: 100, paths: ['/go/pkg/mod'] },
    ],
  },
  {
    name: 'cargo, maven, gradle',
    files: [
      '/usr/local/cargo/registry/cache/x.crate',
      '/root/.m2/repository/a/b.jar',
      '/root/.gradle/caches/modules-2/x',
    ],
    expect: [
      { title: 'Gradle caches', bytes: 100 },
      { title: 'Maven repository', bytes: 100 },
      { title: 'cargo registry', bytes: 100 },
    ],
  },
  {
    name: 'nothing cached',
    files: [
      '/var/lib/apt/lists/lock',
      '/usr/lib/python3/dist-packages/pip/_internal/cache.py',
      '/var/lib/dpkg/status',
      '/app/cache/pip.txt',
      '/usr/local/cargo/bin/cargo',
    ],
    expect: [],
  },
]);

table(toolchain, [
  {
    name: 'gcc with cc1',
    files: [
      ['/usr/lib/gcc/x86_64-linux-gnu/12/cc1', 30_000],
      ['/usr/bin/x86_64-linux-gnu-gcc-12', 1000],
      '/usr/bin/ld.bfd',
      '/usr/bin/ls',
    ],
    expect: [{ title: 'C/C++ compiler (gcc)', bytes: 31_100, paths: ['/usr/lib/gcc'] }],
  },
  {
    name: 'gcc runtime pieces without a compiler',
    files: ['/usr/lib/gcc/x86_64-linux-gnu/12/libgcc.a', '/usr/bin/gcc'],
    expect: [],
  },
  {
    name: 'Go toolchain',
    files: ['/usr/local/go/bin/go', '/usr/local/go/pkg/tool/linux_amd64/compile', '/usr/local/bin/app'],
    expect: [{ title: 'Go toolchain', bytes: 200, paths: ['/usr/local/go'] }],
  },
  {
    name: 'Debian golang',
    files: ['/usr/lib/go-1.19/bin/go', '/usr/share/go-1.19/src/fmt/print.go'],
    expect: [{ title: 'Go toolchain', bytes: 200, paths: ['/usr/lib/go-1.19'] }],
  },
  { name: 'a binary called go elsewhere', files: ['/app/bin/go'], expect: [] },
  {
    name: 'rustup toolchain',
    files: [
      '/usr/local/rustup/toolchains/stable/bin/rustc',
      '/usr/local/rustup/toolchains/stable/lib/librustc_driver.so',
      '/usr/local/cargo/bin/cargo',
    ],
    expect: [{ title: 'Rust toolchain', bytes: 200, paths: ['/usr/local/rustup'] }],
  },
  {
    name: 'cargo-installed rustc',
    files: ['/usr/local/cargo/bin/rustc', '/usr/local/cargo/bin/cargo', '/usr/local/cargo/bin/rustfmt'],
    expect: [{ title: 'Rust toolchain', bytes: 300, paths: ['/usr/local/cargo/bin'] }],
  },
  { name: 'a program called cargo', files: ['/app/target/release/cargo'], expect: [] },
  {
    name: 'JDK',
    files: [
      '/usr/lib/jvm/jdk-17/bin/javac',
      '/usr/lib/jvm/jdk-17/bin/java',
      ['/usr/lib/jvm/jdk-17/jmods/java.base.jmod', 5000],
      '/usr/lib/jvm/jdk-17/lib/modules',
      '/usr/lib/jvm/jdk-17/lib/src.zip',
      '/usr/lib/jvm/jdk-17/lib/ct.sym',
      '/usr/lib/jvm/jdk-17/bin/jshell',
      '/usr/lib/jvm/jdk-17/include/jni.h',
      '/usr/lib/jvm/jdk-17/legal/jdk.compiler/LICENSE',
      '/usr/lib/jvm/jdk-17/man/man1/javac.1',
      '/usr/lib/jvm/jdk-17/lib/libjvm.so',
    ],
    expect: [{ title: 'JDK where a JRE would do', bytes: 5700, paths: ['/usr/lib/jvm/jdk-17'] }],
  },
  { name: 'JRE', files: ['/opt/java/openjdk/bin/java', '/opt/java/openjdk/lib/modules'], expect: [] },
  {
    name: 'javac in /usr/bin is not a JDK home',
    files: ['/usr/bin/javac', '/usr/bin/java', '/usr/bin/ls'],
    expect: [],
  },
  {
    name: 'node-gyp headers',
    files: [
      '/root/.cache/node-gyp/18.0.0/include/node/node.h',
      '/root/.cache/node-gyp/18.0.0/installVersion',
    ],
    expect: [{ title: 'node-gyp headers', bytes: 200, paths: ['/root/.cache/node-gyp'] }],
  },
]);

table(devFiles, [
  {
    name: 'headers',
    files: ['/usr/include/openssl/ssl.h', '/usr/local/include/zlib.h'],
    expect: [{ title: 'C/C++ headers (*-dev packages)', bytes: 200 }],
  },
  {
    name: 'static libraries',
    files: ['/usr/lib/x86_64-linux-gnu/libssl.a', '/lib/libz.a'],
    expect: [{ title: 'static libraries (*.a)', bytes: 200 }],
  },
  {
    name: 'runtime libraries and app headers',
    files: ['/usr/lib/x86_64-linux-gnu/libssl.so.3', '/app/include/x.h', '/usr/share/doc/x.a'],
    expect: [],
  },
]);

table(docs, [
  {
    name: 'docs without copyright',
    files: ['/usr/share/doc/curl/changelog.gz', '/usr/share/doc/curl/copyright'],
    expect: [{ title: 'documentation', bytes: 100, paths: ['/usr/share/doc'] }],
  },
  {
    name: 'man and info',
    files: ['/usr/share/man/man1/ls.1.gz', '/usr/share/info/coreutils.info.gz'],
    expect: [
      { title: 'info pages', bytes: 100 },
      { title: 'man pages', bytes: 100 },
    ],
  },
  {
    name: 'locales with the C locale',
    files: ['/usr/share/locale/fr/LC_MESSAGES/x.mo', '/usr/share/locale/locale.alias'],
    expect: [{ title: 'translations (the image uses the C locale)', bytes: 100 }],
  },
  {
    name: 'the locale in use is kept',
    env: { LANG: 'fr_FR.UTF-8' },
    files: [
      '/usr/share/locale/fr/LC_MESSAGES/x.mo',
      '/usr/share/locale/fr_FR/LC_MESSAGES/y.mo',
      '/usr/share/locale/de/LC_MESSAGES/x.mo',
    ],
    expect: [{ title: 'translations other than fr_FR.UTF-8', bytes: 100 }],
  },
  {
    name: 'nothing documentary',
    files: ['/usr/share/zoneinfo/UTC', '/usr/share/doc/pkg/copyright'],
    expect: [],
  },
]);

table(packageTests, [
  {
    name: 'python package tests',
    files: [
      ['/usr/local/lib/python3.11/site-packages/pandas/tests/frame/test_x.py', 500],
      '/usr/local/lib/python3.11/site-packages/numpy/core/tests/test_y.py',
      '/usr/local/lib/python3.11/site-packages/numpy/testing/utils.py',
    ],
    expect: [
      {
        title: 'tests inside site-packages',
        bytes: 600,
        paths: [
          '/usr/local/lib/python3.11/site-packages/pandas/tests',
          '/usr/local/lib/python3.11/site-packages/numpy/core/tests',
        ],
      },
    ],
  },
  {
    name: 'node_modules tests and scoped packages',
    files: ['/app/node_modules/foo/test/a.js', '/app/node_modules/@s/bar/__tests__/b.js'],
    expect: [{ title: 'tests inside node_modules', bytes: 200 }],
  },
  {
    name: "a package named test, and the app's own tests",
    files: [
      '/app/node_modules/test/index.js',
      '/app/tests/test_app.py',
      '/usr/lib/python3/dist-packages/tests.py',
    ],
    expect: [],
  },
]);

table(vcsMetadata, [
  {
    name: '.git directory',
    files: ['/app/.git/objects/pack/x.pack', '/app/.git/HEAD'],
    expect: [{ title: '.git directory', bytes: 200, paths: ['/app/.git'] }],
  },
  {
    name: 'git-adjacent files',
    files: ['/app/.github/workflows/ci.yml', '/app/.gitignore', '/app/.gitattributes'],
    expect: [],
  },
]);

table(orphanBytecode, [
  {
    name: 'pyc whose source is gone',
    files: ['/app/__pycache__/gone.cpython-311.pyc', '/app/__pycache__/opt.cpython-311.opt-1.pyc'],
    expect: [{ title: '__pycache__ without sources', bytes: 200 }],
  },
  {
    name: 'pyc beside its source, and sourceless pyc',
    files: ['/app/main.py', '/app/__pycache__/main.cpython-311.pyc', '/app/lib.pyc'],
    expect: [],
  },
]);

table(compiledSources, [
  {
    name: 'Go sources in /app',
    files: ['/app/main.go', '/app/go.mod'],
    expect: [{ title: 'sources of compiled languages', bytes: 100, paths: ['/app'] }],
  },
  {
    name: 'GOPATH and /opt sources',
    files: ['/go/src/github.com/me/app/main.go', '/opt/tool/src/lib.rs'],
    expect: [{ title: 'sources of compiled languages', bytes: 200 }],
  },
  {
    name: 'sources elsewhere next to a built binary',
    files: ['/data/src/x.c', '/data/bin/x'],
    elf: { '/data/bin/x': elfInfo() },
    expect: [{ title: 'sources of compiled languages', bytes: 100, paths: ['/data/src'] }],
  },
  {
    name: 'sources elsewhere next to a jar',
    files: ['/data/src/Main.java', '/data/app.jar', '/usr/share/java/ant.jar'],
    expect: [{ title: 'sources of compiled languages', bytes: 100, paths: ['/data/src'] }],
  },
  {
    name: 'sources elsewhere without an artifact',
    files: ['/data/src/x.c', '/usr/bin/ls'],
    elf: { '/usr/bin/ls': elfInfo() },
    expect: [],
  },
  {
    name: 'toolchain, module cache, headers, node_modules',
    files: [
      '/usr/local/go/src/fmt/print.go',
      '/go/pkg/mod/x/y.go',
      '/usr/include/stdio.h',
      '/app/node_modules/x/src/binding.cc',
      '/root/.cargo/registry/src/x/lib.rs',
    ],
    expect: [],
  },
]);

table(unstrippedBinaries, [
  {
    name: 'binary with debug info',
    files: [['/app/server', 10_000]],
    elf: {
      '/app/server': elfInfo({
        sections: { count: 40, debugBytes: 3000, symtabBytes: 200, strtabBytes: 100, namesKnown: true },
      }),
    },
    expect: [{ title: 'debug sections and symbol tables', bytes: 3300 }],
  },
  {
    name: 'detached debug files',
    files: ['/usr/lib/debug/.build-id/ab/cdef.debug'],
    expect: [{ title: 'detached debug symbols', bytes: 100, paths: ['/usr/lib/debug'] }],
  },
  {
    name: 'stripped, relocatable, or not ELF',
    files: ['/usr/bin/ls', '/usr/lib/crt1.o', '/app/run.sh'],
    elf: {
      '/usr/bin/ls': elfInfo(),
      '/usr/lib/crt1.o': elfInfo({
        type: 'relocatable',
        sections: { count: 9, debugBytes: 10, symtabBytes: 10, strtabBytes: 1, namesKnown: true },
      }),
    },
    expect: [],
  },
]);

describe('runDetectors', () => {
  it('counts a file once, for the first detector that matches it, and attributes layers', () => {
    const context = sourceOf([
      ['/usr/lib/gcc/x86_64-linux-gnu/12/cc1', 1000, 2],
      ['/usr/lib/gcc/x86_64-linux-gnu/12/libgcc.a', 50, 2],
      ['/usr/lib/x86_64-linux-gnu/libz.a', 70, 3],
      ['/var/lib/apt/lists/a', 10, 1],
      ['/var/lib/apt/lists/b', 30, 2],
    ]);
    const findings = runDetectors(context, { instructionOf: (layer) => `RUN layer ${layer}` });
    expect(
      findings.map((f) => [f.detector, f.title, f.bytes, f.files, f.layerIndexes, f.instruction]),
    ).toEqual([
      ['toolchain', 'C/C++ compiler (gcc)', 1050, 2, [2], 'RUN layer 2'],
      ['dev-files', 'static libraries (*.a)', 70, 1, [3], 'RUN layer 3'],
      ['package-cache', 'apt package lists', 40, 2, [2, 1], 'RUN layer 2'],
    ]);
    expect(findings.every((f) => f.hint)).toBe(true);
  });

  it('makes no fact for a file no detector wants, and one shared fact for a file several want', () => {
    const source = sourceOf([
      '/app/server.js',
      '/etc/passwd',
      '/usr/lib/node_modules/npm/lib/cli.js',
      '/usr/include/zlib.h',
    ]);
    const contexts = contextsFor(source, DETECTORS);
    expect(source.factsMade).toBe(1);
    const given = DETECTORS.filter((_, index) => contexts[index]!.files.length > 0).map((d) => d.id);
    // The toolchain detector also takes /usr/include, where a JDK home keeps its headers.
    expect(given).toEqual(['toolchain', 'dev-files']);
  });

  it('every detector has an id, a title and a description', () => {
    const ids = DETECTORS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of DETECTORS) {
      expect(d.id).toMatch(/^[a-z-]+$/);
      expect(d.title.length).toBeGreaterThan(3);
      expect(d.description.length).toBeGreaterThan(20);
    }
  });
});
