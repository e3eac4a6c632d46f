/**
 * The executor's own check of a delta claim (oracle.ts, `deltas`), so that a wrong claim costs a re-execution and
 * never a wrong result: during a speculative run with claims, the value an SLOAD of a claimed slot returns (R) is
 * followed through the frame's stack, and every use of it is either allowed and recorded or marks the claim
 * violated:
 * - linear values R + off (mod 2^256): the SLOAD result, ADD with an untainted operand, SUB of an untainted operand;
 * - comparisons (LT, GT, SLT, SGT, EQ, ISZERO) of linear values of the same claim with each other or with untainted
 *   values: recorded as checks (a function of R), their result is a flag; a flag may only be negated (ISZERO), moved
 *   (DUP, SWAP, POP) or decide a JUMPI; a JUMPI on a linear value is the check R + off != 0;
 * - SSTORE of a linear value to the claimed slot itself: the delta write, recorded as `off`;
 * - anything else that consumes a tainted value (memory, logs, calls, return data, other slots, other arithmetic, a
 *   second claim mixed in, a jump target) violates the claim, and so does an untainted write to the claimed slot.
 * At commit (parallel.ts), a stale claimed read r with committed value c merges only when the claim was not violated,
 * the slot was SLOADed and SSTOREd exactly once, and every recorded check gives the same result for R = c as for
 * R = r: then control flow is the same, and the written value is exactly c + off. Since memory never holds a
 * tainted value, taint does not cross frames; a claimed slot is tracked in whichever frame loads it.
 */
import { OPCODES } from '../evm/opcodes.js';
import { evmInternal } from './patches.js';

const M = 1n << 256n;
const MASK = M - 1n;

/** A tainted stack item: linear in claim `id`'s R, or a flag (a function of recorded checks). */
type Item = { id: number; lin: true; off: bigint } | { id: number; lin: false };

/** A side of a check: R + off (`lin`) or a constant. */
export type Side = [lin: true, off: bigint] | [lin: false, value: bigint];
/** op: 0x10 LT, 0x11 GT, 0x12 SLT, 0x13 SGT, 0x14 EQ, 0x15 ISZERO (b unused), 0x57 JUMPI (R + off != 0, b unused). */
export type Check = [op: number, a: Side, b: Side];

export interface ClaimTrace {
  address: string;
  slot: bigint;
  sloads: number;
  sstores: number;
  /** The value written is R + off (set by the one linear SSTORE). */
  off?: bigint;
  violated: boolean;
  checks: Check[];
}

export class TaintState {
  readonly claims: ClaimTrace[] = [];
  /** address -> slot -> claim id */
  readonly byKey = new Map<string, Map<bigint, number>>();

  constructor(counted: Array<[string, bigint]>) {
    for (const [a, k] of counted) {
      let m = this.byKey.get(a);
      if (m === undefined) this.byKey.set(a, (m = new Map()));
      if (m.has(k)) continue;
      m.set(k, this.claims.length);
      this.claims.push({ address: a, slot: k, sloads: 0, sstores: 0, violated: false, checks: [] });
    }
  }
}

const signed = (x: bigint) => (x >= M >> 1n ? x - M : x);
const val = (s: Side, r: bigint): bigint => (s[0] ? (r + s[1]) & MASK : s[1]);

/** A recorded check's result for R = r. */
export function evalCheck([op, a, b]: Check, r: bigint): boolean {
  const x = val(a, r);
  switch (op) {
    case 0x10:
      return x < val(b, r);
    case 0x11:
      return x > val(b, r);
    case 0x12:
      return signed(x) < signed(val(b, r));
    case 0x13:
      return signed(x) > signed(val(b, r));
    case 0x14:
      return x === val(b, r);
    case 0x15:
      return x === 0n;
    default:
      return x !== 0n;
  }
}

const NONE: Side = [false, 0n];
let patched = false;

/** Wraps the interpreter's step; without an active TaintState on the view it costs one property read per step. */
export function patchTaint(): void {
  if (patched) return;
  patched = true;
  const { Interpreter } = evmInternal('interpreter.js');
  const orig = Interpreter.prototype.runStep;
  Interpreter.prototype.runStep = function (this: any, op: unknown) {
    const t: TaintState | null | undefined = this._stateManager?.taint;
    if (t === null || t === undefined) return orig.call(this, op);
    const frame: Map<number, Item> | undefined = this._taints;
    const code: number = this._runState.opCode;
    if ((frame === undefined || frame.size === 0) && code !== 0x54 && code !== 0x55) return orig.call(this, op);
    return taintedStep(this, op, t, orig);
  };
}

