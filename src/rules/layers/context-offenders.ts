/**
 * Build-context entries that should not be sent to the builder or shipped in
 * an image (VCS data, installed dependencies, virtualenvs, build outputs,
 * caches, secret-looking files), and which COPY/ADD instructions ship them.
 * Shared by copy-without-dockerignore and dockerignore-gaps.
 */
import { posix } from 'node:path';
import { isShipped } from '../../dockerfile/stages.js';
import type { CopyInstruction, DockerfileModel } from '../../dockerfile/types.js';
import { isCopyOrAdd, isRun } from '../../dockerfile/types.js';
import {
  CACHE_DIRS,
  ECOSYSTEMS,
  type EcosystemId,
  EDITOR_DIRS,
  globRegExp,
  isLogFile,
  isRemoteSource,
  isSecretLookingFile,
  JUNK_CATEGORIES,
  type JunkCategory,
  nameMatches,
  SECRET_DIRS,
  VCS_DIRS,
  VIRTUALENV_MARKERS,
  VIRTUALENV_NAMES,
} from '../../knowledge/ecosystems.js';
import type { ContextFile } from '../types.js';
import { contextRelative, hasGlob, hasVariable } from './paths.js';

export interface Offender {
  /** Context-relative path. */
  path: string;
  category: JunkCategory;
  isDirectory: boolean;
  /** Bytes of it the builder receives (not excluded by .dockerignore). */
  bytes: number;
  /** What to add to .dockerignore for it. */
  pattern: string;
}

/** Which ecosystems the Dockerfile installs dependencies for and builds. */
export interface DockerfileActivity {
  installs: Set<EcosystemId>;
  builds: Set<EcosystemId>;
}

export function dockerfileActivity(model: DockerfileModel): DockerfileActivity {
  const activity: DockerfileActivity = { installs: new Set(), builds: new Set() };
  for (const instruction of model.instructions) {
    // Stages the build skips do not count: their installs and builds never run.
    if (!isRun(instruction) || !model.graph.reachable.has(instruction.stageIndex)) continue;
    for (const command of instruction.script.commands) {
      for (const ecosystem of ECOSYSTEMS) {
        if (ecosystem.installs(command)) activity.installs.add(ecosystem.id);
        if (ecosystem.builds(command)) activity.builds.add(ecosystem.id);
      }
    }
  }
  return activity;
}

/** A context path's parent, '' at the top of the context (context paths have no leading `/`). */
function parentOf(path: string): string {
  const parent = posix.dirname(path);
  return parent === '.' ? '' : parent;
}

const cache = new WeakMap<readonly ContextFile[], Map<string, Offender[]>>();

/**
 * Top-most offending entries of the context. Installed dependencies and build
 * outputs count only when the Dockerfile itself installs/builds that
 * ecosystem (otherwise they may be what the image is meant to run).
 */
