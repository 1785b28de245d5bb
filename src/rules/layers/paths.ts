/**
 * Paths as the layer rules need them: WORKDIR and `cd` tracking, where a
 * COPY/ADD puts its sources, and what the build context holds under a path.
 */

import { posix } from 'node:path';
import { BASE_WORKDIR, scopeAt } from '../../dockerfile/scope.js';
import type {
  CopyInstruction,
  DockerfileModel,
  Instruction,
  RunInstruction,
  ShellCommand,
} from '../../dockerfile/types.js';
import {
  globRegExp,
  isGitSource,
  isRemoteSource,
  isTarArchiveName,
  urlFileName,
} from '../../knowledge/ecosystems.js';
import { absolutePath } from '../../util/image-path.js';
import type { ContextFile } from '../types.js';

/** `child` is `parent` or inside it. */
export function isWithin(child: string, parent: string): boolean {
  return child === parent || parent === '/' || child.startsWith(`${parent}/`);
}

export function hasGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

export function hasVariable(text: string): boolean {
  return text.includes('$');
}

/** Display form of a path: the base-workdir stand-in becomes relative again. */
export function displayPath(path: string): string {
  if (path === BASE_WORKDIR) return '.';
  return path.startsWith(`${BASE_WORKDIR}/`) ? path.slice(BASE_WORKDIR.length + 1) : path;
}

/**
 * The working directory in effect at an instruction; relative to the base
 * image's own (BASE_WORKDIR) when neither a WORKDIR nor the catalogue says.
 */
export function workdirAt(model: DockerfileModel, instruction: Instruction): string | undefined {
  return scopeAt(model, instruction).workdir;
}

/**
 * The working directory of each command of a RUN, following `cd` (a `cd`
 * that may not run, or to an unknown place, makes the rest unknown).
 */
export function commandDirectories(
  run: RunInstruction,
  workdir: string | undefined,
): Map<ShellCommand, string | undefined> {
  const result = new Map<ShellCommand, string | undefined>();
  let cwd = workdir;
  for (const command of run.script.commands) {
    result.set(command, cwd);
    if (command.program !== 'cd' && command.program !== 'pushd') continue;
    const target = command.args.find((arg) => !arg.startsWith('-'));
    if (
      command.conditional ||
      target === undefined ||
      hasVariable(target) ||
      target.startsWith('~') ||
      cwd === undefined
    ) {
      // `cd` inside `sh -c` or a subshell does not change what follows; we cannot tell, so stay unknown.
      cwd = undefined;
    } else cwd = absolutePath(cwd, target);
  }
  return result;
}

/** How a COPY/ADD puts one source in the image. */
export interface CopiedPath {
  instruction: CopyInstruction;
  /** The source as written. */
  source: string;
  /** Absolute path in the image. */
  path: string;
  /**
   * `file`: the source is one file landing exactly at `path`;
   * `dir`: a directory's contents (or an extracted archive) land in `path`;
   * `unknown`: could be either (no build context to tell).
   */
  kind: 'file' | 'dir' | 'unknown';
  /** Context-relative path of the source ('' for the context root), when it comes from the build context. */
  contextPath?: string;
}

/** Context-relative form of a COPY source: `./src/` → `src`, `.` → ''. */
export function contextRelative(source: string): string {
  return absolutePath(source).slice(1);
}

export interface ContextIndex {
  byPath: Map<string, ContextFile>;
  files: readonly ContextFile[];
}

const indexCache = new WeakMap<readonly ContextFile[], ContextIndex>();

export function indexContext(files: readonly ContextFile[]): ContextIndex {
  let index = indexCache.get(files);
  if (!index) {
    index = { byPath: new Map(files.map((file) => [file.path, file])), files };
    indexCache.set(files, index);
  }
  return index;
}

/** Bytes the builder receives under a context path ('' = everything): files not excluded by .dockerignore. */
function sentBytesUnder(context: ContextIndex, relative: string): number {
  if (relative === '')
    return context.files.reduce((sum, file) => sum + (file.isDirectory || file.ignored ? 0 : file.size), 0);
  const entry = context.byPath.get(relative);
  if (!entry) return 0;
  if (!entry.isDirectory) return entry.ignored ? 0 : entry.size;
  const prefix = `${relative}/`;
  let total = 0;
  for (const file of context.files) {
    if (!file.isDirectory && !file.ignored && file.path.startsWith(prefix)) total += file.size;
  }
  return total;
}

