/**
 * Test harness over the example contracts (examples/contracts), for the analyzer, hints and verify tests:
 *
 *   const ex = exampleContract('Token');                      // compiled once per machine (memo + disk cache)
 *   const g = await exampleWorld();                          // everything deployed and set up in an in-memory VM
 *   const t = await traceCall(g.world, { from, to: g.tokens[0], data: g.world.encode('Token', 'transfer', [to, 5]) });
 *   t.writes.get(g.tokens[0])                               // the slots really written (see trace.ts)
 *
 * plus independent slot arithmetic (mappingSlot, arraySlot) and ABI-driven random calldata for fuzzing.
 */
import { AbiCoder, Interface, ParamType, type FunctionFragment } from '@ethersproject/abi';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { Hex } from '../../src/types.js';
import { compileExamples, exampleContract, examplesDir, type ExampleContract } from '../../src/gen/examples.js';
import { setupWorld, type GenWorld, type SetupOptions } from '../../src/gen/setup.js';
import { makeRng, type Rng } from '../../src/gen/rng.js';
import { World, slotHex } from '../../src/gen/vm.js';
import { initCrypto } from '../../src/chain/crypto.js';

export { compileExamples, exampleContract, examplesDir, World, makeRng, slotHex };
export type { ExampleContract, GenWorld, Rng };
export { EIP1967_ADMIN_SLOT, EIP1967_IMPLEMENTATION_SLOT, ETHER, MAX_UINT } from '../../src/gen/setup.js';

/** Names of all example contracts with runtime code. */
export const EXAMPLE_NAMES = [
  'Token',
  'WETH',
  'Pair',
  'Factory',
  'Router',
  'Registry',
  'EIP1967Proxy',
  'CounterVaultImpl',
  'Vault',
] as const;
export type ExampleName = (typeof EXAMPLE_NAMES)[number];

/**
 * A fresh world with every example deployed and set up (src/gen/setup.ts): tokens minted and approved, pairs with
 * liquidity, deposits, registry records, the proxy initialised. Small by default (4 users, 2 pairs: ~0.5 s).
 */
export async function exampleWorld(opts: SetupOptions = {}): Promise<GenWorld> {
  await initCrypto();
  return setupWorld({ users: 4, pairs: 2, ...opts });
}

/** An empty Cancun world (nothing deployed): deploy with `world.deploy(name, args, { from })`. */
export async function emptyWorld(): Promise<World> {
  await initCrypto();
  return World.create();
}

// ---------------------------------------------------------------------------------------------------------------------
// Slot arithmetic, computed independently of the analyzer (plain keccak over 32-byte words)
// ---------------------------------------------------------------------------------------------------------------------

const word = (v: bigint | Hex | number): Uint8Array => {
  const n = typeof v === 'bigint' ? v : BigInt(v);
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex'));
};

/** keccak256 over the concatenation of 32-byte words, as a 0x word. */
export function keccakWords(...words: (bigint | Hex | number)[]): Hex {
  const buf = new Uint8Array(32 * words.length);
  words.forEach((w, i) => buf.set(word(w), 32 * i));
  return `0x${Buffer.from(keccak_256(buf)).toString('hex')}` as Hex;
}

/** Solidity's `mapping[key]` slot for a mapping at `base`: keccak(key . base). Keys: addresses, uints, bytes32. */
export function mappingSlot(key: bigint | Hex | number, base: bigint | Hex | number): Hex {
  return keccakWords(key, base);
}

/** `m[k1][k2]...` for nested mappings at `base`. */
export function nestedMappingSlot(base: bigint | Hex | number, ...keys: (bigint | Hex | number)[]): Hex {
  let slot: Hex = slotHex(BigInt(base));
  for (const k of keys) slot = mappingSlot(k, slot);
  return slot;
}

/** Element `index` of a dynamic array whose length is at `base` (elements of `wordsPerElement` slots). */
export function arraySlot(base: bigint | Hex | number, index: bigint | number, wordsPerElement = 1): Hex {
  return slotHex((BigInt(keccakWords(base)) + BigInt(index) * BigInt(wordsPerElement)) % (1n << 256n));
}

/** `slot + n`: a struct field. */
export function offsetSlot(slot: Hex | bigint, n: number): Hex {
  return slotHex((BigInt(slot) + BigInt(n)) % (1n << 256n));
}

// ---------------------------------------------------------------------------------------------------------------------
// Random calldata from an ABI, for fuzzing
// ---------------------------------------------------------------------------------------------------------------------

