/**
 * Symbolic values of the abstract EVM: hash-consed nodes, so structurally equal values are the same object (cheap
 * equality and state keys). `toExpr` turns a node into the serialisable `Expr` of src/types.ts.
 */
import type { EnvName, Expr, Hex } from '../types.js';
import { MAX_EXPR_DEPTH, MAX_EXPR_NODES } from './limits.js';

export const U256 = (1n << 256n) - 1n;

/**
 * A call's results are one execution's: the n-th execution of call `id` on a path carries `id + n * stride` in its
 * results (src/evm/machine.ts `executionId`), so two executions of one call site are two values to the algebra
 * (`after - before` is not 0). Whoever resolves results by call record (src/hints) uses `callRecord`.
 */
export const CALL_EXECUTION_STRIDE = 1 << 20;
/** The call record a result's call id belongs to. */
export const callRecord = (id: number): number => id % CALL_EXECUTION_STRIDE;
/** Which execution of its call record a result's call id is (0: the first on its path). */
export const callExecution = (id: number): number => Math.floor(id / CALL_EXECUTION_STRIDE);
const MASK160 = (1n << 160n) - 1n;
const SIGN = 1n << 255n;

export type SymKind = 'const' | 'env' | 'cd' | 'cdx' | 'sload' | 'keccak' | 'op' | 'callret' | 'callok' | 'balance' | 'ext' | 'blockhash' | 'unknown';

export class Sym {
  /** Cache for the machine: 1 when a constant is a valid jump destination of the code being explored, -1 unknown. */
  jd = -1;
  constructor(
    readonly id: number,
    readonly k: SymKind,
    /** const value; for `cd` the byte offset; for callret the word index. */
    readonly v: bigint,
    /** op mnemonic, env name, unknown reason, ext kind. */
    readonly name: string,
    readonly args: readonly Sym[],
    readonly depth: number,
    /** keccak: input size in bytes; callret/callok: call id; sload: 1 when transient. */
    readonly n: number,
  ) {}
  get isConst(): boolean {
    return this.k === 'const';
  }
}

const KIND_CODE: Record<SymKind, number> = { const: 1, env: 2, cd: 3, cdx: 4, sload: 5, keccak: 6, op: 7, callret: 8, callok: 9, balance: 10, ext: 11, unknown: 12, blockhash: 13 };

const toSigned = (x: bigint): bigint => (x & SIGN ? x - (1n << 256n) : x);
const toU = (x: bigint): bigint => ((x % (1n << 256n)) + (1n << 256n)) % (1n << 256n);

/** Exact 256-bit semantics of the pure EVM operators (shared with the binder). */
export function evalOp(op: string, a: bigint[]): bigint {
  const [x = 0n, y = 0n, z = 0n] = a;
  switch (op) {
    case 'ADD': return (x + y) & U256;
    case 'MUL': return (x * y) & U256;
    case 'SUB': return (x - y) & U256;
    case 'DIV': return y === 0n ? 0n : x / y;
    case 'SDIV': {
      if (y === 0n) return 0n;
      const q = toSigned(x) / toSigned(y);
      return toU(q);
    }
    case 'MOD': return y === 0n ? 0n : x % y;
    case 'SMOD': {
      if (y === 0n) return 0n;
      const sx = toSigned(x), sy = toSigned(y);
      const r = (sx < 0n ? -sx : sx) % (sy < 0n ? -sy : sy);
      return toU(sx < 0n ? -r : r);
    }
    case 'ADDMOD': return z === 0n ? 0n : (x + y) % z;
    case 'MULMOD': return z === 0n ? 0n : (x * y) % z;
    case 'EXP': {
      let r = 1n, b = x, e = y;
      while (e > 0n) {
        if (e & 1n) r = (r * b) & U256;
        b = (b * b) & U256;
        e >>= 1n;
      }
      return r;
    }
    case 'SIGNEXTEND': {
      if (x >= 31n) return y;
      const bit = x * 8n + 7n;
      const mask = (1n << (bit + 1n)) - 1n;
      return (y >> bit) & 1n ? (y | (U256 ^ mask)) & U256 : y & mask;
    }
    case 'LT': return x < y ? 1n : 0n;
    case 'GT': return x > y ? 1n : 0n;
    case 'SLT': return toSigned(x) < toSigned(y) ? 1n : 0n;
    case 'SGT': return toSigned(x) > toSigned(y) ? 1n : 0n;
    case 'EQ': return x === y ? 1n : 0n;
    case 'ISZERO': return x === 0n ? 1n : 0n;
    case 'AND': return x & y;
    case 'OR': return x | y;
    case 'XOR': return x ^ y;
    case 'NOT': return U256 ^ x;
    case 'BYTE': return x >= 32n ? 0n : (y >> (8n * (31n - x))) & 0xffn;
    case 'SHL': return x >= 256n ? 0n : (y << x) & U256;
    case 'SHR': return x >= 256n ? 0n : y >> x;
    case 'SAR': {
      const s = toSigned(y);
      if (x >= 256n) return s < 0n ? U256 : 0n;
      return toU(s >> x);
    }
    default: throw new Error(`evalOp: unknown operator ${op}`);
  }
}

