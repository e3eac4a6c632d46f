/**
 * The graph as other commands show it: `prescient verify --graph / --html FILE` (predicted against actual, from the
 * hints and traces verify already computed) and `prescient hints --graph` (the predicted graph alone). Kept here so
 * those commands need only a call each.
 */
import { writeFileSync } from 'node:fs';
import type { LoadedBlock } from '../chain/load.js';
import type { TxBinding } from '../hints/bind.js';
import type { AnalysisCache } from '../hints/context.js';
import { renderGraphHtml } from '../report/html.js';
import { fmtBound, renderGraphText } from '../report/text.js';
import type { TxTrace } from '../types.js';
import { blockGraphReport, type BlockGraphReport } from './block.js';
import { analysisLookup } from './cli.js';

/** `out.html` for one block; `out-<number>.html` for each of several. */
export function htmlPathFor(base: string, block: number, several: boolean): string {
  if (!several) return base;
  return /\.html?$/i.test(base) ? base.replace(/(\.html?)$/i, `-${block}$1`) : `${base}-${block}.html`;
}

/** One line per block for verify's progress output. */
export function graphLine(r: BlockGraphReport): string {
  const a = r.actual;
  const c = r.comparison?.[r.view];
  const cs = r.view === 'strict' ? undefined : r.comparison?.strict;
  const h = r.hotSlots[0];
  if (!a) return `block ${r.number} graph: no traces`;
  return (
    `block ${r.number} graph: bound ${fmtBound(a[r.view].bound)} (${r.view}; strict ${fmtBound(a.strict.bound)}, lazy ${fmtBound(a.lazy.bound)})` +
    (c ? `, edges (${r.view}) actual ${c.actual} predicted ${c.predicted}: true ${c.true} false ${c.false} missed ${c.missed}` : '') +
    (cs ? `, edges (strict) actual ${cs.actual} predicted ${cs.predicted}: true ${cs.true} false ${cs.false} missed ${cs.missed}` : '') +
    (h ? `; hottest: ${h.name} (${h.edges} edges)` : '')
  );
}

/** Collects graph reports block by block (verify calls `add` with what it computed). */
export class GraphCollector {
  readonly reports: BlockGraphReport[] = [];
  constructor(private readonly opts: { html?: string; several: boolean; cache?: AnalysisCache }) {}

  add(loaded: LoadedBlock, bindings: TxBinding[], traces: TxTrace[]): BlockGraphReport {
    const d = blockGraphReport({ loaded, bindings, traces, ...(this.opts.cache ? { analysis: analysisLookup(this.opts.cache, loaded) } : {}) });
    if (this.opts.html) writeFileSync(htmlPathFor(this.opts.html, d.report.number, this.opts.several), renderGraphHtml(d));
    this.reports.push(d.report);
    return d.report;
  }
}

/** `prescient hints --graph`: the predicted graph, weighted by gas limits (nothing is executed). */
export function predictedGraphText(loaded: LoadedBlock, bindings: TxBinding[], cache?: AnalysisCache, html?: string): string {
  const d = blockGraphReport({ loaded, bindings, ...(cache ? { analysis: analysisLookup(cache, loaded) } : {}) });
  if (html) writeFileSync(html, renderGraphHtml(d));
  return renderGraphText(d.report);
}
