/** Receipts, bloom and roots from committed transaction outcomes (shared by every mode). */
import { bytesToHex } from '@ethereumjs/util';
import type { AccessListEntry, BlockResult, Hex, TxTrace } from '../types.js';
import { withdrawalWrites, type BlockEnv, type TxOutcome } from './block.js';
import { applyWrites, type WorldState } from './state.js';
import { rlpEncode } from './rlp.js';
import { bigTo32, bigToBytes, receiptsRoot, stateRoot } from './trie.js';

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
  applyWithdrawals(env, state, txCount);
  return blockResult(env, assembleReceipts(env, outcomes), stateRoot(state));
}

/** The post-transaction part of the state transition (withdrawals, at write index `txCount + 1`). */
export function applyWithdrawals(env: BlockEnv, state: WorldState, txCount: number): void {
  const post = withdrawalWrites(env);
  if (post) applyWrites(state, post, txCount + 1);
}

/** The result fields from the receipts and the post-state root (however they were computed). */
export function blockResult(env: BlockEnv, receipts: Receipts, root: Uint8Array): Omit<BlockResult, 'stats'> {
  return {
    number: Number(env.block.header.number),
    gasUsed: Number(receipts.gasUsed),
    receiptsRoot: receipts.receiptsRoot,
    logsBloom: receipts.logsBloom,
    stateRoot: bytesToHex(root) as Hex,
  };
}

export function assembleReceipts(env: BlockEnv, outcomes: TxOutcome[]): Receipts {
  let cumulative = 0n;
  const bloom = new Uint8Array(256);
  const encoded: Uint8Array[] = [];
  outcomes.forEach((o, i) => {
    cumulative += o.gasUsed;
    for (let j = 0; j < 256; j++) bloom[j]! |= o.bloom[j]!;
    encoded.push(encodeReceipt(o, cumulative, env.txs[i]!.type));
  });
  return {
    gasUsed: cumulative,
    receiptsRoot: bytesToHex(receiptsRoot(encoded)) as Hex,
    logsBloom: bytesToHex(bloom) as Hex,
  };
}

const STATUS_OK = Uint8Array.from([1]);
const NO_BYTES = new Uint8Array(0);

/** @ethereumjs/vm's encodeReceipt (post-Byzantium: status), with the one-buffer encoder: EIP-2718 type prefix. */
function encodeReceipt(o: TxOutcome, cumulative: bigint, txType: number): Uint8Array {
  const body = rlpEncode([o.status === 0 ? NO_BYTES : STATUS_OK, bigToBytes(cumulative), o.bloom, o.logs]);
  if (txType === 0) return body;
  const out = new Uint8Array(body.length + 1);
  out[0] = txType;
  out.set(body, 1);
  return out;
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
    accounts: accessedAccounts(o),
    gasUsed: Number(o.gasUsed),
    status: o.status === 1 ? 'success' : o.halted ? 'halt' : 'revert',
  };
}

/**
 * The accounts a transaction accessed in EIP-2929's sense: every account it read (the view records a read at an
 * account's first load), whose storage it read or wrote, or whose balance it changed. The coinbase's fee credit is
 * not an access (balanceWrites leaves it out).
 */
function accessedAccounts(o: TxOutcome): Hex[] {
  const s = new Set<string>();
  for (const [a] of o.reads.accounts) s.add(a);
  for (const [a, slots] of o.reads.storage) if (slots.length > 0) s.add(a);
  for (const [a, slots] of o.writes.storage) if (slots.length > 0) s.add(a);
  for (const a of o.balanceWrites ?? []) s.add(a);
  return [...s] as Hex[];
}
