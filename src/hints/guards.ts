/**
 * Path conditions at bind time: an access or call site whose every path has a condition that is false for this
 * transaction does not happen, so it is not predicted (src/types.ts `StorageAccess.guards`). Only conditions over
 * the transaction's own inputs (calldata, caller, value, block environment, constants) are evaluated: a condition
 * reading storage, balances, code or call results could be changed by an earlier transaction of the block, and a
 * binding that dropped an access on a stale value would miss it. Unevaluable conditions count as true.
 */
import type { Expr } from '../types.js';

const STATEFUL = new Set(['sload', 'balance', 'ext', 'callret', 'callok', 'unknown']);
/** Environment values that depend on state or on execution, not on the transaction's inputs. */
const STATEFUL_ENV = new Set(['SELFBALANCE', 'GAS', 'RETURNDATASIZE', 'MSIZE']);

function stateless(e: Expr, memo: Map<Expr, boolean>): boolean {
  const m = memo.get(e);
  if (m !== undefined) return m;
  let r: boolean;
  if (STATEFUL.has(e.k) || (e.k === 'env' && STATEFUL_ENV.has(e.name))) r = false;
  else if (e.k === 'op') r = e.args.every((a) => stateless(a, memo));
  else if (e.k === 'keccak') r = e.words.every((a) => stateless(a, memo));
  else if (e.k === 'cdx') r = stateless(e.off, memo);
  else r = true;
  memo.set(e, r);
  return r;
}

const memo = new WeakMap<Expr, boolean>();
const smemo = new WeakMap<Expr, boolean>();
/**
 * Storage values are evaluated too, over the pre-state: the binder records each as a dependency of the binding, so a
 * transaction whose condition read a slot an earlier transaction (or itself) may write is marked incomplete.
 */
function storageOnly(e: Expr): boolean {
  let r = smemo.get(e);
  if (r !== undefined) return r;
  if (e.k === 'sload') r = !e.transient && storageOnly(e.slot);
  else if (STATEFUL.has(e.k) || (e.k === 'env' && STATEFUL_ENV.has(e.name))) r = false;
  else if (e.k === 'op') r = e.args.every(storageOnly);
  else if (e.k === 'keccak') r = e.words.every(storageOnly);
  else if (e.k === 'cdx') r = storageOnly(e.off);
  else r = true;
  smemo.set(e, r);
  return r;
}

/** Does `e` depend only on the frame's inputs (calldata, caller, value, block), not on state or execution? */
export function isStateless(e: Expr): boolean {
  let ok = memo.get(e);
  if (ok === undefined) memo.set(e, (ok = stateless(e, new Map())));
  return ok;
}

/** True when every alternative of `guards` has a condition that `evaluate` finds zero. */
export function infeasible(guards: Expr[][] | undefined, evaluate: (e: Expr) => bigint | null): boolean {
  if (!guards || guards.length === 0) return false;
  const local = new Map<Expr, boolean>();
  for (const alt of guards) {
    let dead = false;
    for (const c of alt) {
      let ok = memo.get(c);
      if (ok === undefined) memo.set(c, (ok = stateless(c, local)));
      if (!ok && !storageOnly(c)) continue;
      if (evaluate(c) === 0n) {
        dead = true;
        break;
      }
    }
    if (!dead) return false;
  }
  return true;
}
