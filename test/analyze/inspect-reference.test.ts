import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBudgets } from '../../src/analyze/budgets.js';
import { inspectReference } from '../../src/analyze/inspect-reference.js';
import type { PareConfig } from '../../src/config/schema.js';
import { buildImage, file, writeDockerArchive } from '../helpers/image-writer.js';

let work: string;
let reference: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pare-inspect-reference-'));
  const path = join(work, 'in.tar');
  await writeDockerArchive(path, [
    buildImage({
      layers: [
        { entries: [file('data/big', { size: 10_000 })] },
        { entries: [file('data/big', { size: 10_000, seed: 2 })] },
      ],
    }),
  ]);
  reference = `docker-archive:${path}`;
});

afterAll(() => rm(work, { recursive: true, force: true }));

describe('inspectReference', () => {
  it('opens, inspects and closes the image, and holds it to the budgets', async () => {
    const progress: number[] = [];
    const { result, checks } = await inspectReference(reference, {
      budgets: { maxSize: 15_000, maxWasted: 50_000 },
      budgetSources: { maxSize: 'inspect.budgets.maxSize' },
      onProgress: (p) => progress.push(p.layer),
    });
    expect(result.image.reference).toBe(reference);
    expect(result.size.contentBytes).toBe(20_000);
    expect(checks.map((check) => [check.name, check.exceeded, check.source])).toEqual([
      ['max-size', true, 'inspect.budgets.maxSize'],
      ['max-wasted', false, '--max-wasted'],
    ]);
    expect(progress.length).toBeGreaterThan(0);
  });

  it('checks nothing without budgets', async () => {
    expect((await inspectReference(reference)).checks).toEqual([]);
  });
});

describe('resolveBudgets', () => {
  const config = { inspect: { budgets: { maxSize: '1MB', minEfficiency: 90 } } } as PareConfig;
  it.each([
    [
      {},
      { maxSize: 1_000_000, minEfficiency: 90 },
      { maxSize: 'inspect.budgets.maxSize', minEfficiency: 'inspect.budgets.minEfficiency' },
    ],
    [
      { maxSize: '2MB', minEfficiency: '97.5%' },
      { maxSize: 2_000_000, minEfficiency: 97.5 },
      { maxSize: '--max-size', minEfficiency: '--min-efficiency' },
    ],
    [
      { maxWasted: '10kB' },
      { maxSize: 1_000_000, maxWasted: 10_000, minEfficiency: 90 },
      {
        maxSize: 'inspect.budgets.maxSize',
        maxWasted: '--max-wasted',
        minEfficiency: 'inspect.budgets.minEfficiency',
      },
    ],
  ])('flags %j over the config', (flags, budgets, sources) => {
    expect(resolveBudgets(config, '.pare.json', flags)).toEqual({ budgets, sources });
  });

  it('names the config entry or the flag that is malformed', () => {
    expect(() =>
      resolveBudgets({ inspect: { budgets: { maxSize: 'big' } } } as PareConfig, '.pare.json', {}),
    ).toThrow(/expected a size like 500MB/);
    expect(() => resolveBudgets({} as PareConfig, undefined, { minEfficiency: '0.9' })).toThrow(
      /dive's 0.9 is 90 here/,
    );
  });
});
