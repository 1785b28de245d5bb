/**
 * Finds a working container engine, trying in order: /usr/bin/docker (the
 * distribution's client: on Debian 12 it has BuildKit built in), `docker` on
 * PATH, then `podman` on PATH. `PARE_ENGINE=docker|podman` keeps only that
 * kind. A candidate counts only if its engine answers.
 *
 * The docker candidates talk to the engine the docker CLI resolves (see
 * ./docker-endpoint.js). Podman is tried after them only when nothing named
 * an engine and there is no docker socket, and pare says so: otherwise a named
 * engine that does not answer fails in one line naming it. When no candidate
 * works, the error names every candidate and why it was passed over, so the
 * user knows what to install or start.
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type CleanupRegistry, processCleanup } from './cleanup.js';
import { DockerCliEngine } from './docker-cli.js';
import {
  announcePodmanStandIn,
  type DockerEndpoint,
  describeDockerEndpoint,
  dockerUnreachable,
  podmanMayStandIn,
  resolveDockerEndpoint,
} from './docker-endpoint.js';
import type { Engine, EngineKind } from './engine.js';
import { EngineUnavailableError, lastMeaningfulLine } from './errors.js';
import { PodmanCliEngine } from './podman.js';
import { runProcess } from './process.js';

const SYSTEM_DOCKER = '/usr/bin/docker';
/** Environment variable that selects the engine kind (`docker` or `podman`) instead of trying both. */
export const ENGINE_ENV = 'PARE_ENGINE';

export interface EngineCandidate {
  kind: EngineKind;
  /** How the candidate is named in messages ("docker on PATH"). */
  label: string;
  /** The CLI to run; undefined when it is not installed. */
  binary: string | undefined;
  /** Why the candidate is skipped without probing (e.g. the same binary as an earlier one). */
  skip?: string;
}

export interface FindEngineOptions {
  env?: NodeJS.ProcessEnv;
  cleanup?: CleanupRegistry;
  /** Candidates in order of preference (default: defaultCandidates(env)). */
  candidates?: EngineCandidate[];
  /** Time allowed for each daemon to answer (default 15 s). */
  timeoutMs?: number;
  /** The docker engine (default: resolved from env as the docker CLI does). */
  endpoint?: DockerEndpoint;
}

export async function findEngine(options: FindEngineOptions = {}): Promise<Engine> {
  const env = options.env ?? process.env;
  const wanted = requestedEngine(env);
  const endpoint = wanted === 'podman' ? undefined : (options.endpoint ?? resolveDockerEndpoint(env));
  const podmanAllowed = wanted === 'podman' || (endpoint !== undefined && podmanMayStandIn(endpoint, env));
  const candidates = (options.candidates ?? defaultCandidates(env)).filter(
    (candidate) =>
      (wanted === undefined || candidate.kind === wanted) && (candidate.kind === 'docker' || podmanAllowed),
  );
  const host = endpoint ? describeDockerEndpoint(endpoint) : undefined;
  const tried: string[] = [];
  let unreachable: string | undefined;
  for (const candidate of candidates) {
    if (candidate.skip !== undefined) {
      tried.push(`${candidate.label} (${candidate.skip})`);
      continue;
    }
    if (candidate.binary === undefined) {
      tried.push(`${candidate.label} (not installed)`);
      continue;
    }
    const probe = await probeCandidate(
      candidate.kind,
      candidate.binary,
      env,
      options.timeoutMs ?? 15_000,
      host,
    );
    if (probe.ok) {
      const cleanup = options.cleanup ?? processCleanup;
      if (candidate.kind === 'podman') {
        if (wanted !== 'podman' && endpoint) announcePodmanStandIn(endpoint);
        return new PodmanCliEngine({ binary: candidate.binary, env, cleanup });
      }
      return new DockerCliEngine({
        binary: candidate.binary,
        env,
        cleanup,
        buildkit: probe.buildkit,
        ...(endpoint ? { host: endpoint.url } : {}),
      });
    }
    if (candidate.kind === 'docker' && probe.cause) unreachable ??= probe.cause;
    tried.push(`${candidate.label} (${probe.reason})`);
  }
  // A docker engine that is named or whose socket exists is the one to use: say it does not answer.
  if (endpoint && !podmanAllowed && unreachable !== undefined) throw dockerUnreachable(endpoint, unreachable);
  const asked = wanted === undefined ? '' : ` (${ENGINE_ENV}=${wanted})`;
  const notPodman =
    wanted === undefined && endpoint && !podmanAllowed
      ? `; podman not tried: ${endpoint.origin ? `${endpoint.origin} names a docker engine` : `${endpoint.socketPath ?? endpoint.url} exists`}`
      : '';
  throw new EngineUnavailableError(
    `no container engine found${asked}: tried ${tried.length > 0 ? tried.join(', ') : 'nothing'}${notPodman}`,
  );
}

