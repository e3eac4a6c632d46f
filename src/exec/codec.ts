/**
 * A binary encoding of what crosses between the parallel executor's threads on every transaction: a worker's outcome
 * (reads, writes, receipt parts, delta-claim traces) and the committed write sets the main thread forwards to the
 * workers.
 *
 * Why not structured clone: V8's serializer writes every property name and walks every small array and bigint one
 * by one; an ERC20 transfer's outcome (1,227 bytes) took 23-51 µs to serialize and 15-38 µs to deserialize on this
 * host, for a transaction that executes in ~300-700 µs. Here it is ~810 bytes (256 of them the bloom): 11-19 µs to
 * encode, 6-11 µs to decode.
 *
 * Layout: little-endian, counts and small integers as LEB128, addresses as 20 bytes (the state's keys are lowercase
 * `0x` hex: decoded back into that exact form), bigints as a header byte (bit 7: negative; the rest: 64-bit words of
 * the magnitude) and the words, least significant first. What is rare (an error, a lazy sender's broken assumption)
 * stays outside, in the message itself.
 */
import type { AcctRead, ReadSet } from './view.js';
import type { AccountWrite, WriteSet } from './state.js';
import type { TxOutcome } from './block.js';
import type { ClaimTrace, Side } from './taint.js';

const MASK64 = (1n << 64n) - 1n;
const MASK128 = (1n << 128n) - 1n;
const MASK192 = (1n << 192n) - 1n;
const MASK256 = (1n << 256n) - 1n;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Hex digit value by char code, -1 for a non-digit (upper case is not expected: keys are lowercase). */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = 10 + i;

export class Writer {
  private buf = new Uint8Array(4096);
  private dv = new DataView(this.buf.buffer);
  pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  /** A tight copy of what was written (the writer's buffer is reused). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  u8(x: number): void {
    this.room(1);
    this.buf[this.pos++] = x;
  }

  /** A non-negative safe integer. */
  uint(x: number): void {
    this.room(8);
    while (x >= 0x80) {
      this.buf[this.pos++] = (x % 0x80) | 0x80;
      x = Math.floor(x / 0x80);
    }
    this.buf[this.pos++] = x;
  }

  big(v: bigint): void {
    let neg = 0;
    if (v < 0n) {
      neg = 0x80;
      v = -v;
    }
    if (v <= MASK64) {
      this.room(9);
      if (v === 0n) {
        this.buf[this.pos++] = neg;
        return;
      }
      this.buf[this.pos++] = neg | 1;
      this.dv.setBigUint64(this.pos, v, true);
      this.pos += 8;
      return;
    }
    let words = v <= MASK128 ? 2 : v <= MASK192 ? 3 : v <= MASK256 ? 4 : 5;
    if (words === 5) for (let m = v >> 320n; m > 0n; m >>= 64n) words++;
    if (words > 0x7f) throw new RangeError(`codec: a bigint of ${words} 64-bit words`);
    this.room(1 + 8 * words);
    this.buf[this.pos++] = neg | words;
    for (let i = 0; i < words; i++) {
      this.dv.setBigUint64(this.pos, BigInt.asUintN(64, v), true);
      this.pos += 8;
      v >>= 64n;
    }
  }

  f64(x: number): void {
    this.room(8);
    this.dv.setFloat64(this.pos, x, true);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.uint(b.length);
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A state key: `0x` and 40 lowercase hex digits. */
  addr(a: string): void {
    if (a.length !== 42) throw new TypeError(`codec: not an address key: ${a}`);
    this.room(20);
    for (let i = 0, c = 2; i < 20; i++, c += 2) {
      const hi = NIBBLE[a.charCodeAt(c)] ?? -1;
      const lo = NIBBLE[a.charCodeAt(c + 1)] ?? -1;
      if (hi < 0 || lo < 0) throw new TypeError(`codec: not an address key: ${a}`);
      this.buf[this.pos++] = (hi << 4) | lo;
    }
  }
}

export class Reader {
  pos = 0;
  private readonly dv: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw new RangeError('codec: read past the end');
    return this.buf[this.pos++]!;
  }

