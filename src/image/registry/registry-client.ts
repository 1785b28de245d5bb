/**
 * A Registry HTTP API v2 client for one repository: where the registry lives
 * (scheme, Docker Hub's API host), authentication on 401, retries, and the
 * translation of HTTP and socket failures into one-line PareErrors.
 */
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { PareError } from '../../util/errors.js';
import { ProxyError } from '../../util/http-proxy.js';
import { VERSION } from '../../version.js';
import { BlobSizeError } from '../digest.js';
import type { Digest } from '../types.js';
import { AuthorizationError, parseAuthenticateHeader, RegistryAuthorizer } from './registry-auth.js';
import { type CredentialLookup, lookupCredentials } from './registry-credentials.js';
import {
  BodyTooLargeError,
  type HttpResponse,
  HttpTransport,
  isAbortError,
  isTransientNetworkError,
  isTransientStatus,
  type RetryPolicy,
  readBody,
  retryDelay,
  StallError,
} from './registry-transport.js';

export interface RegistryClientOptions {
  /** Plain http instead of https (always the case for loopback registries). */
  insecure?: boolean;
  /** Extra attempts for transient failures (connection resets, 429, 5xx). Default 3. */
  retries?: number;
  /** First backoff delay in ms, doubled per attempt. Default 500. */
  retryBaseDelayMs?: number;
  /** Credential source; defaults to the docker CLI's config.json and helpers. */
  lookupCredentials?: (host: string) => Promise<CredentialLookup>;
  /**
   * Everything this client reads must be read within this many ms of its
   * creation (`--timeout`); 0 or absent: no total limit, stalls still fail.
   */
  timeoutMs?: number;
  /** How long a connection may send nothing before it fails as stalled (default 30 s). */
  stallTimeoutMs?: number;
  /** Told of every chunk of blob bytes received, for a progress display. */
  onReceived?: (bytes: number) => void;
}

export interface RequestOptions {
  /** Names what is being fetched in errors: `host/repo:tag` or `host/repo@sha256:…`. */
  subject: string;
  /** Message for a 404, e.g. "manifest not found". */
  notFound: string;
  accept?: string;
  signal?: AbortSignal | undefined;
}

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const ERROR_BODY_LIMIT = 64 * 1024;
const MAX_DELAY_MS = 30_000;
/** TLS failures that mean the server speaks plain http. */
const PLAIN_HTTP_SYMPTOMS = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
]);

function isDockerHub(host: string): boolean {
  return DOCKER_HUB_HOSTS.has(host.toLowerCase());
}

/** Loopback registries are reached over plain http, like the docker daemon does. */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();
  return (
    name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name) || name.endsWith('.localhost')
  );
}

/** The API base, `https://registry-1.docker.io` for Docker Hub. */
export function registryBaseUrl(host: string, insecure = false): URL {
  const apiHost = isDockerHub(host) ? 'registry-1.docker.io' : host;
  const scheme = insecure || isLoopbackHost(host) ? 'http' : 'https';
  return new URL(`${scheme}://${apiHost}`);
}

export class RegistryClient {
  readonly baseUrl: URL;
  private readonly transport: HttpTransport;
  private readonly authorizer: RegistryAuthorizer;
  private readonly userAgent = `pare/${VERSION}`;
  /** Aborts every request once the total time (`timeoutMs`) is spent. */
  private readonly deadline: AbortSignal | undefined;
  private readonly timeoutMs: number;
  private readonly onReceived: ((bytes: number) => void) | undefined;

  constructor(
    /** Registry host as the user wrote it. */
    readonly host: string,
    readonly repository: string,
    options: RegistryClientOptions = {},
  ) {
    this.baseUrl = registryBaseUrl(host, options.insecure);
    this.transport = new HttpTransport(
      {
        retries: Math.max(0, options.retries ?? 3),
        baseDelayMs: options.retryBaseDelayMs ?? 500,
        maxDelayMs: MAX_DELAY_MS,
      },
      options.stallTimeoutMs,
    );
    this.timeoutMs = options.timeoutMs ?? 0;
    this.deadline = this.timeoutMs > 0 ? AbortSignal.timeout(this.timeoutMs) : undefined;
    this.onReceived = options.onReceived;
    this.authorizer = new RegistryAuthorizer(
      this.transport,
      host,
      repository,
      options.lookupCredentials ?? ((credentialHost) => lookupCredentials(credentialHost)),
      this.userAgent,
    );
  }

