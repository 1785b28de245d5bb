/**
 * The docker-daemon source against a fake Engine API on a unix socket, so the
 * request paths, error messages and temp-file handling are checked without an
 * engine (test/engine/ checks it against the real one).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DigestMismatchError } from '../../src/image/digest.js';
import { openDaemonImage } from '../../src/image/local/docker-daemon.js';
import { parseImageReference } from '../../src/image/reference.js';
import { scanLayers } from '../../src/image/tar/layer-scan.js';
import type { Layer } from '../../src/image/types.js';
import { buildImage, dockerArchiveBytes, file } from '../helpers/image-writer.js';

const image = buildImage({
  layers: [{ entries: [file('etc/hello', 'hi')] }, { entries: [file('app/run', 'x'.repeat(1000))] }],
  tags: ['app:1'],
});
const archive = dockerArchiveBytes([image]);
/** The same archive with one byte of the second layer's file changed: same size, same headers, another diff_id. */
const tampered = Buffer.from(archive);
tampered[archive.indexOf('x'.repeat(1000)) + 500] = 0x79;
/** Cut inside the second layer's data, as if the engine's stream ended early. */
const truncated = archive.subarray(0, archive.indexOf('x'.repeat(1000)) + 10);

/** Sends `data` in pieces of `size` bytes, as a daemon's chunked export arrives. */
function sendInPieces(response: ServerResponse, data: Buffer, size: number): void {
  for (let at = 0; at < data.length; at += size) response.write(data.subarray(at, at + size));
  response.end();
}

let dir: string;
let socket: string;
let server: Server;
const requests: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pare-fake-engine-'));
  socket = join(dir, 'docker.sock');
  server = createServer((request, response) => {
    const url = request.url ?? '';
    requests.push(url);
    if (
      url === '/images/app:1/json' ||
      url === '/images/tampered:1/json' ||
      url === '/images/truncated:1/json'
    ) {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ Id: image.configDigest }));
    } else if (url === '/images/moving:1/json') {
      response.end(JSON.stringify({ Id: `sha256:${'0'.repeat(64)}` }));
    } else if (url === '/images/get?names=app%3A1' || url === '/images/get?names=moving%3A1') {
      response.setHeader('content-type', 'application/x-tar');
      sendInPieces(response, archive, 333);
    } else if (url === '/images/get?names=tampered%3A1') {
      response.setHeader('content-type', 'application/x-tar');
      sendInPieces(response, tampered, 333);
    } else if (url === '/images/get?names=truncated%3A1') {
      response.setHeader('content-type', 'application/x-tar');
      response.end(truncated);
    } else {
      response.statusCode = 404;
      response.end(JSON.stringify({ message: `No such image: ${url}` }));
    }
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const open = (text: string, socketPath = socket) => {
  const reference = parseImageReference(text);
  if (reference.transport !== 'docker-daemon') throw new Error('not a daemon reference');
  return openDaemonImage(reference, { endpoint: { url: `unix://${socketPath}`, socketPath } });
};

/** Points os.tmpdir() at a fresh directory for this test, so other processes' temp files do not count. */
async function privateTmp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pare-tmp-'));
  process.env.TMPDIR = dir;
  privateDirs.push(dir);
  return dir;
}
const privateDirs: string[] = [];

afterEach(async () => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  for (const path of privateDirs.splice(0)) await rm(path, { recursive: true, force: true });
});
const savedTmp = process.env.TMPDIR;

describe('docker-daemon: source', () => {
  it('exports through the Engine API and reads the archive; close() removes the export', async () => {
    const tmp = await privateTmp();
    const opened = await open('docker-daemon:app:1');
    expect(opened.reference).toBe('docker-daemon:app:1');
    expect(await opened.configDigest()).toBe(image.configDigest);
    expect((await opened.config()).rootfs.diff_ids).toEqual(image.layers.map((layer) => layer.diffId));
    const created = await readdir(tmp);
    expect(created).toEqual([expect.stringMatching(/^pare-daemon-/)]);
    await opened.close();
    await opened.close();
    expect(existsSync(join(tmp, created[0]!))).toBe(false);
    expect(requests).toContain('/images/app:1/json');
  });

  it("hashes the layers as they arrive, and those digests are the layers' own", async () => {
    const opened = await open('docker-daemon:app:1');
    try {
      const layers = await opened.layers();
      expect(layers.map((layer) => layer.localBlob?.()?.digestAsWritten)).toEqual(
        image.layers.map((layer) => layer.diffId),
      );
      await scanLayers(layers, () => () => undefined);
    } finally {
      await opened.close();
    }
  });

  it('still catches a layer whose bytes do not match the config: hashed on arrival, compared where every layer is', async () => {
    const opened = await open('docker-daemon:tampered:1');
    try {
      const layers: Layer[] = await opened.layers();
      expect(layers[1]!.localBlob?.()?.digestAsWritten).toMatch(/^sha256:/);
      expect(layers[1]!.localBlob?.()?.digestAsWritten).not.toBe(image.layers[1]!.diffId);
      const error = await scanLayers(layers, () => () => undefined).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DigestMismatchError);
      expect((error as DigestMismatchError).role).toBe('diff_id');
      expect((error as DigestMismatchError).expected).toBe(image.layers[1]!.diffId);
    } finally {
      await opened.close();
    }
  });

  it('says where an export that ends early was cut, leaving no temp files', async () => {
    const tmp = await privateTmp();
    const error = await open('docker-daemon:truncated:1').catch((caught: { line: string }) => caught);
    expect((error as { line: string }).line).toMatch(
      /^docker-daemon:truncated:1: exporting the image from the Docker engine failed: truncated tar: entry "[0-9a-f]{64}\/layer\.tar" ends \d+ bytes early/,
    );
    expect(await readdir(tmp)).toEqual([]);
  });

  it('says the image does not exist, naming the reference and the engine', async () => {
    const error = await open('docker-daemon:ghost:2').catch((caught: { line: string }) => caught);
    expect((error as { line: string }).line).toBe(
      `docker-daemon:ghost:2: no such image in the Docker engine at unix://${socket}`,
    );
  });

  it('says when the engine cannot be reached', async () => {
    const missing = join(dir, 'absent.sock');
    const error = await open('docker-daemon:app:1', missing).catch((caught: { line: string }) => caught);
    expect((error as { line: string }).line).toBe(
      `docker-daemon:app:1: docker engine at unix://${missing} is not reachable: connect ENOENT ${missing}`,
    );
  });

  it('refuses an export that is not the image inspected (retagged meanwhile), leaving no temp files', async () => {
    const tmp = await privateTmp();
    await expect(open('docker-daemon:moving:1')).rejects.toThrow(
      /the image changed while it was being exported/,
    );
    expect(await readdir(tmp)).toEqual([]);
  });
});
