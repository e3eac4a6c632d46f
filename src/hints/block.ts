/**
 * Hints for a whole block: every transaction bound against the block's pre-state, in order.
 *
 * Earlier transactions may change state a binding reads (a slot read to find a key or a call target, a balance, a
 * contract's code). We do not execute, so we cannot know the new values for sure; instead the block tracks what each
 * earlier transaction is predicted to write (slots, plus "somewhere in contract X" / "anywhere" for writes it could
 * not bind), and a later binding that read such a value is marked incomplete with a `cross-check` diagnostic naming
 * the earlier transaction. The keys it bound are still reported, bound with the value the latest earlier writer is
 * predicted to store where the binder can evaluate it (a mint counter's `sload(0x8) + 1`, `TxBinding.writeValues`),
 * else with the pre-state value: right unless the earlier transaction did not run as predicted. `stats.staleTxs`
 * counts how often that happens.
 */
import type { LoadedBlock } from '../chain/load.js';
import type { AccessListEntry, Expr, Hex, TxHints } from '../types.js';
import {
  bindTx,
  isUnbound,
  isPrecompile,
  specializationStats,
  frameStats,
  ADDR_MASK,
  forkAtLeast,
  toAddr,
  toWordHex,
  type AnalysisProvider,
  type BindContext,
  type BlockEnv,
  type CallResolver,
  type PriorChanges,
  type SpecializationStore,
  type StateView,
  type TxBinding,
  type TxInput,
} from './bind.js';
import { blockEnv, stateView, txInput } from './context.js';
import { mayDestroyItself } from '../evm/opcodes.js';
import { oncePerBlockRule } from '../../rules/index.js';

/**
 * rules/once-per-block.json: in a contract whose code a rule names, only the block's first transaction that writes
 * the rule's clock slot touches the rule's slots (a pair's price accumulators). A later one touches them only if none
 * of the earlier writers runs as predicted, so they are dropped from it, and it is incomplete, naming those writers.
 * `clocks`: per contract, the transactions predicted to write its clock so far (one of them succeeding is enough).
 */
export function oncePerBlock(b: TxBinding, codeHash: (a: Hex) => Hex, clocks: Map<Hex, number[]>): void {
  for (const [addr, written] of b.writes) {
    const rule = oncePerBlockRule(codeHash(addr));
    if (!rule || !written.has(rule.clock)) continue;
    const earlier = clocks.get(addr) ?? [];
    clocks.set(addr, [...earlier, b.index]);
    if (earlier.length === 0) continue;
    const reads = b.reads.get(addr);
    let dropped = 0;
    for (const s of rule.slots) {
      if (written.delete(s)) dropped++;
      if (reads?.delete(s)) dropped++;
    }
    if (dropped === 0) continue;
    b.deltas = b.deltas.filter(([a, s]) => a !== addr || !rule.slots.includes(s));
    b.complete = false;
    b.assumes.push({ txs: earlier, address: addr, slot: rule.clock });
    const who = earlier.length === 1 ? `tx ${earlier[0]}` : `txs ${earlier.slice(0, 4).join(', ')}${earlier.length > 4 ? ', ...' : ''}`;
    b.diagnostics.push({
      code: 'assumes-prior',
      message: `${rule.id}: ${addr} slots ${rule.slots.map((s) => toWordHex(s)).join(', ')} left out, as ${who} ${earlier.length === 1 ? 'is' : 'are'} predicted to update it earlier in this block`,
    });
    b.diagFrames.push(-1);
  }
}

/** What earlier transactions of the block are predicted to change. */
export class BlockWrites implements PriorChanges {
  private readonly slots = new Map<Hex, Map<bigint, number>>();
  private readonly anyIn = new Map<Hex, number>();
  private anyWhere: number | null = null;
  private readonly code = new Map<Hex, number>();
  private codeAnywhere: number | null = null;
  private readonly balances = new Map<Hex, number>();
  /** The latest predicted writer of a slot and the value it stores (null when unknown). */
  private readonly values = new Map<Hex, Map<bigint, { tx: number; value: bigint | null }>>();

