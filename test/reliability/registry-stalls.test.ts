/**
 * A registry that stops sending fails fast with a message naming the stall and
 * how far the blob got; one that keeps sending too slowly is bounded by the
 * total time (`--timeout`); a reader that is merely slow is not a stall.
 * Library-level cases use timeouts of a fraction of a second; the CLI cases
 * run the built command against the same fake registry.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistryImage, type RegistryOpenOptions } from '../../src/image/registry/registry.js';
import type { Image } from '../../src/image/types.js';
import { PareError } from '../../src/util/errors.js';
import { runPareAsync } from '../helpers/cli.js';
import { type BlobBehaviour, buildImage, FakeRegistry } from '../image/registry-fake.js';

const registry = new FakeRegistry();
const opened: Image[] = [];
/** One uncompressed layer of 300,000 bytes of file data. */
const image = buildImage({
  layers: [{ files: { 'app/data': Buffer.alloc(300_000, 7) }, compression: 'none' }],
});
const layer = image.layers[0]!;

beforeAll(() => registry.start());
afterAll(async () => {
  for (const each of opened) await each.close();
  await registry.stop();
});

const slug = (name: string) => name.toLowerCase().replace(/\W+/g, '-');

/** Pushes the image under a fresh name with `behaviour` for its blob; returns the reference. */
function serve(name: string, behaviour: BlobBehaviour): string {
  registry.pushImage(`stalls/${name}`, 'v1', image);
  registry.blobBehaviour.set(layer.digest, behaviour);
  return `${registry.host}/stalls/${name}:v1`;
}

async function readBlob(reference: string, options: RegistryOpenOptions): Promise<string> {
  const opened_ = await openRegistryImage(reference, { retries: 2, retryBaseDelayMs: 1, ...options });
  opened.push(opened_);
  const [first] = await opened_.layers();
  const hash = createHash('sha256');
  for await (const chunk of (await first!.compressed()) as AsyncIterable<Buffer>) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

async function failureOf(promise: Promise<unknown>): Promise<PareError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PareError);
  return error as PareError;
}

describe('a stalled registry', () => {
  it.each([
    [
      'a body that stops mid-blob',
      { stallAfter: 100_000 },
      'stopped sending: no data for 0.2 s (after 100000 of 301568 bytes)',
    ],
    [
      'a body that stops just short of its Content-Length',
      { stallAfter: 301_558 },
      'stopped sending: no data for 0.2 s (after 301558 of 301568 bytes)',
    ],
    [
      'a request that is never answered',
      { neverAnswer: true },
      'accepted the connection but sent no response for 0.2 s',
    ],
  ] as Array<[string, BlobBehaviour, string]>)(
    '%s fails at once, naming the stall',
    async (name, behaviour, message) => {
      const reference = serve(slug(name), behaviour);
      const before = registry.countOf(`/v2/stalls/${slug(name)}/blobs/${layer.digest}`);
      const error = await failureOf(readBlob(reference, { stallTimeoutMs: 200 }));
      expect(error.line).toBe(
        `${registry.host}/stalls/${slug(name)}@${layer.digest}: ${registry.host} ${message}`,
      );
      // Not retried: one request for the blob.
      expect(registry.countOf(`/v2/stalls/${slug(name)}/blobs/${layer.digest}`) - before).toBe(1);
    },
  );

  it('bounds a registry that keeps sending too slowly by the total time', async () => {
    const reference = serve('drip', { drip: { bytes: 1_000, everyMs: 20 } });
    const error = await failureOf(readBlob(reference, { stallTimeoutMs: 200, timeoutMs: 500 }));
    expect(error.line).toMatch(
      new RegExp(
        `^${registry.host}/stalls/drip@${layer.digest}: the registry did not finish in 0.5 s \\(--timeout\\); blob read stopped after \\d+ of 301568 bytes$`,
      ),
    );
  });

  it('does not take a slow reader for a stalled registry', async () => {
    const reference = serve('slow-reader', {});
    const client = await openRegistryImage(reference, { stallTimeoutMs: 200 });
    opened.push(client);
    const [first] = await client.layers();
    const stream: Readable = await first!.compressed();
    const hash = createHash('sha256');
    let paused = false;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      if (!paused) {
        paused = true;
        // Longer than the stall timeout, with the server's bytes waiting on us.
        await sleep(600);
      }
    }
    expect(`sha256:${hash.digest('hex')}`).toBe(layer.digest);
  });

  it('reports every byte received, for the progress line', async () => {
    const reference = serve('progress', {});
    let received = 0;
    expect(await readBlob(reference, { onReceived: (bytes) => (received += bytes) })).toBe(layer.digest);
    expect(received).toBe(layer.size);
  });
});

describe('pare inspect --timeout', () => {
  it('fails a stalled read within the timeout, naming how far it got', async () => {
    const reference = serve('cli-stall', { stallAfter: 100_000 });
    const result = await runPareAsync(['inspect', reference, '--timeout', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `pare: error: ${registry.host}/stalls/cli-stall@${layer.digest}: the registry did not finish in 1 s (--timeout); blob read stopped after 100000 of 301568 bytes\n`,
    );
  });

  it.each(['soon', '1s', 'never'])('refuses --timeout %s', async (value) => {
    const result = await runPareAsync(['inspect', serve('cli-bad', {}), '--timeout', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`pare: error: --timeout: expected seconds (0 for no limit), got "${value}"\n`);
  });
});
