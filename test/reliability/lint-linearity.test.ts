/**
 * Linting grows linearly with the number of instructions. Work is counted
 * (executions of pare's code and its Dockerfile parser, through V8's block
 * coverage), not timed: for five times the instructions a linear lint does
 * about five times the work, a quadratic one about twenty-five times. The
 * wall-clock figures for 10,000 instructions are in the lint bench.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRules } from '../../src/rules/index.js';
import { lintFiles } from '../../src/rules/lint-files.js';
import { startWorkCounter, type WorkCounter } from '../helpers/work-counter.js';
import { corpusRepeated, manyInstructions } from './hostile-dockerfiles.js';

const SMALL = 400;
const LARGE = 2_000;
/** Work may grow a little faster than the input (larger maps, longer lines to scan), not quadratically. */
const ALLOWED_GROWTH = 1.5 * (LARGE / SMALL);

let dir: string;
let counter: WorkCounter;
let corpus: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pare-linearity-'));
  await writeFile(join(dir, 'app.py'), 'print("hello")\n');
  await writeFile(join(dir, 'requirements.txt'), 'flask\n');
  counter = await startWorkCounter((url) => url.includes('/src/') || url.includes('/dockerfile-ast/'));
  const root = join(import.meta.dirname, '../fixtures/corpus');
  const texts = await Promise.all(
    (await readdir(root, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      // A devcontainer fixture keeps its Dockerfile where VS Code looks for it.
      .map((entry) =>
        readFile(join(root, entry.name, 'Dockerfile'), 'utf8').catch(() =>
          readFile(join(root, entry.name, '.devcontainer', 'Dockerfile'), 'utf8'),
        ),
      ),
  );
  // A file-wide `# escape=` directive only holds at the top of a file.
  corpus = texts.filter((text) => !/^#\s*escape\s*=/im.test(text));
});
afterAll(async () => {
  await counter.close();
  await rm(dir, { recursive: true, force: true });
});

async function lintWork(text: string): Promise<number> {
  await writeFile(join(dir, 'Dockerfile'), text);
  return counter.count(async () => {
    const result = await lintFiles([dir], {
      rules: allRules,
      settings: { disabled: new Set(), severities: new Map() },
      policy: { allowed: [] },
    });
    expect(result.files[0]!.error).toBeUndefined();
  });
}

describe('lint work grows linearly with the instructions', () => {
  const shapes: Array<[string, (count: number) => string]> = [
    ['RUN lines', (n) => manyInstructions(n, (i) => `RUN apt-get install -y package${i}`)],
    ['COPY lines', (n) => manyInstructions(n, (i) => `COPY src/file${i}.py /app/lib/`)],
    ['an ENV chain', (n) => manyInstructions(n, (i) => `ENV VAR${i}=$VAR${i - 1}`)],
    [
      'ENV and RUN alternating',
      (n) => manyInstructions(n, (i) => (i % 2 ? `RUN echo $V${i - 1}` : `ENV V${i}=x`)),
    ],
    [
      'WORKDIR and RUN alternating',
      (n) => manyInstructions(n, (i) => (i % 2 ? 'RUN make' : `WORKDIR /src/d${i}`)),
    ],
    ['the corpus, repeated', (n) => corpusRepeated(corpus, n)],
  ];

  it.each(shapes)('%s', async (_, generate) => {
    await lintWork(generate(50)); // compiles what the first lint of a shape would otherwise count
    const small = await lintWork(generate(SMALL));
    const large = await lintWork(generate(LARGE));
    expect(large / small).toBeLessThan(ALLOWED_GROWTH);
  });
});