  /** URL of an API path under this repository, e.g. `manifests/latest`. */
  url(path: string): URL {
    return new URL(`/v2/${this.repository}/${path}`, this.baseUrl);
  }

  /**
   * GETs a small document (manifest, config), retrying transient failures that
   * happen while the body is still arriving. More than `limit` bytes is an error.
   */
  async fetchBytes(
    path: string,
    limit: number,
    options: RequestOptions,
  ): Promise<{ body: Buffer; response: HttpResponse }> {
    for (let attempt = 1; ; attempt++) {
      const response = await this.request(path, options);
      try {
        return { body: await readBody(response, limit), response };
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          throw new PareError(`response is larger than the ${limit}-byte limit for this document`, {
            subject: options.subject,
          });
        }
        if (attempt > this.transport.policy.retries || !isTransientNetworkError(error)) {
          throw this.networkError(error, response.url, options.subject);
        }
        await this.pause(retryDelay(this.transport.policy, attempt), options);
      }
    }
  }

  /**
   * Streams a blob. A connection lost midway is resumed with a Range request
   * from the byte reached (or by skipping that many bytes if the server ignores
   * Range), within the retry budget; more than `size` bytes is an error.
   */
  openBlob(digest: Digest, size: number, options: RequestOptions): Readable {
    return new BlobStream({
      digest,
      size,
      subject: options.subject,
      policy: this.transport.policy,
      signal: this.signalFor(options),
      open: (offset) =>
        this.request(`blobs/${digest}`, options, offset > 0 ? { range: `bytes=${offset}-` } : undefined),
      describeFailure: (error, url, progress) => this.networkError(error, url, options.subject, progress),
      stallTimeoutMs: this.transport.stallTimeoutMs,
      ...(this.onReceived ? { onReceived: this.onReceived } : {}),
    });
  }

  /** The caller's signal joined with the total-time deadline. */
  private signalFor(options: RequestOptions): AbortSignal | undefined {
    if (!this.deadline) return options.signal;
    return options.signal ? AbortSignal.any([options.signal, this.deadline]) : this.deadline;
  }

  private async pause(ms: number, options: RequestOptions): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.signalFor(options) });
    } catch (error) {
      throw this.deadline?.aborted ? this.timedOut(options.subject) : error;
    }
  }

  private timedOut(subject: string, progress?: string): PareError {
    return new PareError(
      `the registry did not finish in ${this.timeoutMs / 1000} s (--timeout)${progress ? `; ${progress}` : ''}`,
      { subject },
    );
  }

  close(): void {
    this.transport.close();
  }

  /** A 2xx response for `path`, after authentication and retries; anything else throws a PareError. */
  private async request(
    path: string,
    options: RequestOptions,
    extraHeaders?: Record<string, string>,
  ): Promise<HttpResponse> {
    const url = this.url(path);
    let answered = false;
    for (;;) {
      const sentAuthorization = this.authorizer.header;
      const headers: Record<string, string> = { 'user-agent': this.userAgent, ...extraHeaders };
      if (options.accept) headers.accept = options.accept;
      if (sentAuthorization) headers.authorization = sentAuthorization;

      let response: HttpResponse;
      const signal = this.signalFor(options);
      try {
        response = await this.transport.sendWithRetries({ url, headers, ...(signal ? { signal } : {}) });
      } catch (error) {
        throw this.networkError(error, url, options.subject);
      }
      if (response.status >= 200 && response.status <= 299) return response;

      if (response.status === 401) {
        const challenge = response.headers['www-authenticate'];
        const registryMessage = await readRegistryMessage(response);
        // Another request already refreshed the token while this one was in flight.
        if (this.authorizer.header !== sentAuthorization && !answered) continue;
        if (answered) throw await this.unauthorized(options.subject, registryMessage);
        answered = true;
        try {
          await this.authorizer.answer(parseAuthenticateHeader(challenge ?? ''), this.signalFor(options));
        } catch (error) {
          if (error instanceof AuthorizationError) {
            throw await this.unauthorized(options.subject, error.message);
          }
          throw this.networkError(error, url, options.subject);
        }
        continue;
      }
      throw await this.statusError(response, options);
    }
  }

  private async unauthorized(subject: string, detail: string | undefined): Promise<PareError> {
    const parts = [`unauthorized${detail ? `: ${detail}` : ''}`];
    const problem = await this.authorizer.credentialProblem();
    if (problem) parts.push(problem);
    else if (!(await this.authorizer.hasCredentials())) {
      parts.push(`no credentials for ${this.host}; run docker login ${this.host}`);
    }
    return new PareError(parts.join('; '), { subject });
  }

  private async statusError(response: HttpResponse, options: RequestOptions): Promise<PareError> {
    const registryMessage = await readRegistryMessage(response);
    const status = response.status;
    const suffix = registryMessage ? `: ${registryMessage}` : '';
    let message: string;
    if (status === 404) message = options.notFound;
    else if (status === 403) message = `access denied${suffix}`;
    else if (status === 429) message = `too many requests (HTTP 429) after ${this.attempts()}${suffix}`;
    else if (isTransientStatus(status)) {
      message = `registry error HTTP ${status} after ${this.attempts()}${suffix}`;
    } else message = `registry answered HTTP ${status}${suffix}`;
    return new PareError(message, { subject: options.subject });
  }

  private attempts(): string {
    const count = this.transport.policy.retries + 1;
    return count === 1 ? '1 attempt' : `${count} attempts`;
  }

  /**
   * Socket and TLS failures as a sentence naming the host and the OS error;
   * `progress` says how far a blob got ("after 1000 of 5000 bytes").
   */
  networkError(error: unknown, url: URL, subject: string, progress?: string): Error {
    if (error instanceof PareError) return error;
    // Whatever failed once the deadline passed failed because of it.
    if (this.deadline?.aborted) return this.timedOut(subject, progress && `blob read stopped ${progress}`);
    if (isAbortError(error)) return error as Error;
    if (error instanceof StallError) {
      return new PareError(`${error.message}${progress ? ` (${progress})` : ''}`, { subject, cause: error });
    }
    const code = (error as NodeJS.ErrnoException).code;
    const detail = error instanceof Error ? error.message : String(error);
    // A TLS failure with the proxy itself says nothing about the registry's TLS.
    if (error instanceof ProxyError)
      return new PareError(`cannot reach ${url.host}: ${detail}`, { subject, cause: error });
    if (code && (PLAIN_HTTP_SYMPTOMS.has(code) || /SSL|CERT|TLS/i.test(code))) {
      // The CLI has no switch for plain HTTP (the library's `insecure` option does): say what works.
      const hint = PLAIN_HTTP_SYMPTOMS.has(code)
        ? ` (it seems to speak plain HTTP, which pare uses only for loopback registries such as localhost:5000; pull the image with docker and read docker-daemon:NAME instead)`
        : '';
      return new PareError(`TLS connection to ${url.host} failed: ${detail}${hint}`, {
        subject,
        cause: error,
      });
    }
    return new PareError(`cannot reach ${url.host}: ${detail}`, { subject, cause: error });
  }
}

