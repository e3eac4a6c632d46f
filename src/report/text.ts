/** Terminal and Markdown renderings of a block's graph report (src/graph/block.ts). */
import type { BlockGraphReport } from '../graph/block.js';
import { VIEWS } from '../graph/block.js';

export const fmtBound = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) + 'x';
const gasM = (g: number) => (g / 1e6).toFixed(2) + 'M';

export const VIEW_TEXT: Record<string, string> = {
  strict: 'strict (credits and deltas as writes, sender nonce/fee chains)',
  deltas: 'deltas out (credits merge; sender order kept: what `prescient run` honours)',
  lazy: 'deltas out + lazy sender nonces/fees',
};

export function renderGraphText(r: BlockGraphReport): string {
  const out: string[] = [];
  out.push(`block ${r.number}: ${r.txs} txs, ${gasM(r.gas)} gas (${r.gasSource})`);
  const src = r.actual ?? r.predicted;
  if (src) {
    out.push('parallelism bound (block gas / critical-path gas):');
    for (const v of VIEWS) {
      const a = r.actual?.[v];
      const p = r.predicted?.[v];
      const parts: string[] = [];
      if (a) parts.push(`actual ${fmtBound(a.bound)} (${a.edges} edges, critical path ${a.criticalPath.txs.length} txs, ${gasM(a.criticalPath.gas)} gas)`);
      if (p) parts.push(`predicted ${fmtBound(p.bound)} (${p.edges} edges)`);
      out.push(`  ${v === r.view ? '*' : ' '} ${v.padEnd(6)} ${parts.join('; ')}`);
    }
    out.push(`    (* headline view: ${VIEW_TEXT[r.view]})`);
    const cp = src[r.view].criticalPath.txs;
    if (cp.length) out.push(`critical path (${r.view}): ${cp.length > 24 ? cp.slice(0, 12).join(' > ') + ' > … > ' + cp.slice(-6).join(' > ') : cp.join(' > ')}`);
  }
  if (r.comparison) {
    out.push('predicted vs actual edges:');
    for (const v of VIEWS) {
      const c = r.comparison[v];
      out.push(`    ${v.padEnd(6)} actual ${c.actual}, predicted ${c.predicted}: true ${c.true}, false ${c.false}, missed ${c.missed}`);
    }
    if (r.incompletePredictions) out.push(`    (${r.incompletePredictions} txs with incomplete predictions: their edges may be missing)`);
  }
  if (r.hotSlots.length) {
    out.push(`hot slots (${r.view}; by critical-path gas, then edges):`);
    out.push('    edges  crit.edges  crit.gas  bound w/o  slot');
    for (const h of r.hotSlots.slice(0, 15)) {
      out.push(
        `    ${String(h.edges).padStart(5)}  ${String(h.criticalEdges).padStart(10)}  ${gasM(h.criticalGas).padStart(8)}  ${(h.boundWithout !== undefined ? fmtBound(h.boundWithout) : '').padStart(9)}  ${h.name}`,
      );
    }
  }
  return out.join('\n') + '\n';
}
