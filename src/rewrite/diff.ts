import { createTwoFilesPatch } from 'diff';

/** A unified diff as `git diff` prints it, or '' when nothing changed. New files diff against /dev/null. */
export function unifiedDiff(path: string, before: string | undefined, after: string): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(
    before === undefined ? '/dev/null' : `a/${path}`,
    `b/${path}`,
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
