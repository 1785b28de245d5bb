/**
 * Smoke probes that decide "still works": the same probe runs against the
 * original image and the candidate, and the candidate must answer as the
 * original did. Containers are always removed, also on failure.
 */
import { request } from 'node:http';
import { PareError } from '../util/errors.js';
import type { Engine, RunOptions } from './engine.js';

export type ProbeSpec =
  /** Run the image with these arguments (its ENTRYPOINT kept): exit code and stdout must match. */
  (
    | { kind: 'cmd'; args: string[] }
    /** Start the image and GET this port and path on 127.0.0.1: status and body must match. */
    | { kind: 'http'; port: number; path: string }
    /** Start the image with its own command: it must still run after `seconds`, or exit 0 and print what the original did. */
    | { kind: 'up'; seconds: number }
  ) & {
    /** Environment of every container the probe starts (apps that need settings to start). */
    env?: Record<string, string>;
  };

/** What the image's HEALTHCHECK said while the probe's container ran. */
export type HealthState = 'healthy' | 'unhealthy';

export interface ProbeObservation {
  /** One line saying what was seen, for reports. */
  summary: string;
  /** What must be equal between original and candidate. */
  fingerprint: string;
  ok: boolean;
  /** Why the probe could not get an answer (container exited, timeout). */
  error?: string;
  /** stderr/log tail when something went wrong. */
  logTail?: string;
  /** Present when the image has a HEALTHCHECK and its container was still running to be asked. */
  health?: { state: HealthState; detail: string };
}

export interface ProbeOptions {
  /** How long an HTTP probe waits for the first answer (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Replaces parts of how the container runs (the tracer wraps the command and mounts itself). */
  runOverrides?: Partial<RunOptions>;
  /**
   * The image's HEALTHCHECK test (`["CMD", …]` or `["CMD-SHELL", "…"]`), run in the probe's
   * container once it answers; `undefined` or `["NONE"]` asks nothing. With `expectHealthy`
   * false the check is skipped (the original never became healthy: nothing to compare).
   */
  healthcheck?: { test: string[]; shell?: string[] };
  expectHealthy?: boolean;
}

export function parseHttpProbe(text: string): ProbeSpec {
  const match = /^:(\d{1,5})(\/.*)?$/.exec(text.trim());
  const port = match ? Number(match[1]) : Number.NaN;
  if (!match || port < 1 || port > 65535) {
    throw new PareError(`expected :PORT/path, e.g. :8080/health, got "${text}"`, { subject: '--probe-http' });
  }
  return { kind: 'http', port, path: match[2] ?? '/' };
}

export async function observe(
  engine: Engine,
  image: string,
  spec: ProbeSpec,
  given: ProbeOptions = {},
): Promise<ProbeObservation> {
  const options: ProbeOptions = {
    ...given,
    ...(spec.env ? { runOverrides: { env: spec.env, ...given.runOverrides } } : {}),
    ...(spec.kind !== 'cmd' && given.healthcheck === undefined && given.expectHealthy !== false
      ? { healthcheck: await imageHealthcheck(engine, image) }
      : {}),
  };
  switch (spec.kind) {
    case 'cmd':
      return observeCommand(engine, image, spec.args, options);
    case 'http':
      return observeHttp(engine, image, spec.port, spec.path, options);
    case 'up':
      return observeUp(engine, image, spec.seconds, options);
  }
}

