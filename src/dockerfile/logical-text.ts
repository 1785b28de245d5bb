import type { OffsetMap } from './shell.js';

/**
 * An instruction's payload as Docker sees it: continuations joined and comment
 * lines inside continuations dropped, trimmed, with a map from each offset of
 * that text back to its offset in the Dockerfile. The text is cut from the
 * source in runs between continuations, each run remembered by where it starts
 * in both texts: one string and one map entry per line, not one per character
 * (a 1 MB RUN used to make a million of each).
 */
export function logicalText(
  source: string,
  escapeChar: string,
  start: number,
  end: number,
): { text: string; map: OffsetMap } {
  const runs = new Runs(source);
  let i = start;
  let atLineStart = false;
  while (i < end) {
    if (atLineStart) {
      // Comment and blank lines inside a continuation are removed by Docker.
      let j = i;
      while (j < end && (source[j] === ' ' || source[j] === '\t')) j++;
      if (source[j] === '#' || source[j] === '\n' || (source[j] === '\r' && source[j + 1] === '\n')) {
        const newline = source.indexOf('\n', j);
        i = newline === -1 || newline >= end ? end : newline + 1;
        continue;
      }
      atLineStart = false;
    }
    const ch = source[i]!;
    // BuildKit: an escape at the end of a line continues it, unless an escape precedes it.
    if (ch === escapeChar && source[i - 1] !== escapeChar) {
      let j = i + 1;
      while (j < end && (source[j] === ' ' || source[j] === '\t')) j++;
      if (source[j] === '\r') j++;
      if (source[j] === '\n' || j >= source.length) {
        i = j + 1;
        atLineStart = true;
        continue;
      }
    }
    if (ch === '\n') break;
    runs.take(i);
    i++;
  }
  return runs.finish(i);
}

/** The characters taken so far, as runs of consecutive source offsets. */
class Runs {
  /** Where each run starts in the joined text, and in the source. */
  private readonly textStarts: number[] = [];
  private readonly sourceStarts: number[] = [];
  private text = '';
  private length = 0;
  private runSource = -1;
  private runEnd = -1;

  constructor(private readonly source: string) {}

  take(offset: number): void {
    if (offset === this.runEnd) {
      this.runEnd++;
    } else {
      this.cut();
      this.textStarts.push(this.length);
      this.sourceStarts.push(offset);
      this.runSource = offset;
      this.runEnd = offset + 1;
    }
    this.length++;
  }

  finish(endOffset: number): { text: string; map: OffsetMap } {
    this.cut();
    const { text, textStarts, sourceStarts } = this;
    const trimmedStart = text.length - text.trimStart().length;
    const map: OffsetMap = (offset) => {
      const at = Math.min(offset + trimmedStart, text.length);
      if (at === text.length) return endOffset;
      // The last run starting at or before `at`.
      let low = 0;
      let high = textStarts.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (textStarts[middle]! <= at) low = middle;
        else high = middle - 1;
      }
      return sourceStarts[low]! + (at - textStarts[low]!);
    };
    return { text: text.trim(), map };
  }

  private cut(): void {
    if (this.runSource !== -1) this.text += this.source.slice(this.runSource, this.runEnd);
    this.runSource = -1;
    this.runEnd = -1;
  }
}