  /**
   * `hasCode`: whether an account has code in the pre-state. Such code can only go away by SELFDESTRUCT (never after
   * Cancun, EIP-6780, for a contract not created in the same transaction), and only if that code can run one
   * (`mayDestroy`: a SELFDESTRUCT, DELEGATECALL or CALLCODE in it); an account without code can get some from an
   * earlier creation.
   */
  constructor(
    private readonly hasCode: (addr: Hex) => boolean = () => false,
    private readonly selfdestructDeletes = true,
    /** Creation at an address with a non-zero nonce fails (EIP-684): such an account cannot get code. */
    private readonly hasNonce: (addr: Hex) => boolean = () => false,
    private readonly mayDestroy: (addr: Hex) => boolean = () => true,
    /** Whether any code can store to this slot of this account; unbound writes reach no other. */
    readonly slotWritable: (addr: Hex, slot: bigint) => boolean = () => true,
  ) {}

  /** How many transactions were added: what `slotNamedBy` answers changes only with it. */
  version = 0;

  add(b: TxBinding): void {
    this.version++;
    for (const [addr, slots] of b.writes) {
      let m = this.slots.get(addr);
      if (!m) this.slots.set(addr, (m = new Map()));
      let v = this.values.get(addr);
      if (!v) this.values.set(addr, (v = new Map()));
      const known = b.writeValues.get(addr);
      for (const s of slots) {
        if (!m.has(s)) m.set(s, b.index);
        v.set(s, { tx: b.index, value: known?.get(s) ?? null });
      }
    }
    if (b.unknownWrites === 'any') this.anyWhere ??= b.index;
    else for (const a of b.unknownWrites) if (!this.anyIn.has(a)) this.anyIn.set(a, b.index);
    if (b.codeWrites === 'any') this.codeAnywhere ??= b.index;
    else for (const a of b.codeWrites) if (!this.code.has(a)) this.code.set(a, b.index);
    for (const a of b.balanceWrites) if (!this.balances.has(a)) this.balances.set(a, b.index);
  }
  slotChangedBy(addr: Hex, slot: bigint): string | undefined {
    const named = this.slotNamedBy(addr, slot);
    if (named !== undefined) return named;
    if (!this.slotWritable(addr, slot)) return undefined;
    const j = this.anyIn.get(addr);
    if (j !== undefined) return `tx ${j} (unbound write to ${addr})`;
    if (this.anyWhere !== null) return `tx ${this.anyWhere} (unbound writes)`;
    return undefined;
  }
  predicted(addr: Hex, slot: bigint): { tx: number; value: bigint } | undefined {
    const p = this.values.get(addr)?.get(slot);
    return p === undefined || p.value === null ? undefined : { tx: p.tx, value: p.value };
  }
  slotNamedBy(addr: Hex, slot: bigint): string | undefined {
    const i = this.slots.get(addr)?.get(slot);
    return i === undefined ? undefined : `tx ${i}`;
  }
  balanceChangedBy(addr: Hex): string | undefined {
    const i = this.balances.get(addr);
    return i === undefined ? undefined : `tx ${i}`;
  }
  codeChangedBy(addr: Hex): string | undefined {
    const i = this.code.get(addr);
    if (this.hasCode(addr)) {
      if (!this.selfdestructDeletes || !this.mayDestroy(addr)) return undefined;
      if (i !== undefined) return `tx ${i} (may self-destruct it)`;
      if (this.anyWhere !== null) return `tx ${this.anyWhere} (unbound calls may self-destruct it)`;
      return undefined;
    }
    if (i !== undefined) return `tx ${i} (may create it)`;
    if (this.hasNonce(addr) || BigInt(addr) === 0n) return undefined;
    if (this.codeAnywhere !== null) return `tx ${this.codeAnywhere} (creates a contract at an unpredicted address)`;
    // An unbound call may reach a factory (a CREATE2 at a counterfactual address, e.g. a wallet funded first).
    if (this.anyWhere !== null) return `tx ${this.anyWhere} (unbound calls may create a contract there)`;
    return undefined;
  }
}

