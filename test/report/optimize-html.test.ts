import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { inspectImage } from '../../src/analyze/inspect.js';
import { openImage } from '../../src/image/open.js';
import type { OptimizeResult } from '../../src/optimize/optimize.js';
import { optimizeHtmlData, renderOptimizeHtml } from '../../src/report/optimize-html.js';
import { ratio } from '../../src/report/size-change.js';
import { buildImage, file, writeImage } from '../helpers/image-writer.js';

const HOSTILE = '</script><script>window.pwned=1</script>"\'&<!--';

function sample(overrides: Partial<OptimizeResult> = {}): OptimizeResult {
  return {
    schemaVersion: 'pare.optimize/v1',
    directory: '/src/app',
    dockerfile: `/src/app/${HOSTILE}/Dockerfile`,
    output: '/src/app/Dockerfile.pare',
    probe: { kind: 'up', seconds: 5 },
    findings: [],
    fixes: [`added --no-install-recommends in ${HOSTILE}`, 'removed apt lists'],
    conversion: ['copied /app/server into a distroless final stage'],
    candidates: [
      {
        name: 'original',
        dockerfile: 'FROM golang:1.22\nRUN go build -o /app/server .',
        measurement: {
          imageId: 'sha256:a',
          size: 912_000_000,
          layers: 9,
          layerSizes: [
            { size: 120_000_000, createdBy: '/bin/sh -c #(nop) ADD file:abc in /' },
            { size: 600_000_000, createdBy: 'RUN /bin/sh -c apt-get install -y golang # buildkit' },
            { size: 192_000_000, createdBy: `RUN /bin/sh -c go build ${HOSTILE} # buildkit` },
          ],
        },
        probe: { summary: 'still running after 5 s', fingerprint: 'up', ok: true },
      },
      {
        name: 'safe',
        dockerfile: 'FROM golang:1.22\nRUN go build -o /app/server . && rm -rf /root/.cache',
        measurement: { imageId: 'sha256:b', size: 640_000_000, layers: 9 },
        probe: { summary: 'still running after 5 s', fingerprint: 'up', ok: true },
      },
      {
        name: 'optimized',
        dockerfile: `FROM golang:1.22 AS build\nRUN echo "${HOSTILE}"\nFROM gcr.io/distroless/static\nCOPY --from=build /app/server /server`,
        measurement: {
          imageId: 'sha256:c',
          size: 12_400_000,
          layers: 3,
          layerSizes: [
            { size: 2_400_000, createdBy: 'distroless base' },
            { size: 10_000_000, createdBy: 'COPY /app/server /server # buildkit' },
          ],
        },
        probe: { summary: 'still running after 5 s', fingerprint: 'up', ok: true },
      },
      {
        name: 'optimized-2',
        dockerfile: 'FROM scratch',
        failure: { step: 'build', message: `COPY failed: ${HOSTILE}`, log: ['step 3/4', HOSTILE] },
      },
    ],
    chosen: 'optimized',
    contributions: [
      { change: 'multi-stage build', bytes: 627_600_000 },
      { change: `cache cleanup ${HOSTILE}`, bytes: 272_000_000 },
    ],
    ...overrides,
  };
}