async function observeCommand(
  engine: Engine,
  image: string,
  args: string[],
  options: ProbeOptions,
): Promise<ProbeObservation> {
  const exit = await engine.run({
    ...(args.length > 0 ? { cmd: args } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...options.runOverrides,
    image,
    timeoutMs: options.timeoutMs ?? 60_000,
    detach: false,
  });
  if (exit.timedOut) {
    return {
      ok: false,
      summary: 'did not exit',
      fingerprint: 'timeout',
      error: `still running after ${(options.timeoutMs ?? 60_000) / 1000} s`,
      logTail: tail(exit.stderr),
    };
  }
  const fingerprint = `exit ${exit.exitCode}\n${exit.stdout}`;
  return {
    ok: true,
    summary: `exit ${exit.exitCode}, ${exit.stdout.length} bytes of stdout`,
    fingerprint,
    ...(exit.exitCode !== 0 ? { logTail: tail(exit.stderr) } : {}),
  };
}

/**
 * Starts `image` detached, hands its id to `use`, and removes it once `use` has
 * settled (awaited here, so the removal never races what `use` still reads).
 */
async function withDetached<T>(
  engine: Engine,
  image: string,
  options: ProbeOptions,
  run: Partial<RunOptions>,
  use: (id: string) => Promise<T>,
): Promise<T> {
  const container = await engine.run({
    ...(options.signal ? { signal: options.signal } : {}),
    ...options.runOverrides,
    ...run,
    image,
    detach: true,
  });
  try {
    return await use(container.id);
  } finally {
    await engine.remove(container.id);
  }
}

function observeUp(
  engine: Engine,
  image: string,
  seconds: number,
  options: ProbeOptions,
): Promise<ProbeObservation> {
  return withDetached(engine, image, options, {}, async (id) => {
    const code = await engine.wait(id, { timeoutMs: seconds * 1000 });
    if (code === undefined) {
      return withHealth(engine, id, options, {
        ok: true,
        summary: `still running after ${seconds} s`,
        fingerprint: 'up',
      });
    }
    const logs = await engine.logs(id);
    // A program that finishes on its own (a CLI) is compared by what it printed; a failing start is a failure.
    return {
      ok: code === 0,
      summary: `exited ${code} within ${seconds} s`,
      fingerprint: `exit ${code}\n${logs.stdout}`,
      ...(code !== 0
        ? {
            error: `the container exited with ${code} within ${seconds} s`,
            logTail: tail(logs.stderr || logs.stdout),
          }
        : {}),
    };
  });
}

function observeHttp(
  engine: Engine,
  image: string,
  port: number,
  path: string,
  options: ProbeOptions,
): Promise<ProbeObservation> {
  const ports = [{ container: port, hostIp: '127.0.0.1' }];
  return withDetached(engine, image, options, { ports }, async (id) => {
    let address: { host: string; port: number };
    try {
      address = await engine.port(id, port);
    } catch (error) {
      // A container that died at once has no published port any more: report the exit, not the lookup.
      const exited = await engine.wait(id, { timeoutMs: 2000 });
      if (exited === undefined) throw error;
      return await exitedBeforeAnswering(engine, id, exited, `:${port}${path}`);
    }
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    let lastError = 'no answer';
    while (Date.now() < deadline) {
      options.signal?.throwIfAborted();
      try {
        const response = await httpGet(address.host, address.port, path);
        return await withHealth(engine, id, options, {
          ok: true,
          summary: `HTTP ${response.status}, ${response.bytes} bytes`,
          fingerprint: `${response.status}\n${response.body}`,
        });
      } catch (error) {
        lastError = (error as Error).message;
      }
      // Stop polling as soon as the container has died: it will never answer.
      const exited = await engine.wait(id, { timeoutMs: 250 });
      if (exited !== undefined) return await exitedBeforeAnswering(engine, id, exited, `:${port}${path}`);
    }
    const logs = await engine.logs(id);
    return {
      ok: false,
      summary: 'no answer',
      fingerprint: 'timeout',
      error: `no HTTP answer on :${port}${path} within ${(options.timeoutMs ?? 30_000) / 1000} s (${lastError})`,
      logTail: tail(logs.stderr || logs.stdout),
    };
  });
}

async function exitedBeforeAnswering(
  engine: Engine,
  container: string,
  code: number,
  target: string,
): Promise<ProbeObservation> {
  const logs = await engine.logs(container);
  return {
    ok: false,
    summary: `exited ${code} before answering`,
    fingerprint: 'exited',
    error: `container exited with ${code} before answering on ${target}`,
    logTail: tail(logs.stderr || logs.stdout),
  };
}

function httpGet(
  host: string,
  port: number,
  path: string,
): Promise<{ status: number; body: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port, path, method: 'GET', timeout: 5000, headers: { connection: 'close' } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // Probe bodies are compared, not stored: a megabyte is plenty for a health endpoint.
          if (size <= 1 << 20) chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), bytes: size }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** How long the HEALTHCHECK may take to pass once the app answers: start periods are often 10–30 s. */
