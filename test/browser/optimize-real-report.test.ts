/**
 * `pare optimize --format html` on a real example built in CI (examples/c-cli),
 * opened in headless Chromium: one bar per measured candidate, the per-layer
 * section with as many layer bars as the engine's history reports for the
 * original, the treemap of the kept image whose total is what `docker export`
 * holds, the chosen Dockerfile shown, no console errors; a screenshot is saved
 * under test-results/.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { describeWithEngine, engineGate } from '../engine/engine-gate.js';
import { PARE_BIN } from '../helpers/cli.js';
import { launchChromium, openPage } from './harness.js';

const run = promisify(execFile);
const gate = await engineGate();
const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'c-cli');
const TAG_BASE = 'pare-optimize/c-cli';
const DOCKER = '/usr/bin/docker';

/** Bytes of the regular files in an image's filesystem, as `docker export` of a container of it holds them. */
async function exportedFileBytes(image: string): Promise<number> {
  const { stdout: id } = await run(DOCKER, ['create', image]);
  try {
    const listing = await run('/bin/sh', ['-c', `${DOCKER} export ${id.trim()} | tar -tv`], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return listing.stdout
      .split('\n')
      .filter((line) => line.startsWith('-'))
      .reduce((sum, line) => sum + Number(line.split(/\s+/)[2]), 0);
  } finally {
    await run(DOCKER, ['rm', '--force', id.trim()]);
  }
}

describeWithEngine('optimize HTML report of a real build in Chromium', gate, () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    for (const name of ['original', 'safe', 'optimized', 'optimized-2', 'optimized-dynamic'])
      await run(DOCKER, ['image', 'rm', '--force', `${TAG_BASE}:${name}`]).catch(() => {});
  });

  it('shows every candidate and the layers of each build', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-optimize-real-'));
    const report = join(dir, 'optimize.html');
    const output = join(dir, 'Dockerfile.pare');
    await run(
      process.execPath,
      [
        PARE_BIN,
        'optimize',
        EXAMPLE,
        '--format',
        'html',
        '--report',
        report,
        '--output',
        output,
        '--keep-images',
      ],
      { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024, timeout: 900_000 },
    ).catch((error: { code?: number; stderr?: string }) => {
      // Exit 1 means "a candidate failed its probe": the report is still written.
      if (error.code !== 1) throw new Error(`pare optimize failed: ${error.stderr ?? error}`);
    });
    const html = await readFile(report, 'utf8');
    expect(html.length).toBeGreaterThan(1000);

    const browser = await launchChromium();
    try {
      const { page, errors } = await openPage(browser, report, { width: 1280, height: 1100 });
      expect(await page.locator('#compare .brow').count()).toBeGreaterThanOrEqual(2);
      const original = page.locator('#layer-chart .lgroup[data-candidate="original"]');
      expect(await original.count()).toBe(1);
      const layerBars = await original.locator('.lbar').count();
      expect(layerBars).toBeGreaterThan(0);
      const sizes = await original
        .locator('.lbar')
        .evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute('data-bytes'))));
      expect(sizes.every((size) => size > 0)).toBe(true);
      expect(await page.textContent('#dockerfile')).toMatch(/FROM /);

      // The kept image's filesystem: the treemap's total is what a container of it holds.
      const chosen = (await page.getAttribute('#compare .brow.chosen', 'data-candidate'))!;
      await page.waitForSelector('#treemap .tm');
      const total = Number(await page.getAttribute('#total', 'data-bytes'));
      expect(total).toBe(await exportedFileBytes(`${TAG_BASE}:${chosen}`));
      expect(await page.locator('#fsview .layer-row').count()).toBeGreaterThan(0);
      const shots = resolve('test-results');
      await mkdir(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'optimize-real-report.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 900_000);
});
