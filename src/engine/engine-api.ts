/**
 * A minimal Docker Engine API client over node:http: the shape of an endpoint
 * (./docker-endpoint.js says which one), and one request function. Used where streaming
 * straight from the daemon beats spawning the CLI (image export).
 */
import { existsSync } from 'node:fs';
import { type Agent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { PareError } from '../util/errors.js';
import { proxyAgent, proxyFor } from '../util/http-proxy.js';

/** Podman's Docker-compatible API socket when run as root (rootless: $XDG_RUNTIME_DIR/podman/podman.sock). */
const PODMAN_SOCKETS = ['/run/podman/podman.sock'];

export interface EngineTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** False when the docker context says SkipTLSVerify. */
  rejectUnauthorized?: boolean;
}

export interface EngineEndpoint {
  /** As the user would write DOCKER_HOST, for messages. */
  url: string;
  socketPath?: string;
  hostname?: string;
  port?: number;
  tls?: EngineTls;
}

/** Podman's API socket, rootless first, if one exists. */
export function podmanApiSocket(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return [
    ...(env.XDG_RUNTIME_DIR ? [join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock')] : []),
    ...PODMAN_SOCKETS,
  ].find((path) => existsSync(path));
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
      // The docker CLI names no host on a socket, and the daemon's address over tcp://.
      headers: { Host: endpoint.socketPath ? 'docker' : `${endpoint.hostname}:${endpoint.port}` },
      signal: options.signal,
    };
    const request = endpoint.socketPath
      ? httpRequest({ ...base, socketPath: endpoint.socketPath })
      : endpoint.tls
        ? httpsRequest({
            ...base,
            hostname: endpoint.hostname,
            port: endpoint.port,
            ...endpoint.tls,
            agent: tcpProxyAgent(endpoint),
          })
        : httpRequest({
            ...base,
            hostname: endpoint.hostname,
            port: endpoint.port,
            agent: tcpProxyAgent(endpoint),
          });
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

/**
 * An engine reached over tcp:// goes through HTTPS_PROXY (with TLS) or
 * HTTP_PROXY unless NO_PROXY or a loopback address says otherwise, as the
 * docker CLI's transport does; undefined means node's default agent.
 */
function tcpProxyAgent(endpoint: EngineEndpoint): Agent | undefined {
  const protocol = endpoint.tls ? 'https:' : 'http:';
  const host = endpoint.hostname?.includes(':') ? `[${endpoint.hostname}]` : endpoint.hostname;
  const proxy = proxyFor(new URL(`${protocol}//${host}:${endpoint.port}/`));
  return proxy ? proxyAgent(proxy, protocol, {}) : undefined;
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
