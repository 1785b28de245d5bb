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

/** Drops edits that overlap an already accepted one (first come, first kept). */
export function nonOverlapping(edits: readonly TextEdit[][]): TextEdit[] {
  const accepted: TextEdit[] = [];
  for (const group of edits) {
    const clashes = group.some((edit) =>
      accepted.some(
        (other) =>
          (edit.start < other.end && other.start < edit.end) ||
          (edit.start === edit.end && edit.start > other.start && edit.start < other.end),
      ),
    );
    if (!clashes) accepted.push(...group);
  }
  return accepted;
}
