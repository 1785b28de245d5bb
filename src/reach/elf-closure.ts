/**
 * The shared objects a set of ELF programs loads, found the way the dynamic
 * loader finds them, on the image's files rather than by running anything.
 *
 * glibc (elf/dl-load.c, _dl_map_object) searches a DT_NEEDED name without a
 * slash in: the DT_RPATH of the requesting object and of each object that
 * loaded it (only when the requester has no DT_RUNPATH; an object with both
 * ignores its DT_RPATH), LD_LIBRARY_PATH, the requester's DT_RUNPATH,
 * ld.so.cache (approximated by the ld.so.conf directories), then the built-in
 * directories. musl (ldso/dynlink.c, load_library) searches LD_LIBRARY_PATH,
 * then the RUNPATH-or-RPATH of the requester and its loaders, then its path
 * file or built-in directories; names like libc.so/libpthread.so.0 are the
 * loader itself. Both skip candidates of another ELF class or machine, and
 * both reuse an object already loaded under the same name, SONAME or file.
 */
import { posix } from 'node:path';
import type { ElfInfo } from '../analyze/elf.js';
import { defaultLibraryDirs, libcOfInterpreter, multiarchTriplet } from './ld-search.js';

export interface ElfClosureInput {
  /** Absolute paths of executables/libraries to start from (already resolved). */
  roots: string[];
  /** ELF facts of a regular file path in the image (undefined: not ELF / unknown). */
  elfOf: (path: string) => ElfInfo | undefined;
  /** Resolves a path in the image (following symlinks); the real path or undefined. */
  exists: (path: string) => string | undefined;
  /**
   * From /etc/ld.so.conf(.d) and the image's LD_LIBRARY_PATH. For musl,
   * `ldSoConf` stands for /etc/ld-musl-ARCH.path: when non-empty it replaces
   * the built-in directories, as musl does (musl never reads ld.so.conf).
   */
  searchDirs: { ldSoConf: string[]; ldLibraryPath: string[] };
}

export interface ClosureEdge {
  /** As requested, e.g. /lib/x86_64-linux-gnu/libc.so.6: the path that must keep resolving. */
  path: string;
  /** Real path of the object. */
  resolved: string;
  reason: 'elf-interpreter' | 'elf-needed';
  /** The object that needs it (its real path). */
  from: string;
  /** DT_NEEDED name. */
  name?: string;
}

export interface ElfClosure {
  edges: ClosureEdge[];
  unresolved: Array<{ from: string; name: string }>;
}

type Libc = 'glibc' | 'musl';

interface LoadedObject {
  /** Real path: identity of the object. */
  real: string;
  /** Path it was opened by; its directory is $ORIGIN (the real path for a root, as /proc/self/exe gives). */
  opened: string;
  info: ElfInfo;
  loader: LoadedObject | undefined;
  /** The root's world: which libc and interpreter its loader is. */
  world: World;
}

interface World {
  libc: Libc;
  interpreter: LoadedObject | undefined;
  /** Objects by every name they answer to (requested name, SONAME, opened path). */
  byName: Map<string, LoadedObject>;
}

/** musl answers these DT_NEEDED names with itself (ldso/dynlink.c, "reserved"). */
const MUSL_SELF_NAMES = /^lib(c|pthread|rt|m|dl|util|xnet)\./;

export function elfClosure(input: ElfClosureInput): ElfClosure {
  const edges: ClosureEdge[] = [];
  const unresolved: Array<{ from: string; name: string }> = [];
  const byReal = new Map<string, LoadedObject>();
  const queue: LoadedObject[] = [];

  const load = (
    opened: string,
    real: string,
    info: ElfInfo,
    loader: LoadedObject | undefined,
    world: World,
  ): LoadedObject => {
    let object = byReal.get(real);
    if (!object) {
      object = { real, opened, info, loader, world };
      byReal.set(real, object);
      queue.push(object);
    }
    world.byName.set(opened, object);
    if (info.soname) world.byName.set(info.soname, object);
    return object;
  };

  for (const root of input.roots) {
    const real = input.exists(root);
    const info = real === undefined ? undefined : input.elfOf(real);
    if (real === undefined || !info) continue;
    const world: World = {
      libc: libcOfInterpreter(info.interpreter) ?? 'glibc',
      interpreter: undefined,
      byName: new Map(),
    };
    // $ORIGIN of the program the kernel runs comes from /proc/self/exe: its real path.
    const rootObject = load(real, real, info, undefined, world);
    if (rootObject.world !== world) continue;
    if (info.interpreter) {
      const interp = info.interpreter;
      const interpReal = input.exists(interp);
      const interpInfo = interpReal === undefined ? undefined : input.elfOf(interpReal);
      if (interpReal === undefined || !interpInfo) {
        unresolved.push({ from: real, name: interp });
      } else {
        edges.push({ path: interp, resolved: interpReal, reason: 'elf-interpreter', from: real });
        world.interpreter = load(interp, interpReal, interpInfo, undefined, world);
        world.byName.set(posix.basename(interp), world.interpreter);
      }
    }
  }

  for (let next = 0; next < queue.length; next++) {
    const object = queue[next]!;
    for (const name of object.info.needed ?? []) {
      if (name === '') continue;
      const found = findNeeded(name, object, input);
      if (!found) {
        unresolved.push({ from: object.real, name });
        continue;
      }
      edges.push({ path: found.path, resolved: found.real, reason: 'elf-needed', from: object.real, name });
      if (found.info) {
        const loaded = load(found.path, found.real, found.info, object, object.world);
        object.world.byName.set(name, loaded);
      }
    }
  }
  return { edges, unresolved };
}

