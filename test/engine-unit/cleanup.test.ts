import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type CleanupAction, CleanupRegistry, type ProcessHooks } from '../../src/engine/cleanup.js';

/** A stand-in for `process`: signals are emitted by hand, kill/exit are recorded. */
class FakeProcess extends EventEmitter implements ProcessHooks {
  readonly pid = 4242;
  killed: string[] = [];
  exited: number[] = [];
  kill(_pid: number, signal: NodeJS.Signals): boolean {
    this.killed.push(signal);
    return true;
  }
  exit(code: number): never {
    this.exited.push(code);
    return undefined as never;
  }
}

function recordingAction(
  name: string,
  log: string[],
  options: { fail?: boolean; delayMs?: number } = {},
): CleanupAction {
  return {
    description: name,
    async run() {
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      if (options.fail) throw new Error(`${name} is stuck`);
      log.push(`run ${name}`);
    },
    runSync() {
      if (options.fail) throw new Error(`${name} is stuck`);
      log.push(`sync ${name}`);
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('CleanupRegistry', () => {
  it('listens for signals and exit only while something is registered', () => {
    const hooks = new FakeProcess();
    const registry = new CleanupRegistry({ hooks });
    expect(hooks.listenerCount('SIGINT')).toBe(0);
    const handle = registry.add(recordingAction('a', []));
    expect([
      hooks.listenerCount('SIGINT'),
      hooks.listenerCount('SIGTERM'),
      hooks.listenerCount('exit'),
    ]).toEqual([1, 1, 1]);
    handle.release();
    expect([
      hooks.listenerCount('SIGINT'),
      hooks.listenerCount('SIGTERM'),
      hooks.listenerCount('exit'),
    ]).toEqual([0, 0, 0]);
  });

  it('on SIGTERM removes everything newest first, then re-raises the signal', async () => {
    const hooks = new FakeProcess();
    const log: string[] = [];
    const registry = new CleanupRegistry({ hooks });
    registry.add(recordingAction('image', log));
    registry.add(recordingAction('container', log));
    hooks.emit('SIGTERM', 'SIGTERM');
    await settle();
    expect(log).toEqual(['run container', 'run image']);
    expect(registry.size).toBe(0);
    expect(hooks.killed).toEqual(['SIGTERM']);
    expect(hooks.listenerCount('SIGTERM')).toBe(0);
  });

  it('on a signal says so once, then aborts its signal before removing anything', async () => {
    const hooks = new FakeProcess();
    const log: string[] = [];
    const told: string[] = [];
    const registry = new CleanupRegistry({
      hooks,
      onInterrupt: (signal, pending) => told.push(`${signal}: ${pending.join(', ')}`),
    });
    registry.signal.addEventListener('abort', () => log.push('aborted'));
    registry.add(recordingAction('work dir', log));
    expect(registry.interrupted).toBe(false);
    hooks.emit('SIGINT', 'SIGINT');
    await settle();
    expect(told).toEqual(['SIGINT: work dir']);
    expect(log).toEqual(['aborted', 'run work dir']);
    expect(registry.interrupted).toBe(true);
    expect(hooks.killed).toEqual(['SIGINT']);
  });

  it('does not re-raise when the host program handles the signal itself', async () => {
    const hooks = new FakeProcess();
    hooks.on('SIGINT', () => {});
    const registry = new CleanupRegistry({ hooks });
    registry.add(recordingAction('container', []));
    hooks.emit('SIGINT', 'SIGINT');
    await settle();
    expect(hooks.killed).toEqual([]);
  });

  it('a second Ctrl-C during cleanup finishes synchronously and exits 130', async () => {
    const hooks = new FakeProcess();
    const log: string[] = [];
    const registry = new CleanupRegistry({ hooks });
    registry.add(recordingAction('first', log));
    registry.add(recordingAction('slow', log, { delayMs: 50 }));
    hooks.emit('SIGINT', 'SIGINT');
    hooks.emit('SIGINT', 'SIGINT');
    expect(hooks.exited).toEqual([130]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    // The sync pass covers the action still in flight and the one not started yet.
    expect(log).toEqual(['sync slow', 'sync first', 'run slow']);
  });

  it('runs the synchronous actions on exit', () => {
    const hooks = new FakeProcess();
    const log: string[] = [];
    const registry = new CleanupRegistry({ hooks });
    registry.add(recordingAction('container', log));
    hooks.emit('exit', 0);
    expect(log).toEqual(['sync container']);
    expect(hooks.listenerCount('exit')).toBe(0);
  });

  it('reports a failing action and carries on with the rest', async () => {
    const log: string[] = [];
    const failures: string[] = [];
    const registry = new CleanupRegistry({
      hooks: new FakeProcess(),
      onError: (action, error) => failures.push(`${action.description}: ${(error as Error).message}`),
    });
    registry.add(recordingAction('image', log));
    registry.add(recordingAction('container', log, { fail: true }));
    await registry.runAll();
    expect(log).toEqual(['run image']);
    expect(failures).toEqual(['container: container is stuck']);
  });

  it('runNow runs one action once', async () => {
    const log: string[] = [];
    const registry = new CleanupRegistry({ hooks: new FakeProcess() });
    const handle = registry.add(recordingAction('tmp', log));
    await handle.runNow();
    await handle.runNow();
    await registry.runAll();
    expect(log).toEqual(['run tmp']);
  });
});
