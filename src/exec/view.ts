/**
 * The state manager every execution runs on: a Map-based journaled overlay over a committed `WorldState`, with
 * O(changes) checkpoints, that records what each transaction really read (by value) and wrote.
 *
 * Reads are recorded per field and only where a value came from the committed base state (not from the transaction's
 * own earlier writes): `b` a balance, `bz` whether a balance is zero (EIP-161 emptiness checks), `n` a nonce, `c` the
 * code (by version), `e` whether an account exists, and storage slots. Reads made inside reverted frames stay recorded:
 * they still steered the execution. The read that SSTORE makes for its gas (the original value) is a read too.
 *
 * Balances credited without being looked at become commutative deltas instead of read-modify-writes, so they do not
 * make transactions conflict:
 * - value received by a CALL or a plain transfer (`credit`, through the EVM's `_addToBalance`, see block.ts);
 * - the fee paid to the coinbase after execution (`postPhase`): runTx reads and rewrites the coinbase's balance, which
 *   would otherwise make every pair of transactions conflict. A transaction that really reads the coinbase's balance
 *   (BALANCE, a transfer from the coinbase) records that read as usual and its fee becomes an absolute write.
 *
 * Value sent by a contract (CALL with value) in a speculative run works the same way when the stale balance covers it
 * (`lazyValue`): a requirement instead of a read, the debit a delta (WETH withdrawals commute with deposits).
 *
 * Speculative executions (not at the commit point) may also run with a *lazy sender* (`beginTx`'s `lazy`): the
 * sender's nonce is taken to be the transaction's own (recorded as a nonce read of that value, validated at commit),
 * and runTx's balance checks, its upfront debit, the top-level value transfer and the refund do not read the balance:
 * they record a requirement `bmin` (committed balance >= what runTx checks) and turn the changes into a delta. Any
 * other look at the sender's balance (BALANCE, SELFBALANCE, a payout computed from it) sets `lazyBroken`: the
 * execution saw an assumed value and must be redone at its position without the assumption. So one sender's k-th
 * transaction runs before the k-1 earlier ones commit, and still fails exactly where sequential execution fails.
 *
 * Slots listed in `beginTx`'s `counted` (the oracle's delta claims) are traced through the EVM (taint.ts): a delta
 * merge at commit is only sound for a slot read once, written once from its read value, and otherwise only compared.
 */
import { Account, type Address, KECCAK256_NULL, KECCAK256_RLP, bytesToBigInt } from '@ethereumjs/util';
import type { StateManagerInterface } from '@ethereumjs/common';
import { keccak256 } from '../chain/crypto.js';
import type { AccountState, AccountWrite, WorldState, WriteSet } from './state.js';
import { TaintState } from './taint.js';
import { bigToBytes, codeHashOf } from './trie.js';

const EMPTY = new Uint8Array(0);
/** State accesses between two `tick` calls (a plain transfer makes ~10, a swap ~100). */
const TICK = 16;
const NONEMPTY_STORAGE_ROOT = keccak256(Uint8Array.from([1]));

export interface AcctRead {
  b?: bigint;
  bz?: boolean;
  n?: bigint;
  c?: number;
  e?: boolean;
  /** Lazy sender: the balance must be at least this (runTx's upfront-cost checks), the value itself was not used. */
  bmin?: bigint;
}

/** A speculative execution's assumption about its sender (see the header). */
export interface LazySender {
  address: string;
  nonce: bigint;
  /** What runTx checks the balance against (the larger of upfront cost and max cost). */
  need: bigint;
}

export interface ReadSet {
  accounts: Array<[string, AcctRead]>;
  storage: Array<[string, Array<[bigint, bigint]>]>;
}

/** One account in a transaction's overlay. Undefined fields come from the base state. */
interface Ov {
  exists: boolean;
  /** Storage of the base state is hidden (created or deleted in this transaction). */
  cleared: boolean;
  nonce?: bigint;
  balance?: bigint;
  /** Credits on top of the base balance (only while `balance` is undefined). */
  delta: bigint;
  /** The part of `delta` that is the coinbase's fee. */
  feeDelta: bigint;
  code?: Uint8Array;
}

type JournalEntry = [0, string, Ov | undefined] | [1, string, bigint, bigint | undefined] | [2, string, Map<bigint, bigint> | undefined];

