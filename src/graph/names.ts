/**
 * Naming the state that serializes a block: contracts by name (the analysis's, else the interface their selectors
 * implement: a contract with swap/getReserves/token0 is "UniswapV2Pair-like"), slots by variable where a storage
 * layout is known (the analysis's storageLayout, or the canonical layout of a well-known contract family), mapping
 * entries by finding the key among the values the block's transactions carry (senders, recipients, calldata words):
 * `WETH9-like(0xc02a…).balanceOf[0x7a25…]`. Anything else stays hex.
 */
import { knownSlot } from '../../rules/index.js';
import { keccak256 } from '../chain/crypto.js';
import { selectorOf } from '../util/keccak.js';
import type { Hex, StorageVariable } from '../types.js';
import { splitKey, type StateKey } from './graph.js';

/** A contract family recognised by the selectors it implements, with its canonical layout where there is one. */
interface Family {
  name: string;
  needs: string[];
  /** slot number -> variable name (packed variables joined with '/'). */
  layout?: Record<number, string>;
  /** Fixed-size arrays of one-slot elements: slots [slot, slot + length). */
  fixedArrays?: { slot: number; length: number; name: string }[];
  /**
   * Getters and the slot each reads in the canonical layout: the layout is used only when the code confirms every one
   * (a contract with the same interface and another layout, e.g. this project's own AMM example, keeps hex names).
   */
  checks?: Record<string, number>;
}

const UNI_V2_ERC20: Record<number, string> = { 0: 'totalSupply', 1: 'balanceOf', 2: 'allowance', 3: 'DOMAIN_SEPARATOR', 4: 'nonces' };

// Order matters: the first family whose selectors are all present names the contract.
const FAMILIES: Family[] = [
  {
    name: 'UniswapV2Pair',
    needs: ['getReserves()', 'swap(uint256,uint256,address,bytes)', 'token0()', 'sync()'],
    layout: {
      ...UNI_V2_ERC20,
      5: 'factory',
      6: 'token0',
      7: 'token1',
      8: 'reserve0/reserve1/blockTimestampLast',
      9: 'price0CumulativeLast',
      10: 'price1CumulativeLast',
      11: 'kLast',
      12: 'unlocked',
    },
    checks: { 'factory()': 5, 'token0()': 6, 'token1()': 7, 'getReserves()': 8, 'kLast()': 11 },
  },
  {
    name: 'UniswapV3Pool',
    needs: ['slot0()', 'swap(address,bool,int256,uint160,bytes)', 'liquidity()'],
    layout: { 0: 'slot0', 1: 'feeGrowthGlobal0X128', 2: 'feeGrowthGlobal1X128', 3: 'protocolFees', 4: 'liquidity', 5: 'ticks', 6: 'tickBitmap', 7: 'positions', 8: 'observations' },
    fixedArrays: [{ slot: 8, length: 65535, name: 'observations' }],
    checks: { 'slot0()': 0, 'feeGrowthGlobal0X128()': 1, 'liquidity()': 4 },
  },
  { name: 'UniswapV2Router', needs: ['swapExactTokensForTokens(uint256,uint256,address[],address,uint256)', 'WETH()'] },
  { name: 'UniswapV3Router', needs: ['exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))'] },
  { name: 'SwapRouter02', needs: ['exactInputSingle((address,address,uint24,address,uint256,uint256,uint160))'] },
  { name: 'UniversalRouter', needs: ['execute(bytes,bytes[],uint256)'] },
  {
    name: 'WETH9',
    needs: ['deposit()', 'withdraw(uint256)', 'transfer(address,uint256)', 'balanceOf(address)'],
    layout: { 0: 'name', 1: 'symbol', 2: 'decimals', 3: 'balanceOf', 4: 'allowance' },
    checks: { 'balanceOf(address)': 3, 'allowance(address,address)': 4 },
  },
  { name: 'ERC721', needs: ['ownerOf(uint256)', 'safeTransferFrom(address,address,uint256)', 'setApprovalForAll(address,bool)'] },
  { name: 'ERC1155', needs: ['safeTransferFrom(address,address,uint256,uint256,bytes)', 'balanceOfBatch(address[],uint256[])'] },
  { name: 'ERC20', needs: ['transfer(address,uint256)', 'transferFrom(address,address,uint256)', 'balanceOf(address)', 'approve(address,uint256)'] },
];
const FAMILY_SELECTORS = FAMILIES.map((f) => ({ ...f, sels: f.needs.map(selectorOf) }));

