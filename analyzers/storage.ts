/**
 * Storage analysis: every SLOAD/SSTORE (and TLOAD/TSTORE, kept apart as transient) the machine reports becomes a
 * symbolic access with its slot algebra, packed byte range and commutative-update shape.
 */
import { MAX_ACCESSES_PER_FUNCTION } from '../src/evm/limits.js';
import type { Observer, PathNode } from '../src/evm/machine.js';
import { type Sym, toExpr } from '../src/evm/sym.js';
import { Guards } from './guards.js';
import type { Diagnostic, StorageAccess } from '../src/types.js';
import { exprHasUnknown, exprText, slotOf } from './render.js';

interface Acc {
  slot: Sym;
  transient: boolean;
  pcs: Set<number>;
  /** Byte ranges of masked writes; null once a whole-slot write is seen. */
  ranges: Set<string> | null;
  /** add/sub when every write is sload(slot) +/- x; null when any write is something else. */
  delta: 'add' | 'sub' | null | undefined;
  /** Of the delta writes: the old value, the amounts and the values written (for the use check). */
  old: Sym | null;
  amounts: Array<Sym | bigint>;
  written: Set<Sym>;
  guards: Guards;
}

/** Byte range [offset, offset+size) (from the least significant byte, as solc's storage layout counts) a mask keeps clear. */
function maskedRange(mask: bigint): { offset: number; size: number } | null {
  let lo = -1, hi = -1;
  for (let i = 0; i < 32; i++) {
    const byte = (mask >> BigInt(8 * i)) & 0xffn;
    if (byte === 0n) {
      if (lo < 0) lo = i;
      if (hi >= 0 && hi !== i - 1) return null; // two separate holes
      hi = i;
    } else if (byte !== 0xffn) return null;
  }
  return lo < 0 ? null : { offset: lo, size: hi - lo + 1 };
}

/** For `OR(AND(sload(slot), C), X)`-shaped values: the bytes the write changes. */
function packedRange(slot: Sym, value: Sym, depth = 0): { offset: number; size: number } | null {
  if (depth > 3 || value.k !== 'op') return null;
  if (value.name === 'AND' && value.args[1]!.isConst) {
    const a = value.args[0]!;
    if (a.k === 'sload' && a.args[0] === slot) return maskedRange(value.args[1]!.v);
  }
  if (value.name === 'OR') {
    for (const a of value.args) {
      const r = packedRange(slot, a, depth + 1);
      if (r) return r;
    }
  }
  return null;
}

/**
 * `old + x` / `old - x` (x free of old): the shape of a commutative update, with its old value and amount (a bigint
 * when constant: `old - k` is built as ADD(old, 2^256 - k)).
 */
function deltaShape(slot: Sym, value: Sym): { kind: 'add' | 'sub'; old: Sym; amount: Sym | bigint } | null {
  if (value.k !== 'op' || value.args.length !== 2) return null;
  const [a, b] = value.args as [Sym, Sym];
  const isOld = (x: Sym) => x.k === 'sload' && x.args[0] === slot && x.n === 0;
  if (value.name === 'ADD') {
    if (isOld(a) && !contains(b, a)) {
      if (b.isConst) return b.v > 1n << 255n ? { kind: 'sub', old: a, amount: (1n << 256n) - b.v } : { kind: 'add', old: a, amount: b.v };
      return { kind: 'add', old: a, amount: b };
    }
    if (isOld(b) && !contains(a, b)) return { kind: 'add', old: b, amount: a };
  }
  if (value.name === 'SUB' && isOld(a) && !contains(b, a)) return { kind: 'sub', old: a, amount: b };
  return null;
}

function contains(s: Sym, x: Sym, memo: Map<number, boolean> = new Map()): boolean {
  if (s === x) return true;
  if (s.args.length === 0 || s.depth <= x.depth) return false;
  const m = memo.get(s.id);
  if (m !== undefined) return m;
  let r = false;
  for (const a of s.args) if (contains(a, x, memo)) { r = true; break; }
  memo.set(s.id, r);
  return r;
}

