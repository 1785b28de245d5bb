/**
 * The registry source passes the same conformance check as every other source
 * (test/helpers/validate-image.ts), on an image from the shared fixture writer,
 * and yields exactly what the `oci:` source yields for the same image.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openImage } from '../../src/image/open.js';
import {
  buildImage,
  dir,
  file,
  hardlink,
  opaque,
  symlink,
  whiteout,
  writeImage,
  zstdAvailable,
} from '../helpers/image-writer.js';
import { validateImage } from '../helpers/validate-image.js';
import { FakeRegistry } from './registry-fake.js';

const built = buildImage({
  layers: [
    {
      entries: [
        dir('etc'),
        file('etc/os-release', 'ID=test\n'),
        file('usr/bin/tool', { size: 70_000, seed: 3 }, { mode: 0o755 }),
        symlink('bin', 'usr/bin'),
        hardlink('usr/bin/tool-alias', 'usr/bin/tool'),
        file('var/cache/apt/pkgcache.bin', { size: 5000 }),
      ],
    },
    { compression: 'gzip', entries: [file('etc/os-release', 'ID=changed\n'), file('utf8-é', 'y')] },
    {
      compression: zstdAvailable ? 'zstd' : 'gzip',
      entries: [whiteout('var/cache/apt', 'stray/link'), opaque('usr/bin'), file('usr/bin/new', 'new')],
    },
  ],
});

const registry = new FakeRegistry();
let work: string;

beforeAll(async () => {
  await registry.start();
  registry.auth = { kind: 'token' };
  registry.pushImage('conformance/app', 'v1', built);
  work = await mkdtemp(join(tmpdir(), 'pare-registry-conformance-'));
});

afterAll(async () => {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
});

it('passes the conformance check and matches the oci: source', async () => {
  const fromRegistry = await openImage(`${registry.host}/conformance/app:v1`);
  const fromLayout = await openImage(await writeImage(work, 'oci', [built]));
  try {
    const summary = await validateImage(fromRegistry);
    expect(summary.configDigest).toBe(built.configDigest);
    expect(summary.layers.map((layer) => layer.digest)).toEqual(built.layers.map((layer) => layer.digest));
    expect(summary).toEqual(await validateImage(fromLayout));
  } finally {
    await fromRegistry.close();
    await fromLayout.close();
  }
});
