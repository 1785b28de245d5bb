/**
 * `pare inspect` through the real entry point (in process): formats, tree,
 * budgets from flags and from the config file, and bad input as one
 * `pare: error:` line with exit 2.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { DOCKERFILE, WASTEFUL } from '../analyze/wasteful-image.js';
import { expectOneErrorLine } from '../helpers/cli.js';
import { buildImage, writeImage } from '../helpers/image-writer.js';

let dir: string;
let image: string;
let corrupt: string;

async function pare(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  const noColor = process.env.NO_COLOR;
  process.env.NO_COLOR = '1';
  try {
    const code = await main(args);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
    if (noColor === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = noColor;
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pare-cli-inspect-'));
  image = await writeImage(join(dir, 'ok'), 'docker-archive-legacy', [buildImage(WASTEFUL)]);
  const broken = buildImage(WASTEFUL);
  broken.layers[0]!.blob = Buffer.from(broken.layers[0]!.blob);
  broken.layers[0]!.blob[100]! ^= 0x55;
  corrupt = await writeImage(join(dir, 'bad'), 'oci', [broken]);
  await writeFile(join(dir, 'Dockerfile'), DOCKERFILE);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pare inspect', () => {
  it('prints the text report and exits 0', async () => {
    const result = await pare(['inspect', image, '--dockerfile', join(dir, 'Dockerfile'), '--depth', '1']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^docker-archive:.*legacy\.tar {2}[0-9a-f]{12} {2}linux\/amd64\n/);
    expect(result.stdout).toContain('RUN apt-get update');
    expect(result.stdout).toContain('Leftovers: 5.00 kB could be removed');
    expect(result.stdout).toMatch(/Tree\n.*\/\n.*├── usr\//);
  });

  it('prints JSON that matches the schema, and reads without verifying', async () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../schemas/inspect-v1.json', import.meta.url), 'utf8'),
    );
    const validate = new Ajv2020({ allErrors: true }).compile(schema);
    for (const extra of [[], ['--no-verify', '--tree', '--top', '3']]) {
      const result = await pare(['inspect', image, '--format', 'json', ...extra]);
      expect(result.code).toBe(0);
      const json = JSON.parse(result.stdout);
      expect(validate(json)).toBe(true);
      expect(json.efficiency.dive.wastedBytes).toBe(5300);
      expect(json.budgets).toBeUndefined();
    }
  });

  it('exits 1 with one stderr line per exceeded budget', async () => {
    const result = await pare([
      'inspect',
      image,
      '--max-size',
      '1kB',
      '--max-wasted',
      '1MB',
      '--min-efficiency',
      '90',
      '--format',
      'json',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'pare: budget exceeded: image size 12.4 kB exceeds --max-size 1.00 kB',
      'pare: budget exceeded: efficiency 58.19% is below --min-efficiency 90%',
    ]);
    const json = JSON.parse(result.stdout);
    expect(json.budgets.map((b: { name: string; exceeded: boolean }) => [b.name, b.exceeded])).toEqual([
      ['max-size', true],
      ['max-wasted', false],
      ['min-efficiency', true],
    ]);
  });

  it('takes budgets from the config file, flags first', async () => {
    const config = join(dir, 'pare.json');
    await writeFile(
      config,
      JSON.stringify({ inspect: { budgets: { maxSize: '1kB', maxWasted: 100, minEfficiency: 10 } } }),
    );
    const fromConfig = await pare(['inspect', image, '--config', config]);
    expect(fromConfig.code).toBe(1);
    expect(fromConfig.stderr.trim().split('\n')).toEqual([
      'pare: budget exceeded: image size 12.4 kB exceeds inspect.budgets.maxSize 1.00 kB',
      'pare: budget exceeded: wasted bytes 5.30 kB exceed inspect.budgets.maxWasted 100 B',
    ]);
    expect(fromConfig.stdout).toContain('✓ efficiency 58.19% meets inspect.budgets.minEfficiency 10%');
    const overridden = await pare([
      'inspect',
      image,
      '--config',
      config,
      '--max-size',
      '1GB',
      '--max-wasted',
      '10kB',
    ]);
    expect(overridden.code).toBe(0);
  });

  const bad: Array<[string, () => string[], RegExp]> = [
    ['an unknown format', () => ['inspect', image, '--format', 'xml'], /--format: unknown format "xml"/],
    ['a bad size', () => ['inspect', image, '--max-size', 'lots'], /--max-size: expected a size/],
    [
      'a fraction as efficiency',
      () => ['inspect', image, '--min-efficiency', '0.9'],
      /--min-efficiency: .*dive's 0.9 is 90 here/,
    ],
    ['a zero depth', () => ['inspect', image, '--depth', '0'], /--depth: expected a whole number ≥ 1/],
    [
      'a missing archive',
      () => ['inspect', `docker-archive:${join(dir, 'nope.tar')}`],
      /nope\.tar.*no such file/,
    ],
    [
      'a missing Dockerfile',
      () => ['inspect', image, '--dockerfile', join(dir, 'Nope')],
      /Nope: no such file or directory/,
    ],
    ['a corrupt layer', () => ['inspect', corrupt], /sha256|digest/i],
    ['a bad config file', () => ['inspect', image, '--config', join(dir, 'Dockerfile')], /invalid JSON/],
  ];
  it.each(bad)('%s: one error line, exit 2', async (_name, args, pattern) => {
    const result = await pare(args());
    expect(result.stdout).toBe('');
    expectOneErrorLine(result, pattern);
  });

  it('--report FILE writes the report there and keeps the text on stdout', async () => {
    const file = join(dir, 'inspect.json');
    const result = await pare(['inspect', image, '--report', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/efficiency/i);
    expect(JSON.parse(readFileSync(file, 'utf8')).schemaVersion).toBe('pare.inspect/v1');
  });

  it('--report FILE.html writes the treemap there; the text on stdout has no tree unless asked', async () => {
    const file = join(dir, 'inspect.html');
    const result = await pare(['inspect', image, '--report', file]);
    expect(result.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/"tree":\{"n":"\/"/);
    const plain = await pare(['inspect', image]);
    expect(result.stdout).toBe(plain.stdout);
    const withTree = await pare(['inspect', image, '--report', file, '--depth', '1']);
    expect(withTree.stdout).toBe((await pare(['inspect', image, '--depth', '1'])).stdout);
    expect(withTree.stdout).not.toBe(plain.stdout);
  });

  it('--output, the old name of --report, still works and says so', async () => {
    const file = join(dir, 'old.html');
    const result = await pare(['inspect', image, '--format', 'html', '--output', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/inspect --output is now --report/);
    expect(readFileSync(file, 'utf8')).toMatch(/^<!doctype html>/i);
  });

  it('refuses to write the report over the image it reads', async () => {
    const result = await pare([
      'inspect',
      `docker-archive:${image.replace(/^docker-archive:/, '')}`,
      '--report',
      image.replace(/^docker-archive:/, ''),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--report: refusing to overwrite the image being inspected/);
  });
});
