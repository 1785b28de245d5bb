import { createHash } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openImage } from '../../src/image/open.js';
import { parseImageReference } from '../../src/image/reference.js';
import {
  openRegistryImage,
  type RegistryImageReference,
  type RegistryOpenOptions,
} from '../../src/image/registry/registry.js';
import type { Image } from '../../src/image/types.js';
import { PareError } from '../../src/util/errors.js';
import { type BuiltImage, buildImage, buildIndex, FakeRegistry, sha256 } from './registry-fake.js';

const FAST: RegistryOpenOptions = { retries: 2, retryBaseDelayMs: 1 };

async function drain(stream: Readable): Promise<{ digest: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, bytes };
}

/** Reads every layer both ways and checks the bytes against the fixture. */
async function expectImageMatches(image: Image, built: BuiltImage): Promise<void> {
  expect(await image.manifest()).toMatchObject({ schemaVersion: 2, mediaType: built.manifestMediaType });
  expect(await image.configDigest()).toBe(built.configDigest);
  expect((await image.config()).rootfs.diff_ids).toEqual(built.layers.map((layer) => layer.diffId));
  const layers = await image.layers();
  expect(layers.map((layer) => [layer.digest, layer.diffId, layer.size])).toEqual(
    built.layers.map((layer) => [layer.digest, layer.diffId, layer.size]),
  );
  for (const [i, layer] of layers.entries()) {
    const expected = built.layers[i]!;
    expect(await drain(await layer.compressed())).toEqual({ digest: expected.digest, bytes: expected.size });
    expect(await drain(await layer.uncompressed())).toEqual({
      digest: expected.diffId,
      bytes: expected.tar.length,
    });
  }
}

async function errorOf(promise: Promise<unknown>): Promise<PareError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PareError);
  return error as PareError;
}

const amd64 = buildImage({
  layers: [{ files: { 'etc/os-release': 'ID=fake\n' } }, { files: { 'app/main': 'x'.repeat(70_000) } }],
});
const arm64 = buildImage({
  layers: [{ files: { 'etc/os-release': 'ID=fake-arm\n' } }],
  platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
});
const dockerAmd64 = buildImage({ format: 'docker', layers: [{ files: { 'bin/tool': 'docker schema2' } }] });
const dockerArm = buildImage({
  format: 'docker',
  layers: [{ files: { 'bin/tool': 'arm v7' } }],
  platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
});
const mixedCompression = buildImage({
  layers: [
    { files: { a: 'zstd layer' }, compression: 'zstd' },
    { files: { b: 'plain layer' }, compression: 'none' },
    { files: { c: 'gzip layer' }, compression: 'gzip' },
  ],
});
const ociIndex = buildIndex([amd64, arm64], 'oci', [
  // BuildKit's attestation manifests carry unknown/unknown and must never be picked.
  {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: sha256(Buffer.from('attestation')),
    size: 11,
    platform: { os: 'unknown', architecture: 'unknown' },
  },
]);
const manifestList = buildIndex([dockerAmd64, dockerArm], 'docker');

