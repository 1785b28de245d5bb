/**
 * The build context as the builder would receive it: every path under the
 * context directory, sized, and marked as excluded or not by .dockerignore
 * (Docker's own matching semantics, via @balena/dockerignore).
 */
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import dockerignoreModule from '@balena/dockerignore';
import type { BuildContext, ContextFile } from '../rules/types.js';
import { PareError, describeSystemError } from '../util/errors.js';

/** Walks stop here: a context this large is itself the finding. */
export const MAX_CONTEXT_ENTRIES = 200_000;

export async function openBuildContext(directory: string, dockerfileName?: string): Promise<BuildContext> {
  const info = await lstat(directory).catch((error: unknown) => {
    throw new PareError(`build context: ${describeSystemError(error)}`, { subject: directory });
  });
  if (!info.isDirectory()) throw new PareError('build context is not a directory', { subject: directory });
  // BuildKit reads <Dockerfile>.dockerignore first, then .dockerignore.
  let dockerignoreText: string | undefined;
  for (const name of [dockerfileName ? `${dockerfileName}.dockerignore` : undefined, '.dockerignore']) {
    if (!name) continue;
    dockerignoreText = await readFile(join(directory, name), 'utf8').catch(() => undefined);
    if (dockerignoreText !== undefined) break;
  }
  let cached: Promise<ContextFile[]> | undefined;
  return {
    directory,
    ...(dockerignoreText !== undefined ? { dockerignore: dockerignoreText } : {}),
    files: () => {
      cached ??= walkContext(directory, dockerignoreText);
      return cached;
    },
  };
}

// The package is CommonJS with a `default` alias; TypeScript's NodeNext view of it is not callable.
const dockerignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;

export function dockerignorePatterns(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

async function walkContext(root: string, dockerignoreText: string | undefined): Promise<ContextFile[]> {
  const matcher = dockerignore({ ignorecase: false }).add(dockerignorePatterns(dockerignoreText ?? ''));
  const entries: ContextFile[] = [];

  async function walk(relative: string): Promise<number> {
    let names: string[];
    try {
      names = await readdir(relative === '' ? root : join(root, relative));
    } catch {
      return 0;
    }
    let total = 0;
    for (const name of names.sort()) {
      if (entries.length >= MAX_CONTEXT_ENTRIES) break;
      const path = relative === '' ? name : `${relative}/${name}`;
      const stats = await lstat(join(root, path)).catch(() => undefined);
      if (!stats) continue;
      const ignored = matcher.ignores(path);
      if (stats.isDirectory()) {
        const entry: ContextFile = { path, size: 0, isDirectory: true, ignored };
        entries.push(entry);
        entry.size = await walk(path);
        total += entry.size;
      } else {
        entries.push({ path, size: stats.size, isDirectory: false, ignored });
        total += stats.size;
      }
    }
    return total;
  }

  await walk('');
  return entries;
}

/** Bytes the builder would receive: files not excluded by .dockerignore. */
export function bytesSent(files: readonly ContextFile[]): number {
  return files.filter((file) => !file.isDirectory && !file.ignored).reduce((sum, file) => sum + file.size, 0);
}
