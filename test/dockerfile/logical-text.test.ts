import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logicalText } from '../../src/dockerfile/logical-text.js';

/** The definition, one character at a time: what logicalText must equal. */
function oneByOne(source: string, escapeChar: string, start: number, end: number) {
  let text = '';
  const offsets: number[] = [];
  let i = start;
  let atLineStart = false;
  while (i < end) {
    if (atLineStart) {
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
    text += ch;
    offsets.push(i);
    i++;
  }
  offsets.push(i);
  const trimmedStart = text.length - text.trimStart().length;
  return {
    text: text.trim(),
    map: (offset: number) => offsets[Math.min(offset + trimmedStart, offsets.length - 1)]!,
  };
}

function expectSame(source: string, escapeChar: string, start: number, end: number): void {
  const expected = oneByOne(source, escapeChar, start, end);
  const actual = logicalText(source, escapeChar, start, end);
  expect(actual.text).toBe(expected.text);
  for (let offset = 0; offset <= expected.text.length + 2; offset++) {
    expect(actual.map(offset), `offset ${offset} of ${JSON.stringify(source)}`).toBe(expected.map(offset));
  }
}

describe('an instruction payload as Docker sees it', () => {
  it.each([
    ['one line', 'apt-get update && apt-get install -y curl', '\\'],
    [
      'continuations',
      '  apt-get update \\\n    && apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*',
      '\\',
    ],
    ['comment and blank lines inside a continuation', 'a \\\n# note\n\n  b \\\r\n  c', '\\'],
    ['an escaped escape ends the line', 'echo a\\\\\nRUN b', '\\'],
    ['spaces after the escape', 'a \\   \n b', '\\'],
    ['the backtick escape', 'dir `\n  C:\\ `\n x', '`'],
    ['an escape at the end of the file', 'x \\', '\\'],
  ])('%s: the same text and offsets as one character at a time', (_name, source, escapeChar) => {
    expectSame(source, escapeChar, 0, source.length);
  });

  it('keeps the offsets of a 1 MB RUN exact at both ends of every line', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `echo ${i} \\`);
    const source = `${lines.join('\n')}\ntrue\n`;
    const { text, map } = logicalText(source, '\\', 0, source.length);
    const expected = oneByOne(source, '\\', 0, source.length);
    expect(text).toBe(expected.text);
    for (const offset of [0, 1, 9, 10, 11, 12, 5000, 123_456, text.length - 1, text.length])
      expect(map(offset)).toBe(expected.map(offset));
  });

  it('matches the definition on generated payloads', () => {
    const piece = fc.constantFrom(
      'a',
      'bc',
      ' ',
      '\t',
      '\\',
      '`',
      '\n',
      '\r\n',
      '#',
      '\\\n',
      ' \\ \n',
      '\\\\\n',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 30 }).map((parts) => parts.join('')),
        fc.constantFrom('\\', '`'),
        fc.nat(),
        fc.nat(),
        (source, escapeChar, a, b) => {
          const start = source.length === 0 ? 0 : a % source.length;
          const end = start + (source.length === 0 ? 0 : b % (source.length - start + 1));
          expectSame(source, escapeChar, start, end);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
