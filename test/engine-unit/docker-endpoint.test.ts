import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CleanupRegistry } from '../../src/engine/cleanup.js';
import { findEngine } from '../../src/engine/detect.js';
import { type DockerEndpoint, resolveDockerEndpoint } from '../../src/engine/docker-endpoint.js';
import { daemonSource } from '../../src/image/local/docker-daemon.js';
import { PareError } from '../../src/util/errors.js';
import { DAEMON_DOWN, fakeCli } from './fake-cli.js';

let config: string;
let certs: string;
const contextId = (name: string) => createHash('sha256').update(name).digest('hex');

/** A context as `docker context create` writes it. */
async function writeContext(
  name: string,
  host: string,
  options: { skipTlsVerify?: boolean; tls?: boolean } = {},
): Promise<void> {
  const meta = join(config, 'contexts', 'meta', contextId(name));
  await mkdir(meta, { recursive: true });
  await writeFile(
    join(meta, 'meta.json'),
    JSON.stringify({
      Name: name,
      Metadata: {},
      Endpoints: { docker: { Host: host, SkipTLSVerify: options.skipTlsVerify ?? false } },
    }),
  );
  if (options.tls) {
    const tls = join(config, 'contexts', 'tls', contextId(name), 'docker');
    await mkdir(tls, { recursive: true });
    for (const file of ['ca', 'cert', 'key']) await writeFile(join(tls, `${file}.pem`), `${name}-${file}`);
  }
}

beforeAll(async () => {
  config = await mkdtemp(join(tmpdir(), 'pare-docker-config-'));
  certs = await mkdtemp(join(tmpdir(), 'pare-docker-certs-'));
  await writeFile(join(certs, 'ca.pem'), 'env-ca');
  await writeFile(join(config, 'ca.pem'), 'config-dir-ca');
  await writeFile(join(config, 'config.json'), JSON.stringify({ auths: {}, currentContext: 'remote' }));
  await writeContext('remote', 'tcp://engine.example:2376', { tls: true });
  await writeContext('local-sock', 'unix:///run/user/1000/docker.sock');
  await writeContext('skip-verify', 'tcp://10.0.0.9:2376', { skipTlsVerify: true });
  await writeContext('over-ssh', 'ssh://me@build-box');
});
afterAll(async () => {
  await rm(config, { recursive: true, force: true });
  await rm(certs, { recursive: true, force: true });
});

interface Case {
  name: string;
  env: () => NodeJS.ProcessEnv;
  expected: (config: string) => Partial<DockerEndpoint> & { tlsCa?: string; noTls?: boolean };
}

const cases: Case[] = [
  {
    name: 'DOCKER_HOST wins over DOCKER_CONTEXT and the current context',
    env: () => ({ DOCKER_HOST: 'unix:///tmp/x.sock', DOCKER_CONTEXT: 'local-sock', DOCKER_CONFIG: config }),
    expected: () => ({
      url: 'unix:///tmp/x.sock',
      socketPath: '/tmp/x.sock',
      origin: 'DOCKER_HOST',
      noTls: true,
    }),
  },
  {
    name: 'a tcp DOCKER_HOST without DOCKER_TLS_VERIFY is plain, on 2375',
    env: () => ({ DOCKER_HOST: 'tcp://10.0.0.5', DOCKER_CONFIG: config }),
    expected: () => ({ hostname: '10.0.0.5', port: 2375, noTls: true }),
  },
  {
    name: 'DOCKER_TLS_VERIFY takes the certificates from DOCKER_CERT_PATH',
    env: () => ({
      DOCKER_HOST: 'tcp://engine.example',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certs,
      DOCKER_CONFIG: config,
    }),
    expected: () => ({ hostname: 'engine.example', port: 2376, tlsCa: 'env-ca' }),
  },
  {
    name: 'DOCKER_TLS_VERIFY without DOCKER_CERT_PATH reads the docker config directory',
    env: () => ({ DOCKER_HOST: 'tcp://[::1]:2380', DOCKER_TLS_VERIFY: '1', DOCKER_CONFIG: config }),
    expected: () => ({ hostname: '::1', port: 2380, tlsCa: 'config-dir-ca' }),
  },
  {
    name: 'DOCKER_CONTEXT wins over the current context',
    env: () => ({ DOCKER_CONTEXT: 'local-sock', DOCKER_CONFIG: config }),
    expected: () => ({
      url: 'unix:///run/user/1000/docker.sock',
      socketPath: '/run/user/1000/docker.sock',
      origin: 'DOCKER_CONTEXT=local-sock',
    }),
  },
  {
    name: 'the current context in config.json, with its TLS files',
    env: () => ({ DOCKER_CONFIG: config }),
    expected: (dir) => ({
      url: 'tcp://engine.example:2376',
      hostname: 'engine.example',
      port: 2376,
      origin: `current context remote in ${join(dir, 'config.json')}`,
      tlsCa: 'remote-ca',
    }),
  },
  {
    name: 'SkipTLSVerify in the context turns verification off',
    env: () => ({ DOCKER_CONTEXT: 'skip-verify', DOCKER_CONFIG: config }),
    expected: () => ({ hostname: '10.0.0.9', port: 2376, tls: { rejectUnauthorized: false } }),
  },
  {
    name: 'the context "default" is the default socket, and counts as named',
    env: () => ({ DOCKER_CONTEXT: 'default', DOCKER_CONFIG: config }),
    expected: () => ({
      url: 'unix:///var/run/docker.sock',
      socketPath: '/var/run/docker.sock',
      origin: 'DOCKER_CONTEXT=default',
    }),
  },
  {
    name: 'no config.json: the default socket, named by nothing',
    env: () => ({ DOCKER_CONFIG: join(config, 'absent') }),
    expected: () => ({
      url: 'unix:///var/run/docker.sock',
      socketPath: '/var/run/docker.sock',
      origin: undefined,
    }),
  },
];