/** Is the value the calldata's first word, or the selector cut out of it (shift, division, mask)? */
function fromSelectorWord(s: Sym, depth = 0): boolean {
  if (s.k === 'cd') return s.v === 0n;
  if (depth > 3 || s.k !== 'op') return false;
  if (s.name === 'SHR') return s.args[0]!.isConst && s.args[0]!.v >= 224n && fromSelectorWord(s.args[1]!, depth + 1);
  if (s.name === 'DIV' || s.name === 'AND') return s.args[1]!.isConst && fromSelectorWord(s.args[0]!, depth + 1);
  return false;
}

/** x + c as [x, c] (c = 0 when there is no constant term). */
function splitOffset(s: Sym): [Sym, bigint] {
  if (s.k === 'op' && s.name === 'ADD' && s.args[1]!.isConst) return [s.args[0]!, s.args[1]!.v];
  return [s, 0n];
}

/** Most terms `sumTerms` collects from one sum (bounds the work; the sums of solc's pointer arithmetic are short). */
const MAX_SUM_TERMS = 8;

/**
 * The non-constant terms of a tree of ADDs, in order, into `out`; returns the sum of its constants, or null past
 * MAX_SUM_TERMS.
 */
function sumTerms(s: Sym, out: Sym[]): bigint | null {
  if (s.isConst) return s.v;
  if (s.k === 'op' && s.name === 'ADD') {
    const x = sumTerms(s.args[0]!, out);
    if (x === null) return null;
    const y = sumTerms(s.args[1]!, out);
    return y === null ? null : x + y;
  }
  if (out.length >= MAX_SUM_TERMS) return null;
  out.push(s);
  return 0n;
}

const COMMUTATIVE = new Set(['ADD', 'MUL', 'AND', 'OR', 'XOR', 'EQ']);
/** Values known to fit in 160 bits, so `AND(x, 2^160-1)` is x itself. */
const ADDRESS_ENV = new Set(['CALLER', 'ORIGIN', 'ADDRESS', 'COINBASE']);

/**
 * Builds interned nodes with light simplification (constant folding, address masks, selector extraction). One
 * builder per analysed contract: ids are only meaningful inside it.
 */
export class SymBuilder {
  /** Interning: constants by value; other nodes by a numeric hash with exact comparison (no key strings). */
  private readonly consts = new Map<bigint, Sym>();
  private readonly table = new Map<number, Sym[]>();
  private readonly names = new Map<string, number>();
  private nextId = 1;
  /** The 4-byte selector of the function being explored, or null (unknown calldata head). */
  selector: bigint | null = null;
  /** Calldata is empty (receive() exploration). */
  emptyCalldata = false;
  /**
   * Fallback exploration: the selector is symbolic (msg.sig keys stay keys) but is none of these, so the dispatcher's
   * `selector == known` comparisons fold to false.
   */
  excludedSelectors: Set<bigint> | null = null;
  /** Set when an expression hit MAX_EXPR_DEPTH. */
  depthHits = 0;

