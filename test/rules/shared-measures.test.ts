/** The small measures several rules share: how a command is quoted, how measured sizes add up. */
import { describe, expect, it } from 'vitest';
import { measuredBytes } from '../../src/rules/layers/paths.js';
import { shortCommand } from '../../src/rules/util.js';

describe('shortCommand', () => {
  const long = `apt-get install -y --no-install-recommends ${'libfoo-dev '.repeat(8).trim()}`;
  it.each([
    ['a short command as it is', 'rm -rf /tmp/x', 'rm -rf /tmp/x'],
    ['exactly 60 characters as they are', 'x'.repeat(60), 'x'.repeat(60)],
    ['61 characters cut to 57 and an ellipsis', 'x'.repeat(61), `${'x'.repeat(57)}…`],
    ['a long install line', long, `${long.slice(0, 57)}…`],
  ])('%s', (_name, text, shown) => {
    expect(shortCommand(text)).toBe(shown);
  });
});

describe('measuredBytes', () => {
  it.each([
    ['nothing', [], { bytes: 0, allKnown: true }],
    ['every size measured', [{ bytes: 10 }, { bytes: 32 }], { bytes: 42, allKnown: true }],
    ['one size unknown', [{ bytes: 10 }, {}], { bytes: 10, allKnown: false }],
    ['a measured zero counts as known', [{ bytes: 0 }], { bytes: 0, allKnown: true }],
  ])('%s', (_name, items, expected) => {
    expect(measuredBytes(items)).toEqual(expected);
  });
});