/** Where each source of a COPY/ADD lands (sources with unresolved variables or globs are left out). */
export function copiedPaths(
  model: DockerfileModel,
  copy: CopyInstruction,
  context?: ContextIndex,
): CopiedPath[] {
  if (copy.heredocs.length > 0) return [];
  const workdir = workdirAt(model, copy);
  if (workdir === undefined || hasVariable(copy.destination)) return [];
  const destination = absolutePath(workdir, copy.destination);
  const destinationIsDir =
    copy.destination.endsWith('/') || copy.sources.length > 1 || copy.destination === '.';
  const fromContext = copy.from === undefined;
  const result: CopiedPath[] = [];
  for (const source of copy.sources) {
    if (hasVariable(source) || source.startsWith('<<') || isRemoteSource(source)) continue;
    if (hasGlob(source)) {
      // `COPY package*.json ./`: each match lands in the destination directory.
      const relative = contextRelative(source);
      const regex = globRegExp(relative);
      const matches =
        fromContext && context
          ? context.files.filter((file) => !file.ignored && regex.test(file.path))
          : undefined;
      if (!matches) {
        const base = posix.basename(relative);
        result.push({
          instruction: copy,
          source,
          path: absolutePath(destination, base),
          kind: 'unknown',
        });
        continue;
      }
      for (const match of matches) {
        const kind = match.isDirectory ? 'dir' : 'file';
        const path = kind === 'file' ? absolutePath(destination, posix.basename(match.path)) : destination;
        result.push({ instruction: copy, source, path, kind, contextPath: match.path });
      }
      continue;
    }
    const contextPath = fromContext ? contextRelative(source) : undefined;
    let kind: CopiedPath['kind'];
    if (copy.keyword === 'ADD' && fromContext && isTarArchiveName(source)) kind = 'dir';
    else if (source.endsWith('/') || source === '.' || contextPath === '') kind = 'dir';
    else if (context && contextPath !== undefined) {
      const entry = context.byPath.get(contextPath);
      kind = entry === undefined ? 'unknown' : entry.isDirectory ? 'dir' : 'file';
    } else kind = looksLikeFile(source) ? 'file' : 'unknown';
    const base = posix.basename(source);
    const path = kind === 'file' && destinationIsDir ? absolutePath(destination, base) : destination;
    result.push({
      instruction: copy,
      source,
      path,
      kind,
      ...(contextPath !== undefined ? { contextPath } : {}),
    });
  }
  return result;
}

/** The file an `ADD https://…/tini /tini` downloads: one file, at the destination (or in it, named as in the URL). */
export function downloadedByAdd(model: DockerfileModel, add: CopyInstruction): CopiedPath[] {
  if (add.keyword !== 'ADD' || hasVariable(add.destination)) return [];
  const workdir = workdirAt(model, add);
  if (workdir === undefined) return [];
  const result: CopiedPath[] = [];
  for (const source of add.sources) {
    if (!isRemoteSource(source) || isGitSource(source)) continue;
    const name = urlFileName(source);
    const destination = absolutePath(workdir, add.destination);
    const path = add.destination.endsWith('/')
      ? name
        ? absolutePath(destination, name)
        : undefined
      : destination;
    if (path !== undefined) result.push({ instruction: add, source, path, kind: 'file' });
  }
  return result;
}

/** A name with an extension (`app.jar`, `entrypoint.sh`) is most likely a file. */
function looksLikeFile(source: string): boolean {
  const base = posix.basename(source);
  return /^[^.].*\.[A-Za-z0-9]{1,8}$/.test(base);
}

/** Bytes a COPY sent from the build context, or undefined when the context does not hold its source. */
export function copiedBytes(copied: CopiedPath, context: ContextIndex): number | undefined {
  const { contextPath } = copied;
  if (contextPath === undefined || (contextPath !== '' && !context.byPath.has(contextPath))) return undefined;
  return sentBytesUnder(context, contextPath);
}

/** Bytes the builder receives for one context entry: a directory's files, or the file. */
export function entryBytes(context: ContextIndex, entry: ContextFile): number {
  return entry.isDirectory ? sentBytesUnder(context, entry.path) : entry.size;
}

/** The sum of the sizes that were measured, and whether every item's was. */
export function measuredBytes(items: readonly { bytes?: number }[]): { bytes: number; allKnown: boolean } {
  let bytes = 0;
  let known = 0;
  for (const item of items) {
    if (item.bytes === undefined) continue;
    bytes += item.bytes;
    known++;
  }
  return { bytes, allKnown: known === items.length };
}

/**
 * Whether an absolute image path under a `dir` copy came from the build context:
 * returns the context entry (not excluded by .dockerignore) it maps to.
 */
export function contextEntryFor(
  copied: CopiedPath,
  path: string,
  context: ContextIndex,
): ContextFile | undefined {
  if (
    copied.contextPath === undefined ||
    copied.kind === 'file' ||
    !isWithin(path, copied.path) ||
    path === copied.path
  )
    return undefined;
  const rest = path.slice(copied.path === '/' ? 1 : copied.path.length + 1);
  const relative = copied.contextPath === '' ? rest : `${copied.contextPath}/${rest}`;
  if (hasGlob(relative)) {
    const regex = globRegExp(relative);
    return context.files.find((file) => !file.ignored && regex.test(file.path));
  }
  const entry = context.byPath.get(relative);
  return entry && !entry.ignored ? entry : undefined;
}
