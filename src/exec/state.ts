/**
 * Committed world state as plain Maps: the main thread's state and every worker's base state are this structure,
 * built from the prestate and advanced only by applying committed write sets in block order.
 *
 * Empty accounts (no balance, nonce or code) are treated as absent: every block here is post-Spurious Dragon, where
 * the two are indistinguishable, and geth's prestateTracer lists accounts a block merely looks at as `balance: 0x0`.
 */
import type { Prestate } from '../chain/load.js';

export interface AccountState {
  exists: boolean;
  balance: bigint;
  nonce: bigint;
  code: Uint8Array;
  /** Bumped on every code change: code reads are validated by version (the code itself is never compared). */
  codeVersion: number;
  storage: Map<bigint, bigint>;
  /** keccak256(code), filled lazily. */
  codeHash?: Uint8Array;
  /** Root of `storage`, filled lazily and dropped whenever the storage changes (trie.ts). */
  storageRoot?: Uint8Array;
}

/** Keyed by lowercase 0x address. */
export type WorldState = Map<string, AccountState>;

/** What one transaction changed, in a form that crosses thread boundaries (codec.ts encodes it). */
export interface AccountWrite {
  /** Removed (SELFDESTRUCT or EIP-161 touched-empty cleanup); nothing else is set. */
  deleted?: true;
  /** Storage wiped before the slot writes below apply (contract creation over an address, re-creation). */
  cleared?: true;
  nonce?: bigint;
  balance?: bigint;
  /** A commutative credit on top of whatever the balance is when the write set commits. */
  delta?: bigint;
  code?: Uint8Array;
}

export interface WriteSet {
  accounts: Array<[string, AccountWrite]>;
  storage: Array<[string, Array<[bigint, bigint]>]>;
}

export function emptyAccount(): AccountState {
  return { exists: false, balance: 0n, nonce: 0n, code: new Uint8Array(0), codeVersion: 0, storage: new Map() };
}

export function stateFromPrestate(prestate: Prestate): WorldState {
  const s: WorldState = new Map();
  for (const [addr, a] of prestate) {
    const exists = a.balance !== 0n || a.nonce !== 0n || a.code.length > 0;
    // prestateTracer lists slots a block read even where they hold 0; storage holds no zeros (EIP-7610's "has storage",
    // the trie), so they are left out.
    const storage = new Map<bigint, bigint>();
    for (const [k, v] of a.storage) if (v !== 0n) storage.set(k, v);
    s.set(addr, { exists, balance: a.balance, nonce: a.nonce, code: a.code, codeVersion: 0, storage });
  }
  return s;
}

/** A deep copy (storage maps copied; code bytes shared, they are never mutated). */
export function cloneState(s: WorldState): WorldState {
  const out: WorldState = new Map();
  for (const [k, a] of s) out.set(k, { ...a, storage: new Map(a.storage), storageRoot: undefined });
  return out;
}

/** Apply one committed transaction's writes. `version` tags code changes (the transaction's index + 1). */
export function applyWrites(s: WorldState, w: WriteSet, version: number): void {
  for (const [addr, aw] of w.accounts) {
    let a = s.get(addr);
    if (a === undefined) {
      a = emptyAccount();
      s.set(addr, a);
    }
    if (aw.deleted) {
      a.exists = false;
      a.balance = 0n;
      a.nonce = 0n;
      if (a.code.length > 0) {
        a.code = new Uint8Array(0);
        a.codeHash = undefined;
        a.codeVersion = version;
      }
      a.storage = new Map();
      a.storageRoot = undefined;
      continue;
    }
    a.exists = true;
    if (aw.cleared) {
      a.storage = new Map();
      a.storageRoot = undefined;
    }
    if (aw.nonce !== undefined) a.nonce = aw.nonce;
    if (aw.balance !== undefined) a.balance = aw.balance;
    if (aw.delta !== undefined) a.balance += aw.delta;
    if (aw.code !== undefined) {
      a.code = aw.code;
      a.codeHash = undefined;
      a.codeVersion = version;
    }
  }
  for (const [addr, slots] of w.storage) {
    let a = s.get(addr);
    if (a === undefined) {
      a = emptyAccount();
      s.set(addr, a);
    }
    a.storageRoot = undefined;
    for (const [k, v] of slots) {
      if (v === 0n) a.storage.delete(k);
      else a.storage.set(k, v);
    }
  }
}

/** EIP-161: an account with no balance, nonce or code counts as absent. */
export function isEmptyAccount(a: AccountState | undefined): boolean {
  return a === undefined || !a.exists || (a.balance === 0n && a.nonce === 0n && a.code.length === 0);
}
