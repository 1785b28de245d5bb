/**
 * Fuzzing, bounded in time, in every unit run: random Dockerfiles through
 * parse, lint and fix planning, random tars through the walker and the merged
 * tree. Each input must either work or fail with one PareError line (exit 2);
 * anything else is a crash. A crash found here is appended to
 * fuzz-regressions.json (commit it) and replayed first on every later run.
 * `PARE_FUZZ_SECONDS=300 npx vitest run test/reliability/fuzz.test.ts` fuzzes longer.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileTree } from '../../src/analyze/file-tree.js';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import { walkTar } from '../../src/image/tar/tar.js';
import { planFixes } from '../../src/rewrite/plan.js';
import { allRules } from '../../src/rules/index.js';
import { lintModel } from '../../src/rules/run.js';
import { PareError } from '../../src/util/errors.js';
import { dockerfileText, tarBytes } from './fuzz-inputs.js';

/** Per target; fast-check stops generating when it is spent. PARE_FUZZ_SECONDS fuzzes longer. */
const TIME_LIMIT_MS = Number(process.env.PARE_FUZZ_SECONDS ?? 2.5) * 1000;
const REGRESSIONS = fileURLToPath(new URL('./fuzz-regressions.json', import.meta.url));

interface Regression {
  target: 'dockerfile' | 'tar';
  /** Dockerfile text, or the tar's bytes in base64. */
  input: string;
  /** What went wrong when it was found. */
  found: string;
}

function regressions(): Regression[] {
  return JSON.parse(readFileSync(REGRESSIONS, 'utf8')) as Regression[];
}

/** Fails unless `error` is a user-facing PareError with exit 2 (the logger prints it on one line, escaped). */
function expectBadInput(error: unknown): void {
  if (!(error instanceof PareError) || error.exitCode !== 2) throw error;
}

async function throughDockerfile(text: string): Promise<void> {
  try {
    const model = await parseDockerfile(text, 'Dockerfile');
    await lintModel(model, { rules: allRules });
    await planFixes(model, { rules: allRules, dockerfilePath: 'Dockerfile', dockerignore: false });
  } catch (error) {
    expectBadInput(error);
  }
}

async function throughTar(bytes: Buffer): Promise<void> {
  const tree = new FileTree();
  tree.beginLayer(0);
  try {
    await walkTar(
      (async function* () {
        // Odd chunk sizes: headers and records split across chunks.
        for (let at = 0; at < bytes.length; at += 700) yield bytes.subarray(at, at + 700);
      })(),
      (entry) => {
        tree.apply(entry);
      },
      { subject: 'fuzz.tar' },
    );
    tree.endLayer();
  } catch (error) {
    expectBadInput(error);
  }
}

const targets = {
  dockerfile: { run: throughDockerfile, arbitrary: dockerfileText, encode: (text: string) => text },
  tar: {
    run: (base64: string) => throughTar(Buffer.from(base64, 'base64')),
    arbitrary: tarBytes.map((bytes) => bytes.toString('base64')),
    encode: (base64: string) => base64,
  },
} as const;

/** Records a crasher so the next run replays it, and says so. */
function keep(target: Regression['target'], input: string, error: unknown): never {
  const known = regressions();
  if (!known.some((item) => item.target === target && item.input === input)) {
    const found = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    known.push({ target, input, found: found.slice(0, 200) });
    writeFileSync(REGRESSIONS, `${JSON.stringify(known, null, 2)}\n`);
  }
  throw new Error(`fuzz found a crash (kept in ${REGRESSIONS}): ${String(error)}`, { cause: error });
}

describe.each(Object.keys(targets) as Array<keyof typeof targets>)('fuzz: %s', (name) => {
  const target = targets[name];

  it('replays the crashes found before', async () => {
    for (const item of regressions().filter((each) => each.target === name)) await target.run(item.input);
  });

  it(
    `survives random inputs for ${TIME_LIMIT_MS / 1000} s`,
    async () => {
      const result = await fc.check(
        fc.asyncProperty(target.arbitrary, async (input) => target.run(input)),
        {
          numRuns: Number.MAX_SAFE_INTEGER,
          interruptAfterTimeLimit: TIME_LIMIT_MS,
          markInterruptAsFailure: false,
        },
      );
      if (result.failed && result.counterexample)
        keep(name, target.encode(result.counterexample[0]), result.errorInstance);
      expect(result.failed).toBe(false);
      expect(result.numRuns).toBeGreaterThan(0);
    },
    TIME_LIMIT_MS + 60_000,
  );
});
