import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openImage } from '../../src/image/open.js';
import { openRegistryImage } from '../../src/image/registry/registry.js';
import { PareError } from '../../src/util/errors.js';
import { proxyFor } from '../../src/util/http-proxy.js';
import { buildImage, FakeRegistry } from './registry-fake.js';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

/** Only what the test sets: proxy variables of the machine running the tests must not leak in. */
function clearProxyEnv(): void {
  for (const name of [...PROXY_VARIABLES, 'ALL_PROXY', 'all_proxy']) vi.stubEnv(name, '');
}

describe('the proxy for a URL, from the environment', () => {
  beforeEach(clearProxyEnv);
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    { env: { HTTPS_PROXY: 'http://proxy:3128' }, target: 'https://ghcr.io/v2/', proxy: 'http://proxy:3128/' },
    { env: { https_proxy: 'http://proxy:3128' }, target: 'https://ghcr.io/v2/', proxy: 'http://proxy:3128/' },
    // Upper case first, as Go's httpproxy (the docker CLI's) reads them.
    {
      env: { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2' },
      target: 'https://ghcr.io/v2/',
      proxy: 'http://upper:1/',
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'other.io', no_proxy: 'ghcr.io' },
      target: 'https://ghcr.io/v2/',
      proxy: 'http://p:1/',
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'ghcr.io', no_proxy: 'other.io' },
      target: 'https://ghcr.io/v2/',
      proxy: undefined,
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: ' , ,' },
      target: 'https://ghcr.io/v2/',
      proxy: 'http://p:1/',
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'GHCR.IO' },
      target: 'https://pkg.ghcr.io/v2/',
      proxy: undefined,
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.1.2.3:443' },
      target: 'https://10.1.2.3/v2/',
      proxy: undefined,
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.1.2.3:5000' },
      target: 'https://10.1.2.3/v2/',
      proxy: 'http://p:1/',
    },
    { env: { HTTP_PROXY: 'proxy:3128' }, target: 'http://registry.lan/v2/', proxy: 'http://proxy:3128/' },
    // A bare host:port is an http proxy for https URLs too, as Go reads it.
    { env: { HTTPS_PROXY: 'proxy:3128' }, target: 'https://ghcr.io/v2/', proxy: 'http://proxy:3128/' },
    { env: { HTTP_PROXY: 'http://proxy:3128' }, target: 'https://ghcr.io/v2/', proxy: undefined },
    { env: { HTTPS_PROXY: 'http://proxy:3128' }, target: 'http://registry.lan/v2/', proxy: undefined },
    { env: { ALL_PROXY: 'socks5://proxy:1080' }, target: 'https://ghcr.io/v2/', proxy: undefined },
    { env: { HTTP_PROXY: 'http://proxy:3128' }, target: 'http://localhost:5000/v2/', proxy: undefined },
    { env: { HTTP_PROXY: 'http://proxy:3128' }, target: 'http://127.0.0.1:5000/v2/', proxy: undefined },
    { env: { HTTP_PROXY: 'http://proxy:3128' }, target: 'http://[::1]:5000/v2/', proxy: undefined },
    { env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }, target: 'https://ghcr.io/v2/', proxy: undefined },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'ghcr.io' },
      target: 'https://ghcr.io/v2/',
      proxy: undefined,
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', no_proxy: 'ghcr.io' },
      target: 'https://pkg.ghcr.io/v2/',
      proxy: undefined,
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'ghcr.io:443' },
      target: 'https://pkg.ghcr.io/v2/',
      proxy: undefined,
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'ghcr.io:8443' },
      target: 'https://pkg.ghcr.io/v2/',
      proxy: 'http://p:1/',
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.ghcr.io' },
      target: 'https://ghcr.io/v2/',
      proxy: 'http://p:1/',
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.ghcr.io' },
      target: 'https://pkg.ghcr.io/v2/',
      proxy: undefined,
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*.ghcr.io' },
      target: 'https://pkg.ghcr.io/v2/',
      proxy: undefined,
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'hr.io' },
      target: 'https://ghcr.io/v2/',
      proxy: 'http://p:1/',
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'ghcr.io:8443' },
      target: 'https://ghcr.io/v2/',
      proxy: 'http://p:1/',
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'ghcr.io:443' },
      target: 'https://ghcr.io/v2/',
      proxy: undefined,
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'foo 10.1.2.3' },
      target: 'https://10.1.2.3/v2/',
      proxy: undefined,
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'foo, 10.0.0.0/8' },
      target: 'https://10.1.2.3/v2/',
      proxy: undefined,
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.0.0.0/8' },
      target: 'https://11.1.2.3/v2/',
      proxy: 'http://p:1/',
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'fd12::1' },
      target: 'https://[fd12::1]/v2/',
      proxy: undefined,
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '[fd12::1]:443' },
      target: 'https://[fd12::1]/v2/',
      proxy: undefined,
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'fd12::2' },
      target: 'https://[fd12::1]/v2/',
      proxy: 'http://p:1/',
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'fd00::/8' },
      target: 'https://[fd12::1]/v2/',
      proxy: undefined,
    },
  ])('$env → $target via $proxy', ({ env, target, proxy }) => {
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    expect(proxyFor(new URL(target))?.url.href).toBe(proxy);
  });

  it('names the variable a proxy came from', () => {
    vi.stubEnv('https_proxy', 'http://proxy:3128');
    expect(proxyFor(new URL('https://ghcr.io/v2/'))?.variable).toBe('https_proxy');
  });

  it('refuses a proxy URL it cannot use, naming the variable', () => {
    vi.stubEnv('https_proxy', 'socks5://p:1080');
    expect(() => proxyFor(new URL('https://ghcr.io/v2/'))).toThrow(
      'https_proxy=socks5://p:1080: only http:// and https:// proxies are supported',
    );
  });
});

