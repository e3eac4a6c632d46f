/**
 * Merkle-Patricia roots computed in one pass over sorted keys (no trie object, no database): the receipts root, the
 * per-account storage roots and the state root. Equivalent to @ethereumjs/mpt for key sets where no key is a prefix of
 * another, which holds for hashed keys (fixed length) and for RLP-encoded indices (RLP is prefix-free).
 */
import { keccak256 } from '../chain/crypto.js';
import { rlpEncode, type RlpItem } from './rlp.js';
import type { AccountState, WorldState } from './state.js';

type Node = RlpItem;

const EMPTY_ROOT = keccak256(rlpEncode(new Uint8Array(0)));

function toNibbles(key: Uint8Array): Uint8Array {
  const n = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    n[2 * i] = key[i]! >> 4;
    n[2 * i + 1] = key[i]! & 15;
  }
  return n;
}

function hexPrefix(nibbles: Uint8Array, from: number, to: number, leaf: boolean): Uint8Array {
  const len = to - from;
  const odd = len % 2 === 1;
  const out = new Uint8Array(1 + (len >> 1));
  const flag = (leaf ? 2 : 0) + (odd ? 1 : 0);
  let i = from;
  if (odd) {
    out[0] = (flag << 4) | nibbles[i++]!;
  } else {
    out[0] = flag << 4;
  }
  for (let j = 1; i < to; j++, i += 2) out[j] = (nibbles[i]! << 4) | nibbles[i + 1]!;
  return out;
}

/** A child reference: the node itself when its encoding is shorter than 32 bytes, else its hash. */
function ref(node: Node): Node {
  const enc = rlpEncode(node);
  return enc.length < 32 ? node : keccak256(enc);
}

function build(items: Array<[Uint8Array, Uint8Array]>, lo: number, hi: number, depth: number): Node {
  if (hi - lo === 1) {
    const [k, v] = items[lo]!;
    return [hexPrefix(k, depth, k.length, true), v];
  }
  const first = items[lo]![0];
  const last = items[hi - 1]![0];
  let cp = depth;
  while (cp < first.length && cp < last.length && first[cp] === last[cp]) cp++;
  if (cp > depth) return [hexPrefix(first, depth, cp, false), ref(build(items, lo, hi, cp))];
  const branch: Node[] = new Array(17).fill(new Uint8Array(0));
  let i = lo;
  while (i < hi) {
    const nib = items[i]![0][depth]!;
    let j = i + 1;
    while (j < hi && items[j]![0][depth] === nib) j++;
    branch[nib] = ref(build(items, i, j, depth + 1));
    i = j;
  }
  return branch;
}

function cmp(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** The root of a trie holding `entries` (raw keys, raw values); empty values must be left out by the caller. */
export function trieRoot(entries: Array<[Uint8Array, Uint8Array]>): Uint8Array {
  if (entries.length === 0) return EMPTY_ROOT;
  const items = entries.map(([k, v]) => [toNibbles(k), v] as [Uint8Array, Uint8Array]);
  items.sort((a, b) => cmp(a[0], b[0]));
  return keccak256(rlpEncode(build(items, 0, items.length, 0)));
}

/** Minimal big-endian bytes (empty for zero), as RLP wants integers. */
export function bigToBytes(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array(0);
  if (v <= MAX_SAFE) {
    // Small values (nonces, gas, indices, most balances below 2^53 wei) without a hex string.
    let x = Number(v);
    let n = 0;
    for (let y = x; y > 0; y = Math.floor(y / 256)) n++;
    const out = new Uint8Array(n);
    for (let i = n - 1; i >= 0; i--) {
      out[i] = x % 256;
      x = Math.floor(x / 256);
    }
    return out;
  }
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function bigTo32(v: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
}

export const KECCAK_EMPTY = keccak256(new Uint8Array(0));

export function codeHashOf(a: { code: Uint8Array; codeHash?: Uint8Array }): Uint8Array {
  if (a.codeHash === undefined) a.codeHash = a.code.length === 0 ? KECCAK_EMPTY : keccak256(a.code);
  return a.codeHash;
}

// Hashed trie keys are pure functions of the address / slot: cached across blocks (bounded).
const addrHashes = new Map<string, Uint8Array>();
const slotHashes = new Map<bigint, Uint8Array>();
const CACHE_LIMIT = 1_000_000;

function addrHash(a: string): Uint8Array {
  let h = addrHashes.get(a);
  if (h === undefined) {
    if (addrHashes.size > CACHE_LIMIT) addrHashes.clear();
    h = keccak256(Buffer.from(a.slice(2), 'hex'));
    addrHashes.set(a, h);
  }
  return h;
}

function slotHash(k: bigint): Uint8Array {
  let h = slotHashes.get(k);
  if (h === undefined) {
    if (slotHashes.size > CACHE_LIMIT) slotHashes.clear();
    h = keccak256(bigTo32(k));
    slotHashes.set(k, h);
  }
  return h;
}

function storageRootOf(a: AccountState): Uint8Array {
  if (a.storageRoot === undefined) {
    const slots: Array<[Uint8Array, Uint8Array]> = [];
    for (const [k, v] of a.storage) if (v !== 0n) slots.push([slotHash(k), rlpEncode(bigToBytes(v))]);
    a.storageRoot = trieRoot(slots);
  }
  return a.storageRoot;
}

/**
 * The state root over every existing account of `s` (partial: only the accounts and slots the state holds). Storage
 * roots are cached on the accounts until their storage changes, so calling this once while loading (a node has its
 * pre-state's trie) leaves only the block's changes to hash at the end.
 */
export function stateRoot(s: WorldState): Uint8Array {
  const entries: Array<[Uint8Array, Uint8Array]> = [];
  for (const [addr, a] of s) {
    if (!a.exists) continue;
    const body = rlpEncode([bigToBytes(a.nonce), bigToBytes(a.balance), storageRootOf(a), codeHashOf(a)]);
    entries.push([addrHash(addr), body]);
  }
  return trieRoot(entries);
}

/** The receipts root from encoded receipts in block order (key: RLP of the index). */
export function receiptsRoot(encoded: Uint8Array[]): Uint8Array {
  return trieRoot(encoded.map((e, i) => [rlpEncode(bigToBytes(BigInt(i))), e]));
}
