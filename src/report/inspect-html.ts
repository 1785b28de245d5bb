/**
 * `pare inspect --format html`: one self-contained page with a zoomable
 * treemap of the final filesystem (coloured by the layer that wrote the
 * bytes, leftovers hatched), the layers, the leftovers linked to their paths,
 * search and keyboard navigation. The treemap is `result.treeMap`
 * (inspectImage with the `treeMap` option).
 */
import type { BudgetCheck } from '../analyze/budgets.js';
import type { InspectResult } from '../analyze/inspect.js';
import type { TreeMapNode } from '../analyze/tree-map.js';
import { formatBytes } from '../util/bytes.js';
import { VERSION } from '../version.js';
import { escapeHtml } from './html/escape.js';
import { renderPage } from './html/page.js';
import { treemapView } from './html/treemap-view.js';

export interface InspectHtmlData {
  tool: { name: 'pare'; version: string };
  image: InspectResult['image'];
  size: InspectResult['size'];
  layers: Array<
    Pick<
      InspectResult['layers'][number],
      | 'index'
      | 'instruction'
      | 'contentBytes'
      | 'compressedBytes'
      | 'wastedBytes'
      | 'dockerfile'
      | 'digest'
      | 'added'
      | 'modified'
      | 'removed'
      | 'removedPaths'
    >
  >;
  leftovers: InspectResult['leftovers'];
  tree: TreeMapNode | null;
}

export function inspectHtmlData(result: InspectResult): InspectHtmlData {
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
      added: l.added,
      modified: l.modified,
      removed: l.removed,
      ...(l.removedPaths ? { removedPaths: l.removedPaths } : {}),
      ...(l.dockerfile ? { dockerfile: l.dockerfile } : {}),
    })),
    leftovers: result.leftovers,
    tree: result.treeMap ?? null,
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
<main class="tmgrid">
${treemapView(
  {
    findings: 'Leftovers',
    treemap: 'Treemap of the final filesystem',
    noTree: 'No tree in this result.',
  },
  data.tree !== null,
)}
</main>`;
  return renderPage({ title: `pare inspect ${result.image.reference}`, body, data });
}