/** The first `errors[].message` of a registry error body, if it has one. */
async function readRegistryMessage(response: HttpResponse): Promise<string | undefined> {
  let text: string;
  try {
    text = (await readBody(response, ERROR_BODY_LIMIT)).toString('utf8');
  } catch {
    response.body.destroy();
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    const first = parsed.errors?.[0];
    const message = first?.message ?? first?.code;
    return message ? message.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

interface BlobStreamOptions {
  digest: Digest;
  size: number;
  subject: string;
  policy: RetryPolicy;
  signal: AbortSignal | undefined;
  /** A 2xx response for the blob from byte `offset` on (206, or 200 from the start if Range is ignored). */
  open: (offset: number) => Promise<HttpResponse>;
  describeFailure: (error: unknown, url: URL, progress: string) => Error;
  onReceived?: (bytes: number) => void;
  stallTimeoutMs: number;
}

/**
 * The bytes of one blob across as many responses as it takes. Response data is
 * pushed straight through with backpressure (an async generator here costs a
 * third of the throughput); a transient failure reopens from the byte reached.
 */
class BlobStream extends Readable {
  private response: HttpResponse | undefined;
  private opening = false;
  private delivered = 0;
  /** Failures since the last byte arrived: the retry budget bounds failures without progress. */
  private failures = 0;

  constructor(private readonly options: BlobStreamOptions) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _read(): void {
    if (this.response) {
      this.response.body.socket?.setTimeout(this.options.stallTimeoutMs);
      this.response.body.resume();
    } else if (!this.opening) void this.openFrom(this.delivered);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.response?.body.destroy();
    this.response = undefined;
    callback(error);
  }

  private async openFrom(offset: number): Promise<void> {
    this.opening = true;
    let response: HttpResponse;
    try {
      response = await this.options.open(offset);
    } catch (error) {
      this.opening = false;
      this.destroy(error as Error);
      return;
    }
    this.opening = false;
    if (this.destroyed) {
      response.body.destroy();
      return;
    }
    this.response = response;
    let skip = response.status === 206 ? 0 : offset;
    let settled = false;
    const { body } = response;
    body.on('data', (chunk: Buffer) => {
      if (settled) return;
      let piece = chunk;
      if (skip > 0) {
        const dropped = Math.min(skip, piece.length);
        skip -= dropped;
        piece = piece.subarray(dropped);
        if (piece.length === 0) return;
      }
      this.delivered += piece.length;
      this.failures = 0;
      this.options.onReceived?.(piece.length);
      if (this.delivered > this.options.size) {
        settled = true;
        const { digest, size, subject } = this.options;
        this.destroy(new BlobSizeError(digest, size, undefined, subject));
        return;
      }
      if (!this.push(piece)) {
        body.pause();
        // Waiting on our reader is not the server stalling: no idle timeout until it wants more.
        body.socket?.setTimeout(0);
      }
    });
    body.on('end', () => {
      if (settled) return;
      settled = true;
      if (this.delivered >= this.options.size) {
        this.response = undefined;
        this.push(null);
        return;
      }
      const lost = new Error(`connection closed after ${this.delivered} of ${this.options.size} bytes`);
      void this.retry(Object.assign(lost, { code: 'ECONNRESET' }), response.url);
    });
    body.on('error', (error) => {
      if (settled) return;
      settled = true;
      void this.retry(error, response.url);
    });
  }

  private async retry(error: unknown, url: URL): Promise<void> {
    this.response?.body.destroy();
    this.response = undefined;
    if (this.destroyed) return;
    // Keeps _read from opening a second response while this one waits out its backoff.
    this.opening = true;
    this.failures++;
    if (isAbortError(error)) {
      this.destroy(
        this.options.describeFailure(error, url, `after ${this.delivered} of ${this.options.size} bytes`),
      );
      return;
    }
    if (this.failures > this.options.policy.retries || !isTransientNetworkError(error)) {
      const progress = `after ${this.delivered} of ${this.options.size} bytes`;
      this.destroy(this.options.describeFailure(error, url, progress));
      return;
    }
    try {
      const delay = retryDelay(this.options.policy, this.failures);
      await sleep(delay, undefined, this.options.signal ? { signal: this.options.signal } : {});
    } catch (abort) {
      this.destroy(
        this.options.describeFailure(abort, url, `after ${this.delivered} of ${this.options.size} bytes`),
      );
      return;
    }
    if (!this.destroyed) await this.openFrom(this.delivered);
  }
}
