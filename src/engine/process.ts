/**
 * Runs an engine CLI command and collects its output with bounded memory: a
 * build can print megabytes, so past `maxBytes` only the tail is kept (the end
 * is where errors are). Lines can be streamed to callers as they arrive.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { abortReason } from '../util/abort.js';

export interface ProcessOptions {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Kill the process (SIGKILL) after this long; the result has `timedOut`. */
  timeoutMs?: number;
  /** Output kept per stream; beyond it the oldest bytes are dropped (default 8 MiB). */
  maxBytes?: number;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /** Bytes for the program's stdin (default: none, stdin is closed). */
  stdin?: Readable;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** True when output beyond `maxBytes` was dropped from the front. */
  truncated: boolean;
}

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

/** Keeps the last `max` bytes written to it. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private length = 0;
  truncated = false;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    while (this.length > this.max && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.length - this.max;
      this.truncated = true;
      if (first.length <= excess) {
        this.chunks.shift();
        this.length -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.length -= excess;
      }
    }
  }

  toString(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Splits a byte stream into lines for a callback; `\r` also ends a line (progress bars redraw with it). */
class LineSplitter {
  private partial = '';
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const lines = text.split(/\r\n|\n|\r/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }

  end(): void {
    if (this.partial !== '') this.onLine(this.partial);
    this.partial = '';
  }
}

/**
 * Spawns `command args` and resolves when it exits, whatever the exit code.
 * Rejects only when the program cannot be started (ENOENT, EACCES), with the
 * system error, so callers can say "not installed".
 */
export function runProcess(
  command: string,
  args: string[],
  options: ProcessOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const stdout = new TailBuffer(max);
    const stderr = new TailBuffer(max);
    const outLines = options.onStdoutLine ? new LineSplitter(options.onStdoutLine) : undefined;
    const errLines = options.onStderrLine ? new LineSplitter(options.onStderrLine) : undefined;
    let timedOut = false;
    let settled = false;

    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      signal: options.signal,
    }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
            // Grandchildren may hold the pipes open; do not wait for them.
            child.stdout.destroy();
            child.stderr.destroy();
          }, options.timeoutMs);

    if (options.stdin && child.stdin) {
      // A program that exits before reading everything closes the pipe: its exit code says why, not EPIPE.
      child.stdin.on('error', () => {});
      options.stdin.on('error', (error) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        child.kill();
        reject(error);
      });
      options.stdin.pipe(child.stdin);
    }
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      outLines?.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      errLines?.push(chunk);
    });
    child.on('error', (error) => {
      if (settled) return;
      // An abort kills the child and is reported through 'close' with the signal;
      // other errors here mean the program could not be started at all.
      if ((error as NodeJS.ErrnoException).name === 'AbortError') return;
      settled = true;
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      outLines?.end();
      errLines?.end();
      if (options.signal?.aborted) {
        reject(abortReason(options.signal));
        return;
      }
      resolve({
        exitCode,
        signal,
        timedOut,
        stdout: stdout.toString(),
        stderr: stderr.toString(),
        truncated: stdout.truncated || stderr.truncated,
      });
    });
  });
}