export interface FuzzOptions {
  /** Addresses to draw from, so that mapping keys collide across calls; default: 4 fixed accounts. */
  accounts?: Hex[];
  /** Probability of a huge integer (near 2^256, 2^255, 2^128, max) instead of a small one; default 0.1. */
  hugeChance?: number;
  /** Longest dynamic array generated; default 3. */
  maxArray?: number;
  /** Include view/pure functions; default true. */
  includeViews?: boolean;
}

/** Four fixed, distinct accounts: a small set so that fuzzed mapping keys collide. */
export const FUZZ_ACCOUNTS: Hex[] = [
  '0x1000000000000000000000000000000000000001',
  '0x2000000000000000000000000000000000000002',
  '0x3000000000000000000000000000000000000003',
  '0x4000000000000000000000000000000000000004',
];

const HUGE = [(1n << 256n) - 1n, 1n << 255n, (1n << 128n) - 1n, 1n << 128n, (1n << 112n) - 1n, (1n << 64n) + 1n];

/** A random value of ABI type `t` (ethers ParamType), as ethers accepts it for encoding. */
export function randomValue(t: ParamType, rng: Rng, opts: FuzzOptions = {}): unknown {
  const accounts = opts.accounts ?? FUZZ_ACCOUNTS;
  const hugeChance = opts.hugeChance ?? 0.1;
  const maxArray = opts.maxArray ?? 3;
  if (t.baseType === 'array') {
    const n = t.arrayLength >= 0 ? t.arrayLength : rng.int(0, maxArray);
    return Array.from({ length: n }, () => randomValue(t.arrayChildren, rng, opts));
  }
  if (t.baseType === 'tuple') return t.components.map((c) => randomValue(c, rng, opts));
  const type = t.type;
  if (type === 'address') return rng.chance(0.05) ? '0x0000000000000000000000000000000000000000' : rng.pick(accounts);
  if (type === 'bool') return rng.chance(0.5);
  if (type === 'string') {
    // Short strings live in their slot; 32+ bytes spill to keccak(slot): both layouts get exercised.
    return rng.chance(0.7) ? `s${rng.int(0, 999)}` : 'a long string that does not fit in one storage slot #' + rng.int(0, 99);
  }
  if (type === 'bytes') return `0x${Buffer.from(Array.from({ length: rng.int(0, 40) }, () => rng.int(0, 255))).toString('hex')}`;
  const fixedBytes = /^bytes(\d+)$/.exec(type);
  if (fixedBytes) return `0x${Buffer.from(Array.from({ length: Number(fixedBytes[1]) }, () => rng.int(0, 255))).toString('hex')}`;
  const int = /^(u?)int(\d*)$/.exec(type);
  if (int) {
    const bits = BigInt(int[2] || '256');
    const signed = int[1] === '';
    const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    let v = rng.chance(hugeChance) ? rng.pick(HUGE) : rng.big(0n, 1000n);
    if (v > max) v = max;
    return signed && rng.chance(0.2) ? -v : v;
  }
  throw new Error(`randomValue: unsupported ABI type ${type}`);
}

export interface RandomCall {
  /** `transfer(address,uint256)`. */
  signature: string;
  /** `0x` + 8 hex digits. */
  selector: Hex;
  args: unknown[];
  data: Hex;
  /** Wei to send: non-zero only for payable functions (sometimes). */
  value: bigint;
}

/** A random call to a random function of `abi` (or to `only`, a name or signature). */
export function randomCalldata(abi: any[], rng: Rng, opts: FuzzOptions & { only?: string } = {}): RandomCall {
  const iface = new Interface(abi);
  let fns: FunctionFragment[] = Object.values(iface.functions);
  if (opts.includeViews === false) fns = fns.filter((f) => f.stateMutability !== 'view' && f.stateMutability !== 'pure');
  if (opts.only !== undefined) fns = fns.filter((f) => f.name === opts.only || f.format('sighash') === opts.only);
  if (fns.length === 0) throw new Error('randomCalldata: no function to call');
  const f = rng.pick(fns);
  const args = f.inputs.map((p) => randomValue(p, rng, opts));
  const value = f.stateMutability === 'payable' && rng.chance(0.5) ? rng.big(1n, 10n ** 18n) : 0n;
  return { signature: f.format('sighash'), selector: iface.getSighash(f) as Hex, args, data: iface.encodeFunctionData(f, args) as Hex, value };
}

/** ABI-decodes return data of `fn` (for assertions on view calls). */
export function decodeResult(abi: any[], fn: string, data: Uint8Array): unknown[] {
  return [...new Interface(abi).decodeFunctionResult(fn, data)];
}

/** Plain ABI encoding of values (for hand-built calldata in tests). */
export function abiEncode(types: string[], values: unknown[]): Hex {
  return new AbiCoder().encode(types, values) as Hex;
}
