import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type EngineEndpoint,
  encodeImageName,
  engineRequest,
  readBody,
} from '../../src/engine/engine-api.js';

describe('encodeImageName', () => {
  it('keeps the characters of image references and escapes the rest', () => {
    expect(encodeImageName('localhost:5000/team/app:1.0')).toBe('localhost:5000/team/app:1.0');
    expect(encodeImageName('sha256:abc')).toBe('sha256:abc');
    expect(encodeImageName('app@sha256:abc')).toBe('app@sha256:abc');
    expect(encodeImageName('a b?c')).toBe('a%20b%3Fc');
  });
});

describe('an engine reached over tcp://, behind a proxy', () => {
  let proxy: http.Server;
  let engine: http.Server;
  const seenByProxy: Array<{ url: string | undefined; host: string | undefined }> = [];
  const seenByEngine: string[] = [];
  let proxyPort = 0;
  let enginePort = 0;

  beforeAll(async () => {
    // A forward proxy that answers for the engine itself: the engine's name never resolves.
    proxy = http.createServer((request, response) => {
      seenByProxy.push({ url: request.url, host: request.headers.host });
      response.end('OK');
    });
    engine = http.createServer((request, response) => {
      seenByEngine.push(request.url ?? '');
      response.end('OK');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => engine.listen(0, '127.0.0.1', resolve));
    proxyPort = (proxy.address() as AddressInfo).port;
    enginePort = (engine.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => proxy.close(resolve));
    await new Promise((resolve) => engine.close(resolve));
  });
  beforeEach(() => {
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'])
      vi.stubEnv(name, '');
    seenByProxy.length = 0;
    seenByEngine.length = 0;
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const remote: EngineEndpoint = {
    url: 'tcp://engine.internal:2375',
    hostname: 'engine.internal',
    port: 2375,
  };

  it('goes through HTTP_PROXY, naming the daemon as the Host, as the docker CLI does', async () => {
    vi.stubEnv('HTTP_PROXY', `http://127.0.0.1:${proxyPort}`);
    const response = await engineRequest(remote, '/_ping');
    expect(response.statusCode).toBe(200);
    expect((await readBody(response)).toString()).toBe('OK');
    expect(seenByProxy).toEqual([{ url: 'http://engine.internal:2375/_ping', host: 'engine.internal:2375' }]);
  });

  it('connects directly when NO_PROXY names the daemon', async () => {
    vi.stubEnv('HTTP_PROXY', `http://127.0.0.1:${proxyPort}`);
    vi.stubEnv('NO_PROXY', 'internal');
    await expect(engineRequest(remote, '/_ping', { headersTimeoutMs: 5_000 })).rejects.toThrow();
    expect(seenByProxy).toEqual([]);
  });

  it('never sends a loopback daemon through the proxy', async () => {
    vi.stubEnv('HTTP_PROXY', `http://127.0.0.1:${proxyPort}`);
    const local: EngineEndpoint = {
      url: `tcp://127.0.0.1:${enginePort}`,
      hostname: '127.0.0.1',
      port: enginePort,
    };
    const response = await engineRequest(local, '/_ping');
    await readBody(response);
    expect(seenByEngine).toEqual(['/_ping']);
    expect(seenByProxy).toEqual([]);
  });

  it('keeps a unix socket away from any proxy', async () => {
    vi.stubEnv('HTTP_PROXY', `http://127.0.0.1:${proxyPort}`);
    const socket: EngineEndpoint = {
      url: 'unix:///nonexistent/docker.sock',
      socketPath: '/nonexistent/docker.sock',
    };
    await expect(engineRequest(socket, '/_ping')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(seenByProxy).toEqual([]);
  });
});