const MAX = (1n << 256n) - 1n;
const isNot = (s: Sym, x: Sym) =>
  (s.k === 'op' && s.name === 'NOT' && s.args[0] === x) ||
  (s.k === 'op' && s.name === 'SUB' && s.args[0]!.isConst && s.args[0]!.v === MAX && s.args[1] === x);
/** old + x, as built (a constant x is the second argument). */
const isSum = (s: Sym, old: Sym, x: Sym | bigint) =>
  s.k === 'op' && s.name === 'ADD' &&
  (typeof x === 'bigint' ? s.args[0] === old && s.args[1]!.isConst && s.args[1]!.v === x : (s.args[0] === old && s.args[1] === x) || (s.args[0] === x && s.args[1] === old));
/** old - x, as built (a constant x is added as 2^256 - x). */
const isDiff = (s: Sym, old: Sym, x: Sym | bigint) =>
  s.k === 'op' && s.args[0] === old &&
  (typeof x === 'bigint' ? s.name === 'ADD' && s.args[1]!.isConst && s.args[1]!.v === (((1n << 256n) - x) & MAX) : s.name === 'SUB' && s.args[1] === x);

/**
 * Is `cond` (up to ISZERO) exactly "old -/+ x wraps", the check that a commit-time merge re-evaluates? For a debit:
 * old < x, written LT(old, x), GT(x, old) or GT(old - x, old); for a credit: old + x overflows, written
 * LT(old + x, old), LT(old + x, x), GT(old, ~x), GT(x, ~old) (or their mirrors). Any other comparison involving the
 * old value (`balance > amount`, `balance >= amount + fee`) is not re-evaluated by a merge, so it disqualifies the delta.
 */
function isWrapCheck(cond: Sym, kind: 'add' | 'sub', old: Sym, x: Sym | bigint): boolean {
  while (cond.k === 'op' && cond.name === 'ISZERO') cond = cond.args[0]!;
  const isX = (s: Sym) => (typeof x === 'bigint' ? s.isConst && s.v === x : s === x);
  // A constant step of 1: checked `--` tests old == 0, checked `++` tests old == MAX.
  if (typeof x === 'bigint' && x === 1n) {
    if (kind === 'sub' && cond === old) return true;
    if (cond.k === 'op' && cond.name === 'EQ' && cond.args[0] === old && cond.args[1]!.isConst) return cond.args[1]!.v === (kind === 'sub' ? 0n : MAX);
  }
  if (cond.k !== 'op' || (cond.name !== 'LT' && cond.name !== 'GT')) return false;
  // Normalise to "l < r".
  const [l, r] = cond.name === 'LT' ? [cond.args[0]!, cond.args[1]!] : [cond.args[1]!, cond.args[0]!];
  if (kind === 'sub') return l === old && (isX(r) || isDiff(r, old, x));
  if (typeof x === 'bigint') return (r === old && l.isConst && l.v === MAX - x) || (isSum(l, old, x) && (r === old || (r.isConst && r.v === x)));
  return (isSum(l, old, x) && (r === old || r === x)) || (r === old && isNot(l, x)) || (r === x && isNot(l, old));
}

export class StorageAnalyzer implements Observer {
  private readonly reads = new Map<string, Acc>();
  private readonly writes = new Map<string, Acc>();
  private overflow = false;
  /** Values consumed other than by arithmetic (see Observer.use), with `op#operand` of each use. */
  private readonly sinks = new Map<Sym, Set<string>>();
  /** Every (slot, value) stored. */
  private readonly stores = new Map<Sym, Set<Sym>>();

  use(_pc: number, op: string, operand: number, v: Sym): void {
    let k = this.sinks.get(v);
    if (!k) this.sinks.set(v, (k = new Set()));
    k.add(`${op}#${operand}`);
  }

  private get(map: Map<string, Acc>, slot: Sym, transient: boolean, pc: number): Acc | null {
    const key = slot.id + (transient ? 't' : '');
    let a = map.get(key);
    if (!a) {
      if (this.reads.size + this.writes.size >= MAX_ACCESSES_PER_FUNCTION) {
        this.overflow = true;
        return null;
      }
      a = { slot, transient, pcs: new Set(), ranges: new Set(), delta: undefined, old: null, amounts: [], written: new Set(), guards: new Guards() };
      map.set(key, a);
    }
    a.pcs.add(pc);
    return a;
  }