/** An account handed to the EVM: field reads are recorded only when the EVM actually looks at a field. */
export class TAccount extends Account {
  _v!: TrackingState;
  _a!: string;
  /** Field still base-derived and not yet recorded as read. */
  _bBase = false;
  _nBase = false;
  _cBase = false;
  _bDirty = false;
  _nDirty = false;
  /** Pending credit, added to the raw balance, applied as a delta on put. */
  _credit = 0n;
  /** Coinbase fee payment or lazy sender: getter does not record, setter turns the change into a credit. */
  _creditMode = false;
  /** The credit is the coinbase's fee (traces leave it out of balance writes). */
  _fee = false;
  /** The base balance under the overlay's delta (for emptiness predicates). */
  _baseBalance = 0n;
  _codeLen = 0;
  _base: AccountState | undefined;
  _codeBytes: Uint8Array | undefined;

  static make(v: TrackingState, a: string, o: Ov | undefined, base: AccountState | undefined, lazy?: LazySender): TAccount {
    const bNonce = lazy !== undefined ? lazy.nonce : base?.exists ? base.nonce : 0n;
    const bBal = lazy !== undefined ? v.lazyBase : base?.exists ? base.balance : 0n;
    const nonce = o?.nonce ?? bNonce;
    const balance = o?.balance ?? bBal + (o?.delta ?? 0n);
    const code = o?.code ?? (base?.exists ? base.code : EMPTY);
    const t = new TAccount(nonce, balance, KECCAK256_RLP, KECCAK256_NULL, code.length);
    t._v = v;
    t._a = a;
    t._base = base;
    t._bBase = o?.balance === undefined;
    t._nBase = o?.nonce === undefined;
    t._cBase = o?.code === undefined;
    t._baseBalance = bBal;
    t._codeLen = code.length;
    t._codeBytes = o?.code;
    return t;
  }

  override get balance(): bigint {
    if (this._v !== undefined && this._bBase && !this._creditMode) {
      this._v.readBalance(this._a);
      this._bBase = false;
    }
    return this._balance as bigint;
  }
  override set balance(x: bigint) {
    if (this._v === undefined) {
      this._balance = x;
      return;
    }
    if (this._creditMode) {
      this._credit += x - (this._balance as bigint);
      this._balance = x;
      return;
    }
    this._balance = x;
    this._bDirty = true;
  }
  override get nonce(): bigint {
    if (this._v !== undefined && this._nBase) {
      this._v.readNonce(this._a);
      this._nBase = false;
    }
    return this._nonce as bigint;
  }
  override set nonce(x: bigint) {
    this._nonce = x;
    if (this._v !== undefined) this._nDirty = true;
  }
  override get codeHash(): Uint8Array {
    if (this._v === undefined) return this._codeHash as Uint8Array;
    if (this._cBase) {
      this._v.readCode(this._a);
      this._cBase = false;
    }
    if (this._codeLen === 0) return KECCAK256_NULL;
    if (this._codeBytes !== undefined) return keccak256(this._codeBytes);
    return codeHashOf(this._base!);
  }
  override set codeHash(x: Uint8Array) {
    // Code changes go through putCode; the field only mirrors them.
    this._codeHash = x;
  }
  override get storageRoot(): Uint8Array {
    // Only the EIP-7610 create-collision check looks at this: "has storage" is all it needs.
    if (this._v === undefined) return this._storageRoot as Uint8Array;
    return this._v.hasStorage(this._a) ? NONEMPTY_STORAGE_ROOT : KECCAK256_RLP;
  }
  override set storageRoot(x: Uint8Array) {
    this._storageRoot = x;
  }
  override isContract(): boolean {
    return this.codeHash !== KECCAK256_NULL && this._codeLen > 0;
  }
  /**
   * EIP-161 emptiness, looking at as little of the base state as needed: a balance known to be non-zero without the
   * base (written, or credited) decides it; then code, then nonce, then whether the base balance is zero.
   */
  override isEmpty(): boolean {
    let balanceZeroKnown = false;
    if (!this._bBase || this._bDirty) {
      if ((this._balance as bigint) !== 0n) return false;
      balanceZeroKnown = true;
    } else if ((this._balance as bigint) !== this._baseBalance) {
      return false;
    }
    if (this._cBase) {
      this._v.readCode(this._a);
      this._cBase = false;
    }
    if (this._codeLen > 0) return false;
    if (this.nonce !== 0n) return false;
    if (balanceZeroKnown) return true;
    return this._v.readBalanceZero(this._a);
  }
  /** Value received: a commutative delta unless the balance was already looked at. */
  credit(v: bigint): void {
    if (v === 0n) return;
    if (this._bBase || this._creditMode) {
      this._credit += v;
      (this as any)._balance = (this._balance as bigint) + v;
    } else {
      this._balance = (this._balance as bigint) + v;
      this._bDirty = true;
    }
  }
}

