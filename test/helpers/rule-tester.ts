/**
 * Table-driven rule tests, after ESLint's RuleTester: each case is a real
 * Dockerfile; invalid cases list the findings expected (by line and message),
 * and, whenever a finding carries a fix, the text after applying the fixes.
 * A table may not hold the same case twice.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openBuildContext } from '../../src/dockerfile/build-context.js';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import { applyEdits, nonOverlapping } from '../../src/rewrite/apply-edits.js';
import { lintModel } from '../../src/rules/run.js';
import type { BaseImagePolicy, Finding, Rule } from '../../src/rules/types.js';

/** Files of a build context: content, or a size to fill with zeros. */
export type ContextSpec = Record<string, string | { size: number }>;

export interface ValidCase {
  name?: string;
  code: string;
  context?: ContextSpec;
  policy?: BaseImagePolicy;
}

export interface ExpectedFinding {
  /** 1-based line where the finding starts. */
  line: number;
  /** Substring or pattern the message must contain. */
  message?: string | RegExp;
  severity?: Finding['severity'];
  /** Whether the finding carries a fix. */
  fixable?: boolean;
  /** Lower bound for the estimated saving. */
  minSaving?: number;
}

export interface InvalidCase extends ValidCase {
  findings: ExpectedFinding[];
  /** Text after applying every fix of this rule's findings; required when any finding carries a fix. */
  output?: string;
}

export interface RuleCases {
  valid: Array<string | ValidCase>;
  invalid: InvalidCase[];
}

const tempDirs: string[] = [];

async function makeContext(spec: ContextSpec): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pare-rule-'));
  tempDirs.push(dir);
  for (const [path, content] of Object.entries(spec)) {
    const full = join(dir, path);
    if (path.endsWith('/')) {
      await mkdir(full, { recursive: true });
      continue;
    }
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, typeof content === 'string' ? content : Buffer.alloc(content.size));
  }
  return dir;
}

export async function lintWith(rule: Rule, testCase: ValidCase): Promise<Finding[]> {
  const model = await parseDockerfile(testCase.code, 'Dockerfile');
  const directory = testCase.context ? await makeContext(testCase.context) : undefined;
  const buildContext = directory ? await openBuildContext(directory) : undefined;
  return lintModel(model, {
    rules: [rule],
    ...(buildContext ? { buildContext } : {}),
    ...(testCase.policy ? { policy: testCase.policy } : {}),
  });
}

/** What makes two cases the same: the Dockerfile and everything else the rule is given. */
function caseKey(testCase: ValidCase): string {
  return JSON.stringify([testCase.code, testCase.context ?? null, testCase.policy ?? null]);
}

/** Names of the cases that repeat an earlier case of the table, valid or invalid. */
export function duplicateCases(cases: RuleCases): string[] {
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  const all = [
    ...cases.valid.map((item, index) => ({
      testCase: typeof item === 'string' ? { code: item } : item,
      label: `valid #${index + 1}`,
    })),
    ...cases.invalid.map((testCase, index) => ({ testCase, label: `invalid #${index + 1}` })),
  ];
  for (const { testCase, label } of all) {
    const name = testCase.name === undefined ? label : `${label} (${testCase.name})`;
    const key = caseKey(testCase);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, name);
    else duplicates.push(`${name} repeats ${first}`);
  }
  return duplicates;
}

/** Why a case must state its fixed text, when a finding carries a fix and the case has no `output`. */
export function unstatedFix(testCase: InvalidCase, findings: readonly Finding[]): string | undefined {
  if (testCase.output !== undefined) return undefined;
  const fixed = findings.filter((f) => f.fix).map((f) => f.range.start.line + 1);
  if (fixed.length === 0) return undefined;
  return `the findings at line ${fixed.join(', ')} carry a fix: state the fixed text as \`output\``;
}

function describeFindings(findings: Finding[]): string {
  return findings.map((f) => `  line ${f.range.start.line + 1}: ${f.message}`).join('\n') || '  (none)';
}

export function testRule(rule: Rule, cases: RuleCases): void {
  afterAll(async () => {
    await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  describe(rule.meta.id, () => {
    it('has no case twice', () => {
      expect(duplicateCases(cases)).toEqual([]);
    });

    describe('valid', () => {
      cases.valid.forEach((item, index) => {
        const testCase = typeof item === 'string' ? { code: item } : item;
        it(testCase.name ?? `valid #${index + 1}`, async () => {
          const findings = await lintWith(rule, testCase);
          expect(findings, `expected no findings, got:\n${describeFindings(findings)}`).toEqual([]);
        });
      });
    });

    describe('invalid', () => {
      cases.invalid.forEach((testCase, index) => {
        it(testCase.name ?? `invalid #${index + 1}`, async () => {
          const findings = await lintWith(rule, testCase);
          expect(
            findings.map((f) => f.range.start.line + 1),
            `findings were:\n${describeFindings(findings)}`,
          ).toEqual(testCase.findings.map((f) => f.line));
          testCase.findings.forEach((expected, i) => {
            const actual = findings[i]!;
            if (expected.message !== undefined) {
              if (typeof expected.message === 'string') expect(actual.message).toContain(expected.message);
              else expect(actual.message).toMatch(expected.message);
            }
            if (expected.severity !== undefined) expect(actual.severity).toBe(expected.severity);
            if (expected.fixable !== undefined) expect(actual.fix !== undefined).toBe(expected.fixable);
            if (expected.minSaving !== undefined)
              expect(actual.saving?.bytes ?? 0).toBeGreaterThanOrEqual(expected.minSaving);
          });
          expect(unstatedFix(testCase, findings)).toBeUndefined();
          if (testCase.output !== undefined) {
            const edits = nonOverlapping(findings.filter((f) => f.fix).map((f) => f.fix!));
            const output = applyEdits(testCase.code, edits);
            expect(output).toBe(testCase.output);
            // A fix must leave a Dockerfile that parses and no longer has the fixed findings.
            const again = await lintWith(rule, { ...testCase, code: output });
            expect(
              again.filter((f) => f.fix),
              `after fixing:\n${describeFindings(again)}`,
            ).toEqual([]);
          }
        });
      });
    });
  });
}
