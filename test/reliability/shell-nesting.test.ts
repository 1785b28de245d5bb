/**
 * Shell nesting in RUN: structures the grammar nests without bound (subshells,
 * `if`, arithmetic, `&&` chains) are walked without using call stack; the
 * ones pare must recurse into (substitutions, expansions, `sh -c`, wrappers)
 * stop at MAX_SHELL_NESTING with one line naming file:line, exit 2.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SHELL_NESTING } from '../../src/dockerfile/limits.js';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import type { RunInstruction } from '../../src/dockerfile/types.js';
import { runPareAsync } from '../helpers/cli.js';
import {
  longAndChain,
  nestedArithmetic,
  nestedExpansions,
  nestedIfs,
  nestedShellStrings,
  nestedSubshells,
  nestedSubstitutions,
  nestedWrappers,
} from './hostile-dockerfiles.js';

const runOf = async (text: string) =>
  (await parseDockerfile(text, 'Dockerfile')).instructions.find(
    (instruction): instruction is RunInstruction => instruction.keyword === 'RUN',
  )!;

describe('structures walked without recursion', () => {
  it.each([
    ['5,000 nested subshells', nestedSubshells(5_000), 1],
    ['5,000 nested ifs (each condition a command too)', nestedIfs(5_000), 5_001],
    ['10,000 levels of arithmetic parentheses', nestedArithmetic(10_000), 1],
  ])('%s parse, every command found', async (_, text, commands) => {
    const run = await runOf(text);
    expect(run.script.commands).toHaveLength(commands);
  });

  it('keeps every command of a 40,000-command && chain, in order', async () => {
    const run = await runOf(longAndChain(40_000));
    expect(run.script.commands).toHaveLength(40_000);
    expect(run.script.commands[39_999]!.text).toBe('echo 39999');
    expect(run.script.commands.every((command, i) => command.args[0] === String(i))).toBe(true);
  });
});

describe('structures pare recurses into stop at the nesting limit', () => {
  const generators: Array<[string, (depth: number) => string]> = [
    ['command substitutions', nestedSubstitutions],
    ['parameter expansions', nestedExpansions],
    ['wrappers (sudo sudo …)', nestedWrappers],
  ];

  it.each(generators)('%s at the limit still parse', async (_, generate) => {
    await expect(runOf(generate(MAX_SHELL_NESTING))).resolves.toBeDefined();
  });

  it.each(generators)('%s past the limit are one error naming the line', async (_, generate) => {
    for (const depth of [MAX_SHELL_NESTING + 1, 5_000]) {
      await expect(runOf(generate(depth))).rejects.toMatchObject({
        line: expect.stringMatching(`^Dockerfile:2: shell nesting deeper than ${MAX_SHELL_NESTING} levels`),
        exitCode: 2,
      });
    }
  });

  it('counts sh -c strings as levels too', async () => {
    // Quoting doubles per level, so a few levels already make a long line.
    const run = await runOf(nestedShellStrings(8));
    expect(run.script.commands.map((command) => command.program)).toEqual([
      ...Array<string>(8).fill('sh'),
      'true',
    ]);
  });
});

describe('pare lint on deep nesting', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-nesting-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['$(…) 2,000 deep', nestedSubstitutions(2_000)],
    ['${A:-…} 5,000 deep', nestedExpansions(5_000)],
  ])('%s: exit 2, one line naming file:line', async (name, text) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.Dockerfile`);
    await writeFile(file, text);
    const result = await runPareAsync(['lint', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `pare: error: ${file}:2: shell nesting deeper than ${MAX_SHELL_NESTING} levels (command substitutions, expansions, sh -c strings or wrappers like sudo inside each other)\n`,
    );
  });
});