  /**
   * Bytes [from, to) of the word (0 = most significant) outside which a value is known to be zero: set by memory reads
   * that assemble a word from pieces, so a mask over those bytes can drop or keep a piece whole.
   */
  private readonly spans = new Map<number, number>();
  setSpan(s: Sym, from: number, to: number): void {
    if (from === 0 && to === 32) return;
    if (!s.isConst) this.spans.set(s.id, from * 64 + to);
  }
  private span(s: Sym): [number, number] | null {
    const v = this.spans.get(s.id);
    return v === undefined ? null : [Math.floor(v / 64), v % 64];
  }
  /** AND(x, mask) where x is an OR of pieces with known spans: pieces the mask clears drop, pieces it keeps stay. */
  private maskPieces(a: Sym, mask: bigint): Sym | null {
    const parts: Sym[] = [];
    const collect = (x: Sym): boolean => {
      if (x.k === 'op' && x.name === 'OR') return collect(x.args[0]!) && collect(x.args[1]!);
      if (!this.span(x)) return false;
      parts.push(x);
      return true;
    };
    if (!collect(a)) return null;
    const kept: Sym[] = [];
    for (const p of parts) {
      const [from, to] = this.span(p)!;
      let all = true, none = true;
      for (let i = from; i < to; i++) {
        const byte = (mask >> BigInt(8 * (31 - i))) & 0xffn;
        if (byte !== 0xffn) all = false;
        if (byte !== 0n) none = false;
      }
      if (none) continue;
      if (!all && parts.length === 1) return null; // nothing to drop: a plain AND node
      kept.push(all ? p : this.guard(this.intern('op', 0n, 'AND', [p, this.const(mask)], 0)));
    }
    let acc: Sym | null = null;
    for (const p of kept) acc = acc ? this.op('OR', [acc, p]) : p;
    return acc ?? this.const(0n);
  }

  private nameCode(name: string): number {
    let c = this.names.get(name);
    if (c === undefined) this.names.set(name, (c = this.names.size + 1));
    return c;
  }

  private intern(k: SymKind, v: bigint, name: string, args: readonly Sym[], n: number): Sym {
    if (k === 'const') {
      let c = this.consts.get(v);
      if (!c) this.consts.set(v, (c = new Sym(this.nextId++, 'const', v, '', [], 0, 0)));
      return c;
    }
    let h = Math.imul(KIND_CODE[k], 0x9e3779b1) ^ Math.imul(this.nameCode(name), 0x85ebca6b) ^ Math.imul(n + 1, 0xc2b2ae35);
    if (v !== 0n) h ^= Number(v & 0xffffffffn) * 31;
    for (const a of args) h = Math.imul(h ^ a.id, 0x27d4eb2d) + 0x165667b1;
    h |= 0;
    let bucket = this.table.get(h);
    if (bucket) {
      outer: for (const s of bucket) {
        if (s.k !== k || s.v !== v || s.name !== name || s.n !== n || s.args.length !== args.length) continue;
        for (let i = 0; i < args.length; i++) if (s.args[i] !== args[i]) continue outer;
        return s;
      }
    } else this.table.set(h, (bucket = []));
    let depth = 0;
    for (const a of args) if (a.depth >= depth) depth = a.depth + 1;
    const s = new Sym(this.nextId++, k, v, name, args, depth, n);
    bucket.push(s);
    return s;
  }

