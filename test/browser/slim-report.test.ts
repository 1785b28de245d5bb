import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inspectImage } from '../../src/analyze/inspect.js';
import type { TreeMapNode } from '../../src/analyze/tree-map.js';
import { openImage } from '../../src/image/open.js';
import type { ReportedPath } from '../../src/reach/paths.js';
import { renderSlimHtml } from '../../src/report/slim-html.js';
import { buildSlimReport, type SlimReport } from '../../src/slim/report.js';
import { type SlimResult, slimImage } from '../../src/slim/slim.js';
import { formatBytes } from '../../src/util/bytes.js';
import { treeMapOf } from '../helpers/tree-map.js';
import { describeWithChromium, dockerHas, launchChromium, openPage, REQUIRED } from './harness.js';

const REAL_IMAGE = 'pare-base/python:bookworm';

async function openReport(browser: Browser, path: string): Promise<{ page: Page; errors: string[] }> {
  const opened = await openPage(browser, path);
  await opened.page.waitForSelector('#removed-rows .prow');
  return opened;
}

const rowPaths = (page: Page, kind = 'removed') =>
  page.locator(`#${kind}-rows .prow`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-path')!));
/** Waits until the removed table shows `n` paths (search is debounced on large tables). */
const waitForCount = (page: Page, n: number) => page.waitForSelector(`#removed-count[data-count="${n}"]`);
const totalOf = async (page: Page) => Number(await page.getAttribute('#total', 'data-bytes'));
const firstSize = async (page: Page) =>
  Number(await page.locator('#removed-rows .prow').first().getAttribute('data-size'));

describeWithChromium('slim HTML report in Chromium', () => {
  let dir: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-slim-html-'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!REQUIRED && !dockerHas(REAL_IMAGE))(
    `renders a real slim of docker-daemon:${REAL_IMAGE}`,
    async () => {
      const reference = `docker-daemon:${REAL_IMAGE}`;
      const image = await openImage(reference);
      let report: SlimReport;
      let result: SlimResult | undefined;
      let tree: TreeMapNode | undefined;
      let finalBytes: number;
      try {
        const [layers, config] = await Promise.all([image.layers(), image.config()]);
        // The treemap's total must be the input's final filesystem as inspect measures it.
        finalBytes = (await inspectImage(image)).size.finalBytes;
        result = await slimImage(image, { treeMap: {} });
        tree = result.treeMap;
        report = buildSlimReport(
          reference,
          result,
          layers,
          config.history ? { history: config.history } : {},
        );
      } finally {
        await result?.dispose();
        await image.close();
      }
      expect(report.removed.length).toBeGreaterThan(100);
      const output = join(dir, 'slim.html');
      await writeFile(output, renderSlimHtml(report, { tree: tree! }));
      const { page, errors } = await openReport(browser, output);

      // The treemap of the input filesystem: the right total, removed bytes hatched.
      await page.waitForSelector('#treemap .tm');
      expect(await totalOf(page)).toBe(finalBytes);
      expect(await page.locator('#treemap .tm.waste').count()).toBeGreaterThan(0);
      // A layer filters it to that layer's bytes in the final filesystem.
      const layerRows = page.locator('#fsview .layer-row');
      expect(await layerRows.count()).toBe(report.layers.before.length);
      await layerRows.last().click();
      const lastLayerBytes = await totalOf(page);
      expect(lastLayerBytes).toBeGreaterThan(0);
      expect(lastLayerBytes).toBeLessThan(finalBytes);
      await page.click('#clear');
      expect(await totalOf(page)).toBe(finalBytes);
      // A removed path in the findings list zooms the treemap to it; search finds it too.
      const removedDoc = report.removed.find((r) => r.path.startsWith('/usr/share/doc/'))!;
      await page.fill('#search', removedDoc.path);
      await page.click(`#results [data-path="${removedDoc.path}"]`);
      expect(await page.textContent('#crumbs')).toContain('doc');
      const firstLink = page.locator('#leftovers a.path').first();
      const linked = (await firstLink.textContent())!;
      await firstLink.click();
      expect(await page.locator(`#treemap [data-path="${linked}"]`).count()).toBe(1);
      // Keys in the treemap move its selection and leave the path tables alone.
      await page.focus('#treemap');
      await page.keyboard.press('ArrowDown');
      expect(await page.locator('#treemap .tm.sel').count()).toBe(1);
      expect(await page.locator('#removed-rows .prow.sel').count()).toBe(0);

      // Headline: the measured totals.
      expect(Number(await page.getAttribute('#fig-compressed', 'data-bytes'))).toBe(
        report.output.compressedBytes,
      );
      const headline = await page.textContent('#fig-compressed');
      expect(headline).toContain(formatBytes(report.source.compressedBytes));
      expect(headline).toContain(formatBytes(report.output.compressedBytes));
      expect(Number(await page.getAttribute('#fig-removed', 'data-bytes'))).toBe(report.removedBytes);
      expect(Number(await page.getAttribute('#removed-count', 'data-count'))).toBe(report.removed.length);
      // One bar per input and per output layer; the stacked totals add up.
      expect(await page.locator('#layer-chart .brow.in').count()).toBe(report.layers.before.length);
      expect(await page.locator('#layer-chart .brow.out').count()).toBe(report.layers.after.length);
      expect(await page.locator('#layer-chart .brow.in .bar').count()).toBe(report.layers.before.length);
      expect(Number(await page.getAttribute('[data-side="after"]', 'data-bytes'))).toBe(
        report.output.compressedBytes,
      );
      expect(await page.locator('#removed-by-reason .brow').count()).toBe(
        Object.keys(report.removedByReason).length,
      );

      // Sorted by size, largest first; the size header flips the order; path sorts by path.
      const sizes = report.removed.map((r) => r.size);
      expect(await firstSize(page)).toBe(Math.max(...sizes));
      await page.click('#removed .phead button[data-sort="size"]');
      expect(await firstSize(page)).toBe(Math.min(...sizes));
      await page.click('#removed .phead button[data-sort="path"]');
      expect((await rowPaths(page))[0]).toBe(report.removed.map((r) => r.path).sort()[0]);
      await page.click('#removed .phead button[data-sort="size"]');
      expect(await firstSize(page)).toBe(Math.max(...sizes));

      // Search by path finds a known removed file under /usr/share/doc.
      const doc = report.removed.find((r) => r.path.startsWith('/usr/share/doc/'));
      expect(doc).toBeDefined();
      await page.fill('#removed-search', '/usr/share/doc/');
      await waitForCount(
        page,
        report.removed.filter((r) => r.path.toLowerCase().includes('/usr/share/doc/')).length,
      );
      expect((await rowPaths(page)).every((p) => p.includes('/usr/share/doc/'))).toBe(true);
      await page.fill('#removed-search', doc!.path);
      await page.waitForSelector(`#removed-rows .prow[data-path="${doc!.path}"]`);

      // Keyboard: "/" focuses the search, ArrowDown goes to the rows, j/k move.
      await page.fill('#removed-search', '');
      await waitForCount(page, report.removed.length);
      await page.focus('#removed-rows');
      await page.keyboard.press('/');
      expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe(
        'removed-search',
      );
      await page.keyboard.press('ArrowDown');
      expect(await page.getAttribute('#removed-rows .prow.sel', 'data-pos')).toBe('0');
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      await page.keyboard.press('k');
      expect(await page.getAttribute('#removed-rows .prow.sel', 'data-pos')).toBe('1');

      // A reason filters the table.
      const [reason, tally] = Object.entries(report.removedByReason).sort(
        (a, b) => b[1].bytes - a[1].bytes,
      )[0]!;
      const option = await page
        .locator('#removed-reason option', { hasText: `${reason} (` })
        .getAttribute('value');
      await page.selectOption('#removed-reason', option!);
      expect(Number(await page.getAttribute('#removed-count', 'data-count'))).toBe(tally.files);
      await page.selectOption('#removed-reason', '-1');

      await mkdir('test-results', { recursive: true });
      await page.screenshot({ path: resolve('test-results/slim-report.png'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: resolve('test-results/slim-report-dark.png'), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    },
  );

  it('keeps 200,000 paths usable: few rows in the DOM, search and scroll work', async () => {
    const removed: ReportedPath[] = [];
    const kept: ReportedPath[] = [];
    for (let i = 0; i < 200_000; i++) {
      const path = `/usr/share/p${i % 97}/s${(i >> 3) % 31}/file-${i}.dat`;
      (i % 4 === 0 ? kept : removed).push({
        path,
        size: 100 + ((i * 7919) % 50_000),
        reason: i % 4 === 0 ? 'elf-needed' : i % 3 ? 'docs' : 'unreachable',
      });
    }
    const total = (list: ReportedPath[]) => list.reduce((s, p) => s + p.size, 0);
    const report: SlimReport = {
      schemaVersion: 'pare.slim/v1',
      source: {
        reference: 'synthetic:200k',
        configDigest: `sha256:${'0'.repeat(64)}`,
        compressedBytes: 2e9,
        uncompressedBytes: 5e9,
        compression: 'gzip',
        layers: 1,
      },
      output: { compressedBytes: 1e9, uncompressedBytes: 3e9, compression: 'gzip', layers: 1 },
      layerGroups: [[0, 0]],
      layers: { before: [{ compressedBytes: 2e9 }], after: [{ compressedBytes: 1e9 }] },
      removedByReason: { docs: { files: removed.length, bytes: total(removed) } },
      removedBytes: total(removed),
      removed,
      minimal: {
        level: 'minimal',
        kept,
        keptByReason: { 'elf-needed': { files: kept.length, bytes: total(kept) } },
      },
    };
    const output = join(dir, 'big.html');
    await writeFile(output, renderSlimHtml(report, { tree: treeMapOf([[...removed, ...kept]], removed) }));
    const started = Date.now();
    const { page, errors } = await openReport(browser, output);
    const loadMs = Date.now() - started;
    console.log(`200k-path slim report with its treemap: ready in ${loadMs} ms`);
    expect(await page.locator('.prow:not(.phead)').count()).toBeLessThan(400);
    expect(Number(await page.getAttribute('#removed-count', 'data-count'))).toBe(removed.length);
    expect(Number(await page.getAttribute('#kept-count', 'data-count'))).toBe(kept.length);
    const wanted = kept[kept.length - 1]!.path;
    await page.fill('#kept-search', wanted.slice(wanted.lastIndexOf('/')));
    await page.waitForSelector(`#kept-rows .prow[data-path="${wanted}"]`);
    // Scrolling to the end draws the last rows.
    await page.$eval('#removed-rows', (box) => {
      box.scrollTop = box.scrollHeight;
      box.dispatchEvent(new Event('scroll'));
    });
    const last = await page.locator('#removed-rows .prow').last().getAttribute('data-pos');
    expect(Number(last)).toBe(removed.length - 1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
