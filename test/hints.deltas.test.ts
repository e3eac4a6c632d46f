/**
 * Delta candidates (TxBinding.deltas, the executor's `TxPrediction.deltas`): a slot a transaction touches exactly once
 * by a read and once by a `delta`-shaped write of one function, in one frame, and in no other bound way. Fixtures: the
 * hand-written ERC20 of test/hints.fixtures.ts (transfer: balances[caller] -= , balances[arg0] +=).
 */
import type { Prestate } from '../src/chain/load.js';
import { bindTx, keccakWords, type BindContext, type TxInput } from '../src/hints/bind.js';
import { AnalysisCache, stateView } from '../src/hints/context.js';
import { toPrediction } from '../src/hints/index.js';
import type { ContractAnalysis, Hex } from '../src/types.js';
import * as F from './hints.fixtures.js';

const { addr: A, ALICE, BOB, ENV: env } = F;

const TOKEN = A(0x1000);
const TWICE = A(0x8000);
const word = (v: bigint) => v.toString(16).padStart(64, '0');
const calldata = (sel: string, ...args: bigint[]) => Uint8Array.from(Buffer.from(sel.slice(2) + args.map(word).join(''), 'hex'));
const balSlot = (a: Hex) => keccakWords([BigInt(a), 0n]);

/** payTwice(to) (0x44444444): token.transfer(to, 1) twice, so balances[this] and balances[to] are written twice. */
const twice = (codeHash: Hex) =>
  F.analysis(codeHash, 'Twice', [
    F.fn('0x44444444', { calls: [0, 1].map((i) => F.call(i, 'CALL', F.c(BigInt(TOKEN)), F.SEL.transfer, [F.and160(F.arg(0)), F.c(1)])) }),
  ]);

function ctxWith(token: (h: Hex) => ContractAnalysis = F.erc20): BindContext {
  const acct = (code: number[]) => ({ balance: 10n ** 18n, nonce: 1n, code: Uint8Array.from(code), storage: new Map<bigint, bigint>() });
  const pre: Prestate = new Map([[TOKEN, acct([1])], [TWICE, acct([8])]]);
  const state = stateView(pre);
  const cache = new AnalysisCache(null).add(token(state.codeHash(TOKEN))).add(twice(state.codeHash(TWICE)));
  return { state, block: env, analysis: cache.provider, codeHash: (a) => state.codeHash(a) };
}
const tx = (to: Hex, input: Uint8Array): TxInput => ({ index: 0, hash: ('0x' + '11'.repeat(32)) as Hex, from: ALICE, to, value: 0n, input, nonce: 5n, gasPrice: 10n });
const sorted = (ds: Array<[Hex, bigint, string]>) => [...ds].sort((a, b) => (a[1] < b[1] ? -1 : 1));

describe('delta candidates', () => {
  test('transfer: the debit and the credit', () => {
    const b = bindTx(tx(TOKEN, calldata(F.SEL.transfer, BigInt(BOB), 5n)), ctxWith());
    expect(sorted(b.deltas)).toEqual(sorted([[TOKEN, balSlot(ALICE), 'sub'], [TOKEN, balSlot(BOB), 'add']]));
  });

  test('a transfer to oneself reads and writes the slot twice: no claim', () => {
    const b = bindTx(tx(TOKEN, calldata(F.SEL.transfer, BigInt(ALICE), 5n)), ctxWith());
    expect(b.deltas).toEqual([]);
  });

  test('two frames writing the same slots: no claim', () => {
    const b = bindTx(tx(TWICE, calldata('0x44444444', BigInt(BOB))), ctxWith());
    expect(b.writes.get(TOKEN)?.has(balSlot(BOB))).toBe(true);
    expect(b.deltas).toEqual([]);
  });

  test('an incomplete footprint or a packed write: no claim', () => {
    const incomplete = (h: Hex) => {
      const a = F.erc20(h);
      a.functions[0] = { ...a.functions[0]!, complete: false, diagnostics: [{ code: 'limit-steps', message: 'fixture' }] };
      return a;
    };
    expect(bindTx(tx(TOKEN, calldata(F.SEL.transfer, BigInt(BOB), 5n)), ctxWith(incomplete)).deltas).toEqual([]);
    const packed = (h: Hex) => {
      const a = F.erc20(h);
      const f = a.functions[0]!;
      a.functions[0] = { ...f, writes: f.writes.map((w) => ({ ...w, range: { offset: 0, size: 16 } })) };
      return a;
    };
    expect(bindTx(tx(TOKEN, calldata(F.SEL.transfer, BigInt(BOB), 5n)), ctxWith(packed)).deltas).toEqual([]);
  });

  test('predictions carry the claims only when asked (the executor trusts them)', () => {
    const b = bindTx(tx(TOKEN, calldata(F.SEL.transfer, BigInt(BOB), 5n)), ctxWith());
    expect(toPrediction(b).deltas).toBeUndefined();
    expect(toPrediction(b, { deltas: true }).deltas).toHaveLength(2);
  });
});
