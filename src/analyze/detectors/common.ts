/** Helpers shared by detectors: grouping matched files under the directory that explains them. */
import type { DetectorResult, FileFact, Match } from './types.js';

/**
 * Groups files whose path matches `pattern` by the matched prefix (the
 * pattern must match from a path start, e.g. `/var/cache/apk/` or
 * `…/.cache/pip/`); one result per group root, the root as its path.
 */
export function groupByPrefix(
  files: readonly FileFact[],
  pattern: RegExp,
  make: (root: string, matches: Match[]) => Omit<DetectorResult, 'matches' | 'paths'>,
  accept: (file: FileFact) => boolean = () => true,
): DetectorResult[] {
  const groups = new Map<string, Match[]>();
  for (const file of files) {
    const match = pattern.exec(file.path);
    if (!match || !accept(file)) continue;
    const root = file.path.slice(0, match.index + match[0].length).replace(/\/$/, '');
    const list = groups.get(root);
    if (list) list.push({ file });
    else groups.set(root, [{ file }]);
  }
  return [...groups].map(([root, matches]) => ({ ...make(root, matches), matches, paths: [root] }));
}

/** Sum of bytes per directory prefix (the part of each path up to `depthOf`), largest first. */
export function largestGroups(matches: Match[], keyOf: (path: string) => string, limit = 5): string[] {
  const sums = new Map<string, number>();
  for (const m of matches) {
    const key = keyOf(m.file.path);
    sums.set(key, (sums.get(key) ?? 0) + (m.bytes ?? m.file.size));
  }
  return [...sums]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([key]) => key);
}
