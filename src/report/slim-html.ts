/**
 * `pare slim --format html`: one self-contained page with the before/after
 * sizes (compressed, uncompressed, and `docker images` sizes when the proof
 * ran), the per-layer comparison (each output layer under the input layers
 * merged into it, bars in proportion), the removed bytes per reason, the
 * proof (probe answers, verdict, stricter checks, a minimal run's fallback
 * and missing paths) and the removed and kept path tables. The charts are
 * plain markup; the tables are drawn by html/slim-client.ts, virtualised so
 * a 200,000-path report stays usable (see there).
 */
import type { TreeMapNode } from '../analyze/tree-map.js';
import type { ReasonTally, ReportedPath } from '../reach/paths.js';
import { type ReportedLayer, type SlimReport, storageName } from '../slim/report.js';
import { formatBytes } from '../util/bytes.js';
import { VERSION } from '../version.js';
import { escapeHtml } from './html/escape.js';
import { renderPage } from './html/page.js';
import { SLIM_CSS, SLIM_JS } from './html/slim-client.js';
import { treemapView } from './html/treemap-view.js';
import { ratio } from './size-change.js';

/** One path: [index into dirs, name, size, index into reasons, index into details when it has one]. */
export type EncodedPath = [dir: number, name: string, size: number, reason: number, detail?: number];

/**
 * The path lists, compact: directories, reasons and details are stored once
 * and referenced by index: about 40 bytes a path (8 MB for 200,000).
 * `dirs[dir] + name` is the path exactly (dirs keep their trailing slash).
 */
export interface EncodedPaths {
  dirs: string[];
  reasons: string[];
  details: string[];
  removed: EncodedPath[];
  kept?: EncodedPath[];
}

/** A findings row of the treemap view: one removal reason, its largest paths linked to the treemap. */
export interface RemovalFinding {
  title: string;
  hint: string;
  paths: string[];
  bytes: number;
}

export interface SlimHtmlData {
  tool: { name: 'pare'; version: string };
  /**
   * The treemap view (html/client.ts, the same as inspect's): the input's final
   * filesystem, removed bytes hatched, coloured by input layer. Present when the
   * slim run returned its tree.
   */
  tree?: TreeMapNode;
  layers?: Array<{ index: number; instruction: string; contentBytes: number; compressedBytes: number }>;
  leftovers?: RemovalFinding[];
  slimReport: {
    reference: string;
    source: SlimReport['source'];
    output: SlimReport['output'];
    removedBytes: number;
    paths: EncodedPaths;
  };
}

export function encodePaths(removed: readonly ReportedPath[], kept?: readonly ReportedPath[]): EncodedPaths {
  const dirs: string[] = [];
  const reasons: string[] = [];
  const details: string[] = [];
  const index = (list: string[], map: Map<string, number>, key: string) => {
    let i = map.get(key);
    if (i === undefined) {
      i = list.length;
      list.push(key);
      map.set(key, i);
    }
    return i;
  };
  const dirMap = new Map<string, number>();
  const reasonMap = new Map<string, number>();
  const detailMap = new Map<string, number>();
  const encode = (p: ReportedPath): EncodedPath => {
    const slash = p.path.lastIndexOf('/');
    const row: EncodedPath = [
      index(dirs, dirMap, p.path.slice(0, slash + 1)),
      p.path.slice(slash + 1),
      p.size,
      index(reasons, reasonMap, p.reason),
    ];
    if (p.detail) row.push(index(details, detailMap, p.detail));
    return row;
  };
  const encoded: EncodedPaths = { dirs, reasons, details, removed: removed.map(encode) };
  if (kept) encoded.kept = kept.map(encode);
  return encoded;
}

/** Paths of each removal reason the findings list links, largest first. */
const PATHS_PER_REASON = 8;

export function slimHtmlData(report: SlimReport, view: SlimHtmlView = {}): SlimHtmlData {
  return {
    tool: { name: 'pare', version: VERSION },
    ...(view.tree ? treemapData(report, view.tree) : {}),
    slimReport: {
      reference: report.source.reference,
      source: report.source,
      output: report.output,
      removedBytes: report.removedBytes,
      paths: encodePaths(report.removed, report.minimal?.kept),
    },
  };
}

