/**
 * The verified read of a local uncompressed layer walks it in place while a
 * worker thread hashes it: the same entries as streaming it, and a stop in the
 * middle (Ctrl-C, a failure elsewhere) ends both quietly, with the reason.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImage } from '../../src/image/open.js';
import { scanLayer } from '../../src/image/tar/layer-scan.js';
import { walkTar } from '../../src/image/tar/tar.js';
import type { Image } from '../../src/image/types.js';
import { buildImage, dir, file, symlink, writeDockerArchive } from '../helpers/image-writer.js';

let work: string;
let image: Image;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pare-layer-scan-'));
  const path = await writeDockerArchive(join(work, 'image.tar'), [
    buildImage({
      layers: [
        {
          entries: [
            dir('usr/bin'),
            file('usr/bin/tool', { size: 300_000, seed: 3 }, { mode: 0o755 }),
            symlink('usr/bin/alias', 'tool'),
            ...Array.from({ length: 2000 }, (_, i) => file(`usr/share/doc/f${i}`, { size: 700, seed: i })),
          ],
        },
      ],
    }),
  ]);
  image = await openImage(`docker-archive:${path}`);
});

afterAll(async () => {
  await image.close();
  await rm(work, { recursive: true, force: true });
});

describe('scanLayer, verified, on a local uncompressed layer', () => {
  it('visits the entries streaming the layer visits, with their contents', async () => {
    const [layer] = await image.layers();
    const streamed: string[] = [];
    await walkTar(await layer!.uncompressed({ verify: false }), (entry, at) => {
      streamed.push(`${entry.type} ${entry.path} ${entry.size} ${at.dataOffset}`);
    });
    const inPlace: string[] = [];
    let toolBytes = 0;
    const summary = await scanLayer(layer!, (entry, at) => {
      inPlace.push(`${entry.type} ${entry.path} ${entry.size} ${at.dataOffset}`);
      if (entry.path !== 'usr/bin/tool') return undefined;
      return {
        write: (chunk: Buffer) => {
          toolBytes += chunk.length;
        },
        end: () => undefined,
      };
    });
    expect(inPlace).toEqual(streamed);
    expect(summary.entries).toBe(streamed.length);
    expect(toolBytes).toBe(300_000);
  });

  it.each([
    ['aborted before it starts', 0],
    ['aborted after some entries', 50],
  ])('%s: rejects with the reason and leaves no hash running unobserved', async (_name, after) => {
    const [layer] = await image.layers();
    const controller = new AbortController();
    const reason = new Error('stopped');
    if (after === 0) controller.abort(reason);
    let seen = 0;
    const scan = scanLayer(
      layer!,
      () => {
        if (++seen === after) controller.abort(reason);
      },
      { signal: controller.signal },
    );
    await expect(scan).rejects.toBe(reason);
    // An unawaited rejection of the hash would surface as an unhandled rejection and fail this file.
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
});
