/**
 * "An unknown base": a base image the user's config (`baseImages`) names, that
 * the optimized Dockerfile would build on, must be in the engine or pullable;
 * otherwise `pare optimize` stops before any build with one line naming the
 * config file and the entry. Bases the original Dockerfile uses itself, and
 * builtin catalogue images, are not checked here (their failures are the
 * original's build error, or a candidate that fails and falls back).
 */
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../src/dockerfile/parse.js';
import type { Engine } from '../src/engine/engine.js';
import { EngineCommandError, EngineUnavailableError } from '../src/engine/errors.js';
import { configuredBasesUsed, requireConfiguredBases } from '../src/optimize/configured-bases.js';
import { PareError } from '../src/util/errors.js';

const CONFIG = [
  { name: 'pare-base/python:bookworm' },
  { name: 'registry.local/base/python:3.12-slim' },
  { name: 'corp/node:*-slim' },
  { name: 'debian:12-slim' },
];

const ORIGINAL = 'FROM pare-base/python:bookworm\nCOPY . /app\nCMD ["python3", "/app/main.py"]\n';

describe('configuredBasesUsed', () => {
  const cases: Array<{ name: string; rewrites: string[]; expected: Array<{ index: number; name: string }> }> =
    [
      {
        name: 'a config entry the rewrite builds on',
        rewrites: [
          'FROM pare-base/python:bookworm AS build\nRUN true\nFROM registry.local/base/python:3.12-slim\nCOPY --from=build /app /app\n',
        ],
        expected: [{ index: 1, name: 'registry.local/base/python:3.12-slim' }],
      },
      {
        name: "the original's own base (its build's business)",
        rewrites: ['FROM pare-base/python:bookworm AS build\nFROM pare-base/python:bookworm\n'],
        expected: [],
      },
      {
        name: 'a builtin catalogue image (not the config)',
        rewrites: ['FROM pare-base/python:bookworm AS build\nFROM python:3.12-slim\n'],
        expected: [],
      },
      {
        name: 'a Docker Hub name written differently from the entry',
        rewrites: ['FROM pare-base/python:bookworm AS build\nFROM docker.io/library/debian:12-slim\n'],
        expected: [{ index: 3, name: 'debian:12-slim' }],
      },
      {
        name: 'scratch and earlier stages',
        rewrites: ['FROM pare-base/python:bookworm AS build\nFROM build AS test\nFROM scratch\n'],
        expected: [],
      },
      {
        name: 'an entry used by two rewrites, once',
        rewrites: [
          'FROM pare-base/python:bookworm AS b\nFROM debian:12-slim\n',
          'FROM pare-base/python:bookworm AS b\nFROM debian:12-slim\n',
        ],
        expected: [{ index: 3, name: 'debian:12-slim' }],
      },
      { name: 'no rewrite', rewrites: [], expected: [] },
    ];

  it.each(cases)('$name', async ({ rewrites, expected }) => {
    const original = await parseDockerfile(ORIGINAL, 'Dockerfile');
    const models = await Promise.all(rewrites.map((text) => parseDockerfile(text, 'Dockerfile')));
    expect(configuredBasesUsed(CONFIG, original, models)).toEqual(expected);
  });

  it('is empty without config entries', async () => {
    const original = await parseDockerfile(ORIGINAL, 'Dockerfile');
    const rewrite = await parseDockerfile('FROM debian:12-slim\n', 'Dockerfile');
    expect(configuredBasesUsed(undefined, original, [rewrite])).toEqual([]);
  });
});

/** Just what requireConfiguredBases uses. */
function fakeEngine(present: string[], pullable: string[], pullError?: Error): Engine & { calls: string[] } {
  const calls: string[] = [];
  return {
    host: 'unix:///fake.sock',
    calls,
    async imageExists(image: string) {
      calls.push(`exists ${image}`);
      return present.includes(image);
    },
    async pull(image: string) {
      calls.push(`pull ${image}`);
      if (pullError) throw pullError;
      if (!pullable.includes(image)) {
        throw new EngineCommandError(
          `/usr/bin/docker pull ${image}`,
          `Error response from daemon: pull access denied for ${image}, repository does not exist`,
          1,
        );
      }
    },
  } as unknown as Engine & { calls: string[] };
}

describe('requireConfiguredBases', () => {
  const base = { index: 1, name: 'registry.local/base/python:3.12-slim' };

  it.each([
    { situation: 'in the engine', present: [base.name], pullable: [], calls: [`exists ${base.name}`] },
    {
      situation: 'pullable',
      present: [],
      pullable: [base.name],
      calls: [`exists ${base.name}`, `pull ${base.name}`],
    },
  ])('passes when the image is $situation', async ({ present, pullable, calls }) => {
    const engine = fakeEngine(present, pullable);
    const steps: string[] = [];
    await requireConfiguredBases(engine, [base], '/p/.pare.json', { onStep: (step) => steps.push(step) });
    expect(engine.calls).toEqual(calls);
    expect(steps).toHaveLength(calls.length - 1);
  });

  it('names the config file and the entry when the engine has it not and cannot pull it', async () => {
    const error = await requireConfiguredBases(fakeEngine([], []), [base], '/p/.pare.json').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PareError);
    const failure = error as PareError;
    expect(failure.exitCode).toBe(2);
    expect(failure.line).toBe(
      '/p/.pare.json: baseImages[1] "registry.local/base/python:3.12-slim": the optimized Dockerfile would build on it, but the container engine at unix:///fake.sock does not have it and cannot pull it (Error response from daemon: pull access denied for registry.local/base/python:3.12-slim, repository does not exist); pull or build it first, or remove the entry',
    );
    expect(failure.line).not.toContain('\n');
  });

  it('says "config" when the config came from no file (library use)', async () => {
    const error = (await requireConfiguredBases(fakeEngine([], []), [base], undefined).catch(
      (caught: unknown) => caught,
    )) as PareError;
    expect(error.line).toMatch(/^config: baseImages\[1\] /);
  });

  it('leaves an engine that went away to the engine error', async () => {
    const gone = new EngineUnavailableError('cannot reach the container engine at unix:///fake.sock: EOF');
    const error = await requireConfiguredBases(fakeEngine([], [], gone), [base], '/p/.pare.json').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBe(gone);
  });

  it('asks nothing when no configured base is used', async () => {
    const engine = fakeEngine([], []);
    await requireConfiguredBases(engine, [], '/p/.pare.json');
    expect(engine.calls).toEqual([]);
  });
});
