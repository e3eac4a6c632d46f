/**
 * The scheduler's oracle: per transaction, which state it is predicted to read and write.
 *
 * An entry is `[address, what]`: a storage slot (bigint), the account's `balance`, `nonce` or `code`, or `*` (anything
 * of that account). Addresses are lowercase 0x. `complete: false` says the list may miss accesses; `null` from
 * `predict` says "no idea". Predictions only steer scheduling: every execution is validated by value at commit and
 * re-executed on a misprediction, so a wrong, partial or missing prediction costs time, never correctness.
 *
 * How the scheduler uses them (parallel.ts): transaction j waits for the latest earlier transaction i whose predicted
 * writes meet j's predicted reads or writes (a dependency DAG). Fee payments to the coinbase and credits of received
 * value are commutative in the executor, so an oracle should not list them as writes (a listed coinbase `balance`
 * write is ignored for scheduling). A `null` or incomplete prediction adds no edges: that transaction runs
 * optimistically, as with `--oracle none`. Transactions of one sender are always ordered, whatever the oracle says.
 */
export type Access = [address: string, what: bigint | 'balance' | 'nonce' | 'code' | '*'];

export interface TxPrediction {
  reads: Access[];
  writes: Access[];
  complete: boolean;
}

export interface Oracle {
  predict(txIndex: number): TxPrediction | null;
}

/** An oracle over a precomputed array (what src/hints' `predictBlock` returns). */
export function arrayOracle(preds: Array<TxPrediction | null>): Oracle {
  return { predict: (i) => preds[i] ?? null };
}

/** No predictions at all: the optimistic executor (`--oracle none`). */
export const noOracle: Oracle = { predict: () => null };