  uint(): number {
    let x = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      x += (b & 0x7f) * mul;
      if (b < 0x80) return x;
      mul *= 0x80;
    }
  }

  big(): bigint {
    const h = this.u8();
    const words = h & 0x7f;
    if (this.pos + 8 * words > this.buf.length) throw new RangeError('codec: read past the end');
    let v = 0n;
    if (words === 1) {
      v = this.dv.getBigUint64(this.pos, true);
      this.pos += 8;
    } else {
      for (let i = words - 1; i >= 0; i--) v = (v << 64n) | this.dv.getBigUint64(this.pos + 8 * i, true);
      this.pos += 8 * words;
    }
    return h & 0x80 ? -v : v;
  }

  f64(): number {
    if (this.pos + 8 > this.buf.length) throw new RangeError('codec: read past the end');
    const x = this.dv.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }

  bytes(): Uint8Array {
    const n = this.uint();
    if (this.pos + n > this.buf.length) throw new RangeError('codec: read past the end');
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  addr(): string {
    if (this.pos + 20 > this.buf.length) throw new RangeError('codec: read past the end');
    const b = this.buf;
    const p = this.pos;
    this.pos += 20;
    let s = '0x';
    for (let i = 0; i < 20; i++) s += HEX[b[p + i]!]!;
    return s;
  }
}

// ---- slot lists (reads and writes share the shape) ----

function writeSlots(w: Writer, storage: Array<[string, Array<[bigint, bigint]>]>): void {
  w.uint(storage.length);
  for (const [a, slots] of storage) {
    w.addr(a);
    w.uint(slots.length);
    for (const [k, v] of slots) {
      w.big(k);
      w.big(v);
    }
  }
}

function readSlots(r: Reader): Array<[string, Array<[bigint, bigint]>]> {
  const n = r.uint();
  const out: Array<[string, Array<[bigint, bigint]>]> = new Array(n);
  for (let i = 0; i < n; i++) {
    const a = r.addr();
    const m = r.uint();
    const slots: Array<[bigint, bigint]> = new Array(m);
    for (let j = 0; j < m; j++) {
      const k = r.big();
      slots[j] = [k, r.big()];
    }
    out[i] = [a, slots];
  }
  return out;
}

// ---- read sets ----

const R_B = 1;
const R_BZ = 2;
const R_BZ_TRUE = 4;
const R_N = 8;
const R_C = 16;
const R_E = 32;
const R_E_TRUE = 64;
const R_BMIN = 128;

function writeReads(w: Writer, rs: ReadSet): void {
  w.uint(rs.accounts.length);
  for (const [a, r] of rs.accounts) {
    w.addr(a);
    let f = 0;
    if (r.b !== undefined) f |= R_B;
    if (r.bz !== undefined) f |= r.bz ? R_BZ | R_BZ_TRUE : R_BZ;
    if (r.n !== undefined) f |= R_N;
    if (r.c !== undefined) f |= R_C;
    if (r.e !== undefined) f |= r.e ? R_E | R_E_TRUE : R_E;
    if (r.bmin !== undefined) f |= R_BMIN;
    w.u8(f);
    if (r.b !== undefined) w.big(r.b);
    if (r.n !== undefined) w.big(r.n);
    if (r.c !== undefined) w.uint(r.c);
    if (r.bmin !== undefined) w.big(r.bmin);
  }
  writeSlots(w, rs.storage);
}

function readReads(r: Reader): ReadSet {
  const n = r.uint();
  const accounts: Array<[string, AcctRead]> = new Array(n);
  for (let i = 0; i < n; i++) {
    const a = r.addr();
    const f = r.u8();
    const x: AcctRead = {};
    if (f & R_B) x.b = r.big();
    if (f & R_BZ) x.bz = (f & R_BZ_TRUE) !== 0;
    if (f & R_N) x.n = r.big();
    if (f & R_C) x.c = r.uint();
    if (f & R_E) x.e = (f & R_E_TRUE) !== 0;
    if (f & R_BMIN) x.bmin = r.big();
    accounts[i] = [a, x];
  }
  return { accounts, storage: readSlots(r) };
}

// ---- write sets ----

const W_DELETED = 1;
const W_CLEARED = 2;
const W_NONCE = 4;
const W_BALANCE = 8;
const W_DELTA = 16;
const W_CODE = 32;

