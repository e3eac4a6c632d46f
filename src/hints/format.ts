/**
 * Output shapes of `prescient hints`: EIP-2930 access lists ready to attach to a transaction, and the block-level
 * access list of EIP-7928.
 */
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import type { AccessListEntry, Hex, TxHints } from '../types.js';
import { isPrecompile, toAddr, toWordHex, type TxBinding, type TxInput } from './bind.js';

/** Can a transaction of `hardfork` carry an access list (Berlin and later)? */
export function accessListsApply(hardfork: string): boolean {
  try {
    return new Common({ chain: Mainnet, hardfork }).gteHardfork(Hardfork.Berlin);
  } catch {
    return false;
  }
}

/** Hardforks with EIP-3651 (warm coinbase). */
export const SHANGHAI_OR_LATER: ReadonlySet<string> = new Set(['shanghai', 'cancun', 'prague', 'osaka']);

/** EIP-2929/2930 gas: listing an address costs 2400 and saves 2500 on a cold one; a key costs 1900 and saves 2000. */
export const ACCESS_LIST_ADDRESS_COST = 2400;
export const ACCESS_LIST_KEY_COST = 1900;
/** Below this many keys, listing an address that is warm anyway (the recipient) costs more than it saves. */
export const WARM_ADDRESS_MIN_KEYS = Math.floor(ACCESS_LIST_ADDRESS_COST / (2000 - ACCESS_LIST_KEY_COST)) + 1;

/**
 * Which predicted entries an EIP-2930 list carries. A listed entry the transaction uses saves 100 gas; one it does not
 * use costs 1900 (a key) or 2400 (an address): a list pays off only where about 19 of every 20 entries are used.
 * - `pays` (default): entries with keys of a complete prediction (or one incomplete only for its assumptions, see
 *   `trusted`). Another incomplete prediction gets no list: over the 18 Berlin-and-later mainnet blocks its entries
 *   cost 1.3M gas more than they saved, even those of frames with no diagnostic. Nor does an address without keys (a
 *   call target or a balance read on a path the transaction may not take: at most 100 gas to gain, 2400 to lose).
 *   See ACCURACY.md, "Gas of the EIP-2930 lists".
 * - `all`: every predicted entry, e.g. to prefetch state (as `--json` gives it, less what EIP-2930 makes pointless).
 */
export type Eip2930Policy = 'pays' | 'all';

/**
 * A prediction whose entries are as likely to be used as a complete one's: complete, or incomplete only for assuming
 * earlier transactions' writes (rules/once-per-block.json), which leaves entries out and adds none. An entry left out
 * only forgoes 100 gas; an entry not used costs 1900 or more.
 */
function trusted(h: TxHints): boolean {
  return h.complete || (h.assumes !== undefined && h.diagnostics.every((d) => d.code === 'assumes-prior'));
}

/**
 * The EIP-2930 access list for one transaction, as eth_createAccessList would return it, without what EIP-2930 and
 * later forks make pointless: the sender and the precompiles (always warm), the coinbase after EIP-3651 (Shanghai),
 * and the recipient unless it has so many keys that listing it pays off (it is warm anyway: listing it costs 2400 gas
 * and each key saves only 100 net). Every key is 32-byte hex, every address lowercase. `policy`: see Eip2930Policy.
 */
export function eip2930List(h: TxHints, tx: Pick<TxInput, 'from' | 'to'>, hardfork: string, coinbase?: Hex, policy: Eip2930Policy = 'pays'): AccessListEntry[] {
  const out: AccessListEntry[] = [];
  if (policy === 'pays' && !trusted(h)) return out;
  for (const e of h.accessList) {
    const a = e.address.toLowerCase() as Hex;
    if (a === tx.from.toLowerCase()) continue;
    if (isPrecompile(a, hardfork)) continue;
    if (coinbase && a === coinbase.toLowerCase() && SHANGHAI_OR_LATER.has(hardfork) && e.storageKeys.length === 0) continue;
    if (tx.to && a === tx.to.toLowerCase() && e.storageKeys.length < WARM_ADDRESS_MIN_KEYS) continue;
    if (policy === 'pays' && e.storageKeys.length === 0) continue;
    out.push({ address: a, storageKeys: [...e.storageKeys] });
  }
  return out;
}

/** EIP-7928 block access list: per account, storage writes by transaction, reads, balance and nonce changes. */
export interface BalAccount {
  address: Hex;
  /** Slots written, with the transactions (block access index = tx index + 1) that may write them. */
  storageChanges: { slot: Hex; changes: { blockAccessIndex: number }[] }[];
  /** Slots read and not written anywhere in the block. */
  storageReads: Hex[];
  balanceChanges: { blockAccessIndex: number }[];
  nonceChanges: { blockAccessIndex: number }[];
  codeChanges: { blockAccessIndex: number }[];
}

export interface BlockAccessList {
  /** EIP-7928's shape; values (post-values) are not predicted without executing, so only indices are given. */
  schema: 'prescient/bal@1 (EIP-7928 shape, no post-values)';
  blockNumber: number;
  /**
   * False when some transaction's prediction is incomplete (the list may then miss entries), or when what happens
   * outside the transactions was not given or is not modelled (Prague's request contracts).
   */
  complete: boolean;
  accounts: BalAccount[];
}

