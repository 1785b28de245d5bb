/**
 * The registry source against a real registry (Debian's docker-registry, the
 * distribution project's server): images written as OCI layouts are pushed with
 * skopeo, read back through openRegistryImage, and compared with what skopeo
 * itself reports. The open registry is the one .ci/provision-engine.sh runs on
 * 127.0.0.1:5000 (PARE_TEST_REGISTRY overrides); a second one with htpasswd
 * basic auth is started here from the same binary.
 *
 * With PARE_ENGINE_TESTS=1 a missing registry or skopeo fails the run; without
 * it these tests are skipped when the tools are not there.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistryImage } from '../../src/image/registry/registry.js';
import type { Image } from '../../src/image/types.js';
import {
  type BuiltImage,
  buildImage,
  dir,
  file,
  hardlink,
  sha256,
  symlink,
  whiteout,
  writeOciLayout,
  zstdAvailable,
} from '../helpers/image-writer.js';
import { validateImage } from '../helpers/validate-image.js';

const run = promisify(execFile);
const REQUIRED = process.env.PARE_ENGINE_TESTS === '1';
const REGISTRY = process.env.PARE_TEST_REGISTRY ?? '127.0.0.1:5000';
const REGISTRY_BINARY = '/usr/bin/docker-registry';
/** bcrypt of "pare-secret" (distribution's htpasswd accepts bcrypt only). */
const HTPASSWD = 'pare:$2b$04$Eyd1Jy9eRSBB/DGGzHmJVOof0GEVPcIocENrWxClOn15RglK6tzum\n';

async function answers(host: string): Promise<boolean> {
  try {
    const response = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(3000) });
    return response.status === 200 || response.status === 401;
  } catch {
    return false;
  }
}

