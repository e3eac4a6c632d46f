/**
 * Values fixed before a transaction runs that the abstract EVM used to give up on: BLOCKHASH of an earlier block
 * (block_hashes.json holds it; the argument used to be dropped) and RETURNDATASIZE before the frame's first call (the
 * return data buffer of a new frame is empty, EIP-211: compilers and hand-written code use it as a cheap zero).
 * Fixtures: tiny hand-assembled contracts (bytecode below), analyzed by the real analyzer; and block 15537393 of
 * ../shared/data/mainnet, whose one transaction keys a mapping by blockhash(block.number - 1) + i.
 */
import { join } from 'node:path';
import type { Prestate } from '../src/chain/load.js';
import { loadBlockDir } from '../src/chain/load.js';
import { initCrypto } from '../src/chain/crypto.js';
import { bindTx, keccakWords, type BindContext, type BlockEnv, type TxInput } from '../src/hints/bind.js';
import { hintsForBlock } from '../src/hints/block.js';
import { AnalysisCache, stateView } from '../src/hints/context.js';
import { viewCallResolver } from '../src/hints/resolve.js';
import type { Hex } from '../src/types.js';
import { describeMainnet, MAINNET_DIR } from './helpers/shared.js';

const A = (n: number): Hex => ('0x' + n.toString(16).padStart(40, '0')) as Hex;
const C = A(0xc0de);
const ALICE = A(0xa11ce);
const PARENT_HASH = 0x2b3ea3cd4befcab070812443affb08bf17a91ce382c714a536ca3cacab82278bn;
const OLD_HASH = 0x1234n;

/** Opcodes used below. */
const op = { STOP: 0x00, ADD: 0x01, SUB: 0x03, SHA3: 0x20, CALLER: 0x33, RETURNDATASIZE: 0x3d, BLOCKHASH: 0x40, NUMBER: 0x43, POP: 0x50, MSTORE: 0x52, SSTORE: 0x55, GAS: 0x5a, CALL: 0xf1, PUSH1: 0x60 };
const P = (v: number) => (v < 256 ? [op.PUSH1, v] : [op.PUSH1 + 1, v >> 8, v & 0xff]);

/** sstore(keccak(blockhash(number - k) . 0x11), 1) for each k. */
function blockhashCode(ks: number[]): number[] {
  const out: number[] = [];
  for (const k of ks) {
    out.push(...P(k), op.NUMBER, op.SUB, op.BLOCKHASH, ...P(0), op.MSTORE);
    out.push(...P(0x11), ...P(0x20), op.MSTORE);
    out.push(...P(1), ...P(0x40), ...P(0), op.SHA3, op.SSTORE);
  }
  out.push(op.STOP);
  return out;
}

/** mstore(returndatasize(), caller); mstore(0x20, 5); sstore(keccak(returndatasize(), 0x40), 1): balances[msg.sender]. */
const rdsCode = (): number[] => [
  op.CALLER, op.RETURNDATASIZE, op.MSTORE, ...P(5), ...P(0x20), op.MSTORE, ...P(1), ...P(0x40), op.RETURNDATASIZE, op.SHA3, op.SSTORE, op.STOP,
];

/** The same after a call (to an account without code, which returns nothing; the analysis cannot know that). */
const rdsAfterCallCode = (): number[] => [
  ...P(0), ...P(0), ...P(0), ...P(0), ...P(0), ...P(0xee), op.GAS, op.CALL, op.POP, ...rdsCode(),
];

const env: BlockEnv = {
  number: 300n, timestamp: 1000n, coinbase: 0xc0n, gasLimit: 30_000_000n, baseFee: 7n, difficulty: 0n, chainId: 1n, hardfork: 'shanghai',
  blockHashes: new Map([[299n, ('0x' + PARENT_HASH.toString(16)) as Hex], [100n, ('0x' + OLD_HASH.toString(16).padStart(64, '0')) as Hex]]),
};

