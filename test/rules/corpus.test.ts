/**
 * The labelled corpus: Dockerfiles in the shapes real projects use, each with
 * the problems it really has, judged one by one (expected.txt: "LINE RULE-ID"
 * lines; `# target: STAGE` lints the stage a CI job would build). Every rule
 * runs on every file; pare's findings are compared with the labels:
 *
 * - a finding on a labelled line and rule is correct;
 * - any other finding is false (precision);
 * - a label no finding matches is a missed problem (recall).
 *
 * RESULTS.txt holds the figures and every false and missed finding, so any
 * change in what pare reports shows as a diff there. Regenerate it with
 * `npx vitest run test/rules/corpus -u` and review the diff before committing.
 *
 * A fixture directory holding more than its Dockerfile and expected.txt is
 * linted with that directory as the build context (context.json lists large
 * or unversionable files to create, such as .git or node_modules); the others
 * are linted as from stdin, with no context.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openBuildContext } from '../../src/dockerfile/build-context.js';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import { allRules } from '../../src/rules/index.js';
import { lintModel } from '../../src/rules/run.js';
import type { Finding } from '../../src/rules/types.js';

const corpus = fileURLToPath(new URL('../fixtures/corpus/', import.meta.url));
const names = readdirSync(corpus, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const scratch = mkdtempSync(join(tmpdir(), 'pare-corpus-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Precision and recall below these fail the run: the targets pare is held to. */
const MIN_PRECISION_ALL = 0.9;
const MIN_PRECISION_WARNINGS = 0.95;
const MIN_RECALL = 0.95;

const OWN_FILES = new Set(['Dockerfile', 'expected.txt', '.devcontainer']);

interface Labels {
  target?: string;
  /** `LINE RULE-ID` keys, one per labelled problem (a key may repeat). */
  problems: string[];
}

function readLabels(name: string): Labels {
  const labels: Labels = { problems: [] };
  for (const raw of readFileSync(join(corpus, name, 'expected.txt'), 'utf8').split('\n')) {
    const target = /^#\s*target:\s*(\S+)/.exec(raw);
    if (target) labels.target = target[1]!;
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const match = /^(\d+)\s+([a-z0-9-]+)$/.exec(line);
    if (!match) throw new Error(`${name}/expected.txt: cannot read "${raw}" (expected "LINE RULE-ID")`);
    labels.problems.push(`${match[1]} ${match[2]}`);
  }
  return labels;
}

function dockerfilePath(name: string): string {
  const plain = join(corpus, name, 'Dockerfile');
  return existsSync(plain) ? plain : join(corpus, name, '.devcontainer', 'Dockerfile');
}

/** Copies a fixture that carries a build context and creates the files its context.json describes. */
function materialise(name: string): string {
  const target = join(scratch, name);
  cpSync(join(corpus, name), target, { recursive: true });
  const spec = join(target, 'context.json');
  if (existsSync(spec)) {
    const generate: Record<string, number> = JSON.parse(readFileSync(spec, 'utf8')).generate ?? {};
    rmSync(spec);
    for (const [path, size] of Object.entries(generate)) {
      mkdirSync(dirname(join(target, path)), { recursive: true });
      writeFileSync(join(target, path), Buffer.alloc(size, 1));
    }
  }
  rmSync(join(target, 'expected.txt'), { force: true });
  return target;
}

async function lintFixture(name: string, labels: Labels): Promise<Finding[]> {
  const file = dockerfilePath(name);
  const model = await parseDockerfile(readFileSync(file, 'utf8'), file.slice(corpus.length), {
    target: labels.target,
  });
  const hasContext = readdirSync(join(corpus, name)).some((entry) => !OWN_FILES.has(entry));
  const buildContext = hasContext ? await openBuildContext(materialise(name), 'Dockerfile') : undefined;
  return lintModel(model, { rules: allRules, ...(buildContext ? { buildContext } : {}) });
}

interface Judged {
  name: string;
  correct: Finding[];
  wrong: Finding[];
  missed: string[];
}

const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;

