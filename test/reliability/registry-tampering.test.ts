/**
 * A registry that serves bytes which do not match their digest must fail the
 * way a tampered local archive does: one `pare: error:` line naming the blob,
 * exit 2, nothing written. Run through the real CLI in a child process, since
 * the failure once showed only as the process ending silently.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPareAsync } from '../helpers/cli.js';
import { type BuiltImage, buildImage, FakeRegistry, type LayerCompression } from '../image/registry-fake.js';

const registry = new FakeRegistry();
let dir: string;

beforeAll(async () => {
  await registry.start();
  dir = await mkdtemp(join(tmpdir(), 'pare-registry-tampering-'));
});
afterAll(async () => {
  await registry.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Pushes a one-layer image whose blob is served with one byte flipped at `at` (negative: from the end). */
function pushTampered(repository: string, compression: LayerCompression, at: number): BuiltImage {
  const image = buildImage({
    layers: [{ files: { 'etc/os-release': 'ID=fake\n', 'app/data': 'd'.repeat(3000) }, compression }],
  });
  registry.pushImage(repository, 'v1', image);
  const layer = image.layers[0]!;
  const tampered = Buffer.from(layer.blob);
  const offset = at < 0 ? tampered.length + at : at;
  tampered[offset]! ^= 0xff;
  registry.blobBehaviour.set(layer.digest, { corruptWith: tampered });
  return image;
}

describe('a registry blob whose bytes do not match its digest', () => {
  const cases: Array<[string, LayerCompression, number]> = [
    ['gzip, last byte (the gzip trailer)', 'gzip', -1],
    ['gzip, a byte in the middle', 'gzip', 40],
    ['uncompressed tar, a byte of file data', 'none', 600],
  ];
  const commands: Array<[string, (out: string) => string[]]> = [
    ['inspect', () => []],
    ['slim', (out) => ['--output', `oci:${out}`]],
  ];

  for (const [command, extra] of commands) {
    it.each(cases)(`${command}: %s → one line naming the blob, exit 2`, async (_, compression, at) => {
      const repository = `tampered/${command}-${compression}-${at < 0 ? 'end' : at}`;
      const image = pushTampered(repository, compression, at);
      const out = join(dir, repository.replace(/\//g, '-'));
      const result = await runPareAsync([command, `${registry.host}/${repository}:v1`, ...extra(out)]);
      const digest = image.layers[0]!.digest;
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(
          `^pare: error: ${registry.host}/${repository}@${digest}: blob ${digest.slice(0, 19)}… does not match its digest \\(got sha256:[0-9a-f]{12}…\\)\\n$`,
        ),
      );
      expect(result.stdout).toBe('');
      if (command === 'slim') expect(await readdir(dir)).not.toContain(out.slice(dir.length + 1));
    });
  }
});
