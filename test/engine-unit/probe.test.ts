/**
 * The probe's verdicts against an engine double: what "ok" means for each
 * probe kind, that the probe's environment reaches the container, that the
 * HEALTHCHECK is asked in the probe's container and compared, and that body
 * sizes are bytes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, ExecResult, ImageInspect, RunOptions } from '../../src/engine/engine.js';
import { healthcheckArgv, observe, type ProbeObservation, sameBehaviour } from '../../src/engine/probe.js';

interface Scenario {
  /** Exit code once started, or undefined while it runs. */
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  healthcheck?: string[];
  /** Exit codes of successive HEALTHCHECK runs (the last repeats). */
  healthExits?: number[];
}

function fakeEngine(scenario: Scenario, port: number) {
  const runs: RunOptions[] = [];
  const execs: string[][] = [];
  let healthCalls = 0;
  const engine = {
    kind: 'docker',
    async imageInspect(): Promise<ImageInspect> {
      return {
        Config: scenario.healthcheck ? { Healthcheck: { Test: scenario.healthcheck } } : {},
      } as unknown as ImageInspect;
    },
    async run(options: RunOptions) {
      runs.push(options);
      if (options.detach) return { id: 'c1', name: 'c1' };
      return {
        id: 'c1',
        name: 'c1',
        exitCode: scenario.exitCode ?? 0,
        timedOut: false,
        stdout: scenario.stdout ?? '',
        stderr: scenario.stderr ?? '',
      };
    },
    async wait(_id: string, options: { timeoutMs?: number } = {}) {
      if (scenario.exitCode === undefined) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(options.timeoutMs ?? 0, 20)));
        return undefined;
      }
      return scenario.exitCode;
    },
    async logs() {
      return { stdout: scenario.stdout ?? '', stderr: scenario.stderr ?? '' };
    },
    async remove() {},
    async port() {
      return { host: '127.0.0.1', port };
    },
    async exec(_id: string, argv: string[]): Promise<ExecResult> {
      execs.push(argv);
      const exits = scenario.healthExits ?? [0];
      const exitCode = exits[Math.min(healthCalls++, exits.length - 1)]!;
      return { exitCode, stdout: '', stderr: exitCode === 0 ? '' : 'curl: (7) Failed to connect' };
    },
  };
  return { engine: engine as unknown as Engine, runs, execs };
}

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((_req, res) => res.end('{"name":"café"}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('observe', () => {
  it.each<[string, Scenario, { ok: boolean; summary: RegExp }]>([
    ['a server that stays up is up', {}, { ok: true, summary: /still running after 0\.05 s/ }],
    [
      'a CLI that exits 0 is compared by what it printed',
      { exitCode: 0, stdout: 'v1\n' },
      { ok: true, summary: /exited 0/ },
    ],
    [
      'a start that fails is a failure, not a behaviour to copy',
      { exitCode: 1, stderr: 'MongoParseError: Invalid scheme' },
      { ok: false, summary: /exited 1/ },
    ],
  ])('up: %s', async (_name, scenario, expected) => {
    const { engine } = fakeEngine(scenario, port);
    const seen = await observe(engine, 'img', { kind: 'up', seconds: 0.05 });
    expect(seen.ok).toBe(expected.ok);
    expect(seen.summary).toMatch(expected.summary);
    if (!seen.ok) expect(seen.logTail).toContain('MongoParseError');
  });

  it('passes the probe environment to the container', async () => {
    const { engine, runs } = fakeEngine({}, port);
    await observe(engine, 'img', { kind: 'up', seconds: 0.05, env: { MONGO_URL: 'mongodb://db:27017/app' } });
    expect(runs[0]!.env).toEqual({ MONGO_URL: 'mongodb://db:27017/app' });
  });

  it('counts HTTP body sizes in bytes, not characters', async () => {
    const { engine } = fakeEngine({}, port);
    const seen = await observe(engine, 'img', { kind: 'http', port: 80, path: '/' });
    expect(seen.summary).toBe('HTTP 200, 16 bytes');
  });

  it.each<[string, Scenario, ProbeObservation['health']]>([
    [
      'CMD-SHELL through /bin/sh, healthy once it passes',
      { healthcheck: ['CMD-SHELL', 'curl -fsS localhost:3000/health'], healthExits: [7, 0] },
      { state: 'healthy', detail: 'the HEALTHCHECK passed' },
    ],
    ['no HEALTHCHECK: nothing asked', {}, undefined],
    ['HEALTHCHECK NONE: nothing asked', { healthcheck: ['NONE'] }, undefined],
  ])('health: %s', async (_name, scenario, health) => {
    const { engine, execs } = fakeEngine(scenario, port);
    const seen = await observe(engine, 'img', { kind: 'http', port: 80, path: '/' });
    expect(seen.health).toEqual(health);
    if (health) expect(execs[0]).toEqual(['/bin/sh', '-c', 'curl -fsS localhost:3000/health']);
    else expect(execs).toEqual([]);
  });

  it('skips the HEALTHCHECK when the original never became healthy', async () => {
    const { engine, execs } = fakeEngine({ healthcheck: ['CMD', 'true'] }, port);
    const seen = await observe(engine, 'img', { kind: 'up', seconds: 0.05 }, { expectHealthy: false });
    expect(seen.health).toBeUndefined();
    expect(execs).toEqual([]);
  });
});

describe('healthcheckArgv', () => {
  it.each([
    [['CMD', 'node', 'healthcheck.js'], undefined, ['node', 'healthcheck.js']],
    [
      ['CMD-SHELL', 'wget -qO- localhost'],
      ['/bin/bash', '-o', 'pipefail', '-c'],
      ['/bin/bash', '-o', 'pipefail', '-c', 'wget -qO- localhost'],
    ],
    [['NONE'], undefined, undefined],
    [['CMD'], undefined, undefined],
  ])('%j', (test, shell, argv) => {
    expect(healthcheckArgv({ test, ...(shell ? { shell } : {}) })).toEqual(argv);
  });
});

describe('sameBehaviour', () => {
  const answer = (health?: ProbeObservation['health']): ProbeObservation => ({
    ok: true,
    summary: 'HTTP 200, 2 bytes',
    fingerprint: '200\nok',
    ...(health ? { health } : {}),
  });
  it('a candidate must become healthy when the original did', () => {
    const verdict = sameBehaviour(
      answer({ state: 'healthy', detail: 'the HEALTHCHECK passed' }),
      answer({ state: 'unhealthy', detail: 'the HEALTHCHECK did not pass (exit 127: sh: curl: not found)' }),
    );
    expect(verdict).toEqual({
      same: false,
      why: 'the original became healthy, the candidate did not (the HEALTHCHECK did not pass (exit 127: sh: curl: not found))',
    });
  });
  it('an original that never became healthy puts no demand on the candidate', () => {
    expect(sameBehaviour(answer({ state: 'unhealthy', detail: 'x' }), answer())).toEqual({ same: true });
  });
});
