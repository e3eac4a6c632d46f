/**
 * What attaching an EIP-2930 access list does to a transaction's gas, from its trace, without executing it again
 * (EIP-2929 / EIP-2930, Berlin and later). A listed address costs 2400 and saves 2500 (a cold account access, 2600,
 * becomes a warm one, 100) if the transaction accesses it and it is not warm anyway (sender, recipient or created
 * contract, precompiles, the coinbase after EIP-3651). A listed key costs 1900 and saves 2000 if the transaction
 * reads or writes the slot (a cold SLOAD, 2100, becomes 100). A slot whose first access is an SSTORE saves 2100 (its
 * cold surcharge); traces do not tell the two apart, so the saving counted is at most 100 gas per such key too low.
 * So a listed entry the transaction uses saves 100 gas and one it does not use costs 1900 or 2400: an access list
 * pays off only if about 19 of every 20 entries are used.
 */
import { ACCESS_LIST_ADDRESS_COST, ACCESS_LIST_KEY_COST, SHANGHAI_OR_LATER, WARM_ADDRESS_MIN_KEYS } from '../hints/format.js';
export { accessListsApply } from '../hints/format.js';
import { createAddress, isPrecompile } from '../hints/bind.js';
import type { AccessListEntry, Hex, TxTrace } from '../types.js';

const COLD_ACCOUNT_SAVING = 2500;
const COLD_SLOT_SAVING = 2000;

export interface AccessListGas {
  /** Gas the list adds to the intrinsic cost. */
  cost: number;
  /** Gas the warm accesses save during execution. */
  saved: number;
  /** cost - saved: negative when the list saves gas. */
  net: number;
  addresses: number;
  keys: number;
  /** Listed entries the transaction did not use (each costs without saving). */
  unusedAddresses: number;
  unusedKeys: number;
}

/** Addresses warm from the start of a transaction (EIP-2929, EIP-3651), whatever its access list says. */
export function warmAddresses(tx: { from: string; to?: string | null; nonce: string | number | bigint }, hardfork: string, coinbase: string): Set<string> {
  const from = tx.from.toLowerCase() as Hex;
  const w = new Set<string>([from, (tx.to ? tx.to : createAddress(from, BigInt(tx.nonce))).toLowerCase()]);
  if (SHANGHAI_OR_LATER.has(hardfork)) w.add(coinbase.toLowerCase());
  return w;
}

/** What the transaction accessed, by its trace: accounts and `address:slot` keys, lowercase. */
export function accessedBy(t: TxTrace): { accounts: Set<string>; slots: Set<string> } {
  const slots = new Set<string>();
  const accounts = new Set<string>((t.accounts ?? []).map((a) => a.toLowerCase()));
  for (const e of [...t.reads, ...t.writes]) {
    const a = e.address.toLowerCase();
    if (e.storageKeys.length > 0) accounts.add(a);
    for (const k of e.storageKeys) slots.add(`${a}:${k.toLowerCase()}`);
  }
  for (const a of [...t.balanceReads, ...t.balanceWrites]) accounts.add(a.toLowerCase());
  return { accounts, slots };
}

/** The gas effect of attaching `list` to the transaction traced as `t`. */
export function accessListGas(list: AccessListEntry[], t: TxTrace, warm: ReadonlySet<string>, hardfork: string): AccessListGas {
  const used = accessedBy(t);
  const g: AccessListGas = { cost: 0, saved: 0, net: 0, addresses: 0, keys: 0, unusedAddresses: 0, unusedKeys: 0 };
  for (const e of list) {
    const a = e.address.toLowerCase();
    g.addresses++;
    g.cost += ACCESS_LIST_ADDRESS_COST;
    if (!used.accounts.has(a)) g.unusedAddresses++;
    else if (!warm.has(a) && !isPrecompile(a as Hex, hardfork)) g.saved += COLD_ACCOUNT_SAVING;
    for (const k of new Set(e.storageKeys.map((x) => x.toLowerCase()))) {
      g.keys++;
      g.cost += ACCESS_LIST_KEY_COST;
      if (used.slots.has(`${a}:${k}`)) g.saved += COLD_SLOT_SAVING;
      else g.unusedKeys++;
    }
  }
  g.net = g.cost - g.saved;
  return g;
}

/**
 * The best list for the transaction traced as `t`, knowing what it accessed (what eth_createAccessList finds by
 * executing it): every accessed address that is not warm anyway, with its accessed keys; a warm one only where its
 * keys pay for the address entry.
 */
export function tracedAccessList(t: TxTrace, warm: ReadonlySet<string>, hardfork: string): AccessListEntry[] {
  const used = accessedBy(t);
  const keys = new Map<string, Hex[]>();
  for (const a of used.accounts) keys.set(a, []);
  for (const s of used.slots) {
    const [a, k] = s.split(':') as [string, Hex];
    keys.get(a)!.push(k);
  }
  const out: AccessListEntry[] = [];
  for (const [a, ks] of keys) {
    if (isPrecompile(a as Hex, hardfork)) continue;
    if (warm.has(a) && ks.length < WARM_ADDRESS_MIN_KEYS) continue;
    out.push({ address: a as Hex, storageKeys: ks.sort() });
  }
  return out;
}
