/**
 * Path conditions at bind time: an access or call site whose every path has a condition that is false for this
 * transaction does not happen, so it is not predicted (src/types.ts `StorageAccess.guards`). Conditions over the
 * transaction's inputs (calldata, caller, value, block environment, constants) and over storage are evaluated;
 * conditions over balances, code, call results or execution (gas) are not: the binder does not track whether an
 * earlier transaction changes those, and a binding that dropped an access on a stale value would miss it. Storage
 * read by a guard is checked after binding: a slot an earlier transaction, or this one, may write first is not used,
 * and the transaction is bound again (src/hints/bind.ts `bindTx`). In a callee, a condition may use only the input
 * words and value the caller computed from its own clean inputs (`Frame.cleanExpr`): a word computed from storage or
 * a call result the transaction itself changed first (a pair's amountOut) would be wrong. Unevaluable conditions
 * count as true.
 */
import type { Expr } from '../types.js';

/** Environment values that depend on state or on execution, not on the transaction's inputs. */
export const STATEFUL_ENV = new Set(['SELFBALANCE', 'GAS', 'RETURNDATASIZE', 'MSIZE']);

/**
 * True when every alternative of `guards` has a condition that `evaluate` finds zero; only conditions `usable` says
 * follow from the frame's clean inputs and storage are evaluated.
 */
export function infeasible(guards: Expr[][] | undefined, evaluate: (e: Expr) => bigint | null, usable: (e: Expr) => boolean): boolean {
  if (!guards || guards.length === 0) return false;
  for (const alt of guards) {
    // Conditions that read code last: evaluating one records the account as touched (an EXTCODESIZE the transaction
    // performs), which it is not where another condition of the path is false (USDT's transfer checks the code of
    // `upgradedAddress`, address 0, only if `deprecated`).
    let dead = false;
    let later: Expr[] | null = null;
    for (const c of alt) {
      if (readsCode(c)) (later ??= []).push(c);
      else if (usable(c) && evaluate(c) === 0n) {
        dead = true;
        break;
      }
    }
    if (!dead && later !== null) {
      for (const c of later) {
        if (usable(c) && evaluate(c) === 0n) {
          dead = true;
          break;
        }
      }
    }
    if (!dead) return false;
  }
  return true;
}

const codeReads = new WeakMap<Expr, boolean>();

/** Does evaluating `e` read an account's code (EXTCODESIZE, EXTCODEHASH)? */
export function readsCode(e: Expr): boolean {
  let r = codeReads.get(e);
  if (r !== undefined) return r;
  switch (e.k) {
    case 'ext':
      r = true;
      break;
    case 'cdx':
      r = readsCode(e.off);
      break;
    case 'sload':
      r = readsCode(e.slot);
      break;
    case 'balance':
      r = readsCode(e.addr);
      break;
    case 'blockhash':
      r = readsCode(e.n);
      break;
    case 'keccak':
      r = e.words.some(readsCode);
      break;
    case 'op':
      r = e.args.some(readsCode);
      break;
    default:
      r = false;
  }
  codeReads.set(e, r);
  return r;
}
