/**
 * The reference: one thread, transactions in block order, each committed before the next starts. Also the traced
 * runner (`executeBlockTraced`) the verify stage holds predictions against.
 */
import type { ForkOptions } from '../chain/fork.js';
import type { ChainBlock, Prestate } from '../chain/load.js';
import { initCrypto } from '../chain/crypto.js';
import { PrescientError } from '../errors.js';
import type { BlockResult, Hex, TxTrace } from '../types.js';
import { Executor, beaconRootWrites, blockEnv, receiptPart, type TxOutcome } from './block.js';
import { finishBlock, traceOf } from './result.js';
import { recoverAll } from './senders.js';
import { applyWrites, stateFromPrestate } from './state.js';
import { stateRoot } from './trie.js';

export interface SequentialOptions extends ForkOptions {
  trace?: boolean;
  /** Return each transaction's raw outcome (reads/writes) too: `oracleFromOutcomes` turns them into an oracle. */
  outcomes?: boolean;
}

export async function executeSequential(
  block: ChainBlock,
  prestate: Prestate,
  blockHashes: Map<bigint, Hex>,
  opts: SequentialOptions = {},
): Promise<{ result: BlockResult; traces: TxTrace[]; outcomes?: TxOutcome[] }> {
  await initCrypto();
  const t0 = performance.now();
  const env = blockEnv(block, opts);
  const state = stateFromPrestate(prestate);
  stateRoot(state); // the pre-state's trie, as a node would hold it (caches storage roots and hashed keys)
  // Set-up outside wallMs, as in the parallel executor (which builds its executor before its clock starts).
  const ex = await Executor.create(env, state, blockHashes);
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const pre = beaconRootWrites(env, state);
  if (pre) applyWrites(state, pre, 0);
  recoverAll(env.txs); // ahead, as a node does (senders.ts)
  const outcomes: TxOutcome[] = [];
  const traces: TxTrace[] = [];
  for (let i = 0; i < env.txs.length; i++) {
    const o = await ex.runOne(i, { trace: opts.trace === true, fast: !opts.trace && !opts.outcomes });
    if (o.error !== undefined) {
      throw new PrescientError('EXECUTION_FAILED', `block ${block.number} tx ${i}`, o.error.split('\n')[0]!);
    }
    applyWrites(state, o.writes, i + 1);
    outcomes.push(opts.trace || opts.outcomes ? o : receiptPart(o));
    if (opts.trace) traces.push(traceOf(env, o));
  }
  const closed = finishBlock(env, state, outcomes, env.txs.length);
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return {
    result: {
      ...closed,
      stats: {
        threads: 1,
        oracle: 'sequential',
        executions: env.txs.length,
        reExecutions: 0,
        wallMs: t2 - t1,
        cpuMs: (cpu.user + cpu.system) / 1000,
        loadMs: t1 - t0,
        txs: env.txs.length,
        /** Plain ETH transfers committed without runTx (transfer.ts). */
        transfers: ex.fastTransfers,
      },
    },
    traces,
    ...(opts.outcomes ? { outcomes } : {}),
  };
}

/** Sequential execution with a `TxTrace` per transaction. */
export function executeBlockTraced(
  block: ChainBlock,
  prestate: Prestate,
  blockHashes: Map<bigint, Hex>,
  opts: ForkOptions = {},
): Promise<{ result: BlockResult; traces: TxTrace[] }> {
  return executeSequential(block, prestate, blockHashes, { ...opts, trace: true });
}
