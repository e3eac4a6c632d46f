/**
 * One thread's execution context for one block: a Common with the fast crypto, the block header, a VM whose state
 * manager is a `TrackingState`, and `runOne`, which executes one transaction over the current base state and returns
 * everything a commit needs (reads, writes, gas, logs) without touching the base state.
 *
 * Block-level effects follow runBlock: the EIP-4788 beacon-root system call before the transactions (only where the
 * beacon-roots contract has code in the pre-state, as runBlock does), withdrawals after them. Block and uncle rewards
 * are NOT applied in any mode (pre-merge uncle headers are not in block.json); state roots are therefore comparable
 * between prescient's own runs, not with the header's.
 */
import { createBlock, createBlockHeaderFromRPC, type Block } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import type { TypedTransaction } from '@ethereumjs/tx';
import { Address, hexToBytes } from '@ethereumjs/util';
import { createVM, runTx, type VM } from '@ethereumjs/vm';
import { commonFor, type ForkOptions } from '../chain/fork.js';
import type { ChainBlock } from '../chain/load.js';
import { rpcToTxs } from '../chain/txs.js';
import { PrescientError } from '../errors.js';
import type { Hex } from '../types.js';
import type { WorldState, WriteSet } from './state.js';
import { evmInternal, freezeEips, patchInterpreter, patchRunLoop, patchTxSender, patchUtil } from './patches.js';
import { patchTaint, type ClaimTrace } from './taint.js';
import { plainTransfer, transfersApply } from './transfer.js';
import { TAccount, TrackingState, type LazySender, type ReadSet } from './view.js';

export const BEACON_ROOTS_ADDRESS = '0x000f3df6d732807ef1319fb7b8bb8522d0beac02';

/** A transaction's outcome, as it crosses from a worker to the main thread. */
export interface TxOutcome {
  index: number;
  /** Set when runTx threw (on stale state that is expected; on committed state it fails the block). */
  error?: string;
  reads: ReadSet;
  writes: WriteSet;
  gasUsed: bigint;
  status: 0 | 1;
  /** Raw logs: [address, topics, data]. */
  logs: [Uint8Array, Uint8Array[], Uint8Array][];
  bloom: Uint8Array;
  /** For traces (sequential runner only fills these in when asked). */
  balanceWrites?: string[];
  halted?: boolean;
  /** Ran with a lazy sender whose balance it then really read: void, redo at its position (view.ts). */
  lazyBroken?: true;
  /** How the claimed slots (RunOptions.counted) were used (taint.ts). */
  claims?: ClaimTrace[];
}

/**
 * What the block close needs of a committed outcome (receipts): the rest (reads, write sets, claims) is dropped at
 * commit, so that it dies young instead of surviving every scavenge until the block ends.
 */
export function receiptPart(o: TxOutcome): TxOutcome {
  return { index: o.index, reads: NO_READS, writes: NO_WRITES, gasUsed: o.gasUsed, status: o.status, logs: o.logs, bloom: o.bloom };
}
const NO_READS: ReadSet = Object.freeze({ accounts: [], storage: [] }) as unknown as ReadSet;
const NO_WRITES: WriteSet = Object.freeze({ accounts: [], storage: [] }) as unknown as WriteSet;

export interface RunOptions {
  trace?: boolean;
  /** Speculative run: take the sender's nonce and balance sufficiency as assumptions (view.ts, lazy sender). */
  lazySender?: boolean;
  /** Delta-claimed slots to trace (taint.ts). */
  counted?: Array<[string, bigint]>;
  /**
   * At the commit point, untraced, with nothing but the receipt and the writes wanted: a plain ETH transfer may skip
   * runTx (transfer.ts). Its reads are then only the ones that decided it.
   */
  fast?: boolean;
}

export interface BlockEnv {
  common: Common;
  header: any;
  block: Block;
  coinbase: string;
  txs: TypedTransaction[];
}

export function blockEnv(b: ChainBlock, fork: ForkOptions = {}, source = b.source ?? 'block.json'): BlockEnv {
  const common = commonFor(b.number, b.timestamp, fork);
  let block: Block;
  try {
    const header = createBlockHeaderFromRPC(b.header, { common, skipConsensusFormatValidation: true });
    block = createBlock({ header }, { common, skipConsensusFormatValidation: true });
  } catch (e) {
    throw new PrescientError('BAD_BLOCK', source, `invalid header: ${(e as Error).message}`, { cause: e });
  }
  const txs = rpcToTxs(b.transactions, common, source);
  return { common, header: b.header, block, coinbase: block.header.coinbase.toString(), txs };
}

