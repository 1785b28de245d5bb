/**
 * Runs a small program with the image's own interpreter (python3 -c, node -e)
 * in a container of the original image, with no network, and reads its answer:
 * the one stdout line that starts with `marker`, as JSON. What the program
 * imports on the way may print too; the marker keeps the answer apart.
 */
import type { Engine } from '../engine/engine.js';

export interface InterpreterRun {
  image: string;
  interpreter: string;
  args: string[];
  /** e.g. `PARE-MODULES`; the answer is the JSON after `MARKER `. */
  marker: string;
  /** Accept the answer even when the program then exits non-zero. */
  anyExitCode?: boolean;
  timeoutMs?: number;
  workdir?: string;
  signal?: AbortSignal;
}

/** The parsed answer, or why there is none (timeout, or the last line of stderr). */
export async function runInterpreter<T>(
  engine: Engine,
  run: InterpreterRun,
): Promise<{ value: T; failure?: undefined } | { value?: undefined; failure: string }> {
  const exit = await engine.run({
    image: run.image,
    entrypoint: [run.interpreter],
    cmd: run.args,
    network: 'none',
    timeoutMs: run.timeoutMs ?? 180_000,
    ...(run.workdir ? { workdir: run.workdir } : {}),
    ...(run.signal ? { signal: run.signal } : {}),
  });
  const prefix = `${run.marker} `;
  const line = exit.stdout.split('\n').find((l) => l.startsWith(prefix));
  if (!line || (exit.exitCode !== 0 && !run.anyExitCode)) {
    const failure = exit.timedOut
      ? 'timed out'
      : exit.stderr.trim().split('\n').pop() || `exit ${exit.exitCode}`;
    return { failure };
  }
  return { value: JSON.parse(line.slice(prefix.length)) as T };
}
