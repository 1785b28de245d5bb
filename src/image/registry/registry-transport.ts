/**
 * HTTP for the registry source: one request with redirects, and the retry
 * policy around it. Uses node:http/https directly (not fetch) so blob bodies are
 * plain Node streams, Authorization can be dropped on cross-origin redirects
 * (blob storage such as S3 rejects a second credential), and socket errors keep
 * their OS codes for the messages users see.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { proxyAgent, proxyFor } from '../../util/http-proxy.js';

export interface HttpRequest {
  url: URL;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface RetryPolicy {
  /** Extra attempts after the first one for transient failures. */
  retries: number;
  /** First backoff delay; doubles per attempt, with jitter. */
  baseDelayMs: number;
  /** Ceiling for one delay, including a server's Retry-After. */
  maxDelayMs: number;
}

/** A response that the caller must consume or destroy; `url` is where redirects ended. */
export interface HttpResponse {
  status: number;
  headers: IncomingMessage['headers'];
  url: URL;
  body: IncomingMessage;
}

const MAX_REDIRECTS = 10;
/**
 * How long a connection may send nothing (no response yet, or no body bytes
 * while the reader is ready for them) before the request fails as stalled.
 */
const DEFAULT_STALL_TIMEOUT_MS = 30_000;

/**
 * The server stopped sending: no response or no body bytes for the stall
 * timeout. Not retried: a registry that stalls once mostly stalls again, and
 * waiting it out per attempt is how a read took four minutes to fail.
 */
export class StallError extends Error {
  readonly code = 'ERR_REGISTRY_STALLED';

  constructor(
    readonly host: string,
    readonly idleMs: number,
    readonly phase: 'response' | 'body',
  ) {
    super(
      phase === 'response'
        ? `${host} accepted the connection but sent no response for ${idleMs / 1000} s`
        : `${host} stopped sending: no data for ${idleMs / 1000} s`,
    );
    this.name = 'StallError';
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'EAI_AGAIN',
  'ENETRESET',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/**
 * Network failures worth another try. Refused connections and unknown hosts
 * are not: retrying them only delays the message the user needs.
 */
export function isTransientNetworkError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  return error instanceof Error && /socket hang up|aborted/i.test(error.message) && !isAbortError(error);
}

export function isTransientStatus(status: number): boolean {
  return (
    status === 429 || status === 408 || (status >= 500 && status <= 599 && status !== 501 && status !== 505)
  );
}

export function isAbortError(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'AbortError';
}

/** Backoff before attempt `attempt` (1-based), honouring Retry-After when the server sent one. */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfter?: string | undefined): number {
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, policy.maxDelayMs);
  }
  const exponential = policy.baseDelayMs * 2 ** (attempt - 1);
  const jitter = 0.5 + Math.random() / 2;
  return Math.min(exponential * jitter, policy.maxDelayMs);
}

const AGENT_OPTIONS = { keepAlive: true, maxSockets: 8 };

export class HttpTransport {
  private readonly httpAgent = new http.Agent(AGENT_OPTIONS);
  private readonly httpsAgent = new https.Agent(AGENT_OPTIONS);
  /** Agents for proxied requests, by protocol and proxy. */
  private readonly proxyAgents = new Map<string, http.Agent>();

  constructor(
    readonly policy: RetryPolicy,
    readonly stallTimeoutMs = DEFAULT_STALL_TIMEOUT_MS,
  ) {}

  /** One request, following redirects; any status is returned, network errors throw. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    let url = request.url;
    let headers = { ...request.headers };
    let method = request.method ?? 'GET';
    let body = request.body;
    for (let hop = 0; ; hop++) {
      const response = await this.once(url, method, headers, body, request.signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (![301, 302, 303, 307, 308].includes(status) || !location) {
        return { status, headers: response.headers, url, body: response };
      }
      response.resume();
      if (hop >= MAX_REDIRECTS) {
        throw Object.assign(new Error(`more than ${MAX_REDIRECTS} redirects from ${request.url.host}`), {
          code: 'ERR_TOO_MANY_REDIRECTS',
        });
      }
      const next = new URL(location, url);
      // Credentials are for the registry, not for the storage it redirects to.
      if (next.origin !== url.origin) {
        const { authorization: _dropped, Authorization: _alsoDropped, ...rest } = headers;
        headers = rest;
      }
      if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  }

  /**
   * `send` with the retry policy: transient network errors and 429/5xx are
   * retried with backoff; the last response is returned even if it failed, so
   * the caller can name the status.
   */
  async sendWithRetries(request: HttpRequest): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      let response: HttpResponse;
      try {
        response = await this.send(request);
      } catch (error) {
        if (attempt > this.policy.retries || !isTransientNetworkError(error)) throw error;
        await sleep(retryDelay(this.policy, attempt), undefined, { signal: request.signal });
        continue;
      }
      if (attempt > this.policy.retries || !isTransientStatus(response.status)) return response;
      response.body.resume();
      const retryAfter = response.headers['retry-after'];
      await sleep(retryDelay(this.policy, attempt, retryAfter), undefined, { signal: request.signal });
    }
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    for (const agent of this.proxyAgents.values()) agent.destroy();
  }

  /** The agent for `url`: a direct one, or one going through the proxy the environment names for it. */
  private agentFor(url: URL): http.Agent {
    const proxy = proxyFor(url);
    if (!proxy) return url.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
    const key = `${url.protocol} ${proxy.variable} ${proxy.url.href}`;
    let agent = this.proxyAgents.get(key);
    if (!agent) {
      agent = proxyAgent(proxy, url.protocol, AGENT_OPTIONS);
      this.proxyAgents.set(key, agent);
    }
    return agent;
  }

  private once(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<IncomingMessage> {
    const sized =
      body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const agent = this.agentFor(url);
    return new Promise((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method,
        headers: sized,
        agent,
        ...(signal ? { signal } : {}),
      });
      let response: IncomingMessage | undefined;
      // The idle timeout guards the body too. A stalled body fails with the StallError itself:
      // destroying only the request would hand the reader a bare "aborted".
      request.setTimeout(this.stallTimeoutMs, () => {
        const stall = new StallError(url.host, this.stallTimeoutMs, response ? 'body' : 'response');
        if (response) response.destroy(stall);
        request.destroy(stall);
      });
      request.on('response', (answer) => {
        response = answer;
        resolve(answer);
      });
      request.on('error', reject);
      request.end(body);
    });
  }
}

/** Reads a whole (small) body, refusing more than `limit` bytes so a hostile server cannot exhaust memory. */
export async function readBody(response: HttpResponse, limit: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    response.body.destroy();
    throw new BodyTooLargeError(limit);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      response.body.destroy();
      throw new BodyTooLargeError(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`response is larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}
