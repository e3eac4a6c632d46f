/**
 * One self-contained page for a block's dependency graph: inline CSS, inline data, and an inline script that draws
 * the graph as SVG (transactions along one axis, dependencies as arcs over it, prediction errors under it), marks the
 * critical path and colours the edges of the hottest slots. No external resource of any kind: it works offline and
 * from file://.
 *
 * The drawing is done by the script at load time (the static HTML holds no edge), so a headless browser's rendered
 * DOM proves the page works: `#graph svg path.edge` and `#critical-path` are what test/report.browser.test.ts checks.
 */
import type { BlockGraphDetail } from '../graph/block.js';
import { VIEWS } from '../graph/block.js';
import type { DepEdge, StateKey } from '../graph/graph.js';
import { fmtBound, VIEW_TEXT } from './text.js';

/** Edges drawn at most (critical path and hot-slot edges first); the tables still count them all. */
export const MAX_DRAWN_EDGES = 6000;
const HOT_COLOURED = 8;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const gasM = (g: number) => (g / 1e6).toFixed(2) + 'M';

interface PageEdge {
  f: number;
  t: number;
  /** Index into `keys`, first the hottest. */
  k: number[];
  /** 0 actual (predicted too), 1 actual and missed by the prediction, 2 false (predicted only). */
  c: 0 | 1 | 2;
  cp?: 1;
}

