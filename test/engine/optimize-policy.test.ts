/**
 * A team policy (`allowedBaseImages`) that does not list scratch: `pare optimize`
 * still converts the Go example, onto the smallest base the policy allows, and
 * the result builds, answers as the original does and passes the team's lint.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OptimizeResult } from '../../src/optimize/optimize.js';
import { runPare } from '../helpers/cli.js';
import { keptAndOriginal } from '../helpers/optimize-result.js';
import { describeWithEngine, engineGate } from './engine-gate.js';

const gate = await engineGate();

describeWithEngine("pare optimize within a team's allowed bases", gate, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-policy-'));
    await cp(new URL('../../examples/go-http', import.meta.url), dir, { recursive: true });
    const config = JSON.parse(await readFile(join(dir, '.pare.json'), 'utf8'));
    config.allowedBaseImages = ['pare-base/*'];
    await writeFile(join(dir, '.pare.json'), JSON.stringify(config));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds on the smallest allowed base instead of scratch, and behaves the same', async () => {
    const result = runPare(['optimize', dir, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as OptimizeResult;
    expect(json.chosen).toBe('optimized');
    const { original, kept: chosen } = keptAndOriginal(json);
    expect(chosen.measurement!.size).toBeLessThan(original.measurement!.size / 4);
    const written = await readFile(join(dir, 'Dockerfile.pare'), 'utf8');
    expect(written).toMatch(/^FROM pare-base\/debian:bookworm-slim$/m);
    expect(written).not.toMatch(/^FROM scratch/m);
    const lint = runPare(['lint', join(dir, 'Dockerfile.pare'), '--format', 'json']);
    expect(lint.stdout).not.toContain('toolchain-base-in-final-image');
  });
});
