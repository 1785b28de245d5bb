/**
 * Where the app lives in the image its Dockerfile ships, read from the
 * Dockerfile: what COPY and ADD put into the shipped stage (and the stages it
 * is built FROM), and its WORKDIR. These are kept whole in the closure, so a
 * new source file or dependency next week is copied as well.
 *
 * A destination that is a system directory (`/usr/local/bin/`, `/etc/`) is
 * not the app: only the names copied into it are kept.
 */
import { posix } from 'node:path';
import picomatch from 'picomatch';
import { type DockerfileModel, isCopyOrAdd, type Stage } from '../../dockerfile/types.js';

export interface AppRoot {
  path: string;
  /** What named it, e.g. `COPY . . (line 6)`. */
  detail: string;
}

/** Directories of the operating system: a COPY into one adds files to it, it does not make it the app's. */
const SYSTEM_DIRECTORIES = new Set([
  '/',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/etc',
  '/usr',
  '/usr/bin',
  '/usr/sbin',
  '/usr/lib',
  '/usr/lib64',
  '/usr/libexec',
  '/usr/share',
  '/usr/include',
  '/usr/src',
  '/usr/local',
  '/usr/local/bin',
  '/usr/local/sbin',
  '/usr/local/lib',
  '/usr/local/share',
  '/usr/local/include',
  '/usr/local/etc',
  '/var',
  '/var/lib',
  '/var/cache',
  '/var/log',
  '/var/run',
  '/run',
  '/tmp',
  '/var/tmp',
  '/root',
  '/home',
  '/opt',
  '/mnt',
  '/media',
]);

function isSystemDirectory(path: string): boolean {
  return SYSTEM_DIRECTORIES.has(posix.normalize(path).replace(/(.)\/$/, '$1'));
}

export interface AppRootsInput {
  model: DockerfileModel;
  /** The stage the image is built from (default: the last). */
  stage?: Stage;
  /** Names in the build context's top directory after .dockerignore (for `COPY . /`). */
  contextTopLevel?: readonly string[];
  /** Names below a directory of the built image, to expand a glob destination's matches. */
  listImageDirectory?: (path: string) => readonly string[] | undefined;
}

export function appRootsOf(input: AppRootsInput): AppRoot[] {
  const { model } = input;
  const chain = stageChain(model, input.stage ?? model.finalStage);
  const roots = new Map<string, string>();
  const add = (path: string, detail: string) => {
    const normal = posix.normalize(path);
    if (!roots.has(normal)) roots.set(normal, detail);
  };
  let workdir = '/';
  let workdirDetail = '';
  for (const stage of chain) {
    for (const instruction of stage.instructions) {
      const line = `line ${instruction.range.start.line + 1}`;
      if (instruction.keyword === 'WORKDIR' && 'args' in instruction) {
        workdir = posix.resolve(workdir, instruction.args.join(' ') || '/');
        workdirDetail = `WORKDIR ${instruction.args.join(' ')} (${line})`;
        continue;
      }
      if (!isCopyOrAdd(instruction)) continue;
      const detail = `${instruction.keyword} ${instruction.sources.join(' ')} ${instruction.destination} (${line})`;
      const destination = posix.resolve(workdir, instruction.destination);
      if (!isSystemDirectory(destination)) {
        add(destination, detail);
        continue;
      }
      // Into a system directory: each name copied, never the directory itself.
      for (const source of instruction.sources) {
        const name = posix.basename(source.replace(/\/+$/, ''));
        if (name === '.' || name === '' || name === '..') {
          // `COPY . /`: the context's top-level names land in the destination.
          for (const top of input.contextTopLevel ?? []) add(posix.join(destination, top), detail);
        } else if (/[*?[]/.test(name)) {
          const matches = picomatch(name, { dot: true });
          for (const child of input.listImageDirectory?.(destination) ?? [])
            if (matches(child)) add(posix.join(destination, child), detail);
        } else {
          // A system directory exists in every base, so the name lands inside it, slash or not.
          add(posix.join(destination, name), detail);
        }
      }
    }
  }
  if (!isSystemDirectory(workdir)) add(workdir, workdirDetail);
  return [...roots].map(([path, detail]) => ({ path, detail }));
}

/** The shipped stage and the stages of this file it is built FROM, oldest first. */
function stageChain(model: DockerfileModel, stage: Stage): Stage[] {
  const chain: Stage[] = [];
  const seen = new Set<number>();
  for (let current: Stage | undefined = stage; current && !seen.has(current.index); ) {
    seen.add(current.index);
    chain.unshift(current);
    current = current.baseStage === undefined ? undefined : model.stages[current.baseStage];
  }
  return chain;
}
