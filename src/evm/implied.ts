/**
 * Branches the path already decided: a condition taken one way earlier on the same path (nothing joined in between)
 * decides the same condition, or one it implies, later. Solidity checks a value and then checks it again in a
 * library: `require(reserveIn > 0 && reserveOut > 0)` in Uniswap V2's getAmountOut, then SafeMath's
 * `require(y == 0 || ...)` on `reserveOut`. Forking there again keeps a path that cannot happen (y == 0 after y > 0),
 * whose state then joins the real one and widens it; in a loop over a swap path every round forks so, and the rounds
 * are joined before the loop ends.
 *
 * Only values that cannot change between the two checks take part: calldata, call results, environment values fixed
 * for the call, and pure operators over them. Storage (a callback may change it), balances, code, gas and unknown
 * values do not. A call's results are one execution's: each execution of a call on a path has result symbols of its
 * own (src/evm/sym.ts `CALL_EXECUTION_STRIDE`), so a check of one execution's result never decides the next one's.
 */
import { MAX_IMPLY_LOOKBACK } from './limits.js';
import type { PathNode } from './machine.js';
import type { Sym } from './sym.js';

/** Environment values that stay the same for the whole call. */
const FIXED_ENV: ReadonlySet<string> = new Set([
  'ADDRESS', 'ORIGIN', 'CALLER', 'CALLVALUE', 'CALLDATASIZE', 'GASPRICE', 'COINBASE', 'TIMESTAMP', 'NUMBER',
  'PREVRANDAO', 'DIFFICULTY', 'GASLIMIT', 'CHAINID', 'BASEFEE', 'BLOBBASEFEE', 'CODESIZE',
]);

const stableMemo = new WeakMap<Sym, boolean>();

const isZero = (s: Sym | undefined) => s !== undefined && s.isConst && s.v === 0n;

/** Does `s` denote one value wherever on a path it appears? */
function stable(s: Sym): boolean {
  const m = stableMemo.get(s);
  if (m !== undefined) return m;
  let r: boolean;
  switch (s.k) {
    case 'const': case 'cd': case 'callret': case 'callok':
      r = true;
      break;
    case 'env':
      r = FIXED_ENV.has(s.name);
      break;
    case 'cdx': case 'keccak': case 'op':
      r = s.args.every(stable);
      break;
    default:
      r = false;
  }
  stableMemo.set(s, r);
  return r;
}

/**
 * `c` as an atom and whether `c` is truthy exactly when the atom is: ISZERO layers stripped, and `0 - x` (what the
 * optimizer makes of `x != 0`) read as `x`, which is zero exactly when it is.
 */
function atom(c: Sym): [Sym, boolean] {
  let pol = true;
  for (;;) {
    if (c.k !== 'op') break;
    if (c.name === 'ISZERO') {
      c = c.args[0]!;
      pol = !pol;
    } else if (c.name === 'SUB' && isZero(c.args[0])) c = c.args[1]!;
    else break;
  }
  return [c, pol];
}

/** `x` when `f` is `x > c` or `c < x` for a constant c (so x is not zero), else null. */
function aboveConst(f: Sym): Sym | null {
  if (f.k !== 'op') return null;
  if (f.name === 'GT' && f.args[1]!.isConst) return f.args[0]!;
  if (f.name === 'LT' && f.args[0]!.isConst) return f.args[1]!;
  return null;
}

/** `x` when `f` is `x == 0` or `0 == x`, else null. */
function eqZero(f: Sym): Sym | null {
  if (f.k !== 'op' || f.name !== 'EQ') return null;
  if (isZero(f.args[1])) return f.args[0]!;
  if (isZero(f.args[0])) return f.args[1]!;
  return null;
}

/** What a fact (atom `f` truthy iff `pf`) says of the value `x`: 'nonzero', 'zero', or nothing. */
function onValue(f: Sym, pf: boolean): { x: Sym; zero: boolean } {
  const above = aboveConst(f);
  if (above && pf) return { x: above, zero: false };
  const eq = eqZero(f);
  if (eq) return { x: eq, zero: pf };
  if (!pf) return { x: f, zero: true };
  return { x: f, zero: false };
}

/** The truthiness of atom `q` given the fact, or null. */
function decides(f: Sym, pf: boolean, q: Sym): boolean | null {
  if (f === q) return pf;
  const { x, zero } = onValue(f, pf);
  if (q === x) return !zero;
  if (eqZero(q) === x) return zero;
  if (zero && aboveConst(q) === x && q.k === 'op' && q.name === 'GT' && q.args[1]!.isConst) return false;
  if (!zero && q.k === 'op' && ((q.name === 'GT' && q.args[0] === x && isZero(q.args[1])) || (q.name === 'LT' && isZero(q.args[0]) && q.args[1] === x))) return true;
  return null;
}

/**
 * The branch condition `cond` as the path's earlier conditions decide it (true: taken), or null. Only the conditions
 * since the path's last join count (`next` links; a join starts a new path).
 */
export function impliedByPath(path: PathNode | null, cond: Sym): boolean | null {
  if (cond.isConst || !stable(cond)) return null;
  const [q, pq] = atom(cond);
  let n = path;
  for (let k = 0; n && k < MAX_IMPLY_LOOKBACK; n = n.next, k++) {
    const c = n.cond;
    if (!c || !stable(c)) continue;
    const [f, pf] = atom(c);
    const r = decides(f, pf, q);
    if (r !== null) return r === pq;
  }
  return null;
}
