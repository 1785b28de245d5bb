import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { hashLocalRange, hashQueuedHere, stopIdleHashWorkers } from '../../src/image/hash-pool.js';

const dir = mkdtempSync(join(tmpdir(), 'pare-hash-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = Buffer.alloc(3 * 1024 * 1024 + 7);
for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 11)) & 0xff;
const path = join(dir, 'blob');
writeFileSync(path, bytes);
const sha = (from: number, to: number) => createHash('sha256').update(bytes.subarray(from, to)).digest('hex');

describe('hash pool', () => {
  it.each([
    ['the whole file', 0, bytes.length],
    ['a range across read-buffer boundaries', 1_000_001, 1_500_003],
    ['an empty range', 5, 0],
    ['a range past the end of the file (what is there)', 3 * 1024 * 1024, 100],
  ])('hashes %s like node:crypto does', async (_name, offset, length) => {
    const result = await hashLocalRange({ path, offset, length });
    const end = Math.min(offset + length, bytes.length);
    expect(result).toEqual({ hex: sha(offset, end), bytes: end - offset });
  });

  it('hashes again after its idle workers were stopped', async () => {
    await hashLocalRange({ path, offset: 0, length: 10 });
    await stopIdleHashWorkers();
    await stopIdleHashWorkers(); // nothing left to stop: still fine
    expect(await hashLocalRange({ path, offset: 10, length: 100 })).toEqual({
      hex: sha(10, 110),
      bytes: 100,
    });
  });

  it('hashes several ranges asked for at once, each right', async () => {
    const ranges = [
      [0, bytes.length],
      [7, 1_000_000],
      [2_000_000, 1_000_000],
      [1, 10],
      [3_000_000, 200_000],
    ] as const;
    const results = await Promise.all(
      ranges.map(([offset, length]) => hashLocalRange({ path, offset, length })),
    );
    expect(results).toEqual(
      ranges.map(([offset, length]) => {
        const end = Math.min(offset + length, bytes.length);
        return { hex: sha(offset, end), bytes: end - offset };
      }),
    );
  });

  it('leaves no abort listener behind on the signal once each hash has settled, failed ones too', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    for (let i = 0; i < 12; i++) await hashLocalRange({ path, offset: i, length: 1000 }, signal);
    await expect(
      hashLocalRange({ path: join(dir, 'missing'), offset: 0, length: 10 }, signal),
    ).rejects.toThrow();
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('hashes the ranges no worker has started on the calling thread, each right', async () => {
    // More ranges than any machine's workers: those left in the queue are hashed here.
    const count = availableParallelism() + 6;
    const ranges = Array.from({ length: count }, (_, i) => [i * 1000, bytes.length - i * 1000] as const);
    const settled = new Set<number>();
    const hashes = ranges.map(([offset, length], i) =>
      hashLocalRange({ path, offset, length }).finally(() => settled.add(i)),
    );
    await hashQueuedHere();
    await new Promise((resolve) => setImmediate(resolve));
    // Only the workers' own jobs (at most one per core) may still be running.
    expect(count - settled.size).toBeLessThan(availableParallelism());
    expect(await Promise.all(hashes)).toEqual(
      ranges.map(([offset, length]) => ({ hex: sha(offset, offset + length), bytes: length })),
    );
  });

  it('a queued range that cannot be read fails alone when hashed on the calling thread', async () => {
    const count = availableParallelism() + 2;
    const hashes = Array.from({ length: count }, (_, i) =>
      hashLocalRange({
        path: i === count - 1 ? join(dir, 'missing') : path,
        offset: 0,
        length: bytes.length,
      }),
    );
    await hashQueuedHere();
    const settled = await Promise.allSettled(hashes);
    expect(settled.slice(0, -1).every((s) => s.status === 'fulfilled')).toBe(true);
    expect(settled.at(-1)).toMatchObject({ status: 'rejected', reason: { code: 'ENOENT' } });
  });

  it('stops hashing on the calling thread when its signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('interrupted (SIGINT)');
    controller.abort(reason);
    const hashes = Array.from({ length: availableParallelism() + 2 }, () =>
      hashLocalRange({ path, offset: 0, length: bytes.length }),
    );
    await expect(hashQueuedHere(controller.signal)).rejects.toBe(reason);
    // The queued ranges stay queued for the workers, and finish right.
    for (const hash of await Promise.all(hashes)) expect(hash.hex).toBe(sha(0, bytes.length));
  });

  it.each([
    ['the running one', 0],
    ['one waiting for a worker', 1],
    ['the last one', 2],
  ])('cancelling %s fails it alone; the others finish right', async (_name, cancelled) => {
    const controller = new AbortController();
    const reason = new Error('interrupted (SIGINT)');
    const hashes = [0, 1, 2].map((i) =>
      hashLocalRange(
        { path, offset: i * 1000, length: bytes.length - i * 1000 },
        i === cancelled ? controller.signal : undefined,
      ),
    );
    controller.abort(reason);
    const settled = await Promise.allSettled(hashes);
    settled.forEach((result, i) => {
      if (i === cancelled) expect(result).toEqual({ status: 'rejected', reason });
      else
        expect(result).toEqual({
          status: 'fulfilled',
          value: { hex: sha(i * 1000, bytes.length), bytes: bytes.length - i * 1000 },
        });
    });
  });

  it('lets a hash in progress finish when idle workers are stopped', async () => {
    const running = hashLocalRange({ path, offset: 0, length: bytes.length });
    await stopIdleHashWorkers();
    expect(await running).toEqual({ hex: sha(0, bytes.length), bytes: bytes.length });
  });

  it.each(['ask-first', 'worker-first'])(
    "keeps a busy main thread's young generation small while a worker starts (%s; built dist/)",
    (order) => {
      const child = spawnSync(
        process.execPath,
        [
          fileURLToPath(new URL('./hash-worker-heap.mjs', import.meta.url)),
          fileURLToPath(new URL('../../dist', import.meta.url)),
          path,
          order,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(child.status, child.stderr).toBe(0);
      const { before, after } = JSON.parse(child.stdout) as { before: number; after: number };
      // A growth factor of 2 (what starting the worker set) doubles it on each scavenge to 32 MB.
      expect(after).toBe(before);
    },
  );

  it('a worker started ahead of any hash lets the process exit (built dist/)', () => {
    const pool = new URL('../../dist/image/hash-pool.js', import.meta.url).href;
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `(await import(${JSON.stringify(pool)})).startHashWorker();`],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(child.error).toBeUndefined();
    expect(child.status, child.stderr).toBe(0);
  });
});
