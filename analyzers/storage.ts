/**
 * Storage analysis: every SLOAD/SSTORE (and TLOAD/TSTORE, kept apart as transient) the machine reports becomes a
 * symbolic access with its slot algebra, packed byte range and commutative-update shape.
 */
import { MAX_ACCESSES_PER_FUNCTION } from '../src/evm/limits.js';
import type { Observer } from '../src/evm/machine.js';
import { type Sym, toExpr } from '../src/evm/sym.js';
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

function deltaShape(slot: Sym, value: Sym): 'add' | 'sub' | null {
  if (value.k !== 'op' || value.args.length !== 2) return null;
  const [a, b] = value.args as [Sym, Sym];
  const isOld = (x: Sym) => x.k === 'sload' && x.args[0] === slot;
  if (value.name === 'ADD') {
    if (isOld(a) && !isOld(b)) {
      // ADD(old, 2^256 - k) is a subtraction of a constant
      return b.isConst && b.v > 1n << 255n ? 'sub' : 'add';
    }
    if (isOld(b) && !isOld(a)) return 'add';
  }
  if (value.name === 'SUB' && isOld(a) && !isOld(b)) return 'sub';
  return null;
}

export class StorageAnalyzer implements Observer {
  private readonly reads = new Map<string, Acc>();
  private readonly writes = new Map<string, Acc>();
  private overflow = false;

  private get(map: Map<string, Acc>, slot: Sym, transient: boolean, pc: number): Acc | null {
    const key = slot.id + (transient ? 't' : '');
    let a = map.get(key);
    if (!a) {
      if (this.reads.size + this.writes.size >= MAX_ACCESSES_PER_FUNCTION) {
        this.overflow = true;
        return null;
      }
      a = { slot, transient, pcs: new Set(), ranges: new Set(), delta: undefined };
      map.set(key, a);
    }
    a.pcs.add(pc);
    return a;
  }

  sload(pc: number, slot: Sym, transient: boolean): void {
    this.get(this.reads, slot, transient, pc);
  }

  sstore(pc: number, slot: Sym, value: Sym, transient: boolean): void {
    const a = this.get(this.writes, slot, transient, pc);
    if (!a) return;
    const r = transient ? null : packedRange(slot, value);
    if (!r) a.ranges = null;
    else if (a.ranges) a.ranges.add(`${r.offset}:${r.size}`);
    const d = transient ? null : deltaShape(slot, value);
    a.delta = a.delta === undefined ? d : a.delta === d ? d : null;
  }

  /** Accesses and the diagnostics for slots the analysis could not name. */
  finish(): { reads: StorageAccess[]; writes: StorageAccess[]; diagnostics: Diagnostic[]; exact: boolean } {
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
        if (a.delta) acc.delta = a.delta;
        if (exprHasUnknown(expr)) {
          exact = false;
          diagnostics.push({ code: 'unknown-slot', message: `${kind} of a slot the analysis cannot name: ${acc.text}`, pc: pcs[0]! });
        }
        return acc;
      });
    return { reads: out(this.reads, 'read'), writes: out(this.writes, 'write'), diagnostics, exact };
  }
}
