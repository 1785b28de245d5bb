import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAuthenticateHeader } from '../../src/image/registry/registry-auth.js';
import { isLoopbackHost, registryBaseUrl } from '../../src/image/registry/registry-client.js';
import { dockerConfigPath, lookupCredentials } from '../../src/image/registry/registry-credentials.js';
import { isTransientStatus, retryDelay } from '../../src/image/registry/registry-transport.js';

describe('where a registry lives', () => {
  it.each([
    ['docker.io', false, 'https://registry-1.docker.io'],
    ['index.docker.io', false, 'https://registry-1.docker.io'],
    ['ghcr.io', false, 'https://ghcr.io'],
    ['registry.example:5000', true, 'http://registry.example:5000'],
    ['localhost:5000', false, 'http://localhost:5000'],
    ['127.0.0.1:5000', false, 'http://127.0.0.1:5000'],
    ['[::1]:5000', false, 'http://[::1]:5000'],
  ])('%s (insecure %s) → %s', (host, insecure, expected) => {
    expect(registryBaseUrl(host, insecure).origin).toBe(expected);
  });

  it.each([
    ['localhost', true],
    ['127.0.0.53:80', true],
    ['[::1]', true],
    ['app.localhost:1', true],
    ['localhost.example.com', false],
    ['128.0.0.1', false],
  ])('isLoopbackHost(%s) = %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('parseAuthenticateHeader', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/alpine:pull',
          },
        },
      ],
    ],
    [
      'Bearer realm="https://r/token", scope="repository:a:pull,push"',
      [{ scheme: 'bearer', params: { realm: 'https://r/token', scope: 'repository:a:pull,push' } }],
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    ['basic realm=unquoted', [{ scheme: 'basic', params: { realm: 'unquoted' } }]],
    [
      'Basic realm="a", Bearer realm="https://t",service=s',
      [
        { scheme: 'basic', params: { realm: 'a' } },
        { scheme: 'bearer', params: { realm: 'https://t', service: 's' } },
      ],
    ],
    ['Bearer realm="with \\"quote\\""', [{ scheme: 'bearer', params: { realm: 'with "quote"' } }]],
    ['', []],
  ])('%s', (header, expected) => {
    expect(parseAuthenticateHeader(header)).toEqual(expected);
  });
});

describe('retry policy', () => {
  const policy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1000 };

  it.each([
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [501, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
  ])('status %d transient: %s', (status, expected) => {
    expect(isTransientStatus(status)).toBe(expected);
  });

  it('backs off exponentially with jitter, capped', () => {
    for (let attempt = 1; attempt <= 6; attempt++) {
      const delay = retryDelay(policy, attempt);
      const full = Math.min(100 * 2 ** (attempt - 1), 1000);
      expect(delay).toBeLessThanOrEqual(full);
      expect(delay).toBeGreaterThanOrEqual(Math.min(full / 2, 1000) - 1e-9);
    }
  });

  it('honours Retry-After, capped', () => {
    expect(retryDelay(policy, 1, '0.25')).toBe(250);
    expect(retryDelay(policy, 1, '3600')).toBe(1000);
  });
});

describe('lookupCredentials', () => {
  let dir: string;
  const env = () => ({ DOCKER_CONFIG: dir, PATH: process.env.PATH });
  const write = (config: object) => writeFile(join(dir, 'config.json'), JSON.stringify(config));
  const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-credentials-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('finds config.json under DOCKER_CONFIG, else ~/.docker', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/x' })).toBe('/x/config.json');
    expect(dockerConfigPath({})).toMatch(/\.docker\/config\.json$/);
  });

  it('is anonymous without a config file', async () => {
    expect(await lookupCredentials('ghcr.io', env())).toEqual({});
  });

  it.each([
    ['docker.io', 'https://index.docker.io/v1/'],
    ['docker.io', 'docker.io'],
    ['ghcr.io', 'https://ghcr.io'],
    ['localhost:5000', 'http://localhost:5000/v2/'],
    ['Registry.Example:443', 'registry.example:443'],
  ])('matches %s under the key %s', async (host, key) => {
    await write({ auths: { [key]: { auth: basic('u', 'p:q') } } });
    expect((await lookupCredentials(host, env())).credentials).toMatchObject({
      username: 'u',
      password: 'p:q',
    });
  });

  it('prefers the exact host over Docker Hub aliases', async () => {
    await write({
      auths: {
        'https://index.docker.io/v1/': { auth: basic('legacy', '1') },
        'docker.io': { auth: basic('exact', '2') },
      },
    });
    expect((await lookupCredentials('docker.io', env())).credentials?.username).toBe('exact');
  });

  it('does not lend one registry the credentials of another', async () => {
    await write({ auths: { 'ghcr.io': { auth: basic('u', 'p') } } });
    expect(await lookupCredentials('quay.io', env())).toEqual({});
  });

  it('reports a malformed auth field', async () => {
    await write({ auths: { 'ghcr.io': { auth: Buffer.from('nocolon').toString('base64') } } });
    expect((await lookupCredentials('ghcr.io', env())).problem).toMatch(/is not base64 of user:password/);
  });

  it('reports an unreadable config file', async () => {
    await writeFile(join(dir, 'config.json'), '{not json');
    expect((await lookupCredentials('ghcr.io', env())).problem).toMatch(/^cannot read .*config\.json/);
  });

  it('asks credHelpers[host] first, credsStore otherwise, and falls back to inline auths', async () => {
    const asked: string[] = [];
    const helper = async (name: string, server: string) => {
      asked.push(`${name} ${server}`);
      return name === 'per-host' ? { credentials: { username: 'h', password: 'p', source: name } } : {};
    };
    await write({
      credsStore: 'store',
      credHelpers: { 'ghcr.io': 'per-host' },
      auths: { 'quay.io': { auth: basic('inline', 'x') } },
    });
    expect((await lookupCredentials('ghcr.io', env(), helper)).credentials?.username).toBe('h');
    expect((await lookupCredentials('quay.io', env(), helper)).credentials?.username).toBe('inline');
    expect((await lookupCredentials('docker.io', env(), helper)).credentials).toBeUndefined();
    expect(asked).toEqual(['per-host ghcr.io', 'store quay.io', 'store https://index.docker.io/v1/']);
  });
});
