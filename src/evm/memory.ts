/**
 * Abstract memory: a persistent (immutable, newest-first) list of writes, so forking a path costs nothing. Offsets are
 * normalised to (base, constant): `base` is null for absolute offsets or the symbolic pointer the offset is relative to
 * (solc's free-memory pointer arithmetic). Writes at different bases are assumed not to alias (solc's allocator keeps
 * regions apart). Reads resolve byte ranges against the newest covering writes and rebuild words with shifts, which
 * handles `abi.encodePacked` keys and call inputs with a 4-byte selector in front.
 */
import type { Sym, SymBuilder } from './sym.js';

export type MemSrc =
  | { kind: 'cd'; off: Sym }
  | { kind: 'ret'; call: number; off: number }
  | { kind: 'code'; off: number }
  /** `hole`: bytes of a code hole (src/evm/holes.ts), read as unknowns that name it. */
  | { kind: 'unknown'; why: string; hole?: true };

export interface MemEntry {
  readonly next: MemEntry | null;
  readonly len: number;
  readonly id: number;
  /** word: the first `size` (normally 32) bytes of `val`; byte: the low byte of `val`; region: `size` bytes copied from `src`; havoc: all unknown. */
  /** havocsym: every place relative to a pointer is unknown; absolute places read through to older entries. */
  /** havocabs: absolute places [c, c + size) are unknown (a write through a widened index, machine.ts `indexed`). */
  readonly kind: 'word' | 'byte' | 'region' | 'havoc' | 'havocsym' | 'havocabs';
  readonly base: Sym | null;
  readonly c: number;
  readonly size: number;
  readonly val: Sym | null;
  readonly src: MemSrc | null;
}

let nextEntryId = 1;

// One object literal with every field in a fixed order (no spread of a temporary): entries are the analyzer's most
// allocated object, and one shape keeps the readers monomorphic.
function push(
  next: MemEntry | null,
  kind: MemEntry['kind'],
  base: Sym | null,
  c: number,
  size: number,
  val: Sym | null,
  src: MemSrc | null,
): MemEntry {
  return { next, len: next ? next.len + 1 : 1, id: nextEntryId++, kind, base, c, size, val, src };
}

/** A region of unknown length extends "to the end" of memory. */
export const UNBOUNDED = 1 << 30;
/** Offsets past this are not concrete in practice (the gas cost is prohibitive). */
const MAX_OFFSET = 2 ** 32;

export interface Offset {
  base: Sym | null;
  c: number;
}

export function normalise(off: Sym): Offset | null {
  if (off.isConst) return off.v < BigInt(MAX_OFFSET) ? { base: null, c: Number(off.v) } : null;
  if (off.k === 'op' && off.name === 'ADD' && off.args[1]!.isConst) {
    const c = off.args[1]!.v;
    // ADD(x, 2^256 - k) is x - k: a small negative displacement.
    if (c < BigInt(MAX_OFFSET)) return { base: off.args[0]!, c: Number(c) };
    const neg = (1n << 256n) - c;
    if (neg < BigInt(MAX_OFFSET)) return { base: off.args[0]!, c: -Number(neg) };
    return null;
  }
  return { base: off, c: 0 };
}

export const writeWord = (m: MemEntry | null, at: Offset, val: Sym): MemEntry =>
  push(m, 'word', at.base, at.c, 32, val, null);
/** The first `size` (< 32) bytes of `val`: the tail of a copy that is not a whole number of words. */
export const writePartialWord = (m: MemEntry | null, at: Offset, size: number, val: Sym): MemEntry =>
  push(m, 'word', at.base, at.c, size, val, null);
export const writeByte = (m: MemEntry | null, at: Offset, val: Sym): MemEntry =>
  push(m, 'byte', at.base, at.c, 1, val, null);
export const writeRegion = (m: MemEntry | null, at: Offset, size: number, src: MemSrc): MemEntry =>
  push(m, 'region', at.base, at.c, size, null, src);
export const havoc = (m: MemEntry | null): MemEntry =>
  push(m, 'havoc', null, 0, UNBOUNDED, null, null);
export const havocPointers = (m: MemEntry | null): MemEntry =>
  push(m, 'havocsym', null, 0, UNBOUNDED, null, null);
export const havocAbsolute = (m: MemEntry | null, c: number, size: number): MemEntry =>
  push(m, 'havocabs', null, c, size, null, null);

interface Piece {
  from: number;
  to: number;
  e: MemEntry | null; // null: never written
}

/**
 * The bytes [at.c, at.c+len) relative to at.base as 32-byte words, left-aligned (the last word zero-padded).
 */