  const(v: bigint): Sym {
    return this.intern('const', v & U256, '', [], 0);
  }
  env(name: EnvName): Sym {
    if (name === 'CALLDATASIZE' && this.emptyCalldata) return this.const(0n);
    return this.intern('env', 0n, name, [], 0);
  }
  /** A fresh unknown (never equal to another) unless `key` interns it (join points use a stable key). */
  unknown(why: string, key?: string): Sym {
    if (key !== undefined) return this.intern('unknown', 0n, why + '#' + key, [], 0);
    return this.fresh(why);
  }
  private fresh(why: string): Sym {
    return new Sym(this.nextId++, 'unknown', 0n, why, [], 0, 0);
  }
  calldata(off: Sym): Sym {
    if (this.emptyCalldata) return this.const(0n);
    if (off.isConst) {
      if (off.v > 0xffffffffn) return this.const(0n);
      return this.intern('cd', off.v, '', [], 0);
    }
    return this.guard(this.intern('cdx', 0n, '', [off], 0));
  }
  sload(slot: Sym, transient: boolean): Sym {
    return this.guard(this.intern('sload', 0n, '', [slot], transient ? 1 : 0));
  }
  keccak(words: Sym[], size: number): Sym {
    return this.guard(this.intern('keccak', 0n, '', words, size));
  }
  callret(call: number, word: number): Sym {
    return this.intern('callret', BigInt(word), '', [], call);
  }
  /** RETURNDATASIZE after call `call` (a binder that resolves the call knows it). */
  retsize(call: number): Sym {
    return this.intern('callret', -1n, '', [], call);
  }
  callok(call: number): Sym {
    return this.intern('callok', 0n, '', [], call);
  }
  balance(addr: Sym): Sym {
    return this.guard(this.intern('balance', 0n, '', [addr], 0));
  }
  ext(what: 'EXTCODESIZE' | 'EXTCODEHASH', addr: Sym): Sym {
    return this.guard(this.intern('ext', 0n, what, [addr], 0));
  }
  /** BLOCKHASH(n): keeps the block number, which is usually NUMBER - 1 (a binder that knows the hashes evaluates it). */
  blockhash(n: Sym): Sym {
    return this.guard(this.intern('blockhash', 0n, '', [n], 0));
  }

  /**
   * An exploration with input facts (src/evm/facts.ts) sets this: a value past the depth limit that the facts decide
   * becomes that constant (recorded as an assumption) instead of unknown, so arithmetic over a pool's stored price
   * stays exact round after round.
   */
  onDeep: ((s: Sym) => Sym | null) | null = null;

  private guard(s: Sym): Sym {
    if (s.depth > MAX_EXPR_DEPTH) {
      const v = this.onDeep?.(s);
      if (v) return v;
      this.depthHits++;
      return this.fresh('expression too deep');
    }
    return s;
  }

  /** Is the value known to fit in 160 bits? */
  private isAddress(s: Sym): boolean {
    if (s.k === 'env') return ADDRESS_ENV.has(s.name);
    if (s.k === 'const') return s.v <= MASK160;
    if (s.k === 'op' && s.name === 'AND') return s.args[1]!.isConst && s.args[1]!.v <= MASK160;
    return false;
  }

  /**
   * `a - b` where every term of the sum `b` is also a term of the sum `a`: what is left of `a`, plus the difference of
   * the constants; else null. An allocation made after dynamically sized ones (returned bytes copied to memory) has
   * a start of several terms, and its length, `(start + 0x84 + roundup(data.length)) - start`, must not keep them:
   * they are call results a binder cannot evaluate, while the length itself is made of the call's inputs.
   */
  private cancelTerms(a: Sym, b: Sym): Sym | null {
    const ta: Sym[] = [], tb: Sym[] = [];
    const ca = sumTerms(a, ta), cb = sumTerms(b, tb);
    if (ca === null || cb === null || tb.length === 0 || tb.length >= ta.length) return null;
    for (const t of tb) {
      const i = ta.indexOf(t);
      if (i < 0) return null;
      ta.splice(i, 1);
    }
    let acc = ta[0]!;
    for (let i = 1; i < ta.length; i++) acc = this.op('ADD', [acc, ta[i]!]);
    const c = (ca - cb) & U256;
    return c === 0n ? acc : this.op('ADD', [acc, this.const(c)]);
  }

