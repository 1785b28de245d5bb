/**
 * pare as a user installs it: `npm pack`, then a global install of the tarball
 * into a fresh prefix, and the installed command run on an app that has
 * nothing of this repository beside it. Catches what a run from the source tree
 * hides: a file the package does not ship (the shell grammar, the rule docs,
 * the schemas), a development dependency the CLI imports, an install script.
 * Needs `npm run build` first (npm test does it); the install reads npm's cache
 * first (`--prefer-offline`), which `npm ci` has filled.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function sh(command: string, args: string[], options: { cwd?: string; input?: string } = {}) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false' },
    ...options,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

describe('the packed package, installed into a fresh prefix', () => {
  let dir: string;
  let pare: string;
  let installLog: string;

  beforeAll(async () => {
    expect(existsSync(join(ROOT, 'dist', 'index.js')), 'run npm run build first').toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'pare-packed-'));
    // dist/ is built already; --ignore-scripts skips the prepack script's second build.
    const packed = sh(NPM, ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], { cwd: ROOT });
    expect(packed.code, packed.stderr).toBe(0);
    const tarball = join(dir, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
    const prefix = join(dir, 'prefix');
    const installed = sh(NPM, ['install', '--global', '--prefix', prefix, '--prefer-offline', tarball], {
      cwd: dir,
    });
    installLog = installed.stdout + installed.stderr;
    expect(installed.code, installLog).toBe(0);
    pare = join(prefix, 'bin', 'pare');
  }, 180_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('installs without an install script of its own or of any dependency, so npm says nothing about one', () => {
    expect(installLog).not.toMatch(/install.scripts?|gyp|prebuild/i);
  });

  it('ships the built code, the grammar, the docs and the schemas, and no sources or tests', async () => {
    const installed = join(dir, 'prefix', 'lib', 'node_modules', 'pare');
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
