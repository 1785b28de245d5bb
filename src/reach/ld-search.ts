/**
 * Where the dynamic loader looks for libraries, read from the image's own
 * files: `/etc/ld.so.conf` (what ldconfig puts into ld.so.cache), the
 * loader's built-in directories, and which libc a loader belongs to.
 */
import { posix } from 'node:path';

/** ldconfig's own limit is deeper, but real configurations nest one or two levels. */
const MAX_INCLUDE_DEPTH = 8;

/**
 * Directories listed by an ld.so.conf text, includes expanded in place, in
 * order, each once. `include` patterns may glob their last component (sorted,
 * as glob(3) returns them); relative patterns are taken from the including
 * file's directory, as ldconfig does. `hwcap` lines are obsolete and ignored.
 */
export function parseLdSoConf(
  text: string,
  readFile: (absPath: string) => string | undefined,
  listDir: (absDir: string) => string[] | undefined,
  depth = 0,
  file = '/etc/ld.so.conf',
): string[] {
  const dirs: string[] = [];
  const add = (dir: string) => {
    if (!dirs.includes(dir)) dirs.push(dir);
  };
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/#.*/, '').trim();
    if (line === '') continue;
    const keyword = /^(\S+)\s+(.*)$/.exec(line);
    if (keyword?.[1] === 'hwcap') continue;
    if (keyword?.[1] === 'include') {
      if (depth >= MAX_INCLUDE_DEPTH) continue;
      for (const pattern of keyword[2]!.split(/\s+/)) {
        const absolute = pattern.startsWith('/') ? pattern : `${posix.dirname(file)}/${pattern}`;
        for (const included of expandGlob(absolute, listDir)) {
          const content = readFile(included);
          if (content === undefined) continue;
          for (const dir of parseLdSoConf(content, readFile, listDir, depth + 1, included)) add(dir);
        }
      }
      continue;
    }
    // Old syntax allows `dir=TYPE`; separators are whitespace, colons and commas.
    for (const token of line.split(/[\s:,]+/)) {
      const dir = normalizeDir(token.replace(/=.*/, ''));
      if (dir) add(dir);
    }
  }
  return dirs;
}

/** Files a pattern names; only its last component may hold glob characters. */
function expandGlob(pattern: string, listDir: (absDir: string) => string[] | undefined): string[] {
  const dir = posix.dirname(pattern);
  const base = posix.basename(pattern);
  if (!/[*?[]/.test(base)) return [pattern];
  const matcher = globToRegExp(base);
  const names = (listDir(dir) ?? []).filter((name) => matcher.test(name));
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => `${dir === '/' ? '' : dir}/${name}`);
}

/** glob(3) for one component: `*`, `?`, `[...]`/`[!...]`; a leading dot must be matched explicitly. */
function globToRegExp(glob: string): RegExp {
  let source = glob.startsWith('.') ? '' : '(?!\\.)';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let set = glob.slice(i + 1, close);
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      source += `[${set.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else source += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function normalizeDir(token: string): string | undefined {
  // ld.so only uses absolute directories from the cache; ldconfig warns about the rest.
  if (!token.startsWith('/')) return undefined;
  const trimmed = token.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** The GNU multiarch triplet Debian/Ubuntu install libraries under. */
export function multiarchTriplet(info: { bits: 32 | 64; machineName: string }): string | undefined {
  switch (info.machineName) {
    case 'x86_64':
      return info.bits === 64 ? 'x86_64-linux-gnu' : 'x86_64-linux-gnux32';
    case 'i386':
      return 'i386-linux-gnu';
    case 'aarch64':
      return 'aarch64-linux-gnu';
    case 'arm':
      return 'arm-linux-gnueabihf';
    case 's390x':
      return 's390x-linux-gnu';
    case 'ppc64':
      return 'powerpc64le-linux-gnu';
    case 'riscv':
      return info.bits === 64 ? 'riscv64-linux-gnu' : undefined;
    default:
      return undefined;
  }
}

/**
 * The loader's built-in directories, searched after ld.so.cache. Debian's
 * glibc is configured with its multiarch directories first; musl without an
 * `/etc/ld-musl-ARCH.path` file uses exactly these three.
 */
export function defaultLibraryDirs(
  info: { bits: 32 | 64; machineName: string },
  libc: 'glibc' | 'musl',
): string[] {
  if (libc === 'musl') return ['/lib', '/usr/local/lib', '/usr/lib'];
  const triplet = multiarchTriplet(info);
  const multiarch = triplet ? [`/lib/${triplet}`, `/usr/lib/${triplet}`] : [];
  const classDirs = info.bits === 64 ? ['/lib64', '/usr/lib64'] : ['/lib32', '/usr/lib32'];
  return [...multiarch, ...classDirs, '/lib', '/usr/lib'];
}

/** Which libc a PT_INTERP belongs to: `ld-musl-ARCH.so.1` is musl; `ld-linux*.so.N`, `ld.so.1`, `ld64.so.N` glibc. */
export function libcOfInterpreter(interp: string | null): 'glibc' | 'musl' | undefined {
  if (!interp) return undefined;
  const base = posix.basename(interp);
  if (/^ld-musl-[^/]+\.so\.1$/.test(base)) return 'musl';
  if (/^ld-linux[^/]*\.so\.\d+$/.test(base) || /^ld(64)?\.so\.\d+$/.test(base)) return 'glibc';
  return undefined;
}
