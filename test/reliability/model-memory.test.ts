/**
 * What the model of a large Dockerfile keeps in memory, per instruction: the
 * heap it retains once garbage is collected, measured in a child process run
 * with --expose-gc (model-memory.mjs). A 1 MB Dockerfile of RUN lines kept
 * 140 MB (2.1 kB per instruction) before instruction objects stopped getting
 * a hidden class each and positions and empty sets were shared. The peak while
 * parsing one 1 MB RUN is measured from the child's resident memory.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_DOCKERFILE_BYTES } from '../../src/dockerfile/source.js';
import { dockerfileOfSize, longAndChain } from './hostile-dockerfiles.js';

const MEASURE = fileURLToPath(new URL('./model-memory.mjs', import.meta.url));

interface Measured {
  instructions: number;
  retainedBytes: number;
  peakBytes: number;
}

function measure(text: string, scopes = false): Measured {
  const child = spawnSync(process.execPath, ['--expose-gc', MEASURE, ...(scopes ? ['--scopes'] : [])], {
    input: text,
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout) as Measured;
}

function retainedPerInstruction(text: string, scopes = false): number {
  const { instructions, retainedBytes } = measure(text, scopes);
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

describe('peak memory of parsing one 1 MB RUN', () => {
  // 370 MB above the start (225 MB now) when each split argument grew a character at a time, the
  // continuation joiner kept one number per character, and the shell walk held
  // a syntax node for every `&&` still to visit.
  it('stays under 280 MB above where the process stood', () => {
    let commands = 70_000;
    while (longAndChain(commands + 1000).length < MAX_DOCKERFILE_BYTES) commands += 1000;
    const text = longAndChain(commands);
    const { peakBytes } = measure(text);
    console.log(
      `one ${Math.round(text.length / 1000)} kB RUN: peak ${Math.round(peakBytes / 1e6)} MB above the start`,
    );
    expect(peakBytes).toBeLessThan(280e6);
  });
});