/** The same hue per layer index as the inspect page's treemap. */
function layerColor(index: number): string {
  const hue = (index * 137.508 + 200) % 360;
  return `hsl(${hue.toFixed(0)},62%,${index % 2 ? '72%' : '62%'})`;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export interface SlimHtmlView {
  /** The input's final filesystem as a tree map (SlimResult.treeMap): adds the treemap view. */
  tree?: TreeMapNode;
}

function treemapData(
  report: SlimReport,
  tree: TreeMapNode,
): Pick<SlimHtmlData, 'tree' | 'layers' | 'leftovers'> {
  const byReason = new Map<string, ReportedPath[]>();
  for (const path of report.removed) {
    const list = byReason.get(path.reason) ?? [];
    list.push(path);
    byReason.set(path.reason, list);
  }
  const leftovers = [...byReason]
    .map(([reason, paths]): RemovalFinding => {
      const tally = report.removedByReason[reason];
      const largest = [...paths].sort((a, b) => b.size - a.size).slice(0, PATHS_PER_REASON);
      return {
        title: `${reason}: ${paths.length} path${paths.length === 1 ? '' : 's'} removed`,
        hint:
          paths.length > largest.length ? `the ${largest.length} largest; all in Removed paths below` : '',
        paths: largest.map((p) => p.path),
        bytes: tally?.bytes ?? paths.reduce((sum, p) => sum + p.size, 0),
      };
    })
    .sort((a, b) => b.bytes - a.bytes);
  return {
    tree,
    layers: report.layers.before.map((layer, index) => ({
      index,
      instruction: layer.createdBy ?? '',
      contentBytes: layer.uncompressedBytes ?? layer.compressedBytes,
      compressedBytes: layer.compressedBytes,
    })),
    leftovers,
  };
}

export function renderSlimHtml(report: SlimReport, view: SlimHtmlView = {}): string {
  const data = slimHtmlData(report, view);
  const fig = (label: string, value: string, id: string, bytes?: number, cls = '') =>
    `<span class="fig ${cls}" id="${id}"${bytes === undefined ? '' : ` data-bytes="${bytes}"`}>${escapeHtml(label)} <b>${escapeHtml(value)}</b></span>`;
  const change = (a: number, b: number) =>
    `${formatBytes(a)} → ${formatBytes(b)}${ratio(b, a) ? ` (${ratio(b, a)})` : ''}`;

  // Like with like: the tars on both sides first, then the layers as each side stores them.
  const figs: string[] = [
    fig(
      'uncompressed',
      change(report.source.uncompressedBytes, report.output.uncompressedBytes),
      'fig-uncompressed',
      report.output.uncompressedBytes,
    ),
    fig(
      `as stored (${storageName(report.source.compression)} → ${storageName(report.output.compression)})`,
      change(report.source.compressedBytes, report.output.compressedBytes),
      'fig-compressed',
      report.output.compressedBytes,
    ),
  ];
  const engine = report.probe?.engineSize;
  if (engine)
    figs.push(fig('docker images', change(engine.original, engine.slim), 'fig-engine', engine.slim));
  figs.push(fig('layers', `${report.source.layers} → ${report.output.layers}`, 'fig-layers'));
  figs.push(
    fig(
      'removed',
      `${report.removed.length} files, ${formatBytes(report.removedBytes)}`,
      'fig-removed',
      report.removedBytes,
      'wasted',
    ),
  );
  if (report.minimal) figs.push(fig('level', report.minimal.level, 'fig-level'));
  if (report.probe) {
    figs.push(
      report.probe.same
        ? `<span class="fig ok" id="fig-verdict">same behaviour</span>`
        : `<span class="fig wasted" id="fig-verdict">behaves differently</span>`,
    );
  } else {
    figs.push(`<span class="fig muted" id="fig-verdict">not probed</span>`);
  }

  const sections = [
    ...(data.tree
      ? [
          `<section id="fsview"><h2>Filesystem before slimming: removed bytes hatched, colours by input layer</h2>
<div class="tmgrid">${treemapView(
            {
              findings: 'Removed, by reason',
              treemap: "Treemap of the input's final filesystem, removed bytes hatched",
              noTree: '',
            },
            true,
          )}</div></section>`,
        ]
      : []),
    layerSection(report),
    reasonSection('Removed bytes per reason', 'removed-by-reason', 'reason', report.removedByReason),
  ];
  if (report.minimal)
    sections.push(
      reasonSection('Kept bytes per reason', 'kept-by-reason', 'kept', report.minimal.keptByReason),
    );
  sections.push(proofSection(report));
  sections.push(pathSection('removed', 'Removed paths', report.removed));
  if (report.minimal) sections.push(pathSection('kept', 'Kept paths', report.minimal.kept));

  const body = `<style>${SLIM_CSS}</style>
<header>
<h1>pare slim ${escapeHtml(report.source.reference)}</h1>
${figs.join('\n')}
<span class="muted">pare ${escapeHtml(VERSION)}</span>
</header>
<div class="slim">
${sections.join('\n')}
<noscript><p class="muted">The path tables need JavaScript; the JSON report (--report) lists every path.</p></noscript>
</div>`;
  return renderPage({ title: `pare slim ${report.source.reference}`, body, data, script: SLIM_JS });
}

function bar(options: {
  classes: string;
  attributes: string;
  name: string;
  title?: string;
  bytes: number;
  max: number;
  label: string;
  color?: string;
}): string {
  const width = options.max > 0 ? (100 * options.bytes) / options.max : 0;
  const style = `width:${width.toFixed(2)}%${options.color ? `;background:${options.color}` : ''}`;
  return `<div class="brow ${options.classes}" ${options.attributes} data-bytes="${options.bytes}">
<div class="name" title="${escapeHtml(options.title ?? options.name)}">${escapeHtml(options.name)}</div>
<div class="track" role="img" aria-label="${escapeHtml(`${options.name}: ${options.label}`)}"><div class="fill bar" style="${style}"></div></div>
<div class="label">${escapeHtml(options.label)}</div>
</div>`;
}

function layerSection(report: SlimReport): string {
  const { before, after } = report.layers;
  const totalBefore = sum(before.map((l) => l.compressedBytes));
  const totalAfter = sum(after.map((l) => l.compressedBytes));
  const maxTotal = Math.max(1, totalBefore, totalAfter);
  const stacked = (side: 'before' | 'after', layers: ReportedLayer[], total: number) => {
    const segments = layers
      .map(
        (l, i) =>
          `<div class="seg" style="width:${((100 * l.compressedBytes) / maxTotal).toFixed(2)}%;background:${layerColor(i)}" title="${escapeHtml(
            `layer ${i}: ${formatBytes(l.compressedBytes)}${l.createdBy ? `\n${l.createdBy}` : ''}`,
          )}"></div>`,
      )
      .join('');
    const label = `${formatBytes(total)} · ${layers.length} layers`;
    return `<div class="brow total" data-side="${side}" data-bytes="${total}">
<div class="name">${side}</div>
<div class="track" role="img" aria-label="${escapeHtml(`${side}: ${label}`)}">${segments}</div>
<div class="label">${escapeHtml(label)}</div>
</div>`;
  };

  const max = Math.max(1, ...before.map((l) => l.compressedBytes), ...after.map((l) => l.compressedBytes));
  const inputBar = (l: ReportedLayer, i: number) =>
    bar({
      classes: 'in',
      attributes: `data-layer="${i}"`,
      name: `#${i} ${l.createdBy ?? '(no history)'}`,
      bytes: l.compressedBytes,
      max,
      label: `${formatBytes(l.compressedBytes)}${
        l.uncompressedBytes === undefined ? '' : ` (${formatBytes(l.uncompressedBytes)} uncompressed)`
      }`,
      color: layerColor(i),
    });
  const outputBar = (l: ReportedLayer, g: number, inputs: number | undefined) =>
    bar({
      classes: 'out',
      attributes: `data-out="${g}"`,
      name: `→ output layer ${g}`,
      title: l.createdBy ?? `output layer ${g}`,
      bytes: l.compressedBytes,
      max,
      label: `${formatBytes(l.compressedBytes)}${
        l.uncompressedBytes === undefined ? '' : ` (${formatBytes(l.uncompressedBytes)} uncompressed)`
      }${inputs ? ` · ${ratio(l.compressedBytes, inputs) || 'empty'}` : ''}`,
    });

  const groups = report.layerGroups;
  const aligned =
    groups.length === after.length &&
    groups.every(
      ([a, b], g) => a <= b && b < before.length && (g === 0 ? a === 0 : a === groups[g - 1]![1] + 1),
    ) &&
    (groups.length === 0 || groups[groups.length - 1]![1] === before.length - 1);
  let rows: string;
  if (aligned) {
    rows = groups
      .map(([a, b], g) => {
        const inputs = before.slice(a, b + 1);
        return `<div class="lgroup" data-group="${g}">
${inputs.map((l, k) => inputBar(l, a + k)).join('\n')}
${outputBar(after[g]!, g, sum(inputs.map((l) => l.compressedBytes)))}
</div>`;
      })
      .join('\n');
  } else {
    rows = `${before.map(inputBar).join('\n')}\n${after.map((l, g) => outputBar(l, g, undefined)).join('\n')}`;
  }
  const stored = before.length > 0 && before.every((l) => l.uncompressedBytes === l.compressedBytes);
  return `<section><h2>Size per layer (${stored ? "as stored: the input's layers are uncompressed" : 'compressed'})</h2>
<div class="chart" id="layer-totals">
${stacked('before', before, totalBefore)}
${stacked('after', after, totalAfter)}
</div>
<div class="chart" id="layer-chart">
${rows}
</div></section>`;
}

function reasonSection(title: string, id: string, cls: string, tallies: Record<string, ReasonTally>): string {
  const entries = Object.entries(tallies).sort((a, b) => b[1].bytes - a[1].bytes);
  if (entries.length === 0)
    return `<section><h2>${escapeHtml(title)}</h2><p class="muted" id="${id}">nothing</p></section>`;
  const max = Math.max(1, ...entries.map(([, t]) => t.bytes));
  return `<section><h2>${escapeHtml(title)}</h2><div class="chart" id="${id}">
${entries
  .map(([reason, t]) =>
    bar({
      classes: cls,
      attributes: `data-reason="${escapeHtml(reason)}"`,
      name: reason,
      bytes: t.bytes,
      max,
      label: `${formatBytes(t.bytes)} · ${t.files} ${t.files === 1 ? 'file' : 'files'}`,
    }),
  )
  .join('\n')}
</div></section>`;
}

/** Missing paths shown in the page; the JSON report has all of them. */
const MISSING_SHOWN = 500;

function proofSection(report: SlimReport): string {
  const parts: string[] = [];
  const probe = report.probe;
  if (probe) {
    const rows = [
      ['probe', probe.spec],
      ['original', probe.original],
      ['slim', probe.slim],
    ].map(([k, v]) => `<tr><th>${escapeHtml(k!)}</th><td>${escapeHtml(v!)}</td></tr>`);
    rows.push(
      `<tr><th>verdict</th><td id="verdict" class="${probe.same ? 'ok' : 'wasted'}">${escapeHtml(
        probe.same ? 'same behaviour' : `behaves differently${probe.why ? `: ${probe.why}` : ''}`,
      )}</td></tr>`,
    );
    if (probe.engineSize) {
      rows.push(
        `<tr><th>docker images</th><td>${escapeHtml(
          `${formatBytes(probe.engineSize.original)} → ${formatBytes(probe.engineSize.slim)}`,
        )}</td></tr>`,
      );
    }
    parts.push(`<table id="probe"><tbody>${rows.join('')}</tbody></table>`);
    if (probe.checks?.length) {
      parts.push(
        `<h2>Checks</h2><table id="checks"><tbody>${probe.checks
          .map(
            (c) =>
              `<tr><td class="${c.ok ? 'ok' : 'wasted'}">${c.ok ? '✓' : '✗'}</td><td>${escapeHtml(c.name)}</td><td>${escapeHtml(
                c.detail,
              )}</td></tr>`,
          )
          .join('')}</tbody></table>`,
      );
    }
  } else {
    parts.push(
      `<p class="muted" id="probe">Not probed: the original and the slim image did not both run (slim docker-daemon:NAME with --tag or --verify).</p>`,
    );
  }
  const minimal = report.minimal;
  if (minimal?.fallbackReason) {
    parts.push(
      `<p class="wasted" id="fallback">The minimal image failed its proof; the written image is at the ${escapeHtml(
        minimal.level,
      )} level: ${escapeHtml(minimal.fallbackReason)}</p>`,
    );
  }
  if (minimal?.missing?.length) {
    const shown = minimal.missing.slice(0, MISSING_SHOWN);
    const more = minimal.missing.length - shown.length;
    parts.push(
      `<h2>Missing in the slim image (${minimal.missing.length})</h2><ul id="missing">${shown
        .map((p) => `<li class="instr">${escapeHtml(p)}</li>`)
        .join('')}${more > 0 ? `<li class="muted">… and ${more} more (in the JSON report)</li>` : ''}</ul>`,
    );
  }
  return `<section><h2>Proof</h2>${parts.join('\n')}</section>`;
}

function pathSection(kind: 'removed' | 'kept', title: string, paths: readonly ReportedPath[]): string {
  const bytes = sum(paths.map((p) => p.size));
  return `<section id="${kind}"><h2>${escapeHtml(title)} (${paths.length}, ${escapeHtml(formatBytes(bytes))})</h2>
<div class="pbar"><input id="${kind}-search" type="search" placeholder="Search paths… ( / )" aria-label="Search ${kind} paths" autocomplete="off">
<select id="${kind}-reason" aria-label="Filter ${kind} paths by reason"></select>
<span id="${kind}-count" class="muted"></span></div>
<div class="prow phead" role="row"><button data-sort="path" role="columnheader">path</button><button data-sort="size" class="num" role="columnheader">size</button><span role="columnheader">reason</span></div>
<div class="vlist" id="${kind}-rows" tabindex="0" role="table" aria-label="${escapeHtml(title)}: arrows or j/k move, / searches"></div>
</section>`;
}