/** The caller of the system calls of EIP-4788 and later, which run outside the block's transactions. */
const SYSTEM_ADDRESS = 0xfffffffffffffffffffffffffffffffffffffffen;

/** Slots below this are constants of a layout; a hash (plus a field offset) lands there with negligible probability. */
const SMALL_SLOT = 1n << 64n;

/**
 * Who may store to a constant slot: `null`, any caller; otherwise only a frame whose caller equals one of these
 * owners (a constant address, or the address held in a constant slot of the same account: `onlyOwner`).
 */
export type SlotOwners = Array<{ value: bigint } | { slot: bigint; mask: boolean }> | null;

/** What an account's own code can store to: constant slots (with who may), and (`anyLarge`) hashed ones; or 'any'. */
export type StoredSlots = 'any' | { slots: Map<bigint, SlotOwners>; anyLarge: boolean };

/**
 * Where the code of an account can store (storage changes only by SSTORE in its own context, or by SELFDESTRUCT
 * before Cancun): from its analysis, when every path of every entry was explored, every write is named and the code
 * neither delegates nor self-destructs. A slot no entry writes is one no transaction of the block can change,
 * whatever unbound calls do (an airdrop token's start time, read by the guard of every claim after a transaction with
 * unbound writes). A constant slot whose every write is guarded, on every path, by the caller being an owner keeps
 * those owners (`SlotOwners`, see `lockedSlots`).
 */
export function storedSlots(addr: Hex, code: Uint8Array, codeHash: () => Hex, analysis: AnalysisProvider): StoredSlots {
  // An EIP-7702 delegation designator runs another account's code in this one's context.
  if (code.length === 0 || mayDestroyItself(code) || (code[0] === 0xef && code[1] === 0x01 && code[2] === 0x00)) return 'any';
  const a = analysis(code, codeHash(), addr);
  if (isUnbound(a)) return 'any';
  const out = { slots: new Map<bigint, SlotOwners>(), anyLarge: false };
  for (const fn of a.functions) {
    // Every path explored; a write the analysis cannot name is neither constant nor hashed (below). Incomplete for
    // other reasons (a read it cannot name, USDT's name() in a loop; a call) does not matter to its own storage.
    if (fn.exhaustive !== true) return 'any';
    for (const w of fn.writes) {
      if (w.transient) continue;
      const e = w.expr;
      if (e.k === 'const') {
        const slot = BigInt(e.v);
        const before = out.slots.get(slot);
        const owners = before === null ? null : ownersOf(w.guards);
        out.slots.set(slot, owners === null ? null : union(before ?? [], owners));
      } else if (hashed(e)) out.anyLarge = true;
      else return 'any';
    }
  }
  return out;
}

/** Can the code store to `slot`? `locked`: constant slots no caller of this block can store to (`lockedSlots`). */
export function mayStore(s: StoredSlots, slot: bigint, locked?: ReadonlySet<bigint>): boolean {
  if (s === 'any') return true;
  if (s.slots.has(slot)) return !locked?.has(slot);
  return s.anyLarge && slot >= SMALL_SLOT;
}

/**
 * The owners every path to a write checks the caller against (a condition `caller == owner` in each alternative of
 * its guards), or null. A guard keeps only conditions that hold on its path, so the write happens only for them.
 */
function ownersOf(guards: Expr[][] | undefined): SlotOwners {
  if (!guards || guards.length === 0) return null;
  const owners: NonNullable<SlotOwners> = [];
  for (const alt of guards) {
    let found = false;
    for (const c of alt) {
      const o = callerCheck(c);
      if (o) {
        owners.push(o);
        found = true;
        break;
      }
    }
    if (!found) return null;
  }
  return owners;
}

