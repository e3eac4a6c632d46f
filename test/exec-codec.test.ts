// The wire format between the parallel executor's threads (src/exec/codec.ts): every outcome of a generated mixed
// block (swaps, creations, reverts, ETH transfers) and random outcomes with every optional field, bigint size class and
// delta-claim trace decode to what was encoded; malformed input throws instead of decoding into something else.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBlockDir } from '../src/chain/load.js';
import type { TxOutcome } from '../src/exec/block.js';
import {
  Reader,
  Writer,
  decodeDone,
  decodeOutcome,
  decodeWriteLog,
  encodeDone,
  encodeOutcome,
  encodeWriteLog,
  outcomeRest,
} from '../src/exec/codec.js';
import { executeSequential } from '../src/exec/sequential.js';
import type { AccountWrite, WriteSet } from '../src/exec/state.js';
import type { ClaimTrace, Side } from '../src/exec/taint.js';
import type { AcctRead } from '../src/exec/view.js';
import { writeGeneratedBlock } from '../src/gen/write.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const EDGES = [0n, 1n, 255n, 2n ** 53n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 128n - 1n, 2n ** 128n, 2n ** 192n, 2n ** 256n - 1n, 2n ** 256n, 2n ** 400n + 7n];

function randBig(r: () => number, signed: boolean): bigint {
  let v: bigint;
  if (r() < 0.5) v = EDGES[Math.floor(r() * EDGES.length)]!;
  else {
    v = 0n;
    const bytes = Math.floor(r() * 33);
    for (let i = 0; i < bytes; i++) v = (v << 8n) | BigInt(Math.floor(r() * 256));
  }
  return signed && r() < 0.4 ? -v : v;
}

function randBytes(r: () => number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

function randAddr(r: () => number): string {
  return '0x' + Buffer.from(randBytes(r, 20)).toString('hex');
}

function randSlots(r: () => number): Array<[string, Array<[bigint, bigint]>]> {
  return Array.from({ length: Math.floor(r() * 3) }, () => [
    randAddr(r),
    Array.from({ length: Math.floor(r() * 4) }, (): [bigint, bigint] => [randBig(r, false), randBig(r, false)]),
  ]);
}

function randWrites(r: () => number): WriteSet {
  const accounts = Array.from({ length: Math.floor(r() * 4) }, (): [string, AccountWrite] => {
    const w: AccountWrite = {};
    if (r() < 0.1) w.deleted = true;
    if (r() < 0.1) w.cleared = true;
    if (r() < 0.5) w.nonce = randBig(r, false);
    if (r() < 0.5) w.balance = randBig(r, false);
    if (r() < 0.5) w.delta = randBig(r, true);
    if (r() < 0.2) w.code = randBytes(r, Math.floor(r() * 300));
    return [randAddr(r), w];
  });
  return { accounts, storage: randSlots(r) };
}

function randOutcome(r: () => number, index: number): TxOutcome {
  const accounts = Array.from({ length: Math.floor(r() * 4) }, (): [string, AcctRead] => {
    const x: AcctRead = {};
    if (r() < 0.5) x.b = randBig(r, false);
    if (r() < 0.3) x.bz = r() < 0.5;
    if (r() < 0.5) x.n = randBig(r, false);
    if (r() < 0.3) x.c = Math.floor(r() * 2000);
    if (r() < 0.5) x.e = r() < 0.5;
    if (r() < 0.3) x.bmin = randBig(r, false);
    return [randAddr(r), x];
  });
  const o: TxOutcome = {
    index,
    reads: { accounts, storage: randSlots(r) },
    writes: randWrites(r),
    gasUsed: randBig(r, false),
    status: r() < 0.5 ? 0 : 1,
    logs: Array.from({ length: Math.floor(r() * 3) }, (): [Uint8Array, Uint8Array[], Uint8Array] => [
      randBytes(r, 20),
      Array.from({ length: Math.floor(r() * 5) }, () => randBytes(r, 32)),
      randBytes(r, Math.floor(r() * 200)),
    ]),
    bloom: randBytes(r, 256),
  };
  if (r() < 0.2) o.error = 'out of gas';
  if (r() < 0.2) o.lazyBroken = true;
  if (r() < 0.4) {
    const side = (): Side => (r() < 0.5 ? [true, randBig(r, true)] : [false, randBig(r, false)]);
    o.claims = Array.from({ length: Math.floor(r() * 3) }, () => {
      const c: ClaimTrace = { address: randAddr(r), slot: randBig(r, false), sloads: Math.floor(r() * 3), sstores: Math.floor(r() * 3), violated: r() < 0.3, checks: [] };
      if (r() < 0.7) c.off = randBig(r, true);
      const ops = [0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x57];
      for (let i = Math.floor(r() * 4); i > 0; i--) c.checks.push([ops[Math.floor(r() * ops.length)]!, side(), side()]);
      return c;
    });
  }
  return o;
}

test('random outcomes, write logs and answer heads survive a round trip', () => {
  const r = rng(11);
  const w = new Writer();
  for (let i = 0; i < 300; i++) {
    const o = randOutcome(r, Math.floor(r() * 100_000));
    expect(decodeOutcome(encodeOutcome(w, o), outcomeRest(o))).toEqual(o);
    const head = { v: Math.floor(r() * 5000), seq: Math.floor(r() * 2 ** 40), ms: r() * 10, applyMs: r(), sendMs: r() * 100, starvedMs: 0 };
    const done = decodeDone(encodeDone(w, head, o), outcomeRest(o));
    expect(done.head).toEqual(head);
    expect(done.o).toEqual(o);
  }
  const log = Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? i * 1000 : randWrites(r)));
  expect(decodeWriteLog(encodeWriteLog(w, log))).toEqual(log);
  expect(decodeWriteLog(encodeWriteLog(w, []))).toEqual([]);
});

