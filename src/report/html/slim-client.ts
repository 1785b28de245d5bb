/**
 * The slim report's browser code: the removed and kept path tables (search
 * by path, reason filter, sort by size or path, keyboard navigation). The
 * charts are plain markup and need none of this.
 *
 * The tables are virtualised: every path is in the page's data (a report of
 * 200,000 paths stays searchable in full), but only the rows in view (plus a
 * margin) exist in the DOM, so scrolling, sorting and filtering stay fast
 * where 200,000 table rows would take seconds to lay out and megabytes of
 * DOM. Rows have a fixed height, so a row's position is its index × height.
 * Sorting uses two orders computed once (size descending, path ascending);
 * a filter keeps the order it filters, and the other direction is the same
 * order read backwards. Plain ES2017, no template literals.
 */
export const SLIM_CSS = `
.slim{max-width:1200px;padding:8px 16px 32px}
.slim section{margin-bottom:10px}
.chart{display:flex;flex-direction:column;gap:4px;margin-top:6px}
.brow{display:grid;grid-template-columns:minmax(140px,360px) minmax(0,1fr) minmax(150px,220px);gap:10px;align-items:center}
.brow .name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11px}
.brow .track{height:16px;background:var(--panel);border:1px solid var(--line);display:flex}
.brow .fill{height:100%;background:var(--accent)}
.brow.in .fill{background:var(--muted)}
.brow.reason .fill{background:var(--waste)}
.brow.kept .fill{background:var(--accent)}
.brow.total .track{height:22px}
.brow .seg{height:100%;border-right:1px solid rgba(0,0,0,.3)}
.brow .label{font-variant-numeric:tabular-nums;white-space:nowrap}
.lgroup{border-left:3px solid var(--line);padding-left:6px;display:flex;flex-direction:column;gap:3px}
.ok{color:#16a34a}
.pbar{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:4px 0}
.pbar input{width:280px;padding:4px 6px;border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg)}
.pbar select{padding:3px 4px;border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg)}
.prow{display:grid;grid-template-columns:minmax(0,1fr) 90px minmax(120px,30%);gap:8px;align-items:center;height:24px;padding:0 6px;border-bottom:1px solid var(--line);cursor:pointer}
.prow>span{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.prow .p{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11px}
.prow .num{text-align:right;font-variant-numeric:tabular-nums}
.prow.sel{background:color-mix(in srgb,var(--accent) 22%,transparent)}
.phead{cursor:default;background:var(--panel);font-weight:600}
.phead button{border:0;background:none;padding:0;font:inherit;color:var(--fg);text-align:inherit;cursor:pointer}
.phead button[aria-sort]::after{content:" \\2193";color:var(--muted)}
.phead button[aria-sort=ascending]::after{content:" \\2191"}
.vlist{position:relative;max-height:60vh;min-height:24px;overflow:auto;border:1px solid var(--line);border-top:0;outline:none}
.vlist:focus-visible{outline:2px solid var(--accent)}
.vlist .win{position:absolute;left:0;right:0;top:0}
.vlist .empty{padding:4px 6px}
`;

