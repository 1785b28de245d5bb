/**
 * Compilers and toolchains in the final image: a built artifact needs none of
 * them at run time. Each toolchain is recognised by a file only it has (cc1,
 * the go command, rustc, javac), and sized by the directories it installs;
 * the saving is an estimate because removing a toolchain package may take
 * more or less with it.
 */
import { posix } from 'node:path';
import type { Detector, DetectorResult, FileFact, Match } from './types.js';

interface Toolchain {
  title: string;
  hint: string;
  /** A file proving the toolchain is installed. */
  isMarker(path: string): boolean;
  /** Files belonging to it, given the roots found from markers. */
  belongs(file: FileFact, roots: string[]): boolean;
  /** Root directories derived from a marker path. */
  rootOf(markerPath: string): string;
}

const under = (path: string, root: string) => path === root || path.startsWith(`${root}/`);

const GCC_BIN =
  /^\/usr\/(?:local\/)?bin\/(?:[a-z0-9_]+-linux-(?:gnu|musl)[a-z]*-)?(?:gcc|g\+\+|c\+\+|cpp|cc|gcc-ar|gcc-nm|gcc-ranlib|as|ld|ld\.bfd|ld\.gold|gold)(?:-\d+)?$/;

const TOOLCHAINS: readonly Toolchain[] = [
  {
    title: 'C/C++ compiler (gcc)',
    hint: 'compile in a build stage and copy only the result (or purge build-essential/gcc in the same RUN)',
    isMarker: (path) => /^\/usr\/(?:lib|libexec)\/gcc\/[^/]+\/[^/]+\/cc1(?:plus)?$/.test(path),
    rootOf: (path) => path.replace(/^(\/usr\/(?:lib|libexec)\/gcc)\/.*$/, '$1'),
    belongs: (file, roots) =>
      roots.some((root) => under(file.path, root)) ||
      /^\/usr\/(?:lib|libexec)\/gcc\//.test(file.path) ||
      GCC_BIN.test(file.path),
  },
  {
    title: 'Go toolchain',
    hint: 'build in a golang stage and copy only the binary into a small base',
    isMarker: (path) => /^(?:\/usr\/local\/go[^/]*|\/usr\/lib\/go(?:-[^/]+)?)\/bin\/go$/.test(path),
    rootOf: (path) => posix.dirname(posix.dirname(path)),
    belongs: (file, roots) =>
      roots.some((root) => under(file.path, root)) || /^\/usr\/share\/go(?:-[^/]+)?\//.test(file.path),
  },
  {
    title: 'Rust toolchain',
    hint: 'build in a rust stage and copy only the binary',
    isMarker: (path) =>
      /\/(?:\.rustup|rustup)\/toolchains\/[^/]+\/bin\/rustc$/.test(path) ||
      /^\/usr\/(?:local\/)?bin\/rustc$/.test(path) ||
      /(?:^\/usr\/local\/cargo|\/\.cargo)\/bin\/rustc$/.test(path),
    rootOf: (path) => {
      const rustup = /^(.*\/(?:\.rustup|rustup))\/toolchains\//.exec(path);
      if (rustup) return rustup[1]!;
      // /usr/bin/rustc is one file among many; rustup's bin directory holds only proxies.
      return /\/cargo\/bin\/rustc$|\/\.cargo\/bin\/rustc$/.test(path) ? posix.dirname(path) : path;
    },
    belongs: (file, roots) =>
      roots.some((root) => under(file.path, root)) ||
      /^\/usr\/lib\/rustlib\//.test(file.path) ||
      /\/librustc_driver-[^/]*\.so$/.test(file.path) ||
      /^\/usr\/(?:local\/)?bin\/(?:rustc|rustdoc|cargo|rust-gdb|rust-lldb|rust-gdbgui)$/.test(file.path),
  },
  {
    title: 'node-gyp headers',
    hint: 'build native modules in a build stage, or remove ~/.cache/node-gyp in the same RUN',
    isMarker: (path) => /(?:^|\/)(?:\.cache\/node-gyp|\.node-gyp)\/[^/]+\/include\//.test(path),
    rootOf: (path) => path.replace(/^(.*?\/(?:\.cache\/node-gyp|\.node-gyp))\/.*$/, '$1'),
    belongs: (file, roots) => roots.some((root) => under(file.path, root)),
  },
];

/**
 * Every marker, every file a toolchain's `belongs` claims from the roots its
 * markers give, and every part of a JDK home (javac, bin/*, jmods/, …)
 * matches one of these.
 */
const MAYBE_TOOLCHAIN = new RegExp(
  [
    '^/usr/(?:lib|libexec)/gcc/',
    '^/usr/(?:local/go|lib/go|share/go)',
    'rustup/',
    '/cargo/bin/',
    '^/usr/lib/rustlib/',
    '/librustc_driver-',
    'node-gyp/',
    // gcc, rustc and cargo programs, javac and a JDK's other programs
    '/bin/[^/]+$',
    '/(?:jmods|include|demo|sample|man|legal)/',
    '/lib/(?:src\\.zip|ct\\.sym)$',
  ].join('|'),
);

/** What a JRE does not need from a JDK home. */
function jdkOnly(path: string, home: string): boolean {
  const rest = path.slice(home.length + 1);
  if (/^(?:jmods|include|demo|sample|man|legal\/jdk\.[^/]+)\//.test(rest)) return true;
  if (rest === 'lib/src.zip' || rest === 'lib/ct.sym') return true;
  const bin = /^bin\/([^/]+)$/.exec(rest);
  return bin !== null && !['java', 'keytool', 'rmiregistry', 'jfr', 'jrunscript'].includes(bin[1]!);
}

export const toolchain: Detector = {
  id: 'toolchain',
  removal: 'optional',
  title: 'Compilers and toolchains',
  description:
    'gcc (cc1), the Go toolchain, rustc/cargo, node-gyp headers, and a full JDK (javac) where a JRE would run the application.',
  wants: (path) => MAYBE_TOOLCHAIN.test(path),
  detect(context) {
    const results: DetectorResult[] = [];
    for (const chain of TOOLCHAINS) {
      const roots = [
        ...new Set(context.files.filter((f) => chain.isMarker(f.path)).map((f) => chain.rootOf(f.path))),
      ];
      if (roots.length === 0) continue;
      const matches: Match[] = context.files.filter((f) => chain.belongs(f, roots)).map((file) => ({ file }));
      results.push({ title: chain.title, matches, paths: roots, estimated: true, hint: chain.hint });
    }
    // A JDK: javac next to java. A JRE keeps bin/java and lib/, so only the JDK-only parts count.
    // javac in /usr/bin is usually an alternatives symlink; a JDK home has its own `release` file or module image.
    const homes = context.files
      .filter((f) => f.kind === 'file' && posix.basename(f.path) === 'javac' && /\/bin\/javac$/.test(f.path))
      .map((f) => posix.dirname(posix.dirname(f.path)))
      .filter(
        (home) =>
          context.exists(`${home}/release`) ||
          context.exists(`${home}/lib/modules`) ||
          context.exists(`${home}/jmods`),
      );
    for (const home of new Set(homes)) {
      const matches = context.files
        .filter((f) => under(f.path, home) && jdkOnly(f.path, home))
        .map((file) => ({ file }));
      results.push({
        title: 'JDK where a JRE would do',
        matches,
        paths: [home],
        estimated: true,
        hint: 'run on a JRE base (e.g. eclipse-temurin:*-jre) or a jlink-ed runtime',
      });
    }
    return results;
  },
};
