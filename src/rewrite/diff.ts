import { relative, sep } from 'node:path';
import { createTwoFilesPatch } from 'diff';

/** A unified diff as `git diff` prints it, or '' when nothing changed. New files diff against /dev/null. */
export function unifiedDiff(path: string, before: string | undefined, after: string): string {
  if (before === after) return '';
  const shown = displayPath(path);
  const patch = createTwoFilesPatch(
    before === undefined ? '/dev/null' : `a/${shown}`,
    `b/${shown}`,
    before ?? '',
    after,
    undefined,
    undefined,
    {
      context: 3,
    },
  );
  // jsdiff starts with an "Index:"/"====" banner that git and patch(1) do not need.
  const body = patch.replace(/^(?:Index: .*\n)?=+\n/, '');
  return body.endsWith('\n') ? body : `${body}\n`;
}

/** Paths as git shows them: relative to the working directory, `/`-separated, never `a//abs`. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  const chosen = rel === '' || rel.startsWith('..') ? path.replace(/^\/+/, '') : rel;
  return chosen.split(sep).join('/');
}
