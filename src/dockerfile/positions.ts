import type { Position, SourceRange } from './types.js';

const RECENT_POSITIONS = 8;

/** Converts between offsets and zero-based line/character positions of one text. */
export class LineIndex {
  private readonly lineStarts: number[];
  /**
   * The last positions handed out, by offset. An instruction's range, keyword
   * range, arguments range and command ranges mostly share their ends; one
   * object per place keeps a Dockerfile of many instructions smaller.
   */
  private readonly recent = new Map<number, Position>();

  constructor(readonly text: string) {
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const known = this.recent.get(clamped);
    if (known) return known;
    const made = this.locate(clamped);
    if (this.recent.size >= RECENT_POSITIONS) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(clamped, made);
    return made;
  }

  private locate(clamped: number): Position {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low]!, offset: clamped };
  }

  offset(line: number, character: number): number {
    if (line >= this.lineStarts.length) return this.text.length;
    return Math.min(this.lineStarts[line]! + character, this.text.length);
  }

  range(start: number, end: number): SourceRange {
    return { start: this.position(start), end: this.position(end) };
  }

  /** Range from an LSP-style {line, character} pair as dockerfile-ast reports them. */
  fromLsp(range: {
    start: { line: number; character: number };
    end: { line: number; character: number };
  }): SourceRange {
    return this.range(
      this.offset(range.start.line, range.start.character),
      this.offset(range.end.line, range.end.character),
    );
  }

  lineText(line: number): string {
    const start = this.lineStarts[line] ?? this.text.length;
    const next = this.lineStarts[line + 1];
    const end = next === undefined ? this.text.length : next - 1;
    // A CRLF line's \r is not part of it.
    return this.text.charCodeAt(end - 1) === 13 && end > start
      ? this.text.slice(start, end - 1)
      : this.text.slice(start, end);
  }
}
