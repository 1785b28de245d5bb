/**
 * A minimal Docker Engine API client over node:http: where the daemon is
 * (DOCKER_HOST: unix socket or tcp, TLS with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH
 * as the docker CLI does), and one request function. Used where streaming
 * straight from the daemon beats spawning the CLI (image export).
 */
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PareError } from '../util/errors.js';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';
/** Podman's Docker-compatible API socket when run as root (rootless: $XDG_RUNTIME_DIR/podman/podman.sock). */
const PODMAN_SOCKETS = ['/run/podman/podman.sock'];

export interface EngineEndpoint {
  /** As the user would write DOCKER_HOST, for messages. */
  url: string;
  socketPath?: string;
  hostname?: string;
  port?: number;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

/**
 * The endpoint DOCKER_HOST names, else the default docker socket, else (when
 * no docker socket exists) podman's socket if one is there.
 */
export function endpointFromEnv(env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  const configured = env.DOCKER_HOST?.trim();
  if (!configured) {
    if (!existsSync('/var/run/docker.sock')) {
      const podman = [
        ...(env.XDG_RUNTIME_DIR ? [join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock')] : []),
        ...PODMAN_SOCKETS,
      ].find((path) => existsSync(path));
      if (podman) return { url: `unix://${podman}`, socketPath: podman };
    }
    return { url: DEFAULT_DOCKER_HOST, socketPath: '/var/run/docker.sock' };
  }
  return parseDockerHost(configured, env);
}

export function parseDockerHost(value: string, env: NodeJS.ProcessEnv = {}): EngineEndpoint {
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw hostError(value, 'a unix socket path must be absolute');
    return { url: value, socketPath };
  }
  if (value.startsWith('tcp://') || value.startsWith('http://') || value.startsWith('https://')) {
    let parsed: URL;
    try {
      parsed = new URL(value.replace(/^tcp:/, 'http:'));
    } catch {
      throw hostError(value, 'not a valid URL');
    }
    const useTls = Boolean(env.DOCKER_TLS_VERIFY) || value.startsWith('https://');
    const endpoint: EngineEndpoint = {
      url: value,
      hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: parsed.port ? Number(parsed.port) : useTls ? 2376 : 2375,
    };
    if (useTls) endpoint.tls = loadTlsFiles(env.DOCKER_CERT_PATH || join(homedir(), '.docker'));
    return endpoint;
  }
  throw hostError(
    value,
    'only unix:// and tcp:// engine addresses are supported (ssh:// and npipe:// are not)',
  );
}

function hostError(value: string, problem: string): PareError {
  return new PareError(`DOCKER_HOST=${value}: ${problem}`);
}

function loadTlsFiles(directory: string): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (name: string): Buffer | undefined => {
    const path = join(directory, name);
    return existsSync(path) ? readFileSync(path) : undefined;
  };
  const files: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  const ca = read('ca.pem');
  const cert = read('cert.pem');
  const key = read('key.pem');
  if (ca) files.ca = ca;
  if (cert) files.cert = cert;
  if (key) files.key = key;
  return files;
}

export interface EngineRequestOptions {
  method?: string;
  signal?: AbortSignal;
  /** Time allowed to connect and receive the response headers (default 30 s). */
  headersTimeoutMs?: number;
}

/**
 * Sends a request and resolves with the response (any status) once headers
 * arrive; the body is the caller's to consume. Connection failures reject with
 * the system error (ENOENT, ECONNREFUSED, EACCES…).
 */
export function engineRequest(
  endpoint: EngineEndpoint,
  path: string,
  options: EngineRequestOptions = {},
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const base: RequestOptions = {
      method: options.method ?? 'GET',
      path,
      headers: { Host: 'docker' },
      signal: options.signal,
    };
    const request = endpoint.socketPath
      ? httpRequest({ ...base, socketPath: endpoint.socketPath })
      : endpoint.tls
        ? httpsRequest({ ...base, hostname: endpoint.hostname, port: endpoint.port, ...endpoint.tls })
        : httpRequest({ ...base, hostname: endpoint.hostname, port: endpoint.port });
    const timer = setTimeout(() => {
      request.destroy(Object.assign(new Error('no response from the engine'), { code: 'ETIMEDOUT' }));
    }, options.headersTimeoutMs ?? 30_000);
    request.on('response', (response) => {
      clearTimeout(timer);
      resolve(response);
    });
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end();
  });
}

/** Reads a (small) response body whole. */
export async function readBody(response: IncomingMessage, limit = 4 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response) {
    length += (chunk as Buffer).length;
    if (length > limit) {
      response.destroy();
      throw new PareError(`engine response larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The daemon's `{"message": …}` error body, or the raw text. */
export async function errorMessage(response: IncomingMessage): Promise<string> {
  const text = (await readBody(response, 64 * 1024).catch(() => Buffer.alloc(0))).toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: the text itself is the best description
  }
  return text || `HTTP ${response.statusCode}`;
}

/** A connection error as a short phrase ("connect ENOENT /var/run/docker.sock"). */
export function describeConnectionError(error: unknown): string {
  const err = error as NodeJS.ErrnoException & { address?: string };
  if (err?.code === 'EACCES') return `permission denied on ${err.address ?? 'the socket'}`;
  return err instanceof Error ? err.message : String(error);
}

/** Image names and IDs as they may appear in an API path (the daemon routes `{name:.*}`). */
export function encodeImageName(name: string): string {
  return name
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/%3A/gi, ':').replace(/%40/g, '@'))
    .join('/');
}
