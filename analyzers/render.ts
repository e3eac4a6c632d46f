/**
 * Slot algebra and readable text over serialisable expressions (src/types.ts `Expr`): how analyzers, reports and
 * tables name what the machine computed.
 */
import type { Expr, Key, KeyOrigin, Slot, StorageVariable } from '../src/types.js';
import { keccak256, toHex } from '../src/util/keccak.js';
import { callExecution, callRecord } from '../src/evm/sym.js';

const INFIX: Record<string, string> = { ADD: '+', SUB: '-', MUL: '*', DIV: '/', AND: '&', OR: '|', XOR: '^', SHL: '<<', SHR: '>>', EQ: '==', LT: '<', GT: '>' };
const MASK160 = (1n << 160n) - 1n;

const isConst = (e: Expr): e is { k: 'const'; v: `0x${string}` } => e.k === 'const';
const short = (v: bigint): string => (v < 1n << 64n ? '0x' + v.toString(16) : '0x' + v.toString(16).slice(0, 8) + '…');

/** Does the expression contain an `unknown` leaf? */
export function exprHasUnknown(e: Expr): boolean {
  switch (e.k) {
    case 'unknown': return true;
    case 'cdx': return exprHasUnknown(e.off);
    case 'sload': return exprHasUnknown(e.slot);
    case 'keccak': return e.words.some(exprHasUnknown);
    case 'op': return e.args.some(exprHasUnknown);
    case 'balance': case 'ext': return exprHasUnknown(e.addr);
    case 'blockhash': return exprHasUnknown(e.n);
    default: return false;
  }
}

/** Human-readable form, e.g. `keccak(caller . 0x0)`. */
/** `call3`, or `call3.run2` for the second execution of call 3 on a path (src/evm/sym.ts CALL_EXECUTION_STRIDE). */
function callName(id: number): string {
  const n = callExecution(id);
  return n > 0 ? `call${callRecord(id)}.run${n + 1}` : `call${id}`;
}

export function exprText(e: Expr, depth = 0): string {
  if (depth > 8) return '…';
  const r = (x: Expr) => exprText(x, depth + 1);
  switch (e.k) {
    case 'const': return short(BigInt(e.v));
    case 'env': return e.name.toLowerCase();
    case 'cd': return e.arg !== null ? `arg${e.arg}` : `calldata[${e.off}]`;
    case 'cdx': return `calldata[${r(e.off)}]`;
    case 'sload': return `${e.transient ? 'tload' : 'sload'}(${r(e.slot)})`;
    case 'keccak': return `keccak(${e.words.map(r).join(' . ')}${e.size !== undefined ? `; ${e.size} bytes` : ''})`;
    case 'op': {
      const [a, b] = e.args;
      if (e.op === 'AND' && b && isConst(b) && BigInt(b.v) === MASK160) return `address(${r(a!)})`;
      if (e.op === 'SHL' || e.op === 'SHR') return `(${r(b!)} ${INFIX[e.op]} ${r(a!)})`;
      const inf = INFIX[e.op];
      if (inf && e.args.length === 2) return `(${r(a!)} ${inf} ${r(b!)})`;
      return `${e.op.toLowerCase()}(${e.args.map(r).join(', ')})`;
    }
    case 'callret': return e.word < 0 ? `${callName(e.call)}.ret.length` : `${callName(e.call)}.ret[${e.word}]`;
    case 'callok': return `${callName(e.call)}.ok`;
    case 'balance': return `balance(${r(e.addr)})`;
    case 'ext': return `${e.what.toLowerCase()}(${r(e.addr)})`;
    case 'blockhash': return `blockhash(${r(e.n)})`;
    case 'unknown': return `?(${e.why})`;
  }
}

/** Masks and sign extensions do not change where a key comes from. */
function core(e: Expr): Expr {
  while (e.k === 'op' && ((e.op === 'AND' && isConst(e.args[1]!)) || e.op === 'SIGNEXTEND')) e = e.op === 'AND' ? e.args[0]! : e.args[1]!;
  return e;
}

function origin(e: Expr): { origin: KeyOrigin; arg?: number } {
  const c = core(e);
  switch (c.k) {
    case 'const': return { origin: 'constant' };
    case 'env':
      if (c.name === 'CALLER') return { origin: 'caller' };
      if (c.name === 'ORIGIN') return { origin: 'origin' };
      if (c.name === 'CALLVALUE') return { origin: 'callvalue' };
      return { origin: 'env' };
    case 'cd': return c.arg !== null ? { origin: 'calldata', arg: c.arg } : { origin: 'calldata' };
    case 'cdx': return { origin: exprHasUnknown(c) ? 'unknown' : 'calldata' };
    case 'sload': return { origin: exprHasUnknown(c) ? 'unknown' : 'storage' };
    case 'callret': case 'callok': return { origin: 'call' };
    case 'unknown': return { origin: 'unknown' };
    default: return { origin: exprHasUnknown(c) ? 'unknown' : 'computed' };
  }
}