describe('resolveDockerEndpoint', () => {
  it.each(cases)('$name', ({ env, expected }) => {
    const endpoint = resolveDockerEndpoint(env());
    const { tlsCa, noTls, ...fields } = expected(config);
    if ('origin' in fields && fields.origin === undefined) {
      expect(endpoint.origin).toBeUndefined();
      delete fields.origin;
    }
    expect(endpoint).toMatchObject(fields);
    if (tlsCa !== undefined) expect(endpoint.tls?.ca?.toString()).toBe(tlsCa);
    if (noTls) expect(endpoint.tls).toBeUndefined();
  });

  it.each([
    {
      env: () => ({ DOCKER_CONTEXT: 'nosuch', DOCKER_CONFIG: config }),
      message: (dir: string) =>
        `DOCKER_CONTEXT=nosuch: no such docker context (no ${join(dir, 'contexts', 'meta', contextId('nosuch'), 'meta.json')}); see docker context ls`,
    },
    {
      env: () => ({ DOCKER_CONTEXT: 'over-ssh', DOCKER_CONFIG: config }),
      message: () =>
        'DOCKER_CONTEXT=over-ssh: docker host ssh://me@build-box: only unix:// and tcp:// engine addresses are supported (ssh:// and npipe:// are not)',
    },
    {
      env: () => ({ DOCKER_HOST: 'ssh://me@host' }),
      message: () =>
        'DOCKER_HOST=ssh://me@host: only unix:// and tcp:// engine addresses are supported (ssh:// and npipe:// are not)',
    },
    {
      env: () => ({ DOCKER_HOST: 'unix://relative.sock' }),
      message: () => 'DOCKER_HOST=unix://relative.sock: a unix socket path must be absolute',
    },
  ])('refuses in one line naming the input (case $#)', ({ env, message }) => {
    let error: unknown;
    try {
      resolveDockerEndpoint(env());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PareError);
    expect((error as PareError).line).toBe(message(config));
    expect((error as PareError).exitCode).toBe(2);
  });

  it('names an unknown current context and the config.json that set it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pare-docker-config-'));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ currentContext: 'gone' }));
    expect(() => resolveDockerEndpoint({ DOCKER_CONFIG: dir })).toThrow(
      `current context gone in ${join(dir, 'config.json')}: no such docker context`,
    );
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!existsSync('/usr/bin/docker'))('reads a context the docker CLI itself created', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pare-docker-config-'));
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: dir };
    delete env.DOCKER_HOST;
    delete env.DOCKER_CONTEXT;
    const run = (args: string[]) => spawnSync('/usr/bin/docker', args, { env, encoding: 'utf8' });
    expect(run(['context', 'create', 'made-by-docker', '--docker', 'host=tcp://10.1.2.3:2375']).status).toBe(
      0,
    );
    expect(run(['context', 'use', 'made-by-docker']).status).toBe(0);
    expect(resolveDockerEndpoint({ DOCKER_CONFIG: dir })).toMatchObject({
      url: 'tcp://10.1.2.3:2375',
      hostname: '10.1.2.3',
      port: 2375,
      origin: `current context made-by-docker in ${join(dir, 'config.json')}`,
    });
    await rm(dir, { recursive: true, force: true });
  });
});

describe('a named engine that does not answer', () => {
  const cleanup = new CleanupRegistry();

  it.each([
    {
      env: () => ({ DOCKER_CONTEXT: 'remote', DOCKER_CONFIG: config }),
      from: (): string => 'tcp://engine.example:2376 (from DOCKER_CONTEXT=remote)',
    },
    {
      env: () => ({ DOCKER_CONFIG: config }),
      from: (): string =>
        `tcp://engine.example:2376 (from current context remote in ${join(config, 'config.json')})`,
    },
    {
      env: () => ({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' }),
      from: (): string => 'unix:///nonexistent/docker.sock (from DOCKER_HOST)',
    },
    {
      env: () => ({ PARE_ENGINE: 'docker', DOCKER_CONFIG: join(config, 'absent') }),
      from: (): string => 'unix:///var/run/docker.sock',
    },
  ])('fails in one line naming it, never trying podman (case $#)', async ({ env, from }) => {
    const docker = await fakeCli('docker', DAEMON_DOWN);
    const podman = await fakeCli('podman', `\n  info) echo "4.3.1" ;;`);
    const attempt = findEngine({
      cleanup,
      env: { ...env(), PATH: join(podman.path, '..') },
      candidates: [
        { kind: 'docker', label: 'docker on PATH', binary: docker.path },
        { kind: 'podman', label: 'podman', binary: podman.path },
      ],
    });
    await expect(attempt).rejects.toThrow(
      `docker engine at ${from()} is not reachable: is the docker daemon running?`,
    );
    expect(await podman.calls()).toEqual([]);
    // Images are read from the named engine too, not from podman.
    const source = daemonSource({ ...env(), PATH: join(podman.path, '..') });
    expect(source.kind).toBe('api');
  });
});