export class TrackingState implements StateManagerInterface {
  ov = new Map<string, Ov>();
  slots = new Map<string, Map<bigint, bigint>>();
  journal: JournalEntry[] = [];
  marks: number[] = [];
  rAcct = new Map<string, AcctRead>();
  rSlots = new Map<string, Map<bigint, bigint>>();
  coinbase = '';
  /** Set once the top-level call has returned (runTx then refunds the sender and pays the coinbase). */
  postPhase = false;
  /** Before the top-level call starts (runTx's checks and upfront debit). */
  prePhase = false;
  lazy: LazySender | null = null;
  /** The balance a lazy sender is presented with: enough for runTx's checks, never an observed value. */
  lazyBase = 0n;
  /** A lazy sender's balance was really looked at: the execution is void (see the header). */
  lazyBroken = false;
  /**
   * Speculative run: a contract's value transfer (CALL with value, its debit) that the balance covers records the
   * requirement `bmin` instead of reading the balance, and the debit becomes a delta (block.ts). A transfer the stale
   * balance does not cover reads it as usual (validated by value), so either way the check comes out as in order.
   */
  lazyValue = false;
  /** The delta claims being traced in this execution (taint.ts; read by the patched interpreter step). */
  taint: TaintState | null = null;
  /**
   * Called every `TICK` state accesses during an execution: the parallel executor's main thread refills its workers
   * from there while it executes a long transaction itself (it must not touch the base state from it).
   */
  tick: (() => void) | null = null;
  private ticks = 0;
  /**
   * With `trackTouched`: every account this execution has looked at or changed, so far. The parallel executor commits
   * from its tick (commitBeside) only write sets that touch none of them: an account this execution has not reached
   * yet is read from the base when it is, so its value and its recorded read agree; one it has reached may hold base
   * values captured earlier (TAccount.make) and recorded later. Off otherwise (a Set insertion on every state access
   * that nothing would read).
   */
  touched = new Set<string>();
  trackTouched = false;
  private touch(a: string): void {
    if (this.trackTouched) this.touched.add(a);
  }

  constructor(public base: WorldState) {}

  originalStorageCache = {
    get: async (address: Address, key: Uint8Array): Promise<Uint8Array> => {
      return bigToBytes(this.readSlot(address.toString(), bytesToBigInt(key)));
    },
    clear: (): void => {},
  };

  beginTx(coinbase: string, lazy: LazySender | null = null, counted: Array<[string, bigint]> | null = null): void {
    this.ov = new Map();
    this.slots = new Map();
    this.journal = [];
    this.marks = [];
    this.rAcct = new Map();
    this.rSlots = new Map();
    if (this.trackTouched) this.touched = new Set();
    this.coinbase = coinbase;
    this.postPhase = false;
    this.prePhase = true;
    this.lazyBroken = false;
    this.lazyValue = lazy !== null;
    this.lazy = null;
    // A sender the stale base does not know yet is left strict (its existence is an ordinary read). A sender that is
    // also the coinbase (a pool paying out) stays lazy: its fee income is one more delta.
    if (lazy !== null) this.touch(lazy.address);
    if (lazy !== null && this.baseAcct(lazy.address) !== undefined) {
      this.lazy = lazy;
      const b = this.baseAcct(lazy.address)!.balance;
      this.lazyBase = b > lazy.need ? b : lazy.need;
    }
    this.taint = counted !== null && counted.length > 0 ? new TaintState(counted) : null;
  }

