/**
 * Rules are data (rules/*.json): each has an id, a match and an effect. This module only interprets them; results
 * carry the ids of the rules that fired (FunctionFootprint.rules).
 */
import type { FunctionFootprint, Key, KeyOrigin, Slot, StorageAccess } from '../src/types.js';
import { selectorOf } from '../src/util/keccak.js';
import commutative from './commutative.json';
import interfaces from './interfaces.json';
import knownSlots from './known-slots.json';
import oncePerBlock from './once-per-block.json';

interface KeyMatch {
  origin: KeyOrigin;
  arg?: number;
}

export interface KnownSlotRule {
  id: string;
  match: { slot: string };
  effect: { label: string; role: string };
}
export interface CommutativeRule {
  id: string;
  /** `codeHash`: only for this runtime code; without it the rule can only confirm a delta the analysis proved. */
  match: { selector: string; key: KeyMatch; codeHash?: string };
  effect: { delta: 'add' | 'sub' };
}
export interface InterfaceRule {
  id: string;
  match: { signature: string };
  effect: { expect?: { writes: KeyMatch[] } };
}

export interface OncePerBlockRule {
  id: string;
  match: { codeHash: string[] };
  effect: { clock: string; slots: string[] };
}

export const KNOWN_SLOTS: readonly KnownSlotRule[] = knownSlots.rules;
export const ONCE_PER_BLOCK: readonly OncePerBlockRule[] = oncePerBlock.rules;
export const COMMUTATIVE: readonly CommutativeRule[] = commutative.rules as CommutativeRule[];
export const INTERFACES: readonly (InterfaceRule & { selector: string })[] = (interfaces.rules as InterfaceRule[]).map((r) => ({ ...r, selector: selectorOf(r.match.signature) }));

const slotRules = new Map(KNOWN_SLOTS.map((r) => [BigInt(r.match.slot), r]));
const bySelector = new Map<string, (InterfaceRule & { selector: string })[]>();
for (const r of INTERFACES) bySelector.set(r.selector, [...(bySelector.get(r.selector) ?? []), r]);

/** A once-per-block rule with its slots as numbers. */
export interface OncePerBlock {
  id: string;
  clock: bigint;
  slots: bigint[];
}

const onceByCode = new Map<string, OncePerBlock>();
for (const r of ONCE_PER_BLOCK) {
  for (const h of r.match.codeHash) onceByCode.set(h.toLowerCase(), { id: r.id, clock: BigInt(r.effect.clock), slots: r.effect.slots.map((x) => BigInt(x)) });
}

/** The once-per-block rule for runtime code with this hash (rules/once-per-block.json), or null. */
export function oncePerBlockRule(codeHash: string): OncePerBlock | null {
  return onceByCode.get(codeHash.toLowerCase()) ?? null;
}

/** The well-known signature of a selector, when the interface rules list exactly one. */
export function knownSignature(selector: string): string | null {
  const rs = bySelector.get(selector);
  return rs && rs.length === 1 ? rs[0]!.match.signature : null;
}

export function knownSlot(slot: bigint): KnownSlotRule | null {
  return slotRules.get(slot) ?? null;
}

const keyMatches = (k: Key, m: KeyMatch): boolean => k.origin === m.origin && (m.arg === undefined || k.arg === m.arg);

/** Mapping keys from the outermost level inwards: `allowance[a][b]` gives [b, a]. */
function mappingKeys(slot: Slot): Key[] {
  const keys: Key[] = [];
  for (let s: Slot = slot; s.kind === 'mapping' || s.kind === 'offset'; s = s.base) if (s.kind === 'mapping') keys.push(s.key);
  return keys;
}

function labelKnownSlots(acc: StorageAccess, fired: Set<string>): void {
  if (acc.slot.kind !== 'const') return;
  const r = knownSlot(BigInt(acc.slot.slot));
  if (!r) return;
  fired.add(r.id);
  acc.text = `${r.effect.label} (${acc.slot.slot.slice(0, 10)}…)`;
}

/** Apply every rule to one footprint of the code with hash `codeHash`, in place. */
export function applyRules(fp: FunctionFootprint, hasDelegation: boolean, codeHash: string): void {
  const fired = new Set(fp.rules);
  for (const a of fp.reads) labelKnownSlots(a, fired);
  for (const a of fp.writes) labelKnownSlots(a, fired);

  for (const r of COMMUTATIVE) {
    if (r.match.selector !== fp.selector) continue;
    const known = r.match.codeHash !== undefined && r.match.codeHash.toLowerCase() === codeHash.toLowerCase();
    if (r.match.codeHash !== undefined && !known) continue;
    for (const w of fp.writes) {
      if (w.slot.kind !== 'mapping' || w.transient) continue;
      const keys = mappingKeys(w.slot);
      if (keys.length !== 1 || !keyMatches(keys[0]!, r.match.key)) continue;
      if (w.delta && w.delta !== r.effect.delta) continue; // the code says otherwise: trust the code
      if (!w.delta && !known) continue; // not proven, and the code is not the one the rule vouches for
      w.delta = r.effect.delta;
      fired.add(r.id);
    }
  }

  for (const r of bySelector.get(fp.selector) ?? []) {
    const expect = r.effect.expect;
    if (!expect || hasDelegation) continue;
    fired.add(r.id);
    const keys = fp.writes.flatMap((w) => mappingKeys(w.slot));
    for (const m of expect.writes) {
      if (keys.some((k) => keyMatches(k, m))) continue;
      // The standard's footprint is missing: either a non-standard contract or an analysis miss; flag it.
      fp.diagnostics.push({ code: 'cross-check', message: `${r.id}: no write keyed by ${m.origin}${m.arg !== undefined ? ' ' + m.arg : ''}, which ${r.match.signature} normally makes` });
    }
  }
  fp.rules = [...fired].sort();
}
