/**
 * Registry authentication: parse a 401's `WWW-Authenticate` challenge and turn
 * it into an Authorization header — a bearer token from the token server named
 * by the challenge (anonymous, with basic credentials, or with an identity
 * token), or basic auth directly. One authorizer per repository, since tokens
 * are scoped to `repository:NAME:pull`.
 */

import type { CredentialLookup, RegistryCredentials } from './registry-credentials.js';
import { type HttpTransport, readBody } from './registry-transport.js';

export interface AuthChallenge {
  /** Lower-cased scheme: `bearer`, `basic`, … */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses `Bearer realm="https://auth/token",service="reg",scope="repository:a/b:pull"`
 * (several challenges may share one header). Quoted values may hold commas.
 */
export function parseAuthenticateHeader(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  const tokenPattern = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*/y;
  let position = 0;
  let current: AuthChallenge | undefined;
  while (position < header.length) {
    tokenPattern.lastIndex = position;
    const name = tokenPattern.exec(header);
    if (!name) {
      position++;
      continue;
    }
    position = tokenPattern.lastIndex;
    const word = name[1] ?? '';
    if (header[position] === '=') {
      position++;
      let value: string;
      if (header[position] === '"') {
        position++;
        let text = '';
        while (position < header.length && header[position] !== '"') {
          if (header[position] === '\\' && position + 1 < header.length) position++;
          text += header[position];
          position++;
        }
        position++;
        value = text;
      } else {
        const end = header.indexOf(',', position);
        value = header.slice(position, end < 0 ? header.length : end).trim();
        position = end < 0 ? header.length : end;
      }
      if (current) current.params[word.toLowerCase()] = value;
    } else {
      current = { scheme: word.toLowerCase(), params: {} };
      challenges.push(current);
    }
    while (position < header.length && /[\s,]/.test(header[position] ?? '')) position++;
  }
  return challenges;
}

function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** Why authorization could not be obtained; the client turns it into the user's message. */
export class AuthorizationError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AuthorizationError';
  }
}

interface TokenReply {
  token?: string;
  access_token?: string;
}

const TOKEN_REPLY_LIMIT = 1024 * 1024;

export class RegistryAuthorizer {
  private authorization: string | undefined;
  private credentialLookup: Promise<CredentialLookup> | undefined;

  constructor(
    private readonly transport: HttpTransport,
    /** Host name as written by the user, for credential lookup (`docker.io`, `localhost:5000`). */
    private readonly credentialHost: string,
    private readonly repository: string,
    private readonly lookup: (host: string) => Promise<CredentialLookup>,
    private readonly userAgent: string,
  ) {}

  /** The header to send, if a previous challenge has been answered. */
  get header(): string | undefined {
    return this.authorization;
  }

  /** What config.json could not provide, to append to an "unauthorized" message. */
  async credentialProblem(): Promise<string | undefined> {
    return (await this.credentials()).problem;
  }

  async hasCredentials(): Promise<boolean> {
    return (await this.credentials()).credentials !== undefined;
  }

  /**
   * Answers the challenges of a 401 by replacing the Authorization header.
   * Throws AuthorizationError when no supported scheme can be satisfied.
   */
  async answer(challenges: AuthChallenge[], signal?: AbortSignal): Promise<void> {
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
    if (bearer) {
      this.authorization = `Bearer ${await this.fetchToken(bearer, signal)}`;
      return;
    }
    if (challenges.some((challenge) => challenge.scheme === 'basic')) {
      const { credentials } = await this.credentials();
      if (credentials?.username === undefined || credentials.password === undefined) {
        throw new AuthorizationError('the registry requires a user name and password');
      }
      this.authorization = basicAuthorization(credentials.username, credentials.password);
      return;
    }
    const schemes = challenges.map((challenge) => challenge.scheme).join(', ');
    throw new AuthorizationError(
      `unsupported authentication scheme${schemes ? `: ${schemes}` : ' (no WWW-Authenticate header)'}`,
    );
  }

  private credentials(): Promise<CredentialLookup> {
    this.credentialLookup ??= this.lookup(this.credentialHost);
    return this.credentialLookup;
  }

  private async fetchToken(challenge: AuthChallenge, signal: AbortSignal | undefined): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm) throw new AuthorizationError('the bearer challenge names no token server (realm)');
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new AuthorizationError(`the token server address "${realm}" is not a URL`);
    }
    const service = challenge.params.service;
    // The challenge's scope may be missing (e.g. on /v2/) or name other actions; we only pull.
    const scope = challenge.params.scope ?? `repository:${this.repository}:pull`;
    const { credentials } = await this.credentials();

    const response = credentials?.identityToken
      ? await this.oauthTokenRequest(url, service, scope, credentials, signal)
      : await this.basicTokenRequest(url, service, scope, credentials, signal);

    let body: Buffer;
    try {
      body = await readBody(response, TOKEN_REPLY_LIMIT);
    } catch (error) {
      throw new AuthorizationError(`token server ${url.host}: ${(error as Error).message}`);
    }
    if (response.status === 401 || response.status === 403) {
      const who = credentials ? `credentials from ${credentials.source}` : 'anonymous access';
      throw new AuthorizationError(`token server ${url.host} refused ${who}`, response.status);
    }
    if (response.status < 200 || response.status > 299) {
      throw new AuthorizationError(
        `token server ${url.host} answered HTTP ${response.status}`,
        response.status,
      );
    }
    let reply: TokenReply;
    try {
      reply = JSON.parse(body.toString('utf8')) as TokenReply;
    } catch {
      throw new AuthorizationError(`token server ${url.host} did not answer JSON`);
    }
    const token = reply.token || reply.access_token;
    if (!token) throw new AuthorizationError(`token server ${url.host} answered without a token`);
    return token;
  }

  private basicTokenRequest(
    realm: URL,
    service: string | undefined,
    scope: string,
    credentials: RegistryCredentials | undefined,
    signal: AbortSignal | undefined,
  ) {
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    const headers: Record<string, string> = { 'user-agent': this.userAgent };
    if (credentials?.password !== undefined) {
      headers.authorization = basicAuthorization(credentials.username ?? '', credentials.password);
      // Docker Hub only returns a token scoped to the user's private repositories if asked this way.
      if (credentials.username) url.searchParams.set('account', credentials.username);
    }
    return this.transport.sendWithRetries({ url, headers, ...(signal ? { signal } : {}) });
  }

  /** `identitytoken` in config.json is an OAuth2 refresh token: exchanged by POST (distribution's token spec). */
  private oauthTokenRequest(
    realm: URL,
    service: string | undefined,
    scope: string,
    credentials: RegistryCredentials,
    signal: AbortSignal | undefined,
  ) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credentials.identityToken ?? '',
      client_id: 'pare',
      scope,
    });
    if (service) form.set('service', service);
    return this.transport.sendWithRetries({
      url: realm,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': this.userAgent },
      body: form.toString(),
      ...(signal ? { signal } : {}),
    });
  }
}
