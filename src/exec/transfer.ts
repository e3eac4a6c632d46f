/**
 * Plain ETH transfers without the EVM. A transaction with no input and no access list, to an address that has no code
 * and is no precompile, runs no code: runTx only checks the sender, moves the value, charges 21,000 gas and pays the
 * coinbase. Payout blocks are almost nothing else (12300570: 676 of 687 transactions), and there runTx's machinery
 * costs more than the transfer. `plainTransfer` computes the same write set directly from the committed state.
 *
 * It answers only where the result is certain, and returns null everywhere else (runTx then runs the transaction and
 * reports whatever it finds): a check runTx would fail (nonce, funds, fee below the base fee, a sender with code), a
 * recipient with code, a zero value or a zero fee to a third-party coinbase (EIP-161 touch rules), a sender paying
 * itself, a hardfork outside Byzantium..Prague or a proof-of-authority chain (other receipt, fee or gas rules).
 * A sender or recipient that is the coinbase (pools pay out from it) takes the fee into the same balance.
 * It is used only at the commit point, untraced: a speculative run needs runTx's read recording (view.ts).
 */
import type { TypedTransaction } from '@ethereumjs/tx';
import type { Common } from '@ethereumjs/common';
import { PLAIN_TRANSFER_GAS } from '../chain/txs.js';
import type { TxOutcome } from './block.js';
import type { WorldState } from './state.js';

/** Addresses up to here are (or may become) precompiles: a value transfer to one runs it. */
const PRECOMPILE_MAX = 0xffff;
const FORKS: ReadonlySet<string> = new Set([
  'byzantium',
  'constantinople',
  'petersburg',
  'istanbul',
  'muirGlacier',
  'berlin',
  'london',
  'arrowGlacier',
  'grayGlacier',
  'mergeNetsplitBlock',
  'paris',
  'shanghai',
  'cancun',
  'prague',
]);
const NONCE_MAX = (1n << 64n) - 1n;
/** Shared by every fast outcome: blooms are only ever read (result.ts ORs them into the block's). */
const ZERO_BLOOM = new Uint8Array(256);

/** Whether the fast path applies to this chain and fork at all (checked once per block). */
export function transfersApply(common: Common): boolean {
  return FORKS.has(common.hardfork()) && common.consensusType() !== 'poa';
}

/** What can be told of a plain transfer without its sender or the state (see the header). */
function plainShape(tx: TypedTransaction): boolean {
  if (tx.to === undefined || tx.data.length !== 0 || tx.value === 0n || tx.gasLimit < PLAIN_TRANSFER_GAS) return false;
  if (tx.type !== 0 && tx.type !== 1 && tx.type !== 2) return false;
  if (tx.type !== 0 && (tx as any).accessList.length !== 0) return false;
  const to = tx.to.bytes;
  let high = 0;
  for (let b = 0; b < 18; b++) high |= to[b]!;
  return high !== 0 || ((to[18]! << 8) | to[19]!) > PRECOMPILE_MAX;
}

/**
 * Likely a plain transfer when its turn comes: the shape above, and no code at the recipient in `state` (a guess about
 * scheduling only; `plainTransfer` decides at the commit point).
 */
export function transferCandidate(tx: TypedTransaction, state: WorldState): boolean {
  if (!plainShape(tx)) return false;
  const r = state.get(tx.to!.toString());
  return r === undefined || !r.exists || r.code.length === 0;
}

/**
 * The outcome runTx would give transaction `i` on `state` (the committed state at its position), or null (see above).
 * `need` gives what runTx checks the sender's balance against (Executor.balanceNeed), asked only of a plain transfer.
 */
export function plainTransfer(
  i: number,
  tx: TypedTransaction,
  state: WorldState,
  coinbase: string,
  baseFee: bigint | undefined,
  need: () => bigint,
): TxOutcome | null {
  const t = tx as any;
  if (!plainShape(tx)) return null;
  let from: string;
  try {
    from = tx.getSenderAddress().toString();
  } catch {
    return null;
  }
  const to = tx.to!.toString();
  if (from === to) return null;
  const s = state.get(from);
  if (s === undefined || !s.exists || s.code.length !== 0 || s.nonce !== tx.nonce || s.nonce >= NONCE_MAX || s.balance < need()) return null;
  const r = state.get(to);
  if (r !== undefined && r.exists && r.code.length !== 0) return null;
  // Price per gas paid by the sender, and the part of it the coinbase receives.
  let price: bigint;
  let tip: bigint;
  if (tx.type === 2) {
    if (baseFee === undefined || t.maxFeePerGas < baseFee || t.maxPriorityFeePerGas > t.maxFeePerGas) return null;
    const prio = t.maxFeePerGas - baseFee < t.maxPriorityFeePerGas ? t.maxFeePerGas - baseFee : t.maxPriorityFeePerGas;
    price = baseFee + prio;
    tip = prio;
  } else {
    price = t.gasPrice;
    if (baseFee !== undefined) {
      if (price < baseFee) return null;
      tip = price - baseFee;
    } else tip = price;
  }
  const minerFee = PLAIN_TRANSFER_GAS * tip;
  const paid = s.balance - PLAIN_TRANSFER_GAS * price - tx.value;
  let accounts: TxOutcome['writes']['accounts'];
  if (from === coinbase) {
    // A pool paying out from its coinbase gets the fee back into the same balance.
    accounts = [
      [from, { nonce: s.nonce + 1n, balance: paid + minerFee }],
      [to, { delta: tx.value }],
    ];
  } else if (to === coinbase) {
    accounts = [
      [from, { nonce: s.nonce + 1n, balance: paid }],
      [to, { delta: tx.value + minerFee }],
    ];
  } else {
    // A zero fee still touches the coinbase, which EIP-161 then deletes if it is empty: left to runTx.
    if (minerFee === 0n) return null;
    accounts = [
      [from, { nonce: s.nonce + 1n, balance: paid }],
      [to, { delta: tx.value }],
      [coinbase, { delta: minerFee }],
    ];
  }
  const writes: TxOutcome['writes'] = { accounts, storage: [] };
  return {
    index: i,
    reads: { accounts: [[from, { n: s.nonce, b: s.balance, c: s.codeVersion }], [to, { e: r !== undefined && r.exists, c: r?.codeVersion ?? 0 }]], storage: [] },
    writes,
    gasUsed: PLAIN_TRANSFER_GAS,
    status: 1,
    logs: [],
    bloom: ZERO_BLOOM,
  };
}
