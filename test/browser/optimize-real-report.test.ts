/**
 * `pare optimize --format html` on a real example built in CI (examples/c-cli),
 * opened in headless Chromium: one bar per measured candidate, the per-layer
 * section with as many layer bars as the engine's history reports for the
 * original, the chosen Dockerfile shown, no console errors; a screenshot is
 * saved under test-results/.
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

describeWithEngine('optimize HTML report of a real build in Chromium', gate, () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows every candidate and the layers of each build', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-optimize-real-'));
    const report = join(dir, 'optimize.html');
    const output = join(dir, 'Dockerfile.pare');
    await run(
      process.execPath,
      [PARE_BIN, 'optimize', EXAMPLE, '--format', 'html', '--report', report, '--output', output],
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
      const original = page.locator('#layers .lgroup[data-candidate="original"]');
      expect(await original.count()).toBe(1);
      const layerBars = await original.locator('.lbar').count();
      expect(layerBars).toBeGreaterThan(0);
      const sizes = await original
        .locator('.lbar')
        .evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute('data-bytes'))));
      expect(sizes.every((size) => size > 0)).toBe(true);
      expect(await page.textContent('#dockerfile')).toMatch(/FROM /);
      const shots = resolve('test-results');
      await mkdir(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'optimize-real-report.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 900_000);
});