export interface ContractInfo {
  /** e.g. `UniswapV2Pair-like`, a name from the analysis, or null. */
  label: string | null;
  /** slot number -> variable name. */
  layout: Map<bigint, string> | null;
  fixedArrays?: { slot: number; length: number; name: string }[];
}

export function familyOf(selectors: Iterable<string>): Family | null {
  const s = new Set([...selectors].map((x) => x.toLowerCase()));
  for (const f of FAMILY_SELECTORS) if (f.sels.every((x) => s.has(x))) return f;
  return null;
}

/**
 * Contract label and layout from an analysis name/layout or from the selectors the code dispatches on. `reads`: the
 * base slots (constant slots, mapping and array bases) a function reads, or null when unknown; a family's canonical
 * layout needs it to confirm the family's getter checks.
 */
export function contractInfo(opts: {
  name?: string | null;
  storageLayout?: StorageVariable[] | null;
  selectors?: Iterable<string> | null;
  reads?: (selector: string) => bigint[] | null;
}): ContractInfo {
  let layout: Map<bigint, string> | null = null;
  if (opts.storageLayout?.length) {
    layout = new Map();
    for (const v of opts.storageLayout) {
      const k = BigInt(v.slot);
      layout.set(k, layout.has(k) ? `${layout.get(k)}/${v.label}` : v.label);
    }
  }
  const fam = opts.selectors ? familyOf(opts.selectors) : null;
  if (!layout && fam?.layout && confirmed(fam, opts.reads)) layout = new Map(Object.entries(fam.layout).map(([k, v]) => [BigInt(k), v]));
  const label = opts.name ?? (fam ? `${fam.name}-like` : null);
  return { label, layout, ...(fam?.fixedArrays && layout && !opts.storageLayout?.length ? { fixedArrays: fam.fixedArrays } : {}) };
}

function confirmed(fam: Family, reads: ((selector: string) => bigint[] | null) | undefined): boolean {
  if (!fam.checks) return true;
  if (!reads) return false;
  return Object.entries(fam.checks).every(([sig, slot]) => reads(selectorOf(sig))?.includes(BigInt(slot)) === true);
}

const shortAddr = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;
const shortWord = (v: bigint) => (v < 1n << 160n && v >= 1n << 100n ? shortAddr('0x' + v.toString(16).padStart(40, '0')) : v < 1n << 64n ? '0x' + v.toString(16) : '0x' + v.toString(16).slice(0, 8) + '…');

function wordBytes(v: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
}
function hashWords(...ws: bigint[]): bigint {
  const b = new Uint8Array(32 * ws.length);
  ws.forEach((w, i) => b.set(wordBytes(w), 32 * i));
  return BigInt('0x' + Buffer.from(keccak256(b)).toString('hex'));
}

/** Mapping and array slots the namer tries: base slots 0..MAX_BASE-1 (and every slot of a known layout). */
export const MAX_BASE = 32;
/** Array elements past keccak(base) recognised up to this index. */
const MAX_INDEX = 1n << 20n;

/**
 * Names state keys. `keys` are candidate mapping keys (addresses and words the block's transactions carry): a slot
 * keccak(key . base), keccak(key2 . keccak(key1 . base)) (nested, keys from `pairs`) or keccak(base) + i is named
 * `var[key]`, `var[key1][key2]`, `var[i]`.
 */
export class StateNamer {
  private readonly oneLevel = new Map<bigint, { key: bigint; base: bigint }>();
  private readonly arrays = new Map<bigint, bigint>();
  private readonly cache = new Map<StateKey, string>();

