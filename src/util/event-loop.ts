/**
 * Work that awaits only promises settled in microtasks (a tar pack fed from
 * memory, a loop over a large tree) never lets the event loop turn: timers and
 * signal handlers wait, so Ctrl-C or SIGTERM go unanswered until it ends. A
 * loop calls the function returned here once per item; every `intervalMs` it
 * yields one turn of the event loop and stops if `signal` has been aborted.
 */
import { setImmediate } from 'node:timers/promises';

export function eventLoopTurns(signal?: AbortSignal, intervalMs = 50): () => Promise<void> | undefined {
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < intervalMs) return undefined;
    last = now;
    return setImmediate().then(() => signal?.throwIfAborted());
  };
}
