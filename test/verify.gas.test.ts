/**
 * Pricing EIP-2930 lists from a trace (src/verify/gas.ts) and the default list policy (src/hints/format.ts
 * `eip2930List`). The traces and hints here are written by hand: one call from a sender to a contract C that reads
 * two slots of a token T and calls an account D for its code only. Real execution agrees with the pricing in
 * test/verify.test.ts.
 */
import { accessListGas, accessListsApply, tracedAccessList, warmAddresses } from '../src/verify/gas.js';
import { eip2930List } from '../src/hints/format.js';
import { createAddress } from '../src/hints/bind.js';
import { join } from 'node:path';
import { verifyBlock } from '../src/verify/run.js';
import { AnalysisCache } from '../src/hints/context.js';
import type { Hex, TxHints, TxTrace } from '../src/types.js';
import { MAINNET_DIR, describeMainnet } from './helpers/shared.js';

const A = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Hex;
const K = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const FROM = A(0xf00), C = A(0xc0), T = A(0x70), D = A(0xd0), X = A(0xee), COINBASE = A(0xcb);

const trace: TxTrace = {
  index: 0,
  hash: K(1),
  reads: [{ address: T, storageKeys: [K(1), K(2)] }, { address: C, storageKeys: [K(0)] }],
  writes: [{ address: T, storageKeys: [K(2)] }],
  balanceReads: [],
  balanceWrites: [],
  accounts: [FROM, C, T, D],
  gasUsed: 60_000,
  status: 'success',
};
const warm = warmAddresses({ from: FROM, to: C, nonce: 0 }, 'cancun', COINBASE);

test('priced per entry: used ones save 100, unused keys cost 1900, unused addresses 2400', () => {
  expect(accessListGas([{ address: T, storageKeys: [K(1), K(2)] }], trace, warm, 'cancun')).toMatchObject({ cost: 2400 + 3800, saved: 2500 + 4000, net: -300, unusedKeys: 0 });
  expect(accessListGas([{ address: T, storageKeys: [K(1), K(9)] }], trace, warm, 'cancun')).toMatchObject({ net: -200 + 1900, unusedKeys: 1 });
  expect(accessListGas([{ address: X, storageKeys: [] }], trace, warm, 'cancun')).toMatchObject({ net: 2400, unusedAddresses: 1 });
  // Warm anyway: the recipient's entry costs 2400 and saves nothing, its keys 100 each; a precompile saves nothing.
  expect(accessListGas([{ address: C, storageKeys: [K(0)] }], trace, warm, 'cancun').net).toBe(2400 - 100);
  expect(accessListGas([{ address: D, storageKeys: [] }], trace, warm, 'cancun').net).toBe(-100);
  expect(accessListGas([{ address: A(1), storageKeys: [] }], { ...trace, accounts: [...trace.accounts!, A(1)] }, warm, 'cancun').net).toBe(2400);
});

test('the traced list: every accessed cold address with its keys; the recipient only with enough keys to pay', () => {
  const l = tracedAccessList(trace, warm, 'cancun');
  expect(l).toEqual([{ address: T, storageKeys: [K(1), K(2)] }, { address: D, storageKeys: [] }]);
  expect(accessListGas(l, trace, warm, 'cancun').net).toBe(-400);
  const many = Array.from({ length: 25 }, (_, i) => K(100 + i));
  const big: TxTrace = { ...trace, reads: [...trace.reads, { address: C, storageKeys: many }] };
  const withC = tracedAccessList(big, warm, 'cancun').find((e) => e.address === C);
  expect(withC?.storageKeys.length).toBe(26);
  expect(accessListGas([withC!], big, warm, 'cancun').net).toBe(2400 - 26 * 100);
});

test('warm addresses: sender, recipient or created contract, and the coinbase from Shanghai on', () => {
  expect([...warmAddresses({ from: FROM, to: C, nonce: 0 }, 'cancun', COINBASE)].sort()).toEqual([FROM, C, COINBASE].sort());
  expect(warmAddresses({ from: FROM, to: C, nonce: 0 }, 'london', COINBASE).has(COINBASE)).toBe(false);
  expect(warmAddresses({ from: FROM, to: null, nonce: '0x5' }, 'london', COINBASE).has(createAddress(FROM, 5n).toLowerCase())).toBe(true);
  expect(accessListsApply('berlin')).toBe(true);
  expect(accessListsApply('istanbul')).toBe(false);
});

