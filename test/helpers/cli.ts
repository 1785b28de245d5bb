import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const PARE_BIN = fileURLToPath(new URL('../../bin/pare.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The project's promise for bad input: exit 2 and one line on stderr, `pare: error: …`,
 * matching `pattern`. Returns that line for checks of the caller's own.
 */
export function expectOneErrorLine(result: CliResult, pattern: RegExp): string {
  expect(result.code).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^pare: error: /);
  expect(lines[0]).toMatch(pattern);
  return lines[0]!;
}

/** Runs the built CLI (npm test builds first) as a user would. */
export function runPare(
  args: string[],
  options: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const result = spawnSync(process.execPath, [PARE_BIN, ...args], {
    input: options.input,
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface CliRun extends CliResult {
  /** The signal that ended the process, when one did. */
  signal: NodeJS.Signals | null;
}

/**
 * Runs the built CLI without blocking this process, for tests whose other end
 * (a fake registry, a signal sender) lives in the test process itself.
 * `onStderr` sees stderr as it arrives, e.g. to signal the child mid-run.
 */
export function runPareAsync(
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    onStderr?: (text: string, child: ChildProcess) => void;
    onStdout?: (text: string, child: ChildProcess) => void;
  } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [PARE_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    options.onStdout?.(stdout, child);
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    options.onStderr?.(stderr, child);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
}
