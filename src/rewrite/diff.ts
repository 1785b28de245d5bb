import { createTwoFilesPatch } from 'diff';

/** A unified diff as `git diff` prints it, or '' when nothing changed. */
export function unifiedDiff(path: string, before: string, after: string, afterPath = path): string {
  if (before === after) return '';
  return createTwoFilesPatch(`a/${path}`, `b/${afterPath}`, before, after, undefined, undefined, { context: 3 });
}
