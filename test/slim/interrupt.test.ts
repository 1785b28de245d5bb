/**
 * Ctrl-C (or SIGTERM) in the middle of `pare slim` (the built CLI, as a user
 * runs it): one line on stderr, the process ends by the signal as it would
 * without pare (a shell reports 130 or 143), the input is untouched, and
 * neither the work directory nor a half-written output is left. The child gets
 * its own TMPDIR so "nothing left" is checked exactly. Needs no engine.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARE_BIN } from '../helpers/cli.js';
import { buildImage, dir, file, writeDockerArchive } from '../helpers/image-writer.js';

let work: string;
let input: string;
let inputHash: string;
/** Tens of thousands of empty entries: writing them settles in microtasks only. */
let manyEntries: string;

async function hashOf(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pare-interrupt-test-'));
  input = join(work, 'in.tar');
  // Big enough that slimming takes seconds: ~160 MB of contents, written out again as gzip.
  await writeDockerArchive(input, [
    buildImage({
      layers: [
        { entries: [dir('data'), file('data/a', { size: 80_000_000, seed: 1 })] },
        { entries: [file('data/b', { size: 80_000_000, seed: 2 })] },
      ],
    }),
  ]);
  inputHash = await hashOf(input);
  manyEntries = join(work, 'many.tar');
  const entries = Array.from({ length: 400 }, (_, d) => [
    dir(`d${d}`),
    ...Array.from({ length: 100 }, (_, f) => file(`d${d}/f${f}`, '')),
  ]).flat();
  await writeDockerArchive(manyEntries, [buildImage({ layers: [{ entries }] })]);
}, 60_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
}

/** Runs `pare slim` and sends `signal` (default SIGINT) once `ready(tmp, outDir)` holds. */
async function interruptWhen(
  name: string,
  argsFor: (outDir: string) => string[],
  ready: (entries: { tmp: string[]; out: string[] }) => boolean,
  options: { signal?: NodeJS.Signals; input?: string } = {},
): Promise<Run & { tmp: string; outDir: string; sawReady: boolean }> {
  const tmp = join(work, `${name}-tmp`);
  const outDir = join(work, `${name}-out`);
  await mkdir(tmp);
  await mkdir(outDir);
  const from = `docker-archive:${options.input ?? input}`;
  const child = spawn(process.execPath, [PARE_BIN, 'slim', from, ...argsFor(outDir)], {
    env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let exited = false;
  void ended.then(() => {
    exited = true;
  });
  let sawReady = false;
  while (!exited) {
    if (ready({ tmp: await readdir(tmp), out: await readdir(outDir) })) {
      sawReady = true;
      child.kill(options.signal ?? 'SIGINT');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const { code, signal } = await ended;
  return { code, signal, stderr, stdout, tmp, outDir, sawReady };
}

function args(output: string, ...extra: string[]): (outDir: string) => string[] {
  return (outDir) => ['--output', `${output}:${join(outDir, 'slim.tar')}`, ...extra];
}

describe('pare slim on Ctrl-C', () => {
  it('removes its work directory, writes nothing and says so in one line', async () => {
    // Once the spool file exists, slimming is well under way.
    const run = await interruptWhen('work', args('docker-archive'), ({ tmp }) =>
      tmp.some(
        (name) => name.startsWith('pare-slim-') && existsSync(join(work, 'work-tmp', name, 'contents')),
      ),
    );
    expect(run.sawReady, `pare finished before it could be interrupted: ${run.stdout}`).toBe(true);
    // Ended by the signal, as without pare (a shell reports 130), like `pare optimize`.
    expect(run.signal ?? run.code).toSatisfy((end: unknown) => end === 'SIGINT' || end === 130);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pare: interrupted \(SIGINT\); removing temporary directory .*pare-slim-/);
    expect(await readdir(run.tmp)).toEqual([]);
    expect(await readdir(run.outDir)).toEqual([]);
    expect(await hashOf(input)).toBe(inputHash);
  }, 60_000);

  it('removes a half-written output', async () => {
    // Uncompressed, so copying the layers into the output takes long enough to catch.
    const run = await interruptWhen('output', args('oci-archive', '--compression', 'none'), ({ out }) =>
      out.some((name) => name.includes('.pare-') && name.endsWith('.tmp')),
    );
    expect(run.sawReady, `pare finished before it could be interrupted: ${run.stdout}`).toBe(true);
    expect(run.signal ?? run.code).toSatisfy((end: unknown) => end === 'SIGINT' || end === 130);
    expect(run.stderr).toMatch(/^pare: interrupted \(SIGINT\); removing 2 temporary resources\n$/);
    expect(await readdir(run.tmp)).toEqual([]);
    expect(await readdir(run.outDir)).toEqual([]);
    expect(await hashOf(input)).toBe(inputHash);
  }, 60_000);

  it('answers SIGTERM while writing thousands of entries, without a stack trace', async () => {
    const run = await interruptWhen(
      'entries',
      args('oci'),
      ({ tmp }) =>
        tmp.some(
          (name) => name.startsWith('pare-slim-') && existsSync(join(work, 'entries-tmp', name, 'layer-0')),
        ),
      { signal: 'SIGTERM', input: manyEntries },
    );
    expect(run.sawReady, `pare finished before it could be interrupted: ${run.stdout}`).toBe(true);
    expect(run.signal ?? run.code).toSatisfy((end: unknown) => end === 'SIGTERM' || end === 143);
    expect(run.stderr).toMatch(
      /^pare: interrupted \(SIGTERM\); removing temporary directory .*pare-slim-\w+\n$/,
    );
    expect(await readdir(run.tmp)).toEqual([]);
    expect(await readdir(run.outDir)).toEqual([]);
  }, 60_000);
});