  constructor(
    private readonly info: (address: Hex) => ContractInfo,
    keys: Iterable<bigint> = [],
    private readonly pairs: Iterable<[bigint, bigint]> = [],
  ) {
    const bases: bigint[] = [];
    for (let i = 0n; i < BigInt(MAX_BASE); i++) bases.push(i);
    for (const b of bases) this.arrays.set(hashWords(b), b);
    // The hot loop of naming (keys x bases hashes): bytes built once per key and base.
    const baseBytes = bases.map(wordBytes);
    const buf = new Uint8Array(64);
    for (const k of new Set(keys)) {
      buf.set(wordBytes(k), 0);
      bases.forEach((b, i) => {
        buf.set(baseBytes[i]!, 32);
        this.oneLevel.set(BigInt('0x' + Buffer.from(keccak256(buf)).toString('hex')), { key: k, base: b });
      });
    }
  }

  private nested: Map<bigint, { k1: bigint; k2: bigint; base: bigint }> | null = null;
  private nestedMap(): Map<bigint, { k1: bigint; k2: bigint; base: bigint }> {
    if (this.nested) return this.nested;
    this.nested = new Map();
    for (const [k1, k2] of this.pairs) {
      for (let b = 0n; b < 16n; b++) {
        const inner = hashWords(k1, b);
        this.nested.set(hashWords(k2, inner), { k1, k2, base: b });
      }
    }
    return this.nested;
  }

  contract(address: Hex): string {
    const l = this.info(address).label;
    return l ? `${l}(${shortAddr(address)})` : address;
  }

  /** The variable part of a storage slot's name, e.g. `balanceOf[0x7a25…]`, `slot 0x8`, `EIP-1967 implementation`. */
  variable(address: Hex, slot: bigint): string {
    const layout = this.info(address).layout;
    const v = (b: bigint) => layout?.get(b) ?? `mapping@0x${b.toString(16)}`;
    if (slot < 1n << 32n) {
      const named = layout?.get(slot);
      if (named && !this.info(address).fixedArrays?.some((f) => BigInt(f.slot) === slot)) return named;
      for (const f of this.info(address).fixedArrays ?? []) {
        if (slot >= BigInt(f.slot) && slot < BigInt(f.slot + f.length)) return `${f.name}[${slot - BigInt(f.slot)}]`;
      }
      return named ?? `slot 0x${slot.toString(16)}`;
    }
    const known = knownSlot(slot);
    if (known) return known.effect.label;
    const m = this.oneLevel.get(slot);
    if (m) return `${v(m.base)}[${shortWord(m.key)}]`;
    for (let off = 0n; off < 4n; off++) {
      const s = this.oneLevel.get(slot - off);
      if (s && off > 0n) return `${v(s.base)}[${shortWord(s.key)}]+${off}`;
    }
    const n = this.nestedMap().get(slot);
    if (n) return `${v(n.base)}[${shortWord(n.k1)}][${shortWord(n.k2)}]`;
    for (const [h, b] of this.arrays) {
      const d = slot - h;
      if (d >= 0n && d < MAX_INDEX) return `${v(b)}[${d}]`;
    }
    return `slot ${'0x' + slot.toString(16).padStart(64, '0')}`;
  }

  name(k: StateKey): string {
    const c = this.cache.get(k);
    if (c !== undefined) return c;
    const { address, field } = splitKey(k);
    let out: string;
    if (field === 'balance') out = `ETH balance of ${this.contract(address)}`;
    else if (field === 'nonce') out = `nonce of ${this.contract(address)}`;
    else out = `${this.contract(address)}.${this.variable(address, BigInt(field))}`;
    this.cache.set(k, out);
    return out;
  }
}

/** Calldata words after the selector, as candidate mapping keys. */
export function calldataWords(input: string, max = 16): bigint[] {
  const h = input.replace(/^0x/, '');
  const out: bigint[] = [];
  for (let o = 8; o + 64 <= h.length && out.length < max; o += 64) {
    const w = BigInt('0x' + h.slice(o, o + 64));
    if (w !== 0n) out.push(w);
  }
  return out;
}
