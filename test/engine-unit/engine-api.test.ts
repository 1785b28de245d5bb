import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeImageName, endpointFromEnv, parseDockerHost } from '../../src/engine/engine-api.js';

describe('parseDockerHost', () => {
  it('reads unix sockets and tcp addresses with the default ports', () => {
    expect(parseDockerHost('unix:///run/user/1000/docker.sock')).toEqual({
      url: 'unix:///run/user/1000/docker.sock',
      socketPath: '/run/user/1000/docker.sock',
    });
    expect(parseDockerHost('tcp://10.0.0.5')).toEqual({
      url: 'tcp://10.0.0.5',
      hostname: '10.0.0.5',
      port: 2375,
    });
    expect(parseDockerHost('tcp://[::1]:2380')).toMatchObject({ hostname: '::1', port: 2380 });
  });

  it('uses TLS with the certificates in DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set', async () => {
    const certs = await mkdtemp(join(tmpdir(), 'pare-certs-'));
    await writeFile(join(certs, 'ca.pem'), 'CA');
    const endpoint = parseDockerHost('tcp://engine.example:2376', {
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certs,
    });
    expect(endpoint.port).toBe(2376);
    expect(endpoint.tls?.ca?.toString()).toBe('CA');
    expect(endpoint.tls?.cert).toBeUndefined();
    await rm(certs, { recursive: true, force: true });
  });

  it('refuses transports it cannot speak, naming the variable', () => {
    expect(() => parseDockerHost('ssh://me@host')).toThrow(
      'DOCKER_HOST=ssh://me@host: only unix:// and tcp:// engine addresses are supported (ssh:// and npipe:// are not)',
    );
    expect(() => parseDockerHost('unix://relative.sock')).toThrow(/must be absolute/);
  });
});

describe('endpointFromEnv', () => {
  it('prefers DOCKER_HOST', () => {
    expect(endpointFromEnv({ DOCKER_HOST: 'unix:///tmp/x.sock' }).socketPath).toBe('/tmp/x.sock');
  });
});

describe('encodeImageName', () => {
  it('keeps the characters of image references and escapes the rest', () => {
    expect(encodeImageName('localhost:5000/team/app:1.0')).toBe('localhost:5000/team/app:1.0');
    expect(encodeImageName('sha256:abc')).toBe('sha256:abc');
    expect(encodeImageName('app@sha256:abc')).toBe('app@sha256:abc');
    expect(encodeImageName('a b?c')).toBe('a%20b%3Fc');
  });
});
