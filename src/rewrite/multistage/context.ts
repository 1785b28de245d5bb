/**
 * A ConversionContext from a build context directory: the files the builder
 * would receive (.dockerignore applied) and a bounded, synchronous reader
 * for the few manifests the conversion reads.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openBuildContext } from '../../dockerfile/build-context.js';
import type { ContextFile } from '../../rules/types.js';
import type { ConversionContext } from './types.js';

/** Files larger than this are not read (manifests and sources are small). */
const MAX_READ_BYTES = 1024 * 1024;

export async function loadConversionContext(
  directory: string,
  dockerfileName?: string,
): Promise<ConversionContext> {
  const context = await openBuildContext(directory, dockerfileName);
  return contextFromEntries(await context.files(), directory);
}

/** A context from `BuildContext.files()` entries; files are read from `directory` when given. */
export function contextFromEntries(entries: readonly ContextFile[], directory?: string): ConversionContext {
  const files = entries.filter((file) => !file.isDirectory && !file.ignored).map((file) => file.path);
  if (directory === undefined) return { files };
  const known = new Set(files);
  const cache = new Map<string, string | undefined>();
  return {
    files,
    read(path) {
      if (!known.has(path)) return undefined;
      if (cache.has(path)) return cache.get(path);
      let text: string | undefined;
      try {
        const full = join(directory, path);
        if (statSync(full).size <= MAX_READ_BYTES) text = readFileSync(full, 'utf8');
      } catch {
        text = undefined;
      }
      cache.set(path, text);
      return text;
    },
  };
}

/** A context from an in-memory map of files (tests, callers that already hold the files). */
export function contextFromFiles(files: Readonly<Record<string, string>>): ConversionContext {
  return { files: Object.keys(files), read: (path) => files[path] };
}
