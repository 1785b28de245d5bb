/**
 * `pare inspect` end to end against real images: an image built with known
 * waste and leftovers is read through docker-daemon:, a `docker save` archive
 * and a real registry, and every path must report the same figures, agree with
 * `docker image inspect`, and enforce CI budgets.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { runPare } from '../helpers/cli.js';
import { BASE_IMAGE, describeWithEngine, engineGate } from './engine-gate.js';

const run = promisify(execFile);
const DOCKER = '/usr/bin/docker';
const id = randomBytes(4).toString('hex');
const TAG = `pare-test/inspect:${id}`;
const REGISTRY = process.env.PARE_TEST_REGISTRY ?? '127.0.0.1:5000';
const PUSHED = `${REGISTRY}/pare-test/inspect-cli:latest`;
const gate = await engineGate();

interface InspectJson {
  size: { contentBytes: number; finalBytes: number };
  layers: Array<{
    instruction: string;
    diffId: string;
    contentBytes: number;
    dockerfile?: { startLine: number } | null;
  }>;
  efficiency: { dive: { wastedBytes: number; efficiency: number }; pare: { wastedBytes: number } };
  leftovers: Array<{ detector: string; bytes: number; paths: string[] }>;
}

function inspect(args: string[]) {
  const result = runPare(['inspect', ...args, '--format', 'json']);
  expect(result.stderr, result.stderr).not.toMatch(/error/);
  return { ...result, json: JSON.parse(result.stdout) as InspectJson };
}

describeWithEngine('pare inspect on real images', gate, (engine: Engine) => {
  let context: string;
  let archive: string;
  const dockerfile = [
    `FROM ${BASE_IMAGE}`,
    '# 4 MB written, then deleted in a later layer: wasted',
    'RUN head -c 4000000 /dev/urandom > /blob.bin',
    'RUN rm /blob.bin',
    '# a fake pip cache and a .git directory: leftovers',
    'RUN mkdir -p /root/.cache/pip/wheels /app/.git && head -c 2000000 /dev/urandom > /root/.cache/pip/wheels/x.whl && head -c 300000 /dev/urandom > /app/.git/pack',
    'CMD ["true"]',
    '',
  ].join('\n');

  beforeAll(async () => {
    context = await mkdtemp(join(tmpdir(), 'pare-inspect-e2e-'));
    await writeFile(join(context, 'Dockerfile'), dockerfile);
    await engine.build({ context, tag: TAG, temporary: true });
    archive = join(context, 'image.tar');
    await run(DOCKER, ['save', '-o', archive, TAG]);
  });

  afterAll(async () => {
    await engine.removeImage(TAG, { force: true });
    await engine.removeImage(PUSHED, { force: true });
    await rm(context, { recursive: true, force: true });
  });

  it('reports the waste, the leftovers and the instruction of each layer (docker-daemon:)', async () => {
    const { json } = inspect([`docker-daemon:${TAG}`]);
    const dockerInspect = await engine.imageInspect(TAG);
    expect(json.layers.map((layer) => layer.diffId)).toEqual(dockerInspect.RootFS.Layers);
    // Docker's Size is the sum of what the layers store.
    expect(json.size.contentBytes).toBe(dockerInspect.Size);
    expect(json.efficiency.pare.wastedBytes).toBeGreaterThanOrEqual(4_000_000);
    expect(json.efficiency.pare.wastedBytes).toBeLessThan(4_100_000);
    expect(json.efficiency.dive.wastedBytes).toBeGreaterThanOrEqual(4_000_000);
    expect(json.layers.map((layer) => layer.instruction)).toContain('RUN rm /blob.bin');
    const byDetector = Object.fromEntries(json.leftovers.map((leftover) => [leftover.detector, leftover]));
    expect(byDetector['package-cache']?.bytes).toBeGreaterThanOrEqual(2_000_000);
    expect(byDetector['vcs-metadata']?.paths).toContain('/app/.git');
  });

  it('reads a docker save archive to the same figures', async () => {
    const daemon = inspect([`docker-daemon:${TAG}`]).json;
    const saved = inspect([`docker-archive:${archive}`]).json;
    expect(saved.size).toEqual(daemon.size);
    expect(saved.efficiency).toEqual(daemon.efficiency);
    const fast = inspect([`docker-archive:${archive}`, '--no-verify']).json;
    expect(fast.efficiency).toEqual(daemon.efficiency);
  });

  it('reads the same image pushed to a real registry', async () => {
    await run(DOCKER, ['tag', TAG, PUSHED]);
    await run(DOCKER, ['push', PUSHED]);
    const pushed = inspect([PUSHED]).json;
    const daemon = inspect([`docker-daemon:${TAG}`]).json;
    expect(pushed.size.finalBytes).toBe(daemon.size.finalBytes);
    expect(pushed.efficiency.pare.wastedBytes).toBe(daemon.efficiency.pare.wastedBytes);
    expect(pushed.layers.map((layer) => layer.diffId)).toEqual(daemon.layers.map((layer) => layer.diffId));
  });

  it('maps layers to Dockerfile lines with --dockerfile', async () => {
    const { json } = inspect([`docker-daemon:${TAG}`, '--dockerfile', join(context, 'Dockerfile')]);
    const rm = json.layers.find((layer) => layer.instruction === 'RUN rm /blob.bin');
    expect(rm?.dockerfile?.startLine).toBe(4);
  });

  it('fails CI budgets with one line each and exit 1', () => {
    const result = runPare([
      'inspect',
      `docker-daemon:${TAG}`,
      '--max-wasted',
      '1MB',
      '--max-size',
      '1MB',
      '--min-efficiency',
      '99.9',
    ]);
    expect(result.code).toBe(1);
    const budgetLines = result.stderr.split('\n').filter((line) => /budget|exceed|below/i.test(line));
    expect(budgetLines.length).toBeGreaterThanOrEqual(3);
    expect(runPare(['inspect', `docker-daemon:${TAG}`, '--max-size', '10GB']).code).toBe(0);
  });

  it('names a missing image clearly, exit 2', () => {
    const result = runPare(['inspect', `docker-daemon:pare-test/no-such-image:${id}`]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/no-such-image/);
  });
});