function writeWrites(w: Writer, ws: WriteSet): void {
  w.uint(ws.accounts.length);
  for (const [a, x] of ws.accounts) {
    w.addr(a);
    let f = 0;
    if (x.deleted) f |= W_DELETED;
    if (x.cleared) f |= W_CLEARED;
    if (x.nonce !== undefined) f |= W_NONCE;
    if (x.balance !== undefined) f |= W_BALANCE;
    if (x.delta !== undefined) f |= W_DELTA;
    if (x.code !== undefined) f |= W_CODE;
    w.u8(f);
    if (x.nonce !== undefined) w.big(x.nonce);
    if (x.balance !== undefined) w.big(x.balance);
    if (x.delta !== undefined) w.big(x.delta);
    if (x.code !== undefined) w.bytes(x.code);
  }
  writeSlots(w, ws.storage);
}

function readWrites(r: Reader): WriteSet {
  const n = r.uint();
  const accounts: Array<[string, AccountWrite]> = new Array(n);
  for (let i = 0; i < n; i++) {
    const a = r.addr();
    const f = r.u8();
    const x: AccountWrite = {};
    if (f & W_DELETED) x.deleted = true;
    if (f & W_CLEARED) x.cleared = true;
    if (f & W_NONCE) x.nonce = r.big();
    if (f & W_BALANCE) x.balance = r.big();
    if (f & W_DELTA) x.delta = r.big();
    if (f & W_CODE) x.code = r.bytes();
    accounts[i] = [a, x];
  }
  return { accounts, storage: readSlots(r) };
}

/**
 * Committed write sets in order (the main thread's log to a worker). A number stands for a write set the receiving
 * worker produced itself and still holds, as it sent it (its outcome's `seq`): sending it back would cost as much as
 * the first trip.
 */
export type LogItem = WriteSet | number;

export function encodeWriteLog(w: Writer, log: readonly LogItem[]): Uint8Array {
  w.reset();
  w.uint(log.length);
  for (const item of log) {
    if (typeof item === 'number') {
      w.u8(1);
      w.uint(item);
    } else {
      w.u8(0);
      writeWrites(w, item);
    }
  }
  return w.finish();
}

export function decodeWriteLog(b: Uint8Array): LogItem[] {
  const r = new Reader(b);
  const n = r.uint();
  const out: LogItem[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const tag = r.u8();
    if (tag === 1) out[i] = r.uint();
    else if (tag === 0) out[i] = readWrites(r);
    else throw new RangeError(`codec: log entry tag ${tag}`);
  }
  if (!r.done) throw new RangeError('codec: bytes left after the write log');
  return out;
}

// ---- delta-claim traces (taint.ts) ----

const C_OFF = 1;
const C_VIOLATED = 2;

function writeSide(w: Writer, [lin, x]: Side): void {
  w.u8(lin ? 1 : 0);
  w.big(x);
}

function readSide(r: Reader): Side {
  const lin = r.u8();
  if (lin > 1) throw new RangeError(`codec: check side tag ${lin}`);
  return lin === 1 ? [true, r.big()] : [false, r.big()];
}

function writeClaims(w: Writer, claims: ClaimTrace[]): void {
  w.uint(claims.length);
  for (const c of claims) {
    w.addr(c.address);
    w.big(c.slot);
    w.uint(c.sloads);
    w.uint(c.sstores);
    w.u8((c.off !== undefined ? C_OFF : 0) | (c.violated ? C_VIOLATED : 0));
    if (c.off !== undefined) w.big(c.off);
    w.uint(c.checks.length);
    for (const [op, a, b] of c.checks) {
      w.u8(op);
      writeSide(w, a);
      writeSide(w, b);
    }
  }
}

function readClaims(r: Reader): ClaimTrace[] {
  const n = r.uint();
  const out: ClaimTrace[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const address = r.addr();
    const slot = r.big();
    const sloads = r.uint();
    const sstores = r.uint();
    const f = r.u8();
    const c: ClaimTrace = { address, slot, sloads, sstores, violated: (f & C_VIOLATED) !== 0, checks: [] };
    if (f & C_OFF) c.off = r.big();
    const m = r.uint();
    for (let j = 0; j < m; j++) {
      const op = r.u8();
      const a = readSide(r);
      c.checks.push([op, a, readSide(r)]);
    }
    out[i] = c;
  }
  return out;
}

// ---- outcomes ----

/**
 * The hot part of an outcome: index, gas, status, reads, writes, logs, bloom, and the traces of delta claims (most
 * transactions of a block with a hot recipient carry one). `error`, `lazyBroken`, `balanceWrites` and `halted` are
 * not encoded: the caller sends those beside the bytes (`outcomeRest`).
 */