/** BLOCKHASH from block_hashes.json; a lookup the file lacks fails the transaction loudly. */
function blockchainShim(hashes: Map<bigint, Hex>): any {
  const shim = {
    async getBlock(n: number | bigint) {
      const h = hashes.get(BigInt(n));
      if (h === undefined) {
        throw new Error(hashes.size === 0 ? `BLOCKHASH(${n}): no block hashes given (a block folder's block_hashes.json, or --block-hashes)` : `BLOCKHASH(${n}) is not in block_hashes.json`);
      }
      const bytes = hexToBytes(h);
      return { hash: () => bytes };
    },
    async putBlock() {},
    shallowCopy() {
      return shim;
    },
  };
  return shim;
}

let valueCheckPatched = false;

/**
 * The interpreter checks a CALL's value against the calling contract's balance before entering the callee
 * (`_baseCall`: `env.contract.balance < value`). In a speculative run with `lazyValue`, a check the stale balance
 * passes records a requirement instead of a read (view.ts); the callee's debit is then a delta (`_reduceSenderBalance`
 * above). The check is made on a stand-in holding the same balance, so the account's getter does not record a read.
 */
function patchValueCheck(): void {
  if (valueCheckPatched) return;
  valueCheckPatched = true;
  const { Interpreter } = evmInternal('interpreter.js');
  const orig = Interpreter.prototype._baseCall;
  Interpreter.prototype._baseCall = async function (this: any, msg: any) {
    const v = this._stateManager;
    const c = this._env.contract;
    if (
      !(v instanceof TrackingState) ||
      !v.lazyValue ||
      msg.value === 0n ||
      msg.delegatecall === true ||
      !(c instanceof TAccount) ||
      c._v !== v ||
      !c._bBase ||
      c._creditMode ||
      (v.lazy !== null && c._a === v.lazy.address)
    ) {
      return orig.call(this, msg);
    }
    const bal = c._balance as bigint;
    if (bal < msg.value) return orig.call(this, msg);
    v.requireBalance(c._a, msg.value - (bal - c._baseBalance));
    const standIn = { balance: bal };
    this._env.contract = standIn;
    try {
      return await orig.call(this, msg);
    } finally {
      if (this._env.contract === standIn) this._env.contract = c;
    }
  };
}

export class Executor {
  readonly view: TrackingState;
  /** Plain transfers may skip runTx on this chain and fork (transfer.ts). */
  private readonly transfers: boolean;
  /** Transactions this executor committed through the plain-transfer fast path. */
  fastTransfers = 0;
  private constructor(
    readonly env: BlockEnv,
    readonly vm: VM,
    view: TrackingState,
  ) {
    this.view = view;
    this.transfers = transfersApply(env.common);
  }

  static async create(env: BlockEnv, base: WorldState, hashes: Map<bigint, Hex>): Promise<Executor> {
    patchInterpreter();
    patchRunLoop();
    patchTxSender();
    patchUtil();
    patchTaint();
    patchValueCheck();
    freezeEips(env.common);
    const view = new TrackingState(base);
    const vm = await createVM({ common: env.common, stateManager: view as any, blockchain: blockchainShim(hashes) });
    const evm = vm.evm as any;
    // Value received becomes a commutative credit (see view.ts); everything else as in EVM._addToBalance.
    evm._addToBalance = async (toAccount: any, message: any) => {
      if (toAccount instanceof TAccount) toAccount.credit(message.value);
      else toAccount.balance = toAccount.balance + message.value;
      await evm.journal.putAccount(message.to, toAccount);
    };
    // A lazy sender's top-level value debit is a delta like its fee debit (runTx checked sufficiency already). In a
    // speculative run, a contract's value debit the stale balance covers is a delta under a requirement (view.ts).
    const reduce = evm._reduceSenderBalance.bind(evm);
    evm._reduceSenderBalance = async (account: any, message: any) => {
      if (!(account instanceof TAccount) || account._v !== view || !account._bBase || account._creditMode) return reduce(account, message);
      const lazy = view.lazy;
      if (lazy !== null && account._a === lazy.address) {
        if (view.lazyBroken) return reduce(account, message);
      } else {
        const bal = account._balance as bigint;
        if (!view.lazyValue || bal < message.value) return reduce(account, message);
        view.requireBalance(account._a, message.value - (bal - account._baseBalance));
      }
      account._creditMode = true;
      try {
        return await reduce(account, message);
      } finally {
        account._creditMode = false;
      }
    };
    const runCall = evm.runCall.bind(evm);
    evm.runCall = async (opts: any) => {
      if (opts.message === undefined) view.prePhase = false;
      const r = await runCall(opts);
      if (opts.message === undefined) view.postPhase = true;
      return r;
    };
    return new Executor(env, vm, view);
  }