/** The engine kind `PARE_ENGINE` asks for; undefined (unset or empty) means try docker, then podman. */
export function requestedEngine(env: NodeJS.ProcessEnv = process.env): EngineKind | undefined {
  const value = env[ENGINE_ENV]?.trim().toLowerCase();
  if (!value) return undefined;
  if (value === 'docker' || value === 'podman') return value;
  throw new EngineUnavailableError(`${ENGINE_ENV}=${env[ENGINE_ENV]}: expected docker or podman`);
}

function defaultCandidates(env: NodeJS.ProcessEnv = process.env): EngineCandidate[] {
  const system = isExecutable(SYSTEM_DOCKER) ? SYSTEM_DOCKER : undefined;
  const onPath = which('docker', env.PATH);
  const samePath = system !== undefined && onPath !== undefined && sameFile(system, onPath);
  const candidates: EngineCandidate[] = [
    { kind: 'docker', label: SYSTEM_DOCKER, binary: system },
    { kind: 'docker', label: 'docker on PATH', binary: onPath },
    { kind: 'podman', label: 'podman', binary: which('podman', env.PATH) },
  ];
  if (samePath) candidates[1]!.skip = `same as ${SYSTEM_DOCKER}`;
  return candidates;
}

/** A failed probe's reason names the host; `cause` is the same without it, when the daemon did not answer. */
type Probe = { ok: true; buildkit: boolean } | { ok: false; reason: string; cause?: string };

/** How each kind is asked whether it works. */
const PROBE_ARGS: Record<EngineKind, string[]> = {
  docker: ['version', '--format', '{{.Client.Version}}|{{.Server.Version}}'],
  podman: ['info', '--format', '{{.Version.Version}}'],
};

async function probeCandidate(
  kind: EngineKind,
  binary: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  dockerHost: string | undefined,
): Promise<Probe> {
  const host =
    kind === 'podman' ? env.CONTAINER_HOST || 'the podman service' : (dockerHost ?? 'the docker engine');
  let result: Awaited<ReturnType<typeof runProcess>>;
  try {
    result = await runProcess(binary, PROBE_ARGS[kind], { env, timeoutMs });
  } catch (error) {
    return { ok: false, reason: `cannot run it: ${(error as Error).message}` };
  }
  if (result.timedOut) {
    const cause = `no answer within ${timeoutMs / 1000} s`;
    return { ok: false, reason: `daemon not reachable at ${host}: ${cause}`, cause };
  }
  if (kind === 'podman') {
    // Local podman has no server: `podman version` has no .Server and fails on the template.
    // `podman info` opens the storage (local) or asks the service (remote), so it proves the engine works.
    if (result.exitCode !== 0 || result.stdout.trim() === '') {
      if (env.CONTAINER_HOST) return { ok: false, reason: describeUnreachable(host, result.stderr) };
      const line =
        lastMeaningfulLine(result.stderr)?.replace(/^Error:\s*/, '') ?? `exit code ${result.exitCode}`;
      return { ok: false, reason: `podman info failed: ${line}` };
    }
    return { ok: true, buildkit: false };
  }
  const [client = '', server = ''] = result.stdout.trim().split('|');
  if (result.exitCode !== 0 || server === '' || server === '<no value>') {
    return {
      ok: false,
      reason: describeUnreachable(host, result.stderr),
      cause: unreachableCause(result.stderr),
    };
  }
  return { ok: true, buildkit: await hasBuildKit(binary, client, env) };
}

/** Clients before 23 have BuildKit built in; later ones need the buildx plugin, else the classic builder is used. */
async function hasBuildKit(binary: string, clientVersion: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const major = Number.parseInt(clientVersion, 10);
  if (Number.isInteger(major) && major < 23) return true;
  const buildx = await runProcess(binary, ['buildx', 'version'], { env, timeoutMs: 15_000 }).catch(
    () => undefined,
  );
  return buildx?.exitCode === 0;
}

/** The CLI's complaint as a short reason: "daemon not reachable at unix:///var/run/docker.sock: …". */
export function describeUnreachable(host: string, stderr: string): string {
  const line = lastMeaningfulLine(stderr) ?? 'no answer';
  if (/permission denied/i.test(stderr)) {
    return `permission denied on ${host} (add the user to the docker group, or run as root)`;
  }
  const cannotConnect =
    /Cannot connect to the Docker daemon at (\S+?)\.? Is the docker daemon running\?/i.exec(stderr);
  if (cannotConnect) return `daemon not reachable at ${cannotConnect[1]}: is the docker daemon running?`;
  return `daemon not reachable at ${host}: ${line.replace(/^(Error|error):\s*/, '')}`;
}

/** Why the docker CLI could not reach its daemon, without the address (the caller names it). */
function unreachableCause(stderr: string): string {
  if (/permission denied/i.test(stderr)) {
    return 'permission denied (add the user to the docker group, or run as root)';
  }
  if (/Cannot connect to the Docker daemon/i.test(stderr)) return 'is the docker daemon running?';
  return (lastMeaningfulLine(stderr) ?? 'no answer').replace(/^(Error|error):\s*/, '');
}

export function which(program: string, path: string | undefined): string | undefined {
  for (const directory of (path ?? '').split(delimiter)) {
    if (directory === '') continue;
    const candidate = join(directory, program);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return a === b;
  }
}