export function encodeOutcome(w: Writer, o: TxOutcome): Uint8Array {
  w.reset();
  writeOutcome(w, o);
  return w.finish();
}

function writeOutcome(w: Writer, o: TxOutcome): void {
  w.uint(o.index);
  w.big(o.gasUsed);
  w.u8(o.status);
  writeReads(w, o.reads);
  writeWrites(w, o.writes);
  w.uint(o.logs.length);
  for (const [a, topics, data] of o.logs) {
    w.bytes(a);
    w.uint(topics.length);
    for (const t of topics) w.bytes(t);
    w.bytes(data);
  }
  w.bytes(o.bloom);
  if (o.claims === undefined) w.u8(0);
  else {
    w.u8(1);
    writeClaims(w, o.claims);
  }
}

/** What `encodeOutcome` leaves out, or undefined when there is none of it (the usual case). */
export type OutcomeRest = Pick<TxOutcome, 'error' | 'lazyBroken' | 'balanceWrites' | 'halted'>;

export function outcomeRest(o: TxOutcome): OutcomeRest | undefined {
  if (o.error === undefined && o.lazyBroken === undefined && o.balanceWrites === undefined && o.halted === undefined) {
    return undefined;
  }
  const rest: OutcomeRest = {};
  if (o.error !== undefined) rest.error = o.error;
  if (o.lazyBroken !== undefined) rest.lazyBroken = o.lazyBroken;
  if (o.balanceWrites !== undefined) rest.balanceWrites = o.balanceWrites;
  if (o.halted !== undefined) rest.halted = o.halted;
  return rest;
}

export function decodeOutcome(b: Uint8Array, rest?: OutcomeRest): TxOutcome {
  const r = new Reader(b);
  const o = readOutcome(r, rest);
  if (!r.done) throw new RangeError('codec: bytes left after the outcome');
  return o;
}

function readOutcome(r: Reader, rest: OutcomeRest | undefined): TxOutcome {
  const index = r.uint();
  const gasUsed = r.big();
  const status = r.u8();
  if (status !== 0 && status !== 1) throw new RangeError(`codec: status ${status}`);
  const reads = readReads(r);
  const writes = readWrites(r);
  const nLogs = r.uint();
  const logs: TxOutcome['logs'] = new Array(nLogs);
  for (let i = 0; i < nLogs; i++) {
    const a = r.bytes();
    const nt = r.uint();
    const topics: Uint8Array[] = new Array(nt);
    for (let j = 0; j < nt; j++) topics[j] = r.bytes();
    logs[i] = [a, topics, r.bytes()];
  }
  const bloom = r.bytes();
  const o: TxOutcome = { index, reads, writes, gasUsed, status, logs, bloom };
  const hasClaims = r.u8();
  if (hasClaims === 1) o.claims = readClaims(r);
  else if (hasClaims !== 0) throw new RangeError(`codec: claims flag ${hasClaims}`);
  if (rest !== undefined) Object.assign(o, rest);
  return o;
}

/** A worker's answer for one execution, beside its outcome (protocol.ts, 'done'). */
export interface DoneHead {
  /** How many transactions were committed in the state the transaction ran on. */
  v: number;
  /** The worker's number for this outcome: the main thread names its write set by it (`LogItem`). */
  seq: number;
  ms: number;
  applyMs: number;
  sendMs: number;
  starvedMs: number;
}

export function encodeDone(w: Writer, head: DoneHead, o: TxOutcome): Uint8Array {
  w.reset();
  w.uint(head.v);
  w.uint(head.seq);
  w.f64(head.ms);
  w.f64(head.applyMs);
  w.f64(head.sendMs);
  w.f64(head.starvedMs);
  writeOutcome(w, o);
  return w.finish();
}

export function decodeDone(b: Uint8Array, rest?: OutcomeRest): { head: DoneHead; o: TxOutcome } {
  const r = new Reader(b);
  const head: DoneHead = { v: r.uint(), seq: r.uint(), ms: r.f64(), applyMs: r.f64(), sendMs: r.f64(), starvedMs: r.f64() };
  const o = readOutcome(r, rest);
  if (!r.done) throw new RangeError('codec: bytes left after the outcome');
  return { head, o };
}
