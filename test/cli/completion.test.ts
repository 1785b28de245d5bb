/**
 * `pare completion SHELL` is derived from the command line definition: the
 * bash script is valid bash, offers every command, and completes flags and
 * their choices as pare defines them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/commands.js';
import { completionScript } from '../../src/cli/completion.js';
import { runPare } from '../helpers/cli.js';

const program = buildProgram(() => {});
const COMMANDS = program.commands.map((command) => command.name());
const bashScript = completionScript('bash', program);

/** What bash offers for the words typed so far (the last one is being completed). */
function complete(words: string[]): string[] {
  const script = `${bashScript}
COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')})
COMP_CWORD=${words.length - 1}
_pare
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean);
}

describe('pare completion bash', () => {
  it('is what `pare completion bash` prints', () => {
    const result = runPare(['completion', 'bash']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(bashScript);
  });

  it('is valid bash', () => {
    const result = spawnSync('bash', ['-n'], { input: bashScript, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('offers every command, completion and help included', () => {
    expect(COMMANDS).toEqual(expect.arrayContaining(['lint', 'fix', 'inspect', 'optimize', 'slim', 'rules']));
    expect(complete(['pare', '']).sort()).toEqual([...COMMANDS, 'help'].sort());
  });

  it.each([
    ['a command from its start', ['pare', 'li'], ['lint']],
    ["a command's flags", ['pare', 'lint', '--fa'], ['--fail-on']],
    ["fix's --check", ['pare', 'fix', '--ch'], ['--check']],
    ['a global flag after the command', ['pare', 'fix', '--no-c'], ['--no-color']],
    ['the choices of a flag', ['pare', 'lint', '--format', ''], ['text', 'json', 'sarif']],
    ['the choices after global flags', ['pare', '--quiet', 'inspect', 'x', '--format', 'h'], ['html']],
    ['nothing for a value pare cannot guess', ['pare', 'lint', '--context', ''], []],
    ['a flag another command has is not offered', ['pare', 'rules', '--wri'], []],
  ])('%s', (_name, words, expected) => {
    expect(complete(words)).toEqual(expected);
  });

  it('leaves the hidden old spelling out', () => {
    expect(complete(['pare', 'inspect', '--out'])).toEqual([]);
  });
});

describe.each(['zsh', 'fish'])('pare completion %s', (shell) => {
  const script = completionScript(shell, program);
  it('names every command and flag', () => {
    for (const command of COMMANDS) expect(script).toContain(command);
    expect(script).toContain('fail-on');
    expect(script).toContain('sarif');
  });

  const installed = spawnSync(shell, ['-c', 'true']).status === 0;
  // Skipped on a developer's machine without the shell; in CI (.ci/run installs it) a missing shell fails.
  it.skipIf(!installed && !process.env.CI)(`is valid ${shell}`, () => {
    expect(installed, `${shell} is not installed; .ci/run installs it`).toBe(true);
    const file = join(mkdtempSync(join(tmpdir(), 'pare-completion-')), `pare.${shell}`);
    writeFileSync(file, script);
    const result = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

it('an unknown shell is one line naming it', () => {
  expect(() => completionScript('tcsh', program)).toThrow(
    /unknown shell "tcsh" \(expected bash, zsh, fish\)/,
  );
});
