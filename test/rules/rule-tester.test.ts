/** The table-test helper's own checks: they must catch what they are there to catch. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/rules/types.js';
import { duplicateCases, unstatedFix } from '../helpers/rule-tester.js';

const APT = 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\n';
const APK = 'FROM alpine:3.20\nRUN apk add curl\n';

describe('duplicateCases', () => {
  it.each([
    ['distinct cases', { valid: [APT], invalid: [{ code: APK, findings: [] }] }, []],
    [
      'the same text twice among the valid cases',
      { valid: [APT, APT], invalid: [] },
      ['valid #2 repeats valid #1'],
    ],
    [
      'a string and an object of the same text',
      { valid: [APT, { name: 'again', code: APT }], invalid: [] },
      ['valid #2 (again) repeats valid #1'],
    ],
    [
      'the same text as valid and as invalid',
      { valid: [APT], invalid: [{ name: 'flagged', code: APT, findings: [{ line: 2 }] }] },
      ['invalid #1 (flagged) repeats valid #1'],
    ],
    [
      'the same text with another build context',
      { valid: [APT, { code: APT, context: { '.dockerignore': '.git\n' } }], invalid: [] },
      [],
    ],
    [
      'the same text with another policy',
      { valid: [APT, { code: APT, policy: { allowed: ['debian:12'] } }], invalid: [] },
      [],
    ],
    [
      'the same text and the same context',
      {
        valid: [
          { code: APT, context: { 'a.txt': 'x' } },
          { code: APT, context: { 'a.txt': 'x' } },
        ],
        invalid: [],
      },
      ['valid #2 repeats valid #1'],
    ],
  ])('%s', (_name, cases, expected) => {
    expect(duplicateCases(cases)).toEqual(expected);
  });
});

function finding(line: number, fixed: boolean): Finding {
  const position = { line: line - 1, character: 0, offset: 0 };
  return {
    ruleId: 'apt-lists-not-removed',
    severity: 'warning',
    message: '`apt-get update` leaves /var/lib/apt/lists in this layer',
    range: { start: position, end: position },
    ...(fixed ? { fix: [{ start: 0, end: 0, newText: ' && rm -rf /var/lib/apt/lists/*' }] } : {}),
  };
}

describe('unstatedFix', () => {
  it.each([
    ['no finding carries a fix', undefined, [finding(2, false)], undefined],
    ['a fix and the fixed text stated', APT, [finding(2, true)], undefined],
    ['no findings at all', undefined, [], undefined],
    [
      'a fix without the fixed text',
      undefined,
      [finding(2, false), finding(3, true), finding(4, true)],
      'the findings at line 3, 4 carry a fix: state the fixed text as `output`',
    ],
  ])('%s', (_name, output, findings, expected) => {
    const testCase = { code: APT, findings: [], ...(output === undefined ? {} : { output }) };
    expect(unstatedFix(testCase, findings)).toBe(expected);
  });
});
