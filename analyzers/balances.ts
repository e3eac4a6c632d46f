/** Balance analysis: which addresses' ETH balances a function reads (BALANCE, SELFBALANCE). */
import type { Observer } from '../src/evm/machine.js';
import { hasUnknown, type Sym, toExpr } from '../src/evm/sym.js';
import type { Diagnostic, Expr } from '../src/types.js';
import { exprText } from './render.js';

export class BalanceAnalyzer implements Observer {
  private readonly addrs = new Map<number, { addr: Sym; pc: number }>();

  balance(pc: number, addr: Sym): void {
    if (!this.addrs.has(addr.id)) this.addrs.set(addr.id, { addr, pc });
  }

  finish(): { balanceReads: Expr[]; diagnostics: Diagnostic[]; exact: boolean } {
    const diagnostics: Diagnostic[] = [];
    let exact = true;
    for (const { addr, pc } of this.addrs.values()) {
      if (hasUnknown(addr)) {
        exact = false;
        diagnostics.push({ code: 'unknown-slot', message: `balance of an address the analysis cannot name: ${exprText(toExpr(addr))}`, pc });
      }
    }
    return { balanceReads: [...this.addrs.values()].map((a) => toExpr(a.addr)), diagnostics, exact };
  }
}