describe('registry source against a fake registry', () => {
  const registry = new FakeRegistry();
  let configDir: string;
  const savedEnv = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, PATH: process.env.PATH };
  const opened: Image[] = [];

  async function open(ref: string, options: RegistryOpenOptions = {}): Promise<Image> {
    const image = await openRegistryImage(ref.replace('HOST', registry.host), { ...FAST, ...options });
    opened.push(image);
    return image;
  }

  async function writeDockerConfig(config: object): Promise<void> {
    await writeFile(join(configDir, 'config.json'), JSON.stringify(config));
  }

  beforeAll(async () => {
    await registry.start();
    registry.pushImage('app/single', 'v1', amd64);
    registry.pushIndex('app/multi', 'v1', ociIndex, [amd64, arm64]);
    registry.pushIndex('app/list', 'v1', manifestList, [dockerAmd64, dockerArm]);
    registry.pushImage('app/mixed', 'v1', mixedCompression);
  });
  afterAll(() => registry.stop());

  beforeEach(async () => {
    configDir = await mkdtemp(join(tmpdir(), 'pare-registry-config-'));
    process.env.DOCKER_CONFIG = configDir;
    registry.auth = { kind: 'none' };
    registry.requests.length = 0;
    registry.storageRequests.length = 0;
  });
  afterEach(async () => {
    for (const image of opened.splice(0)) await image.close();
    process.env.DOCKER_CONFIG = savedEnv.DOCKER_CONFIG;
    process.env.PATH = savedEnv.PATH;
    await rm(configDir, { recursive: true, force: true });
  });

  describe('manifest kinds', () => {
    it.each([
      ['an OCI manifest by tag', 'HOST/app/single:v1', {}, amd64],
      ['an OCI manifest by digest', `HOST/app/single@${amd64.manifestDigest}`, {}, amd64],
      ['an OCI index, default platform', 'HOST/app/multi:v1', {}, amd64],
      [
        'an OCI index, linux/arm64 (variant v8 implied)',
        'HOST/app/multi:v1',
        { platform: 'linux/arm64' },
        arm64,
      ],
      ['an OCI index by digest', `HOST/app/multi@${ociIndex.digest}`, { platform: 'linux/arm64/v8' }, arm64],
      ['a Docker schema2 manifest list, default', 'HOST/app/list:v1', {}, dockerAmd64],
      ['a Docker schema2 manifest list, linux/arm', 'HOST/app/list:v1', { platform: 'linux/arm' }, dockerArm],
      [
        'a Docker schema2 manifest list, aarch alias',
        'HOST/app/list:v1',
        { platform: 'linux/armhf' },
        dockerArm,
      ],
      ['zstd, uncompressed and gzip layers', 'HOST/app/mixed:v1', {}, mixedCompression],
    ] as const)('reads %s', async (_name, ref, options, built) => {
      const image = await open(ref, options);
      await expectImageMatches(image, built);
    });

    it.each([
      ['docker:// text', () => `docker://${registry.host}/app/single:v1`, `docker://HOST/app/single:v1`],
      [
        'a parsed IMAGE argument',
        () => parseImageReference(`${registry.host}/app/single:v1`) as RegistryImageReference,
        'HOST/app/single:v1',
      ],
      [
        'a DockerReference without a tag (latest)',
        () => ({ domain: registry.host, repository: 'app/single' }),
        'HOST/app/single:latest',
      ],
    ])('accepts %s', async (_name, reference, shown) => {
      registry.manifests.set('app/single:latest', {
        body: amd64.manifest,
        mediaType: amd64.manifestMediaType,
      });
      const image = await openRegistryImage(reference(), FAST);
      opened.push(image);
      expect(image.reference).toBe(shown.replace('HOST', registry.host));
      expect(await image.configDigest()).toBe(amd64.configDigest);
    });

    it('is what openImage uses for a plain registry reference', async () => {
      const image = await openImage(`${registry.host}/app/multi:v1`, { platform: 'linux/arm64' });
      opened.push(image);
      await expectImageMatches(image, arm64);
    });

    it('records the index digest and the chosen manifest digest', async () => {
      const image = (await open('HOST/app/multi:v1', { platform: 'linux/arm64' })) as Awaited<
        ReturnType<typeof openRegistryImage>
      >;
      expect(image.indexDigest).toBe(ociIndex.digest);
      expect(image.manifestDigest).toBe(arm64.manifestDigest);
      expect(image.reference).toBe(`${registry.host}/app/multi:v1`);
    });

    it('sends an Accept header naming OCI and Docker manifests and indexes', async () => {
      await open('HOST/app/single:v1');
      const accept =
        registry.requests.find((request) => request.url.includes('/manifests/'))?.headers.accept ?? '';
      for (const type of [
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
      ]) {
        expect(accept).toContain(type);
      }
    });

    it('lists the available platforms when none matches', async () => {
      const error = await errorOf(open('HOST/app/multi:v1', { platform: 'linux/s390x' }));
      expect(error.line).toBe(
        `${registry.host}/app/multi:v1: no image for platform linux/s390x (the index has: linux/amd64, linux/arm64/v8); choose one with --platform`,
      );
      expect(error.exitCode).toBe(2);
    });

    it('rejects a variant the index does not have', async () => {
      const error = await errorOf(open('HOST/app/list:v1', { platform: 'linux/arm/v6' }));
      expect(error.message).toContain('(the index has: linux/amd64, linux/arm/v7)');
    });

    it('rejects an invalid --platform', async () => {
      const error = await errorOf(open('HOST/app/list:v1', { platform: 'amd64' }));
      expect(error.line).toMatch(new RegExp(`^${registry.host}/app/list:v1: invalid platform "amd64"`));
    });
  });

  describe('errors a user can cause', () => {
    it('names the reference when the tag does not exist', async () => {
      const error = await errorOf(open('HOST/app/single:nope'));
      expect(error.line).toBe(`${registry.host}/app/single:nope: manifest not found`);
      expect(registry.countOf('/v2/app/single/manifests/nope')).toBe(1); // a 404 is never retried
    });

    it('checks a manifest fetched by digest against that digest', async () => {
      const wrong = `sha256:${'0'.repeat(64)}`;
      registry.manifests.set(`app/single@${wrong}`, {
        body: amd64.manifest,
        mediaType: amd64.manifestMediaType,
      });
      const error = await errorOf(open(`HOST/app/single@${wrong}`));
      expect(error.line).toBe(
        `${registry.host}/app/single@${wrong}: manifest digest mismatch: expected ${wrong}, got ${amd64.manifestDigest}`,
      );
    });

    it('checks a platform manifest against the digest its index names', async () => {
      const tampered = buildIndex([amd64], 'oci');
      const fake = buildImage({ layers: [{ files: { evil: 'x' } }] });
      registry.pushIndex('app/tampered', 'v1', tampered, []);
      registry.manifests.set(`app/tampered@${amd64.manifestDigest}`, {
        body: fake.manifest,
        mediaType: fake.manifestMediaType,
      });
      const error = await errorOf(open('HOST/app/tampered:v1'));
      expect(error.line).toContain(`app/tampered@${amd64.manifestDigest}: manifest digest mismatch`);
    });

    it('fails the compressed stream of a blob whose bytes do not match its digest', async () => {
      const image = buildImage({ layers: [{ files: { ok: 'fine' } }] });
      registry.pushImage('app/corrupt', 'v1', image);
      const target = image.layers[0]!;
      const corrupted = Buffer.from(target.blob);
      const last = corrupted.length - 1;
      corrupted.writeUInt8(corrupted.readUInt8(last) ^ 0xff, last);
      registry.blobBehaviour.set(target.digest, { corruptWith: corrupted });
      const [layer] = await (await open('HOST/app/corrupt:v1')).layers();
      // A blob this small is read and checked at once: opening the stream may already fail.
      const error = await (async () => drain(await layer!.compressed()))().then(
        () => undefined,
        (caught: unknown) => caught as PareError,
      );
      expect(error?.line).toBe(
        `${registry.host}/app/corrupt@${target.digest}: blob ${target.digest.slice(0, 19)}… does not match its digest (got ${sha256(corrupted).slice(0, 19)}…)`,
      );
      expect(error?.exitCode).toBe(2);
      // With verification off the same bytes flow through.
      expect(await drain(await layer!.compressed({ verify: false }))).toEqual({
        digest: sha256(corrupted),
        bytes: target.size,
      });
    });

    it('rejects opening the uncompressed stream of a small blob found wrong before it was read', async () => {
      // The whole blob arrives, is hashed and fails while the codec is still being chosen.
      const image = buildImage({ layers: [{ files: { small: 'tiny' } }] });
      registry.pushImage('app/small-corrupt', 'v1', image);
      const target = image.layers[0]!;
      const corrupted = Buffer.from(target.blob);
      corrupted[corrupted.length - 1]! ^= 0xff;
      registry.blobBehaviour.set(target.digest, { corruptWith: corrupted });
      const [layer] = await (await open('HOST/app/small-corrupt:v1')).layers();
      const opened = (async () => drain(await layer!.uncompressed()))();
      await expect(opened).rejects.toThrow(`blob ${target.digest.slice(0, 19)}… does not match its digest`);
    });

    it('fails the uncompressed stream when the config lies about the diff_id', async () => {
      const lying = buildImage({ layers: [{ files: { a: 'a' } }], diffIds: [sha256(Buffer.from('other'))] });
      registry.pushImage('app/lying', 'v1', lying);
      const [layer] = await (await open('HOST/app/lying:v1')).layers();
      await expect(drain(await layer!.compressed())).resolves.toMatchObject({
        digest: lying.layers[0]!.digest,
      });
      await expect(drain(await layer!.uncompressed())).rejects.toThrow(
        /uncompressed layer does not match its diff_id/,
      );
    });

    it('refuses a layer whose media type lies about its compression', async () => {
      const lying = buildImage({
        layers: [
          {
            files: { a: 'a' },
            compression: 'none',
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          },
        ],
      });
      registry.pushImage('app/mislabelled', 'v1', lying);
      const [layer] = await (await open('HOST/app/mislabelled:v1')).layers();
      await expect(layer!.uncompressed()).rejects.toThrow(
        /media type application\/vnd.oci.image.layer.v1.tar\+gzip says gzip but the blob's first bytes are an uncompressed tar/,
      );
    });

    it('names the blob when gzip data is corrupt and verification is off', async () => {
      const image = buildImage({ layers: [{ files: { f: 'y'.repeat(10_000) } }] });
      registry.pushImage('app/badgzip', 'v1', image);
      const target = image.layers[0]!;
      const corrupted = Buffer.from(target.blob);
      corrupted.fill(0xaa, 20, 40);
      registry.blobBehaviour.set(target.digest, { corruptWith: corrupted });
      const [layer] = await (await open('HOST/app/badgzip:v1')).layers();
      const failure = drain(await layer!.uncompressed({ verify: false }));
      await expect(failure).rejects.toThrow(/corrupt gzip data/);
      await expect(failure).rejects.toMatchObject({
        subject: `${registry.host}/app/badgzip@${target.digest}`,
      });
    });

    it('stops a blob that runs past its descriptor size, even unverified', async () => {
      const image = buildImage({ layers: [{ files: { f: 'z' } }] });
      registry.pushImage('app/long', 'v1', image);
      const target = image.layers[0]!;
      registry.blobBehaviour.set(target.digest, {
        corruptWith: Buffer.concat([target.blob, Buffer.alloc(10)]),
      });
      const [layer] = await (await open('HOST/app/long:v1')).layers();
      // Here the overrun arrives with the first bytes, so opening the stream already fails.
      await expect((async () => drain(await layer!.compressed({ verify: false })))()).rejects.toThrow(
        `is longer than the ${target.size} bytes its descriptor says`,
      );
    });

    it('rejects a blob the registry does not have, naming it', async () => {
      const missing = buildImage({ layers: [{ files: { gone: 'gone' } }] });
      registry.pushImage('app/missing', 'v1', missing);
      registry.blobs.delete(missing.layers[0]!.digest);
      const [layer] = await (await open('HOST/app/missing:v1')).layers();
      const error = await errorOf(layer!.compressed());
      expect(error.line).toBe(`${registry.host}/app/missing@${missing.layers[0]!.digest}: blob not found`);
    });

    it.each([
      [
        'a Docker schema1 manifest',
        { schemaVersion: 1, name: 'x', fsLayers: [] },
        /schema 1 manifests are not supported/,
      ],
      [
        'an artifact that is not an image',
        {
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: {
            mediaType: 'application/vnd.cncf.helm.config.v1+json',
            digest: sha256(Buffer.from('')),
            size: 0,
          },
          layers: [],
        },
        /not a container image: its config has media type application\/vnd.cncf.helm.config.v1\+json/,
      ],
      [
        'a layer digest that is not sha256',
        {
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            digest: sha256(Buffer.from('')),
            size: 0,
          },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: 'md5:abc', size: 1 }],
        },
        /layers\[0\] has digest "md5:abc"; only sha256 digests are supported/,
      ],
    ])('rejects %s', async (_name, document, message) => {
      registry.manifests.set('app/odd:v1', {
        body: Buffer.from(JSON.stringify(document)),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
      });
      const error = await errorOf(open('HOST/app/odd:v1'));
      expect(error.subject).toBe(`${registry.host}/app/odd:v1`);
      expect(error.message).toMatch(message);
    });

    it('rejects a config whose size differs from its descriptor', async () => {
      const image = buildImage({ layers: [{ files: { a: 'a' } }] });
      const manifest = JSON.parse(image.manifest.toString());
      manifest.config.size += 7;
      const body = Buffer.from(JSON.stringify(manifest));
      registry.pushImage('app/config-size', 'v1', { ...image, manifest: body, manifestDigest: sha256(body) });
      const error = await errorOf((await open('HOST/app/config-size:v1')).config());
      expect(error.message).toBe(
        `config blob is ${image.config.length} bytes but the manifest says ${image.config.length + 7}`,
      );
    });

    it('rejects a config whose diff_ids do not line up with the layers', async () => {
      const short = buildImage({ layers: [{ files: { a: 'a' } }, { files: { b: 'b' } }], diffIds: [] });
      registry.pushImage('app/short', 'v1', short);
      const error = await errorOf((await open('HOST/app/short:v1')).layers());
      expect(error.message).toBe('manifest lists 2 layers but the config has 0 diff_ids');
    });

    it('names the host and the OS error when nothing listens', async () => {
      const dead = new FakeRegistry();
      await dead.start();
      const host = dead.host;
      await dead.stop();
      const error = await errorOf(openRegistryImage(`${host}/app/x:v1`, FAST));
      expect(error.line).toMatch(new RegExp(`^${host}/app/x:v1: cannot reach ${host}: connect ECONNREFUSED`));
    });
  });

  describe('transient failures', () => {
    it('retries a blob that first answers 503', async () => {
      const flaky = buildImage({ layers: [{ files: { flaky: 'flaky' } }] });
      registry.pushImage('app/flaky', 'v1', flaky);
      const digest = flaky.layers[0]!.digest;
      registry.blobBehaviour.set(digest, { failFirst: 1 });
      const [layer] = await (await open('HOST/app/flaky:v1')).layers();
      expect(await drain(await layer!.uncompressed())).toMatchObject({ digest: flaky.layers[0]!.diffId });
      expect(registry.countOf(`/v2/app/flaky/blobs/${digest}`)).toBe(2);
    });

    it('gives up after the retry budget, saying how often it tried', async () => {
      const down = buildImage({ layers: [{ files: { down: 'down' } }] });
      registry.pushImage('app/down', 'v1', down);
      const digest = down.layers[0]!.digest;
      registry.blobBehaviour.set(digest, { failFirst: 100 });
      const [layer] = await (await open('HOST/app/down:v1', { retries: 2 })).layers();
      const error = await errorOf(layer!.compressed());
      expect(error.line).toBe(
        `${registry.host}/app/down@${digest}: registry error HTTP 503 after 3 attempts: try again`,
      );
      expect(registry.countOf(`/v2/app/down/blobs/${digest}`)).toBe(3);
    });

    it('retries a manifest that first answers 503', async () => {
      registry.manifests.set('app/single:flaky', {
        body: amd64.manifest,
        mediaType: amd64.manifestMediaType,
        failFirst: 2,
      });
      const image = await open('HOST/app/single:flaky', { retries: 3 });
      expect(await image.configDigest()).toBe(amd64.configDigest);
      expect(registry.countOf('/v2/app/single/manifests/flaky')).toBe(3);
    });

    it('resumes a blob whose connection drops midway with a Range request', async () => {
      const big = buildImage({ layers: [{ files: { big: Buffer.alloc(300_000, 1) }, compression: 'none' }] });
      registry.pushImage('app/cut', 'v1', big);
      const digest = big.layers[0]!.digest;
      registry.blobBehaviour.set(digest, { cutAfter: 100_000 });
      const [layer] = await (await open('HOST/app/cut:v1')).layers();
      expect(await drain(await layer!.uncompressed())).toEqual({
        digest: big.layers[0]!.diffId,
        bytes: big.layers[0]!.size,
      });
      const ranged = registry.requests
        .filter((request) => request.url.endsWith(digest))
        .map((r) => r.headers.range);
      expect(ranged[0]).toBeUndefined();
      expect(ranged[1]).toMatch(/^bytes=\d+-$/);
    });

    it('keeps resuming as long as each connection makes progress', async () => {
      const big = buildImage({ layers: [{ files: { big: Buffer.alloc(300_000, 2) }, compression: 'none' }] });
      registry.pushImage('app/cuts', 'v1', big);
      const digest = big.layers[0]!.digest;
      registry.blobBehaviour.set(digest, { cutAfter: 60_000, cutTimes: 4 });
      const [layer] = await (await open('HOST/app/cuts:v1', { retries: 1 })).layers();
      expect(await drain(await layer!.uncompressed())).toEqual({
        digest: big.layers[0]!.diffId,
        bytes: big.layers[0]!.size,
      });
      expect(registry.countOf(`/v2/app/cuts/blobs/${digest}`)).toBe(5);
    });

    it('follows a redirect to blob storage without sending the registry credentials there', async () => {
      const redirected = buildImage({ layers: [{ files: { far: 'away' } }] });
      registry.pushImage('app/redirect', 'v1', redirected);
      const digest = redirected.layers[0]!.digest;
      registry.blobBehaviour.set(digest, { redirect: true });
      registry.auth = { kind: 'token' };
      const [layer] = await (await open('HOST/app/redirect:v1')).layers();
      expect(await drain(await layer!.uncompressed())).toMatchObject({
        digest: redirected.layers[0]!.diffId,
      });
      expect(registry.storageRequests).toHaveLength(1);
      expect(registry.storageRequests[0]!.headers.authorization).toBeUndefined();
    });
  });

  describe('streaming', () => {
    it('reads all layers concurrently', async () => {
      const many = buildImage({
        layers: Array.from({ length: 6 }, (_, i) => ({ files: { [`f${i}`]: Buffer.alloc(100_000 + i, i) } })),
      });
      registry.pushImage('app/many', 'v1', many);
      registry.auth = { kind: 'token' };
      const layers = await (await open('HOST/app/many:v1')).layers();
      const results = await Promise.all(layers.map(async (layer) => drain(await layer.uncompressed())));
      expect(results.map((result) => result.digest)).toEqual(many.layers.map((layer) => layer.diffId));
    });

    it('aborts a read through the signal', async () => {
      const big = buildImage({
        layers: [{ files: { big: Buffer.alloc(4_000_000, 5) }, compression: 'none' }],
      });
      registry.pushImage('app/abort', 'v1', big);
      const [layer] = await (await open('HOST/app/abort:v1')).layers();
      const controller = new AbortController();
      const stream = await layer!.uncompressed({ signal: controller.signal });
      let seen = 0;
      const reading = (async () => {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          seen += chunk.length;
          if (seen > 0) controller.abort();
        }
      })();
      await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
      expect(seen).toBeLessThan(4_000_000);
    });
  });

  describe('authentication', () => {
    const auths = (user: string, password: string) => ({
      auths: { [registryKey()]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } },
    });
    const registryKey = () => registry.host;

    it('gets an anonymous bearer token on 401 and reuses it', async () => {
      registry.auth = { kind: 'token' };
      await expectImageMatches(await open('HOST/app/single:v1'), amd64);
      const tokenRequests = registry.requests.filter((request) => request.url.startsWith('/token'));
      expect(tokenRequests).toHaveLength(1);
      const query = new URL(tokenRequests[0]!.url, 'http://x').searchParams;
      expect(query.get('service')).toBe('fake-registry');
      expect(query.get('scope')).toBe('repository:app/single:pull');
      expect(tokenRequests[0]!.headers.authorization).toBeUndefined();
    });

    it('sends basic credentials from config.json to the token server', async () => {
      registry.auth = { kind: 'token', user: 'alice', password: 's3cret:with:colons' };
      await writeDockerConfig(auths('alice', 's3cret:with:colons'));
      await expectImageMatches(await open('HOST/app/single:v1'), amd64);
      const tokenRequest = registry.requests.find((request) => request.url.startsWith('/token'));
      expect(new URL(tokenRequest!.url, 'http://x').searchParams.get('account')).toBe('alice');
    });

    it('reads username/password fields and an http:// key', async () => {
      registry.auth = { kind: 'token', user: 'bob', password: 'pw' };
      await writeDockerConfig({
        auths: { [`http://${registry.host}/v2/`]: { username: 'bob', password: 'pw' } },
      });
      expect(await (await open('HOST/app/single:v1')).configDigest()).toBe(amd64.configDigest);
    });

    it('exchanges an identitytoken by POST for a bearer token', async () => {
      registry.auth = { kind: 'token', user: 'nobody', password: 'never', refreshToken: 'refresh-me' };
      await writeDockerConfig({ auths: { [registry.host]: { identitytoken: 'refresh-me' } } });
      expect(await (await open('HOST/app/single:v1')).configDigest()).toBe(amd64.configDigest);
      const tokenRequest = registry.requests.find((request) => request.url.startsWith('/token'));
      expect(tokenRequest?.method).toBe('POST');
      expect(new URLSearchParams(tokenRequest!.body).get('refresh_token')).toBe('refresh-me');
    });

    it('says the token server refused the credentials and where they came from', async () => {
      registry.auth = { kind: 'token', user: 'alice', password: 'right' };
      await writeDockerConfig(auths('alice', 'wrong'));
      const error = await errorOf(open('HOST/app/single:v1'));
      expect(error.line).toBe(
        `${registry.host}/app/single:v1: unauthorized: token server ${registry.host} refused credentials from ${join(configDir, 'config.json')}`,
      );
    });

    it('suggests docker login when a protected registry gets no credentials', async () => {
      registry.auth = { kind: 'basic', user: 'carol', password: 'pw' };
      const error = await errorOf(open('HOST/app/single:v1'));
      expect(error.line).toBe(
        `${registry.host}/app/single:v1: unauthorized: the registry requires a user name and password; no credentials for ${registry.host}; run docker login ${registry.host}`,
      );
    });

    it('answers a Basic challenge with credentials from config.json', async () => {
      registry.auth = { kind: 'basic', user: 'carol', password: 'pw' };
      await writeDockerConfig(auths('carol', 'pw'));
      await expectImageMatches(await open('HOST/app/single:v1'), amd64);
    });

    it('rejects wrong basic credentials after one answer', async () => {
      registry.auth = { kind: 'basic', user: 'carol', password: 'pw' };
      await writeDockerConfig(auths('carol', 'nope'));
      const error = await errorOf(open('HOST/app/single:v1'));
      expect(error.line).toBe(`${registry.host}/app/single:v1: unauthorized: authentication required`);
      expect(registry.countOf('/v2/app/single/manifests/v1')).toBe(2);
    });

    it('refreshes an expired token once and goes on', async () => {
      registry.auth = { kind: 'token' };
      const image = await open('HOST/app/single:v1');
      registry.expireTokens();
      const [layer] = await image.layers();
      expect(await drain(await layer!.compressed())).toMatchObject({ digest: amd64.layers[0]!.digest });
      expect(registry.requests.filter((request) => request.url.startsWith('/token'))).toHaveLength(2);
    });

    it('runs a credential helper named by credHelpers', async () => {
      registry.auth = { kind: 'token', user: 'helped', password: 'from-helper' };
      const bin = join(configDir, 'bin');
      await writeFile(join(configDir, 'placeholder'), '');
      await import('node:fs/promises').then((fs) => fs.mkdir(bin));
      const helper = join(bin, 'docker-credential-pare-test');
      await writeFile(
        helper,
        `#!/bin/sh\nread server\necho "{\\"ServerURL\\":\\"$server\\",\\"Username\\":\\"helped\\",\\"Secret\\":\\"from-helper\\"}"\n`,
      );
      await chmod(helper, 0o755);
      process.env.PATH = `${bin}:${process.env.PATH}`;
      await writeDockerConfig({ credHelpers: { [registry.host]: 'pare-test' } });
      expect(await (await open('HOST/app/single:v1')).configDigest()).toBe(amd64.configDigest);
    });

    it('says which credential helper is missing when the registry refuses', async () => {
      registry.auth = { kind: 'token', user: 'x', password: 'y' };
      await writeDockerConfig({ credsStore: 'pare-not-installed' });
      const error = await errorOf(open('HOST/app/single:v1'));
      expect(error.message).toContain(
        `credential helper docker-credential-pare-not-installed named in ${join(configDir, 'config.json')} is not installed`,
      );
    });
  });
});
