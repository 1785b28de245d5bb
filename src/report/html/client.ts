/**
 * The report's browser code, inlined into the page after d3-hierarchy (which
 * does the treemap layout). It reads the JSON data element, draws the
 * treemap as positioned divs, and wires the layer filter, leftovers, search,
 * the sortable contents list and keyboard navigation. Plain ES2017, no
 * template literals (this is itself a template-free string).
 */
export const CLIENT_CSS = `
:root{--bg:#fff;--fg:#1d2330;--muted:#5c6370;--line:#d9dde3;--panel:#f6f7f9;--accent:#2563eb;--waste:#dc2626;--sel:#111}
@media (prefers-color-scheme:dark){:root{--bg:#14161b;--fg:#e6e8ec;--muted:#9aa3af;--line:#2c313a;--panel:#1c1f26;--accent:#60a5fa;--waste:#f87171;--sel:#fff}}
*{box-sizing:border-box}
body{margin:0;font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg)}
header{padding:10px 16px;border-bottom:1px solid var(--line);display:flex;flex-wrap:wrap;gap:6px 20px;align-items:baseline}
header h1{font-size:16px;margin:0 12px 0 0;word-break:break-all}
.fig b{font-variant-numeric:tabular-nums}
.tmgrid{display:grid;grid-template-columns:minmax(0,1fr) 420px;gap:0;height:calc(100vh - 48px);min-height:480px}
#fsview .tmgrid{height:620px;min-height:0;border:1px solid var(--line)}
#left{display:flex;flex-direction:column;min-width:0;padding:8px 12px}
#right{overflow:auto;border-left:1px solid var(--line);background:var(--panel);padding:8px 12px}
#bar{display:flex;gap:8px;align-items:center;margin-bottom:6px;flex-wrap:wrap}
#crumbs{flex:1;min-width:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#crumbs a{color:var(--accent);cursor:pointer;text-decoration:none}
#search{width:220px;padding:4px 6px;border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg)}
#treemap{position:relative;flex:1;min-height:300px;border:1px solid var(--line);overflow:hidden;outline:none}
#treemap:focus-visible{outline:2px solid var(--accent)}
.tm{position:absolute;overflow:hidden;border:1px solid rgba(0,0,0,.25);font-size:11px;color:#111;cursor:pointer;padding:1px 3px;white-space:nowrap;text-overflow:ellipsis}
.tm.dir{background-clip:padding-box}
.tm.waste{background-image:repeating-linear-gradient(45deg,rgba(220,38,38,.55) 0 3px,transparent 3px 8px)}
.tm.dim{opacity:.25}
.tm.changed{outline:2px dashed var(--sel);outline-offset:-3px}
.removed-list{display:none;margin-top:2px}
.layer-row.active .removed-list{display:block}
.tm.sel{outline:2px solid var(--sel);outline-offset:-2px;z-index:2}
.tm.flash{outline:3px solid var(--waste);outline-offset:-3px;z-index:3}
h2{font-size:13px;margin:12px 0 4px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
table{border-collapse:collapse;width:100%}
td,th{padding:3px 4px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.layer-row,tr.item{cursor:pointer}
tr.layer-row.active{background:color-mix(in srgb,var(--accent) 20%,transparent)}
tr.item.sel{background:color-mix(in srgb,var(--accent) 20%,transparent)}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.instr{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11px;word-break:break-all}
.muted{color:var(--muted)}
.wasted{color:var(--waste)}
a.path{color:var(--accent);cursor:pointer;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11px;word-break:break-all;display:block}
button{background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:4px;padding:2px 8px;cursor:pointer}
#results{max-height:180px;overflow:auto}
.bars{display:flex;flex-direction:column;gap:4px}
.barrow{display:grid;grid-template-columns:90px 1fr 90px;gap:8px;align-items:center}
.barrow .track{display:flex;height:18px;background:var(--panel);border:1px solid var(--line)}
.barrow .seg{height:100%;border-right:1px solid rgba(0,0,0,.3)}
`;