test('a buffer reused across encodings: each result is a copy of its own bytes', () => {
  const r = rng(5);
  const w = new Writer();
  const a = randOutcome(r, 1);
  const b = randOutcome(r, 2);
  const ea = encodeOutcome(w, a);
  encodeOutcome(w, b);
  expect(decodeOutcome(ea, outcomeRest(a))).toEqual(a);
});

test('malformed input throws', () => {
  const w = new Writer();
  const o = randOutcome(rng(3), 9);
  const bytes = encodeOutcome(w, o);
  expect(() => decodeOutcome(bytes.subarray(0, bytes.length - 1))).toThrow(RangeError);
  expect(() => decodeOutcome(Uint8Array.from([...bytes, 0]))).toThrow(/bytes left/);
  expect(() => decodeWriteLog(Uint8Array.from([1, 7]))).toThrow(/tag 7/);
  // State keys are lowercase 0x hex of 20 bytes; anything else is a bug upstream, not something to encode.
  for (const bad of ['0xABCDEF0123456789abcdef0123456789abcdef01', '0x1234', 'x'.repeat(42)]) {
    expect(() => encodeWriteLog(w, [{ accounts: [[bad, { nonce: 1n }]], storage: [] }])).toThrow(TypeError);
  }
  expect(() => new Reader(Uint8Array.from([0x80, 0x80])).uint()).toThrow(RangeError);
});

describe('real outcomes', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'prescient-codec-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('every outcome of a generated mixed block', async () => {
    const dir = join(root, 'mix');
    await writeGeneratedBlock(dir, { workload: 'mix', txs: 60, seed: 8 });
    const l = loadBlockDir(dir);
    const { outcomes } = await executeSequential(l.block, l.prestate, l.blockHashes, { outcomes: true });
    const w = new Writer();
    expect(outcomes!.length).toBe(60);
    for (const o of outcomes!) expect(decodeOutcome(encodeOutcome(w, o), outcomeRest(o))).toEqual(o);
    expect(decodeWriteLog(encodeWriteLog(w, outcomes!.map((o) => o.writes)))).toEqual(outcomes!.map((o) => o.writes));
  }, 120_000);
});
