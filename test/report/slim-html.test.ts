/**
 * The slim report: schemas/slim-v1.json accepts every shape of SlimReport and
 * rejects unknown keys; the HTML page shows the figures, the per-layer bars,
 * the reasons and the proof, keeps hostile text inert, loads nothing from
 * the network and stays a few MB for 200,000 paths.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { TreeMapNode } from '../../src/analyze/tree-map.js';
import type { ReportedPath } from '../../src/reach/paths.js';
import { encodePaths, renderSlimHtml, type SlimHtmlData, slimHtmlData } from '../../src/report/slim-html.js';
import type { SlimReport } from '../../src/slim/report.js';
import { treeMapOf } from '../helpers/tree-map.js';

const HOSTILE = '</script><script>window.pwned=1</script>"\'&<!--';
const DIGEST = `sha256:${'ab'.repeat(32)}` as const;

function base(): SlimReport {
  return {
    schemaVersion: 'pare.slim/v1',
    source: {
      reference: `docker-daemon:app/${HOSTILE}:1`,
      configDigest: DIGEST,
      compressedBytes: 60_000_000,
      uncompressedBytes: 150_000_000,
      compression: 'gzip',
      layers: 3,
    },
    output: { compressedBytes: 40_000_000, uncompressedBytes: 120_000_000, compression: 'gzip', layers: 2 },
    layerGroups: [
      [0, 1],
      [2, 2],
    ],
    layers: {
      before: [
        { createdBy: '/bin/sh -c #(nop) ADD file:abc in /', compressedBytes: 30_000_000 },
        { createdBy: `RUN apt-get install -y ${HOSTILE}`, compressedBytes: 20_000_000 },
        { createdBy: 'COPY . /app # buildkit', compressedBytes: 10_000_000 },
      ],
      after: [
        { createdBy: 'pare slim: layers 0-1', compressedBytes: 32_000_000, uncompressedBytes: 100_000_000 },
        { compressedBytes: 8_000_000, uncompressedBytes: 20_000_000 },
      ],
    },
    removedByReason: {
      docs: { files: 2, bytes: 7_000_000 },
      'package-cache': { files: 1, bytes: 12_000_000 },
    },
    removedBytes: 19_000_000,
    removed: [
      { path: '/usr/share/doc/libc6/changelog.gz', size: 5_000_000, reason: 'docs', detail: 'documentation' },
      { path: `/usr/share/man/${HOSTILE}.1.gz`, size: 2_000_000, reason: 'docs', detail: 'man pages' },
      { path: '/var/cache/apt/pkgcache.bin', size: 12_000_000, reason: 'package-cache' },
    ],
  };
}

function findNode(root: TreeMapNode, path: string): TreeMapNode | undefined {
  let node: TreeMapNode | undefined = root;
  for (const name of path.split('/').filter(Boolean)) node = node?.c?.find((c) => c.n === name);
  return node;
}

const withMinimal = (): SlimReport => ({
  ...base(),
  minimal: {
    level: 'minimal',
    kept: [
      { path: '/usr/bin/python3.11', size: 6_800_000, reason: 'entrypoint' },
      {
        path: '/usr/lib/x86_64-linux-gnu/libssl.so.3',
        size: 700_000,
        reason: 'elf-needed',
        detail: 'DT_NEEDED of /usr/bin/python3.11',
      },
    ],
    keptByReason: { entrypoint: { files: 1, bytes: 6_800_000 }, 'elf-needed': { files: 1, bytes: 700_000 } },
  },
  probe: {
    spec: 'cmd: python3 -c "import sqlite3"',
    original: 'exit 0, stdout ""',
    slim: 'exit 0, stdout ""',
    same: true,
    checks: [{ name: 'python imports', ok: true, detail: '41 modules import' }],
    engineSize: { original: 219_000_000, slim: 21_000_000 },
  },
});

const withFallback = (): SlimReport => {
  const report = withMinimal();
  report.minimal = {
    ...report.minimal!,
    level: 'leftovers',
    fallbackReason: `probe differs: exit 1 ${HOSTILE}`,
    missing: ['/usr/lib/python3.11/encodings/idna.py', `/etc/${HOSTILE}`],
  };
  return report;
};

const withProbeFailure = (): SlimReport => ({
  ...base(),
  probe: {
    spec: 'http :8080/health',
    original: '200 ok',
    slim: 'connection refused',
    same: false,
    why: `status differs ${HOSTILE}`,
    checks: [{ name: 'python imports', ok: false, detail: 'ssl: ImportError' }],
  },
});

const REPORTS: Array<[string, () => SlimReport]> = [
  ['leftovers only, not probed', base],
  ['minimal with proof', withMinimal],
  ['minimal that fell back', withFallback],
  ['probe failure', withProbeFailure],
];

const dataOf = (html: string): SlimHtmlData => {
  const json = /<script type="application\/json" id="pare-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
  expect(json).not.toContain('<');
  return JSON.parse(json) as SlimHtmlData;
};

describe('schemas/slim-v1.json', () => {
  const schema = JSON.parse(readFileSync(new URL('../../schemas/slim-v1.json', import.meta.url), 'utf8'));
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

  it.each(REPORTS)('validates a report: %s', (_name, make) => {
    const ok = validate(JSON.parse(JSON.stringify(make())));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects unknown keys, a wrong version and a bad minimal level', () => {
    expect(validate({ ...base(), extra: 1 })).toBe(false);
    expect(validate({ ...base(), schemaVersion: 'pare.slim/v2' })).toBe(false);
    const bad = withMinimal() as unknown as { minimal: { level: string } };
    bad.minimal.level = 'tiny';
    expect(validate(bad)).toBe(false);
    expect(validate({ ...base(), removed: [{ path: '/x', size: -1, reason: 'docs' }] })).toBe(false);
  });
});

describe('slim HTML report', () => {
  it.each(REPORTS)('%s: escaped, offline, figures and charts', (_name, make) => {
    const report = make();
    const html = renderSlimHtml(report);
    // Hostile text is inert: escaped in markup, unicode-escaped in the JSON data.
    expect(html).not.toContain('<script>window.pwned');
    expect(html).toContain(
      '&lt;/script&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;&quot;&#39;&amp;&lt;!--',
    );
    expect(html.match(/<script/gi)).toHaveLength(4);
    expect(html.match(/<\/script>/gi)).toHaveLength(4);
    // Nothing from the network.
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script[^>]*\ssrc\s*=/i);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(?:https?:)?\/\//i);
    // Headline.
    expect(html).toContain('60.0 MB → 40.0 MB (1.5x smaller (-33.3%))');
    expect(html).toContain('id="fig-compressed" data-bytes="40000000"');
    expect(html).toContain('3 files, 19.0 MB');
    // Per-layer bars: every input layer under the output layer it went into.
    expect(html.match(/class="brow in"/g)).toHaveLength(3);
    expect(html.match(/class="brow out"/g)).toHaveLength(2);
    expect(html).toMatch(
      /data-group="0">\s*<div class="brow in" data-layer="0"[\s\S]*?data-layer="1"[\s\S]*?data-out="0"/,
    );
    expect(html).toContain('data-side="before" data-bytes="60000000"');
    expect(html).toContain('data-side="after" data-bytes="40000000"');
    // Removed bytes per reason, largest first.
    expect(html).toMatch(/data-reason="package-cache"[\s\S]*data-reason="docs"/);
    // The data round-trips to the paths exactly.
    const paths = dataOf(html).slimReport.paths;
    const decode = (rows: SlimHtmlData['slimReport']['paths']['removed']) =>
      rows.map((r) => paths.dirs[r[0]]! + r[1]);
    expect(decode(paths.removed)).toEqual(report.removed.map((p) => p.path));
    expect(paths.kept === undefined).toBe(report.minimal === undefined);
    if (report.minimal) expect(decode(paths.kept!)).toEqual(report.minimal.kept.map((p) => p.path));
    expect(html.includes('id="kept-rows"')).toBe(report.minimal !== undefined);
    expect(html).toContain('id="removed-rows"');
  });

  it('shows the proof: verdict, checks, engine sizes', () => {
    const html = renderSlimHtml(withMinimal());
    expect(html).toContain('id="fig-engine" data-bytes="21000000"');
    expect(html).toContain('219 MB → 21.0 MB (10.4x smaller (-90.4%))');
    expect(html).toContain('<td id="verdict" class="ok">same behaviour</td>');
    expect(html).toContain('41 modules import');
    expect(html).toContain('id="fig-level"');
    expect(html).toContain('Kept bytes per reason');
    expect(renderSlimHtml(base())).toContain('id="fig-verdict">not probed');
  });

  it('shows a probe failure with its reason', () => {
    const html = renderSlimHtml(withProbeFailure());
    expect(html).toContain('behaves differently: status differs &lt;/script&gt;');
    expect(html).toContain('<td class="wasted">✗</td><td>python imports</td><td>ssl: ImportError</td>');
  });

  it('shows the fallback reason and the missing paths', () => {
    const html = renderSlimHtml(withFallback());
    expect(html).toContain('id="fallback"');
    expect(html).toContain('at the leftovers level: probe differs: exit 1 &lt;/script&gt;');
    expect(html).toContain('<li class="instr">/usr/lib/python3.11/encodings/idna.py</li>');
    expect(html).toContain('<li class="instr">/etc/&lt;/script&gt;');
  });

  it('draws the layers in two plain lists when the groups do not match them', () => {
    const html = renderSlimHtml({ ...base(), layerGroups: [] });
    expect(html).not.toContain('data-group=');
    expect(html.match(/class="brow in"/g)).toHaveLength(3);
    expect(html.match(/class="brow out"/g)).toHaveLength(2);
  });

  it('encodes paths exactly, also without a slash or at the root', () => {
    const list: ReportedPath[] = [
      { path: '/a', size: 1, reason: 'x' },
      { path: 'relative', size: 2, reason: 'y', detail: 'd' },
      { path: '/usr/lib/', size: 3, reason: 'x', detail: 'd' },
    ];
    const encoded = encodePaths(list);
    expect(encoded.removed.map((r) => encoded.dirs[r[0]]! + r[1])).toEqual(list.map((p) => p.path));
    expect(encoded.reasons).toEqual(['x', 'y']);
    expect(encoded.details).toEqual(['d']);
    expect(encoded.removed.map((r) => r[4])).toEqual([undefined, 0, 0]);
  });

  it('adds the treemap view of the input filesystem, removed bytes marked, findings per reason', () => {
    const report = base();
    const files = [...report.removed, { path: '/usr/bin/python3.11', size: 6_000_000 }];
    const tree = treeMapOf(
      [files.filter((f) => !f.path.startsWith('/var')), files.filter((f) => f.path.startsWith('/var'))],
      report.removed,
    );
    const data = slimHtmlData(report, { tree });
    expect(data.tree!.b).toBe(25_000_000);
    expect(data.tree!.w).toBe(19_000_000);
    expect(findNode(data.tree!, '/usr/bin/python3.11')!.w).toBeUndefined();
    expect(findNode(data.tree!, '/var/cache/apt/pkgcache.bin')).toMatchObject({
      b: 12_000_000,
      w: 12_000_000,
      l: 1,
    });
    expect(data.layers!.map((l) => [l.index, l.instruction, l.contentBytes])).toEqual([
      [0, '/bin/sh -c #(nop) ADD file:abc in /', 30_000_000],
      [1, `RUN apt-get install -y ${HOSTILE}`, 20_000_000],
      [2, 'COPY . /app # buildkit', 10_000_000],
    ]);
    // Largest reason first; its paths largest first, each a link into the treemap.
    expect(data.leftovers!.map((f) => [f.title, f.bytes, f.paths])).toEqual([
      ['package-cache: 1 path removed', 12_000_000, ['/var/cache/apt/pkgcache.bin']],
      [
        'docs: 2 paths removed',
        7_000_000,
        ['/usr/share/doc/libc6/changelog.gz', `/usr/share/man/${HOSTILE}.1.gz`],
      ],
    ]);
    const html = renderSlimHtml(report, { tree });
    expect(html).toContain('<section id="fsview">');
    expect(html).toContain('<div id="treemap" tabindex="0"');
    expect(html).not.toContain(HOSTILE);
    // Without the tree (a JSON-only run), no view and no tree data.
    expect(renderSlimHtml(report)).not.toContain('id="fsview"');
    expect(slimHtmlData(report).tree).toBeUndefined();
  });

  it('keeps a 200,000-path report under 10 MB', () => {
    const removed: ReportedPath[] = [];
    const kept: ReportedPath[] = [];
    for (let i = 0; i < 200_000; i++) {
      const path = `/usr/share/p${i % 97}/s${(i >> 3) % 31}/t${(i >> 5) % 13}/file-${i}.dat`;
      (i % 4 === 0 ? kept : removed).push({
        path,
        size: 100 + ((i * 7919) % 50_000),
        reason: i % 4 === 0 ? 'elf-needed' : i % 3 ? 'docs' : 'unreachable',
        ...(i % 4 === 0 ? { detail: `DT_NEEDED of /usr/bin/tool${i % 50}` } : {}),
      });
    }
    const report: SlimReport = {
      ...base(),
      removed,
      minimal: { level: 'minimal', kept, keptByReason: { 'elf-needed': { files: kept.length, bytes: 1 } } },
    };
    const all = [...removed, ...kept];
    const tree = treeMapOf(
      [0, 1, 2].map((layer) => all.filter((f) => f.path.length % 3 === layer)),
      removed,
    );
    const started = performance.now();
    const html = renderSlimHtml(report, { tree });
    const ms = performance.now() - started;
    console.log(
      `200k paths: ${(html.length / 1e6).toFixed(2)} MB of HTML with the treemap, ${ms.toFixed(0)} ms`,
    );
    expect(html).toContain('id="fsview"');
    expect(html.length).toBeLessThan(10_000_000);
  });
});