/** What the block does outside its transactions (EIP-4788, EIP-2935 before them; withdrawals after them). */
export interface BlockSystemAccesses {
  hardfork: string;
  number: bigint;
  timestamp: bigint;
  /** The header carries parentBeaconBlockRoot (Cancun on): the beacon-roots contract stores it first. */
  beaconRoot: boolean;
  /** Withdrawal recipients and amounts (Shanghai on), credited after the last transaction. */
  withdrawals: { address: Hex; amount: bigint }[];
}

/** EIP-4788's beacon-roots contract and EIP-2935's history contract; both keep a ring of 8191 entries. */
export const BEACON_ROOTS_ADDRESS = '0x000f3df6d732807ef1319fb7b8bb8522d0beac02' as Hex;
export const HISTORY_STORAGE_ADDRESS = '0x0000f90827f1c53a10cb7a02335b175320002935' as Hex;
const RING = 8191n;

/** The system accesses of a block from its RPC header (`withdrawals`, `parentBeaconBlockRoot`). */
export function systemAccesses(header: Record<string, unknown>, number: bigint, timestamp: bigint, hardfork: string): BlockSystemAccesses {
  const ws = Array.isArray(header.withdrawals) ? (header.withdrawals as Array<{ address?: string; amount?: string }>) : [];
  return {
    hardfork,
    number,
    timestamp,
    beaconRoot: typeof header.parentBeaconBlockRoot === 'string',
    withdrawals: ws.map((w) => ({ address: String(w.address).toLowerCase() as Hex, amount: BigInt(w.amount ?? 0) })),
  };
}

export function blockAccessList(number: number, bindings: TxBinding[], coinbase?: Hex, system?: BlockSystemAccesses): BlockAccessList {
  const acc = new Map<Hex, { w: Map<bigint, Set<number>>; r: Set<bigint>; bal: Set<number>; nonce: Set<number>; code: Set<number> }>();
  const get = (a: Hex) => {
    let x = acc.get(a);
    if (!x) acc.set(a, (x = { w: new Map(), r: new Set(), bal: new Set(), nonce: new Set(), code: new Set() }));
    return x;
  };
  for (const b of bindings) {
    const i = b.index + 1;
    for (const [a, slots] of b.writes) {
      const x = get(a);
      for (const s of slots) {
        let t = x.w.get(s);
        if (!t) x.w.set(s, (t = new Set()));
        t.add(i);
      }
    }
    for (const [a, slots] of b.reads) for (const s of slots) get(a).r.add(s);
    for (const a of b.touched) get(a);
    for (const a of b.balanceWrites) get(a).bal.add(i);
    if (coinbase) get(coinbase).bal.add(i);
    for (const a of b.nonceWrites) get(a).nonce.add(i);
    if (b.codeWrites !== 'any') for (const a of b.codeWrites) get(a).code.add(i);
  }
  // Index 0 is before the first transaction, n + 1 after the last (EIP-7928).
  let systemComplete = true;
  if (system) {
    const put = (a: Hex, slot: bigint, i: number) => {
      const x = get(a);
      let t = x.w.get(slot);
      if (!t) x.w.set(slot, (t = new Set()));
      t.add(i);
    };
    if (system.beaconRoot) {
      put(BEACON_ROOTS_ADDRESS, system.timestamp % RING, 0);
      put(BEACON_ROOTS_ADDRESS, (system.timestamp % RING) + RING, 0);
    }
    const prague = ['prague', 'osaka'].includes(system.hardfork);
    if (prague && system.number > 0n) put(HISTORY_STORAGE_ADDRESS, (system.number - 1n) % RING, 0);
    const after = bindings.length + 1;
    for (const w of system.withdrawals) {
      const x = get(w.address);
      if (w.amount > 0n) x.bal.add(after);
    }
    // Prague's request contracts (EIP-7002, EIP-7251) run after the transactions too; their queues are not modelled.
    if (prague) systemComplete = false;
  }
  const idx = (s: Set<number>) => [...s].sort((x, y) => x - y).map((blockAccessIndex) => ({ blockAccessIndex }));
  const cmp = (x: bigint, y: bigint) => (x < y ? -1 : x > y ? 1 : 0);
  return {
    schema: 'prescient/bal@1 (EIP-7928 shape, no post-values)',
    blockNumber: number,
    complete: bindings.every((b) => b.complete) && systemComplete && system !== undefined,
    accounts: [...acc]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([address, x]) => ({
        address: toAddr(BigInt(address)),
        storageChanges: [...x.w].sort(([a], [b]) => cmp(a, b)).map(([slot, t]) => ({ slot: toWordHex(slot), changes: idx(t) })),
        storageReads: [...x.r].filter((s) => !x.w.has(s)).sort(cmp).map(toWordHex),
        balanceChanges: idx(x.bal),
        nonceChanges: idx(x.nonce),
        codeChanges: idx(x.code),
      })),
  };
}
