/**
 * V8 heap tuning for commands that read whole images.
 *
 * Reading an image allocates short-lived objects for every tar entry while
 * the tree it builds survives, so V8 grows its young generation to its
 * maximum, 2 × 16 MB, which then stays resident. Not growing it kept the node
 * benchmark image at 107 MB peak RSS instead of 135 MB, for the same CPU time.
 * The growth factor is read whenever the space would grow, so setting it at
 * run time works (unlike --max-semi-space-size, fixed when the heap is made:
 * setting that at run time changed nothing).
 */
import { setFlagsFromString } from 'node:v8';

const FLAGS = '--semi-space-growth-factor=1';

/**
 * 1 once a command asked for a small young generation. Shared with worker
 * threads, which read it when they start (heapFlagsForWorker): a worker may be
 * started before the command asks, e.g. while its modules load.
 */
const wanted = new Int32Array(new SharedArrayBuffer(4));

function apply(): void {
  setFlagsFromString(FLAGS);
}

export function keepYoungGenerationSmall(): void {
  Atomics.store(wanted, 0, 1);
  apply();
}

/**
 * Starting a worker thread sets the growth factor back to 2: V8 clamps it
 * when it configures the worker's heap, and the flag is process-wide. So it is
 * set again once the worker is online; but a main thread busy walking a layer
 * sees the 'online' event only when it next yields, long enough for its young
 * generation to double twice (measured: peak RSS on the 218 k-path benchmark
 * image 158 MB, against 129 MB without a worker). So the worker's own first
 * step sets it again as soon as its thread runs (heapFlagsForWorker).
 */
export function reapplyHeapFlags(): void {
  if (Atomics.load(wanted, 0) === 1) apply();
}

/**
 * What a worker thread's first step reads: it sets `flags` when `wanted[0]`
 * is 1. Its heap was configured (and the flag reset) before that step, so
 * whichever comes first, the command's asking or the worker's start, the flag
 * ends up set.
 */
export function heapFlagsForWorker(): { flags: string; wanted: Int32Array } {
  return { flags: FLAGS, wanted };
}