interface Found {
  path: string;
  real: string;
  /** Undefined when an already-loaded object answered. */
  info: ElfInfo | undefined;
}

function findNeeded(name: string, requester: LoadedObject, input: ElfClosureInput): Found | undefined {
  const world = requester.world;
  if (world.libc === 'musl' && world.interpreter && MUSL_SELF_NAMES.test(name)) {
    return { path: world.interpreter.opened, real: world.interpreter.real, info: undefined };
  }
  const known = world.byName.get(name);
  if (known) return { path: known.opened, real: known.real, info: undefined };

  const expanded = expandTokens(name, requester, world.libc);
  if (expanded === undefined) return undefined;
  if (expanded.includes('/')) {
    // Relative to the process's cwd, which is unknown here: taken from the root.
    const path = expanded.startsWith('/') ? expanded : `/${expanded}`;
    return candidate(path, requester, input);
  }
  for (const dir of searchOrder(requester, input)) {
    const found = candidate(`${dir === '/' ? '' : dir}/${expanded}`, requester, input);
    if (found) return found;
  }
  return undefined;
}

/** A file the loader would accept: present, ELF, same class and machine as the requester. */
function candidate(path: string, requester: LoadedObject, input: ElfClosureInput): Found | undefined {
  const real = input.exists(path);
  if (real === undefined) return undefined;
  const known = requester.world.byName.get(path);
  if (known) return { path, real: known.real, info: undefined };
  const info = input.elfOf(real);
  if (!info || info.bits !== requester.info.bits || info.machine !== requester.info.machine) return undefined;
  return { path, real, info };
}

function* searchOrder(requester: LoadedObject, input: ElfClosureInput): Generator<string> {
  const libc = requester.world.libc;
  const fromPathList = (list: string | null, owner: LoadedObject) => splitPathList(list, owner, libc);
  const ldLibraryPath = input.searchDirs.ldLibraryPath.flatMap((dir) =>
    // $ORIGIN in LD_LIBRARY_PATH means the program's directory.
    splitPathList(dir, rootOf(requester), libc),
  );
  if (libc === 'musl') {
    yield* ldLibraryPath;
    for (let at: LoadedObject | undefined = requester; at; at = at.loader) {
      yield* fromPathList(at.info.runpath ?? at.info.rpath, at);
    }
    const pathFile = input.searchDirs.ldSoConf;
    yield* pathFile.length > 0 ? pathFile : defaultLibraryDirs(requester.info, 'musl');
    return;
  }
  if (!requester.info.runpath) {
    for (let at: LoadedObject | undefined = requester; at; at = at.loader) {
      // An object with a DT_RUNPATH has its DT_RPATH ignored (elf/get-dynamic-info.h).
      if (!at.info.runpath) yield* fromPathList(at.info.rpath, at);
    }
  }
  yield* ldLibraryPath;
  yield* fromPathList(requester.info.runpath, requester);
  yield* input.searchDirs.ldSoConf;
  yield* defaultLibraryDirs(requester.info, 'glibc');
}

function rootOf(object: LoadedObject): LoadedObject {
  let at = object;
  while (at.loader) at = at.loader;
  return at;
}

/** RPATH/RUNPATH/LD_LIBRARY_PATH entries, tokens expanded; an entry with an unknown token is dropped, as glibc does. */
function splitPathList(list: string | null, owner: LoadedObject, libc: Libc): string[] {
  if (!list) return [];
  const dirs: string[] = [];
  for (const entry of list.split(/[:;]/)) {
    if (entry === '') continue;
    const dir = expandTokens(entry, owner, libc);
    if (dir === undefined) continue;
    const trimmed = dir.replace(/\/+$/, '') || '/';
    dirs.push(trimmed.startsWith('/') ? trimmed : `/${trimmed}`);
  }
  return dirs;
}

/** Dynamic string tokens: $ORIGIN everywhere; $LIB and $PLATFORM with glibc only. */
function expandTokens(text: string, owner: LoadedObject, libc: Libc): string | undefined {
  if (!text.includes('$')) return text;
  let unknown = false;
  const out = text.replace(
    /\$(?:\{(\w+)\}|(\w+))/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      const token = braced ?? bare ?? '';
      const value = tokenValue(token, owner, libc);
      if (value === undefined) unknown = true;
      return value ?? whole;
    },
  );
  return unknown ? undefined : out;
}

function tokenValue(token: string, owner: LoadedObject, libc: Libc): string | undefined {
  if (token === 'ORIGIN') return posix.dirname(owner.opened);
  if (libc === 'musl') return undefined;
  if (token === 'LIB') {
    // Debian's glibc is built with slibdir=/lib/TRIPLET, which is what $LIB expands to there.
    const triplet = multiarchTriplet(owner.info);
    return triplet ? `lib/${triplet}` : owner.info.bits === 64 ? 'lib64' : 'lib';
  }
  if (token === 'PLATFORM') return owner.info.machineName === 'i386' ? 'i686' : owner.info.machineName;
  return undefined;
}