/**
 * A forward proxy that counts what it is asked: absolute-URL requests are
 * relayed to the fake registry, CONNECT to plain.test is tunnelled to it (a
 * plain-HTTP server behind an https name), CONNECT to auth.test is answered
 * 407, any other CONNECT is refused.
 */
class CountingProxy {
  readonly requests: string[] = [];
  readonly connects: string[] = [];
  readonly authorizations: string[] = [];
  connections = 0;
  private readonly server: http.Server;

  constructor(private readonly upstreamPort: () => number) {
    this.server = http.createServer((req, res) => {
      this.requests.push(req.url ?? '');
      const target = new URL(req.url ?? '/');
      const upstream = http.request(
        {
          host: '127.0.0.1',
          port: this.upstreamPort(),
          path: target.pathname + target.search,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    this.server.on('connection', () => {
      this.connections++;
    });
    this.server.on('connect', (req: http.IncomingMessage, socket: net.Socket) => {
      this.connects.push(req.url ?? '');
      const authorization = req.headers['proxy-authorization'];
      if (authorization) this.authorizations.push(authorization);
      if (req.url?.startsWith('auth.test:')) {
        socket.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\n\r\n',
        );
        return;
      }
      if (!req.url?.startsWith('plain.test:')) {
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      const upstream = net.connect(this.upstreamPort(), '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  reset(): void {
    this.requests.length = 0;
    this.connects.length = 0;
    this.authorizations.length = 0;
    this.connections = 0;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('registry reads through a proxy', () => {
  const registry = new FakeRegistry();
  const registryPort = () => Number(registry.host.split(':')[1]);
  const proxy = new CountingProxy(registryPort);
  const image = buildImage({ layers: [{ files: { 'etc/os-release': 'ID=fake\n' } }] });

  async function failure(reference: string): Promise<string> {
    const error = await openRegistryImage(reference, { retries: 0 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PareError);
    return (error as PareError).line;
  }

  beforeAll(async () => {
    await registry.start();
    await proxy.start();
    registry.pushImage('app/single', 'v1', image);
  });
  afterAll(async () => {
    await proxy.stop();
    await registry.stop();
  });
  beforeEach(clearProxyEnv);
  afterEach(() => {
    vi.unstubAllEnvs();
    proxy.reset();
  });

  it.each(['HTTP_PROXY', 'http_proxy'])('sends plain-HTTP registry requests to %s', async (variable) => {
    vi.stubEnv(variable, proxy.url);
    // Through openImage, as the library's users call it.
    const opened = await openImage(`registry.test:${registryPort()}/app/single:v1`, {
      insecure: true,
      retries: 0,
    });
    expect(await opened.configDigest()).toBe(image.configDigest);
    await opened.config();
    await opened.close();
    expect(proxy.requests.length).toBeGreaterThan(1);
    expect(proxy.requests.every((url) => url.startsWith(`http://registry.test:${registryPort()}/v2/`))).toBe(
      true,
    );
    // Connections to the proxy are kept alive between requests, as direct ones are.
    expect(proxy.connections).toBeLessThan(proxy.requests.length);
  });

  it('leaves loopback registries alone', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.url);
    const local = await openRegistryImage(`${registry.host}/app/single:v1`, { retries: 0 });
    await local.close();
    expect(proxy.requests).toEqual([]);
  });

  // 0.0.0.0 reaches this machine without being a loopback name, so only NO_PROXY keeps it from the proxy.
  it.each([
    { noProxy: '', proxied: true },
    { noProxy: '0.0.0.0', proxied: false },
    { noProxy: 'foo,0.0.0.0/8', proxied: false },
    { noProxy: `0.0.0.0:${1}`, proxied: true },
  ])('NO_PROXY=$noProxy: proxied $proxied', async ({ noProxy, proxied }) => {
    vi.stubEnv('HTTP_PROXY', proxy.url);
    vi.stubEnv('NO_PROXY', noProxy);
    const opened = await openImage(`0.0.0.0:${registryPort()}/app/single:v1`, { insecure: true, retries: 0 });
    expect(await opened.configDigest()).toBe(image.configDigest);
    await opened.close();
    expect(proxy.requests.length > 0).toBe(proxied);
  });

  it('tunnels https through HTTPS_PROXY with CONNECT, and names the proxy when it refuses', async () => {
    vi.stubEnv('HTTPS_PROXY', proxy.url);
    const line = await failure('registry.test/app/single:v1');
    expect(proxy.connects).toEqual(['registry.test:443']);
    expect(line).toBe(
      `registry.test/app/single:v1: cannot reach registry.test: proxy 127.0.0.1:${proxy.port} (HTTPS_PROXY) answered HTTP 403 to CONNECT registry.test:443`,
    );
  });

  it("sends the proxy URL's credentials to the proxy, and leaves them out of the message", async () => {
    vi.stubEnv('https_proxy', `http://pare:s%20cret@127.0.0.1:${proxy.port}`);
    const line = await failure('auth.test/app/single:v1');
    expect(proxy.authorizations).toEqual([`Basic ${Buffer.from('pare:s cret').toString('base64')}`]);
    expect(line).toBe(
      `auth.test/app/single:v1: cannot reach auth.test: proxy 127.0.0.1:${proxy.port} (https_proxy) answered HTTP 407 to CONNECT auth.test:443`,
    );
  });

  it.each([
    { variable: 'HTTPS_PROXY', reference: 'registry.test/app/single:v1', insecure: false },
    { variable: 'http_proxy', reference: 'registry.test:5000/app/single:v1', insecure: true },
  ])('names $variable when its proxy is unreachable', async ({ variable, reference, insecure }) => {
    const port = await closedPort();
    vi.stubEnv(variable, `http://127.0.0.1:${port}`);
    const error = await openImage(reference, { insecure, retries: 0 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PareError);
    const host = reference.split('/')[0];
    expect((error as PareError).line).toBe(
      `${reference}: cannot reach ${host}: proxy 127.0.0.1:${port} (${variable}): connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('blames the proxy, not the registry, when TLS to an https:// proxy fails', async () => {
    vi.stubEnv('HTTPS_PROXY', `https://127.0.0.1:${proxy.port}`);
    const line = await failure('registry.test/app/single:v1');
    expect(line).toMatch(
      new RegExp(
        `^registry\\.test/app/single:v1: cannot reach registry\\.test: proxy 127\\.0\\.0\\.1:${proxy.port} \\(HTTPS_PROXY\\): `,
      ),
    );
    expect(line).not.toContain('plain HTTP');
  });

  it('says what to do about a plain-HTTP registry without offering a flag the CLI lacks', async () => {
    vi.stubEnv('HTTPS_PROXY', proxy.url);
    const line = await failure('plain.test/app/single:v1');
    expect(proxy.connects).toEqual(['plain.test:443']);
    expect(line).toMatch(/^plain\.test\/app\/single:v1: TLS connection to plain\.test failed: /);
    expect(line).toContain(
      '(it seems to speak plain HTTP, which pare uses only for loopback registries such as localhost:5000; pull the image with docker and read docker-daemon:NAME instead)',
    );
    expect(line).not.toContain('--insecure');
  });
});
