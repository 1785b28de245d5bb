/**
 * pare as a user installs it: `npm pack`, then a global install of the tarball
 * into a fresh prefix. Needs `npm run build` first (npm test does it); the
 * install reads npm's cache first (`--prefer-offline`), which `npm ci` has filled.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, without colours or npm's notices. */
export function sh(command: string, args: string[], options: { cwd?: string; input?: string } = {}): Ran {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false' },
    ...options,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface PackedInstall {
  /** A fresh directory holding the tarball and the prefix; the caller removes it. */
  dir: string;
  /** The installed command. */
  pare: string;
  /** The installed package's directory. */
  installed: string;
  /** What npm printed while installing. */
  installLog: string;
}

export async function installPackedPare(): Promise<PackedInstall> {
  expect(existsSync(join(ROOT, 'dist', 'index.js')), 'run npm run build first').toBe(true);
  const dir = await mkdtemp(join(tmpdir(), 'pare-packed-'));
  // dist/ is built already; --ignore-scripts skips the prepack script's second build.
  const packed = sh(NPM, ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], { cwd: ROOT });
  expect(packed.code, packed.stderr).toBe(0);
  const tarball = join(dir, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
  const prefix = join(dir, 'prefix');
  const installed = sh(NPM, ['install', '--global', '--prefix', prefix, '--prefer-offline', tarball], {
    cwd: dir,
  });
  const installLog = installed.stdout + installed.stderr;
  expect(installed.code, installLog).toBe(0);
  return {
    dir,
    pare: join(prefix, 'bin', 'pare'),
    installed: join(prefix, 'lib', 'node_modules', 'pare'),
    installLog,
  };
}
