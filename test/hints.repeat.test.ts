/**
 * Binder: a frame identical to one the transaction already bound (same code, account, caller, value and clean input)
 * is skipped (src/hints/bind.ts `bindFrame`), and the binding must come out exactly as if it had been bound again.
 * Fixtures are hand-written footprints (test/hints.fixtures.ts): a payer calling a token and a relay twice with the
 * same arguments, and a fee-on-transfer token whose transfer swaps its fee back through a router that transfers the
 * token again (recursion the binder cuts at MAX_SITE_REPEAT), which is the shape that made real blocks bind the same
 * frames hundreds of times.
 */
import type { Prestate } from '../src/chain/load.js';
import { bindTx, frameStats, keccakWords, type BindContext, type TxBinding, type TxInput } from '../src/hints/bind.js';
import { AnalysisCache, stateView } from '../src/hints/context.js';
import type { Hex } from '../src/types.js';
import * as F from './hints.fixtures.js';

const { addr: A, ALICE, BOB, ENV: env } = F;

const TOKEN = A(0x1000);
const PAYER = A(0x2000);
const RELAY = A(0x3000);
const FOT = A(0x4000);
const SWAPPER = A(0x5000);
const hex = (v: bigint) => v.toString(16).padStart(64, '0');
const PAY = '0x44444444';
const RELAY_SEL = '0x55555555';
const SWAP_BACK = '0x66666666';

/** pay(to, amount): TOKEN.transfer(to, amount) twice, RELAY.relay(to, amount) twice, FOT.transfer(to, amount) twice. */
function payer(codeHash: Hex) {
  const args = [F.and160(F.arg(0)), F.arg(1)];
  return F.analysis(codeHash, 'Payer', [
    F.fn(PAY, {
      calls: [
        F.call(0, 'CALL', F.c(BigInt(TOKEN)), F.SEL.transfer, args),
        F.call(1, 'CALL', F.c(BigInt(TOKEN)), F.SEL.transfer, args),
        F.call(2, 'CALL', F.c(BigInt(RELAY)), RELAY_SEL, args),
        F.call(3, 'CALL', F.c(BigInt(RELAY)), RELAY_SEL, args),
        F.call(4, 'CALL', F.c(BigInt(FOT)), F.SEL.transfer, args),
        F.call(5, 'CALL', F.c(BigInt(FOT)), F.SEL.transfer, args),
      ],
    }),
  ]);
}

/** relay(to, amount): TOKEN.transfer(to, amount). */
function relay(codeHash: Hex) {
  return F.analysis(codeHash, 'Relay', [F.fn(RELAY_SEL, { calls: [F.call(0, 'CALL', F.c(BigInt(TOKEN)), F.SEL.transfer, [F.and160(F.arg(0)), F.arg(1)])] })]);
}

/** A fee-on-transfer token: transfer moves balances (slot 0) and sells the fee through SWAPPER.swapBack(amount). */
function fot(codeHash: Hex) {
  const bal = (k: Parameters<typeof F.mapping>[0]) => F.mapping(k, 0);
  return F.analysis(codeHash, 'FeeToken', [
    F.fn(F.SEL.transfer, {
      reads: [F.access(bal(F.caller), 'balances[caller]'), F.access(bal(F.and160(F.arg(0))), 'balances[arg0]'), F.access(F.c(3), 'fee')],
      writes: [F.access(bal(F.caller), 'balances[caller]', { delta: 'sub' }), F.access(bal(F.and160(F.arg(0))), 'balances[arg0]', { delta: 'add' })],
      calls: [F.call(0, 'CALL', F.c(BigInt(SWAPPER)), SWAP_BACK, [F.arg(1)])],
    }),
  ]);
}

/** swapBack(amount): FOT.transfer(ALICE, amount) (pays the fee on, which swaps back again: recursion). */
function swapper(codeHash: Hex) {
  return F.analysis(codeHash, 'Swapper', [
    F.fn(SWAP_BACK, { writes: [F.access(F.c(1), 'lastSwap')], calls: [F.call(0, 'CALL', F.c(BigInt(FOT)), F.SEL.transfer, [F.c(BigInt(ALICE)), F.arg(0)])] }),
  ]);
}

