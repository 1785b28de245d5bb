/**
 * `pare optimize --format html`: one self-contained page with the before/after
 * comparison as a horizontal bar chart (one bar per measured candidate, SI
 * sizes and "Nx smaller" against the original, like the `docker images` tables
 * of the articles in knowledge/articles), the bytes each layer added per
 * candidate (when the result has them), the probe verdict per candidate, what
 * each change saved, the rule fixes and conversion notes, the failures and the
 * winning Dockerfile. The chart is plain markup (no script needed), so it reads
 * the same in any browser and in the saved file.
 */
import type { InspectResult } from '../analyze/inspect.js';
import type { CandidateOutcome, OptimizeResult } from '../optimize/optimize.js';
import { formatBytes } from '../util/bytes.js';
import { VERSION } from '../version.js';
import { escapeHtml } from './html/escape.js';
import { renderPage } from './html/page.js';
import { treemapView } from './html/treemap-view.js';
import { type InspectHtmlData, inspectHtmlData } from './inspect-html.js';
import { ratio } from './size-change.js';

export interface OptimizeHtmlCandidate {
  name: string;
  label: string;
  bytes: number | null;
  layers: number | null;
  verdict: 'ok' | 'failed' | 'not probed' | 'unknown';
  chosen: boolean;
}

export interface OptimizeHtmlData extends Partial<Pick<InspectHtmlData, 'tree' | 'layers' | 'leftovers'>> {
  tool: { name: 'pare'; version: string };
  /** Not `optimize`: the shared client code has its own (differently shaped) hook under that key. */
  comparison: {
    dockerfile: string;
    chosen: string;
    originalBytes: number | null;
    candidates: OptimizeHtmlCandidate[];
  };
}

const OPTIMIZE_CSS = `
.opt{max-width:1100px;padding:8px 16px 32px}
.opt section{margin-bottom:8px}
.chart{display:flex;flex-direction:column;gap:6px;margin-top:6px}
.brow{display:grid;grid-template-columns:minmax(120px,220px) minmax(0,1fr) minmax(180px,260px);gap:10px;align-items:center}
.brow .name{word-break:break-all}
.brow .track{height:20px;background:var(--panel);border:1px solid var(--line);position:relative}
.brow .fill{height:100%;background:var(--accent)}
.brow.orig .fill{background:var(--muted)}
.brow.chosen .name{font-weight:600}
.brow.failed .fill{background:var(--waste);opacity:.6}
.brow .label{font-variant-numeric:tabular-nums;white-space:nowrap}
.brow .seg{height:100%;border-right:1px solid rgba(0,0,0,.3)}
.brow .track.stack{display:flex}
.lgroup details{margin:2px 0 6px 0}
.lgroup summary{cursor:pointer;color:var(--muted)}
.lbar{display:grid;grid-template-columns:minmax(160px,420px) minmax(0,1fr) 90px;gap:10px;align-items:center;margin:2px 0}
.lbar .step{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.lbar .track{height:12px;background:var(--panel);border:1px solid var(--line)}
.lbar .fill{height:100%}
.lbar .num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#16a34a}
pre{background:var(--panel);border:1px solid var(--line);padding:8px;overflow:auto;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre}
ul{margin:4px 0;padding-left:20px}
`;

export interface OptimizeHtmlView {
  /** The kept image read back and inspected with its tree map: adds the treemap view of its filesystem. */
  image?: InspectResult;
}

export function optimizeHtmlData(result: OptimizeResult, view: OptimizeHtmlView = {}): OptimizeHtmlData {
  const original = result.candidates.find((c) => c.name === 'original');
  const inspected = view.image?.treeMap ? inspectHtmlData(view.image) : undefined;
  return {
    tool: { name: 'pare', version: VERSION },
    ...(inspected ? { tree: inspected.tree, layers: inspected.layers, leftovers: inspected.leftovers } : {}),
    comparison: {
      dockerfile: result.dockerfile,
      chosen: result.chosen,
      originalBytes: original?.measurement?.size ?? null,
      candidates: result.candidates.map((c) => ({
        name: c.name,
        label: candidateLabel(c),
        bytes: c.measurement?.size ?? null,
        layers: c.measurement?.layers ?? null,
        verdict: verdict(c),
        chosen: isChosen(result, c),
      })),
    },
  };
}