const HEALTH_DEADLINE_MS = 60_000;
const HEALTH_POLL_MS = 1000;
const HEALTH_TEST_TIMEOUT_MS = 30_000;

/**
 * Runs the image's HEALTHCHECK test in the probe's container, as the engine would (the
 * container's user, `CMD-SHELL` through the image's shell), until it passes or the deadline:
 * asking directly works the same with every engine and needs no health interval to elapse.
 */
async function withHealth(
  engine: Engine,
  container: string,
  options: ProbeOptions,
  observation: ProbeObservation,
): Promise<ProbeObservation> {
  const argv = healthcheckArgv(options.healthcheck);
  if (!argv || options.expectHealthy === false) return observation;
  const deadline = Date.now() + HEALTH_DEADLINE_MS;
  let last = '';
  for (;;) {
    options.signal?.throwIfAborted();
    // A test that hangs counts as failing after Docker's default HEALTHCHECK timeout.
    const timeout = AbortSignal.timeout(HEALTH_TEST_TIMEOUT_MS);
    const result = await engine
      .exec(container, argv, {
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      })
      .catch((error: unknown) => ({ exitCode: -1, stdout: '', stderr: (error as Error).message }));
    if (result.exitCode === 0)
      return { ...observation, health: { state: 'healthy', detail: 'the HEALTHCHECK passed' } };
    last = `exit ${result.exitCode}${lastLine(result.stderr || result.stdout)}`;
    if (Date.now() + HEALTH_POLL_MS > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
  return { ...observation, health: { state: 'unhealthy', detail: `the HEALTHCHECK did not pass (${last})` } };
}

async function imageHealthcheck(engine: Engine, image: string): Promise<ProbeOptions['healthcheck']> {
  const config = (await engine.imageInspect(image)).Config;
  const test = config?.Healthcheck?.Test;
  return test ? { test, ...(config?.Shell ? { shell: config.Shell } : {}) } : undefined;
}

/** The command a HEALTHCHECK test runs, or undefined for none (`NONE`, empty, or inherited nothing). */
export function healthcheckArgv(check: ProbeOptions['healthcheck']): string[] | undefined {
  const [kind, ...rest] = check?.test ?? [];
  if (kind === 'CMD' && rest.length > 0) return rest;
  if (kind === 'CMD-SHELL' && rest[0] !== undefined) return [...(check?.shell ?? ['/bin/sh', '-c']), rest[0]];
  return undefined;
}

function lastLine(text: string): string {
  const line = text.trim().split('\n').pop()?.trim();
  return line ? `: ${line.slice(0, 200)}` : '';
}

function tail(text: string, lines = 8): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Whether the candidate answered as the original did. */
export function sameBehaviour(
  original: ProbeObservation,
  candidate: ProbeObservation,
): { same: boolean; why?: string } {
  if (!candidate.ok) return { same: false, why: candidate.error ?? candidate.summary };
  if (original.health?.state === 'healthy' && candidate.health?.state !== 'healthy') {
    return {
      same: false,
      why: `the original became healthy, the candidate did not${candidate.health ? ` (${candidate.health.detail})` : ''}`,
    };
  }
  if (original.fingerprint === candidate.fingerprint) return { same: true };
  return { same: false, why: `original: ${original.summary}; optimized: ${candidate.summary}` };
}
