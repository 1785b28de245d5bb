/**
 * `pare inspect --format html`: one self-contained page with a zoomable
 * treemap of the final filesystem (coloured by the layer that wrote the
 * bytes, leftovers hatched), the layers, the leftovers linked to their paths,
 * search and keyboard navigation. The tree comes from `result.tree`, which
 * must be the full tree (inspectImage with an unlimited `tree` option).
 */
import type { BudgetCheck } from '../analyze/budgets.js';
import type { InspectResult } from '../analyze/inspect.js';
import { formatBytes } from '../util/bytes.js';
import { VERSION } from '../version.js';
import { escapeHtml } from './html/escape.js';
import { renderPage } from './html/page.js';
import { type AggregateOptions, aggregateTree, type HtmlTreeNode } from './html/tree-data.js';

/** Tree depth to ask inspectImage for, so the report sees every path. */
export const HTML_TREE_DEPTH = 4096;

export interface InspectHtmlData {
  tool: { name: 'pare'; version: string };
  image: InspectResult['image'];
  size: InspectResult['size'];
  layers: Array<
    Pick<
      InspectResult['layers'][number],
      'index' | 'instruction' | 'contentBytes' | 'compressedBytes' | 'wastedBytes' | 'dockerfile' | 'digest'
    >
  >;
  leftovers: InspectResult['leftovers'];
  tree: HtmlTreeNode | null;
}

export function inspectHtmlData(result: InspectResult, options: AggregateOptions = {}): InspectHtmlData {
  const leftoverPaths = result.leftovers.flatMap((f) => f.paths);
  return {
    tool: { name: 'pare', version: VERSION },
    image: result.image,
    size: result.size,
    layers: result.layers.map((l) => ({
      index: l.index,
      digest: l.digest,
      instruction: l.instruction,
      contentBytes: l.contentBytes,
      compressedBytes: l.compressedBytes,
      wastedBytes: l.wastedBytes,
      ...(l.dockerfile ? { dockerfile: l.dockerfile } : {}),
    })),
    leftovers: result.leftovers,
    tree: result.tree ? aggregateTree(result.tree, { leftoverPaths, ...options }) : null,
  };
}

export function renderInspectHtml(result: InspectResult, budgets?: BudgetCheck[]): string {
  const data = inspectHtmlData(result);
  const eff = result.efficiency.pare;
  const exceeded = (budgets ?? []).filter((b) => b.exceeded);
  const fig = (label: string, value: string, cls = '') =>
    `<span class="fig ${cls}">${escapeHtml(label)} <b>${escapeHtml(value)}</b></span>`;
  const body = `<header>
<h1>${escapeHtml(result.image.reference)}</h1>
${fig('final', formatBytes(result.size.finalBytes))}
${fig('compressed', formatBytes(result.size.compressedBytes))}
${fig('files', String(result.size.files))}
${fig('efficiency', `${(eff.efficiency * 100).toFixed(1)}%`)}
${fig('wasted', formatBytes(eff.wastedBytes), 'wasted')}
${fig('leftovers', formatBytes(result.leftoverBytes), 'wasted')}
${exceeded.map((b) => `<span class="fig wasted">budget exceeded: ${escapeHtml(b.message)}</span>`).join('\n')}
<span class="muted">pare ${escapeHtml(VERSION)}</span>
</header>
<main>
<section id="left">
<div id="bar"><div id="crumbs"></div><span>total <b id="total" data-bytes="0"></b></span>
<input id="search" type="search" placeholder="Search paths…" aria-label="Search paths"></div>
<div id="results"></div>
<div id="treemap" tabindex="0" aria-label="Treemap of the final filesystem; arrows select, Enter opens, Escape goes up">${
    data.tree ? '' : '<p class="muted" style="padding:8px">No tree in this result.</p>'
  }</div>
</section>
<aside id="right">
<h2>Layers <button id="clear" hidden>show all</button></h2>
<table><thead><tr><th>#</th><th class="num">size</th><th class="num">in final</th><th>instruction</th></tr></thead><tbody id="layers"></tbody></table>
<h2>Leftovers</h2>
<table><tbody id="leftovers"></tbody></table>
<h2>Contents <button id="sort">sort: size</button></h2>
<table><thead><tr><th>name</th><th class="num">bytes</th><th class="num">layer</th></tr></thead><tbody id="list"></tbody></table>
</aside>
</main>`;
  return renderPage({ title: `pare inspect ${result.image.reference}`, body, data });
}