function world(reuseFrames: boolean): BindContext {
  const acct = (code: number[]) => ({ balance: 10n ** 18n, nonce: 1n, code: Uint8Array.from(code), storage: new Map<bigint, bigint>() });
  const pre: Prestate = new Map();
  pre.set(TOKEN, acct([1]));
  pre.set(PAYER, acct([2]));
  pre.set(RELAY, acct([3]));
  pre.set(FOT, acct([4]));
  pre.set(SWAPPER, acct([5]));
  const state = stateView(pre);
  const cache = new AnalysisCache(null)
    .add(F.erc20(state.codeHash(TOKEN)))
    .add(payer(state.codeHash(PAYER)))
    .add(relay(state.codeHash(RELAY)))
    .add(fot(state.codeHash(FOT)))
    .add(swapper(state.codeHash(SWAPPER)));
  return { state, block: env, analysis: cache.provider, codeHash: (a) => state.codeHash(a), reuseFrames };
}

const payTx: TxInput = {
  index: 0,
  hash: ('0x' + '11'.repeat(32)) as Hex,
  from: ALICE,
  to: PAYER,
  value: 0n,
  input: Uint8Array.from(Buffer.from(PAY.slice(2) + hex(BigInt(BOB)) + hex(5n), 'hex')),
  nonce: 5n,
  gasPrice: 10n,
};

function bind(reuseFrames: boolean): { b: TxBinding; bound: number; repeated: number } {
  const s0 = { ...frameStats };
  const b = bindTx(payTx, world(reuseFrames));
  return { b, bound: frameStats.bound - s0.bound, repeated: frameStats.repeated - s0.repeated };
}

/** Everything a binding says about state and completeness (frames and diagnostic order aside). */
function summary(b: TxBinding) {
  const map = (m: Map<Hex, Set<bigint>>) => [...m].map(([a, s]) => [a, [...s].sort()] as const).sort();
  const set = (s: Set<Hex> | 'any') => (s === 'any' ? 'any' : [...s].sort());
  return {
    complete: b.complete,
    reads: map(b.reads),
    writes: map(b.writes),
    touched: set(b.touched),
    balanceReads: set(b.balanceReads),
    balanceWrites: set(b.balanceWrites),
    balanceDebits: set(b.balanceDebits),
    balanceCredits: set(b.balanceCredits),
    codeWrites: set(b.codeWrites),
    unknownWrites: set(b.unknownWrites),
    deltas: b.deltas.map(([a, slot, kind]) => `${a} ${slot} ${kind}`).sort(),
    diagnostics: [...new Set(b.diagnostics.map((d) => `${d.code}: ${d.message}`))].sort(),
  };
}

describe('repeated frames', () => {
  const on = bind(true);
  const off = bind(false);

  test('the binding equals binding every frame again: accesses, balances, deltas, completeness, reasons', () => {
    expect(summary(on.b)).toEqual(summary(off.b));
    // The recursion is cut at MAX_SITE_REPEAT, so the transaction is incomplete either way; BOB's and ALICE's balances
    // in both tokens are there.
    expect(on.b.complete).toBe(false);
    const bal = (a: Hex) => keccakWords([BigInt(a), 0n]);
    for (const t of [TOKEN, FOT]) for (const who of [BOB, PAYER]) expect(on.b.writes.get(t)?.has(bal(who))).toBe(true);
  });

  test('identical frames are bound once: fewer frames, and the skipped ones are counted', () => {
    expect(off.repeated).toBe(0);
    expect(on.repeated).toBeGreaterThan(0);
    expect(on.bound).toBeLessThan(off.bound);
    // The second TOKEN.transfer and the second relay (with its TOKEN.transfer) at least.
    expect(off.bound - on.bound).toBeGreaterThanOrEqual(3);
  });

  test('a balance only two identical frames update (the payer\'s, in TOKEN) is no single-frame delta either way', () => {
    const payerInToken = keccakWords([BigInt(PAYER), 0n]);
    const isDelta = (b: TxBinding) => b.deltas.some(([a, slot]) => a === TOKEN && slot === payerInToken);
    expect(isDelta(on.b)).toBe(false);
    expect(isDelta(off.b)).toBe(false);
  });
});
