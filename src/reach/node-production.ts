/**
 * The packages of a Node project's node_modules that production needs: what
 * `npm prune --omit=dev` would keep, read from the installed tree itself.
 * Starting from the project's package.json (dependencies, optional and peer
 * dependencies), each name is resolved the way Node resolves it (the nearest
 * `node_modules/NAME` upwards from the requiring package) and its own
 * package.json followed in turn. Top-level packages nothing reaches are the
 * devDependencies and their own dependencies: a closure leaves them out.
 *
 * Layouts it does not understand it leaves alone (nothing is left out):
 * pnpm's `.pnpm` store, workspaces, a package.json that does not parse.
 */
import { posix } from 'node:path';

export interface ProjectFiles {
  /** Text of a file in the image, undefined when absent or unread. */
  read(path: string): string | undefined;
  /** Names in a directory of the image, undefined when it is not one. */
  list(path: string): readonly string[] | undefined;
}

/** Directories of `project/node_modules` (`lodash`, `@types/node`) production does not need. */
export function devOnlyPackages(project: string, files: ProjectFiles): string[] {
  const nodeModules = `${project}/node_modules`;
  const top = files.list(nodeModules);
  const manifest = readManifest(files, `${project}/package.json`);
  if (!top || !manifest || top.includes('.pnpm') || manifest.workspaces !== undefined) return [];
  const needed = new Set<string>();
  const queue: Array<{ from: string; manifest: Manifest }> = [{ from: project, manifest }];
  while (queue.length > 0) {
    const { from, manifest: current } = queue.pop()!;
    for (const name of productionNames(current)) {
      const found = resolvePackage(from, name, project, files);
      if (!found || needed.has(found)) continue;
      needed.add(found);
      const own = readManifest(files, `${found}/package.json`);
      if (own) queue.push({ from: found, manifest: own });
    }
  }
  const unused: string[] = [];
  for (const name of top) {
    if (name.startsWith('.')) continue;
    const entries = name.startsWith('@')
      ? (files.list(`${nodeModules}/${name}`) ?? []).map((child) => `${nodeModules}/${name}/${child}`)
      : [`${nodeModules}/${name}`];
    for (const dir of entries) {
      const holdsNeeded = [...needed].some((path) => path === dir || path.startsWith(`${dir}/`));
      if (!holdsNeeded && files.read(`${dir}/package.json`) !== undefined) unused.push(dir);
    }
  }
  return unused;
}

interface Manifest {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  workspaces?: unknown;
}

function productionNames(manifest: Manifest): string[] {
  return [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ];
}

function readManifest(files: ProjectFiles, path: string): Manifest | undefined {
  const text = files.read(path);
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Manifest) : undefined;
  } catch {
    return undefined;
  }
}

/** Node's lookup: `from/node_modules/NAME`, then each parent's, not above the project. */
function resolvePackage(
  from: string,
  name: string,
  project: string,
  files: ProjectFiles,
): string | undefined {
  for (let dir = from; ; dir = posix.dirname(dir)) {
    // Inside node_modules, `…/node_modules/x/node_modules` is the next place; skip `node_modules/node_modules`.
    if (posix.basename(dir) !== 'node_modules') {
      const candidate = `${dir}/node_modules/${name}`;
      if (files.read(`${candidate}/package.json`) !== undefined) return candidate;
    }
    if (dir === project || dir === '/' || !dir.startsWith(project)) return undefined;
  }
}
