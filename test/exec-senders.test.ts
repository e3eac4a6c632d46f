// The shared sender table (src/exec/senders.ts) on one thread: a thread that needs a sender nobody has recovered
// recovers chunks itself, one that finds it in the table takes it without recovering it again, and a signature that
// does not recover is marked for the execution to report. Two threads over one table are covered by every parallel
// run (exec-blocks, exec-transfer, exec-property).
import { createLegacyTx, createTxFromRLP, type LegacyTx } from '@ethereumjs/tx';
import { commonFor } from '../src/chain/fork.js';
import { patchTxSender } from '../src/exec/patches.js';
import { recoverShare, senderFor, senderTable } from '../src/exec/senders.js';
import { keyFor } from '../src/gen/keys.js';

const common = commonFor(19_500_000n, 1_710_400_000n);
const users = Array.from({ length: 5 }, (_, i) => keyFor(`senders:${i}`));

/** 20 signed transfers from 5 senders, each parsed afresh per call (a thread's own transaction objects). */
const raw = Array.from({ length: 20 }, (_, i) =>
  createLegacyTx({ nonce: BigInt(i >> 2), gasLimit: 21_000n, gasPrice: 10n ** 10n, to: users[(i + 1) % 5]!.address as `0x${string}`, value: 1n }, { common })
    .sign(users[i % 5]!.privateKey)
    .serialize(),
);
const parse = () => raw.map((r) => createTxFromRLP(r, { common }) as LegacyTx);
const expected = (i: number) => users[i % 5]!.address.toLowerCase();

beforeAll(() => patchTxSender());

describe('sender table', () => {
  test('a thread that catches up recovers the chunk it needs, and only that far', () => {
    const txs = parse();
    const table = senderTable(txs.length);
    const got = senderFor(txs, table, 3);
    expect(got).toBe(8); // its chunk: 0-7
    expect(Atomics.load(table.next, 0)).toBe(8);
    expect(senderFor(txs, table, 5)).toBe(0); // same chunk, already known
    for (let i = 0; i < 8; i++) expect(txs[i]!.getSenderAddress().toString()).toBe(expected(i));
    expect(Atomics.load(table.done, 8)).toBe(0);
  });

  test('senders another thread recovered are taken from the table, not recovered again', () => {
    const table = senderTable(raw.length);
    recoverShare(parse(), table); // "the worker": every chunk
    expect(Atomics.load(table.next, 0)).toBeGreaterThanOrEqual(raw.length);
    const mine = parse();
    const spy = jest.spyOn(Object.getPrototypeOf(mine[0]!), 'getSenderPublicKey');
    for (let i = 0; i < mine.length; i++) expect(senderFor(mine, table, i)).toBe(0);
    for (let i = 0; i < mine.length; i++) expect(mine[i]!.getSenderAddress().toString()).toBe(expected(i));
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  test('a chunk another thread took and never finished (a crashed worker): recovered here after a short wait', () => {
    const txs = parse();
    const table = senderTable(txs.length);
    Atomics.store(table.next, 0, txs.length + 8); // every chunk taken, none done
    const t0 = performance.now();
    expect(senderFor(txs, table, 11)).toBe(1);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(txs[11]!.getSenderAddress().toString()).toBe(expected(11));
  });

  test('a signature that does not recover is marked, and left to the execution to report', () => {
    const txs = parse();
    // High s (EIP-2): getSenderAddress throws.
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const t = txs[9]!;
    const bad = createLegacyTx({ ...t.toJSON(), s: N - t.s! }, { common });
    txs[9] = bad;
    const table = senderTable(txs.length);
    expect(() => senderFor(txs, table, 9)).not.toThrow();
    expect(Atomics.load(table.done, 9)).toBe(2);
    expect(Atomics.load(table.done, 10)).toBe(1);
    expect(() => bad.getSenderAddress()).toThrow();
  });
});
