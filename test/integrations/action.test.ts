import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvDraft04Module from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
// CommonJS with a `default` export that NodeNext types do not see as constructable.
const AjvDraft04 = AjvDraft04Module as unknown as typeof AjvDraft04Module.default;

interface Step {
  name: string;
  id?: string;
  if?: string;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as Action;

/** Replaces the workflow expressions the steps use, as the runner would; anything else is a test failure. */
function substitute(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    if (expression === 'github.action_path') return root;
    const input = /^inputs\.([\w-]+)$/.exec(expression);
    if (input && input[1]! in inputs) return inputs[input[1]!]!;
    throw new Error(`unexpected expression ${expression}`);
  });
}

/** Evaluates a step's `if` for a command: the only conditions action.yml uses. */
function runsFor(step: Step, command: string): boolean {
  if (step.if === undefined) return true;
  const known = ['lint', 'inspect', 'optimize-check'];
  if (step.if.includes('!=')) return !known.includes(command);
  return step.if === `inputs.command == '${command}'`;
}

/** Runs the action's steps for `given` inputs as bash scripts; returns the exit code of the first failing step. */
function runAction(given: Record<string, string>, cwd: string) {
  const inputs = Object.fromEntries(
    Object.entries(action.inputs).map(([name, input]) => [name, given[name] ?? input.default ?? '']),
  );
  const prefix = mkdtempSync(join(tmpdir(), 'pare-action-prefix-'));
  const output = join(prefix, 'github-output');
  writeFileSync(output, '');
  // A real `npm install --global` of this checkout would reify its node_modules
  // (and needs the registry); this npm records the call and installs the built
  // CLI the way a global install links it.
  const bin = join(prefix, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'npm'),
    `#!/usr/bin/env bash\necho "$*" >> "${join(prefix, 'npm-calls')}"\n` +
      `printf '#!/usr/bin/env bash\\nexec node "%s/bin/pare.js" "$@"\\n' "\${@: -1}" > "${join(bin, 'pare')}"\n` +
      `chmod +x "${join(bin, 'pare')}"\n`,
  );
  chmodSync(join(bin, 'npm'), 0o755);
  for (const step of action.runs.steps) {
    if (!runsFor(step, inputs.command!)) continue;
    expect(step.shell).toBe('bash');
    const env = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([name, value]) => [name, substitute(String(value), inputs)]),
    );
    const result = spawnSync('bash', ['-e', '-c', substitute(step.run!, inputs)], {
      cwd,
      encoding: 'utf8',
      env: {
        ...process.env,
        ...env,
        GITHUB_OUTPUT: output,
        PATH: `${bin}${delimiter}${process.env.PATH}`,
        NO_COLOR: '1',
      },
    });
    if (result.status !== 0)
      return { code: result.status, step: step.name, stderr: result.stderr, output, prefix };
  }
  return { code: 0, step: undefined, stderr: '', output, prefix };
}

describe('action.yml', () => {
  it('is a composite action whose steps only use inputs and github.action_path', () => {
    expect(action.runs.using).toBe('composite');
    for (const step of action.runs.steps) {
      expect(() =>
        substitute(`${step.run} ${JSON.stringify(step.env ?? {})}`, { ...inputsOf() }),
      ).not.toThrow();
    }
  });

  it('lint writes a valid SARIF file and fails the step on findings', { timeout: 180_000 }, () => {
    const work = mkdtempSync(join(tmpdir(), 'pare-action-'));
    writeFileSync(
      join(work, 'Dockerfile'),
      'FROM ubuntu:latest\nRUN apt-get update && apt-get install -y curl\n',
    );
    const result = runAction({ command: 'lint', path: 'Dockerfile', 'sarif-file': 'out/pare.sarif' }, work);
    expect(result.code, result.stderr).toBe(1);
    expect(result.step).toBe('pare lint');
    expect(readFileSync(result.output, 'utf8')).toContain('sarif-file=out/pare.sarif\n');
    // dist/ is built, so setup only installs the action's own directory.
    expect(readFileSync(join(result.prefix, 'npm-calls'), 'utf8')).toBe(
      `install --global --no-audit --no-fund ${root}\n`,
    );

    const schema = JSON.parse(
      readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
    );
    const validate = new AjvDraft04({
      allErrors: true,
      strict: false,
      validateFormats: false,
      unicodeRegExp: false,
    }).compile(schema);
    const log = JSON.parse(readFileSync(join(work, 'out/pare.sarif'), 'utf8'));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0].results.length).toBeGreaterThan(0);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('Dockerfile');
  });

  it('lint with fail-on none passes', { timeout: 180_000 }, () => {
    const work = mkdtempSync(join(tmpdir(), 'pare-action-'));
    writeFileSync(join(work, 'Dockerfile'), 'FROM ubuntu:latest\n');
    const result = runAction({ command: 'lint', 'fail-on': 'none' }, work);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(work, 'pare.sarif'), 'utf8')).version).toBe('2.1.0');
  });

  it('refuses an unknown command and inspect without an image with exit 2', { timeout: 180_000 }, () => {
    const work = mkdtempSync(join(tmpdir(), 'pare-action-'));
    expect(runAction({ command: 'scan' }, work)).toMatchObject({ code: 2, step: 'Unknown command' });
    expect(runAction({ command: 'inspect' }, work)).toMatchObject({ code: 2, step: 'pare inspect' });
  });
});

function inputsOf(): Record<string, string> {
  return Object.fromEntries(Object.keys(action.inputs).map((name) => [name, '']));
}
