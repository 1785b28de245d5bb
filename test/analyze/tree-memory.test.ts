/**
 * What `pare inspect` costs in memory per path, measured as the operating
 * system sees it: the bundled CLI that `pare` runs (loaded as bin/cli-loader.js
 * loads dist/cli/pare.cjs, so build first) runs in a child process (inspect-peak-rss.mjs) on a generated
 * docker-archive and reports its peak RSS. The same run on a one-file image gives the fixed part (Node,
 * pare's modules, read buffers); what grows with the image is the
 * difference. The bound is generous, a guard against regressions rather
 * than the benchmark (bench/inspect.mjs measures the real shapes).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildImage,
  dir,
  type EntrySpec,
  file,
  whiteout,
  writeDockerArchive,
} from '../helpers/image-writer.js';

const PATHS = 150_000;
/**
 * Measured ~261-272 bytes a path (the tree, its names, the facts of the files
 * a detector wants, the report); 303-320 while the largest files were picked
 * from a list of every file's id and size; ~540 while every file's fact and path were
 * listed for the detectors and names were interned in a Map, ~820 before V8's
 * young generation was kept small. The issue's target is 300.
 */
const BOUND_PER_PATH = 450;
const LOADER = fileURLToPath(new URL('../../bin/cli-loader.js', import.meta.url));
const CHILD = fileURLToPath(new URL('./inspect-peak-rss.mjs', import.meta.url));

const TOPS = [
  'usr/lib/python3.11/site-packages',
  'app/node_modules',
  'usr/share/doc',
  'usr/lib/x86_64-linux-gnu',
  'opt/app/src',
];
const NAMES = ['__init__.py', 'index.js', 'package.json', 'README.md', 'LICENSE', 'utils.py', 'core.js'];

/** Laid out like a real tar: grouped by directory, half the names shared, half unique. */
function pathAt(i: number): string {
  const top = TOPS[Math.floor((i * TOPS.length) / PATHS)];
  const base = i % 2 ? NAMES[i % NAMES.length] : `generated_file_${i}.py`;
  return `${top}/package-name-${i >> 6}/module${(i >> 3) & 7}/${base}`;
}

function entriesFor(from: number, to: number): EntrySpec[] {
  const entries: EntrySpec[] = [];
  let lastDir = '';
  for (let i = from; i < to; i++) {
    const path = pathAt(i);
    const parent = path.slice(0, path.lastIndexOf('/'));
    if (parent !== lastDir) entries.push(dir(parent));
    lastDir = parent;
    entries.push(file(path, { size: 64 + (i % 200), seed: i }));
  }
  return entries;
}

const work = mkdtempSync(join(tmpdir(), 'pare-rss-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Peak RSS in bytes of `pare inspect ARCHIVE --format json` in a fresh process. */
function inspectPeakRss(archive: string): number {
  const result = spawnSync(process.execPath, [CHILD, LOADER, archive], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const line = /\nrss (\d+) (\d+)\n/.exec(result.stderr);
  expect(line, result.stderr).not.toBeNull();
  expect(line![1], result.stderr).toBe('0');
  return Number(line![2]);
}

describe('pare inspect peak RSS', () => {
  it(`grows by under ${BOUND_PER_PATH} bytes per path (${PATHS} paths, 3 layers)`, async () => {
    const small = await writeDockerArchive(join(work, 'small.tar'), [
      buildImage({ layers: [{ entries: [dir('etc'), file('etc/hostname', 'box\n')] }] }),
    ]);
    const large = await writeDockerArchive(join(work, 'large.tar'), [
      buildImage({
        layers: [
          { entries: entriesFor(0, PATHS / 2) },
          { entries: entriesFor(PATHS / 2, PATHS) },
          // Overwrites and deletions, as waste analysis keeps per-path statistics for them.
          {
            entries: [
              ...Array.from({ length: 5000 }, (_, i) => file(pathAt(i * 7), { size: 32, seed: i })),
              ...Array.from({ length: 5000 }, (_, i) => whiteout(pathAt(i * 11 + 3))),
            ],
          },
        ],
      }),
    ]);
    const fixed = inspectPeakRss(small);
    const total = inspectPeakRss(large);
    const perPath = (total - fixed) / PATHS;
    console.log(
      `pare inspect peak RSS: ${(fixed / 1e6).toFixed(0)} MB for one file, ${(total / 1e6).toFixed(0)} MB for ${PATHS} paths: ${perPath.toFixed(0)} bytes/path`,
    );
    expect(perPath).toBeLessThan(BOUND_PER_PATH);
  }, 120_000);
});