// Characters beyond ASCII are written as \u escapes, which the page's JavaScript reads: a raw
// template keeps its text as written, and the command line's bundle must be ASCII (scripts/bundle-cli.mjs).
export const CLIENT_JS = String.raw`
(function(){
'use strict';
var D = JSON.parse(document.getElementById('pare-data').textContent);
var $ = function(id){ return document.getElementById(id); };
function fmt(n){ var u=['B','kB','MB','GB','TB']; var i=0; var x=Math.abs(n); while(x>=1000&&i<u.length-1){x/=1000;i++;} return (n<0?'-':'')+(i===0?String(x):x.toFixed(x<10?2:1))+' '+u[i]; }
function el(tag, cls, text){ var e=document.createElement(tag); if(cls) e.className=cls; if(text!==undefined) e.textContent=text; return e; }
function count(n, one){ return n + ' ' + one + (n===1?'':'s'); }
// What a layer did to the filesystem below it (dive's added/modified/removed), one line.
function changes(L){
  var parts = [];
  if (L.added.files) parts.push('+' + count(L.added.files, 'file') + ' ' + fmt(L.added.bytes));
  if (L.modified.files) parts.push('~' + count(L.modified.files, 'file') + ' changed ' + fmt(L.modified.bytes));
  if (L.removed.files) parts.push('\u2212' + count(L.removed.files, 'path') + ' removed ' + fmt(L.removed.bytes));
  return parts.join(' \u00b7 ');
}
function color(layer){ if(layer<0) return '#999'; var h=(layer*137.508+200)%360; return 'hsl('+h.toFixed(0)+',62%,'+(layer%2?'72%':'62%')+')'; }
var layers = D.layers || [];
var filter = -1;
var sortBy = 'size';

if (D.tree) initTree();
if (D.optimize) initOptimize();

function initTree(){
  var root = d3.hierarchy(D.tree, function(d){ return d.c; });
  var byPath = new Map();
  root.each(function(n){
    n.path = n.parent ? (n.parent.path === '/' ? '/' + n.data.n : n.parent.path + '/' + n.data.n) : '/';
    if (n.data.t !== 2) byPath.set(n.path, n);
  });
  var focus = root, selected = null;
  var byData = new Map(); root.each(function(n){ byData.set(n.data, n); });
  function order(a,b){ return b.value-a.value || (a.data.n<b.data.n?-1:1); }
  var tm = $('treemap');
  function valueOf(d){
    if (filter < 0) return d.b;
    if (d.s) { for (var i=0;i<d.s.length;i++) if (d.s[i][0]===filter) return d.s[i][1]; return 0; }
    return d.l === filter ? d.b : 0;
  }
  function resum(){
    root.sum(function(d){ return d.c ? 0 : valueOf(d); });
    root.sort(order);
    var t = $('total'); t.dataset.bytes = String(root.value);
    t.textContent = fmt(root.value) + (filter>=0 ? ' written by layer '+filter+' (dashed: it changed a file a lower layer had)' : '');
  }
  function kids(n){ var k=(n.children||[]).filter(function(c){return c.value>0;}); if(sortBy==='name') k=k.slice().sort(function(a,b){return a.data.n<b.data.n?-1:1;}); return k; }
  function draw(){
    var w = tm.clientWidth, h = tm.clientHeight;
    tm.textContent = '';
    var layout = d3.treemap().tile(d3.treemapSquarify).size([w,h]).paddingInner(1).paddingOuter(1).paddingTop(function(n){ return n.depth===0?0:15; }).round(true);
    // d3 lays out from depth 0: lay out a copy of the focused subtree, map nodes back by their data.
    var sub = focus.copy().sum(function(d){ return d.c ? 0 : valueOf(d); }).sort(order);
    layout(sub);
    var count = 0;
    (function walk(n){
      if (count > 4000) return;
      var o = byData.get(n.data);
      var rw = n.x1-n.x0, rh = n.y1-n.y0;
      if (n !== sub) {
        if (rw < 2 || rh < 2 || !(n.value>0)) return;
        var d = n.data, div = el('div', 'tm' + (d.t===1?' dir':'') + (d.w && d.w * 2 >= (n.value || 1) ? ' waste' : '') + (filter >= 0 && d.l === filter && d.m && d.m * 2 >= (n.value || 1) ? ' changed' : ''));
        div.style.left=n.x0+'px'; div.style.top=n.y0+'px'; div.style.width=rw+'px'; div.style.height=rh+'px';
        // Under a layer filter every byte drawn is that layer's: its colour, whatever wrote most of the node.
        div.style.backgroundColor = color(filter >= 0 ? filter : d.l);
        div.dataset.path = o.path;
        div.dataset.layer = String(d.l);
        if (rw > 30 && rh > 12) div.textContent = d.n + ' ' + fmt(n.value);
        div.title = o.path + '\n' + fmt(n.value) + (d.f?' \u00b7 '+d.f+' files':'') + '\nlayer ' + d.l + (layers[d.l] ? ': ' + layers[d.l].instruction : '') + (d.w ? '\nremovable: ' + fmt(d.w) : '') + (d.m ? '\nchanged (replaced a lower version): ' + fmt(d.m) : '');
        if (o === selected) div.classList.add('sel');
        div.addEventListener('click', function(ev){ ev.stopPropagation(); onClick(o); });
        tm.appendChild(div); count++;
      }
      if (n.children && n.depth < 3) n.children.forEach(walk);
    })(sub);
    renderCrumbs(); renderList();
  }
  function onClick(n){
    var target = n;
    while (target.parent && target.parent !== focus) target = target.parent;
    if (target.children && target.children.length) { zoom(target, null); }
    else { select(target); }
  }
  function zoom(n, sel){ focus = n; selected = sel || null; draw(); }
  function select(n){ selected = n; draw(); }
  function renderCrumbs(){
    var c = $('crumbs'); c.textContent=''; var chain = focus.ancestors().reverse();
    chain.forEach(function(n, i){
      var a = el('a', null, i===0 ? '/' : n.data.n); a.addEventListener('click', function(){ zoom(n, null); }); c.appendChild(a);
      if (i>0 && i<chain.length-1) c.appendChild(document.createTextNode('/')); else if (i===0 && chain.length>1) c.appendChild(document.createTextNode(''));
    });
    c.appendChild(el('span','muted', '  ' + fmt(focus.value)));
  }
  function renderList(){
    var tb = $('list'); tb.textContent='';
    kids(focus).slice(0,300).forEach(function(n){
      var tr = el('tr', 'item' + (n===selected?' sel':''));
      var td = el('td'); var sw = el('span','sw'); sw.style.background=color(n.data.l); td.appendChild(sw); td.appendChild(document.createTextNode(n.data.n + (n.data.t===1?'/':'')));
      tr.appendChild(td); tr.appendChild(el('td','num', fmt(n.value))); tr.appendChild(el('td','num', String(n.data.l)));
      tr.addEventListener('click', function(){ if (n.children && n.children.length) zoom(n,null); else select(n); });
      tb.appendChild(tr);
    });
  }
  function zoomToPath(p){
    var n = null, q = p;
    while (q && !(n = byPath.get(q))) { var i = q.lastIndexOf('/'); q = i>0 ? q.slice(0,i) : (q==='/'?'':'/'); }
    if (!n) return;
    var f = (n.children && n.children.length) ? n : (n.parent || root);
    if (!(f.value > 0)) { filter = -1; updateLayerRows(); resum(); }
    zoom(f, n === f ? null : n);
    var hit = tm.querySelector('[data-path="' + CSS.escape(n.path) + '"]');
    if (hit) hit.classList.add('flash');
  }
  window.pareZoomToPath = zoomToPath;
  // Layers
  var layerBytes = new Map();
  (root.data.s || [[root.data.l, root.data.b]]).forEach(function(p){ layerBytes.set(p[0], p[1]); });
  var lt = $('layers');
  layers.forEach(function(L){
    var tr = el('tr', 'layer-row'); tr.dataset.layer = String(L.index); tr.tabIndex = 0;
    var td0 = el('td'); var sw = el('span','sw'); sw.style.background=color(L.index); td0.appendChild(sw); td0.appendChild(document.createTextNode(String(L.index)));
    tr.appendChild(td0);
    tr.appendChild(el('td','num', fmt(L.contentBytes)));
    tr.appendChild(el('td','num', fmt(layerBytes.get(L.index)||0)));
    var ti = el('td'); ti.appendChild(el('div','instr', L.instruction || '(no history)'));
    if (L.dockerfile) ti.appendChild(el('div','muted', 'Dockerfile line ' + L.dockerfile.startLine + (L.dockerfile.endLine!==L.dockerfile.startLine?'-'+L.dockerfile.endLine:'')));
    var changed = L.added ? changes(L) : '';
    if (changed) ti.appendChild(el('div','muted changes', changed));
    if (L.wastedBytes) ti.appendChild(el('div','wasted', fmt(L.wastedBytes) + ' overwritten or removed later'));
    // What the layer deleted is not in the final filesystem, so not in the treemap: listed when the layer is selected.
    if (L.removedPaths && L.removedPaths.length) {
      var rl = el('div', 'removed-list');
      rl.appendChild(el('div', 'muted', 'removed from lower layers:'));
      L.removedPaths.forEach(function(r){ rl.appendChild(el('div', 'instr', '\u2212 ' + r.path + '  ' + fmt(r.bytes))); });
      ti.appendChild(rl);
    }
    tr.appendChild(ti);
    var toggle = function(){ filter = filter === L.index ? -1 : L.index; updateLayerRows(); resum(); var f=focus; while(f.parent && !(f.value>0)) f=f.parent; zoom(f, null); };
    tr.addEventListener('click', toggle);
    tr.addEventListener('keydown', function(e){ if (e.key==='Enter'||e.key===' ') { e.preventDefault(); toggle(); } });
    lt.appendChild(tr);
  });
  function updateLayerRows(){ Array.prototype.forEach.call(document.querySelectorAll('.layer-row'), function(r){ r.classList.toggle('active', Number(r.dataset.layer)===filter); }); $('clear').hidden = filter<0; }
  $('clear').addEventListener('click', function(){ filter=-1; updateLayerRows(); resum(); draw(); });
  // Leftovers
  var lo = $('leftovers');
  (D.leftovers||[]).forEach(function(f){
    var tr = el('tr'); var td = el('td'); td.appendChild(el('div', null, f.title));
    if (f.hint) td.appendChild(el('div','muted', f.hint));
    f.paths.forEach(function(p){ var a = el('a','path', p); a.addEventListener('click', function(){ zoomToPath(p); }); td.appendChild(a); });
    tr.appendChild(td); tr.appendChild(el('td','num wasted', (f.estimated?'~':'') + fmt(f.bytes)));
    lo.appendChild(tr);
  });
  if (!(D.leftovers||[]).length) lo.appendChild(el('tr', 'muted', 'No leftovers found.'));
  // Search
  var res = $('results');
  $('search').addEventListener('input', function(){
    var q = this.value.trim().toLowerCase(); res.textContent='';
    if (q.length < 2) return;
    var hits = [];
    byPath.forEach(function(n, p){ if (p.toLowerCase().indexOf(q) >= 0) hits.push(n); });
    hits.sort(function(a,b){ return b.data.b-a.data.b; });
    hits.slice(0,50).forEach(function(n){ var a = el('a','path search-result', n.path + '  ' + fmt(n.data.b)); a.dataset.path = n.path; a.addEventListener('click', function(){ zoomToPath(n.path); }); res.appendChild(a); });
    if (!hits.length) res.appendChild(el('div','muted','no match'));
  });
  $('sort').addEventListener('click', function(){ sortBy = sortBy==='size'?'name':'size'; this.textContent = 'sort: ' + sortBy; renderList(); });
  // Keyboard: arrows move the selection among the focused directory's entries, Enter opens, Escape goes up.
  var scope = $('fsview');
  document.addEventListener('keydown', function(e){
    var t = e.target;
    // A page where the view is one section among others (slim): keys reach it only from inside it.
    if (scope && !(t && t.closest && t.closest('#fsview'))) return;
    if (t && (t.tagName==='INPUT' || t.tagName==='TEXTAREA')) { if (e.key==='Escape') t.blur(); return; }
    var list = kids(focus); if (!list.length && e.key!=='Escape' && e.key!=='Backspace') return;
    var i = selected ? list.indexOf(selected) : -1;
    if (e.key==='ArrowDown'||e.key==='ArrowRight') { e.preventDefault(); select(list[Math.min(list.length-1,i+1)]); }
    else if (e.key==='ArrowUp'||e.key==='ArrowLeft') { e.preventDefault(); select(list[Math.max(0,i-1)]); }
    else if (e.key==='Enter' && selected && selected.children && selected.children.length) { e.preventDefault(); zoom(selected,null); }
    else if ((e.key==='Escape'||e.key==='Backspace') && focus.parent) { e.preventDefault(); var prev=focus; zoom(focus.parent, prev); }
  });
  var rt; window.addEventListener('resize', function(){ clearTimeout(rt); rt = setTimeout(draw, 100); });
  resum(); draw();
}

function initOptimize(){
  var O = D.optimize, box = $('compare'); if (!box) return;
  var max = 0; O.candidates.forEach(function(c){ if (c.bytes > max) max = c.bytes; });
  O.candidates.forEach(function(c){
    var row = el('div','barrow'); row.appendChild(el('div', null, c.name + (c.name===O.chosen?' \u2713':'')));
    var track = el('div','track');
    if (c.bytes > 0) (c.layers||[]).forEach(function(b, i){ var s = el('div','seg'); s.style.width = (100*b/max)+'%'; s.style.background = color(i); s.title = 'layer ' + i + ': ' + fmt(b); track.appendChild(s); });
    row.appendChild(track);
    row.appendChild(el('div','num' + (c.failure?' wasted':''), c.failure ? c.failure : fmt(c.bytes)));
    box.appendChild(row);
  });
}
})();
`;
