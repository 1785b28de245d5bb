import { describe, expect, it } from 'vitest';
import { lintSarif } from '../../src/report/lint-sarif.js';
import type { LintResult } from '../../src/rules/lint-files.js';
import type { Rule } from '../../src/rules/types.js';

const rule = {
  meta: {
    id: 'apt-cache',
    title: 'apt lists left in the layer',
    severity: 'warning',
    fixable: true,
    articles: [],
  },
} as unknown as Rule;

const base = 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\nCMD ["sh"]\n';

/** Fingerprint of the one finding on `line` (0-based) of `text`. */
function fingerprintOf(text: string, line: number, path = 'Dockerfile'): string {
  const at = { line, character: 0, offset: 0 };
  const result: LintResult = {
    files: [
      {
        path,
        text,
        findings: [{ ruleId: 'apt-cache', severity: 'warning', message: 'm', range: { start: at, end: at } }],
      },
    ],
  };
  const log = lintSarif(result, [rule]);
  return log.runs[0]!.results![0]!.partialFingerprints!.primaryLocationLineHash!;
}

describe('SARIF partialFingerprints', () => {
  const original = fingerprintOf(base, 1);
  it.each([
    ['moved down 3 lines', fingerprintOf(`# one\n# two\n# three\n${base}`, 4), true],
    ['re-indented', fingerprintOf(base.replace('RUN apt-get', '  RUN   apt-get'), 1), true],
    ['a different line text', fingerprintOf(base.replace('curl', 'wget'), 1), false],
    ['another file', fingerprintOf(base, 1, 'other/Dockerfile'), false],
  ])('%s: same fingerprint is %s', (_name, fingerprint, same) => {
    expect(fingerprint === original).toBe(same);
  });

  it('tells identical flagged lines in one file apart by occurrence', () => {
    const at = (line: number) => ({ line, character: 0, offset: 0 });
    const text = 'FROM a\nRUN x\nRUN x\n';
    const finding = (line: number) => ({
      ruleId: 'apt-cache',
      severity: 'warning' as const,
      message: 'm',
      range: { start: at(line), end: at(line) },
    });
    const log = lintSarif({ files: [{ path: 'Dockerfile', text, findings: [finding(1), finding(2)] }] }, [
      rule,
    ]);
    const [a, b] = log.runs[0]!.results!.map((r) => r.partialFingerprints!.primaryLocationLineHash!);
    expect(a!.split(':')[0]).toBe(b!.split(':')[0]);
    expect(a).not.toBe(b);
  });

  it('describes every rule with help and fullDescription', () => {
    const descriptor = lintSarif({ files: [] }, [rule]).runs[0]!.tool.driver.rules![0]!;
    expect(descriptor.fullDescription?.text).toMatch(/apt lists left in the layer/);
    expect(descriptor.help?.text).toContain(descriptor.helpUri);
    expect(descriptor.help?.markdown).toContain(`(${descriptor.helpUri})`);
  });
});