  op(name: string, args: Sym[]): Sym {
    let allConst = true;
    for (const a of args) if (!a.isConst) { allConst = false; break; }
    if (allConst) return this.const(evalOp(name, args.map((a) => a.v)));
    let [a, b] = args as [Sym, Sym];
    if (COMMUTATIVE.has(name) && a.isConst && !b.isConst) {
      [a, b] = [b, a];
      args = [a, b];
    }
    switch (name) {
      case 'ADD':
        // A widened value does not absorb constant steps: W + 0x20 stays an offset from W, so memory written relative
        // to a widened pointer and lengths (W + 0x48) - (W + 0x20) stay exact. Loops converge in the join instead.
        if (b.isConst) {
          if (b.v === 0n) return a;
          if (a.k === 'op' && a.name === 'ADD' && a.args[1]!.isConst) return this.op('ADD', [a.args[0]!, this.const(a.args[1]!.v + b.v)]);
        }
        break;
      case 'SUB': {
        if (b.isConst) return this.op('ADD', [a, this.const((U256 + 1n - b.v) & U256)]);
        if (a === b) return this.const(0n);
        // (x + c1) - (x + c2): lengths computed from two pointers into the same allocation.
        const [xa, ca] = splitOffset(a), [xb, cb] = splitOffset(b);
        if (xa === xb) return this.const(ca - cb);
        const rest = this.cancelTerms(a, b);
        if (rest) return rest;
        break;
      }
      case 'MUL':
        if (b.isConst) {
          if (b.v === 0n) return b;
          if (b.v === 1n) return a;
        }
        break;
      case 'AND':
        if (b.isConst) {
          if (b.v === 0n) return b;
          if (b.v === U256) return a;
          if (b.v === MASK160 && this.isAddress(a)) return a;
          if (a.k === 'op' && a.name === 'AND' && a.args[1]!.isConst) return this.op('AND', [a.args[0]!, this.const(a.args[1]!.v & b.v)]);
          if (this.selector !== null && a.k === 'cd' && a.v === 0n && b.v === 0xffffffffn << 224n) return this.const(this.selector << 224n);
          const masked = this.maskPieces(a, b.v);
          if (masked) return masked;
        }
        if (a === b) return a;
        break;
      case 'OR':
        if (b.isConst && b.v === 0n) return a;
        if (a === b) return a;
        break;
      case 'SHL':
      case 'SHR':
        // args: [shift, value]
        if (a.isConst) {
          if (a.v === 0n) return b;
          if (a.v >= 256n) return this.const(0n);
          if (name === 'SHR' && this.selector !== null && b.k === 'cd' && b.v === 0n && a.v >= 224n) return this.const(this.selector >> (a.v - 224n));
        }
        break;
      case 'DIV':
        if (b.isConst) {
          if (b.v === 1n) return a;
          if (this.selector !== null && a.k === 'cd' && a.v === 0n && b.v === 1n << 224n) return this.const(this.selector);
        }
        break;
      case 'LT':
        // calldatasize < 4 is false while exploring a known selector (the dispatcher's short-calldata branch).
        if (this.selector !== null && a.k === 'env' && a.name === 'CALLDATASIZE' && b.isConst && b.v <= 4n) return this.const(0n);
        break;
      case 'GT':
        if (this.selector !== null && b.k === 'env' && b.name === 'CALLDATASIZE' && a.isConst && a.v <= 4n) return this.const(0n);
        break;
      case 'EQ':
        if (a === b) return this.const(1n);
        if (this.excludedSelectors && b.isConst && fromSelectorWord(a)) {
          const v = b.v;
          if (this.excludedSelectors.has(v) || (v & ((1n << 224n) - 1n)) === 0n && this.excludedSelectors.has(v >> 224n)) return this.const(0n);
        }
        break;
      case 'ISZERO':
        if (a.k === 'op' && a.name === 'ISZERO' && a.args[0]!.k === 'op' && a.args[0]!.name === 'ISZERO') return a.args[0]!;
        break;
    }
    return this.guard(this.intern('op', 0n, name, args, 0));
  }
}