function union(a: NonNullable<SlotOwners>, b: NonNullable<SlotOwners>): NonNullable<SlotOwners> {
  const out = [...a];
  for (const o of b) if (!out.some((p) => ('value' in o ? 'value' in p && p.value === o.value : 'slot' in p && p.slot === o.slot && p.mask === o.mask))) out.push(o);
  return out;
}

/** `caller == owner` (through double negations and address masks), owner a constant or a constant slot's value. */
function callerCheck(c: Expr): { value: bigint } | { slot: bigint; mask: boolean } | null {
  while (c.k === 'op' && c.op === 'ISZERO' && c.args[0]!.k === 'op' && c.args[0]!.op === 'ISZERO') c = c.args[0]!.args[0]!;
  if (c.k !== 'op' || c.op !== 'EQ' || c.args.length !== 2) return null;
  let [x, y] = c.args.map(unmaskAddress) as [{ e: Expr; masked: boolean }, { e: Expr; masked: boolean }];
  if (y.e.k === 'env' && y.e.name === 'CALLER') [x, y] = [y, x];
  if (x.e.k !== 'env' || x.e.name !== 'CALLER') return null;
  if (y.e.k === 'const') return { value: y.masked ? BigInt(y.e.v) & ADDR_MASK : BigInt(y.e.v) };
  if (y.e.k === 'sload' && y.e.slot.k === 'const') return { slot: BigInt(y.e.slot.v), mask: y.masked };
  return null;
}

function unmaskAddress(e: Expr): { e: Expr; masked: boolean } {
  if (e.k === 'op' && e.op === 'AND' && e.args.length === 2) {
    const [p, q] = e.args as [Expr, Expr];
    if (q.k === 'const' && BigInt(q.v) === ADDR_MASK) return { e: p, masked: true };
    if (p.k === 'const' && BigInt(p.v) === ADDR_MASK) return { e: q, masked: true };
  }
  return { e, masked: false };
}

/**
 * The constant slots of an account that no transaction of the block can store to, though its code can: every write
 * checks the caller against owners, and no owner can be a caller here (`mayBeCaller`). The largest such set (owners
 * held in slots of the set cannot change before one of them calls, which none can): an unbound write of any
 * transaction does not reach them, so USDT's owner word and fee parameters stay fresh after an aggregator's unbound
 * call.
 * `named`: slots an earlier transaction is predicted to write (their owners may change).
 */
export function lockedSlots(s: StoredSlots, storage: (slot: bigint) => bigint, mayCall: (addr: bigint) => boolean, named: (slot: bigint) => boolean): Set<bigint> {
  const locked = new Set<bigint>();
  if (s === 'any') return locked;
  for (const [slot, owners] of s.slots) {
    if (owners === null || named(slot)) continue;
    const free = owners.some((o) => {
      const v = 'value' in o ? o.value : o.mask ? storage(o.slot) & ADDR_MASK : storage(o.slot);
      return mayCall(v);
    });
    if (!free) locked.add(slot);
  }
  // Owners held in slots that may change (neither locked nor beyond the code's reach): drop until stable.
  for (let changed = true; changed; ) {
    changed = false;
    for (const slot of locked) {
      const owners = s.slots.get(slot)!;
      if (owners.some((o) => 'slot' in o && !locked.has(o.slot) && mayStore(s, o.slot))) {
        locked.delete(slot);
        changed = true;
      }
    }
  }
  return locked;
}

/**
 * Can code run with `v` as its caller in a block (`lockedSlots`)? A sender of the block, the system address, or an
 * account the block touches (the prestate holds every one) that has code or may get some: a creation at an address
 * without a nonce, or from Prague on an EIP-7702 delegation of any account. Address zero is a renounced owner: nobody
 * holds its key and no creation lands there.
 */
