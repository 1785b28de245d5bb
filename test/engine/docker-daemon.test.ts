/**
 * The docker-daemon: image source against the real engine: it must read the
 * same image the engine reports, layer for layer (diff_ids = RootFS.Layers), with
 * the same total size (Docker's Size is the sum of regular-file sizes across
 * layers), the same history, and entry counts that `tar -t` agrees with.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { openDaemonImage } from '../../src/image/local/docker-daemon.js';
import { openImage } from '../../src/image/open.js';
import { parseImageReference } from '../../src/image/reference.js';
import { scanLayer } from '../../src/image/tar/layer-scan.js';
import type { Image } from '../../src/image/types.js';
import { BASE_IMAGE, describeWithEngine, engineGate } from './engine-gate.js';

const run = promisify(execFile);
const TAG = `pare-test/daemon:${randomBytes(4).toString('hex')}`;
const gate = await engineGate();

describeWithEngine('docker-daemon: source', gate, (engine: Engine) => {
  let context: string;
  let image: Image;

  beforeAll(async () => {
    context = await mkdtemp(join(tmpdir(), 'pare-test-context-'));
    await writeFile(
      join(context, 'Dockerfile'),
      [
        `FROM ${BASE_IMAGE}`,
        // Waste, a symlink and a hard link (tar stores its bytes once), then an overwrite and a deletion.
        'RUN head -c 3000000 /dev/urandom > /waste.bin && ln -s /waste.bin /link && mkdir /d && echo hi > /d/a && ln /d/a /d/b',
        'RUN rm /waste.bin && echo changed > /d/a',
        'CMD ["cat", "/d/a"]',
        '',
      ].join('\n'),
    );
    await engine.build({ context, tag: TAG, temporary: true });
    image = await openImage(`docker-daemon:${TAG}`);
  });

  afterAll(async () => {
    await image?.close();
    await engine.removeImage(TAG, { force: true });
    await rm(context, { recursive: true, force: true });
  });

  it('reads the image the engine has: same ID and layers as docker image inspect', async () => {
    const inspect = await engine.imageInspect(TAG);
    expect(image.reference).toBe(`docker-daemon:${TAG}`);
    expect(await image.configDigest()).toBe(inspect.Id);
    const layers = await image.layers();
    expect(layers.map((layer) => layer.diffId)).toEqual(inspect.RootFS.Layers);
    expect((await image.config()).rootfs.diff_ids).toEqual(inspect.RootFS.Layers);
  });

  it('hashes each layer as the export arrives: the digest of exactly its bytes in the file, its diff_id', async () => {
    const inspect = await engine.imageInspect(TAG);
    for (const [index, layer] of (await image.layers()).entries()) {
      const blob = layer.localBlob?.();
      expect(blob?.digestAsWritten, `layer ${index}`).toBe(inspect.RootFS.Layers?.[index]);
      // Read back from the file on its own: the digest is the bytes' the reader will walk.
      const hash = createHash('sha256');
      const range = { start: blob!.offset, end: blob!.offset + blob!.length - 1 };
      for await (const chunk of createReadStream(blob!.path, range)) hash.update(chunk as Buffer);
      expect(`sha256:${hash.digest('hex')}`).toBe(blob!.digestAsWritten);
      await scanLayer(layer, () => undefined);
    }
  });

  it('adds up to the size docker reports, and history matches docker history', async () => {
    const inspect = await engine.imageInspect(TAG);
    const history = await engine.history(TAG);
    let fileBytes = 0;
    const perLayer: number[] = [];
    for (const layer of await image.layers()) {
      let bytes = 0;
      await scanLayer(layer, (entry) => {
        if (entry.type === 'file') bytes += entry.size;
      });
      perLayer.push(bytes);
      fileBytes += bytes;
    }
    expect(fileBytes).toBe(inspect.Size);
    // docker history is the config's history newest first; empty_layer steps have no layer.
    const configHistory = (await image.config()).history ?? [];
    const oldestFirst = [...history].reverse();
    expect(oldestFirst.map((entry) => entry.createdBy)).toEqual(
      configHistory.map((entry) => entry.created_by),
    );
    const layerSizes = oldestFirst
      .filter((_, index) => !configHistory[index]!.empty_layer)
      .map((entry) => entry.size);
    expect(layerSizes).toEqual(perLayer);
  });

  it('agrees with tar -t on the entry count of every layer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pare-tar-count-'));
    try {
      for (const [index, layer] of (await image.layers()).entries()) {
        const path = join(dir, `layer-${index}.tar`);
        await pipeline(await layer.uncompressed(), createWriteStream(path));
        const { stdout } = await run('tar', ['-tf', path], { maxBuffer: 64 * 1024 * 1024 });
        let entries = 0;
        await scanLayer(layer, () => {
          entries += 1;
        });
        expect(entries).toBe(stdout.split('\n').filter(Boolean).length);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('removes its temporary export on close', async () => {
    // A private TMPDIR, so temp files of other processes do not count.
    const saved = process.env.TMPDIR;
    const tmp = await mkdtemp(join(tmpdir(), 'pare-tmp-'));
    process.env.TMPDIR = tmp;
    try {
      const second = await openImage(`docker-daemon:${TAG}`);
      expect(await readdir(tmp)).toEqual([expect.stringMatching(/^pare-daemon-/)]);
      await second.close();
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('names a missing image clearly', async () => {
    const reference = parseImageReference('docker-daemon:pare-test/absent:1');
    if (reference.transport !== 'docker-daemon') throw new Error('parse');
    const error = await openDaemonImage(reference).catch((caught: { line: string }) => caught);
    expect((error as { line: string }).line).toMatch(
      /^docker-daemon:pare-test\/absent:1: no such image in the Docker engine at unix:\/\/\//,
    );
  });

  it('says when the engine cannot be reached', async () => {
    const reference = parseImageReference(`docker-daemon:${TAG}`);
    if (reference.transport !== 'docker-daemon') throw new Error('parse');
    const error = await openDaemonImage(reference, {
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    }).catch((caught: { line: string }) => caught);
    expect((error as { line: string }).line).toBe(
      `docker-daemon:${TAG}: docker engine at unix:///nonexistent/docker.sock (from DOCKER_HOST) is not reachable: connect ENOENT /nonexistent/docker.sock`,
    );
  });
});
