// src/gen: a generated block must stand on its own. block.json + prestate.json, fed to plain @ethereumjs/vm with
// nothing else, must reproduce the header's gasUsed, receiptsRoot, logsBloom (and stateRoot, which gen defines as the
// post-state root of the prestate world): that proves the prestate is complete.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBlockFromRPC } from '@ethereumjs/block';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { Account, bytesToHex, createAddressFromString, hexToBytes } from '@ethereumjs/util';
import { createVM, runBlock } from '@ethereumjs/vm';
import { PrescientError } from '../src/errors.js';
import { loadBlockDir } from '../src/chain/load.js';
import { commonFor } from '../src/chain/fork.js';
import { generateBlock, writeGeneratedBlock, type GenManifest } from '../src/gen/index.js';
import { genCommand, parseGenArgs } from '../src/gen/cli.js';
import { main } from '../src/cli/main.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'prescient-gen-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Re-executes a block folder with plain @ethereumjs (default MerkleStateManager, default JS crypto). */
async function reExecute(folder: string) {
  const blockJson = JSON.parse(readFileSync(join(folder, 'block.json'), 'utf8'));
  const prestate = JSON.parse(readFileSync(join(folder, 'prestate.json'), 'utf8'));
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });
  const vm = await createVM({ common });
  for (const [addr, acct] of Object.entries<any>(prestate)) {
    const a = createAddressFromString(addr);
    await vm.stateManager.putAccount(a, new Account(BigInt(acct.nonce), BigInt(acct.balance)));
    if (acct.code) await vm.stateManager.putCode(a, hexToBytes(acct.code));
    for (const [k, v] of Object.entries<string>(acct.storage ?? {})) {
      if (BigInt(v) !== 0n) await vm.stateManager.putStorage(a, hexToBytes(k as `0x${string}`), hexToBytes(v as `0x${string}`));
    }
  }
  const block = createBlockFromRPC(blockJson, [], { common });
  const result = await runBlock(vm, { block, generate: true, skipBlockValidation: true });
  return { blockJson, prestate, block, result };
}

describe('a generated mix block', () => {
  let manifest: GenManifest;
  let folder: string;
  beforeAll(async () => {
    folder = join(dir, 'mix');
    manifest = (await writeGeneratedBlock(folder, { workload: 'mix', txs: 50, seed: 5 })).manifest;
  });

  test('writes block.json, prestate.json and gen.json', () => {
    for (const f of ['block.json', 'prestate.json', 'gen.json']) expect(existsSync(join(folder, f))).toBe(true);
  });

  test('re-executes from block.json + prestate.json alone to the same header values', async () => {
    const { blockJson, block, result } = await reExecute(folder);
    expect(bytesToHex(block.hash())).toBe(blockJson.hash);
    expect(await block.transactionsTrieIsValid()).toBe(true);
    expect(await block.withdrawalsTrieIsValid()).toBe(true);
    expect(Number(result.gasUsed)).toBe(Number(blockJson.gasUsed));
    expect(bytesToHex(result.receiptsRoot)).toBe(blockJson.receiptsRoot);
    expect(bytesToHex(result.logsBloom)).toBe(blockJson.logsBloom);
    expect(bytesToHex(result.stateRoot)).toBe(blockJson.stateRoot);
    // Every transaction succeeds except the designed reverts (every 12th: indices 11, 23, 35, 47).
    const failed = result.results.flatMap((r, i) => (r.execResult.exceptionError ? [i] : []));
    expect(failed).toEqual([11, 23, 35, 47]);
    expect(manifest.transactions.filter((t) => t.status === 'revert').map((t) => t.index)).toEqual(failed);
    for (const t of manifest.transactions.filter((t) => t.status === 'revert')) expect(t.reason).toBeTruthy();
  });

  test('has the header and transaction fields of eth_getBlockByNumber(n, true), after Cancun', () => {
    const b = JSON.parse(readFileSync(join(folder, 'block.json'), 'utf8'));
    for (const f of ['number', 'hash', 'parentHash', 'timestamp', 'gasLimit', 'gasUsed', 'baseFeePerGas', 'miner', 'difficulty', 'mixHash', 'receiptsRoot', 'logsBloom', 'stateRoot', 'transactionsRoot', 'withdrawalsRoot', 'blobGasUsed', 'excessBlobGas', 'parentBeaconBlockRoot']) {
      expect(b[f]).toMatch(/^0x[0-9a-f]*$/);
    }
    expect(commonFor(BigInt(b.number), BigInt(b.timestamp)).hardfork()).toBe('cancun');
    expect(b.transactions).toHaveLength(50);
    for (const t of b.transactions) {
      for (const f of ['from', 'to', 'input', 'value', 'gas', 'gasPrice', 'maxFeePerGas', 'maxPriorityFeePerGas', 'nonce', 'chainId', 'v', 'r', 's', 'hash']) expect(typeof t[f]).toBe('string');
      expect(t.type).toBe('0x2');
      expect(t.chainId).toBe('0x1');
      expect(t.accessList).toEqual([]);
    }
    const kinds = new Set(manifest.transactions.map((t) => t.kind.split('.')[0]));
    for (const k of ['erc20', 'weth', 'amm', 'registry', 'vault', 'proxy', 'eth']) expect(kinds).toContain(k);
  });

  test('the prestate has every sender (with its nonce), the miner and the contracts called, and reads with src/chain', () => {
    const b = JSON.parse(readFileSync(join(folder, 'block.json'), 'utf8'));
    const pre = JSON.parse(readFileSync(join(folder, 'prestate.json'), 'utf8'));
    for (const t of b.transactions) {
      expect(pre[t.from]).toBeDefined();
      if (t.input !== '0x') expect(pre[t.to]?.code).toMatch(/^0x6080/);
    }
    expect(pre[b.miner]).toBeDefined();
    // The proxy's storage includes the EIP-1967 implementation slot.
    expect(pre[manifest.contracts.proxy].storage['0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc']).toBeDefined();
    const loaded = loadBlockDir(folder);
    expect(loaded.block.transactions).toHaveLength(50);
    expect(loaded.prestate.size).toBe(Object.keys(pre).length);
  });
});

