/**
 * Generating a block: a set-up world (setup.ts), a workload's transactions (workloads.ts) signed as EIP-1559
 * transactions, then block.json (eth_getBlockByNumber(n, true) shape) and prestate.json (geth prestateTracer shape).
 *
 * How the prestate is made complete: the transactions are executed once (`runTx`, in the set-up world) while the
 * state manager records every account and storage slot asked for; the state is then rolled back and those accounts'
 * code, balance, nonce and slots are dumped from the pre-block state. The block is then executed again with
 * `runBlock` in a fresh VM holding nothing but the dumped prestate: every transaction must give the same status, gas
 * and number of logs, or generation fails (an incomplete prestate is a bug here, never something to ship). That
 * second execution gives the header its gasUsed, receiptsRoot, logsBloom and stateRoot.
 *
 * stateRoot: the root of the post-block state of the world that prestate.json describes (the prestate accounts after
 * executing the block in a fresh MerkleStateManager), so a tool loading prestate.json and executing the block can
 * check its post-state against it. It is not a mainnet state root (there is no mainnet world behind these accounts).
 * The beacon-roots system contract (EIP-4788) is absent from the prestate, so, as @ethereumjs does, its call is
 * skipped.
 */
import { createBlock, genTransactionsTrieRoot, type Block, type HeaderData } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import { createFeeMarket1559Tx, type FeeMarket1559Tx } from '@ethereumjs/tx';
import { Account, Address, KECCAK256_RLP, bytesToHex, hexToBytes } from '@ethereumjs/util';
import { createVM, runBlock, runTx, type RunBlockResult, type RunTxResult, type VM } from '@ethereumjs/vm';
import secp256k1 from 'secp256k1';
import { initCrypto, keccak256 } from '../chain/crypto.js';
import { PrescientError } from '../errors.js';
import { freezeEips, patchInterpreter } from '../exec/patches.js';
import type { Hex } from '../types.js';
import { makeRng } from './rng.js';
import { setupWorld, type GenWorld } from './setup.js';
import { cancunCommon, DEFAULT_BASE_FEE, DEFAULT_BLOCK_NUMBER, DEFAULT_COINBASE, DEFAULT_GAS_LIMIT, DEFAULT_TIMESTAMP, contextBlock, newStateManager, toAddress } from './vm.js';
import { planWorkload, WORKLOADS, type PlannedTx, type WorkloadName } from './workloads.js';

export interface GenerateOptions {
  workload?: WorkloadName;
  /** Number of transactions; default 100. */
  txs?: number;
  /** erc20: share of transfers paying the hot recipient (0..1); default 0. */
  hot?: number;
  /** erc20: share of transactions calling balanceOf(hot) instead (0..1); default 0. */
  hotReads?: number;
  /** AMM pairs (tokens = pairs + 1); default 3. */
  pairs?: number;
  /**
   * Sender accounts. Default: erc20 and amm one per transaction (at least 20, at most 1000), as on mainnet where most
   * transactions in a block come from distinct senders (same-sender transactions are serialised by their nonces);
   * mix half as many (20..200), since each mix user is set up with every contract.
   */
  users?: number;
  seed?: number | string;
  number?: bigint;
  timestamp?: bigint;
  baseFeePerGas?: bigint;
  coinbase?: Hex;
  /** Called after each phase (setup, sign, trace, prestate, execute) with its duration, for progress output. */
  onPhase?: (phase: string, ms: number) => void;
}

export interface TxExpectation {
  index: number;
  hash: Hex;
  kind: string;
  from: Hex;
  status: 'success' | 'revert';
  /** For designed reverts: why. */
  reason?: string;
  gasUsed: number;
}

/** What generation produced, besides the two files: addresses and per-transaction expectations, for tests and tools. */
export interface GenManifest {
  generator: 'prescient gen';
  options: { workload: WorkloadName; txs: number; hot: number; hotReads?: number; pairs: number; users: number; seed: number | string };
  contracts: {
    tokens: Hex[];
    weth: Hex;
    factory: Hex;
    router: Hex;
    pairs: { address: Hex; token0: Hex; token1: Hex }[];
    registry: Hex;
    vault: Hex;
    proxy: Hex;
    implementation: Hex;
  };
  users: Hex[];
  hot: Hex;
  transactions: TxExpectation[];
  notes: string[];
}