export function mayBeCaller(v: bigint, senders: ReadonlySet<bigint>, state: Pick<StateView, 'exists' | 'code' | 'nonce'>, hardfork: string): boolean {
  if (v > ADDR_MASK || v === 0n) return false;
  if (senders.has(v) || v === SYSTEM_ADDRESS) return true;
  const addr = toAddr(v);
  if (!state.exists(addr)) return false;
  return forkAtLeast(hardfork, 'prague') || state.code(addr).length > 0 || state.nonce(addr) === 0n;
}

/** A hash, or a hash plus a small constant (a struct field, an array's first elements). */
function hashed(e: Expr): boolean {
  if (e.k === 'keccak') return true;
  return e.k === 'op' && e.op === 'ADD' && e.args.length === 2 && e.args[0]!.k === 'keccak' && e.args[1]!.k === 'const' && BigInt(e.args[1]!.v) < SMALL_SLOT;
}

/** Storage as the block's earlier transactions are predicted to leave it (see the header); the rest is `pre`. */
export function predictedState(pre: StateView, prior: BlockWrites): StateView {
  return { ...pre, storage: (a, s) => prior.predicted(a, s)?.value ?? pre.storage(a, s) };
}

export interface HintsOptions {
  analysis: AnalysisProvider;
  resolveCall?: (state: StateView, env: BlockEnv, loaded: LoadedBlock) => CallResolver | undefined;
  /** Track earlier transactions' writes (default true). Off: every binding trusts the pre-state (unsound). */
  trackPrior?: boolean;
  /** See BindContext.unionOnUnknownSelector. */
  union?: boolean;
  /** See BindContext.guards (default true). */
  guards?: boolean;
  /** See BindContext.specialize (default true). */
  specialize?: boolean;
  /** Apply rules/once-per-block.json (default true): see `oncePerBlock`. */
  oncePerBlock?: boolean;
  /** See BindContext.reuseFrames (default true). */
  reuseFrames?: boolean;
  /** See BindContext.specializations (AnalysisCache.specializations, with a cache folder). */
  specializations?: SpecializationStore;
}

export interface BlockHints {
  number: number;
  hints: TxHints[];
  bindings: TxBinding[];
  stats: {
    txs: number;
    complete: number;
    /** Transactions whose binding read a value an earlier transaction (or itself) may change first. */
    staleTxs: number;
    bindMs: number;
    /** Frames explored again with their concrete inputs (src/evm/facts.ts), and the time it took (in bindMs). */
    specialized: number;
    specializeMs: number;
    /** Frames that reused a specialization explored before (this block or an earlier one, or another process). */
    specializedReused: number;
    /** Specializations read from HintsOptions.specializations (other processes' explorations). */
    specializedLoaded: number;
    /** Call frames bound, and frames skipped because the same transaction bound an identical one before. */
    framesBound: number;
    framesRepeated: number;
  };
}

function entries(m: Map<Hex, Set<bigint>>, extra?: Iterable<Hex>): AccessListEntry[] {
  const out = new Map<Hex, Hex[]>();
  for (const [a, s] of m) out.set(a, [...s].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).map(toWordHex));
  if (extra) for (const a of extra) if (!out.has(a)) out.set(a, []);
  return [...out].map(([address, storageKeys]) => ({ address, storageKeys }));
}

/** A binding as the `TxHints` artifact: accessList = reads and writes, every touched contract listed. */
export function toTxHints(b: TxBinding, hardfork?: string): TxHints {
  const all = new Map<Hex, Set<bigint>>();
  for (const m of [b.reads, b.writes]) {
    for (const [a, s] of m) {
      let t = all.get(a);
      if (!t) all.set(a, (t = new Set()));
      for (const x of s) t.add(x);
    }
  }
  const touched = [...b.touched].filter((a) => !hardfork || !isPrecompile(a, hardfork));
  return {
    index: b.index,
    hash: b.hash,
    complete: b.complete,
    ...(b.assumes.length > 0 ? { assumes: [...new Set(b.assumes.flatMap((a) => a.txs))].sort((x, y) => x - y) } : {}),
    accessList: entries(all, touched),
    writes: entries(b.writes),
    balances: [...new Set([...b.balanceReads, ...b.balanceWrites])].sort(),
    diagnostics: b.diagnostics,
  };
}

