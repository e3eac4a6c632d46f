/**
 * External-call analysis: CALL, STATICCALL, DELEGATECALL, CALLCODE, CREATE/CREATE2 and SELFDESTRUCT sites with
 * target, selector, argument words and value as symbolic expressions; ETH leaving the contract as transfers.
 */
import type { CallSite, Observer, PathNode } from '../src/evm/machine.js';
import { hasUnknown, toExpr } from '../src/evm/sym.js';
import type { Diagnostic, Expr, ExternalCall } from '../src/types.js';
import { Guards } from './guards.js';
import { exprText } from './render.js';

export class CallAnalyzer implements Observer {
  private readonly sites: CallSite[] = [];
  private readonly guards = new Map<number, Guards>();

  call(site: CallSite): void {
    this.sites.push(site);
    this.callPath(site.id, site.path);
  }

  callPath(id: number, path: PathNode | null): void {
    let g = this.guards.get(id);
    if (!g) this.guards.set(id, (g = new Guards()));
    g.add(path);
  }

  /** `withGuards`: the exploration was exhaustive, so path conditions are sound. */
  finish(withGuards = true): { calls: ExternalCall[]; transfers: { to: Expr; value: Expr; pc: number }[]; diagnostics: Diagnostic[] } {
    const diagnostics: Diagnostic[] = [];
    const calls: ExternalCall[] = [];
    const transfers: { to: Expr; value: Expr; pc: number }[] = [];
    for (const s of this.sites.sort((a, b) => a.id - b.id)) {
      const c: ExternalCall = { id: s.id, kind: s.kind, selector: s.selector === null ? null : `0x${s.selector.toString(16).padStart(8, '0')}`, args: s.args ? s.args.map(toExpr) : null, inputSize: s.inputSize, pc: s.pc };
      if (s.forwardsCalldata) c.forwardsCalldata = true;
      if (s.inputSizeSym && s.inputWords) {
        c.inputSizeExpr = toExpr(s.inputSizeSym);
        // Trailing words that are unknown are of no use to a binder (they would only be needed past a long input).
        let n = s.inputWords.length;
        while (n > 0 && s.inputWords[n - 1]!.k === 'unknown') n--;
        c.inputWords = s.inputWords.slice(0, n).map(toExpr);
      }
      if (s.target) c.target = toExpr(s.target);
      if (s.value) c.value = toExpr(s.value);
      const g = withGuards ? this.guards.get(s.id)?.finish() : null;
      if (g) c.guards = g;
      calls.push(c);
      const creates = s.kind === 'CREATE' || s.kind === 'CREATE2';
      // Unknown targets and inputs are reported, but they do not make this contract's own footprint incomplete: the
      // callee's accesses are bound (or found unbindable) per transaction by src/hints, which needs only the words a
      // callee's keys actually use.
      if (s.kind !== 'SELFDESTRUCT' && !creates) {
        if (!s.target || hasUnknown(s.target)) diagnostics.push({ code: 'unknown-call-target', message: `${s.kind} to an address the analysis cannot name: ${s.target ? exprText(toExpr(s.target)) : '?'}`, pc: s.pc });
        if (!s.forwardsCalldata && (!s.args || s.args.some((a) => hasUnknown(a)))) diagnostics.push({ code: 'unknown-call-input', message: `${s.kind} input not known word by word`, pc: s.pc });
      } else if (creates) {
        diagnostics.push({ code: 'unknown-call-target', message: `${s.kind}: the new contract's accesses are not analysed`, pc: s.pc });
      }
      if (s.value && !(s.value.isConst && s.value.v === 0n) && (s.kind === 'CALL' || s.kind === 'CALLCODE' || s.kind === 'SELFDESTRUCT' || creates)) {
        transfers.push({ to: s.target ? toExpr(s.target) : { k: 'unknown', why: 'created address' }, value: toExpr(s.value), pc: s.pc });
      }
    }
    return { calls, transfers, diagnostics };
  }
}