export interface GeneratedBlock {
  /** eth_getBlockByNumber(n, true) shape. */
  block: any;
  /** geth prestateTracer shape. */
  prestate: Record<string, PrestateJsonAccount>;
  manifest: GenManifest;
}

export interface PrestateJsonAccount {
  balance: Hex;
  nonce: number;
  code?: Hex;
  storage?: Record<Hex, Hex>;
}

const q = (n: bigint | number): Hex => `0x${BigInt(n).toString(16)}` as Hex;
const word = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString('hex').padStart(64, '0')}` as Hex;
const label = (s: string): Uint8Array => keccak256(new TextEncoder().encode(`prescient:${s}`));
/** Mainnet's terminal total difficulty: every post-merge block reports it. */
const MAINNET_TTD = '0xc70d815d562d3cfa955';

/**
 * Native secp256k1 signing in @ethereumjs's `ecsign` shape (65 bytes, recovery byte first): RFC 6979 deterministic,
 * so signatures are the same as the default JS signer's, ~10x faster.
 */
function nativeEcsign(msgHash: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const { signature, recid } = secp256k1.ecdsaSign(msgHash, privateKey);
  const out = new Uint8Array(65);
  out[0] = recid;
  out.set(signature, 1);
  return out;
}

function signingCommon(): Common {
  const c = cancunCommon();
  (c.customCrypto as any).ecsign = nativeEcsign;
  return c;
}

async function signAll(g: GenWorld, plan: PlannedTx[], common: Common, baseFee: bigint, seed: number | string): Promise<FeeMarket1559Tx[]> {
  const rng = makeRng(`${seed}:fees`);
  const nonces = new Map<number, bigint>();
  const out: FeeMarket1559Tx[] = [];
  for (const p of plan) {
    const key = g.users[p.sender]!;
    let nonce = nonces.get(p.sender);
    if (nonce === undefined) nonce = (await g.world.vm.stateManager.getAccount(toAddress(key.address)))?.nonce ?? 0n;
    nonces.set(p.sender, nonce + 1n);
    const tip = BigInt(rng.int(1, 30)) * 100_000_000n; // 0.1 .. 3 gwei
    const tx = createFeeMarket1559Tx(
      {
        chainId: 1n,
        nonce,
        maxPriorityFeePerGas: tip,
        maxFeePerGas: baseFee * 2n + tip,
        gasLimit: p.gasLimit,
        to: p.to ?? undefined,
        value: p.value,
        data: hexToBytes(p.data),
        accessList: [],
      },
      { common },
    ).sign(key.privateKey);
    out.push(tx);
  }
  return out;
}

/** Records every account and slot the state manager is asked about while `fn` runs. */
async function recordAccesses(vm: VM, fn: () => Promise<void>): Promise<Map<string, Set<string>>> {
  const sm = vm.stateManager as any;
  const touched = new Map<string, Set<string>>();
  const touch = (a: Address, key?: Uint8Array) => {
    const addr = a.toString().toLowerCase();
    let s = touched.get(addr);
    if (!s) touched.set(addr, (s = new Set()));
    if (key) s.add(word(key));
  };
  const names = ['getAccount', 'putAccount', 'deleteAccount', 'modifyAccountFields', 'getCode', 'getCodeSize', 'putCode', 'getStorage', 'putStorage', 'clearStorage'];
  const saved = new Map<string, unknown>();
  for (const name of names) {
    if (typeof sm[name] !== 'function') continue;
    const orig = sm[name];
    saved.set(name, Object.prototype.hasOwnProperty.call(sm, name) ? orig : undefined);
    const withKey = name === 'getStorage' || name === 'putStorage';
    sm[name] = function (this: unknown, a: Address, k?: unknown, ...rest: unknown[]) {
      touch(a, withKey ? (k as Uint8Array) : undefined);
      return orig.call(sm, a, k, ...rest);
    };
  }
  try {
    await fn();
  } finally {
    for (const [name, orig] of saved) {
      if (orig === undefined) delete sm[name];
      else sm[name] = orig;
    }
  }
  return touched;
}

async function dumpPrestate(vm: VM, touched: Map<string, Set<string>>): Promise<Record<string, PrestateJsonAccount>> {
  const out: Record<string, PrestateJsonAccount> = {};
  for (const addr of [...touched.keys()].sort()) {
    const a = toAddress(addr as Hex);
    const acct = await vm.stateManager.getAccount(a);
    if (!acct) continue; // did not exist before the block: absent is its prestate
    const entry: PrestateJsonAccount = { balance: q(acct.balance), nonce: Number(acct.nonce) };
    const code = await vm.stateManager.getCode(a);
    if (code.length > 0) entry.code = bytesToHex(code) as Hex;
    const slots = [...touched.get(addr)!].sort();
    if (slots.length > 0) {
      entry.storage = {};
      for (const s of slots) {
        const v = await vm.stateManager.getStorage(a, hexToBytes(s as Hex));
        // Zero-valued slots are kept (as prestateTracer does): the keys are the block's footprint.
        entry.storage[s as Hex] = word(v);
      }
    }
    out[addr] = entry;
  }
  return out;
}

/** A fresh VM holding exactly `prestate`. */
export async function vmFromPrestate(prestate: Record<string, PrestateJsonAccount>, common: Common = cancunCommon()): Promise<VM> {
  freezeEips(common);
  const vm = await createVM({ common, stateManager: newStateManager('merkle', common) });
  for (const [addr, acct] of Object.entries(prestate)) {
    const a = toAddress(addr as Hex);
    await vm.stateManager.putAccount(a, new Account(BigInt(acct.nonce), BigInt(acct.balance)));
    if (acct.code && acct.code !== '0x') await vm.stateManager.putCode(a, hexToBytes(acct.code));
    for (const [k, v] of Object.entries(acct.storage ?? {})) {
      // putStorage strips leading zeros itself; a zero value would delete, and absent is already zero.
      if (BigInt(v) !== 0n) await vm.stateManager.putStorage(a, hexToBytes(k as Hex), hexToBytes(v));
    }
  }
  // Flush the caches into the trie before anything runs: with @ethereumjs 10.1.3's caches, a block run on top of
  // unflushed puts produced a post-state root that disagreed with the (identical) account contents.
  await vm.stateManager.getStateRoot();
  return vm;
}

function run(vm: VM, block: Block): Promise<RunBlockResult> {
  return runBlock(vm, { block, generate: true, skipBlockValidation: true, skipHeaderValidation: true });
}

function txJson(tx: FeeMarket1559Tx, i: number, blockHash: Hex, number: bigint, baseFee: bigint): any {
  const effective = baseFee + (tx.maxPriorityFeePerGas < tx.maxFeePerGas - baseFee ? tx.maxPriorityFeePerGas : tx.maxFeePerGas - baseFee);
  return {
    blockHash,
    blockNumber: q(number),
    from: tx.getSenderAddress().toString().toLowerCase(),
    gas: q(tx.gasLimit),
    gasPrice: q(effective),
    maxFeePerGas: q(tx.maxFeePerGas),
    maxPriorityFeePerGas: q(tx.maxPriorityFeePerGas),
    hash: bytesToHex(tx.hash()),
    input: bytesToHex(tx.data),
    nonce: q(tx.nonce),
    to: tx.to ? tx.to.toString().toLowerCase() : null,
    transactionIndex: q(i),
    value: q(tx.value),
    type: '0x2',
    accessList: [],
    chainId: q(tx.chainId),
    v: q(tx.v!),
    r: q(tx.r!),
    s: q(tx.s!),
    yParity: q(tx.v!),
  };
}

function blockJson(block: Block, txs: FeeMarket1559Tx[]): any {
  const h = block.header;
  const hash = bytesToHex(block.hash()) as Hex;
  return {
    number: q(h.number),
    hash,
    parentHash: bytesToHex(h.parentHash),
    nonce: bytesToHex(h.nonce),
    sha3Uncles: bytesToHex(h.uncleHash),
    logsBloom: bytesToHex(h.logsBloom),
    transactionsRoot: bytesToHex(h.transactionsTrie),
    stateRoot: bytesToHex(h.stateRoot),
    receiptsRoot: bytesToHex(h.receiptTrie),
    miner: h.coinbase.toString().toLowerCase(),
    difficulty: q(h.difficulty),
    totalDifficulty: MAINNET_TTD,
    extraData: bytesToHex(h.extraData),
    size: q(block.serialize().length),
    gasLimit: q(h.gasLimit),
    gasUsed: q(h.gasUsed),
    timestamp: q(h.timestamp),
    mixHash: bytesToHex(h.mixHash),
    baseFeePerGas: q(h.baseFeePerGas!),
    withdrawalsRoot: bytesToHex(h.withdrawalsRoot!),
    blobGasUsed: q(h.blobGasUsed!),
    excessBlobGas: q(h.excessBlobGas!),
    parentBeaconBlockRoot: bytesToHex(h.parentBeaconBlockRoot!),
    uncles: [],
    withdrawals: [],
    transactions: txs.map((tx, i) => txJson(tx, i, hash, h.number, h.baseFeePerGas!)),
  };
}

/** The library checks what the CLI's option parser checks (src/gen/cli.ts), with the same ranges. */
function checkGenerateOptions(opts: GenerateOptions, workload: string): void {
  const bad = (name: string, why: string) => new PrescientError('BAD_OPTION', name, why);
  if (!WORKLOADS.includes(workload as WorkloadName)) throw bad('workload', `expected ${WORKLOADS.join(', ')}, got ${workload}`);
  const int = (name: string, v: number | undefined, lo: number, hi: number) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= lo && v <= hi)) throw bad(name, `expected an integer in ${lo}..${hi}, got ${v}`);
  };
  const share = (name: string, v: number | undefined, only: string[]) => {
    if (v === undefined) return;
    if (!(v >= 0 && v <= 1)) throw bad(name, `expected a number in 0..1, got ${v}`);
    if (!only.includes(workload)) throw bad(name, `applies to workload ${only.join(', ')} only, not ${workload}`);
  };
  int('txs', opts.txs, 1, 100_000);
  int('users', opts.users, 2, 10_000);
  int('pairs', opts.pairs, 1, 9);
  share('hot', opts.hot, ['erc20']);
  share('hotReads', opts.hotReads, ['erc20']);
}

/** Generates a block and its prestate (see the module comment). Deterministic for the same options. */
export async function generateBlock(opts: GenerateOptions = {}): Promise<GeneratedBlock> {
  const workload = opts.workload ?? 'erc20';
  checkGenerateOptions(opts, workload);
  const txCount = opts.txs ?? 100;
  const hot = opts.hot ?? 0;
  const pairs = opts.pairs ?? 3;
  const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
  const users = opts.users ?? (workload === 'mix' ? clamp(Math.ceil(txCount / 2), 20, 200) : clamp(txCount, 20, 1000));
  const seed = opts.seed ?? 1;
  const number = opts.number ?? DEFAULT_BLOCK_NUMBER;
  const timestamp = opts.timestamp ?? DEFAULT_TIMESTAMP;
  const baseFee = opts.baseFeePerGas ?? DEFAULT_BASE_FEE;
  const coinbase = opts.coinbase ?? DEFAULT_COINBASE;
  await initCrypto();
  // The executor's result-neutral speed-ups (cached jump-destination analysis, Set-based EIP checks): ~2x here.
  patchInterpreter();
  let last = Date.now();
  const phase = (name: string) => {
    const now = Date.now();
    opts.onPhase?.(name, now - last);
    last = now;
  };

  // The world is set up one slot (12 s) before the block; the pairs' and registry's timestamps come from there.
  const scope = workload === 'mix' ? 'full' : workload;
  const g = await setupWorld({ users, pairs, scope, block: { number: number - 1n, timestamp: timestamp - 12n, baseFeePerGas: baseFee, coinbase } });
  phase('setup');
  g.world.block = contextBlock(g.world.common, { number, timestamp, baseFeePerGas: baseFee, coinbase });
  freezeEips(g.world.common);
  const plan = planWorkload(workload, g, makeRng(`${seed}:${workload}`), { txs: txCount, hot, hotReads: opts.hotReads });
  const common = signingCommon();
  const txs = await signAll(g, plan, common, baseFee, seed);

  phase('sign');
  const gasLimit = plan.reduce((s, p) => s + p.gasLimit, 0n);
  const header: HeaderData = {
    parentHash: label(`parent:${seed}:${number}`),
    number,
    timestamp,
    gasLimit: gasLimit > DEFAULT_GAS_LIMIT ? gasLimit : DEFAULT_GAS_LIMIT,
    baseFeePerGas: baseFee,
    coinbase,
    difficulty: 0n,
    mixHash: label(`randao:${seed}:${number}`),
    nonce: new Uint8Array(8),
    extraData: new TextEncoder().encode('prescient gen'),
    withdrawalsRoot: KECCAK256_RLP,
    blobGasUsed: 0n,
    excessBlobGas: 0n,
    parentBeaconBlockRoot: label(`beacon:${seed}:${number}`),
    transactionsTrie: await genTransactionsTrieRoot(txs),
  };
  const draft = createBlock({ header, transactions: txs, withdrawals: [] }, { common, skipConsensusFormatValidation: true });

  // 1. Execute in the set-up world (transaction by transaction), recording what is touched; then roll back.
  const vm = g.world.vm;
  await vm.evm.journal.cleanup(); // forget setup's touched accounts: runTx's cleanup would visit them all
  await vm.stateManager.checkpoint();
  const first: RunTxResult[] = [];
  const touched = await recordAccesses(vm, async () => {
    for (const tx of txs) first.push(await runTx(vm, { tx, block: draft }));
  });
  await vm.stateManager.revert();
  phase('trace');
  const prestate = await dumpPrestate(vm, touched);
  phase('prestate');

  // 2. Execute the block again, in a fresh Merkle VM holding the dumped prestate alone: the prestate is complete iff
  //    every transaction gives the same status, gas and logs. This run also gives the header's roots.
  const fresh = await vmFromPrestate(prestate);
  const second = await run(fresh, draft);
  const transactions: TxExpectation[] = second.results.map((r, i) => {
    const p = plan[i]!;
    const failed = r.execResult.exceptionError !== undefined;
    const got = failed ? 'revert' : 'success';
    const a = first[i]!;
    if (a.totalGasSpent !== r.totalGasSpent || (a.execResult.exceptionError === undefined) !== !failed || (a.execResult.logs?.length ?? 0) !== (r.execResult.logs?.length ?? 0)) {
      throw new Error(`prestate incomplete: tx ${i} (${p.kind}) used ${r.totalGasSpent} gas (${got}) from the prestate, ${a.totalGasSpent} in the set-up world`);
    }
    const want = p.revert === null ? 'success' : 'revert';
    if (want !== got) {
      throw new Error(`generated tx ${i} (${p.kind}) ${failed ? `failed: ${r.execResult.exceptionError?.error}` : 'succeeded'}; expected ${want}`);
    }
    const e: TxExpectation = { index: i, hash: bytesToHex(txs[i]!.hash()) as Hex, kind: p.kind, from: g.users[p.sender]!.address, status: got, gasUsed: Number(r.totalGasSpent) };
    if (p.revert) e.reason = p.revert;
    return e;
  });

  phase('execute');
  const final = createBlock(
    {
      header: { ...header, gasUsed: second.gasUsed, receiptTrie: second.receiptsRoot, logsBloom: second.logsBloom, stateRoot: second.stateRoot },
      transactions: txs,
      withdrawals: [],
    },
    { common, skipConsensusFormatValidation: true },
  );

  const manifest: GenManifest = {
    generator: 'prescient gen',
    options: { workload, txs: txCount, hot, ...(opts.hotReads ? { hotReads: opts.hotReads } : {}), pairs, users, seed },
    contracts: {
      tokens: g.tokens,
      weth: g.weth,
      factory: g.factory,
      router: g.router,
      pairs: g.pairs,
      registry: g.registry,
      vault: g.vault,
      proxy: g.proxy,
      implementation: g.implementation,
    },
    users: g.users.map((u) => u.address),
    hot: g.hot,
    transactions,
    notes: [
      'stateRoot is the post-block root of the world prestate.json describes (not a mainnet root)',
      'prestate.json keeps zero-valued slots the block touches: its keys are the block footprint',
      'the beacon-roots contract (EIP-4788) is absent, so its system call is skipped',
      'accounts that do not exist before the block (fresh ETH recipients) are absent from prestate.json',
      'gasLimit is max(30M, sum of the transactions\' gas limits): large generated blocks exceed mainnet\'s limit',
    ],
  };
  return { block: blockJson(final, txs), prestate, manifest };
}