export function txInputs(loaded: LoadedBlock, source = 'block.json'): TxInput[] {
  const env = blockEnv(loaded.block);
  return loaded.block.transactions.map((t, i) => txInput(t, i, env.baseFee, `${source}: transactions[${i}]`));
}

export function hintsForBlock(loaded: LoadedBlock, opts: HintsOptions, source = 'block.json'): BlockHints {
  const env: BlockEnv = { ...blockEnv(loaded.block), blockHashes: loaded.blockHashes };
  const state = stateView(loaded.prestate);
  const txs = loaded.block.transactions.map((t, i) => txInput(t, i, env.baseFee, `${source}: transactions[${i}]`));
  const t0 = performance.now();
  const s0 = { ...specializationStats };
  const f0 = { ...frameStats };
  const postCancun = ['cancun', 'prague', 'osaka'].includes(env.hardfork);
  const destroyable = new Map<Hex, boolean>();
  const senders = new Set(txs.map((t) => BigInt(t.from)));
  const mayCall = (v: bigint) => mayBeCaller(v, senders, state, env.hardfork);
  const writers = new Map<Hex, StoredSlots>();
  const locks = new Map<Hex, { version: number; locked: Set<bigint> }>();
  const prior: BlockWrites = new BlockWrites(
    (a) => state.code(a).length > 0,
    !postCancun,
    (a) => state.nonce(a) > 0n,
    (a) => {
      let d = destroyable.get(a);
      if (d === undefined) destroyable.set(a, (d = mayDestroyItself(state.code(a))));
      return d;
    },
    (a, slot): boolean => {
      let w = writers.get(a);
      if (w === undefined) writers.set(a, (w = storedSlots(a, state.code(a), () => state.codeHash(a), opts.analysis)));
      if (w === 'any' || !w.slots.get(slot)) return mayStore(w, slot);
      let l = locks.get(a);
      if (l === undefined || l.version !== prior.version) {
        l = { version: prior.version, locked: lockedSlots(w, (s) => state.storage(a, s), mayCall, (s) => prior.slotNamedBy(a, s) !== undefined) };
        locks.set(a, l);
      }
      return mayStore(w, slot, l.locked);
    },
  );
  const ctx: BindContext = {
    state: opts.trackPrior === false ? state : predictedState(state, prior),
    block: env,
    analysis: opts.analysis,
    codeHash: (a) => state.codeHash(a),
    resolveCall: opts.resolveCall?.(state, env, loaded),
    prior: opts.trackPrior === false ? undefined : prior,
    unionOnUnknownSelector: opts.union === true,
    guards: opts.guards !== false,
    specialize: opts.specialize !== false,
    reuseFrames: opts.reuseFrames !== false,
    specializations: opts.specializations,
  };
  const bindings: TxBinding[] = [];
  const clocks = new Map<Hex, number[]>();
  for (const tx of txs) {
    const b = bindTx(tx, ctx);
    if (opts.oncePerBlock !== false) oncePerBlock(b, ctx.codeHash, clocks);
    prior.add(b);
    bindings.push(b);
  }
  const bindMs = performance.now() - t0;
  return {
    number: Number(loaded.block.number),
    hints: bindings.map((b) => toTxHints(b, env.hardfork)),
    bindings,
    stats: {
      txs: txs.length,
      complete: bindings.filter((b) => b.complete).length,
      staleTxs: bindings.filter((b) => b.staleDeps > 0).length,
      bindMs,
      specialized: specializationStats.explored - s0.explored,
      specializeMs: specializationStats.ms - s0.ms,
      specializedReused: specializationStats.reused - s0.reused,
      specializedLoaded: specializationStats.loaded - s0.loaded,
      framesBound: frameStats.bound - f0.bound,
      framesRepeated: frameStats.repeated - f0.repeated,
    },
  };
}