test('erc20: deterministic for a seed; the hot knob routes transfers to one recipient', async () => {
  const a = await generateBlock({ workload: 'erc20', txs: 12, users: 6, seed: 9, hot: 1 });
  const b = await generateBlock({ workload: 'erc20', txs: 12, users: 6, seed: 9, hot: 1 });
  expect(b.block.hash).toBe(a.block.hash);
  expect(JSON.stringify(b.prestate)).toBe(JSON.stringify(a.prestate));
  const hot = a.manifest.hot.slice(2);
  expect(a.block.transactions.every((t: any) => t.input.startsWith('0xa9059cbb') && t.input.includes(hot))).toBe(true);
  const cold = await generateBlock({ workload: 'erc20', txs: 12, users: 6, seed: 9, hot: 0 });
  expect(cold.block.transactions.some((t: any) => t.input.includes(hot))).toBe(false);
  expect(cold.block.hash).not.toBe(a.block.hash);
});

test('erc20: the hot-reads knob puts balanceOf(hot) calls between the transfers; 0 leaves the block unchanged', async () => {
  const g = await generateBlock({ workload: 'erc20', txs: 40, users: 8, seed: 9, hot: 0.8, hotReads: 0.25 });
  const hot = g.manifest.hot.slice(2);
  const reads = g.manifest.transactions.filter((t) => t.kind === 'erc20.balanceOf');
  expect(reads.length).toBeGreaterThan(3);
  expect(reads.every((t) => t.status === 'success' && g.block.transactions[t.index].input.startsWith('0x70a08231') && g.block.transactions[t.index].input.includes(hot))).toBe(true);
  const none = await generateBlock({ workload: 'erc20', txs: 12, users: 6, seed: 9, hot: 1, hotReads: 0 });
  const base = await generateBlock({ workload: 'erc20', txs: 12, users: 6, seed: 9, hot: 1 });
  expect(none.block.hash).toBe(base.block.hash);
});

test('amm: swaps through the router over K pairs, all succeed, re-execution matches', async () => {
  const folder = join(dir, 'amm');
  const g = await writeGeneratedBlock(folder, { workload: 'amm', txs: 20, pairs: 2, users: 5, seed: 2 });
  expect(g.manifest.contracts.pairs).toHaveLength(2);
  expect(g.block.transactions.every((t: any) => t.to === g.manifest.contracts.router)).toBe(true);
  expect(g.manifest.transactions.every((t) => t.status === 'success')).toBe(true);
  const { result } = await reExecute(folder);
  expect(bytesToHex(result.receiptsRoot)).toBe(g.block.receiptsRoot);
});

describe('gen CLI', () => {
  test('writes a folder', async () => {
    const out = join(dir, 'cli');
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await genCommand(['--workload', 'erc20', '--txs', '5', '--users', '3', '--seed', 'abc', `--out=${out}`])).toBe(0);
    } finally {
      write.mockRestore();
    }
    expect(JSON.parse(readFileSync(join(out, 'block.json'), 'utf8')).transactions).toHaveLength(5);
  });

  test('parses and rejects options', () => {
    expect(parseGenArgs(['--workload', 'amm', '--txs', '7', '--pairs', '2', '--seed', '3', '--out', 'x']).opts).toEqual({ workload: 'amm', txs: 7, pairs: 2, seed: 3 });
    expect(parseGenArgs(['--hot', '0.5', '--hot-reads', '0.1']).opts).toEqual({ hot: 0.5, hotReads: 0.1 });
    for (const bad of [['--workload', 'nft'], ['--txs', 'many'], ['--hot', '2'], ['--pairs', '0'], ['--bogus'], ['--txs']]) {
      expect(() => parseGenArgs(bad)).toThrow(PrescientError);
    }
    expect(() => parseGenArgs(['--hot', '1.5'])).toThrow(/--hot: expected a number in 0..1/);
  });

  test('an option the chosen workload does not use is refused, not recorded as if it shaped the block', () => {
    expect(() => parseGenArgs(['--workload', 'amm', '--hot', '0.5'])).toThrow(/^--hot: applies to --workload erc20 only, not amm$/);
    expect(() => parseGenArgs(['--workload', 'mix', '--hot-reads', '0.1'])).toThrow(/^--hot-reads: applies to --workload erc20 only, not mix$/);
    expect(() => parseGenArgs(['--pairs', '2'])).toThrow(/^--pairs: applies to --workload amm or mix only, not erc20 \(the default\)$/);
    expect(parseGenArgs(['--workload', 'mix', '--pairs', '2']).opts).toEqual({ workload: 'mix', pairs: 2 });
  });

  test('prescient gen with a bad option: one line on stderr, exit code 1', async () => {
    const err: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: any) => (err.push(String(s)), true));
    try {
      expect(await main(['gen', '--workload', 'nft'])).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(err.join('')).toBe("prescient: --workload: expected one of erc20, amm, mix, got 'nft'\n");
  });
});
