/**
 * Which Docker engine pare talks to, resolved the way the docker CLI resolves
 * it, so that pare and `docker` never disagree: DOCKER_HOST; else the context
 * DOCKER_CONTEXT names; else `currentContext` in $DOCKER_CONFIG/config.json
 * (default ~/.docker); else the default socket. A named context is read from
 * contexts/meta/<sha256 of its name>/meta.json and its TLS files from
 * contexts/tls/<sha256>/docker/. DOCKER_TLS_VERIFY and DOCKER_CERT_PATH apply
 * to a tcp DOCKER_HOST, as they do for the CLI's default context.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PareError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import type { EngineEndpoint, EngineTls } from './engine-api.js';
import { EngineUnavailableError } from './errors.js';

const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
const DEFAULT_DOCKER_HOST = `unix://${DEFAULT_DOCKER_SOCKET}`;
/** The context name the docker CLI reserves for "DOCKER_HOST or the default socket". */
const DEFAULT_CONTEXT = 'default';

export interface DockerEndpoint extends EngineEndpoint {
  /**
   * What named this engine, for messages: "DOCKER_HOST", "DOCKER_CONTEXT=remote",
   * "current context remote in /home/me/.docker/config.json". Undefined when
   * nothing did and this is the default socket.
   */
  origin?: string;
}

export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG && env.DOCKER_CONFIG !== '' ? env.DOCKER_CONFIG : join(homedir(), '.docker');
}

/** The engine the docker CLI would talk to with this environment. */
export function resolveDockerEndpoint(env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const host = env.DOCKER_HOST?.trim();
  if (host) {
    const tls = env.DOCKER_TLS_VERIFY
      ? readTlsDirectory(env.DOCKER_CERT_PATH || dockerConfigDir(env))
      : undefined;
    return { ...parseDockerHost(host, 'DOCKER_HOST', tls), origin: 'DOCKER_HOST' };
  }
  const configDir = dockerConfigDir(env);
  const fromEnv = env.DOCKER_CONTEXT?.trim();
  if (fromEnv) return contextEndpoint(configDir, fromEnv, `DOCKER_CONTEXT=${fromEnv}`);
  const configPath = join(configDir, 'config.json');
  const current = currentContext(configPath);
  if (current) return contextEndpoint(configDir, current, `current context ${current} in ${configPath}`);
  return { url: DEFAULT_DOCKER_HOST, socketPath: DEFAULT_DOCKER_SOCKET };
}

/** "tcp://h:2376 (from DOCKER_CONTEXT=remote)", or just the address when nothing named it. */
export function describeDockerEndpoint(endpoint: DockerEndpoint): string {
  return endpoint.origin ? `${endpoint.url} (from ${endpoint.origin})` : endpoint.url;
}

/** The one line for an engine that does not answer. */
export function dockerUnreachable(endpoint: DockerEndpoint, cause: string): EngineUnavailableError {
  return new EngineUnavailableError(
    `docker engine at ${describeDockerEndpoint(endpoint)} is not reachable: ${cause}`,
  );
}

/**
 * Podman may stand in only when the user named no engine and there is no
 * docker socket: anything else would quietly use a different engine (other
 * images, other builds) than `docker` does.
 */
export function podmanMayStandIn(endpoint: DockerEndpoint, env: NodeJS.ProcessEnv = process.env): boolean {
  if (endpoint.origin !== undefined || env.PARE_ENGINE?.trim()) return false;
  return endpoint.socketPath !== undefined && !existsSync(endpoint.socketPath);
}

let podmanAnnounced = false;

/** Says once per process that podman is used because there is no docker engine. */
export function announcePodmanStandIn(endpoint: DockerEndpoint): void {
  if (podmanAnnounced) return;
  podmanAnnounced = true;
  logger.warn(
    `no docker engine (no ${endpoint.socketPath ?? endpoint.url}, and no DOCKER_HOST, DOCKER_CONTEXT or current context): using podman`,
  );
}

function parseDockerHost(value: string, origin = 'DOCKER_HOST', tls?: EngineTls): EngineEndpoint {
  const subject = origin === 'DOCKER_HOST' ? `DOCKER_HOST=${value}` : `${origin}: docker host ${value}`;
  const fail = (problem: string) => new PareError(`${subject}: ${problem}`);
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw fail('a unix socket path must be absolute');
    return { url: value, socketPath };
  }
  if (value.startsWith('tcp://') || value.startsWith('http://') || value.startsWith('https://')) {
    let parsed: URL;
    try {
      parsed = new URL(value.replace(/^tcp:/, 'http:'));
    } catch {
      throw fail('not a valid URL');
    }
    const secure = tls ?? (value.startsWith('https://') ? {} : undefined);
    const endpoint: EngineEndpoint = {
      url: value,
      hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: parsed.port ? Number(parsed.port) : secure ? 2376 : 2375,
    };
    if (secure) endpoint.tls = secure;
    return endpoint;
  }
  throw fail('only unix:// and tcp:// engine addresses are supported (ssh:// and npipe:// are not)');
}

function currentContext(configPath: string): string | undefined {
  if (!existsSync(configPath)) return undefined;
  const config = readJson(configPath) as { currentContext?: unknown } | undefined;
  const name = typeof config?.currentContext === 'string' ? config.currentContext.trim() : '';
  return name === '' ? undefined : name;
}

function contextEndpoint(configDir: string, name: string, origin: string): DockerEndpoint {
  if (name === DEFAULT_CONTEXT)
    return { url: DEFAULT_DOCKER_HOST, socketPath: DEFAULT_DOCKER_SOCKET, origin };
  const id = createHash('sha256').update(name).digest('hex');
  const metaPath = join(configDir, 'contexts', 'meta', id, 'meta.json');
  if (!existsSync(metaPath)) {
    throw new PareError(`${origin}: no such docker context (no ${metaPath}); see docker context ls`);
  }
  const meta = readJson(metaPath) as {
    Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } };
  };
  const docker = meta?.Endpoints?.docker;
  const host = typeof docker?.Host === 'string' ? docker.Host.trim() : '';
  if (host === '') throw new PareError(`${origin}: the context has no docker endpoint in ${metaPath}`);
  // As the CLI does: TLS when the context holds TLS files or says to skip verification.
  const files = readTlsDirectory(join(configDir, 'contexts', 'tls', id, 'docker'));
  const skipVerify = docker?.SkipTLSVerify === true;
  const hasFiles = files.ca !== undefined || files.cert !== undefined || files.key !== undefined;
  const tls =
    hasFiles || skipVerify ? { ...files, ...(skipVerify ? { rejectUnauthorized: false } : {}) } : undefined;
  return { ...parseDockerHost(host, origin, tls), origin };
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PareError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PareError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

function readTlsDirectory(directory: string): EngineTls {
  const read = (name: string): Buffer | undefined => {
    const path = join(directory, name);
    return existsSync(path) ? readFileSync(path) : undefined;
  };
  const files: EngineTls = {};
  const ca = read('ca.pem');
  const cert = read('cert.pem');
  const key = read('key.pem');
  if (ca) files.ca = ca;
  if (cert) files.cert = cert;
  if (key) files.key = key;
  return files;
}