function bind(code: number[]) {
  const pre: Prestate = new Map();
  pre.set(C, { balance: 0n, nonce: 1n, code: Uint8Array.from(code), storage: new Map() });
  pre.set(ALICE, { balance: 10n ** 18n, nonce: 0n, code: new Uint8Array(0), storage: new Map() });
  const state = stateView(pre);
  const ctx: BindContext = { state, block: env, analysis: new AnalysisCache().provider, codeHash: (a) => state.codeHash(a) };
  const tx: TxInput = { index: 0, hash: ('0x' + '11'.repeat(32)) as Hex, from: ALICE, to: C, value: 0n, input: new Uint8Array(0), nonce: 0n, gasPrice: 10n };
  return bindTx(tx, ctx);
}
const writes = (b: ReturnType<typeof bind>) => [...(b.writes.get(C) ?? [])].sort();

describe('BLOCKHASH', () => {
  test('a key hashed from blockhash(number - 1) binds from block_hashes.json, and the transaction is complete', () => {
    const b = bind(blockhashCode([1]));
    expect(writes(b)).toEqual([keccakWords([PARENT_HASH, 0x11n])]);
    expect(b.complete).toBe(true);
  });

  test('the EVM rule: zero for this block and for blocks more than 256 back; a hash in range that the file lacks is unbound', () => {
    const b = bind(blockhashCode([0, 299, 200]));
    // number - 0 (this block) and number - 299 = 1 (more than 256 back) read zero; number - 200 = 100 is in range
    expect(writes(b)).toEqual([keccakWords([0n, 0x11n]), keccakWords([OLD_HASH, 0x11n])].sort());
    expect(b.complete).toBe(true);
    const missing = bind(blockhashCode([2]));
    expect(writes(missing)).toEqual([]);
    expect(missing.complete).toBe(false);
    expect(missing.diagnostics.map((d) => d.message).join('\n')).toMatch(/BLOCKHASH\(298\) not in block_hashes.json/);
  });
});

describe('RETURNDATASIZE', () => {
  test('before the frame\'s first call it is zero: a key stored at memory offset returndatasize() binds', () => {
    const b = bind(rdsCode());
    expect(writes(b)).toEqual([keccakWords([BigInt(ALICE), 5n])]);
    expect(b.complete).toBe(true);
  });

  test('after a call it is that call\'s return data size, not zero: the key is not taken as balances[caller]', () => {
    const b = bind(rdsAfterCallCode());
    expect(writes(b)).not.toContain(keccakWords([BigInt(ALICE), 5n]));
    expect(b.complete).toBe(false);
  });
});

describeMainnet('mainnet block 15537393 (a mapping keyed by blockhash(block.number - 1) + i)', () => {
  test('the keys of the loop rounds the analysis unrolled are predicted in both contracts', async () => {
    await initCrypto();
    const loaded = loadBlockDir(join(MAINNET_DIR, '15537393'));
    const cache = new AnalysisCache();
    const h = hintsForBlock(loaded, { analysis: cache.provider, resolveCall: viewCallResolver });
    const parent = BigInt(loaded.blockHashes.get(15537392n)!);
    const keys = (addr: string) => new Set(h.hints[0]!.accessList.find((e) => e.address === addr)?.storageKeys.map((k) => BigInt(k)) ?? []);
    for (const [addr, base] of [['0x30f7bf69d92828441f5a6bfcf818df25deb2c4b4', 0x11n], ['0x76d31201ae2acedcdfecd304cf955c3ca08a222d', 0x1n]] as const) {
      const got = keys(addr);
      for (let i = 0n; i < 3n; i++) expect(got.has(keccakWords([parent + i, base]))).toBe(true);
    }
    // The loop runs while gasleft() >= 30000: how often is not known before execution.
    expect(h.hints[0]!.complete).toBe(false);
  }, 60_000);
});