describe('the default list carries only entries that pay for themselves', () => {
  const hints = (complete: boolean): TxHints => ({
    index: 0,
    hash: K(1),
    complete,
    accessList: [{ address: C, storageKeys: [K(0)] }, { address: T, storageKeys: [K(1), K(2)] }, { address: X, storageKeys: [] }],
    writes: [],
    diagnostics: [],
  });

  test('complete: keyed entries, the recipient left out (warm, too few keys)', () => {
    expect(eip2930List(hints(true), { from: FROM, to: C }, 'cancun', COINBASE)).toEqual([{ address: T, storageKeys: [K(1), K(2)] }]);
  });

  test('incomplete only for assuming an earlier transaction\'s write (which leaves entries out): the same list', () => {
    const h = { ...hints(false), assumes: [0], diagnostics: [{ code: 'assumes-prior', message: 'uniswap-v2-oracle: ...' }] } as TxHints;
    expect(eip2930List(h, { from: FROM, to: C }, 'cancun', COINBASE)).toEqual([{ address: T, storageKeys: [K(1), K(2)] }]);
    const also = { ...h, diagnostics: [...h.diagnostics, { code: 'unknown-slot', message: 'x' }] } as TxHints;
    expect(eip2930List(also, { from: FROM, to: C }, 'cancun', COINBASE)).toEqual([]);
  });

  test('incomplete: no list; every entry with `all`', () => {
    expect(eip2930List(hints(false), { from: FROM, to: C }, 'cancun', COINBASE)).toEqual([]);
    expect(eip2930List(hints(false), { from: FROM, to: C }, 'cancun', COINBASE, 'all')).toEqual([{ address: T, storageKeys: [K(1), K(2)] }, { address: X, storageKeys: [] }]);
  });
});

describeMainnet('priced on mainnet blocks (verify)', () => {
  // One verification per block, shared by the tests that look at it (each starts from an empty analysis cache).
  const runs = new Map<string, ReturnType<typeof verifyBlock>>();
  const verified = (n: string): ReturnType<typeof verifyBlock> => {
    let r = runs.get(n);
    if (r === undefined) runs.set(n, (r = verifyBlock(join(MAINNET_DIR, n), { cache: new AnalysisCache() })));
    return r;
  };
  // A Berlin block and a Cancun one, each with DEX, token and plain traffic.
  test.each(['12522062', '19933597'])('block %s: no list beats the traced one, and the default lists save gas overall', async (n) => {
    const run = await verified(n);
    let pays = 0;
    for (const v of run.txs) {
      expect(v.listGas).toBeDefined();
      expect(v.listGas!.traced).toBeLessThanOrEqual(Math.min(v.listGas!.pays, v.listGas!.all, 0));
      pays += v.listGas!.pays;
    }
    expect(pays).toBeLessThanOrEqual(0);
    expect(run.verdict.listTxs).toBe(run.txs.length);
    expect(run.verdict.accountHit).toBeGreaterThan(0.9 * run.verdict.accountTraced);
  }, 120_000);

  test('USDT transfers do not list address 0, whose code only a deprecated token would check (12522062)', async () => {
    const run = await verified('12522062');
    const usdt = run.hints.hints.filter((_, i) => run.hints.bindings[i]!.frames[0]?.address === '0xdac17f958d2ee523a2206206994597c13d831ec7' && run.hints.bindings[i]!.frames[0]?.selector === '0xa9059cbb');
    expect(usdt.length).toBeGreaterThan(10);
    for (const h of usdt) expect(h.accessList.map((e) => e.address)).not.toContain(A(0));
  }, 120_000);

  test('a block before Berlin is not priced', async () => {
    const run = await verified('5891667');
    expect(run.txs.every((v) => v.listGas === undefined)).toBe(true);
    expect(run.verdict.listTxs).toBe(0);
  }, 60_000);
});