export function renderOptimizeHtml(result: OptimizeResult, view: OptimizeHtmlView = {}): string {
  const data = optimizeHtmlData(result, view);
  const originalBytes = data.comparison.originalBytes;
  const max = Math.max(1, ...result.candidates.map((c) => c.measurement?.size ?? 0));
  const fig = (label: string, value: string, cls = '') =>
    `<span class="fig ${cls}">${escapeHtml(label)} <b>${escapeHtml(value)}</b></span>`;

  const chosen = result.candidates.find((c) => isChosen(result, c));
  const chosenBytes = chosen?.measurement?.size;
  const headerFigs: string[] = [];
  if (originalBytes !== null) headerFigs.push(fig('original', formatBytes(originalBytes)));
  if (result.chosen !== 'original' && chosenBytes !== undefined && originalBytes !== null) {
    headerFigs.push(fig(candidateLabel(chosen!), formatBytes(chosenBytes)));
    headerFigs.push(
      fig('saved', `${formatBytes(originalBytes - chosenBytes)} (${ratio(chosenBytes, originalBytes)})`),
    );
  }

  const bars = result.candidates
    .map((c) => {
      const size = c.measurement?.size;
      const classes = ['brow'];
      if (c.name === 'original') classes.push('orig');
      if (isChosen(result, c)) classes.push('chosen');
      if (c.failure) classes.push('failed');
      const width = size === undefined ? 0 : (100 * size) / max;
      const label =
        size === undefined
          ? c.failure
            ? `${c.failure.step} failed`
            : 'not measured'
          : `${formatBytes(size)}${c.measurement ? ` · ${c.measurement.layers} layers` : ''}${
              c.name !== 'original' && originalBytes !== null && ratio(size, originalBytes)
                ? ` · ${ratio(size, originalBytes)}`
                : ''
            }`;
      return `<div class="${classes.join(' ')}" data-candidate="${escapeHtml(c.name)}"${
        size === undefined ? '' : ` data-bytes="${size}"`
      }>
<div class="name">${escapeHtml(candidateLabel(c))}${isChosen(result, c) ? ' ✓' : ''}</div>
<div class="track" role="img" aria-label="${escapeHtml(`${candidateLabel(c)}: ${label}`)}">${
        size === undefined ? '' : `<div class="fill bar" style="width:${width.toFixed(2)}%"></div>`
      }</div>
<div class="label">${escapeHtml(label)}</div>
</div>`;
    })
    .join('\n');

  const layerChart = renderLayerChart(result);

  const verdictRows = result.candidates
    .map((c) => {
      const v = verdict(c);
      const text = c.attributionOnly
        ? 'not probed (measured for attribution)'
        : c.failure
          ? `${c.failure.step} failed: ${c.failure.message}`
          : c.probe
            ? `${c.probe.ok ? 'ok' : 'differs'}: ${c.probe.summary}`
            : '-';
      const cls = v === 'ok' ? 'ok' : v === 'failed' ? 'wasted' : 'muted';
      return `<tr><td>${escapeHtml(candidateLabel(c))}</td><td class="${cls}">${escapeHtml(text)}</td></tr>`;
    })
    .join('\n');

  const list = (items: string[]) => `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
  const sections: string[] = [];
  if (result.contributions.length > 0) {
    sections.push(
      `<section><h2>What each change saved</h2><table><tbody>${result.contributions
        .map(
          (c) =>
            `<tr><td class="num">${escapeHtml(formatBytes(c.bytes))}</td><td>${escapeHtml(c.change)}</td></tr>`,
        )
        .join('')}</tbody></table></section>`,
    );
  }
  if (result.fixes.length > 0)
    sections.push(`<section><h2>Rule fixes (${result.fixes.length})</h2>${list(result.fixes)}</section>`);
  if (result.conversion.length > 0)
    sections.push(`<section><h2>Multi-stage conversion</h2>${list(result.conversion)}</section>`);
  if (result.dockerignore) {
    sections.push(
      `<section><h2>.dockerignore</h2><p>excludes ${escapeHtml(result.dockerignore.added.join(', '))} (${escapeHtml(
        formatBytes(result.dockerignore.bytesExcluded),
      )} of the context)</p></section>`,
    );
  }
  const failures = result.candidates.filter((c) => c.failure);
  if (failures.length > 0) {
    sections.push(
      `<section><h2>Failures</h2>${failures
        .map(
          (c) =>
            `<p class="wasted">${escapeHtml(`${candidateLabel(c)}: ${c.failure!.step} failed: ${c.failure!.message}`)}</p>${
              c.failure!.log?.length ? `<pre>${escapeHtml(c.failure!.log.join('\n'))}</pre>` : ''
            }`,
        )
        .join('\n')}</section>`,
    );
  }
  const winner =
    result.chosen === 'original'
      ? `<section><h2>Result</h2><p>${
          result.candidates.some((c) => c.name !== 'original')
            ? 'No candidate both passed the probe and came out smaller; nothing was written.'
            : 'No candidate could be made, so none was built; nothing was written.'
        }</p>${(result.notMade ?? []).map((reason) => `<p class="muted">not made: ${escapeHtml(reason)}</p>`).join('')}</section>`
      : `<section><h2>Winning Dockerfile: ${escapeHtml(candidateLabel(chosen ?? { name: result.chosen }))}${
          result.output ? ` <span class="muted">(written to ${escapeHtml(result.output)})</span>` : ''
        }</h2><pre id="dockerfile">${escapeHtml(chosen?.dockerfile ?? '')}</pre></section>${
          chosen?.keepList
            ? `<section><h2>Its keep list <span class="muted">(written to ${escapeHtml(chosen.keepList.path)})</span></h2><pre id="keep-list">${escapeHtml(chosen.keepList.text)}</pre></section>`
            : ''
        }`;

  const body = `<style>${OPTIMIZE_CSS}</style>
<header>
<h1>pare optimize ${escapeHtml(result.dockerfile)}</h1>
${headerFigs.join('\n')}
<span class="muted">pare ${escapeHtml(VERSION)}</span>
</header>
<div class="opt">
<section><h2>Image size per Dockerfile</h2><div class="chart" id="compare">
${bars}
</div></section>
${layerChart}
${
  data.tree
    ? `<section id="fsview"><h2>Filesystem of the ${escapeHtml(
        candidateLabel(chosen ?? { name: result.chosen }),
      )} image, coloured by layer, leftovers hatched</h2>
<div class="tmgrid">${treemapView(
        {
          findings: 'Leftovers',
          treemap: `Treemap of the ${candidateLabel(chosen ?? { name: result.chosen })} image's filesystem`,
          noTree: '',
        },
        true,
      )}</div></section>`
    : ''
}
<section><h2>Probe (${escapeHtml(result.probe.kind)})</h2><table><tbody>
${verdictRows}
</tbody></table></section>
${sections.join('\n')}
${winner}
</div>`;
  return renderPage({ title: `pare optimize ${result.dockerfile}`, body, data });
}

