/**
 * The filesystem view every report page can show: the zoomable treemap with
 * its search and breadcrumbs on the left, the layers (click to filter), the
 * findings linked to their paths and the focused directory's contents on the
 * right. The markup only; html/client.ts draws it from the page data's
 * `tree`, `layers` and `leftovers`, and the element ids are what it looks up,
 * so a page holds at most one view.
 */
import { escapeHtml } from './escape.js';

export interface TreemapViewLabels {
  /** Heading of the findings list (inspect: "Leftovers"; slim: what it removed). */
  findings: string;
  /** What the treemap shows, for screen readers. */
  treemap: string;
  /** Shown instead of the treemap when the data has no tree. */
  noTree: string;
}

export function treemapView(labels: TreemapViewLabels, hasTree: boolean): string {
  return `<section id="left">
<div id="bar"><div id="crumbs"></div><span>total <b id="total" data-bytes="0"></b></span>
<input id="search" type="search" placeholder="Search paths…" aria-label="Search paths"></div>
<div id="results"></div>
<div id="treemap" tabindex="0" aria-label="${escapeHtml(labels.treemap)}; arrows select, Enter opens, Escape goes up">${
    hasTree ? '' : `<p class="muted" style="padding:8px">${escapeHtml(labels.noTree)}</p>`
  }</div>
</section>
<aside id="right">
<h2>Layers <button id="clear" hidden>show all</button></h2>
<table><thead><tr><th>#</th><th class="num">size</th><th class="num">in final</th><th>instruction</th></tr></thead><tbody id="layers"></tbody></table>
<h2>${escapeHtml(labels.findings)}</h2>
<table><tbody id="leftovers"></tbody></table>
<h2>Contents <button id="sort">sort: size</button></h2>
<table><thead><tr><th>name</th><th class="num">bytes</th><th class="num">layer</th></tr></thead><tbody id="list"></tbody></table>
</aside>`;
}
