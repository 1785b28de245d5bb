/**
 * pare as a user installs it: `npm pack`, then a global install of the tarball
 * into a fresh prefix, and the installed command run on an app that has
 * nothing of this repository beside it. Catches what a run from the source tree
 * hides: a file the package does not ship (the shell grammar, the rule docs,
 * the schemas), a development dependency the CLI imports, an install script.
 * The engine's commands (inspect, slim, optimize) from the same install are
 * test/engine/packed-install.test.ts.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPackedPare, sh } from '../helpers/packed-install.js';

describe('the packed package, installed into a fresh prefix', () => {
  let dir: string;
  let pare: string;
  let installed: string;
  let installLog: string;

  beforeAll(async () => {
    ({ dir, pare, installed, installLog } = await installPackedPare());
  }, 180_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('installs without an install script of its own or of any dependency, so npm says nothing about one', () => {
    expect(installLog).not.toMatch(/install.scripts?|gyp|prebuild/i);
  });

  it('ships the built code, the grammar, the docs and the schemas, and no sources or tests', async () => {
    const top = (await readdir(installed)).sort();
    expect(top).toEqual(expect.arrayContaining(['bin', 'dist', 'docs', 'schemas', 'package.json']));
    for (const absent of ['src', 'test', 'examples', 'bench', '.ci', 'node_modules/typescript'])
      expect(existsSync(join(installed, absent)), absent).toBe(false);
    expect(existsSync(join(installed, 'dist', 'grammars', 'tree-sitter-bash.wasm'))).toBe(true);
  });

  it('lints, fixes and explains a rule from the installed command', async () => {
    const app = join(dir, 'app');
    await mkdir(app);
    await writeFile(
      join(app, 'Dockerfile'),
      'FROM python:3.12\nRUN apt-get update && apt-get install -y gcc\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD python /app/app.py\n',
    );
    await writeFile(join(app, 'requirements.txt'), 'flask\n');

    const version = sh(pare, ['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);

    const lint = sh(pare, ['lint', join(app, 'Dockerfile'), '--format', 'json']);
    expect(lint.code, lint.stderr).toBe(1);
    const rules = (
      JSON.parse(lint.stdout) as { files: Array<{ findings: Array<{ ruleId: string }> }> }
    ).files[0]!.findings.map((finding) => finding.ruleId);
    expect(rules).toContain('apt-lists-not-removed');
    expect(rules).toContain('pip-cache');

    const fix = sh(pare, ['fix', join(app, 'Dockerfile')]);
    expect(fix.code, fix.stderr).toBe(0);
    expect(fix.stdout).toMatch(/rm -rf \/var\/lib\/apt\/lists/);

    const explain = sh(pare, ['rules', 'apt-lists-not-removed']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/apt-lists-not-removed/);
    expect(explain.stdout.split('\n').length).toBeGreaterThan(5);
  });
});
