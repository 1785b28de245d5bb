/**
 * Native code that must stay dynamically linked (`optimize.staticLinking:
 * false`, e.g. apps that need NSS): pare builds the builder, asks its loader
 * which shared libraries the binary loads, and ships exactly those on scratch.
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

describeWithEngine('pare optimize with dynamic linking', gate, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-dynamic-'));
    await cp(new URL('../../examples/c-cli', import.meta.url), dir, { recursive: true });
    const config = JSON.parse(await readFile(join(dir, '.pare.json'), 'utf8'));
    config.optimize = { ...config.optimize, staticLinking: false };
    await writeFile(join(dir, '.pare.json'), JSON.stringify(config));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ships the binary with exactly the libraries its loader resolves, on scratch', async () => {
    const result = runPare(['optimize', dir, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as OptimizeResult;
    expect(json.chosen).toBe('optimized-dynamic');
    const { kept: chosen } = keptAndOriginal(json);
    expect(chosen.measurement!.size).toBeLessThan(5_000_000);
    const written = await readFile(join(dir, 'Dockerfile.pare'), 'utf8');
    expect(written).toMatch(/^FROM scratch$/m);
    expect(written).toContain('/lib64/ld-linux-x86-64.so.2');
    expect(written).toContain('/lib/x86_64-linux-gnu/libc.so.6');
    expect(written).not.toMatch(/-static/);
  });
});