  // ---- read recording (base values only) ----
  private acctRead(a: string): AcctRead {
    this.touch(a);
    let r = this.rAcct.get(a);
    if (r === undefined) {
      r = {};
      this.rAcct.set(a, r);
    }
    return r;
  }
  private baseAcct(a: string): AccountState | undefined {
    const b = this.base.get(a);
    return b !== undefined && b.exists ? b : undefined;
  }
  readBalance(a: string): void {
    if (this.lazy !== null && a === this.lazy.address) {
      this.lazyBroken = true;
      return;
    }
    const r = this.acctRead(a);
    if (r.b === undefined) r.b = this.baseAcct(a)?.balance ?? 0n;
  }
  readBalanceZero(a: string): boolean {
    if (this.lazy !== null && a === this.lazy.address) {
      this.lazyBroken = true;
      return this.lazyBase === 0n;
    }
    const v = (this.baseAcct(a)?.balance ?? 0n) === 0n;
    const r = this.acctRead(a);
    if (r.b === undefined && r.bz === undefined) r.bz = v;
    return v;
  }
  /** The committed balance must be at least `x` for this execution to hold (a sufficiency check that passed). */
  requireBalance(a: string, x: bigint): void {
    const r = this.acctRead(a);
    if (r.bmin === undefined || r.bmin < x) r.bmin = x;
  }
  readNonce(a: string): void {
    const r = this.acctRead(a);
    if (r.n === undefined) r.n = this.lazy !== null && a === this.lazy.address ? this.lazy.nonce : (this.baseAcct(a)?.nonce ?? 0n);
  }
  readCode(a: string): void {
    const r = this.acctRead(a);
    if (r.c === undefined) r.c = this.base.get(a)?.codeVersion ?? 0;
  }
  private readExists(a: string): boolean {
    const ex = this.baseAcct(a) !== undefined;
    const r = this.acctRead(a);
    if (r.e === undefined) r.e = ex;
    return ex;
  }
  readSlot(a: string, k: bigint): bigint {
    this.touch(a);
    let m = this.rSlots.get(a);
    if (m === undefined) {
      m = new Map();
      this.rSlots.set(a, m);
    }
    let v = m.get(k);
    if (v === undefined) {
      v = this.baseAcct(a)?.storage.get(k) ?? 0n;
      m.set(k, v);
    }
    return v;
  }
  hasStorage(a: string): boolean {
    this.touch(a);
    const s = this.slots.get(a);
    if (s !== undefined) for (const v of s.values()) if (v !== 0n) return true;
    if (this.ov.get(a)?.cleared) return false;
    const b = this.baseAcct(a);
    return b !== undefined && b.storage.size > 0;
  }

  // ---- journal ----
  private setOv(a: string, o: Ov): void {
    this.journal.push([0, a, this.ov.get(a)]);
    this.ov.set(a, o);
  }
  private freshOv(a: string): Ov {
    return this.ov.get(a) ?? { exists: true, cleared: false, delta: 0n, feeDelta: 0n };
  }

  async checkpoint(): Promise<void> {
    this.marks.push(this.journal.length);
  }
  async commit(): Promise<void> {
    this.marks.pop();
  }
  async revert(): Promise<void> {
    const m = this.marks.pop() ?? 0;
    const j = this.journal;
    while (j.length > m) {
      const e = j.pop()!;
      if (e[0] === 0) {
        if (e[2] === undefined) this.ov.delete(e[1]);
        else this.ov.set(e[1], e[2]);
      } else if (e[0] === 1) {
        const s = this.slots.get(e[1])!;
        if (e[3] === undefined) s.delete(e[2]);
        else s.set(e[2], e[3]);
      } else {
        if (e[2] === undefined) this.slots.delete(e[1]);
        else this.slots.set(e[1], e[2]);
      }
    }
  }