export const SLIM_JS = `
(function(){
'use strict';
var all = JSON.parse(document.getElementById('pare-data').textContent);
var P = all.slimReport && all.slimReport.paths;
if (!P) return;
var ROW = 24;
var $ = function(id){ return document.getElementById(id); };
function fmt(n){ var u=['B','kB','MB','GB','TB']; var i=0; var x=Math.abs(n); while(x>=1000&&i<u.length-1){x/=1000;i++;} return (n<0?'-':'')+(i===0?String(x):x.toFixed(x<10?2:x<100?1:0))+' '+u[i]; }
function el(tag, cls, text){ var e=document.createElement(tag); if(cls) e.className=cls; if(text!==undefined) e.textContent=text; return e; }
var tables = [];
['removed','kept'].forEach(function(kind){ if (P[kind] && $(kind + '-rows')) tables.push(makeTable(kind, P[kind])); });
var active = tables[0] || null;

function makeTable(kind, rows){
  var n = rows.length, i;
  var paths = new Array(n), lower = null;
  for (i = 0; i < n; i++) paths[i] = P.dirs[rows[i][0]] + rows[i][1];
  var bySize = new Array(n), byPath;
  for (i = 0; i < n; i++) bySize[i] = i;
  byPath = bySize.slice();
  byPath.sort(function(a,b){ return paths[a] < paths[b] ? -1 : paths[a] > paths[b] ? 1 : 0; });
  var rank = new Array(n); for (i = 0; i < n; i++) rank[byPath[i]] = i;
  bySize.sort(function(a,b){ return rows[b][2]-rows[a][2] || rank[a]-rank[b]; });
  var st = { q: '', reason: -1, sort: 'size', desc: true, sel: -1 };
  var view = [];
  var box = $(kind + '-rows'), search = $(kind + '-search'), select = $(kind + '-reason'), count = $(kind + '-count');
  var spacer = el('div', 'spacer'), win = el('div', 'win');
  box.appendChild(spacer); box.appendChild(win);
  var heads = Array.prototype.slice.call(document.querySelectorAll('#' + kind + ' .phead button[data-sort]'));
  // Reason filter: the reasons present in this table, largest first.
  var tally = {};
  for (i = 0; i < n; i++) { var t = tally[rows[i][3]] || (tally[rows[i][3]] = { files: 0, bytes: 0 }); t.files++; t.bytes += rows[i][2]; }
  select.appendChild(new Option('all reasons (' + n + ')', '-1'));
  Object.keys(tally).map(Number).sort(function(a,b){ return tally[b].bytes - tally[a].bytes; }).forEach(function(r){
    select.appendChild(new Option(P.reasons[r] + ' (' + tally[r].files + ', ' + fmt(tally[r].bytes) + ')', String(r)));
  });

  function refresh(){
    var q = st.q.toLowerCase(), order = st.sort === 'size' ? bySize : byPath;
    if (q && !lower) { lower = new Array(n); for (var k = 0; k < n; k++) lower[k] = paths[k].toLowerCase(); }
    view = [];
    var bytes = 0;
    for (var j = 0; j < n; j++) {
      var x = order[j];
      if (st.reason >= 0 && rows[x][3] !== st.reason) continue;
      if (q && lower[x].indexOf(q) < 0) continue;
      view.push(x); bytes += rows[x][2];
    }
    if (st.desc !== (st.sort === 'size')) view.reverse();
    st.sel = -1;
    count.textContent = view.length + ' of ' + n + ' paths · ' + fmt(bytes);
    count.dataset.count = String(view.length);
    heads.forEach(function(h){
      if (h.dataset.sort === st.sort) h.setAttribute('aria-sort', st.desc ? 'descending' : 'ascending'); else h.removeAttribute('aria-sort');
    });
    spacer.style.height = (view.length * ROW) + 'px';
    box.scrollTop = 0;
    draw();
  }
  function draw(){
    var top = box.scrollTop, height = box.clientHeight || 600;
    var first = Math.max(0, Math.floor(top / ROW) - 10), last = Math.min(view.length, Math.ceil((top + height) / ROW) + 10);
    win.textContent = '';
    win.style.transform = 'translateY(' + (first * ROW) + 'px)';
    if (!view.length) { win.appendChild(el('div', 'empty muted', 'no match')); return; }
    for (var j = first; j < last; j++) {
      var x = view[j], r = rows[x];
      var row = el('div', 'prow' + (j === st.sel ? ' sel' : ''));
      row.setAttribute('role', 'row');
      row.dataset.path = paths[x]; row.dataset.size = String(r[2]); row.dataset.pos = String(j);
      var p = el('span', 'p', paths[x]); p.title = paths[x]; p.setAttribute('role', 'cell');
      var s = el('span', 'num', fmt(r[2])); s.title = r[2] + ' bytes'; s.setAttribute('role', 'cell');
      var reason = P.reasons[r[3]], detail = r.length > 4 ? P.details[r[4]] : '';
      var c = el('span', 'r', reason); c.setAttribute('role', 'cell');
      if (detail) { c.appendChild(el('span', 'muted', ' · ' + detail)); c.title = reason + ': ' + detail; }
      row.appendChild(p); row.appendChild(s); row.appendChild(c);
      win.appendChild(row);
    }
  }
  function move(to){
    if (!view.length) return;
    st.sel = Math.max(0, Math.min(view.length - 1, to));
    var y = st.sel * ROW;
    if (y < box.scrollTop) box.scrollTop = y;
    else if (y + ROW > box.scrollTop + box.clientHeight) box.scrollTop = y + ROW - box.clientHeight;
    draw();
  }
  var timer;
  search.addEventListener('input', function(){ clearTimeout(timer); timer = setTimeout(function(){ st.q = search.value.trim(); refresh(); }, n > 20000 ? 120 : 0); });
  select.addEventListener('change', function(){ st.reason = Number(select.value); refresh(); });
  heads.forEach(function(h){ h.addEventListener('click', function(){
    var key = h.dataset.sort;
    if (st.sort === key) st.desc = !st.desc; else { st.sort = key; st.desc = key === 'size'; }
    refresh();
  }); });
  box.addEventListener('scroll', draw);
  win.addEventListener('click', function(e){ var r = e.target.closest('.prow'); if (r) { box.focus(); move(Number(r.dataset.pos)); } });
  var section = $(kind);
  var self = { move: move, search: search, box: box, pos: function(){ return st.sel; }, page: function(){ return Math.max(1, Math.floor(box.clientHeight / ROW) - 1); }, size: function(){ return view.length; } };
  section.addEventListener('focusin', function(){ active = self; });
  section.addEventListener('pointerdown', function(){ active = self; });
  refresh();
  return self;
}

// Keyboard: "/" focuses the search, arrows or j/k move between rows, PageUp/PageDown and Home/End jump;
// from the search box, ArrowDown or Enter goes to the rows and Escape leaves it.
document.addEventListener('keydown', function(e){
  if (!active || e.ctrlKey || e.metaKey || e.altKey) return;
  // The treemap view has its own keys (html/client.ts).
  if (e.target && e.target.closest && e.target.closest('#fsview')) return;
  var t = e.target, typing = t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA');
  if (typing) {
    if (t === active.search && (e.key === 'ArrowDown' || e.key === 'Enter')) { e.preventDefault(); active.box.focus(); active.move(0); }
    else if (e.key === 'Escape' && t.blur) t.blur();
    return;
  }
  var at = active.pos();
  if (e.key === '/') { e.preventDefault(); active.search.focus(); active.search.select(); }
  else if (e.key === 'ArrowDown' || e.key === 'j') { e.preventDefault(); active.box.focus(); active.move(at + 1); }
  else if (e.key === 'ArrowUp' || e.key === 'k') { e.preventDefault(); active.box.focus(); active.move(at - 1); }
  else if (e.key === 'PageDown') { e.preventDefault(); active.move(at + active.page()); }
  else if (e.key === 'PageUp') { e.preventDefault(); active.move(at - active.page()); }
  else if (e.key === 'Home' && t === active.box) { e.preventDefault(); active.move(0); }
  else if (e.key === 'End' && t === active.box) { e.preventDefault(); active.move(active.size() - 1); }
});
window.pareSlimTables = tables;
})();
`;
