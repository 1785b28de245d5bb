/**
 * slimImage's result is an Image like any source: it passes the shared
 * conformance check, reads the same once written and reopened, and its
 * close() removes the work directory.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImage } from '../../src/image/open.js';
import { writeImage } from '../../src/image/sinks/write.js';
import { slimImage } from '../../src/slim/slim.js';
import {
  buildImage,
  dir,
  file,
  hardlink,
  symlink,
  whiteout,
  writeDockerArchive,
} from '../helpers/image-writer.js';
import { validateImage } from '../helpers/validate-image.js';

let work: string;
let input: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pare-slim-image-'));
  input = join(work, 'in.tar');
  await writeDockerArchive(input, [
    buildImage({
      layers: [
        {
          entries: [
            dir('usr/bin'),
            file('usr/bin/tool', { size: 30_000, seed: 4 }, { mode: 0o755 }),
            hardlink('usr/bin/tool2', 'usr/bin/tool'),
            symlink('bin', 'usr/bin'),
            dir('usr/share/doc/pkg'),
            file('usr/share/doc/pkg/README', 'docs\n'),
            file('tmp/big', { size: 50_000 }),
          ],
        },
        { compression: 'gzip', entries: [whiteout('tmp/big'), file('app/main.py', 'print(1)\n')] },
      ],
      history: [
        { created_by: 'ADD rootfs /' },
        { created_by: 'CMD ["sh"]', empty_layer: true },
        { created_by: 'COPY app /app' },
      ],
    }),
  ]);
});

afterAll(() => rm(work, { recursive: true, force: true }));

describe.each(['gzip', 'zstd', 'none'] as const)('the slim image (%s)', (compression) => {
  it('passes the image conformance check and reads the same written to oci: and reopened', async () => {
    if (compression === 'zstd' && !existsSync('/usr/bin/zstd')) return;
    const source = await openImage(`docker-archive:${input}`);
    try {
      const result = await slimImage(source, { compression });
      try {
        const summary = await validateImage(result.image);
        expect(summary.configDigest).toBe(await result.image.configDigest());
        expect(summary.diffIds).toEqual(result.blobs.layers.map((layer) => layer.diffId));
        expect(summary.layers.flatMap((layer) => layer.entries.map((entry) => entry.path))).not.toContain(
          'usr/share/doc/pkg/README',
        );
        const output = `oci:${join(work, `out-${compression}`)}`;
        await writeImage(output, result.image);
        const reopened = await openImage(output);
        try {
          expect(await validateImage(reopened)).toEqual(summary);
        } finally {
          await reopened.close();
        }
      } finally {
        await result.image.close();
      }
      expect(existsSync(result.workDir)).toBe(false);
    } finally {
      await source.close();
    }
  });
});