async function hasProgram(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

const missing: string[] = [];
if (!(await answers(REGISTRY))) missing.push(`no registry answers on http://${REGISTRY}/v2/`);
if (
  !(await run('skopeo', ['--version']).then(
    () => true,
    () => false,
  ))
)
  missing.push('skopeo is not installed');
if (!(await hasProgram(REGISTRY_BINARY))) missing.push(`${REGISTRY_BINARY} is not installed`);
if (!zstdAvailable) missing.push('zstd is not installed (the fixture writer needs it for zstd layers)');

if (REQUIRED && missing.length > 0) {
  describe('registry source against a real registry', () => {
    it('has a registry, skopeo and docker-registry (PARE_ENGINE_TESTS=1)', () => {
      expect.fail(`${missing.join('; ')} — run .ci/provision-engine.sh`);
    });
  });
}

async function skopeo(...args: string[]): Promise<string> {
  const { stdout } = await run('skopeo', ['--insecure-policy', ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function drain(stream: Readable): Promise<{ digest: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, bytes };
}

interface SkopeoView {
  manifestDigest: string;
  manifest: {
    mediaType?: string;
    config: { digest: string; size: number };
    layers: { digest: string; size: number }[];
  };
  configDigest: string;
  diffIds: string[];
}

/** What skopeo sees at `ref`, for the platform given (skopeo resolves indexes itself). */
async function skopeoView(
  ref: string,
  platform: { os: string; arch: string; variant?: string },
  creds?: string,
) {
  const common = ['--tls-verify=false', '--override-os', platform.os, '--override-arch', platform.arch];
  if (platform.variant) common.push('--override-variant', platform.variant);
  if (creds) common.push('--creds', creds);
  const top = Buffer.from(await skopeo('inspect', ...common, '--raw', `docker://${ref}`));
  const parsed = JSON.parse(top.toString()) as {
    manifests?: { digest: string; platform: { architecture: string } }[];
  };
  let manifestBytes = top;
  if (parsed.manifests) {
    const entry = parsed.manifests.find((candidate) => candidate.platform.architecture === platform.arch);
    const name = ref.replace(/:[^:/]+$/, '');
    manifestBytes = Buffer.from(
      await skopeo('inspect', ...common, '--raw', `docker://${name}@${entry?.digest}`),
    );
  }
  const config = Buffer.from(await skopeo('inspect', ...common, '--config', '--raw', `docker://${ref}`));
  return {
    manifestDigest: sha256(manifestBytes),
    manifest: JSON.parse(manifestBytes.toString()),
    configDigest: sha256(config),
    diffIds: (JSON.parse(config.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids,
  } satisfies SkopeoView;
}

/** openRegistryImage's view must equal skopeo's, and every blob must stream and verify. */
async function expectSameAsSkopeo(image: Image, view: SkopeoView, built: BuiltImage): Promise<void> {
  await validateImage(image);
  const manifest = await image.manifest();
  expect(manifest.mediaType).toBe(view.manifest.mediaType);
  expect((image as Awaited<ReturnType<typeof openRegistryImage>>).manifestDigest).toBe(view.manifestDigest);
  expect(await image.configDigest()).toBe(view.configDigest);
  expect(view.configDigest).toBe(built.configDigest);
  const layers = await image.layers();
  expect(layers.map((layer) => [layer.digest, layer.size])).toEqual(
    view.manifest.layers.map((layer) => [layer.digest, layer.size]),
  );
  expect(layers.map((layer) => layer.diffId)).toEqual(view.diffIds);
  for (const [i, layer] of layers.entries()) {
    expect(await drain(await layer.compressed())).toEqual({ digest: layer.digest, bytes: layer.size });
    expect(await drain(await layer.uncompressed())).toEqual({
      digest: view.diffIds[i],
      bytes: built.layers[i]?.tar.length,
    });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe.skipIf(missing.length > 0)('registry source against a real registry', () => {
  let work: string;
  let protectedRegistry: ChildProcess | undefined;
  let protectedHost = '';
  const opened: Image[] = [];
  const repo = (name: string) => `${REGISTRY}/pare-test/registry-${name}`;

  const amd64 = buildImage({
    tags: ['latest'],
    layers: [
      {
        compression: 'gzip',
        entries: [
          dir('etc'),
          file('etc/os-release', 'ID=pare-test\n'),
          file('usr/bin/tool', { size: 200_000, seed: 3 }, { mode: 0o755 }),
          symlink('bin', 'usr/bin'),
          hardlink('usr/bin/tool-alias', 'usr/bin/tool'),
        ],
      },
      { compression: 'gzip', entries: [file('var/cache/apt/archives/big.deb', { size: 50_000, seed: 9 })] },
      { compression: 'gzip', entries: [whiteout('var/cache/apt')] },
    ],
  });
  const arm64 = buildImage({
    tags: ['latest'],
    layers: [{ compression: 'gzip', entries: [file('etc/os-release', 'ID=pare-test-arm\n')] }],
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  });
  const mixed = buildImage({
    tags: ['latest'],
    layers: [
      { compression: 'zstd', entries: [file('zstd', 'zstd layer')] },
      { compression: 'none', entries: [file('plain', 'plain layer')] },
    ],
  });

  async function open(ref: string, options: Parameters<typeof openRegistryImage>[1] = {}): Promise<Image> {
    const image = await openRegistryImage(ref, { retries: 1, retryBaseDelayMs: 50, ...options });
    opened.push(image);
    return image;
  }

  async function push(images: BuiltImage[], ref: string, ...flags: string[]): Promise<void> {
    const layout = await mkdtemp(join(work, 'layout-'));
    const asIndex = images.length > 1 ? { nestedIndex: true, indexRef: 'latest' } : {};
    await writeOciLayout(layout, images, asIndex);
    await skopeo(
      'copy',
      '--quiet',
      '--dest-tls-verify=false',
      ...flags,
      `oci:${layout}:latest`,
      `docker://${ref}`,
    );
  }

  const savedDockerConfig = process.env.DOCKER_CONFIG;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'pare-registry-engine-'));
    process.env.DOCKER_CONFIG = join(work, 'docker-config');
    await mkdir(process.env.DOCKER_CONFIG);

    const port = await freePort();
    protectedHost = `127.0.0.1:${port}`;
    await writeFile(join(work, 'htpasswd'), HTPASSWD);
    await writeFile(
      join(work, 'protected.yml'),
      [
        'version: 0.1',
        'log: { level: error }',
        `storage: { filesystem: { rootdirectory: ${join(work, 'protected-data')} } }`,
        `http: { addr: "${protectedHost}", secret: pare-test }`,
        `auth: { htpasswd: { realm: pare-test, path: ${join(work, 'htpasswd')} } }`,
        '',
      ].join('\n'),
    );
    protectedRegistry = spawn(REGISTRY_BINARY, ['serve', join(work, 'protected.yml')], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(await answers(protectedHost)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!(await answers(protectedHost))) {
      throw new Error(`${REGISTRY_BINARY} did not start on ${protectedHost}`);
    }

    await push([amd64], `${repo('oci')}:v1`);
    await push([amd64], `${repo('docker')}:v1`, '--format', 'v2s2');
    await push([amd64, arm64], `${repo('index')}:v1`, '--all');
    await push([amd64, arm64], `${repo('list')}:v1`, '--all', '--format', 'v2s2');
    await push([mixed], `${repo('mixed')}:v1`, '--preserve-digests');
    await push([amd64], `${protectedHost}/pare-test/private:v1`, '--dest-creds', 'pare:pare-secret');
  });

  afterAll(async () => {
    for (const image of opened.splice(0)) await image.close();
    protectedRegistry?.kill();
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each([
    ['an OCI manifest', 'oci', 'application/vnd.oci.image.manifest.v1+json'],
    ['a Docker schema2 manifest', 'docker', 'application/vnd.docker.distribution.manifest.v2+json'],
    ['an OCI index (linux/amd64 by default)', 'index', 'application/vnd.oci.image.manifest.v1+json'],
    [
      'a Docker manifest list (linux/amd64 by default)',
      'list',
      'application/vnd.docker.distribution.manifest.v2+json',
    ],
  ])('reads %s as skopeo sees it', async (_name, name, mediaType) => {
    const ref = `${repo(name)}:v1`;
    const image = await open(ref);
    expect((await image.manifest()).mediaType).toBe(mediaType);
    await expectSameAsSkopeo(image, await skopeoView(ref, { os: 'linux', arch: 'amd64' }), amd64);
  });

  it.each(['index', 'list'])('picks linux/arm64 from the %s', async (name) => {
    const ref = `${repo(name)}:v1`;
    const image = await open(ref, { platform: 'linux/arm64' });
    await expectSameAsSkopeo(
      image,
      await skopeoView(ref, { os: 'linux', arch: 'arm64', variant: 'v8' }),
      arm64,
    );
  });

  it('reads an index by digest and checks the digest', async () => {
    const raw = Buffer.from(
      await skopeo('inspect', '--tls-verify=false', '--raw', `docker://${repo('index')}:v1`),
    );
    const image = await open(`${repo('index')}@${sha256(raw)}`);
    expect((image as Awaited<ReturnType<typeof openRegistryImage>>).indexDigest).toBe(sha256(raw));
    expect(await image.configDigest()).toBe(amd64.configDigest);
  });

  it('reads zstd and uncompressed layers', async () => {
    const ref = `${repo('mixed')}:v1`;
    const image = await open(ref);
    expect((await image.layers()).map((layer) => layer.compression)).toEqual(['zstd', 'none']);
    await expectSameAsSkopeo(image, await skopeoView(ref, { os: 'linux', arch: 'amd64' }), mixed);
  });

  it('reports a tag the registry does not have', async () => {
    await expect(open(`${repo('oci')}:missing`)).rejects.toMatchObject({
      line: `${repo('oci')}:missing: manifest not found`,
    });
  });

  it('lists the platforms of an index when none matches', async () => {
    await expect(open(`${repo('index')}:v1`, { platform: 'linux/ppc64le' })).rejects.toMatchObject({
      message:
        'no image for platform linux/ppc64le (the index has: linux/amd64, linux/arm64/v8); choose one with --platform',
    });
  });

  it('uses basic auth from config.json for an htpasswd-protected registry', async () => {
    const ref = `${protectedHost}/pare-test/private:v1`;
    await expect(open(ref)).rejects.toMatchObject({
      line: expect.stringMatching(new RegExp(`^${ref}: unauthorized.*run docker login ${protectedHost}$`)),
    });
    const auth = Buffer.from('pare:pare-secret').toString('base64');
    await writeFile(
      join(process.env.DOCKER_CONFIG ?? '', 'config.json'),
      JSON.stringify({ auths: { [protectedHost]: { auth } } }),
    );
    const image = await open(ref);
    const view = await skopeoView(ref, { os: 'linux', arch: 'amd64' }, 'pare:pare-secret');
    await expectSameAsSkopeo(image, view, amd64);
  });
});
