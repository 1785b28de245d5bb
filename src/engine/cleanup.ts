/**
 * What pare must undo before it exits: containers it started, temporary images
 * and files. Each resource is registered when created and released when the
 * normal path removes it; whatever is still registered is removed on exit, on
 * SIGINT and on SIGTERM, so Ctrl-C in the middle of a build or a probe leaves
 * nothing behind.
 *
 * Signal handlers are installed only while something is registered, so merely
 * importing pare (as a library) does not change how the host process reacts to
 * Ctrl-C. After cleaning up on a signal, the signal is re-raised so the process
 * ends the way it would have without pare.
 */
import { rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CleanupAction {
  /** What is removed, for messages ("container pare-1a2b"). */
  description: string;
  run(): Promise<void>;
  /** Used from the 'exit' event, where only synchronous work is possible. */
  runSync(): void;
}

export interface CleanupHandle {
  /** The resource is gone by other means: forget it without running the action. */
  release(): void;
  /** Run the action now and forget it. */
  runNow(): Promise<void>;
}

/** The parts of `process` the registry uses, injectable for tests. */
export interface ProcessHooks {
  on(event: 'SIGINT' | 'SIGTERM' | 'exit', listener: (...args: unknown[]) => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM' | 'exit', listener: (...args: unknown[]) => void): unknown;
  listenerCount(event: 'SIGINT' | 'SIGTERM'): number;
  kill(pid: number, signal: NodeJS.Signals): unknown;
  exit(code: number): never;
  readonly pid: number;
}

export interface CleanupRegistryOptions {
  hooks?: ProcessHooks;
  /** Where failures of cleanup actions are reported (default: stderr). */
  onError?: (action: CleanupAction, error: unknown) => void;
  /** Told once when a signal arrives, before anything is removed (default: one line on stderr). */
  onInterrupt?: (signal: 'SIGINT' | 'SIGTERM', pending: string[]) => void;
}

const SIGNAL_EXIT_CODES: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

export class CleanupRegistry {
  private readonly actions = new Set<CleanupAction>();
  private readonly hooks: ProcessHooks;
  private readonly onError: (action: CleanupAction, error: unknown) => void;
  private readonly onInterrupt: (signal: 'SIGINT' | 'SIGTERM', pending: string[]) => void;
  private installed = false;
  private readonly interruption = new AbortController();
  private signalled: 'SIGINT' | 'SIGTERM' | undefined;
  private readonly onSignal = (signal: unknown): void =>
    void this.handleSignal(signal as 'SIGINT' | 'SIGTERM');
  private readonly onExit = (): void => this.runAllSync();

  constructor(options: CleanupRegistryOptions = {}) {
    this.hooks = options.hooks ?? (process as unknown as ProcessHooks);
    this.onError =
      options.onError ??
      ((action, error) =>
        process.stderr.write(
          `pare: warning: could not remove ${action.description}: ${error instanceof Error ? error.message : String(error)}\n`,
        ));
    // Quiet by default when the process hooks are injected (tests, hosts that handle signals).
    this.onInterrupt =
      options.onInterrupt ??
      (options.hooks
        ? () => {}
        : (signal, pending) =>
            process.stderr.write(
              `pare: interrupted (${signal})${pending.length > 0 ? `; removing ${pending.length === 1 ? pending[0] : `${pending.length} temporary resources`}` : ''}\n`,
            ));
  }

  /**
   * Aborted when a signal arrives while something is registered: long work
   * (slimming, streaming layers) passes it down to stop early.
   */
  get signal(): AbortSignal {
    return this.interruption.signal;
  }

  /** True once a signal has been handled: the errors that follow are its consequence, not news. */
  get interrupted(): boolean {
    return this.interruption.signal.aborted;
  }

  get size(): number {
    return this.actions.size;
  }

  descriptions(): string[] {
    return [...this.actions].map((action) => action.description);
  }

  add(action: CleanupAction): CleanupHandle {
    this.actions.add(action);
    this.install();
    return {
      release: () => this.forget(action),
      runNow: async () => {
        if (!this.actions.has(action)) return;
        this.forget(action);
        await action.run();
      },
    };
  }

  /** Runs every registered action, newest first (containers before the images they use). */
  async runAll(): Promise<void> {
    for (const action of [...this.actions].reverse()) {
      // Skipped if a synchronous pass (second Ctrl-C, exit) already did it meanwhile.
      if (!this.actions.has(action)) continue;
      try {
        await action.run();
      } catch (error) {
        this.onError(action, error);
      }
      // Forgotten only once done, so a second Ctrl-C mid-way still covers the one in flight.
      this.actions.delete(action);
    }
    this.uninstall();
  }

  runAllSync(): void {
    const pending = [...this.actions].reverse();
    this.actions.clear();
    this.uninstall();
    for (const action of pending) {
      try {
        action.runSync();
      } catch (error) {
        this.onError(action, error);
      }
    }
  }

  private forget(action: CleanupAction): void {
    this.actions.delete(action);
    if (this.actions.size === 0) this.uninstall();
  }

  private install(): void {
    if (this.installed) return;
    this.installed = true;
    this.hooks.on('SIGINT', this.onSignal);
    this.hooks.on('SIGTERM', this.onSignal);
    this.hooks.on('exit', this.onExit);
  }

  /** Keeps the handlers while a signal is being handled, so a second Ctrl-C is seen. */
  private uninstall(): void {
    if (!this.installed || this.signalled || this.actions.size > 0) return;
    this.installed = false;
    this.hooks.off('SIGINT', this.onSignal);
    this.hooks.off('SIGTERM', this.onSignal);
    this.hooks.off('exit', this.onExit);
  }

  private async handleSignal(signal: 'SIGINT' | 'SIGTERM'): Promise<void> {
    if (this.signalled) {
      // A second Ctrl-C while cleaning up: the user wants out now. Do the rest synchronously.
      this.runAllSync();
      return this.hooks.exit(SIGNAL_EXIT_CODES[signal]);
    }
    this.signalled = signal;
    try {
      this.onInterrupt(signal, this.descriptions());
    } catch {
      // A closed stderr must not keep the cleanup from running.
    }
    this.interruption.abort(new Error(`interrupted (${signal})`));
    await this.runAll();
    this.signalled = undefined;
    this.uninstall();
    // With our listener gone and no other, the re-raised signal ends the process
    // as the default handler would (exit status 128+n). If the host program has
    // its own handler, it already received this signal and decides.
    if (this.hooks.listenerCount(signal) === 0) this.hooks.kill(this.hooks.pid, signal);
  }
}

/** The registry of this process; engines register what they create here by default. */
export const processCleanup = new CleanupRegistry();

/** Registers a file or directory for removal on exit or Ctrl-C; `runNow()` removes it, `release()` keeps it. */
export function removeOnExit(path: string, description: string): CleanupHandle {
  return processCleanup.add({
    description: `${description} ${path}`,
    run: () => rm(path, { recursive: true, force: true, maxRetries: 3 }),
    runSync: () => rmSync(path, { recursive: true, force: true, maxRetries: 3 }),
  });
}

/** A new `PREFIXxxxxxx` directory under `parent` (default the OS temp dir), removed on exit or Ctrl-C. */
export async function temporaryDirectory(
  prefix: string,
  parent: string = tmpdir(),
): Promise<{ path: string; handle: CleanupHandle }> {
  for (;;) {
    // Registered before it exists (unlike mkdtemp): a signal between creating and registering would leave it.
    // node:crypto is fetched here, not imported: every command loads this module, and crypto's
    // start-up cost is paid only by those that make a temporary directory.
    const { randomBytes } = process.getBuiltinModule('node:crypto');
    const path = join(parent, `${prefix}${randomBytes(6).toString('hex')}`);
    const handle = removeOnExit(path, 'temporary directory');
    try {
      await mkdir(path, { mode: 0o700 });
    } catch (error) {
      handle.release();
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    // A signal's cleanup may have run while mkdir was in flight, before the directory existed.
    if (processCleanup.interrupted) {
      rmSync(path, { recursive: true, force: true });
      throw processCleanup.signal.reason;
    }
    return { path, handle };
  }
}
