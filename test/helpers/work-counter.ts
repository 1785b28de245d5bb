/**
 * Counts the work code does, for tests of how it grows with its input: V8's
 * precise block coverage says how often every function and block ran, an
 * exact count where a timing would be noise on a shared machine.
 */
import { Session } from 'node:inspector/promises';

export interface WorkCounter {
  /** Executions of functions and blocks in scripts whose URL `counts`, while `run` ran. */
  count(run: () => Promise<unknown>): Promise<number>;
  close(): Promise<void>;
}

export async function startWorkCounter(counts: (url: string) => boolean): Promise<WorkCounter> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // Started once: stopping drops the block counters of functions already compiled.
  await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  return {
    async count(run) {
      await session.post('Profiler.takePreciseCoverage'); // resets the counters
      await run();
      const { result } = await session.post('Profiler.takePreciseCoverage');
      let total = 0;
      for (const script of result) {
        if (!counts(script.url)) continue;
        for (const fn of script.functions) for (const range of fn.ranges) total += range.count;
      }
      return total;
    },
    async close() {
      await session.post('Profiler.stopPreciseCoverage');
      await session.post('Profiler.disable');
      session.disconnect();
    },
  };
}
