import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openImage } from '../../src/image/open.js';
import { openRegistryImage } from '../../src/image/registry.js';
import { proxyFor, proxySettingsFromEnv } from '../../src/image/registry-proxy.js';
import { PareError } from '../../src/util/errors.js';
import { buildImage, FakeRegistry } from './registry-fake.js';

describe('proxy settings from the environment', () => {
  const url = (text: string) => new URL(text);
  it.each([
    { env: { HTTPS_PROXY: 'http://proxy:3128' }, target: 'https://ghcr.io/v2/', proxy: 'http://proxy:3128/' },
    { env: { https_proxy: 'http://proxy:3128' }, target: 'https://ghcr.io/v2/', proxy: 'http://proxy:3128/' },
    {
      env: { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2' },
      target: 'https://ghcr.io/v2/',
      proxy: 'http://upper:1/',
    },
    { env: { HTTP_PROXY: 'proxy:3128' }, target: 'http://registry.lan/v2/', proxy: 'http://proxy:3128/' },
    { env: { HTTP_PROXY: 'http://proxy:3128' }, target: 'https://ghcr.io/v2/', proxy: undefined },
    { env: { HTTPS_PROXY: 'http://proxy:3128' }, target: 'http://registry.lan/v2/', proxy: undefined },
    { env: { HTTP_PROXY: 'http://proxy:3128' }, target: 'http://localhost:5000/v2/', proxy: undefined },
    { env: { HTTP_PROXY: 'http://proxy:3128' }, target: 'http://127.0.0.1:5000/v2/', proxy: undefined },
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
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.ghcr.io' },
      target: 'https://ghcr.io/v2/',
      proxy: 'http://p:1/',
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
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'foo, 10.0.0.0/8' },
      target: 'https://10.1.2.3/v2/',
      proxy: undefined,
    },
    {
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.0.0.0/8' },
      target: 'https://11.1.2.3/v2/',
      proxy: 'http://p:1/',
    },
  ])('$env → $target via $proxy', ({ env, target, proxy }) => {
    expect(proxyFor(url(target), proxySettingsFromEnv(env))?.url.href).toBe(proxy);
  });

  it('refuses a proxy URL it cannot use, naming the variable', () => {
    expect(() => proxySettingsFromEnv({ https_proxy: 'socks5://p:1080' })).toThrow(
      'https_proxy=socks5://p:1080: only http:// and https:// proxies are supported',
    );
  });
});

/**
 * A forward proxy that counts what it is asked: absolute-URL requests are
 * relayed to the fake registry, CONNECT to plain.test is tunnelled to it (a
 * plain-HTTP server behind an https name), any other CONNECT is refused.
 */
class CountingProxy {
  readonly requests: string[] = [];
  readonly connects: string[] = [];
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
    this.server.on('connect', (req: http.IncomingMessage, socket: net.Socket) => {
      this.connects.push(req.url ?? '');
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
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('registry reads through a proxy', () => {
  const registry = new FakeRegistry();
  const registryPort = () => Number(registry.host.split(':')[1]);
  const proxy = new CountingProxy(registryPort);
  const image = buildImage({ layers: [{ files: { 'etc/os-release': 'ID=fake\n' } }] });

  beforeAll(async () => {
    await registry.start();
    await proxy.start();
    registry.pushImage('app/single', 'v1', image);
  });
  afterAll(async () => {
    await proxy.stop();
    await registry.stop();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    proxy.requests.length = 0;
    proxy.connects.length = 0;
  });

  it.each(['HTTP_PROXY', 'http_proxy'])('sends plain-HTTP registry requests to %s', async (variable) => {
    vi.stubEnv(variable, proxy.url);
    // Through openImage, as the library's users call it.
    const opened = await openImage(`registry.test:${registryPort()}/app/single:v1`, {
      insecure: true,
      retries: 0,
    });
    expect(await opened.configDigest()).toBe(image.configDigest);
    await opened.close();
    expect(proxy.requests.length).toBeGreaterThan(0);
    expect(proxy.requests.every((url) => url.startsWith(`http://registry.test:${registryPort()}/v2/`))).toBe(
      true,
    );
  });

  it('leaves loopback registries alone', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.url);
    const local = await openRegistryImage(`${registry.host}/app/single:v1`, { retries: 0 });
    await local.close();
    expect(proxy.requests).toEqual([]);
  });

  it('tunnels https through HTTPS_PROXY with CONNECT, and names the proxy when it refuses', async () => {
    vi.stubEnv('HTTPS_PROXY', proxy.url);
    const error = await openRegistryImage('registry.test/app/single:v1', { retries: 0 }).catch(
      (caught: unknown) => caught,
    );
    expect(proxy.connects).toEqual(['registry.test:443']);
    expect(error).toBeInstanceOf(PareError);
    expect((error as PareError).line).toBe(
      `registry.test/app/single:v1: cannot reach registry.test: proxy ${new URL(proxy.url).host} (HTTPS_PROXY) answered HTTP 403 to CONNECT registry.test:443`,
    );
  });

  it('says what to do about a plain-HTTP registry without offering a flag the CLI lacks', async () => {
    vi.stubEnv('HTTPS_PROXY', proxy.url);
    const error = await openRegistryImage('plain.test/app/single:v1', { retries: 0 }).catch(
      (caught: unknown) => caught,
    );
    expect(proxy.connects).toEqual(['plain.test:443']);
    const line = (error as PareError).line;
    expect(line).toMatch(/^plain\.test\/app\/single:v1: TLS connection to plain\.test failed: /);
    expect(line).toContain(
      '(it seems to speak plain HTTP, which pare uses only for loopback registries such as localhost:5000; pull the image with docker and read docker-daemon:NAME instead)',
    );
    expect(line).not.toContain('--insecure');
  });
});
