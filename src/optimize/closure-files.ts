/**
 * Where the closure's keep list lives and what the build needs to read it:
 * beside the written Dockerfile, inside the build context (COPY reads it from
 * there), not excluded by the .dockerignore the build uses.
 */
import { basename, isAbsolute, join, relative } from 'node:path';
import type { BuildContext } from '../rules/types.js';

/** The keep list beside the written Dockerfile; inside the context, since COPY reads it from there. */
export function keepListPath(context: string, output: string): string {
  const beside = `${output}.keep`;
  const inside = relative(context, beside);
  return inside.startsWith('..') || isAbsolute(inside) ? join(context, `${basename(output)}.keep`) : beside;
}

/** A .dockerignore that does not exclude the keep list (users often exclude Dockerfile*). */
export function withKeepListIncluded(ignore: string | undefined, keepFile: string): string | undefined {
  if (ignore === undefined) return undefined;
  return `${ignore.replace(/\n?$/, '\n')}# the closure's keep list is read by the build\n!${keepFile}\n`;
}

export async function topLevelNames(context: BuildContext): Promise<string[]> {
  const files = await context.files();
  return files.filter((file) => !file.ignored && !file.path.includes('/')).map((file) => file.path);
}
