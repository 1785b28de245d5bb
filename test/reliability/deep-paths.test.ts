/**
 * Path depth in layers is bounded (MAX_PATH_DEPTH): a 60 kB layer holding one
 * 30,000-level path overflowed the stack of the tree views and made slim write
 * gigabytes of headers. Past the limit every command stops at once with one
 * line naming the layer and the entry, writes nothing and leaves no temporary
 * directory; at the limit everything works.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exceedsPathDepth, MAX_PATH_DEPTH } from '../../src/image/tar/tar-path.js';
import { runPareAsync } from '../helpers/cli.js';
import { deepPathImage } from './hostile-images.js';

let dir: string;
let tooDeep: string;
let atLimit: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pare-deep-paths-'));
  tooDeep = await deepPathImage(join(dir, 'too-deep'), 30_000);
  // The leaf itself is the last level.
  atLimit = await deepPathImage(join(dir, 'at-limit'), MAX_PATH_DEPTH - 1);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('exceedsPathDepth', () => {
  it.each([
    ['a short path', 'usr/bin/env', false],
    ['exactly the limit', Array(MAX_PATH_DEPTH).fill('a').join('/'), false],
    [
      'one level more',
      Array(MAX_PATH_DEPTH + 1)
        .fill('a')
        .join('/'),
      true,
    ],
    ['long names, few levels', Array(10).fill('x'.repeat(300)).join('/'), false],
  ])('%s', (_, path, expected) => {
    expect(exceedsPathDepth(path)).toBe(expected);
  });
});

describe('a 30,000-level path', () => {
  const commands: Array<[string, (out: string) => string[]]> = [
    ['inspect', () => []],
    ['inspect --tree --depth 5000', () => ['--tree', '--depth', '5000']],
    ['inspect --format html', (out) => ['--format', 'html', '--report', join(out, 'report.html')]],
    ['inspect --format json', () => ['--format', 'json']],
    ['slim --output', (out) => ['--output', `oci:${join(out, 'slim')}`]],
  ];

  it.each(commands)('%s: exit 2, one line, nothing written or left', async (name, extra) => {
    const out = join(dir, name.replace(/\W+/g, '-'));
    const tmp = join(out, 'tmp');
    await mkdir(tmp, { recursive: true });
    const command = name.split(' ')[0]!;
    const result = await runPareAsync([command, tooDeep, ...extra(out)], { env: { TMPDIR: tmp } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^pare: error: ${tooDeep} layer \\d+ sha256:[0-9a-f]{12}…: entry "(a/){30}…" is 30001 levels deep; pare reads paths of at most ${MAX_PATH_DEPTH} levels \\(tar header at byte \\d+\\)\\n$`,
      ),
    );
    expect(await readdir(out)).toEqual(['tmp']);
    expect(await readdir(tmp)).toEqual([]);
  });
});

describe(`a ${MAX_PATH_DEPTH}-level path`, () => {
  it('inspect --tree --depth 5000 prints it, and JSON holds the leaf at the bottom', async () => {
    const text = await runPareAsync(['inspect', atLimit, '--tree', '--depth', '5000']);
    expect(text.code).toBe(0);
    const json = await runPareAsync(['inspect', atLimit, '--format', 'json', '--tree', '--depth', '5000']);
    expect(json.code).toBe(0);
    type Node = { name: string; children?: Node[] };
    let node = (JSON.parse(json.stdout) as { tree: Node }).tree;
    const names: string[] = [];
    while (node.children?.length) {
      node = node.children.find((child) => child.name !== 'etc') ?? node.children[0]!;
      names.push(node.name);
    }
    expect(names).toHaveLength(MAX_PATH_DEPTH);
    expect(names.at(-1)).toBe('leaf');
  });

  it('inspect --format html writes the page', async () => {
    const report = join(dir, 'at-limit.html');
    const result = await runPareAsync(['inspect', atLimit, '--format', 'html', '--report', report]);
    expect(result.code).toBe(0);
    expect(existsSync(report)).toBe(true);
  });

  it('slim writes the image', async () => {
    const result = await runPareAsync(['slim', atLimit, '--output', `oci:${join(dir, 'at-limit-slim')}`]);
    expect(result.code).toBe(0);
    expect(existsSync(join(dir, 'at-limit-slim', 'index.json'))).toBe(true);
  });
});
