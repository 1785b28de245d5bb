import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBudgets } from '../../src/analyze/budgets.js';
import { type InspectResult, inspectImage } from '../../src/analyze/inspect.js';
import { openImage } from '../../src/image/open.js';
import { inspectJson } from '../../src/report/inspect-json.js';
import { renderInspectText } from '../../src/report/inspect-text.js';
import { formatBytes } from '../../src/util/bytes.js';
import { DOCKERFILE, WASTEFUL } from '../analyze/wasteful-image.js';
import { buildImage, writeImage } from '../helpers/image-writer.js';

let dir: string;
let result: InspectResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pare-inspect-report-'));
  const long = {
    ...WASTEFUL,
    history: WASTEFUL.history!.map((h, i) =>
      i === 2
        ? {
            created_by: `RUN /bin/sh -c apt-get update && apt-get install -y ${'package '.repeat(40)}# buildkit`,
          }
        : h,
    ),
  };
  const image = await openImage(await writeImage(dir, 'oci', [buildImage(long)]));
  try {
    result = await inspectImage(image, {
      tree: { depth: 3 },
      dockerfile: { path: 'Dockerfile', text: DOCKERFILE },
    });
  } finally {
    await image.close();
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('inspect JSON', () => {
  const schema = JSON.parse(readFileSync(new URL('../../schemas/inspect-v1.json', import.meta.url), 'utf8'));
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

  it('validates against schemas/inspect-v1.json, with tree and budgets', () => {
    const budgets = checkBudgets(result, { maxSize: 1000, maxWasted: 10_000_000, minEfficiency: 50 });
    const output = JSON.parse(JSON.stringify(inspectJson(result, budgets)));
    const ok = validate(output);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(output.schemaVersion).toBe('pare.inspect/v1');
    expect(output.tool.name).toBe('pare');
  });

  it('validates without the optional parts, and rejects unknown keys', () => {
    const { tree: _tree, ...bare } = result;
    expect(validate(JSON.parse(JSON.stringify(inspectJson(bare as InspectResult))))).toBe(true);
    expect(validate({ ...JSON.parse(JSON.stringify(inspectJson(result))), extra: 1 })).toBe(false);
  });
});

describe('inspect text', () => {
  const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

  it.each([
    ['application/vnd.docker.image.rootfs.diff.tar.gzip', 'gzip-compressed'],
    ['application/vnd.oci.image.layer.v1.tar+zstd', 'zstd-compressed'],
    ['application/vnd.docker.image.rootfs.diff.tar', 'as stored (plain tars)'],
    ['application/vnd.oci.image.layer.v1.tar', 'as stored (plain tars)'],
  ])('names what the stored bytes are: %s → %s', (mediaType, words) => {
    const layers = result.layers.map((layer) => ({ ...layer, mediaType }));
    const summary = renderInspectText({ ...result, layers }, { color: false, width: 100 }).split('\n')[1]!;
    expect(summary).toContain(`${formatBytes(result.size.compressedBytes)} ${words} ·`);
  });

  it('says the compression is mixed when the layers differ', () => {
    const layers = result.layers.map((layer, i) => ({
      ...layer,
      mediaType:
        i === 0 ? 'application/vnd.oci.image.layer.v1.tar' : 'application/vnd.oci.image.layer.v1.tar+gzip',
    }));
    expect(renderInspectText({ ...result, layers }, { color: false, width: 100 })).toContain(
      'as stored (mixed compression)',
    );
  });

  it('renders the layer table cut to the width, without colour when asked', () => {
    const text = renderInspectText(result, { color: false, width: 80 });
    expect(text).not.toMatch(/\x1b\[/);
    const lines = text.split('\n');
    const header = lines.findIndex((line) => line.includes('INSTRUCTION'));
    expect(lines[header]).toMatch(/#\s+SIZE\s+STORED\s+WASTED\s+LINE\s+INSTRUCTION/);
    expect(lines[header + 2]).toMatch(
      /^\s+1\s+500 B\s+\S+ \S+\s+300 B\s+2\s+RUN apt-get update && apt-get install/,
    );
    expect(lines[header + 2]!.endsWith('…')).toBe(true);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(text).toContain('dive  58.2% efficient · 5.30 kB wasted');
    expect(text).toContain('/usr/bin/tool');
    expect(text).toContain('debug sections and symbol tables');
    expect(text).toMatch(/└── bin\/\n/);
  });

  it('colours only when asked and keeps the same text', () => {
    const plain = renderInspectText(result, { color: false, width: 120 });
    const coloured = renderInspectText(result, { color: true, width: 120 });
    expect(coloured).toMatch(/\x1b\[/);
    expect(stripAnsi(coloured)).toBe(plain);
  });

  it("lists dive's inefficient paths and says when --top cut the list", () => {
    const full = renderInspectText(result, { color: false, width: 120 });
    expect(full).toMatch(/Inefficient paths[^\n]*\n\s+\S+ \S+\s+\/var\/lib\/apt\/lists\/pkgs \(2×\)/);
    expect(full).not.toContain('more; --top');
    const efficiency = {
      ...result.efficiency,
      dive: { ...result.efficiency.dive, repeatedPaths: result.efficiency.inefficientPaths.length + 37 },
    };
    expect(renderInspectText({ ...result, efficiency }, { color: false, width: 120 })).toContain(
      '… 37 more; --top to show more',
    );
  });

  it('lists budgets with their outcome', () => {
    const budgets = checkBudgets(result, { maxSize: 1000, minEfficiency: 50 });
    const text = renderInspectText(result, { color: false, width: 120, budgets });
    expect(text).toContain('✗ image size 12.4 kB exceeds --max-size 1.00 kB');
    expect(text).toMatch(/✓ efficiency 58\.\d+% meets --min-efficiency 50%/);
  });
});
