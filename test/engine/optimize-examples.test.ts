/**
 * Issue 4's proof: `pare optimize` on every example app builds the original and
 * the rewrite with the real engine, probes both, and must come out smaller,
 * behaving the same, and within 10% of what an expert writes by hand.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import Ajv2020Module from 'ajv/dist/2020.js';
import { expect, it } from 'vitest';
import {
  EXAMPLES,
  EXPERT_TOLERANCE,
  expertSize,
  INTERPRETED,
  minimalSize,
  optimizeExample,
  ROOT,
  STDLIB_ALLOWANCE,
  sizesOf,
} from '../../scripts/examples-lib.mjs';
import { keptAndOriginal } from '../helpers/optimize-result.js';
import { describeWithEngine, engineGate } from './engine-gate.js';

const run = promisify(execFile);
const DOCKER = '/usr/bin/docker';
const gate = await engineGate();
// CommonJS default export that NodeNext types do not see as constructable.
const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const validate = new Ajv2020({ allErrors: true }).compile(
  JSON.parse(readFileSync(new URL('../../schemas/optimize-v1.json', import.meta.url), 'utf8')),
);

describeWithEngine('pare optimize on the examples', gate, () => {
  it.each(EXAMPLES)('%s: smaller, same behaviour, as small as the expert', async (name: string) => {
    const result = await optimizeExample(name);
    expect(validate(result), JSON.stringify(validate.errors)).toBe(true);
    expect(result.chosen, JSON.stringify(result.candidates.map((c) => [c.name, c.failure]))).toMatch(
      /^(optimized|closure)/,
    );
    keptAndOriginal(result);
    const { original: before, optimized: after } = sizesOf(result);
    expect(after).toBeLessThan(before);
    const expert = await expertSize(name);
    expect(after).toBeLessThanOrEqual(expert * (EXPERT_TOLERANCE[name] ?? 1));
    expect(result.output).toMatch(/Dockerfile\.pare$/);
    // What was written builds where it was written, with plain docker build (the keep list and
    // Dockerfile.pare.dockerignore beside it): no pare needed to rebuild it.
    await run(DOCKER, ['build', '-q', '-f', result.output!, `${ROOT}examples/${name}`], {
      env: { ...process.env, DOCKER_BUILDKIT: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const runtime = INTERPRETED[name];
    if (runtime) {
      // An interpreted app: near what slim --minimal makes of the original, plus the stdlib kept whole.
      const minimal = await minimalSize(name);
      expect(after).toBeLessThanOrEqual(minimal * 1.3 + STDLIB_ALLOWANCE[runtime]);
    }
  });
});