export function findOffenders(files: readonly ContextFile[], activity: DockerfileActivity): Offender[] {
  const key = `${[...activity.installs].sort().join(',')}|${[...activity.builds].sort().join(',')}`;
  let byKey = cache.get(files);
  const cached = byKey?.get(key);
  if (cached) return cached;

  const children = new Map<string, Set<string>>();
  for (const file of files) {
    const parent = parentOf(file.path);
    let names = children.get(parent);
    if (!names) {
      names = new Set();
      children.set(parent, names);
    }
    names.add(posix.basename(file.path));
  }
  const hasChild = (dir: string, relative: string) => {
    const full = `${dir}/${relative}`;
    return children.get(parentOf(full))?.has(posix.basename(full)) ?? false;
  };
  const siblingMatches = (path: string, globs: readonly string[]) => {
    const names = children.get(parentOf(path));
    if (!names) return false;
    for (const glob of globs) {
      if (!/[*?[]/.test(glob)) {
        if (names.has(glob)) return true;
      } else for (const name of names) if (nameMatches(glob, name)) return true;
    }
    return false;
  };

  const classified = new Map<string, Offender>();
  for (const file of files) {
    const name = posix.basename(file.path);
    const category = classify(file, name);
    if (category)
      classified.set(file.path, {
        path: file.path,
        category,
        isDirectory: file.isDirectory,
        bytes: 0,
        pattern: patternFor(file, name, category),
      });
  }

  function classify(file: ContextFile, name: string): JunkCategory | undefined {
    if (!file.isDirectory) {
      if (isSecretLookingFile(name)) return 'secrets';
      if (isLogFile(name)) return 'logs';
      return undefined;
    }
    if (VCS_DIRS.has(name)) return 'vcs';
    if (SECRET_DIRS.has(name)) return 'secrets';
    if (hasChild(file.path, 'pyvenv.cfg')) return 'virtualenv';
    if (VIRTUALENV_NAMES.has(name)) {
      if (VIRTUALENV_MARKERS.some((marker) => hasChild(file.path, marker))) return 'virtualenv';
      // venv/lib/python3.12/site-packages without the cfg file (a copied or partial venv)
      for (const child of children.get(`${file.path}/lib`) ?? [])
        if (/^python\d/.test(child)) return 'virtualenv';
    }
    if (CACHE_DIRS.has(name)) return 'cache';
    if (EDITOR_DIRS.has(name)) return 'editor';
    for (const ecosystem of ECOSYSTEMS) {
      if (
        activity.installs.has(ecosystem.id) &&
        ecosystem.dependencyDirs.some((dir) => file.path === dir || file.path.endsWith(`/${dir}`)) &&
        (ecosystem.id === 'node' ||
          siblingMatches(stripDirs(file.path, ecosystem.dependencyDirs), ecosystem.markers))
      ) {
        return 'dependencies';
      }
      if (
        activity.builds.has(ecosystem.id) &&
        ecosystem.outputDirs.includes(name) &&
        siblingMatches(file.path, ecosystem.markers)
      ) {
        return 'build-output';
      }
    }
    return undefined;
  }

  // Keep only the top-most offender of each subtree.
  const isUnderOffender = (path: string) => {
    for (let parent = parentOf(path); parent !== ''; parent = parentOf(parent))
      if (classified.has(parent)) return true;
    return false;
  };
  for (const path of [...classified.keys()]) if (isUnderOffender(path)) classified.delete(path);

  // Bytes sent under each offender.
  for (const file of files) {
    if (file.isDirectory || file.ignored) continue;
    let path = file.path;
    for (;;) {
      const offender = classified.get(path);
      if (offender) {
        offender.bytes += file.size;
        break;
      }
      if (!path.includes('/')) break;
      path = parentOf(path);
    }
  }
  const result = [...classified.values()];
  if (!byKey) {
    byKey = new Map();
    cache.set(files, byKey);
  }
  byKey.set(key, result);
  return result;
}

/** `vendor/bundle` at `app/vendor/bundle` → `app/vendor/bundle`'s project dir child path for the sibling check. */
function stripDirs(path: string, dirs: readonly string[]): string {
  for (const dir of dirs) {
    if (dir.includes('/') && (path === dir || path.endsWith(`/${dir}`))) {
      const depth = dir.split('/').length - 1;
      let result = path;
      for (let i = 0; i < depth; i++) result = parentOf(result);
      return result;
    }
  }
  return path;
}

function patternFor(file: ContextFile, name: string, category: JunkCategory): string {
  if (category === 'logs') return '**/*.log';
  if (category === 'secrets' || category === 'build-output' || category === 'virtualenv') return file.path;
  return file.path.includes('/') ? `**/${name}` : name;
}

/** A COPY/ADD from the build context and the context paths it names. */
export interface ContextCopy {
  instruction: CopyInstruction;
  sources: string[];
  /** The stage is in the final image: what it copies is shipped. */
  shipped: boolean;
}

/** COPY/ADD instructions of the stages the build runs that read the build context. */
export function contextCopies(model: DockerfileModel): ContextCopy[] {
  const result: ContextCopy[] = [];
  for (const instruction of model.instructions) {
    if (!isCopyOrAdd(instruction) || instruction.from !== undefined || instruction.heredocs.length > 0)
      continue;
    if (!model.graph.reachable.has(instruction.stageIndex)) continue;
    const sources = instruction.sources.filter(
      (source) => !isRemoteSource(source) && !hasVariable(source) && !source.startsWith('<<'),
    );
    if (sources.length === 0) continue;
    result.push({
      instruction,
      sources: sources.map((source) => contextRelative(source)),
      shipped: isShipped(model, instruction),
    });
  }
  return result;
}

/**
 * Whether a COPY brings the offender in without naming it: it copies a
 * directory above it (or the whole context), or a glob matches it. Copying
 * `node_modules/` or `.env` by name is deliberate and not counted.
 */
export function copyShips(copy: ContextCopy, offender: Offender): boolean {
  return copy.sources.some((source) => {
    if (source === '') return true;
    if (hasGlob(source)) {
      const regex = globRegExp(source);
      for (let path = offender.path; ; path = parentOf(path)) {
        if (regex.test(path)) return true;
        if (!path.includes('/')) return false;
      }
    }
    return offender.path.startsWith(`${source}/`);
  });
}

/** Context paths COPY/ADD instructions of the build name (not `.`): the Dockerfile wants them. */
export function namedByCopies(model: DockerfileModel): Set<string> {
  const named = new Set<string>();
  for (const copy of contextCopies(model))
    for (const source of copy.sources) if (source !== '') named.add(source);
  return named;
}

/**
 * Whether an offender is what a COPY names (`COPY meta.env .`, `COPY dist/ ./`)
 * or holds it: then it is meant to ship. A COPY of a folder that merely
 * contains it (`COPY app/ …` over app/.git) does not count.
 */
export function isNamedByCopy(offender: Offender, named: ReadonlySet<string>): boolean {
  for (const source of named) {
    if (source === offender.path || source.startsWith(`${offender.path}/`)) return true;
  }
  return false;
}

/** The offenders worth a finding: something sent, above the category's threshold, not named by a COPY. */
export function offendersToReport(model: DockerfileModel, files: readonly ContextFile[]): Offender[] {
  const named = namedByCopies(model);
  return findOffenders(files, dockerfileActivity(model)).filter(
    (offender) => worthReporting(offender) && !isNamedByCopy(offender, named),
  );
}

function worthReporting(offender: Offender): boolean {
  return offender.bytes > 0 && offender.bytes >= JUNK_CATEGORIES[offender.category].minBytes;
}

/** "node_modules (81 MB)" lists, biggest first. */
export function biggestFirst(offenders: readonly Offender[]): Offender[] {
  return [...offenders].sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
}
