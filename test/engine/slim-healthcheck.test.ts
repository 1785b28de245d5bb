/**
 * `pare slim --minimal` on an image whose HEALTHCHECK runs curl through the
 * shell: what the HEALTHCHECK runs is kept (the shell, curl and its
 * libraries), the proof asks the HEALTHCHECK in both images, and the
 * probe's environment reaches the entrypoint script that requires it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runPare } from '../helpers/cli.js';
import { describeWithEngine, engineGate } from './engine-gate.js';

const run = promisify(execFile);
const DOCKER = '/usr/bin/docker';
const FIXTURE = new URL('../fixtures/closure/py-entrypoint', import.meta.url).pathname;
const ORIGINAL = 'pare-test/slim-health:original';
const SLIM = 'pare-test/slim-health:minimal';
const gate = await engineGate();

describeWithEngine('pare slim --minimal keeps what the HEALTHCHECK runs', gate, () => {
  beforeAll(async () => {
    await run(DOCKER, ['build', '-q', '-t', ORIGINAL, FIXTURE], {
      env: { ...process.env, DOCKER_BUILDKIT: '1' },
    });
  });
  afterAll(async () => {
    await run(DOCKER, ['rmi', '-f', ORIGINAL, SLIM]).catch(() => undefined);
  });

  it('keeps curl and the shell, and proves the slim image healthy', async () => {
    const slim = runPare([
      'slim',
      `docker-daemon:${ORIGINAL}`,
      '--minimal',
      '--tag',
      SLIM,
      '--probe-http',
      ':8080/api/stock',
      '--probe-env',
      'INVENTORY_TOKEN=s3cret',
    ]);
    expect(slim.code, slim.stderr).toBe(0);
    expect(slim.stdout).toMatch(
      /^check healthcheck: ok: original: the HEALTHCHECK passed; slim: the HEALTHCHECK passed$/m,
    );
    expect(slim.stdout).toContain('verdict: same behaviour');
    const { stdout } = await run(DOCKER, [
      'run',
      '--rm',
      '--entrypoint',
      '/bin/sh',
      SLIM,
      '-c',
      'command -v curl && curl --version',
    ]);
    // (head is not in the image: nothing the app or its HEALTHCHECK runs needs it.)
    expect(stdout).toMatch(/^\/usr\/bin\/curl\ncurl \d/);
  });
});
