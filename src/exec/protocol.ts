/**
 * Messages between the parallel executor (main thread) and its workers, over one MessageChannel per worker (the main
 * thread polls its end synchronously). Everything is structured-clone data; what travels on every transaction (an
 * outcome, the committed write sets) travels as bytes in codec.ts's encoding.
 */
import type { ForkOptions } from '../chain/fork.js';
import type { ChainBlock, Prestate } from '../chain/load.js';
import type { Hex } from '../types.js';
import type { OutcomeRest } from './codec.js';
import type { SenderTable } from './senders.js';

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
  /**
   * Apply `log` (the write sets committed since the last message, in order; codec.ts `encodeWriteLog`), then execute
   * `txs` over that state.
   */
  | { t: 'run'; log: Uint8Array; txs: RunTx[] }
  /**
   * Every transaction is committed: drop the queued work, apply `log` (the rest of the block's write sets) and the
   * withdrawals, and report the post-state root (the main thread builds the receipts meanwhile).
   */
  | { t: 'root'; run: number; log: Uint8Array }
  /** Recover senders from the shared table until it has no chunk left, then report 'recovered' (senders.ts). */
  | { t: 'recover'; run: number; table: SenderTable }
  | { t: 'close' };

export type FromWorker =
  | { t: 'ready'; id: number; run: number; ms: number }
  /** `b`: the outcome and its timings (codec.ts `encodeDone`); `rest`: the outcome's rarely set fields. */
  | { t: 'done'; run: number; b: Uint8Array; rest?: OutcomeRest }
  | { t: 'root'; run: number; root: Uint8Array; ms: number }
  /** The worker's part of sender recovery is over (the shared table has no chunk left). */
  | { t: 'recovered'; run: number }
  | { t: 'fail'; message: string };
