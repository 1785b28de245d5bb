/**
 * Variable expansion is bounded in size per value (MAX_EXPANDED_LENGTH) and in
 * work per Dockerfile (MAX_EXPANSION_TOTAL): a variable that feeds on itself
 * fails on the line where it crosses the limit, instead of taking the time and
 * memory to double 30 times.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EXPANDED_LENGTH, MAX_EXPANSION_TOTAL } from '../../src/dockerfile/limits.js';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import { substitute } from '../../src/dockerfile/variables.js';
import { runPareAsync } from '../helpers/cli.js';
import { doublingEnv, doublingShellVariable, manyCopiesOfALargeValue } from './hostile-dockerfiles.js';

const TOO_LONG = `expanding variables makes a value longer than ${MAX_EXPANDED_LENGTH} characters (does a variable include itself, as in ENV A=$A$A?)`;
const TOO_MUCH = `expanding variables produces more than ${MAX_EXPANSION_TOTAL} characters in this Dockerfile`;
// MAX_EXPANDED_LENGTH is 2^20: `x` doubled 20 times just fits.
const DOUBLINGS_THAT_FIT = Math.log2(MAX_EXPANDED_LENGTH);

describe('variable expansion limits', () => {
  it('expands a value up to the limit', async () => {
    const model = await parseDockerfile(doublingEnv(DOUBLINGS_THAT_FIT));
    expect(model.finalStage.env.A).toHaveLength(MAX_EXPANDED_LENGTH);
  });

  it.each([
    // ENV A=x is line 2; doubling n is on line n + 2.
    ['ENV A=$A$A one line past the limit', doublingEnv(DOUBLINGS_THAT_FIT + 1), 23, TOO_LONG],
    ['ENV A=$A$A 30 times', doublingEnv(30), 23, TOO_LONG],
    ['A=$A$A in the shell of one RUN', doublingShellVariable(30), 2, TOO_LONG],
    // Doubling to 2^19 expands ~1 Mi characters (lines 3-21); each copy (from line 22) 0.5 Mi:
    // the 31st copy, on line 52, passes 16 Mi.
    ['a large value copied by many ENV lines', manyCopiesOfALargeValue(19, 40), 52, TOO_MUCH],
  ])('%s: an error on the line that crosses it', async (_, text, line, message) => {
    await expect(parseDockerfile(text, 'Dockerfile')).rejects.toMatchObject({
      line: `Dockerfile:${line}: ${message}`,
      exitCode: 2,
    });
  });

  it('bounds a value even when substitute is called without a budget', () => {
    const half = 'x'.repeat(MAX_EXPANDED_LENGTH / 2 + 1);
    expect(() => substitute('$A$A', { A: half })).toThrow(TOO_LONG);
    expect(substitute('$A', { A: half }).value).toBe(half);
  });
});

describe('pare lint on ENV A=$A$A', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-expansion-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exits 2 with one line naming file:line', async () => {
    const file = join(dir, 'Dockerfile');
    await writeFile(file, doublingEnv(30));
    const result = await runPareAsync(['lint', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`pare: error: ${file}:23: ${TOO_LONG}\n`);
  });
});