describe('optimize HTML report', () => {
  const html = renderOptimizeHtml(sample());

  it('keeps hostile text inert: escaped in markup, unicode-escaped in the JSON data', () => {
    expect(html).not.toContain('window.pwned=1</script>');
    expect(html).not.toContain('<script>window.pwned');
    expect(html).toContain(
      '&lt;/script&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;&quot;&#39;&amp;&lt;!--',
    );
    // Only the page's own three script elements close.
    expect(html.match(/<\/script>/gi)).toHaveLength(3);
    expect(html.match(/<script/gi)).toHaveLength(3);
    // The data element parses back to the original strings.
    const json = /<script type="application\/json" id="pare-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(json).not.toContain('<');
    const data = JSON.parse(json) as ReturnType<typeof optimizeHtmlData>;
    expect(data.comparison.dockerfile).toBe(sample().dockerfile);
  });

  it('draws a bar for every measured candidate, with SI sizes and Nx smaller', () => {
    const bars = html.match(/class="fill bar" style="width:[\d.]+%"/g) ?? [];
    expect(bars).toHaveLength(3);
    expect(html).toContain('data-candidate="original" data-bytes="912000000"');
    expect(html).toContain('data-candidate="optimized" data-bytes="12400000"');
    expect(html).toContain('style="width:100.00%"');
    expect(html).toContain('912 MB');
    expect(html).toContain('12.4 MB');
    expect(html).toContain('73.5x smaller (-98.6%)');
    expect(html).toContain('1.4x smaller (-29.8%)');
    expect(html).toContain('safe fixes');
    expect(html).toMatch(/data-candidate="optimized-2">[\s\S]*?build failed/);
  });

  it('draws the bytes each layer added, per candidate that has them', () => {
    const groups = html.match(/<div class="lgroup" data-candidate="[^"]+"/g) ?? [];
    expect(groups).toEqual([
      '<div class="lgroup" data-candidate="original"',
      '<div class="lgroup" data-candidate="optimized"',
    ]);
    const section = html.slice(html.indexOf('id="layer-chart"'));
    const optimized = section.slice(section.indexOf('data-candidate="optimized"'));
    expect(
      section.slice(0, section.indexOf('data-candidate="optimized"')).match(/class="seg"/g),
    ).toHaveLength(3);
    expect(optimized.match(/class="seg"/g)).toHaveLength(2);
    expect(section.match(/class="lbar"/g)).toHaveLength(5);
    // The largest layer is the full width of the per-layer bars; the stacks share one scale.
    expect(section).toMatch(/data-layer="1" data-bytes="600000000">[\s\S]*?style="width:100\.00%/);
    expect(section).toContain('RUN /bin/sh -c go build &lt;/script&gt;');
    expect(section).toContain('12.4 MB · 2 layers with bytes');
  });

  it('leaves the layer chart out for reports without layer sizes', () => {
    const plain = sample();
    for (const c of plain.candidates) delete c.measurement?.layerSizes;
    expect(renderOptimizeHtml(plain)).not.toContain('id="layer-chart"');
  });

  it('validates against schemas/optimize-v1.json with and without layer sizes', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../schemas/optimize-v1.json', import.meta.url), 'utf8'),
    );
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
    const plain = sample();
    for (const c of plain.candidates) delete c.measurement?.layerSizes;
    for (const result of [sample(), plain]) {
      const ok = validate(JSON.parse(JSON.stringify(result)));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
    const bad = sample();
    bad.candidates[0]!.measurement!.layerSizes = [{ size: 1 } as never];
    expect(validate(JSON.parse(JSON.stringify(bad)))).toBe(false);
  });

  it('shows verdicts, contributions, fixes, conversion, failures and the winning Dockerfile', () => {
    expect(html).toContain('ok: still running after 5 s');
    expect(html).toContain('628 MB');
    expect(html).toContain('multi-stage build');
    expect(html).toContain('removed apt lists');
    expect(html).toContain('copied /app/server into a distroless final stage');
    expect(html).toContain('build failed: COPY failed: &lt;/script&gt;');
    expect(html).toContain('<pre id="dockerfile">FROM golang:1.22 AS build\nRUN echo &quot;&lt;/script&gt;');
    expect(html).toContain('(written to /src/app/Dockerfile.pare)');
  });

  it('loads nothing from the network', () => {
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(?:https?:)?\/\//i);
  });

  it('says so when nothing beat the original', () => {
    const result = sample({ chosen: 'original' });
    delete result.output;
    const page = renderOptimizeHtml(result);
    expect(page).toContain('nothing was written');
    expect(page).not.toContain('id="dockerfile"');
  });

  it('shows the keep list of a winning runtime closure, and why no candidate was made', () => {
    const closure = sample();
    closure.candidates.push({
      name: 'closure',
      dockerfile: 'FROM scratch\nCOPY --from=pare-pick /.pare-closure/ /',
      measurement: { imageId: 'sha256:d', size: 9_000_000, layers: 2 },
      probe: { summary: 'still running after 5 s', fingerprint: 'up', ok: true },
      keepList: { path: '/src/app/Dockerfile.pare.keep', text: `--no-recursion\n/\n/app/${HOSTILE}\n` },
    });
    closure.chosen = 'closure';
    const page = renderOptimizeHtml(closure);
    expect(page).toContain('<pre id="keep-list">--no-recursion\n/\n/app/&lt;/script&gt;');
    expect(page).toContain('(written to /src/app/Dockerfile.pare.keep)');

    const none = sample({
      chosen: 'original',
      candidates: sample().candidates.slice(0, 1),
      notMade: ['runtime closure: the image is for windows, not linux'],
    });
    delete none.output;
    const refused = renderOptimizeHtml(none);
    expect(refused).toContain('No candidate could be made, so none was built; nothing was written.');
    expect(refused).toContain('not made: runtime closure: the image is for windows, not linux');
  });

  it('formats ratios both ways', () => {
    expect(ratio(50, 100)).toBe('2.0x smaller (-50.0%)');
    expect(ratio(110, 100)).toBe('1.1x larger (+10.0%)');
    expect(ratio(803_000_000, 803_000_100)).toBe('same size (0.0%)');
    expect(ratio(0, 100)).toBe('');
    expect(ratio(0, 100)).toBe('');
  });
});

describe('optimize HTML report: the treemap of the kept image', () => {
  it('adds the view with the inspected image, and leaves it out without', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pare-opt-html-'));
    try {
      const built = buildImage({
        layers: [
          { createdBy: 'COPY /out/server /app/server', entries: [file('app/server', { size: 50_000 })] },
          { createdBy: 'RUN apt-get update', entries: [file('var/lib/apt/lists/pkgs', { size: 20_000 })] },
        ],
      });
      const image = await openImage(await writeImage(join(dir, 'oci'), 'oci', [built]));
      const inspected = await inspectImage(image, { treeMap: {} }).finally(() => image.close());
      const data = optimizeHtmlData(sample(), { image: inspected });
      expect(data.tree!.b).toBe(70_000);
      expect(data.layers!.map((layer) => layer.instruction)).toEqual([
        'COPY /out/server /app/server',
        'RUN apt-get update',
      ]);
      // The apt lists are a leftover: hatched in the treemap and listed.
      expect(data.tree!.w).toBe(20_000);
      expect(data.leftovers!.flatMap((finding) => finding.paths)).toContain('/var/lib/apt/lists');
      const html = renderOptimizeHtml(sample(), { image: inspected });
      expect(html).toContain('<section id="fsview"><h2>Filesystem of the');
      expect(renderOptimizeHtml(sample())).not.toContain('id="fsview"');
      expect(optimizeHtmlData(sample()).tree).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