  /**
   * What runTx checks a sender's balance against (upfront cost, and for fee-market transactions the max cost), or
   * null where a lazy sender is not offered (blob and EIP-7702 transactions: their extra debits and code changes).
   */
  lazySenderOf(i: number): LazySender | null {
    const tx = this.env.txs[i]!;
    if (tx.type !== 0 && tx.type !== 1 && tx.type !== 2) return null;
    return { address: tx.getSenderAddress().toString(), nonce: tx.nonce, need: this.balanceNeed(i) };
  }

  /** What runTx checks the sender's balance against, for a plain, access-list or fee-market transaction. */
  private balanceNeed(i: number): bigint {
    const tx = this.env.txs[i]! as any;
    const baseFee = this.env.block.header.baseFeePerGas ?? 0n;
    let need: bigint = tx.getUpfrontCost(baseFee);
    if (tx.type === 2) {
      const max = tx.value + tx.gasLimit * tx.maxFeePerGas;
      if (max > need) need = max;
    }
    return need;
  }

  /** Execute transaction `i` over the view's current base state. */
  async runOne(i: number, opts: RunOptions = {}): Promise<TxOutcome> {
    if (opts.fast === true && this.transfers && opts.trace !== true && opts.lazySender !== true) {
      const { env } = this;
      const o = plainTransfer(i, env.txs[i]!, this.view.base, env.coinbase, env.block.header.baseFeePerGas, () => this.balanceNeed(i));
      if (o !== null) {
        this.fastTransfers++;
        return o;
      }
    }
    const trace = opts.trace === true;
    const view = this.view;
    view.beginTx(this.env.coinbase, opts.lazySender ? this.lazySenderOf(i) : null, opts.counted ?? null);
    const tx = this.env.txs[i]!;
    try {
      const r = await runTx(this.vm, {
        tx,
        block: this.env.block,
        skipBlockGasLimitValidation: true,
        skipHardForkValidation: true,
      });
      const { reads, writes } = view.collect();
      const err = r.execResult.exceptionError;
      const out: TxOutcome = {
        index: i,
        reads,
        writes,
        gasUsed: r.totalGasSpent,
        status: err ? 0 : 1,
        logs: (r.execResult.logs ?? []) as any,
        bloom: r.bloom.bitvector,
      };
      if (trace) {
        out.balanceWrites = view.balanceWrites();
        out.halted = err !== undefined && err.error !== 'revert';
      }
      if (view.lazyBroken) out.lazyBroken = true;
      if (view.taint !== null) out.claims = view.taint.claims;
      return out;
    } catch (e) {
      const { reads, writes } = view.collect();
      return {
        ...(view.lazyBroken ? { lazyBroken: true as const } : {}),
        index: i,
        error: (e as Error)?.message ?? String(e),
        reads,
        writes,
        gasUsed: 0n,
        status: 0,
        logs: [],
        bloom: new Uint8Array(256),
      };
    }
  }
}

/** EIP-4788 as runBlock does it: two storage writes into the beacon-roots contract, when it has code. */
export function beaconRootWrites(env: BlockEnv, base: WorldState): WriteSet | null {
  if (!env.common.isActivatedEIP(4788)) return null;
  const acct = base.get(BEACON_ROOTS_ADDRESS);
  if (acct === undefined || !acct.exists || acct.code.length === 0) return null;
  const root = env.block.header.parentBeaconBlockRoot;
  if (root === undefined) throw new PrescientError('BAD_BLOCK', 'block.json: parentBeaconBlockRoot', 'missing field');
  const len = BigInt(env.common.param('historicalRootsLength'));
  const ts = env.block.header.timestamp % len;
  let r = 0n;
  for (const byte of root) r = (r << 8n) | BigInt(byte);
  return { accounts: [], storage: [[BEACON_ROOTS_ADDRESS, [[ts, env.block.header.timestamp], [ts + len, r]]]] };
}

/** Withdrawals (Shanghai+), applied after the transactions as runBlock does: amounts are in gwei. */
export function withdrawalWrites(env: BlockEnv): WriteSet | null {
  const ws = env.header.withdrawals;
  if (!env.common.isActivatedEIP(4895) || !Array.isArray(ws) || ws.length === 0) return null;
  const credit = new Map<string, bigint>();
  for (const w of ws) {
    if (w.amount === undefined || w.address === undefined) {
      throw new PrescientError('BAD_BLOCK', 'block.json: withdrawals', 'withdrawal without address or amount');
    }
    const a = new Address(hexToBytes(w.address)).toString();
    credit.set(a, (credit.get(a) ?? 0n) + BigInt(w.amount) * 1_000_000_000n);
  }
  return { accounts: [...credit].filter(([, v]) => v !== 0n).map(([a, v]) => [a, { delta: v }]), storage: [] };
}