/** Matches findings to labels by line and rule; with repeats, the most severe findings count first. */
function judge(name: string, findings: Finding[], labels: Labels): Judged {
  const open = new Map<string, number>();
  for (const key of labels.problems) open.set(key, (open.get(key) ?? 0) + 1);
  const result: Judged = { name, correct: [], wrong: [], missed: [] };
  const ordered = [...findings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  for (const finding of ordered) {
    const key = `${finding.range.start.line + 1} ${finding.ruleId}`;
    const left = open.get(key) ?? 0;
    if (left > 0) {
      open.set(key, left - 1);
      result.correct.push(finding);
    } else result.wrong.push(finding);
  }
  for (const [key, left] of open) for (let i = 0; i < left; i++) result.missed.push(key);
  return result;
}

const isWarningOrError = (finding: Finding) => finding.severity !== 'info';

function percent(part: number, whole: number): string {
  return whole === 0 ? 'n/a' : `${((part / whole) * 100).toFixed(1)}% (${part}/${whole})`;
}

function report(judged: Judged[]): {
  text: string;
  precisionAll: number;
  precisionWarnings: number;
  recall: number;
} {
  const correct = judged.flatMap((item) => item.correct);
  const wrong = judged.flatMap((item) => item.wrong);
  const missed = judged.reduce((sum, item) => sum + item.missed.length, 0);
  const labelled = correct.length + missed;
  const warningsCorrect = correct.filter(isWarningOrError).length;
  const warningsAll = warningsCorrect + wrong.filter(isWarningOrError).length;
  const lines = [
    `${judged.length} Dockerfiles, ${labelled} labelled problems, ${correct.length + wrong.length} findings`,
    `precision, all findings:        ${percent(correct.length, correct.length + wrong.length)}`,
    `precision, warnings and errors: ${percent(warningsCorrect, warningsAll)}`,
    `recall:                         ${percent(correct.length, labelled)}`,
    '',
    'rule                              correct  false  missed',
  ];
  const ruleIds = new Set([
    ...allRules.map((rule) => rule.meta.id),
    ...judged.flatMap((item) => item.missed.map((key) => key.split(' ')[1]!)),
  ]);
  for (const id of [...ruleIds].sort()) {
    const right = correct.filter((finding) => finding.ruleId === id).length;
    const bad = wrong.filter((finding) => finding.ruleId === id).length;
    const miss = judged.reduce(
      (sum, item) => sum + item.missed.filter((key) => key.endsWith(` ${id}`)).length,
      0,
    );
    if (right + bad + miss === 0) continue;
    lines.push(
      `${id.padEnd(33)} ${String(right).padStart(7)} ${String(bad).padStart(6)} ${String(miss).padStart(7)}`,
    );
  }
  lines.push('', 'false findings (reported, not a problem of the file):');
  for (const item of judged)
    for (const finding of item.wrong)
      lines.push(`  ${item.name}:${finding.range.start.line + 1} ${finding.ruleId} (${finding.severity})`);
  lines.push('', 'missed problems (labelled, not reported):');
  for (const item of judged)
    for (const key of item.missed) lines.push(`  ${item.name}:${key.replace(' ', ' ')}`);
  return {
    text: `${lines.join('\n')}\n`,
    precisionAll: correct.length / Math.max(1, correct.length + wrong.length),
    precisionWarnings: warningsCorrect / Math.max(1, warningsAll),
    recall: correct.length / Math.max(1, labelled),
  };
}

describe('labelled corpus', () => {
  it('has at least 150 Dockerfiles, each with its labels', () => {
    expect(names.length).toBeGreaterThanOrEqual(150);
    for (const name of names) expect(existsSync(join(corpus, name, 'expected.txt')), name).toBe(true);
  });

  it('meets the precision and recall targets; RESULTS.txt lists every false and missed finding', async () => {
    const judged: Judged[] = [];
    for (const name of names) {
      const labels = readLabels(name);
      judged.push(judge(name, await lintFixture(name, labels), labels));
    }
    const { text, precisionAll, precisionWarnings, recall } = report(judged);
    console.log(text.split('\n').slice(0, 4).join('\n'));
    await expect(text).toMatchFileSnapshot(join(corpus, 'RESULTS.txt'));
    expect(precisionAll).toBeGreaterThanOrEqual(MIN_PRECISION_ALL);
    expect(precisionWarnings).toBeGreaterThanOrEqual(MIN_PRECISION_WARNINGS);
    expect(recall).toBeGreaterThanOrEqual(MIN_RECALL);
  });
});