  // ---- accounts ----
  async getAccount(address: Address): Promise<Account | undefined> {
    if (this.tick !== null && ++this.ticks % TICK === 0) this.tick();
    const a = address.toString();
    this.touch(a);
    const o = this.ov.get(a);
    if (o !== undefined) {
      if (!o.exists) return undefined;
    }
    const fee = this.postPhase && a === this.coinbase && o?.balance === undefined && this.rAcct.get(a)?.b === undefined;
    const lazy = this.lazy !== null && a === this.lazy.address && o?.balance === undefined && !this.lazyBroken ? this.lazy : undefined;
    const creditMode = fee || (lazy !== undefined && (this.prePhase || this.postPhase));
    let base: AccountState | undefined;
    if (o === undefined) {
      if (creditMode) {
        base = this.baseAcct(a);
        if (base === undefined) {
          this.readExists(a);
          return undefined;
        }
      } else {
        if (!this.readExists(a)) return undefined;
        base = this.baseAcct(a);
      }
    } else {
      // A deletion in this transaction set every field absolutely; `cleared` alone (a contract created over a funded
      // address) hides only the storage.
      base = this.baseAcct(a);
    }
    const t = TAccount.make(this, a, o, base, lazy);
    t._creditMode = creditMode;
    t._fee = fee;
    return t;
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    if (account === undefined) return this.deleteAccount(address);
    const a = address.toString();
    this.touch(a);
    const o = this.ov.get(a);
    const n: Ov = o !== undefined ? { ...o } : { exists: true, cleared: false, delta: 0n, feeDelta: 0n };
    if (o !== undefined && !o.exists) {
      // Put after a deletion in this same transaction: a new, absolute account.
      n.exists = true;
      n.cleared = true;
      n.code = EMPTY;
      n.nonce = account instanceof TAccount ? (account._nonce as bigint) : account.nonce;
      n.balance = account instanceof TAccount ? (account._balance as bigint) : account.balance;
      n.delta = n.feeDelta = 0n;
      if (account instanceof TAccount) account._credit = 0n;
      this.setOv(a, n);
      return;
    }
    n.exists = true;
    if (account instanceof TAccount && account._v === this) {
      if (account._nDirty) n.nonce = account._nonce as bigint;
      if (account._bDirty) {
        n.balance = account._balance as bigint;
        n.delta = n.feeDelta = 0n;
      } else if (account._credit !== 0n) {
        if (n.balance !== undefined) n.balance += account._credit;
        else {
          n.delta += account._credit;
          if (account._fee) n.feeDelta += account._credit;
        }
        account._credit = 0n;
      }
    } else {
      n.nonce = account.nonce;
      n.balance = account.balance;
      n.delta = n.feeDelta = 0n;
    }
    this.setOv(a, n);
  }

  async deleteAccount(address: Address): Promise<void> {
    const a = address.toString();
    this.touch(a);
    this.setOv(a, { exists: false, cleared: true, nonce: 0n, balance: 0n, delta: 0n, feeDelta: 0n, code: EMPTY });
    this.journal.push([2, a, this.slots.get(a)]);
    this.slots.set(a, new Map());
  }

  async modifyAccountFields(address: Address, fields: any): Promise<void> {
    const acct = (await this.getAccount(address)) ?? new Account();
    if (fields.nonce !== undefined) acct.nonce = fields.nonce;
    if (fields.balance !== undefined) acct.balance = fields.balance;
    await this.putAccount(address, acct);
  }