export const keyOf = (e: Expr): Key => ({ ...origin(e), expr: e });

let hashedSlots: Map<bigint, number> | null = null;
/** keccak(n) for the first declared slots: solc's optimizer folds `keccak(slot)` of a dynamic array into a constant. */
function hashedSlot(v: bigint): number | undefined {
  if (!hashedSlots) {
    hashedSlots = new Map();
    for (let i = 0; i < HASHED_SLOTS; i++) hashedSlots.set(BigInt(toHex(keccak256(wordBytes(BigInt(i))))), i);
  }
  return hashedSlots.get(v);
}
const HASHED_SLOTS = 256;
const wordBytes = (v: bigint): Uint8Array => Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));

/** The slot algebra view of a slot expression. */
export function slotOf(e: Expr): Slot {
  if (e.k === 'unknown') return { kind: 'unknown', why: e.why };
  if (isConst(e)) {
    const base = hashedSlot(BigInt(e.v));
    if (base !== undefined) return { kind: 'array', base: { kind: 'const', slot: `0x${base.toString(16)}` }, index: { origin: 'constant', expr: { k: 'const', v: '0x0' } } };
    return { kind: 'const', slot: e.v };
  }
  if (e.k === 'keccak' && e.size === undefined && e.words.length === 2) return { kind: 'mapping', base: slotOf(e.words[1]!), key: keyOf(e.words[0]!) };
  if (e.k === 'keccak' && e.size === undefined && e.words.length === 1) {
    return { kind: 'array', base: slotOf(e.words[0]!), index: { origin: 'constant', expr: { k: 'const', v: '0x0' } } };
  }
  if (e.k === 'op' && e.op === 'ADD') {
    const [a, b] = e.args as [Expr, Expr];
    for (const [x, y] of [[a, b], [b, a]] as const) {
      if (x.k === 'keccak' && x.size === undefined && x.words.length === 1) return { kind: 'array', base: slotOf(x.words[0]!), index: keyOf(y) };
    }
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const base = isConst(x) ? hashedSlot(BigInt(x.v)) : undefined;
      if (base !== undefined) return { kind: 'array', base: { kind: 'const', slot: `0x${base.toString(16)}` }, index: keyOf(y) };
    }
    if (isConst(b) && BigInt(b.v) < 1n << 32n) {
      const base = slotOf(a);
      if (base.kind === 'offset') return { kind: 'offset', base: base.base, offset: base.offset + Number(BigInt(b.v)) };
      if (base.kind !== 'computed' && base.kind !== 'unknown') return { kind: 'offset', base, offset: Number(BigInt(b.v)) };
    }
  }
  if (exprHasUnknown(e)) return { kind: 'unknown', why: `slot depends on an unknown value: ${exprText(e)}` };
  return { kind: 'computed', key: keyOf(e) };
}

/** The constant root of a slot (the state variable's declared slot), or null. */
export function rootSlot(slot: Slot): bigint | null {
  switch (slot.kind) {
    case 'const': return BigInt(slot.slot);
    case 'mapping': case 'array': case 'offset': return rootSlot(slot.base);
    default: return null;
  }
}

/**
 * The slot in source terms when the storage layout is known: `balanceOf[caller]`, `allowance[arg0][caller]`,
 * `records[caller][arg0] + 2`, `items[arg0]`. Null without a matching variable.
 */
export function slotName(slot: Slot, layout: readonly StorageVariable[] | null, range?: { offset: number; size: number }): string | null {
  if (!layout || layout.length === 0) return null;
  const keyText = (k: Key) => exprText(k.expr);
  const walk = (s: Slot): string | null => {
    switch (s.kind) {
      case 'const': {
        const slot = BigInt(s.slot);
        const vars = layout.filter((v) => BigInt(v.slot) === slot);
        if (vars.length === 0) return null;
        if (vars.length === 1 || !range) return vars.length === 1 ? vars[0]!.label : vars.map((v) => v.label).join('/');
        const hit = vars.find((v) => v.offset === range.offset);
        return hit ? hit.label : vars.map((v) => v.label).join('/');
      }
      case 'mapping': { const b = walk(s.base); return b && `${b}[${keyText(s.key)}]`; }
      case 'array': { const b = walk(s.base); return b && `${b}[${keyText(s.index)}]`; }
      case 'offset': { const b = walk(s.base); return b && `${b}+${s.offset}`; }
      default: return null;
    }
  };
  return walk(slot);
}
