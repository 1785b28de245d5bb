import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inspectImage } from '../../src/analyze/inspect.js';
import { runInspect } from '../../src/cli/inspect.js';
import { openImage } from '../../src/image/open.js';
import { buildImage, file, whiteout, writeImage } from '../helpers/image-writer.js';
import { describeWithChromium, dockerHas, launchChromium, openPage } from './harness.js';

const HOSTILE = '</script><script>window.pwned=1</script>"\'.txt';
const REAL_IMAGE = 'pare-base/debian:bookworm-slim';

const quietIo = () => {
  const sink = { write: () => true, isTTY: false, columns: 100 } as unknown as NodeJS.WriteStream;
  return { stdout: sink, stderr: sink };
};

async function openReport(browser: Browser, path: string): Promise<{ page: Page; errors: string[] }> {
  const opened = await openPage(browser, path);
  await opened.page.waitForSelector('#treemap .tm');
  return opened;
}

/** The part of a DOM element the colour checks read (the tests are compiled without the DOM library). */
type Styled = { style: { backgroundColor: string; background: string } };

const totalOf = async (page: Page) => Number(await page.getAttribute('#total', 'data-bytes'));

describeWithChromium('inspect HTML report in Chromium', () => {
  let dir: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-html-'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders the fixture image: total, layer filter, search, leftovers, keyboard', async () => {
    const built = buildImage({
      layers: [
        {
          createdBy: '/bin/sh -c #(nop) ADD file:abc in / ',
          entries: [
            file('usr/bin/tool', { size: 40_000 }),
            file('usr/lib/libx.so', { size: 90_000 }),
            file('usr/share/data.bin', { size: 200_000 }),
            file('etc/os-release', 'debian'),
            file(`etc/${HOSTILE}`, 'x'),
          ],
        },
        {
          createdBy: '/bin/sh -c apt-get update',
          entries: [file('var/lib/apt/lists/pkgs', { size: 30_000 })],
        },
        { createdBy: 'COPY app /app # buildkit', entries: [file('app/server.js', { size: 25_000 })] },
        {
          createdBy: '/bin/sh -c strip /usr/bin/tool && rm /usr/lib/libx.so',
          entries: [file('usr/bin/tool', { size: 30_000 }), whiteout('usr/lib/libx.so')],
        },
      ],
    });
    const reference = await writeImage(join(dir, 'oci'), 'oci', [built]);
    const image = await openImage(reference);
    const expected = await inspectImage(image).finally(() => image.close());
    const output = join(dir, 'report.html');
    expect(await runInspect(reference, { format: 'html', report: output }, quietIo())).toBe(0);
    const html = await readFile(output, 'utf8');
    expect(html).not.toContain('<script>window.pwned');
    expect(html).not.toMatch(/src=["']?https?:/);

    const { page, errors } = await openReport(browser, output);
    expect(await totalOf(page)).toBe(expected.size.finalBytes);
    expect(await page.locator('#treemap .tm').count()).toBeGreaterThan(3);

    // Each layer says what it did to the filesystem below it.
    expect(await page.textContent('.layer-row[data-layer="2"] .changes')).toBe('+1 file 25.0 kB');
    expect(await page.textContent('.layer-row[data-layer="0"] .changes')).toMatch(/^\+5 files /);

    // Selecting a layer: the file it changed is drawn dashed, what it removed is listed.
    expect(await page.isVisible('.layer-row[data-layer="3"] .removed-list')).toBe(false);
    await page.click('.layer-row[data-layer="3"]');
    expect(await totalOf(page)).toBe(30_000);
    // Every byte drawn is that layer's, so every tile has its colour (/usr is mostly layer 0's bytes).
    const colours = await page
      .locator('#treemap .tm')
      .evaluateAll((tiles) => [
        ...new Set(tiles.map((tile) => (tile as unknown as Styled).style.backgroundColor)),
      ]);
    expect(colours).toEqual([
      await page.$eval('.layer-row[data-layer="3"] .sw', (sw) => (sw as unknown as Styled).style.background),
    ]);
    expect(await page.getAttribute('#treemap .tm[data-path="/usr/bin/tool"]', 'class')).toContain('changed');
    expect(await page.textContent('.layer-row[data-layer="3"] .removed-list')).toContain('/usr/lib/libx.so');
    expect(await page.isVisible('.layer-row[data-layer="3"] .removed-list')).toBe(true);
    expect(await page.textContent('.layer-row[data-layer="3"] .changes')).toBe(
      '~1 file changed 30.0 kB · \u22121 path removed 90.0 kB',
    );
    await page.click('#clear');
    // A file a layer added is not dashed.
    await page.click('.layer-row[data-layer="2"]');
    expect(await page.getAttribute('#treemap .tm[data-path="/app"]', 'class')).not.toContain('changed');
    await page.click('#clear');

    // A layer filters the treemap to its bytes.
    await page.click('.layer-row[data-layer="2"]');
    expect(await totalOf(page)).toBe(25_000);
    expect(await page.locator('.layer-row.active').count()).toBe(1);
    await page.click('#clear');
    expect(await totalOf(page)).toBe(expected.size.finalBytes);

    // Search finds a known path; clicking it zooms there.
    await page.fill('#search', 'server.js');
    await page.click('.search-result[data-path="/app/server.js"]');
    await page.waitForSelector('#treemap .tm[data-path="/app/server.js"]');
    expect(await page.textContent('#crumbs')).toContain('app');
    // Escape zooms out to the root.
    await page.focus('#treemap');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#treemap .tm[data-path="/usr"]');

    // The hostile name is data, not markup.
    await page.fill('#search', 'pwned');
    expect(await page.textContent('#results')).toContain(HOSTILE);
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();

    await page.fill('#search', '');
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: resolve('test-results/inspect-report-fixture.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it.skipIf(!dockerHas(REAL_IMAGE))(`renders a real image (docker-daemon:${REAL_IMAGE})`, async () => {
    const reference = `docker-daemon:${REAL_IMAGE}`;
    const image = await openImage(reference);
    const expected = await inspectImage(image).finally(() => image.close());
    const output = join(dir, 'real.html');
    expect(await runInspect(reference, { format: 'html', report: output }, quietIo())).toBe(0);
    const { page, errors } = await openReport(browser, output);
    expect(await totalOf(page)).toBe(expected.size.finalBytes);
    await page.click('.layer-row[data-layer="0"]');
    expect(await page.locator('.layer-row.active').count()).toBe(1);
    await page.click('#clear');
    await page.fill('#search', 'bin/bash');
    await page.waitForSelector('.search-result[data-path="/usr/bin/bash"]');
    await page.fill('#search', '');
    await page.click('#treemap .tm[data-path="/usr"]', { position: { x: 6, y: 6 } });
    await page.waitForSelector('#treemap .tm[data-path="/usr/lib"]');
    const box = await page.locator('#treemap .tm[data-path="/usr/lib"]').boundingBox();
    expect(box!.width * box!.height).toBeGreaterThan(10_000);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: resolve('test-results/inspect-report.png') });
    expect(errors).toEqual([]);
    await page.close();
  });
});