/** The same hue per layer index as the inspect page's treemap. */
function layerColor(index: number): string {
  const hue = (index * 137.508 + 200) % 360;
  return `hsl(${hue.toFixed(0)},62%,${index % 2 ? '72%' : '62%'})`;
}

/**
 * Per measured candidate, the bytes each build step added (from `docker history`): one stacked bar
 * per candidate on a common scale, and each layer as its own bar below it. Empty for reports
 * without layer sizes.
 */
function renderLayerChart(result: OptimizeResult): string {
  const measured = result.candidates.filter((c) => c.measurement?.layerSizes?.length);
  if (measured.length === 0) return '';
  const totalOf = (c: CandidateOutcome) => c.measurement!.layerSizes!.reduce((sum, l) => sum + l.size, 0);
  const maxTotal = Math.max(1, ...measured.map(totalOf));
  const maxLayer = Math.max(1, ...measured.flatMap((c) => c.measurement!.layerSizes!.map((l) => l.size)));
  const groups = measured.map((c) => {
    const layers = c.measurement!.layerSizes!;
    const total = totalOf(c);
    const label = `${formatBytes(total)} · ${layers.length} ${layers.length === 1 ? 'layer' : 'layers'} with bytes`;
    const segments = layers
      .map(
        (l, i) =>
          `<div class="seg" data-layer="${i}" data-bytes="${l.size}" style="width:${((100 * l.size) / maxTotal).toFixed(2)}%;background:${layerColor(i)}" title="${escapeHtml(
            `layer ${i}: ${formatBytes(l.size)}\n${l.createdBy}`,
          )}"></div>`,
      )
      .join('');
    const rows = layers
      .map(
        (l, i) => `<div class="lbar" data-layer="${i}" data-bytes="${l.size}">
<div class="step" title="${escapeHtml(l.createdBy)}">${escapeHtml(`#${i} ${l.createdBy}`)}</div>
<div class="track"><div class="fill" style="width:${((100 * l.size) / maxLayer).toFixed(2)}%;background:${layerColor(i)}"></div></div>
<div class="num">${escapeHtml(formatBytes(l.size))}</div>
</div>`,
      )
      .join('\n');
    const classes = ['brow', 'lgroup-total'];
    if (c.name === 'original') classes.push('orig');
    if (isChosen(result, c)) classes.push('chosen');
    return `<div class="lgroup" data-candidate="${escapeHtml(c.name)}"${c.attributionOnly ? ' data-attribution="true"' : ''}>
<div class="${classes.join(' ')}">
<div class="name">${escapeHtml(candidateLabel(c))}${isChosen(result, c) ? ' ✓' : ''}</div>
<div class="track stack" role="img" aria-label="${escapeHtml(`${candidateLabel(c)}: ${label}`)}">${segments}</div>
<div class="label">${escapeHtml(label)}</div>
</div>
<details${c.name === 'original' || isChosen(result, c) ? ' open' : ''}><summary>layers of ${escapeHtml(candidateLabel(c))}</summary>
${rows}
</details>
</div>`;
  });
  return `<section><h2>Size per layer (bytes each build step added)</h2><div class="chart" id="layer-chart">
${groups.join('\n')}
</div></section>`;
}

function candidateLabel(c: Pick<CandidateOutcome, 'name' | 'attributionOnly'>): string {
  if (c.name === 'original') return 'original';
  const name = c.name === 'safe' ? 'safe fixes' : c.name;
  return c.attributionOnly ? `${name} (attribution)` : name;
}

function verdict(c: CandidateOutcome): OptimizeHtmlCandidate['verdict'] {
  if (c.attributionOnly) return 'not probed';
  if (c.failure) return 'failed';
  if (c.probe) return c.probe.ok ? 'ok' : 'failed';
  return 'unknown';
}

function isChosen(result: OptimizeResult, c: CandidateOutcome): boolean {
  return c.name === result.chosen && !c.attributionOnly;
}
