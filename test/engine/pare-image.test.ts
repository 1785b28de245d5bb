/**
 * pare's own container image: its Dockerfile is lint clean, pare optimize
 * makes it smaller with the same behaviour, and the small image it writes
 * builds with plain docker build and lints a Dockerfile on stdin exactly as
 * the pare on this machine does. node:20.20-bookworm-slim is a local stand-in
 * (.ci/bases/hub-node20-slim.Dockerfile: Debian 12 slim plus this machine's
 * Node 20 build), since Docker Hub cannot be reached.
 */
import { execFile, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OptimizeResult } from '../../src/optimize/optimize.js';
import { runPare } from '../helpers/cli.js';
import { describeWithEngine, engineGate } from './engine-gate.js';

const run = promisify(execFile);
const DOCKER = '/usr/bin/docker';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const gate = await engineGate();

/** A Dockerfile with findings of several rules, one of them fixable, to lint on stdin. */
const INPUT = [
  'FROM ubuntu:22.04',
  'RUN apt-get update',
  'RUN apt-get install -y build-essential curl',
  'COPY . /app',
  'RUN cd /app && make',
  'CMD ["/app/server"]',
  '',
].join('\n');

/** The build context as .dockerignore lets it through: the `!path` lines, plus the Dockerfile and .dockerignore. */
async function contextPaths(): Promise<string[]> {
  const ignore = await readFile(join(ROOT, '.dockerignore'), 'utf8');
  const allowed = ignore
    .split('\n')
    .filter((line) => line.startsWith('!'))
    .map((line) => line.slice(1).replace(/\/$/, ''));
  return ['Dockerfile', '.dockerignore', ...allowed];
}

describeWithEngine("pare's own image", gate, () => {
  let dir: string;
  const images: string[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-own-image-'));
    for (const path of await contextPaths()) await cp(join(ROOT, path), join(dir, path), { recursive: true });
  });
  afterAll(async () => {
    for (const image of images) await run(DOCKER, ['rmi', '-f', image]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('has a lint-clean Dockerfile', () => {
    const linted = runPare(['lint', join(dir, 'Dockerfile')]);
    expect(linted.stdout + linted.stderr).toMatch(/no size problems found/);
    expect(linted.code).toBe(0);
  });

  it('is made smaller by pare optimize, and the small image lints as this pare does', async () => {
    const ran = runPare(['optimize', dir, '--probe-cmd', 'rules apt-lists-not-removed', '--format', 'json']);
    expect(ran.code, ran.stderr).toBe(0);
    const result = JSON.parse(ran.stdout) as OptimizeResult;
    const original = result.candidates.find((c) => c.name === 'original')!;
    const chosen = result.candidates.find((c) => c.name === result.chosen)!;
    expect(result.chosen, JSON.stringify(result.notMade)).toBe('closure');
    expect(chosen.probe!.fingerprint).toBe(original.probe!.fingerprint);
    expect(chosen.measurement!.size).toBeLessThan(original.measurement!.size * 0.8);

    // The written Dockerfile builds on its own with plain docker build.
    const built = await run(DOCKER, ['build', '-q', '-f', join(dir, 'Dockerfile.pare'), dir], {
      env: { ...process.env, DOCKER_BUILDKIT: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const image = built.stdout.trim();
    images.push(image);

    const inImage = spawnSync(DOCKER, ['run', '--rm', '-i', image, 'lint', '-', '--format', 'json'], {
      input: INPUT,
      encoding: 'utf8',
    });
    const here = runPare(['lint', '-', '--format', 'json'], { input: INPUT });
    expect(here.code).toBe(1);
    expect(inImage.stderr).toBe('');
    expect(inImage.status).toBe(here.code);
    expect(JSON.parse(inImage.stdout)).toEqual(JSON.parse(here.stdout));
    expect(JSON.parse(here.stdout).summary.warnings).toBeGreaterThan(2);
  });
});
