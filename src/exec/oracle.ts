/**
 * The scheduler's oracle: per transaction, which state it is predicted to read and write.
 *
 * An entry is `[address, what]`: a storage slot (bigint), the account's `balance`, `nonce` or `code`, or `*` (anything
 * of that account). Addresses are lowercase 0x. `complete: false` says the list may miss accesses; `null` from
 * `predict` says "no idea". Predictions only steer scheduling: every execution is validated by value at commit and
 * re-executed on a misprediction, so a wrong, partial or missing prediction costs time, never correctness.
 *
 * How the scheduler uses them (parallel.ts): transaction j waits for the latest earlier transaction i whose predicted
 * writes meet j's predicted reads or writes (a dependency DAG; a balance or nonce write only orders readers of it,
 * since received value is a commutative credit in the executor, and a coinbase `balance` write is ignored: fees
 * commute too). A transaction with a complete prediction may then run arbitrarily far ahead of the commit point; one
 * with a `null` or incomplete prediction (its known accesses still add edges) runs only within a small window of
 * transactions near the commit point, as everything does with `--oracle none`. Transactions of one sender run in
 * parallel (lazy senders, view.ts: nonce and balance sufficiency checked at commit), except blob and EIP-7702
 * transactions, which stay ordered behind their sender's previous one; a predicted read of a lazy sender's own
 * balance or nonce adds no edge.
 */
export type Access = [address: string, what: bigint | 'balance' | 'nonce' | 'code' | '*'];

/**
 * "This transaction reads this slot only to write slot + amount ('add') or slot - amount ('sub') and to check that
 * this does not wrap (overflow for add, underflow for sub); its behaviour is otherwise independent of the value."
 */
export type DeltaClaim = [address: string, slot: bigint, kind: 'add' | 'sub'];

export interface TxPrediction {
  reads: Access[];
  writes: Access[];
  complete: boolean;
  /**
   * Delta claims (a claimed slot is normally also listed in reads and writes). Two transactions that only delta a
   * slot get no scheduling edge between them. At commit, when the read of a claimed slot is stale (read r, wrote w,
   * committed value now c), the executor merges (writes c +- |w - r|) instead of re-executing only if: the
   * transaction SLOADed and SSTOREd the slot exactly once; the direction matches the kind and the merged value does
   * not wrap; the SSTORE gas class is unchanged, (r == 0, w == 0, w == r) equal to (c == 0, new == 0, new == c),
   * since EIP-2200 and pre-Istanbul SSTORE gas and refunds depend on exactly these; and the claim held in this very
   * execution, as traced through the EVM (taint.ts): the loaded value went only through +/- of untainted values into
   * that one SSTORE and into comparisons, and every comparison comes out the same with c as it did with r. Anything
   * else re-executes.
   *
   * TRUST BOUNDARY. Value validation alone could not catch a wrong claim whose read also flows elsewhere (into a log,
   * another slot, return data, a branch: an AMM's reserves are read once, written once, and drive the swap; a
   * Uniswap V3 pool copies feeGrowthGlobal into ticks): the merged result would not be the sequential one. The
   * executor therefore does not trust `deltas` either: the trace checks the claim on the execution it merges, so a
   * wrong or adversarial claim costs a re-execution, never a different result (test/exec-deltas.test.ts claims every
   * read-and-written slot of a mixed block, reserves and counters included). What remains trusted is the trace's
   * model of the EVM: the opcodes it lets a tainted value through (ADD, SUB, comparisons, ISZERO, JUMPI, DUP, SWAP,
   * POP, SLOAD/SSTORE of the claimed slot) behave as it assumes, and any opcode whose stack effect differs from the
   * table (src/evm/opcodes.ts) drops the frame's taints as violations.
   */
  deltas?: DeltaClaim[];
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

/**
 * The oracle a perfect predictor would give: what each transaction really read and wrote in a sequential run (see
 * `executeSequential(..., { outcomes: true })`). For tests and for the benchmark's upper bound, not a prediction.
 */
export function oracleFromOutcomes(
  outcomes: Array<{ reads: { accounts: Array<[string, any]>; storage: Array<[string, Array<[bigint, bigint]>]> }; writes: { accounts: Array<[string, any]>; storage: Array<[string, Array<[bigint, bigint]>]> } }>,
): Oracle {
  const preds = outcomes.map((o): TxPrediction => {
    const reads: Access[] = [];
    const writes: Access[] = [];
    for (const [a, r] of o.reads.accounts) {
      if (r.b !== undefined || r.bz !== undefined) reads.push([a, 'balance']);
      if (r.n !== undefined) reads.push([a, 'nonce']);
      if (r.c !== undefined || r.e !== undefined) reads.push([a, 'code']);
    }
    for (const [a, slots] of o.reads.storage) for (const [k] of slots) reads.push([a, k]);
    for (const [a, w] of o.writes.accounts) {
      if (w.deleted) writes.push([a, '*']);
      if (w.balance !== undefined || w.delta !== undefined) writes.push([a, 'balance']);
      if (w.nonce !== undefined) writes.push([a, 'nonce']);
      if (w.code !== undefined || w.cleared) writes.push([a, 'code']);
    }
    for (const [a, slots] of o.writes.storage) for (const [k] of slots) writes.push([a, k]);
    return { reads, writes, complete: true };
  });
  return arrayOracle(preds);
}
