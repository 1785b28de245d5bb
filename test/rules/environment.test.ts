/**
 * Environment: every snapshot answers as a full copy would, however many
 * changes came after it, and undefined values change nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Environment } from '../../src/rules/environment.js';

const change = fc.tuple(
  fc.constantFrom('A', 'B', 'C', 'HOME', 'PATH', 'X1', 'X2'),
  fc.option(fc.string(), { nil: undefined }),
);

describe('Environment', () => {
  it('answers like a copy of every variable set so far, for every snapshot', () => {
    fc.assert(
      fc.property(fc.array(fc.array(change, { maxLength: 4 }), { maxLength: 200 }), (steps) => {
        const snapshots: Array<[Environment, Record<string, string>]> = [];
        let env = Environment.EMPTY;
        let copy: Record<string, string> = {};
        for (const changes of steps) {
          snapshots.push([env, copy]);
          env = env.with(changes);
          copy = { ...copy };
          for (const [name, value] of changes) if (value !== undefined) copy[name] = value;
        }
        snapshots.push([env, copy]);
        for (const [snapshot, expected] of snapshots) {
          for (const name of ['A', 'B', 'C', 'HOME', 'PATH', 'X1', 'X2', 'UNSET']) {
            expect(snapshot.get(name)).toBe(expected[name]);
          }
        }
      }),
    );
  });

  it('starts from a record, leaving out undefined values', () => {
    const env = Environment.of({ GOPATH: '/go', UNSET: undefined });
    expect([env.get('GOPATH'), env.get('UNSET'), env.get('toString')]).toEqual(['/go', undefined, undefined]);
  });
});