  // ---- code ----
  async getCode(address: Address): Promise<Uint8Array> {
    const a = address.toString();
    this.touch(a);
    const o = this.ov.get(a);
    if (o?.code !== undefined) return o.code;
    if (o?.cleared) return EMPTY;
    this.readCode(a);
    return this.baseAcct(a)?.code ?? EMPTY;
  }
  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length;
  }
  async putCode(address: Address, value: Uint8Array): Promise<void> {
    const a = address.toString();
    this.touch(a);
    const n = { ...this.freshOv(a) };
    n.exists = true;
    n.code = value;
    this.setOv(a, n);
  }

  // ---- storage ----
  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    if (this.tick !== null && ++this.ticks % TICK === 0) this.tick();
    const a = address.toString();
    this.touch(a);
    const k = bytesToBigInt(key);
    const s = this.slots.get(a);
    if (s !== undefined) {
      const v = s.get(k);
      if (v !== undefined) return bigToBytes(v);
    }
    if (this.ov.get(a)?.cleared) return EMPTY;
    return bigToBytes(this.readSlot(a, k));
  }
  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const a = address.toString();
    this.touch(a);
    const k = bytesToBigInt(key);
    let s = this.slots.get(a);
    if (s === undefined) {
      this.journal.push([2, a, undefined]);
      s = new Map();
      this.slots.set(a, s);
    }
    this.journal.push([1, a, k, s.get(k)]);
    s.set(k, bytesToBigInt(value));
  }
  async clearStorage(address: Address): Promise<void> {
    const a = address.toString();
    this.touch(a);
    const n = { ...this.freshOv(a) };
    n.cleared = true;
    this.setOv(a, n);
    this.journal.push([2, a, this.slots.get(a)]);
    this.slots.set(a, new Map());
  }

  // ---- what the transaction did ----
  collect(): { reads: ReadSet; writes: WriteSet } {
    if (this.lazy !== null && !this.lazyBroken) this.requireBalance(this.lazy.address, this.lazy.need);
    const accounts: Array<[string, AccountWrite]> = [];
    for (const [a, o] of this.ov) {
      const base = this.baseAcct(a);
      if (!o.exists) {
        if (base !== undefined || this.base.get(a)?.storage.size) accounts.push([a, { deleted: true }]);
        continue;
      }
      const w: AccountWrite = {};
      if (o.cleared) w.cleared = true;
      if (o.nonce !== undefined) w.nonce = o.nonce;
      if (o.balance !== undefined) w.balance = o.balance;
      else if (o.delta !== 0n) w.delta = o.delta;
      if (o.code !== undefined) w.code = o.code;
      if (Object.keys(w).length > 0 || base === undefined) accounts.push([a, w]);
    }
    const storage: Array<[string, Array<[bigint, bigint]>]> = [];
    for (const [a, s] of this.slots) {
      if (s.size === 0 || this.ov.get(a)?.exists === false) continue;
      storage.push([a, [...s]]);
    }
    return {
      reads: { accounts: [...this.rAcct], storage: [...this.rSlots].map(([a, m]) => [a, [...m]]) },
      writes: { accounts, storage },
    };
  }

  /** Balances changed by the transaction, fee payments to the coinbase excluded. */
  balanceWrites(): string[] {
    const out: string[] = [];
    for (const [a, o] of this.ov) {
      if (!o.exists) {
        if ((this.baseAcct(a)?.balance ?? 0n) !== 0n) out.push(a);
      } else if (o.balance !== undefined || o.delta !== o.feeDelta) out.push(a);
    }
    return out;
  }

  // ---- not used by runTx on Byzantium+ with our own roots ----
  async getStateRoot(): Promise<Uint8Array> {
    throw new Error('TrackingState has no incremental state root (prescient computes it once per block)');
  }
  async setStateRoot(): Promise<void> {
    throw new Error('TrackingState.setStateRoot is not supported');
  }
  async hasStateRoot(): Promise<boolean> {
    return false;
  }
  clearCaches(): void {}
  shallowCopy(): StateManagerInterface {
    throw new Error('TrackingState.shallowCopy is not supported');
  }
}

/**
 * Does `reads` still hold in `s`? Returns the first stale key (for stats and debugging) or null. Slots in `skip`
 * (delta claims) are left to the caller's merge checks.
 */
export function validateReads(s: WorldState, reads: ReadSet, skip?: Map<string, Map<bigint, unknown>>): string | null {
  for (const [a, r] of reads.accounts) {
    const acc = s.get(a);
    const ex = acc !== undefined && acc.exists;
    if (r.e !== undefined && r.e !== ex) return `e:${a}`;
    if (r.b !== undefined && r.b !== (ex ? acc!.balance : 0n)) return `b:${a}`;
    if (r.bz !== undefined && r.bz !== ((ex ? acc!.balance : 0n) === 0n)) return `bz:${a}`;
    if (r.n !== undefined && r.n !== (ex ? acc!.nonce : 0n)) return `n:${a}`;
    if (r.bmin !== undefined && (ex ? acc!.balance : 0n) < r.bmin) return `bmin:${a}`;
    if (r.c !== undefined && r.c !== (acc?.codeVersion ?? 0)) return `c:${a}`;
  }
  for (const [a, slots] of reads.storage) {
    const acc = s.get(a);
    const st = acc !== undefined && acc.exists ? acc.storage : undefined;
    const sk = skip?.get(a);
    for (const [k, v] of slots) if ((st?.get(k) ?? 0n) !== v && !sk?.has(k)) return `s:${a}:${k.toString(16)}`;
  }
  return null;
}