  sload(pc: number, slot: Sym, transient: boolean, path: PathNode | null): void {
    this.get(this.reads, slot, transient, pc)?.guards.add(path);
  }

  sstore(pc: number, slot: Sym, value: Sym, transient: boolean, path: PathNode | null): void {
    let vs = this.stores.get(slot);
    if (!vs) this.stores.set(slot, (vs = new Set()));
    vs.add(value);
    const a = this.get(this.writes, slot, transient, pc);
    if (!a) return;
    a.guards.add(path);
    const r = transient ? null : packedRange(slot, value);
    if (!r) a.ranges = null;
    else if (a.ranges) a.ranges.add(`${r.offset}:${r.size}`);
    const d = transient ? null : deltaShape(slot, value);
    if (!d || (a.delta !== undefined && a.delta !== d.kind)) a.delta = null;
    else if (a.delta !== null) {
      a.delta = d.kind;
      a.old = d.old;
      a.amounts.push(d.amount);
      a.written.add(value);
    }
  }

  /**
   * A delta is claimed only when the old value influences nothing but the write itself and the wrap check (what a
   * commit-time merge re-evaluates): not a log, a return value, a key, another slot, or any other condition.
   */
  private onlyDeltaUses(a: Acc): boolean {
    const old = a.old!, kind = a.delta as 'add' | 'sub';
    const memo = new Map<number, boolean>();
    for (const [v, ops] of this.sinks) {
      if (!contains(v, old, memo)) continue;
      for (const op of ops) {
        if (op === 'SSTORE#2' || op === 'TSTORE#2') continue; // stored values: checked below, slot by slot
        if (op === 'JUMPI#2' && a.amounts.some((x) => isWrapCheck(v, kind, old, x))) continue;
        return false;
      }
    }
    for (const [slot, values] of this.stores) {
      for (const v of values) if (contains(v, old, memo) && !(slot === a.slot && a.written.has(v))) return false;
    }
    return true;
  }

  /** Accesses and the diagnostics for slots the analysis could not name. */
  /** `withGuards`: the exploration was exhaustive, so path conditions are sound. */
  finish(withGuards = true): { reads: StorageAccess[]; writes: StorageAccess[]; diagnostics: Diagnostic[]; exact: boolean } {
    const diagnostics: Diagnostic[] = [];
    let exact = !this.overflow;
    if (this.overflow) diagnostics.push({ code: 'limit-paths', message: `more than ${MAX_ACCESSES_PER_FUNCTION} distinct storage accesses` });
    const out = (map: Map<string, Acc>, kind: string): StorageAccess[] =>
      [...map.values()].map((a) => {
        const pcs = [...a.pcs].sort((x, y) => x - y);
        const expr = toExpr(a.slot);
        const acc: StorageAccess = { slot: slotOf(expr), expr, text: exprText(expr), pcs };
        if (a.transient) acc.transient = true;
        if (a.ranges && a.ranges.size === 1) {
          const [offset, size] = [...a.ranges][0]!.split(':').map(Number) as [number, number];
          acc.range = { offset, size };
        }
        if (a.delta && this.onlyDeltaUses(a)) acc.delta = a.delta;
        if (kind === 'write' && !a.transient) {
          const vs = this.stores.get(a.slot);
          if (vs?.size === 1) {
            const v = toExpr([...vs][0]!);
            if (!exprHasUnknown(v)) acc.value = v;
          }
        }
        const g = withGuards ? a.guards.finish() : null;
        if (g) acc.guards = g;
        if (exprHasUnknown(expr)) {
          exact = false;
          diagnostics.push({ code: 'unknown-slot', message: `${kind} of a slot the analysis cannot name: ${acc.text}`, pc: pcs[0]! });
        }
        return acc;
      });
    return { reads: out(this.reads, 'read'), writes: out(this.writes, 'write'), diagnostics, exact };
  }
}
