import type { TextEdit } from '../rules/types.js';

export class OverlappingEditsError extends Error {}

/**
 * Applies edits given as offsets into `text`. Edits must not overlap; inserts
 * at the same offset keep their given order.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = edits
    .map((edit, order) => ({ edit, order }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.order - b.order);
  let result = '';
  let cursor = 0;
  for (const { edit } of sorted) {
    if (edit.start < cursor) {
      throw new OverlappingEditsError(
        `edit at ${edit.start}-${edit.end} overlaps an earlier edit ending at ${cursor}`,
      );
    }
    result += text.slice(cursor, edit.start) + edit.newText;
    cursor = edit.end;
  }
  return result + text.slice(cursor);
}

/**
 * Drops edits that clash with an already accepted one (first come, first
 * kept): overlapping ranges, and an insertion at the very start of another
 * edit, where nothing says which goes first (` --omit=dev` after `install`
 * and ` && npm cache clean --force` after the same word would interleave).
 * The fix loop applies the dropped ones in its next pass, on the new text.
 */
export function nonOverlapping(edits: readonly TextEdit[][]): TextEdit[] {
  const accepted: TextEdit[] = [];
  for (const group of edits) {
    const clashes = group.some((edit) => accepted.some((other) => clash(edit, other)));
    if (!clashes) accepted.push(...group);
  }
  return accepted;
}

function clash(a: TextEdit, b: TextEdit): boolean {
  if (a.start < b.end && b.start < a.end) return true;
  const insertsInside = (insert: TextEdit, other: TextEdit) =>
    insert.start === insert.end &&
    insert.start >= other.start &&
    insert.start < Math.max(other.end, other.start + 1);
  return insertsInside(a, b) || insertsInside(b, a);
}
