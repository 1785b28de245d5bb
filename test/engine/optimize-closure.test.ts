/**
 * The runtime-closure candidate on an app in the shape teams ship: an
 * entrypoint script that refuses to start without its secret, curl installed
 * for the HEALTHCHECK, an unprivileged user, labels and a stop signal. pare
 * must prove it with the probe's environment, write a Dockerfile.pare that
 * builds on its own with plain `docker build`, keep the image config field for
 * field, keep the HEALTHCHECK passing, and `--check` must notice when the app
 * starts to need something the keep list does not hold.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OptimizeResult } from '../../src/optimize/optimize.js';
import { runPare } from '../helpers/cli.js';
import { keptAndOriginal } from '../helpers/optimize-result.js';
import { describeWithEngine, engineGate } from './engine-gate.js';

const run = promisify(execFile);
const DOCKER = '/usr/bin/docker';
const FIXTURE = new URL('../fixtures/closure/py-entrypoint', import.meta.url);
const PROBE = ['--probe-http', ':8080/api/stock', '--probe-env', 'INVENTORY_TOKEN=s3cret'];
const gate = await engineGate();

/** The parts of an image config a Dockerfile sets. */
async function configOf(image: string) {
  const { stdout } = await run(DOCKER, ['image', 'inspect', '-f', '{{json .Config}}', image]);
  const config = JSON.parse(stdout) as Record<string, unknown>;
  const fields = ['Env', 'Entrypoint', 'Cmd', 'User', 'WorkingDir', 'ExposedPorts', 'Labels', 'Healthcheck'];
  return Object.fromEntries([...fields, 'StopSignal'].map((field) => [field, config[field]]));
}

async function dockerBuild(dir: string, dockerfile: string, tag: string) {
  await run(DOCKER, ['build', '-q', '-f', join(dir, dockerfile), '-t', tag, dir], {
    env: { ...process.env, DOCKER_BUILDKIT: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

describeWithEngine('pare optimize: the runtime closure of an app with an entrypoint script', gate, () => {
  let dir: string;
  let result: OptimizeResult;
  const tags = ['pare-test/closure:original', 'pare-test/closure:pare'];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-closure-'));
    await cp(FIXTURE, dir, { recursive: true });
  });
  afterAll(async () => {
    await run(DOCKER, ['rmi', '-f', ...tags]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses with the app’s own words when the original cannot start without its environment', () => {
    const refused = runPare(['optimize', dir, '--probe-http', ':8080/api/stock', '--no-closure']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/the original image does not pass the probe/);
    expect(refused.stderr).toContain('docker-entrypoint.sh: INVENTORY_TOKEN must be set');
  });

  it('keeps the closure: much smaller, same answer, healthy, written with its keep list', async () => {
    const ran = runPare(['optimize', dir, ...PROBE, '--format', 'json']);
    expect(ran.code, ran.stderr).toBe(0);
    result = JSON.parse(ran.stdout) as OptimizeResult;
    expect(result.chosen, JSON.stringify(result.candidates.map((c) => [c.name, c.failure]))).toBe('closure');
    const { original, kept } = keptAndOriginal(result);
    expect(original.probe!.health?.state).toBe('healthy');
    expect(kept.probe!.health?.state).toBe('healthy');
    expect(kept.measurement!.size).toBeLessThan(original.measurement!.size * 0.6);
    expect(result.keepList).toBe(join(dir, 'Dockerfile.pare.keep'));
    const keep = await readFile(result.keepList!, 'utf8');
    // What the entrypoint script and the HEALTHCHECK run, and the app whole.
    for (const path of [
      '/usr/bin/dash',
      '/usr/bin/curl',
      '/usr/local/bin/docker-entrypoint.sh',
      '/srv/inventory',
    ]) {
      expect(keep.split('\n')).toContain(path);
    }
    expect(keep).not.toMatch(/^\/usr\/bin\/perl$/m);
  });

  it('builds on its own with plain docker build, with the config of the original field for field', async () => {
    await dockerBuild(dir, 'Dockerfile', tags[0]!);
    await dockerBuild(dir, 'Dockerfile.pare', tags[1]!);
    expect(await configOf(tags[1]!)).toEqual(await configOf(tags[0]!));
    // Owners and modes came through tar and COPY --from: the user's home is still theirs.
    const stat = "import os; s = os.stat('/home/inventory'); print(s.st_uid, oct(s.st_mode & 0o7777))";
    const owners = await Promise.all(
      tags.map((tag) => run(DOCKER, ['run', '--rm', '--entrypoint', 'python3', tag, '-c', stat])),
    );
    expect(owners[1]!.stdout).toBe(owners[0]!.stdout);
    expect(owners[1]!.stdout).toMatch(/^10001 /);
  });

  it("becomes healthy under the engine's own HEALTHCHECK", async () => {
    const { stdout } = await run(DOCKER, ['run', '-d', '-e', 'INVENTORY_TOKEN=s3cret', tags[1]!]);
    const container = stdout.trim();
    try {
      let status = '';
      for (let i = 0; i < 40 && status !== 'healthy'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        ({ stdout: status } = await run(DOCKER, ['inspect', '-f', '{{.State.Health.Status}}', container]));
        status = status.trim();
      }
      expect(status).toBe('healthy');
    } finally {
      await run(DOCKER, ['rm', '-f', container]);
    }
  });

  it('--check passes while nothing changed, and names what a changed app needs', async () => {
    const fresh = runPare(['optimize', dir, ...PROBE, '--check']);
    expect(fresh.code, fresh.stdout + fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(/keep list holds everything the app reaches/);

    // The app now shells out to ps at start: a program the closure does not have.
    const main = join(dir, 'app/__main__.py');
    const text = await readFile(main, 'utf8');
    await writeFile(
      main,
      text.replace(
        'import json\n',
        'import json\nimport subprocess\nsubprocess.run(["ps", "-e"], check=True, capture_output=True)\n',
      ),
    );
    const stale = runPare(['optimize', dir, ...PROBE, '--check']);
    expect(stale.code, stale.stdout + stale.stderr).toBe(1);
    expect(stale.stdout).toMatch(/Dockerfile\.pare\.keep is stale/);
    expect(stale.stdout).toMatch(/^ {2}\/usr\/bin\/ps {2}\(/m);
    expect(stale.stdout).toMatch(/run pare optimize again/);
  });
});
