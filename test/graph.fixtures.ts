/** Hand-built blocks for the graph and report tests: access sets only, no EVM. */
import type { LoadedBlock } from '../src/chain/load.js';
import type { TxAccess } from '../src/graph/graph.js';
import type { Hex, TxTrace } from '../src/types.js';

export const A = '0x00000000000000000000000000000000000000aa' as Hex;
export const B = '0x00000000000000000000000000000000000000bb' as Hex;
export const slot = (n: number): Hex => ('0x' + n.toString(16).padStart(64, '0')) as Hex;
export const at = (address: Hex, ...slots: number[]) => [{ address, storageKeys: slots.map(slot) }];

export function tx(index: number, gas: number, o: Partial<TxAccess> = {}): TxAccess {
  return { index, gas, reads: [], writes: [], ...o };
}

/** A chain: each transaction reads what the previous one wrote (0 -> 1 -> 2). */
export const chain = [
  tx(0, 100, { writes: at(A, 1) }),
  tx(1, 200, { reads: at(A, 1), writes: at(A, 2) }),
  tx(2, 300, { reads: at(A, 2) }),
];

/** A diamond: 0 writes two slots, 1 and 2 each read one, 3 reads what 1 and 2 wrote. Heavier branch: 1. */
export const diamond = [
  tx(0, 10, { writes: at(A, 1, 2) }),
  tx(1, 30, { reads: at(A, 1), writes: at(A, 3) }),
  tx(2, 20, { reads: at(A, 2), writes: at(A, 4) }),
  tx(3, 10, { reads: at(A, 3, 4) }),
];

/** Independent transactions: disjoint slots of two contracts. */
export const independent = [tx(0, 50, { writes: at(A, 1) }), tx(1, 70, { writes: at(A, 2) }), tx(2, 30, { reads: at(B, 1), writes: at(B, 2) })];

/**
 * A delta-only slot: three transactions only add to one counter and credit one account (commutative), then a fourth
 * reads the counter.
 */
export const deltas = [
  tx(0, 10, { deltaWrites: at(A, 9), balanceWrites: [B] }),
  tx(1, 10, { deltaWrites: at(A, 9), balanceWrites: [B] }),
  tx(2, 10, { deltaWrites: at(A, 9), balanceWrites: [B] }),
  tx(3, 10, { reads: at(A, 9) }),
];

/** A sender nonce chain: one sender's three plain transfers to three different accounts. */
export const SENDER = '0x00000000000000000000000000000000000000cc' as Hex;
export const nonceChain = [0, 1, 2].map((i) =>
  tx(i, 21000, { sender: SENDER, nonce: i, balanceReads: [SENDER], balanceWrites: [SENDER, `0x${'d'.repeat(39)}${i}` as Hex] }),
);

/** A block around traces (for blockGraphReport and the page): senders differ, so only storage orders them. */
export function fixtureBlock(traces: TxTrace[]): LoadedBlock {
  return {
    block: {
      number: 1234n,
      timestamp: 0n,
      hash: slot(0),
      header: {},
      transactions: traces.map((t, i) => ({
        from: `0x${'e'.repeat(38)}${i.toString(16).padStart(2, '0')}`,
        to: A,
        hash: t.hash,
        nonce: '0x0',
        gas: '0x' + (t.gasUsed * 2).toString(16),
        input: '0x',
      })),
    },
    prestate: new Map(),
    blockHashes: new Map(),
  };
}

/** Traces of the diamond followed by two independent transactions. */
export function diamondTraces(): TxTrace[] {
  return [...diamond, tx(4, 15, { writes: at(B, 7) }), tx(5, 15, { writes: at(B, 8) })].map((t) => ({
    index: t.index,
    hash: slot(1000 + t.index),
    reads: t.reads,
    writes: t.writes,
    balanceReads: [],
    balanceWrites: [],
    gasUsed: t.gas,
    status: 'success',
  }));
}
