/**
 * An in-memory Cancun chain to deploy the examples into and set them up (balances, approvals, liquidity): what both
 * the block generator and the test harness need. Setup calls use `evm.runCall` (no signatures, no fees, ~5x faster
 * than signed transactions); only the generated block's own transactions are real signed transactions.
 */
import { Interface } from '@ethersproject/abi';
import { createBlock, type Block } from '@ethereumjs/block';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import type { EVMResult } from '@ethereumjs/evm';
import { Account, Address, bytesToHex, createAddressFromString, hexToBytes } from '@ethereumjs/util';
import { Caches, MerkleStateManager, SimpleStateManager } from '@ethereumjs/statemanager';
import { createVM, type VM } from '@ethereumjs/vm';
import { fastCrypto } from '../chain/crypto.js';
import type { Hex } from '../types.js';
import { exampleContract, type ExampleContract, type ExamplesOptions } from './examples.js';

/**
 * Mainnet block 19,500,000 was mined on 2024-03-24, after Cancun (timestamp 1,710,338,135); the timestamp below is a
 * little earlier than the real one but still after Cancun, so @ethereumjs/common's mainnet schedule picks Cancun.
 */
export const DEFAULT_BLOCK_NUMBER = 19_500_000n;
export const DEFAULT_TIMESTAMP = 1_711_200_000n;
export const DEFAULT_GAS_LIMIT = 30_000_000n;
export const DEFAULT_BASE_FEE = 7_000_000_000n;
export const DEFAULT_COINBASE = '0x95222290dd7278aa3ddd389cc1e1d165cc4bafe5' as Hex; // beaverbuild's fee recipient

/** Mainnet rules at Cancun, with native ecrecover and the WASM keccak (src/chain/crypto.ts). */
export function cancunCommon(): Common {
  return new Common({ chain: Mainnet, hardfork: Hardfork.Cancun, customCrypto: { ...fastCrypto } });
}

export interface BlockContext {
  number?: bigint;
  timestamp?: bigint;
  gasLimit?: bigint;
  baseFeePerGas?: bigint;
  coinbase?: Hex;
}

/** A block to run calls in (header only): BLOCKHASH/NUMBER/TIMESTAMP/BASEFEE/COINBASE come from it. */
export function contextBlock(common: Common, ctx: BlockContext = {}): Block {
  return createBlock(
    {
      header: {
        number: ctx.number ?? DEFAULT_BLOCK_NUMBER,
        timestamp: ctx.timestamp ?? DEFAULT_TIMESTAMP,
        gasLimit: ctx.gasLimit ?? DEFAULT_GAS_LIMIT,
        baseFeePerGas: ctx.baseFeePerGas ?? DEFAULT_BASE_FEE,
        coinbase: ctx.coinbase ?? DEFAULT_COINBASE,
        excessBlobGas: 0n,
        blobGasUsed: 0n,
        parentBeaconBlockRoot: new Uint8Array(32),
      },
    },
    { common, skipConsensusFormatValidation: true },
  );
}

export const toAddress = (a: Hex | string): Address => createAddressFromString(a.toLowerCase());
export const addressHex = (a: Address): Hex => a.toString().toLowerCase() as Hex;
export const slotHex = (v: bigint): Hex => `0x${v.toString(16).padStart(64, '0')}` as Hex;

const interfaces = new WeakMap<any[], Interface>();
/** ethers' Interface per ABI array, built once: building one costs more than encoding a call with it. */
function iface(abi: any[]): Interface {
  let i = interfaces.get(abi);
  if (!i) interfaces.set(abi, (i = new Interface(abi)));
  return i;
}

/** A fresh state manager of the given kind (Merkle with caches: about twice as fast as without, NOTES.md). */
export function newStateManager(kind: 'simple' | 'merkle', common: Common): SimpleStateManager | MerkleStateManager {
  return kind === 'simple' ? new SimpleStateManager({ common }) : new MerkleStateManager({ common, caches: new Caches() });
}

export class CallFailed extends Error {
  constructor(
    readonly what: string,
    readonly result: EVMResult,
  ) {
    super(`${what} failed: ${describeFailure(result)}`);
  }
}

/** The revert reason (Error(string), a custom error selector, or the EVM exception) of a failed call. */
export function describeFailure(result: EVMResult): string {
  const ret = result.execResult.returnValue;
  const err = result.execResult.exceptionError?.error ?? 'revert';
  if (ret.length >= 4) {
    const sel = bytesToHex(ret.subarray(0, 4));
    if (sel === '0x08c379a0') {
      try {
        const iface = new Interface(['function Error(string)']);
        return `${err}: ${iface.decodeFunctionData('Error', ret)[0]}`;
      } catch {
        /* fall through */
      }
    }
    return `${err} (return data ${bytesToHex(ret).slice(0, 74)})`;
  }
  return err;
}

