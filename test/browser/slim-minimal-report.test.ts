/**
 * The HTML report of a real `pare slim --minimal` run (examples/python-api,
 * built in CI), as the CLI prints it with `--format html`, opened in headless
 * Chromium: the kept list carries the paths the app reached with their
 * reasons (libsqlite3 kept although the probe never imports sqlite3 itself
 * at start), the proof shows the import check, and the page has no console
 * errors. A screenshot is saved under test-results/.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSlim } from '../../src/cli/slim.js';
import { describeWithEngine, engineGate } from '../engine/engine-gate.js';
import { launchChromium, openPage } from './harness.js';

const gate = await engineGate();
const IMAGE = `pare-test/min-report:${randomBytes(4).toString('hex')}`;
const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'python-api');

describeWithEngine('slim --minimal HTML report in Chromium', gate, (engine) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-min-report-'));
    await engine.build({ context: EXAMPLE, tag: IMAGE });
  }, 600_000);
  afterAll(async () => {
    await engine.removeImage(`${IMAGE}-min`, { force: true }).catch(() => {});
    await engine.removeImage(IMAGE, { force: true }).catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists kept paths with reasons, the proof and the import check', async () => {
    let html = '';
    const stdout = {
      write: (chunk: string) => {
        html += chunk;
        return true;
      },
    } as unknown as NodeJS.WritableStream;
    const stderr = { write: () => true } as unknown as NodeJS.WritableStream;
    const code = await runSlim(
      `docker-daemon:${IMAGE}`,
      { minimal: true, tag: `${IMAGE}-min`, probeHttp: ':8000/api/stats', format: 'html' },
      { stdout, stderr },
    );
    expect(code).toBe(0);
    const file = join(dir, 'report.html');
    await writeFile(file, html);

    const browser = await launchChromium();
    try {
      const { page, errors } = await openPage(browser, file, { width: 1280, height: 1000 });
      await page.waitForSelector('#kept-rows .prow');

      expect(await page.textContent('#verdict')).toContain('same');
      expect(await page.textContent('#checks')).toContain('python-imports');
      await page.fill('#kept-search', 'libsqlite3');
      const rows = page.locator('#kept-rows .prow');
      await expect.poll(() => rows.count()).toBeGreaterThan(0);
      expect(await rows.first().textContent()).toMatch(/libsqlite3[\s\S]*(traced|python-import|elf-needed)/);
      await page.fill('#removed-search', '/usr/bin/curl');
      await expect.poll(() => page.locator('#removed-rows .prow').count()).toBeGreaterThan(0);
      expect(await page.locator('#removed-rows .prow').first().textContent()).toContain('unreachable');

      // The treemap of the input: what the app reaches is drawn plain, what pare removed hatched.
      await page.waitForSelector('#treemap .tm');
      const drawnPlain = async (path: string) => {
        await page.fill('#search', path);
        await page.click(`#results [data-path="${path}"]`);
        const tile = page.locator(`#treemap [data-path="${path}"]`);
        expect(await tile.count(), path).toBe(1);
        return !(await tile.getAttribute('class'))!.split(' ').includes('waste');
      };
      expect(await drawnPlain('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6')).toBe(true);
      expect(await drawnPlain('/usr/bin/curl')).toBe(false);

      const shots = resolve('test-results');
      await mkdir(shots, { recursive: true });
      await page.fill('#search', '');
      await page.click('#crumbs a');
      await page.locator('#fsview').screenshot({ path: join(shots, 'slim-minimal-treemap.png') });
      await page.screenshot({ path: join(shots, 'slim-minimal-report.png') });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
