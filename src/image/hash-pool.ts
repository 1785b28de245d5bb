/**
 * sha256 of local byte ranges on worker threads. Hashing is most of the CPU a
 * verified read of uncompressed layers costs, and Node hashes on the thread
 * that calls `update`: done on the main thread it adds to walking the tar and
 * building the tree instead of overlapping them. A worker reads its range with
 * plain positioned reads and hashes it, so independent layers hash on every
 * core while the main thread walks their headers.
 *
 * The worker's code is a string run with `eval`, so the same module works from
 * the TypeScript sources (tests) and from dist/; it takes Node's modules from
 * process.getBuiltinModule, which works whether the eval is read as CommonJS
 * or (inheriting --input-type=module) as an ES module. Workers are unref'd: an idle
 * pool, or a hash nobody waits for any more, never keeps the process alive.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { abortReason } from '../util/abort.js';
import { heapFlagsForWorker, reapplyHeapFlags } from '../util/heap-flags.js';
import { digestHex } from './digest.js';
import type { LocalBlobRange } from './types.js';

/**
 * Bytes per read while hashing. Hashing, not reading, sets the pace (a 256 KiB
 * read from the page cache takes ~15 µs, hashing it ~200 µs), and the worker's
 * buffer is part of inspect's peak RSS, reached while the worker is alive.
 */
const READ_SIZE = 256 * 1024;

/**
 * The worker allocates next to nothing (a buffer, a hash, small messages):
 * small heap limits keep its isolate ~1 MiB smaller than V8's defaults do.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16, codeRangeSizeMb: 2 };

/**
 * Reads [offset, offset + length) of `fd` through `buffer` into `hash`;
 * returns the bytes read, fewer when the file ends first. The worker runs this
 * same function (its source is pasted into WORKER_SOURCE), so it names nothing
 * but its parameters.
 */
function hashFileRange(
  read: typeof readSync,
  fd: number,
  hash: Hash,
  buffer: Buffer,
  offset: number,
  length: number,
): number {
  let done = 0;
  while (done < length) {
    const got = read(fd, buffer, 0, Math.min(buffer.length, length - done), offset + done);
    if (got === 0) break;
    hash.update(got === buffer.length ? buffer : buffer.subarray(0, got));
    done += got;
  }
  return done;
}

/** Runs in the worker: `{ id, path, offset, length }` in, `{ id, hex, bytes }` or `{ id, error }` out. */
const WORKER_SOURCE = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const { heapFlags } = workerData;
if (Atomics.load(heapFlags.wanted, 0) === 1) process.getBuiltinModule('node:v8').setFlagsFromString(heapFlags.flags);
const { openSync, readSync, closeSync } = process.getBuiltinModule('node:fs');
const { createHash } = process.getBuiltinModule('node:crypto');
const buffer = Buffer.allocUnsafe(${READ_SIZE});
const hashFileRange = ${hashFileRange.toString()};
parentPort.on('message', ({ id, path, offset, length }) => {
  let fd;
  try {
    fd = openSync(path, 'r');
    const hash = createHash('sha256');
    const done = hashFileRange(readSync, fd, hash, buffer, offset, length);
    parentPort.postMessage({ id, hex: hash.digest('hex'), bytes: done });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: error.message, code: error.code, syscall: error.syscall, path: error.path, errno: error.errno } });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
