import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import type { OptimizeResult } from '../../src/optimize/optimize.js';
import { renderOptimizeHtml } from '../../src/report/optimize-html.js';
import { describeWithChromium, launchChromium, openPage } from './harness.js';

const HOSTILE = '</script><script>window.pwned=1</script>';
const up = { summary: 'still running after 5 s', fingerprint: 'up', ok: true };

const result: OptimizeResult = {
  schemaVersion: 'pare.optimize/v1',
  directory: '/src/app',
  dockerfile: `/src/app/${HOSTILE}/Dockerfile`,
  output: '/src/app/Dockerfile.pare',
  probe: { kind: 'up', seconds: 5 },
  findings: [],
  fixes: [`cleaned ${HOSTILE}`],
  conversion: ['distroless final stage'],
  candidates: [
    {
      name: 'original',
      dockerfile: 'FROM a',
      measurement: {
        imageId: 'a',
        size: 800_000_000,
        layers: 9,
        layerSizes: [
          { size: 100_000_000, createdBy: 'ADD rootfs.tar /' },
          { size: 500_000_000, createdBy: 'RUN apt-get install -y build-essential' },
          { size: 200_000_000, createdBy: `RUN make ${HOSTILE}` },
        ],
      },
      probe: up,
    },
    {
      name: 'safe',
      dockerfile: 'FROM b',
      measurement: { imageId: 'b', size: 400_000_000, layers: 9 },
      probe: up,
    },
    {
      name: 'optimized',
      dockerfile: `FROM c\nRUN echo ${HOSTILE}`,
      measurement: {
        imageId: 'c',
        size: 20_000_000,
        layers: 3,
        layerSizes: [
          { size: 2_000_000, createdBy: 'distroless' },
          { size: 18_000_000, createdBy: 'COPY --from=build /app /app' },
        ],
      },
      probe: up,
    },
    { name: 'optimized-2', dockerfile: 'FROM d', failure: { step: 'build', message: HOSTILE } },
  ],
  chosen: 'optimized',
  contributions: [{ change: 'multi-stage build', bytes: 380_000_000 }],
};

describeWithChromium('optimize HTML report in Chromium', () => {
  it('draws the bars in proportion, with no console errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pare-opt-html-'));
    const browser = await launchChromium();
    try {
      const path = join(dir, 'pare-optimize.html');
      await writeFile(path, renderOptimizeHtml(result));
      const { page, errors } = await openPage(browser, path, { width: 1200, height: 800 });
      const bars = page.locator('#compare .bar');
      expect(await bars.count()).toBe(3);
      const widths = await bars.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
      expect(widths[1]! / widths[0]!).toBeCloseTo(0.5, 1);
      expect(widths[2]! / widths[0]!).toBeCloseTo(0.025, 1);
      expect(await page.locator('#compare [data-candidate="optimized"] .label').textContent()).toContain(
        '40.0x smaller',
      );
      // Per-layer bars: one stacked bar per candidate with layer sizes, one bar per layer below.
      expect(await page.locator('#layer-chart .lgroup').count()).toBe(2);
      expect(await page.locator('#layer-chart [data-candidate="original"] .seg').count()).toBe(3);
      expect(await page.locator('#layer-chart [data-candidate="optimized"] .seg').count()).toBe(2);
      expect(await page.locator('#layer-chart [data-candidate="original"] .lbar').count()).toBe(3);
      const segs = await page
        .locator('#layer-chart [data-candidate="original"] .seg')
        .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
      expect(segs[1]! / segs[0]!).toBeCloseTo(5, 0);
      const stackWidth = (name: string) =>
        page
          .locator(`#layer-chart [data-candidate="${name}"] .seg`)
          .evaluateAll((els) => els.reduce((w, e) => w + e.getBoundingClientRect().width, 0));
      expect((await stackWidth('optimized')) / (await stackWidth('original'))).toBeCloseTo(0.025, 1);
      expect(await page.locator('#dockerfile').textContent()).toContain(`RUN echo ${HOSTILE}`);
      expect(await page.evaluate('typeof globalThis.pwned')).toBe('undefined');
      await mkdir('test-results', { recursive: true });
      await page.screenshot({ path: resolve('test-results/optimize-report.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
