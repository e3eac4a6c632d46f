/** Receipts, bloom and roots from committed transaction outcomes (shared by every mode). */
import { bytesToHex } from '@ethereumjs/util';
import { encodeReceipt } from '@ethereumjs/vm';
import type { AccessListEntry, BlockResult, Hex, TxTrace } from '../types.js';
import { withdrawalWrites, type BlockEnv, type TxOutcome } from './block.js';
import { applyWrites, type WorldState } from './state.js';
import { bigTo32, receiptsRoot, stateRoot } from './trie.js';

export interface Receipts {
  gasUsed: bigint;
  receiptsRoot: Hex;
  logsBloom: Hex;
}

/**
 * Closes a block after its last transaction, the same way in every mode: withdrawals applied (at write index
 * `txCount + 1`), receipts assembled, the post-state root computed. Returns the result fields every mode reports.
 */
export function finishBlock(env: BlockEnv, state: WorldState, outcomes: TxOutcome[], txCount: number): Omit<BlockResult, 'stats'> {
  const post = withdrawalWrites(env);
  if (post) applyWrites(state, post, txCount + 1);
  const receipts = assembleReceipts(env, outcomes);
  return {
    number: Number(env.block.header.number),
    gasUsed: Number(receipts.gasUsed),
    receiptsRoot: receipts.receiptsRoot,
    logsBloom: receipts.logsBloom,
    stateRoot: bytesToHex(stateRoot(state)) as Hex,
  };
}

export function assembleReceipts(env: BlockEnv, outcomes: TxOutcome[]): Receipts {
  let cumulative = 0n;
  const bloom = new Uint8Array(256);
  const encoded: Uint8Array[] = [];
  outcomes.forEach((o, i) => {
    cumulative += o.gasUsed;
    for (let j = 0; j < 256; j++) bloom[j]! |= o.bloom[j]!;
    encoded.push(
      encodeReceipt(
        { status: o.status, cumulativeBlockGasUsed: cumulative, bitvector: o.bloom, logs: o.logs } as any,
        env.txs[i]!.type,
      ),
    );
  });
  return {
    gasUsed: cumulative,
    receiptsRoot: bytesToHex(receiptsRoot(encoded)) as Hex,
    logsBloom: bytesToHex(bloom) as Hex,
  };
}

const hex32 = (k: bigint): Hex => bytesToHex(bigTo32(k)) as Hex;

function entries(m: Array<[string, Array<[bigint, bigint]>]>): AccessListEntry[] {
  return m
    .filter(([, s]) => s.length > 0)
    .map(([a, s]) => ({ address: a as Hex, storageKeys: s.map(([k]) => hex32(k)) }));
}

export function traceOf(env: BlockEnv, o: TxOutcome): TxTrace {
  const balanceReads: Hex[] = [];
  for (const [a, r] of o.reads.accounts) if (r.b !== undefined || r.bz !== undefined) balanceReads.push(a as Hex);
  return {
    index: o.index,
    hash: bytesToHex(env.txs[o.index]!.hash()) as Hex,
    reads: entries(o.reads.storage),
    writes: entries(o.writes.storage),
    balanceReads,
    balanceWrites: (o.balanceWrites ?? []) as Hex[],
    gasUsed: Number(o.gasUsed),
    status: o.status === 1 ? 'success' : o.halted ? 'halt' : 'revert',
  };
}