async function taintedStep(it: any, op: unknown, t: TaintState, orig: (op: unknown) => Promise<void>): Promise<void> {
  const frame: Map<number, Item> = (it._taints ??= new Map());
  const rs = it._runState;
  const store: bigint[] = rs.stack._store;
  const len: number = rs.stack._len;
  const code: number = rs.opCode;

  // Pure stack moves: taints move with the items.
  if (code >= 0x80 && code <= 0x8f) {
    await orig.call(it, op);
    const x = frame.get(len - 1 - (code - 0x80));
    if (x !== undefined) frame.set(len, x);
    return;
  }
  if (code >= 0x90 && code <= 0x9f) {
    await orig.call(it, op);
    const a = len - 1;
    const b = len - 2 - (code - 0x90);
    const xa = frame.get(a);
    const xb = frame.get(b);
    frame.delete(a);
    frame.delete(b);
    if (xb !== undefined) frame.set(a, xb);
    if (xa !== undefined) frame.set(b, xa);
    return;
  }
  if (code === 0x50) {
    await orig.call(it, op);
    frame.delete(len - 1);
    return;
  }

  const info = OPCODES[code]!;
  const pops = Math.min(info.pops, len);
  const ins: Array<Item | undefined> = [];
  for (let d = 0; d < pops; d++) ins.push(frame.get(len - 1 - d)); // d-th item from the top
  const tainted = ins.some((x) => x !== undefined);
  let out: Item | undefined;

  if (code === 0x54) {
    // SLOAD
    violate(t, ins[0]);
    const id = ins[0] === undefined ? t.byKey.get(it._env.address.toString())?.get(store[len - 1]!) : undefined;
    await orig.call(it, op);
    if (id !== undefined) {
      t.claims[id]!.sloads++;
      frame.set(len - 1, { id, lin: true, off: 0n });
    } else frame.delete(len - 1);
    return;
  }
  if (code === 0x55) {
    // SSTORE: key on top, value second.
    const key = store[len - 1]!;
    const id = ins[0] === undefined ? t.byKey.get(it._env.address.toString())?.get(key) : undefined;
    violate(t, ins[0]);
    const v = ins[1];
    await orig.call(it, op);
    if (id !== undefined) {
      const c = t.claims[id]!;
      c.sstores++;
      if (v !== undefined && v.lin && v.id === id) c.off = v.off;
      else c.violated = true;
    } else violate(t, v);
    frame.delete(len - 1);
    frame.delete(len - 2);
    return;
  }
  if (!tainted) {
    await orig.call(it, op);
    for (let d = 0; d < pops; d++) frame.delete(len - 1 - d);
    unknownEffect(it, frame, t, len, info.pushes - pops);
    return;
  }

  const [a, b] = ins;
  const sameClaim = a === undefined || b === undefined || a.id === b.id;
  switch (code) {
    case 0x01: // ADD
      if (a !== undefined && b !== undefined) break;
      if (a?.lin) out = { id: a.id, lin: true, off: (a.off + store[len - 2]!) & MASK };
      else if (b?.lin) out = { id: b.id, lin: true, off: (b.off + store[len - 1]!) & MASK };
      break;
    case 0x03: // SUB: top - second
      if (a?.lin && b === undefined) out = { id: a.id, lin: true, off: (a.off - store[len - 2]! + M) & MASK };
      break;
    case 0x10:
    case 0x11:
    case 0x12:
    case 0x13:
    case 0x14: {
      if (!sameClaim) break;
      const sa = side(a, store[len - 1]!);
      const sb = side(b, store[len - 2]!);
      if (sa === null || sb === null) break;
      const id = (a ?? b)!.id;
      t.claims[id]!.checks.push([code, sa, sb]);
      out = { id, lin: false };
      break;
    }
    case 0x15: // ISZERO
      if (a!.lin) t.claims[a!.id]!.checks.push([0x15, [true, a!.off], NONE]);
      out = { id: a!.id, lin: false };
      break;
    case 0x57: // JUMPI: destination on top, condition second
      if (a !== undefined) break;
      if (b!.lin) t.claims[b!.id]!.checks.push([0x57, [true, b!.off], NONE]);
      await orig.call(it, op);
      frame.delete(len - 1);
      frame.delete(len - 2);
      return;
  }
  if (out === undefined) for (const x of ins) violate(t, x);
  await orig.call(it, op);
  for (let d = 0; d < pops; d++) frame.delete(len - 1 - d);
  if (out !== undefined && info.pushes === 1) frame.set(len - pops, out);
  unknownEffect(it, frame, t, len, info.pushes - pops);
}

// Module-level rather than closures: taintedStep runs for every opcode of a frame holding a taint.
function violate(t: TaintState, x: Item | undefined): void {
  if (x !== undefined) t.claims[x.id]!.violated = true;
}

const side = (x: Item | undefined, v: bigint): Side | null => (x === undefined ? [false, v] : x.lin ? [true, x.off] : null);

/** An opcode whose stack effect is not the table's (one the table does not know): every taint in the frame is lost. */
function unknownEffect(it: any, frame: Map<number, Item>, t: TaintState, len: number, expected: number): void {
  if (it._runState.stack._len - len === expected) return;
  for (const x of frame.values()) t.claims[x.id]!.violated = true;
  frame.clear();
}