function pageData(d: BlockGraphDetail) {
  const r = d.report;
  const keyIndex = new Map<StateKey, number>();
  const keys: { key: string; name: string }[] = [];
  const hotRank = new Map(r.hotSlots.map((h, i) => [h.key, i]));
  const idx = (k: StateKey) => {
    let i = keyIndex.get(k);
    if (i === undefined) {
      i = keys.length;
      keyIndex.set(k, i);
      keys.push({ key: k, name: d.names.get(k) ?? k });
    }
    return i;
  };
  for (const h of r.hotSlots) idx(h.key);
  const cpIds = new Set(d.criticalPath.edges.map((e) => `${e.from}>${e.to}`));
  const missed = new Set(d.comparison?.missed.map((e) => `${e.from}>${e.to}`) ?? []);
  const sortKeys = (e: DepEdge) => [...e.keys].sort((a, b) => (hotRank.get(a) ?? 1e9) - (hotRank.get(b) ?? 1e9)).map(idx);
  const prio = (e: DepEdge) => (cpIds.has(`${e.from}>${e.to}`) ? 0 : e.keys.some((k) => (hotRank.get(k) ?? 1e9) < HOT_COLOURED) ? 1 : 2);
  const base = d.actual ?? d.predicted;
  const all: (PageEdge & { p: number })[] = [];
  for (const e of base?.edges ?? []) {
    const id = `${e.from}>${e.to}`;
    all.push({ f: e.from, t: e.to, k: sortKeys(e), c: d.actual && missed.has(id) ? 1 : 0, ...(cpIds.has(id) ? { cp: 1 as const } : {}), p: prio(e) });
  }
  if (d.actual && d.comparison) for (const e of d.comparison.false) all.push({ f: e.from, t: e.to, k: sortKeys(e), c: 2, p: 3 });
  all.sort((a, b) => a.p - b.p);
  const drawn = all.slice(0, MAX_DRAWN_EDGES).map(({ p: _p, ...e }) => e);
  return {
    number: r.number,
    view: r.view,
    txs: d.txInfo.map((t) => ({ i: t.index, g: t.gas, h: t.hash, f: t.from, to: t.to, l: t.toLabel, s: t.status })),
    edges: drawn,
    totalEdges: all.length,
    keys,
    hot: r.hotSlots.slice(0, HOT_COLOURED).map((h) => keyIndex.get(h.key)!),
    cp: d.criticalPath.txs,
    hasActual: !!d.actual,
  };
}

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:20px;color:#1d2330;background:#fafbfc}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:22px 0 8px}
.sub{color:#5b6475;margin-bottom:12px}
table{border-collapse:collapse;background:#fff;font-size:13px} td,th{border:1px solid #dde1e8;padding:3px 8px;text-align:right}
th{background:#f0f2f6} td.l,th.l{text-align:left} code{font:12px ui-monospace,Menlo,monospace}
#graph{background:#fff;border:1px solid #dde1e8;overflow-x:auto} #graph svg{display:block}
.edge{fill:none;stroke-opacity:.55} .edge.cp{stroke:#d0021b;stroke-width:2.6;stroke-opacity:.95}
.edge.missed{stroke:#f5a623;stroke-dasharray:4 3;stroke-opacity:.9} .edge.false{stroke:#4a90e2;stroke-opacity:.5}
.node{fill:#8792a2} .node.cp{fill:#d0021b} .axis{stroke:#c4cad4}
.legend span{display:inline-block;margin-right:14px} .sw{display:inline-block;width:14px;height:4px;vertical-align:middle;margin-right:4px}
.dim .edge:not(.sel){stroke-opacity:.06} tr.hot{cursor:pointer} tr.hot.on{background:#fff4d6}
.big{font-size:26px;font-weight:600} .cards{display:flex;gap:14px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #dde1e8;padding:8px 14px;min-width:160px} .card div:first-child{color:#5b6475;font-size:12px}
#critical-path{font:12px ui-monospace,Menlo,monospace;word-break:break-all;background:#fff;border:1px solid #dde1e8;padding:6px}
`;

const SCRIPT = `
(function(){
var D=JSON.parse(document.getElementById('graph-data').textContent);
var NS='http://www.w3.org/2000/svg';
var PAL=['#e6194b','#3cb44b','#4363d8','#f58231','#911eb4','#42d4f4','#f032e6','#9a6324'];
var n=D.txs.length, W=1300, H=520, AX=330, PADX=24;
var x=function(i){return n<2?W/2:PADX+i*(W-2*PADX)/(n-1)};
var maxG=1; D.txs.forEach(function(t){if(t.g>maxG)maxG=t.g});
var hotColour={}; D.hot.forEach(function(k,i){hotColour[k]=PAL[i%PAL.length]});
var svg=document.createElementNS(NS,'svg'); svg.setAttribute('width',W); svg.setAttribute('height',H); svg.setAttribute('viewBox','0 0 '+W+' '+H);
function el(tag,attrs,parent){var e=document.createElementNS(NS,tag);for(var a in attrs)e.setAttribute(a,attrs[a]);(parent||svg).appendChild(e);return e}
el('line',{x1:PADX,y1:AX,x2:W-PADX,y2:AX,'class':'axis'});
var gE=el('g',{}), gN=el('g',{});
var cpSet={}; D.cp.forEach(function(i){cpSet[i]=1});
var byKey={};
var maxSpan=1; D.edges.forEach(function(e){var s=Math.abs(x(e.t)-x(e.f)); if(s>maxSpan)maxSpan=s});
D.edges.forEach(function(e){
  var x1=x(e.f), x2=x(e.t), span=Math.abs(x2-x1), below=e.c===2;
  var room=below?H-AX-24:AX-24, h=Math.max(3, room*Math.sqrt(span/maxSpan)), y=below?AX+h:AX-h;
  var p=el('path',{d:'M'+x1+' '+AX+' Q'+((x1+x2)/2)+' '+(below?AX+2*h:AX-2*h)+' '+x2+' '+AX},gE);
  var cls='edge'; if(e.cp)cls+=' cp'; if(e.c===1)cls+=' missed'; if(e.c===2)cls+=' false';
  p.setAttribute('class',cls);
  if(!e.cp&&e.c!==1&&e.c!==2){p.setAttribute('stroke',hotColour[e.k[0]]||'#9aa3b2'); p.setAttribute('stroke-width',hotColour[e.k[0]]?1.4:0.8);}
  var t=el('title',{},p); t.textContent='tx '+e.f+' -> tx '+e.t+(e.c===1?' (missed by the prediction)':e.c===2?' (predicted only)':'')+'\\n'+e.k.slice(0,4).map(function(k){return D.keys[k].name}).join('\\n');
  e.k.forEach(function(k){(byKey[k]=byKey[k]||[]).push(p)});
  void y;
});
// Critical-path edges on top.
Array.prototype.slice.call(gE.querySelectorAll('path.cp')).forEach(function(p){gE.appendChild(p)});
D.txs.forEach(function(t){
  var r=1.2+3.8*Math.sqrt(t.g/maxG);
  var c=el('circle',{cx:x(t.i),cy:AX,r:r,'class':'node'+(cpSet[t.i]?' cp':'')},gN);
  el('title',{},c).textContent='tx '+t.i+' '+t.h+'\\nfrom '+t.f+'\\nto '+(t.l?t.l+' ':'')+(t.to||'(create)')+'\\ngas '+t.g+(t.s?' ('+t.s+')':'');
});
var step=n>400?100:n>100?20:n>20?5:1;
for(var i=0;i<n;i+=step){var tx=el('text',{x:x(i),y:AX+14,'font-size':10,'text-anchor':'middle',fill:'#5b6475'});tx.textContent=i}
el('text',{x:PADX,y:16,'font-size':11,fill:'#5b6475'}).textContent=D.hasActual?'real dependencies over the axis (red: critical path; orange dashed: missed by the prediction)':'predicted dependencies (red: critical path)';
if(D.hasActual)el('text',{x:PADX,y:H-6,'font-size':11,fill:'#5b6475'}).textContent='under the axis: predicted only (false dependencies)';
document.getElementById('graph').appendChild(svg);
document.getElementById('drawn').textContent=D.edges.length+' of '+D.totalEdges+' edges drawn';
var cpEl=document.getElementById('critical-path');
cpEl.textContent=D.cp.map(function(i){var t=D.txs[i];return 'tx '+i+(t&&t.l?' ('+t.l+')':'')}).join('  >  ');
// Hot-slot rows: colour swatch, click to show only that slot's edges.
Array.prototype.slice.call(document.querySelectorAll('tr.hot')).forEach(function(tr){
  var k=+tr.getAttribute('data-key'); var sw=tr.querySelector('.sw'); if(sw&&hotColour[k])sw.style.background=hotColour[k];
  tr.addEventListener('click',function(){
    var on=!tr.classList.contains('on');
    Array.prototype.slice.call(document.querySelectorAll('tr.hot.on')).forEach(function(o){o.classList.remove('on')});
    Array.prototype.slice.call(gE.querySelectorAll('.sel')).forEach(function(p){p.classList.remove('sel')});
    svg.classList.toggle('dim',on);
    if(on){tr.classList.add('on');(byKey[k]||[]).forEach(function(p){p.classList.add('sel')})}
  });
});
document.body.setAttribute('data-rendered','1');
})();
`;

export function renderGraphHtml(d: BlockGraphDetail): string {
  const r = d.report;
  const data = pageData(d);
  const keyIdx = new Map(data.keys.map((k, i) => [k.key, i]));
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const card = (label: string, value: string, note = '') => `<div class="card"><div>${esc(label)}</div><div class="big">${esc(value)}</div><div>${esc(note)}</div></div>`;
  const src = r.actual ?? r.predicted;
  const head = src?.[r.view];
  const cards = [
    card('parallelism bound (' + r.view + ')', head ? fmtBound(head.bound) : 'n/a', 'block gas / critical-path gas'),
    card('critical path', head ? `${head.criticalPath.txs.length} txs` : 'n/a', head ? `${gasM(head.criticalPath.gas)} of ${gasM(r.gas)} gas` : ''),
    card(r.actual ? 'actual edges' : 'predicted edges', head ? String(head.edges) : '0', r.comparison ? `predicted ${r.comparison[r.view].predicted}` : ''),
  ];
  if (r.comparison) {
    const c = r.comparison[r.view];
    cards.push(card('predicted vs actual', `${c.true} / ${c.false} / ${c.missed}`, 'true / false / missed edges'));
  }
  const views = VIEWS.map((v) => {
    const a = r.actual?.[v];
    const p = r.predicted?.[v];
    const c = r.comparison?.[v];
    return `<tr><td class="l">${v === r.view ? '<b>' + v + '</b>' : v}</td><td class="l">${esc(VIEW_TEXT[v] ?? v)}</td>` +
      `<td>${a ? fmtBound(a.bound) : ''}</td><td>${a?.edges ?? ''}</td><td>${a ? a.criticalPath.txs.length : ''}</td>` +
      `<td>${p ? fmtBound(p.bound) : ''}</td><td>${p?.edges ?? ''}</td>` +
      `<td>${c?.true ?? ''}</td><td>${c?.false ?? ''}</td><td>${c?.missed ?? ''}</td></tr>`;
  }).join('\n');
  const hot = r.hotSlots
    .map(
      (h) =>
        `<tr class="hot" data-key="${keyIdx.get(h.key)}"><td class="l"><span class="sw"></span><code>${esc(h.name)}</code></td><td>${h.edges}</td><td>${h.onlyEdges}</td>` +
        `<td>${h.criticalEdges}</td><td>${gasM(h.criticalGas)}</td><td>${h.boundWithout !== undefined ? fmtBound(h.boundWithout) : ''}</td><td>${h.txs}</td></tr>`,
    )
    .join('\n');
  const missed = (d.comparison?.missed ?? []).slice(0, 50).map((e) => `<tr><td>${e.from}</td><td>${e.to}</td><td class="l"><code>${esc(e.keys.map((k) => d.names.get(k) ?? k).slice(0, 3).join(', '))}</code></td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>prescient: block ${r.number} dependency graph</title>
<style>${CSS}</style></head>
<body>
<h1>Block ${r.number}: why it does not parallelize</h1>
<div class="sub">${r.txs} transactions, ${gasM(r.gas)} gas (${r.gasSource}). An edge i &rarr; j: j reads or writes state i wrote (view <b>${r.view}</b>: ${esc(VIEW_TEXT[r.view] ?? '')}).</div>
<div class="cards">${cards.join('')}</div>
<h2>Dependency graph <small id="drawn"></small></h2>
<div class="legend"><span><i class="sw" style="background:#d0021b"></i>critical path</span><span><i class="sw" style="background:#9aa3b2"></i>other dependency</span>${r.comparison ? '<span><i class="sw" style="background:#f5a623"></i>missed by the prediction</span><span><i class="sw" style="background:#4a90e2"></i>predicted only</span>' : ''}<span>coloured: the hottest slots (click a row below)</span></div>
<div id="graph" data-testid="graph"></div>
<h2>Critical path</h2>
<div id="critical-path" data-testid="critical-path"></div>
<h2>Parallelism bound per view</h2>
<table><tr><th class="l">view</th><th class="l">meaning</th><th>actual bound</th><th>actual edges</th><th>critical-path txs</th><th>predicted bound</th><th>predicted edges</th><th>true</th><th>false</th><th>missed</th></tr>
${views}</table>
<h2>Hot slots</h2>
<table id="hot-slots"><tr><th class="l">slot</th><th>edges</th><th>sole cause</th><th>critical-path edges</th><th>critical-path gas</th><th>bound without it</th><th>txs</th></tr>
${hot}</table>
${missed ? `<h2>Missed edges (first 50)</h2><table><tr><th>from</th><th>to</th><th class="l">state</th></tr>${missed}</table>` : ''}
<script type="application/json" id="graph-data">${json}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
