/**
 * A final stage with no shell and no tar (the distroless way: a binary, glibc
 * and the loader on scratch): the closure is picked in a stage of the file that
 * has GNU tar, with the shipped stage mounted, and the written Dockerfile builds
 * on its own with plain docker build.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OptimizeResult } from '../../src/optimize/optimize.js';
import { runPare } from '../helpers/cli.js';
import { describeWithEngine, engineGate } from './engine-gate.js';

const run = promisify(execFile);
const DOCKER = '/usr/bin/docker';
const FIXTURE = new URL('../fixtures/closure/c-distroless', import.meta.url);
const gate = await engineGate();

describeWithEngine('pare optimize: the closure of a final stage without a shell', gate, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-closure-pick-'));
    await cp(FIXTURE, dir, { recursive: true });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('picks in the builder stage with the shipped stage mounted, and behaves the same', async () => {
    const ran = runPare(['optimize', dir, '--probe-cmd', "'two words' three", '--format', 'json']);
    expect(ran.code, ran.stderr).toBe(0);
    const result = JSON.parse(ran.stdout) as OptimizeResult;
    const closure = result.candidates.find((c) => c.name === 'closure');
    expect(closure, JSON.stringify(result.notMade)).toBeDefined();
    expect(closure!.failure).toBeUndefined();
    expect(closure!.probe!.fingerprint).toBe('exit 0\n3 words\n');
    expect(closure!.dockerfile).toMatch(
      /^FROM build AS pare-pick\n.*\nRUN --mount=type=bind,from=pare-app,target=\/\.pare-app \["\/bin\/sh"/ms,
    );
    // Whichever candidate won, the closure's Dockerfile builds on its own where it would be written.
    if (result.chosen === 'closure') {
      const { stdout } = await run(DOCKER, ['build', '-q', '-f', join(dir, 'Dockerfile.pare'), dir], {
        env: { ...process.env, DOCKER_BUILDKIT: '1' },
      });
      const answer = await run(DOCKER, ['run', '--rm', stdout.trim(), 'a b c']);
      expect(answer.stdout).toBe('3 words\n');
      await run(DOCKER, ['rmi', '-f', stdout.trim()]).catch(() => undefined);
      expect(await readFile(join(dir, 'Dockerfile.pare.keep'), 'utf8')).toMatch(
        /^\/usr\/local\/bin\/wordcount$/m,
      );
    }
  });
});