`;

export interface RangeHash {
  /** Lowercase hex sha256 of the bytes read. */
  hex: string;
  /** Bytes read: fewer than asked when the file ends early. */
  bytes: number;
}

interface Job {
  id: number;
  blob: LocalBlobRange;
  resolve: (hash: RangeHash) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  job: Job | undefined;
}

/**
 * Workers at most: one per core but the main thread's, which walks the same
 * layers meanwhile. On 2 cores a second worker only contended with the walk
 * for the one core left, and each worker costs ~50 ms of start-up and ~7 MB.
 */
const MAX_WORKERS = Math.max(1, Math.min(4, availableParallelism() - 1));

class HashPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;

  hash(blob: LocalBlobRange, signal?: AbortSignal): Promise<RangeHash> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<RangeHash>((resolve, reject) => {
      // The listener goes when the job settles: a command that hashes many layers under one signal
      // (slim reads each layer twice) otherwise piled them up, and Node warned of a leak on stderr.
      const onAbort = () => this.cancel(job, abortReason(signal!));
      const settled = () => signal?.removeEventListener('abort', onAbort);
      const job: Job = {
        id: this.nextId++,
        blob,
        resolve: (hash) => {
          settled();
          resolve(hash);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Starts a worker now if there is none, so that the first hash does not wait for one to boot. */
  warm(): void {
    if (this.workers.length === 0) this.spawn();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let free = this.workers.find((w) => w.job === undefined);
      if (!free) {
        if (this.workers.length >= MAX_WORKERS) return;
        free = this.spawn();
      }
      const job = this.queue.shift()!;
      free.job = job;
      free.worker.ref();
      const { path, offset, length } = job.blob;
      free.worker.postMessage({ id: job.id, path, offset, length });
    }
  }

  private spawn(): PoolWorker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { heapFlags: heapFlagsForWorker() },
      resourceLimits: WORKER_LIMITS,
    });
    const entry: PoolWorker = { worker, job: undefined };
    entry.worker.once('online', reapplyHeapFlags);
    entry.worker.on('message', (message: { id: number; hex?: string; bytes?: number; error?: object }) => {
      const job = entry.job;
      if (!job || job.id !== message.id) return;
      this.release(entry);
      if (message.error) job.reject(Object.assign(new Error(), message.error));
      else job.resolve({ hex: message.hex!, bytes: message.bytes! });
    });
    entry.worker.on('error', (error) => this.retire(entry, error));
    entry.worker.on('exit', () => this.retire(entry, new Error('hash worker exited')));
    // Idle until dispatch gives it a job (and refs it): an unused worker never keeps the process
    // alive. After the listeners, which would ref it again.
    worker.unref();
    this.workers.push(entry);
    return entry;
  }

  private release(entry: PoolWorker): void {
    entry.job = undefined;
    entry.worker.unref();
    this.dispatch();
  }

  /** A worker that failed or was stopped: its job fails, the pool forgets it. */
  private retire(entry: PoolWorker, error: Error): void {
    const index = this.workers.indexOf(entry);
    if (index < 0) return;
    this.workers.splice(index, 1);
    const job = entry.job;
    entry.job = undefined;
    job?.reject(error);
    this.dispatch();
  }

  /**
   * Hashes the queued jobs on the calling thread, one at a time, until none
   * is left; the workers go on taking jobs meanwhile.
   */
  async hashQueuedHere(signal?: AbortSignal): Promise<void> {
    let buffer: Buffer | undefined;
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      const job = this.queue.shift();
      if (!job) return;
      buffer ??= Buffer.allocUnsafe(READ_SIZE);
      try {
        job.resolve(await hashRangeHere(job.blob, buffer, signal));
      } catch (error) {
        job.reject(error as Error);
      }
    }
  }

  /** Stops the workers that have no job; a later hash starts a new one. */
  async stopIdle(): Promise<void> {
    const idle = this.workers.filter((w) => w.job === undefined);
    for (const entry of idle) this.workers.splice(this.workers.indexOf(entry), 1);
    await Promise.all(idle.map((entry) => entry.worker.terminate()));
  }

  private cancel(job: Job, reason: Error): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    const running = this.workers.find((w) => w.job === job);
    if (running) {
      // A worker is busy until its read loop ends: stop it rather than hash on for nobody.
      this.workers.splice(this.workers.indexOf(running), 1);
      running.job = undefined;
      void running.worker.terminate();
      this.dispatch();
    }
    job.reject(reason);
  }
}

const pool = new HashPool();

/**
 * Stops idle hash workers. A worker's own V8 heap is ~7 MB of resident memory
 * that an idle worker keeps; `pare inspect` reaches its peak after the layers
 * are read, when the detectors list every file, so it lets them go first.
 * Measured on the node benchmark image: peak RSS 98 MB instead of 105 MB.
 */
export function stopIdleHashWorkers(): Promise<void> {
  return pool.stopIdle();
}

/**
 * Starts a hash worker ahead of the first hash (an idle one does not keep the
 * process alive, and stopIdleHashWorkers stops it).
 */
export function startHashWorker(): void {
  pool.warm();
}

/**
 * A thread about to wait for hashes hashes the queued ones (those no worker
 * has started) itself: on 2 cores one worker hashes while the main thread
 * walks, and once the walk is done the main thread would otherwise sit idle
 * while the worker works through the remaining layers one by one.
 */
export function hashQueuedHere(signal?: AbortSignal): Promise<void> {
  return pool.hashQueuedHere(signal);
}

/** Bytes hashed between yields, so abort signals and the workers' results are seen meanwhile (~7 ms). */
const HASHED_BETWEEN_YIELDS = 8 * 1024 * 1024;

/** What the worker does, on this thread, yielding to the event loop every few MB. */
async function hashRangeHere(blob: LocalBlobRange, buffer: Buffer, signal?: AbortSignal): Promise<RangeHash> {
  const fd = openSync(blob.path, 'r');
  try {
    const hash = createHash('sha256');
    let done = 0;
    while (done < blob.length) {
      const step = Math.min(HASHED_BETWEEN_YIELDS, blob.length - done);
      const got = hashFileRange(readSync, fd, hash, buffer, blob.offset + done, step);
      done += got;
      if (got < step || done === blob.length) break;
      await yieldToEvents();
      if (signal?.aborted) throw abortReason(signal);
    }
    return { hex: hash.digest('hex'), bytes: done };
  } finally {
    closeSync(fd);
  }
}

/**
 * sha256 of `blob`'s bytes, computed on a worker thread, or the digest
 * computed as they were written (digestAsWritten), which is the same bytes'.
 */
export function hashLocalRange(blob: LocalBlobRange, signal?: AbortSignal): Promise<RangeHash> {
  if (blob.digestAsWritten) {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return Promise.resolve({ hex: digestHex(blob.digestAsWritten), bytes: blob.length });
  }
  return pool.hash(blob, signal);
}