export function readRange(m: MemEntry | null, at: Offset, len: number, b: SymBuilder, code: Uint8Array): Sym[] {
  let open: [number, number][] = [[at.c, at.c + len]];
  const pieces: Piece[] = [];
  for (let e = m; e && open.length; e = e.next) {
    if (e.kind === 'havoc' || (e.kind === 'havocsym' && at.base !== null)) {
      for (const [f, t] of open) pieces.push({ from: f, to: t, e });
      open = [];
      break;
    }
    if (e.kind === 'havocsym') continue;
    if (e.base !== at.base) continue;
    const ef = e.c, et = e.c + e.size;
    const rest: [number, number][] = [];
    for (const [f, t] of open) {
      const lo = Math.max(f, ef), hi = Math.min(t, et);
      if (lo >= hi) {
        rest.push([f, t]);
        continue;
      }
      pieces.push({ from: lo, to: hi, e });
      if (f < lo) rest.push([f, lo]);
      if (hi < t) rest.push([hi, t]);
    }
    open = rest;
  }
  for (const [f, t] of open) pieces.push({ from: f, to: t, e: null });

  const words: Sym[] = [];
  const nwords = Math.ceil(len / 32);
  for (let j = 0; j < nwords; j++) {
    const w0 = at.c + 32 * j, w1 = w0 + 32;
    const parts: Sym[] = [];
    for (const p of pieces) {
      const lo = Math.max(p.from, w0), hi = Math.min(p.to, w1, at.c + len);
      if (lo >= hi) continue;
      let part = piece(p.e, lo, hi - lo, lo - w0, at.base === null, b, code);
      // Unknown bytes stay confined to their place in the word: a later mask (abi.encodeWithSelector clears the
      // 4 bytes it overwrites with the selector) can still remove them.
      // The same unknown bytes read twice are the same value (solc reloads the free-memory pointer: `end - start` must
      // cancel), so the unknown is keyed by the entry that holds them and the place.
      if (part === 'unknown') {
        const src = p.e?.src;
        const why = src?.kind === 'unknown' && src.hole ? src.why : 'unknown memory';
        part = p.e ? b.unknown(why, `${p.e.id}@${at.base?.id ?? ''}:${lo}:${hi}:${w0}`) : b.unknown(why);
      }
      if (part) {
        b.setSpan(part, lo - w0, hi - w0);
        parts.push(part);
      }
    }
    let acc: Sym | null = null;
    for (const part of parts) acc = acc ? b.op('OR', [acc, part]) : part;
    words.push(acc ?? b.const(0n));
  }
  return words;
}

/** The bytes [pos, pos+n) of memory as written by `e`, placed at byte `d` of a word (null: zero). */
function piece(e: MemEntry | null, pos: number, n: number, d: number, absolute: boolean, b: SymBuilder, code: Uint8Array): Sym | null | 'unknown' {
  let w: Sym;
  let s: number; // first byte of w that is wanted
  if (!e) {
    // Never-written absolute memory is zero; relative to a pointer it may alias what was written at another base.
    return absolute ? null : 'unknown';
  }
  switch (e.kind) {
    case 'havoc':
    case 'havocsym':
    case 'havocabs':
      return 'unknown';
    case 'word':
      w = e.val!;
      s = pos - e.c;
      break;
    case 'byte':
      w = b.op('SHL', [b.const(248n), e.val!]);
      s = 0;
      break;
    case 'region': {
      const src = e.src!;
      const rel = pos - e.c;
      if (src.kind === 'unknown') return 'unknown';
      if (src.kind === 'cd') {
        w = b.calldata(b.op('ADD', [src.off, b.const(BigInt(rel))]));
        s = 0;
      } else if (src.kind === 'code') {
        let v = 0n;
        for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(code[src.off + rel + i] ?? 0);
        if (v === 0n) return null;
        return b.const(v << BigInt(8 * (32 - d - n)));
      } else {
        const t = src.off + rel;
        if (t % 32 + n > 32) return 'unknown';
        w = b.callret(src.call, Math.floor(t / 32));
        s = t % 32;
      }
      break;
    }
  }
  if (s === 0 && n === 32 && d === 0) return w;
  if (w.isConst) {
    const v = (w.v >> BigInt(8 * (32 - s - n))) & ((1n << BigInt(8 * n)) - 1n);
    return v === 0n ? null : b.const(v << BigInt(8 * (32 - d - n)));
  }
  let x = w;
  if (s > 0) x = b.op('SHL', [b.const(BigInt(8 * s)), x]);
  if (n < 32) x = b.op('SHR', [b.const(BigInt(8 * (32 - n))), x]);
  if (32 - d - n > 0) x = b.op('SHL', [b.const(BigInt(8 * (32 - d - n))), x]);
  return x;
}

/** The longest shared suffix of two persistent lists with lengths (memories, stores), by identity. */
export function commonTail<T extends { readonly len: number; readonly next: T | null }>(a: T | null, b: T | null): T | null {
  while (a && b && a.len > b.len) a = a.next;
  while (a && b && b.len > a.len) b = b.next;
  while (a && b && a !== b) {
    a = a.next;
    b = b.next;
  }
  return a && b ? a : null;
}