export const WIDENED = 'widened at a loop or merge';
export const isWidened = (s: Sym): boolean => s.k === 'unknown' && s.name.startsWith(WIDENED);

/** Does the node contain an `unknown` leaf? */
export function hasUnknown(s: Sym, memo: Map<number, boolean> = new Map()): boolean {
  if (s.k === 'unknown') return true;
  if (s.args.length === 0) return false;
  const m = memo.get(s.id);
  if (m !== undefined) return m;
  let r = false;
  for (const a of s.args) if (hasUnknown(a, memo)) { r = true; break; }
  memo.set(s.id, r);
  return r;
}

export const hex = (v: bigint): Hex => `0x${v.toString(16)}`;

/** Nodes of `s` written out as a tree, capped just past MAX_EXPR_NODES (memoized: values are immutable). */
const treeSizes = new WeakMap<Sym, number>();
function treeSize(s: Sym): number {
  const m = treeSizes.get(s);
  if (m !== undefined) return m;
  let n = 1;
  for (const a of s.args) {
    n += treeSize(a);
    if (n > MAX_EXPR_NODES) break;
  }
  n = Math.min(n, MAX_EXPR_NODES + 1);
  treeSizes.set(s, n);
  return n;
}

/** Serialisable form (src/types.ts `Expr`); one larger than MAX_EXPR_NODES written out becomes unknown. */
export function toExpr(s: Sym): Expr {
  if (s.args.length > 1 && treeSize(s) > MAX_EXPR_NODES) return { k: 'unknown', why: 'expression too large' };
  return exprOf(s, undefined);
}

/**
 * `toExpr` where a value met twice becomes the same object, so the result is no larger than `s`, and no cap: for an
 * assumption of a specialized exploration, which the binder only evaluates (memoized per object) and never prints.
 */
export function toSharedExpr(s: Sym, shared: Map<Sym, Expr>): Expr {
  const m = shared.get(s);
  if (m !== undefined) return m;
  const e = exprOf(s, shared);
  shared.set(s, e);
  return e;
}

function exprOf(s: Sym, shared: Map<Sym, Expr> | undefined): Expr {
  const sub = (a: Sym) => (shared ? toSharedExpr(a, shared) : toExpr(a));
  switch (s.k) {
    case 'const': return { k: 'const', v: hex(s.v) };
    case 'env': return { k: 'env', name: s.name as EnvName };
    case 'cd': {
      const off = Number(s.v);
      return { k: 'cd', off, arg: off >= 4 && (off - 4) % 32 === 0 ? (off - 4) / 32 : null };
    }
    case 'cdx': return { k: 'cdx', off: sub(s.args[0]!) };
    case 'sload': return s.n ? { k: 'sload', slot: sub(s.args[0]!), transient: true } : { k: 'sload', slot: sub(s.args[0]!) };
    case 'keccak': {
      const e: Expr = { k: 'keccak', words: s.args.map(sub) };
      if (s.n !== s.args.length * 32) (e as { size?: number }).size = s.n;
      return e;
    }
    case 'op': return { k: 'op', op: s.name, args: s.args.map(sub) };
    case 'callret': return { k: 'callret', call: s.n, word: Number(s.v) };
    case 'callok': return { k: 'callok', call: s.n };
    case 'balance': return { k: 'balance', addr: sub(s.args[0]!) };
    case 'ext': return { k: 'ext', what: s.name as 'EXTCODESIZE' | 'EXTCODEHASH', addr: sub(s.args[0]!) };
    case 'blockhash': return { k: 'blockhash', n: sub(s.args[0]!) };
    case 'unknown': return { k: 'unknown', why: s.name.replace(/#.*$/, '') };
  }
}
