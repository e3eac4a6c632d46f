/**
 * Slot algebra and readable text for symbolic values: how analyzers name what the machine computed.
 */
import { hasUnknown, type Sym } from '../src/evm/sym.js';
import type { Key, KeyOrigin, Slot } from '../src/types.js';

const INFIX: Record<string, string> = { ADD: '+', SUB: '-', MUL: '*', DIV: '/', AND: '&', OR: '|', XOR: '^', SHL: '<<', SHR: '>>', EQ: '==', LT: '<', GT: '>' };
const MASK160 = (1n << 160n) - 1n;

const short = (v: bigint): string => (v < 1n << 64n ? '0x' + v.toString(16) : '0x' + v.toString(16).slice(0, 8) + '…');

/** Human-readable form of a symbolic value, e.g. `keccak(caller . 0x0)`. */
export function render(s: Sym, depth = 0): string {
  if (depth > 8) return '…';
  const r = (x: Sym) => render(x, depth + 1);
  switch (s.k) {
    case 'const': return short(s.v);
    case 'env': return s.name.toLowerCase();
    case 'cd': {
      const off = Number(s.v);
      return off >= 4 && (off - 4) % 32 === 0 ? `arg${(off - 4) / 32}` : `calldata[${off}]`;
    }
    case 'cdx': return `calldata[${r(s.args[0]!)}]`;
    case 'sload': return `${s.n ? 'tload' : 'sload'}(${r(s.args[0]!)})`;
    case 'keccak': return `keccak(${s.args.map(r).join(' . ')}${s.n % 32 ? `; ${s.n} bytes` : ''})`;
    case 'op': {
      const [a, b] = s.args;
      if (s.name === 'AND' && b?.isConst && b.v === MASK160) return `address(${r(a!)})`;
      if (s.name === 'SHL' || s.name === 'SHR') return `(${r(b!)} ${INFIX[s.name]} ${r(a!)})`;
      const inf = INFIX[s.name];
      if (inf && s.args.length === 2) return `(${r(a!)} ${inf} ${r(b!)})`;
      return `${s.name.toLowerCase()}(${s.args.map(r).join(', ')})`;
    }
    case 'callret': return `call${s.n}.ret[${s.v}]`;
    case 'callok': return `call${s.n}.ok`;
    case 'balance': return `balance(${r(s.args[0]!)})`;
    case 'ext': return `${s.name.toLowerCase()}(${r(s.args[0]!)})`;
    case 'unknown': return `?(${s.name.replace(/#.*$/, '')})`;
  }
}

/** Masks and sign extensions do not change where a key comes from. */
function core(s: Sym): Sym {
  while (s.k === 'op' && ((s.name === 'AND' && s.args[1]!.isConst) || s.name === 'SIGNEXTEND')) s = s.name === 'AND' ? s.args[0]! : s.args[1]!;
  return s;
}

function origin(s: Sym): { origin: KeyOrigin; arg?: number } {
  const c = core(s);
  switch (c.k) {
    case 'const': return { origin: 'constant' };
    case 'env':
      if (c.name === 'CALLER') return { origin: 'caller' };
      if (c.name === 'ORIGIN') return { origin: 'origin' };
      if (c.name === 'CALLVALUE') return { origin: 'callvalue' };
      return { origin: 'env' };
    case 'cd': {
      const off = Number(c.v);
      return off >= 4 && (off - 4) % 32 === 0 ? { origin: 'calldata', arg: (off - 4) / 32 } : { origin: 'calldata' };
    }
    case 'cdx': return { origin: 'calldata' };
    case 'sload': return { origin: 'storage' };
    case 'callret': case 'callok': return { origin: 'call' };
    case 'unknown': return { origin: 'unknown' };
    default: return { origin: hasUnknown(c) ? 'unknown' : 'computed' };
  }
}

export function keyOf(s: Sym, toExpr: (s: Sym) => Key['expr']): Key {
  return { ...origin(s), expr: toExpr(s) };
}

/** The slot algebra view of a slot expression. */
export function slotOf(s: Sym, toExpr: (s: Sym) => Key['expr']): Slot {
  if (s.k === 'unknown') return { kind: 'unknown', why: s.name.replace(/#.*$/, '') };
  if (s.isConst) return { kind: 'const', slot: `0x${s.v.toString(16)}` };
  if (s.k === 'keccak' && s.n === 64 && s.args.length === 2) {
    return { kind: 'mapping', base: slotOf(s.args[1]!, toExpr), key: keyOf(s.args[0]!, toExpr) };
  }
  if (s.k === 'keccak' && s.n === 32 && s.args.length === 1) {
    return { kind: 'array', base: slotOf(s.args[0]!, toExpr), index: { origin: 'constant', expr: { k: 'const', v: '0x0' } } };
  }
  if (s.k === 'op' && s.name === 'ADD') {
    const [a, b] = s.args as [Sym, Sym];
    for (const [x, y] of [[a, b], [b, a]] as const) {
      if (x.k === 'keccak' && x.n === 32 && x.args.length === 1 && !y.isConst) {
        return { kind: 'array', base: slotOf(x.args[0]!, toExpr), index: keyOf(y, toExpr) };
      }
    }
    if (b.isConst && b.v < 1n << 32n) {
      const base = slotOf(a, toExpr);
      if (base.kind === 'offset') return { kind: 'offset', base: base.base, offset: base.offset + Number(b.v) };
      if (base.kind !== 'computed' && base.kind !== 'unknown') return { kind: 'offset', base, offset: Number(b.v) };
    }
  }
  if (hasUnknown(s)) return { kind: 'unknown', why: `slot depends on an unknown value: ${render(s)}` };
  return { kind: 'computed', key: keyOf(s, toExpr) };
}

/** The constant root of a slot (the state variable's declared slot), or null. */
export function rootSlot(slot: Slot): bigint | null {
  switch (slot.kind) {
    case 'const': return BigInt(slot.slot);
    case 'mapping': case 'array': case 'offset': return rootSlot(slot.base);
    default: return null;
  }
}
