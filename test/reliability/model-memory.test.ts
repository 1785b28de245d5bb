/**
 * What the model of a large Dockerfile keeps in memory, per instruction: the
 * heap it retains once garbage is collected, measured in a child process run
 * with --expose-gc (model-memory.mjs). A 1 MB Dockerfile of RUN lines kept
 * 140 MB (2.1 kB per instruction) before instruction objects stopped getting
 * a hidden class each and positions and empty sets were shared.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_DOCKERFILE_BYTES } from '../../src/dockerfile/source.js';
import { dockerfileOfSize } from './hostile-dockerfiles.js';

const MEASURE = fileURLToPath(new URL('./model-memory.mjs', import.meta.url));

function retainedPerInstruction(text: string, scopes = false): number {
  const child = spawnSync(process.execPath, ['--expose-gc', MEASURE, ...(scopes ? ['--scopes'] : [])], {
    input: text,
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(child.stderr);
  const { instructions, retainedBytes } = JSON.parse(child.stdout) as {
    instructions: number;
    retainedBytes: number;
  };
  return retainedBytes / instructions;
}

describe('memory of the model of a 1 MB Dockerfile', () => {
  it.each([
    { lines: 'RUN lines', line: (i: number) => `RUN apt-get install -y package${i}`, limit: 1_400 },
    { lines: 'COPY lines', line: (i: number) => `COPY src/file${i}.py /app/lib/`, limit: 1_000 },
  ])('$lines: under $limit bytes per instruction', ({ lines, line, limit }) => {
    const perInstruction = retainedPerInstruction(dockerfileOfSize(MAX_DOCKERFILE_BYTES, line));
    console.log(`${lines}: ${Math.round(perInstruction)} bytes retained per instruction`);
    expect(perInstruction).toBeLessThan(limit);
  });
});

describe('memory of the scopes of a 1 MB Dockerfile', () => {
  // Each ENV used to copy every variable before it: 10,000 alternating lines took 750 MB and 15 s.
  it('ENV and RUN alternating: every instruction sees all ENVs before it, in linear memory', () => {
    const line = (i: number) => (i % 2 === 0 ? `ENV VAR${i}=value${i}` : `RUN echo "$VAR${i - 1}"`);
    const perInstruction = retainedPerInstruction(dockerfileOfSize(MAX_DOCKERFILE_BYTES, line), true);
    console.log(
      `ENV and RUN alternating, with scopes: ${Math.round(perInstruction)} bytes retained per instruction`,
    );
    expect(perInstruction).toBeLessThan(2_000);
  });
});
