/**
 * Messages between the parallel executor (main thread) and its workers, over one MessageChannel per worker (the main
 * thread polls its end synchronously). Everything is structured-clone data.
 */
import type { ForkOptions } from '../chain/fork.js';
import type { ChainBlock, Prestate } from '../chain/load.js';
import type { Hex } from '../types.js';
import type { TxOutcome } from './block.js';
import type { SenderTable } from './senders.js';
import type { WriteSet } from './state.js';

/** Test-only fault injection: the worker that executes `txIndex` crashes, throws or hangs. */
export interface FaultInjection {
  kind: 'exit' | 'throw' | 'hang';
  txIndex: number;
}

/** One transaction to execute: `lazy`: with a lazy sender; `counted`: slots whose SLOADs/SSTOREs to count. */
export interface RunTx {
  i: number;
  lazy: boolean;
  counted?: Array<[string, bigint]>;
}

export type ToWorker =
  /** `run` numbers the block: answers to an earlier block's work (after a failed block) are told apart by it. */
  /**
   * `owned` (shared, one word per transaction): a worker runs a queued transaction only if it swaps its word from 0 to
   * 1; the main thread, which sets the word to 0 when it sends the transaction, may swap it to 2 first and run it itself.
   */
  | { t: 'init'; id: number; run: number; block: ChainBlock; prestate: Prestate; hashes: Map<bigint, Hex>; fork: ForkOptions; owned: Int32Array; fault?: FaultInjection }
  /** Apply `log` (the write sets committed since the last message, in order), then execute `txs` over that state. */
  | { t: 'run'; log: WriteSet[]; txs: RunTx[] }
  /**
   * Every transaction is committed: drop the queued work, apply `log` (the rest of the block's write sets) and the
   * withdrawals, and report the post-state root (the main thread builds the receipts meanwhile).
   */
  | { t: 'root'; run: number; log: WriteSet[] }
  /** Recover senders from the shared table until it has no chunk left, then report 'recovered' (senders.ts). */
  | { t: 'recover'; run: number; table: SenderTable }
  | { t: 'close' };

export type FromWorker =
  | { t: 'ready'; id: number; run: number; ms: number }
  /** `v`: how many transactions were committed in the state the transaction ran on. */
  | { t: 'done'; run: number; o: TxOutcome; v: number; ms: number; applyMs: number; sendMs: number; starvedMs: number }
  | { t: 'root'; run: number; root: Uint8Array; ms: number }
  /** The worker's part of sender recovery is over (the shared table has no chunk left). */
  | { t: 'recovered'; run: number }
  | { t: 'fail'; message: string };