export interface CallRequest {
  from: Hex;
  /** Absent: contract creation with `data` as init code. */
  to?: Hex;
  data?: Hex | Uint8Array;
  value?: bigint;
  gasLimit?: bigint;
}

/** A VM with the example contracts at hand; every method is a thin, typed wrapper over @ethereumjs. */
export class World {
  private constructor(
    readonly vm: VM,
    readonly common: Common,
    public block: Block,
    readonly examples: ExamplesOptions,
  ) {}

  /**
   * `stateManager`: `simple` (default; Map-based, no state root, several times faster for setup and tracing) or
   * `merkle` (when state roots are needed).
   */
  static async create(opts: { block?: BlockContext; examples?: ExamplesOptions; stateManager?: 'simple' | 'merkle' } = {}): Promise<World> {
    const common = cancunCommon();
    const vm = await createVM({ common, stateManager: newStateManager(opts.stateManager ?? 'simple', common) });
    return new World(vm, common, contextBlock(common, opts.block), opts.examples ?? {});
  }

  contract(name: string): ExampleContract {
    return exampleContract(name, this.examples);
  }

  async setBalance(address: Hex, wei: bigint): Promise<void> {
    const a = toAddress(address);
    const acct = (await this.vm.stateManager.getAccount(a)) ?? new Account();
    acct.balance = wei;
    await this.vm.stateManager.putAccount(a, acct);
  }

  async balanceOf(address: Hex): Promise<bigint> {
    return (await this.vm.stateManager.getAccount(toAddress(address)))?.balance ?? 0n;
  }

  async getStorage(address: Hex, slot: bigint | Hex): Promise<bigint> {
    const key = hexToBytes(typeof slot === 'bigint' ? slotHex(slot) : slot);
    const v = await this.vm.stateManager.getStorage(toAddress(address), key);
    return v.length === 0 ? 0n : BigInt(bytesToHex(v));
  }

  /** Runs one message (no signature, no fees); state changes persist. Does not throw on revert. */
  async runCall(req: CallRequest): Promise<EVMResult> {
    const data = req.data === undefined ? new Uint8Array(0) : typeof req.data === 'string' ? hexToBytes(req.data) : req.data;
    const result = await this.vm.evm.runCall({
      caller: toAddress(req.from),
      origin: toAddress(req.from),
      to: req.to === undefined ? undefined : toAddress(req.to),
      data,
      value: req.value ?? 0n,
      gasLimit: req.gasLimit ?? 15_000_000n,
      block: this.block,
    });
    // What runTx does after each transaction: forget warm addresses and touched accounts (EIP-2929/158), so every
    // call starts cold, as a transaction would, and later block execution is not charged for setup's touches.
    // Likewise the SSTORE gas schedule's "original value" cache, which runTx clears per transaction.
    await this.vm.evm.journal.cleanup();
    this.vm.stateManager.originalStorageCache.clear();
    return result;
  }

  /** ABI-encodes a call to `fn` (a name, or a signature when overloaded) of an example contract. */
  encode(contract: string | ExampleContract | any[], fn: string, args: readonly unknown[] = []): Hex {
    const abi = Array.isArray(contract) ? contract : (typeof contract === 'string' ? this.contract(contract) : contract).abi;
    return iface(abi).encodeFunctionData(fn, args as unknown[]) as Hex;
  }

  /** Calls `fn` and throws CallFailed (with the revert reason) when it fails. */
  async send(from: Hex, to: Hex, contract: string | ExampleContract, fn: string, args: readonly unknown[] = [], value = 0n): Promise<EVMResult> {
    const result = await this.runCall({ from, to, data: this.encode(contract, fn, args), value });
    if (result.execResult.exceptionError) throw new CallFailed(`${fn} on ${to}`, result);
    return result;
  }

  /** Deploys an example contract (constructor arguments ABI-encoded) and returns its address. */
  async deploy(name: string | ExampleContract, args: readonly unknown[] = [], opts: { from: Hex; value?: bigint }): Promise<Hex> {
    const c = typeof name === 'string' ? this.contract(name) : name;
    const ctorArgs = iface(c.abi).encodeDeploy(args as unknown[]);
    const init = new Uint8Array([...c.creation, ...hexToBytes(ctorArgs as Hex)]);
    const result = await this.runCall({ from: opts.from, data: init, value: opts.value });
    if (result.execResult.exceptionError || !result.createdAddress) throw new CallFailed(`deploying ${c.name}`, result);
    return addressHex(result.createdAddress);
  }
}
