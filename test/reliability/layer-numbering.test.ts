/**
 * A layer has one number everywhere: the error about a broken layer names it
 * with the index the text table and the JSON report give it (from 0).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runPareAsync } from '../helpers/cli.js';
import { buildImage, file, writeImage } from '../helpers/image-writer.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pare-layer-numbers-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it.each(['docker-archive-legacy', 'oci'] as const)(
  '%s: the error names the index the report shows',
  async (format) => {
    const built = buildImage({
      layers: [0, 1, 2].map((i) => ({ entries: [file(`layer${i}`, `contents of ${i}`.repeat(100))] })),
    });
    const good = await writeImage(join(dir, `${format}-good`), format, [built]);
    const report = JSON.parse((await runPareAsync(['inspect', good, '--format', 'json'])).stdout) as {
      layers: Array<{ index: number; digest: string }>;
    };
    const third = report.layers.find((layer) => layer.digest === built.layers[2]!.digest)!;
    expect(third.index).toBe(2);

    const bad = await writeImage(join(dir, `${format}-bad`), format, [built]);
    const path = bad.replace(/^[a-z-]+:/, '');
    const blob = format === 'oci' ? join(path, 'blobs/sha256', built.layers[2]!.digest.slice(7)) : undefined;
    if (blob) {
      const bytes = await readFile(blob);
      bytes[bytes.length - 1]! ^= 0xff;
      await writeFile(blob, bytes);
    } else {
      // The legacy archive stores each layer tar as is: flip the last byte of the third one's contents.
      const archive = await readFile(path);
      const at = archive.indexOf(Buffer.from('contents of 2'.repeat(100))) + 10;
      archive[at]! ^= 0xff;
      await writeFile(path, archive);
    }
    const result = await runPareAsync(['inspect', bad]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^pare: error: ${bad} layer ${third.index} `));
  },
);
