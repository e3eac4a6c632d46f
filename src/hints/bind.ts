/**
 * The binder: symbolic footprints (ContractAnalysis) + one concrete transaction + the pre-state -> the concrete
 * (address, slot) pairs the transaction may touch.
 *
 * Soundness rule: `complete` is true only when nothing can be missing. Anything the binder cannot evaluate (an
 * `unknown` node, a call's return value, an unknown call target, a footprint the analyzer marked incomplete, a value
 * read from state an earlier transaction or this one may change) makes the transaction incomplete with a diagnostic
 * naming the reason, while everything else is still bound (recall matters even when completeness is lost).
 *
 * Evaluation is lazy: a callee's calldata is the caller's argument expressions, evaluated only when the callee's
 * footprint needs a word of it. So a swap amount computed from a call's return value does not make the transaction
 * incomplete unless some slot or target depends on it.
 */
import type { ContractAnalysis, Diagnostic, ExternalCall, Expr, FunctionFootprint, Hex } from '../types.js';
import { keccak256, keccakWords } from '../chain/crypto.js';
import { callRecord, hex } from '../evm/sym.js';
import { PLAIN_TRANSFER_GAS } from '../chain/txs.js';
import { applyOp, CALL_OPS, forwardsAllGas, MASK } from './ops.js';
import { analyzeSelector, analyzeSpecialized, type Assumed } from '../analyze/index.js';
import type { Inputs } from '../evm/facts.js';
import { infeasible, STATEFUL_ENV } from './guards.js';

/** Call frames deeper than this are not followed (real traffic: router -> pair -> token -> proxy -> implementation). */
export const MAX_BIND_DEPTH = 16;
/** A call site (code, pc, target, storage) may be on the stack this many times (a contract calling itself back). */
export const MAX_SITE_REPEAT = 3;
/** At most this many frames per transaction (bounds the work when a selector is unknown and all functions are bound). */
export const MAX_BIND_FRAMES = 512;
/**
 * Frames per transaction whose incomplete footprint may be replaced by one explored with the frame's concrete inputs,
 * cached or not: counting only fresh explorations made a binding depend on what the process had bound before. Over
 * the 31 mainnet blocks 16 -> 48 predicted 62 fewer slots (3 fewer hits) in the same time.
 */
export const MAX_SPECIALIZED_FRAMES = 48;
/** Specialized footprints kept per code and selector (each valid for inputs that satisfy its assumptions). */
export const MAX_SPECIALIZATIONS_KEPT = 256;
/** Specialized footprints kept in all (least recently used code and selector dropped first): bounds the memory. */
export const MAX_SPECIALIZATIONS = 4_096;

export const ADDR_MASK = (1n << 160n) - 1n;

/** Why a value could not be computed. */
export class Unbound {
  constructor(readonly why: string) {}
}
export type Val = bigint | Unbound;
export const isUnbound = (v: unknown): v is Unbound => v instanceof Unbound;

export const toAddr = (v: bigint): Hex => ('0x' + (v & ADDR_MASK).toString(16).padStart(40, '0')) as Hex;
export const toWordHex = (v: bigint): Hex => ('0x' + v.toString(16).padStart(64, '0')) as Hex;

export function bytesToBigint(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  return BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'));
}

export function wordBytes(v: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
}

// keccak over words lives beside the fast keccak (src/chain/crypto.ts); re-exported for this module's users.
export { keccakWords };


// ---------------------------------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------------------------------

/** Block context values a footprint may use (bigints; null when the fork has no such field). */
export interface BlockEnv {
  number: bigint;
  timestamp: bigint;
  coinbase: bigint;
  gasLimit: bigint;
  baseFee: bigint | null;
  /** DIFFICULTY before the merge, PREVRANDAO (mixHash) after. */
  difficulty: bigint;
  chainId: bigint;
  /** The hardfork, for precompile ranges and EIP-3651. */
  hardfork: string;
  /** Hashes of earlier blocks (block_hashes.json), for BLOCKHASH; a number within range but missing is unbound. */
  blockHashes?: ReadonlyMap<bigint, Hex>;
}

/** Read-only pre-state access; addresses are lowercase 0x hex. A missing slot reads 0. */
export interface StateView {
  storage(addr: Hex, slot: bigint): bigint;
  balance(addr: Hex): bigint;
  nonce(addr: Hex): bigint;
  code(addr: Hex): Uint8Array;
  /**
   * Whether the pre-state lists the account (the block touches it), empty or not. For EXTCODEHASH use `emptyAccount`:
   * an empty account (EIP-161) does not exist there.
   */
  exists(addr: Hex): boolean;
}

/** A concrete transaction, as the binder needs it. */
export interface TxInput {
  index: number;
  hash: Hex;
  from: Hex;
  /** null: contract creation. */
  to: Hex | null;
  value: bigint;
  input: Uint8Array;
  nonce: bigint;
  /** The effective gas price (GASPRICE). */
  gasPrice: bigint;
  /** The gas limit, when known. */
  gas?: bigint;
}

/** Footprints for code: by code hash, cached by the caller. Returns an Unbound with the reason when unavailable. */
export type AnalysisProvider = (code: Uint8Array, codeHash: Hex, addr: Hex) => ContractAnalysis | Unbound;

/**
 * Optional: the return data of a call whose calldata is fully bound, computed soundly (e.g. by running a view call
 * over the pre-state). Reports the storage it read so the binder can check those values are not stale.
 */
export type CallResolver = (req: {
  kind: ExternalCall['kind'];
  from: Hex;
  to: Hex;
  /** The address whose storage the callee uses (DELEGATECALL / CALLCODE: the caller's). */
  storageAddr: Hex;
  value: bigint;
  data: Uint8Array;
  origin: Hex;
  /** The transaction's effective gas price (GASPRICE inside the call). */
  gasPrice: bigint;
  /**
   * The call site passes an explicit gas limit rather than all remaining gas (`forwardsAllGas`): whether the callee
   * runs out of gas is then unknown to an unmetered resolver, which must not report an outcome of code it runs.
   */
  gasLimited: boolean;
}) => { ok: boolean; returnData: Uint8Array; reads: Dep[] } | Unbound;

/** What earlier transactions of the block may have changed (tracked by src/hints/block.ts). */
export interface PriorChanges {
  /** Why a slot may have changed (the earlier tx index), or undefined. */
  slotChangedBy(addr: Hex, slot: bigint): string | undefined;
  /** Why a slot may have changed, only where an earlier transaction is predicted to write that very slot. */
  slotNamedBy?(addr: Hex, slot: bigint): string | undefined;
  /**
   * The latest earlier transaction predicted to write the slot, with the value it is predicted to store, when the
   * binder could evaluate it; the binding's state view then reads that value (src/hints/block.ts `predictedState`).
   */
  predicted?(addr: Hex, slot: bigint): { tx: number; value: bigint } | undefined;
  /** Why an account's balance may have changed, or undefined. */
  balanceChangedBy(addr: Hex): string | undefined;
  /** Why an account's code may have changed (created or destroyed earlier in the block), or undefined. */
  codeChangedBy(addr: Hex): string | undefined;
  /** False where no code can store to the slot (so no unbound write reaches it); absent: every slot may change. */
  slotWritable?(addr: Hex, slot: bigint): boolean;
}

export interface BindContext {
  state: StateView;
  block: BlockEnv;
  analysis: AnalysisProvider;
  codeHash: (addr: Hex) => Hex;
  resolveCall?: CallResolver;
  prior?: PriorChanges;
  /**
   * A call whose selector is unknown: bind every function of the callee (more recall from constant slots, much less
   * precision) or none (default). Either way the transaction is incomplete.
   */
  unionOnUnknownSelector?: boolean;
  /** Drop accesses and calls on paths the transaction cannot take (src/hints/guards.ts); default true. */
  guards?: boolean;
  /**
   * Explore an incomplete footprint again with the frame's concrete inputs (src/evm/facts.ts): exact loops over input
   * arrays and branches; default true.
   */
  specialize?: boolean;
  /** Skip a frame identical to one the transaction already bound (`bindFrame`); default true. Off only to test it. */
  reuseFrames?: boolean;
  /** Specializations kept between processes (src/hints/cache.ts); without it, only this process's are reused. */
  specializations?: SpecializationStore;
}

/** A specialized footprint (`specialize`): it holds for every call whose inputs satisfy all of its assumptions. */
export interface Specialization {
  assumptions: Assumed[];
  fp: FunctionFootprint;
}

/** Specializations by `codeHash|selector` kept outside the process: read once per key, added to as explored. */
export interface SpecializationStore {
  load(key: string): Specialization[];
  add(key: string, s: Specialization): void;
}

// ---------------------------------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------------------------------

/** A binding's dependency on a pre-state value: if it changed before the read, the binding may be wrong. */
export type Dep = { kind: 'slot'; addr: Hex; slot: bigint } | { kind: 'balance'; addr: Hex } | { kind: 'code'; addr: Hex };

/** Where writes may have gone that the binding cannot name (feeds the block-level staleness tracking). */
export type UnknownWrites = Set<Hex> | 'any';

export interface TxBinding {
  index: number;
  hash: Hex;
  complete: boolean;
  /** addr -> slots read (not including writes) */
  reads: Map<Hex, Set<bigint>>;
  writes: Map<Hex, Set<bigint>>;
  /** Addresses the transaction touches without (necessarily) storage: call targets, BALANCE, EXTCODE*. */
  touched: Set<Hex>;
  balanceReads: Set<Hex>;
  balanceWrites: Set<Hex>;
  /** Accounts whose balance may go down (the sender's fee, ETH sent by a contract): read-modify-writes. */
  balanceDebits: Set<Hex>;
  /** Accounts that may receive ETH: commutative credits. */
  balanceCredits: Set<Hex>;
  /** Accounts whose nonce changes (the sender; a creating contract). */
  nonceWrites: Set<Hex>;
  /** Addresses whose code the transaction may create or destroy; 'any' when it cannot say which. */
  codeWrites: Set<Hex> | 'any';
  /** Storage the transaction may write that is not in `writes` (unbound slots, unknown targets). */
  unknownWrites: UnknownWrites;
  diagnostics: Diagnostic[];
  /** For each diagnostic, the index in `frames` of the frame it is about (-1: the transaction). */
  diagFrames: number[];
  /** Per frame: which contract and selector, for grouping misses. */
  frames: { address: Hex; codeAddress: Hex; codeHash: Hex | null; selector: string; depth: number }[];
  /** Dependencies on pre-state values that were found stale-able (diagnostics name them). */
  staleDeps: number;
  /** Storage the binding itself read from the pre-state (keys, targets, call results): address -> slots. */
  bindingReads: Map<Hex, Set<bigint>>;
  /**
   * Slots this transaction touches exactly twice, through one read and one `delta`-shaped write of the same function
   * in the same frame (a complete footprint, one function bound, slot not packed), and in no other bound way: the
   * candidates for the executor's delta claims (src/exec/oracle.ts `deltas`). Whether the read value is used for
   * nothing but the overflow check is the analyzer's `delta` to prove; see toPrediction.
   */
  deltas: Array<[address: Hex, slot: bigint, kind: 'add' | 'sub']>;
  /**
   * Earlier transactions whose predicted writes this prediction relies on: that at least one of `txs` writes `slot` of
   * `address` (see src/hints/block.ts `oncePerBlock`).
   */
  assumes: Array<{ txs: number[]; address: Hex; slot: bigint }>;
  /** `complete` but for those assumptions: what the scheduler's oracle uses (a wrong assumption costs time only). */
  completeIfPriorAsPredicted: boolean;
  /**
   * The value each written slot is predicted to hold after this transaction (the footprint's `value`, evaluated), or
   * null where the binder cannot tell (no single stored expression, an unbound part, writes by several frames that
   * disagree). Later transactions of the block bind their reads of the slot with it (src/hints/block.ts).
   */
  writeValues: Map<Hex, Map<bigint, bigint | null>>;
}

function debit(out: TxBinding, a: Hex): void {
  out.balanceWrites.add(a);
  out.balanceDebits.add(a);
}
function credit(out: TxBinding, a: Hex): void {
  out.balanceWrites.add(a);
  out.balanceCredits.add(a);
}

// ---------------------------------------------------------------------------------------------------------------------
// Calldata: concrete bytes (the transaction) or a caller's symbolic argument words (a call)
// ---------------------------------------------------------------------------------------------------------------------

interface Calldata {
  size(): Val;
  /** The 32 bytes at `off`, zero-padded past the end. */
  word(off: bigint): Val;
  /** The 4-byte selector, or null when the input is shorter than 4 bytes; Unbound when unknown. */
  selector(): Hex | null | Unbound;
  /** The whole input as bytes, when every byte is known. */
  bytes(): Uint8Array | Unbound;
  /**
   * Does the 32-byte word at `off` (null: any word, including the size) follow from the transaction's inputs alone,
   * with no storage or call result read on the way? Only such words may decide a guard (src/hints/guards.ts).
   */
  clean(off: bigint | null): boolean;
}

class ConcreteCalldata implements Calldata {
  /** `isClean`: the bytes come from the transaction's own input (false: decoded from a word that may be stale). */
  constructor(
    readonly data: Uint8Array,
    private readonly isClean = true,
  ) {}
  clean(): boolean {
    return this.isClean;
  }
  size(): Val {
    return BigInt(this.data.length);
  }
  word(off: bigint): Val {
    if (off >= BigInt(this.data.length)) return 0n;
    const o = Number(off);
    const w = new Uint8Array(32);
    w.set(this.data.subarray(o, o + 32));
    return bytesToBigint(w);
  }
  selector(): Hex | null {
    if (this.data.length < 4) return null;
    return ('0x' + Buffer.from(this.data.subarray(0, 4)).toString('hex')) as Hex;
  }
  bytes(): Uint8Array {
    return this.data;
  }
}

/** A call input assembled word by word, when every word binds. */
function inputBytes(cd: Calldata): Uint8Array | Unbound {
  const size = cd.size();
  if (isUnbound(size)) return size;
  if (size > 1n << 20n) return new Unbound('call input too large');
  const n = Number(size);
  const out = new Uint8Array(Math.ceil(n / 32) * 32);
  for (let o = 0; o < n; o += 32) {
    const w = cd.word(BigInt(o));
    if (isUnbound(w)) return w;
    out.set(wordBytes(w), o);
  }
  return out.subarray(0, n);
}

/** The input of `call`, made in `parent`: `selector` (4 bytes, optional) followed by the argument words. */
class CallCalldata implements Calldata {
  private readonly prefix: number;
  constructor(
    readonly parent: Frame,
    readonly call: ExternalCall,
  ) {
    this.prefix = call.selector ? 4 : 0;
  }
  private knownLength(): number | null {
    if (!this.call.args) return null;
    return this.prefix + 32 * this.call.args.length;
  }
  clean(off: bigint | null): boolean {
    const args = this.call.args;
    if (!args) return false;
    if (off === null || off > 1n << 32n) return args.every((a) => this.parent.cleanExpr(a));
    const o = Number(off);
    for (const { j, mask } of this.pieces(o)) if (j >= 0 && j < args.length && !this.parent.cleanBits(args[j]!, mask)) return false;
    return true;
  }
  /** The segments overlapping bytes [o, o+32), with the bits of each segment that fall inside. */
  private pieces(o: number): { j: number; lo: number; hi: number; segStart: number; segLen: number; mask: bigint }[] {
    const out = [];
    const first = o < this.prefix ? -1 : Math.floor((o - this.prefix) / 32);
    const last = Math.floor((o + 31 - this.prefix) / 32);
    for (let j = first; j <= last; j++) {
      const segStart = j < 0 ? 0 : this.prefix + 32 * j;
      const segLen = j < 0 ? 4 : 32;
      const lo = Math.max(o, segStart);
      const hi = Math.min(o + 32, segStart + segLen);
      if (hi <= lo) continue;
      const mask = ((1n << BigInt(8 * (hi - lo))) - 1n) << BigInt(8 * (segStart + segLen - hi));
      out.push({ j, lo, hi, segStart, segLen, mask });
    }
    return out;
  }
  size(): Val {
    if (this.call.inputSize !== null) return BigInt(this.call.inputSize);
    const n = this.knownLength();
    return n === null ? new Unbound(`input size of call at pc ${this.call.pc} unknown`) : BigInt(n);
  }
  /** Segment i: -1 the selector, j >= 0 argument word j; only the bits of `mask`. */
  private segment(j: number, mask: bigint): Val {
    if (j < 0) return BigInt(this.call.selector!);
    const args = this.call.args!;
    if (j >= args.length) {
      // Past the described words: zero only if the input ends there.
      const size = this.size();
      if (isUnbound(size)) return size;
      if (BigInt(this.prefix + 32 * j) >= size) return 0n;
      return new Unbound(`input word ${j} of call at pc ${this.call.pc} unknown`);
    }
    return this.parent.evalBits(args[j]!, mask);
  }
  word(off: bigint): Val {
    if (!this.call.args) return new Unbound(`input of call at pc ${this.call.pc} unknown`);
    const size = this.size();
    if (!isUnbound(size) && off >= size) return 0n;
    if (off > 1n << 32n) return 0n;
    const o = Number(off);
    // Assemble the 32 bytes [o, o+32) from the segments overlapping them.
    let acc = 0n;
    for (const { j, hi, lo, segStart, segLen, mask } of this.pieces(o)) {
      const v = this.segment(j, mask);
      if (isUnbound(v)) return v;
      // bytes [lo, hi) of the segment, placed at [lo - o, hi - o) of the word
      const bits = BigInt(8 * (hi - lo));
      const part = (v >> BigInt(8 * (segStart + segLen - hi))) & ((1n << bits) - 1n);
      acc |= part << BigInt(8 * (o + 32 - hi));
    }
    if (!isUnbound(size) && off + 32n > size) {
      // zero the bytes past the end
      const keep = Number(size - off);
      acc &= MASK ^ ((1n << BigInt(8 * (32 - keep))) - 1n);
    }
    return acc;
  }
  selector(): Hex | null | Unbound {
    if (this.call.selector) return this.call.selector.toLowerCase() as Hex;
    const size = this.size();
    if (!isUnbound(size) && size < 4n) return null;
    const w = this.word(0n);
    if (isUnbound(w)) return w;
    return ('0x' + (w >> 224n).toString(16).padStart(8, '0')) as Hex;
  }
  bytes(): Uint8Array | Unbound {
    return inputBytes(this);
  }
}

/**
 * The input of a call whose length is symbolic (a dynamic `bytes` argument passed on, a multicall element): the
 * analyzer gives the length as an expression (`inputSizeExpr`) and the input's words from its first byte, selector
 * included (`inputWords`), as far as memory is known. With the length evaluated, the input is exact: bytes past it are
 * zero for the callee, words the analysis does not know are unbound only if something needs them.
 */
class WordsCalldata implements Calldata {
  private readonly words: Expr[];
  readonly size: Lazy;
  constructor(
    readonly parent: Frame,
    readonly call: ExternalCall,
  ) {
    this.words = call.inputWords ?? [];
    this.size = once(() => {
      const v = call.inputSizeExpr ? parent.eval(call.inputSizeExpr) : new Unbound('no input size expression');
      return isUnbound(v) ? new Unbound(`input size of call at pc ${call.pc} unknown: ${v.why}`) : v;
    }, parent.tx);
  }
  clean(): boolean {
    return !!this.call.inputSizeExpr && this.parent.cleanExpr(this.call.inputSizeExpr) && this.words.every((w) => this.parent.cleanExpr(w));
  }
  private inputWord(j: number, mask: bigint): Val {
    if (j >= this.words.length) return new Unbound(`input word ${j} of call at pc ${this.call.pc} unknown`);
    return this.parent.evalBits(this.words[j]!, mask);
  }
  word(off: bigint): Val {
    const size = this.size();
    if (isUnbound(size)) return size;
    if (off >= size) return 0n;
    const o = Number(off);
    const j = Math.floor(o / 32);
    const r = o % 32;
    const a = this.inputWord(j, MASK >> BigInt(8 * r));
    if (isUnbound(a)) return a;
    let acc = (a << BigInt(8 * r)) & MASK;
    if (r !== 0 && BigInt(32 * (j + 1)) < size) {
      const b = this.inputWord(j + 1, MASK ^ (MASK >> BigInt(8 * r)));
      if (isUnbound(b)) return b;
      acc |= b >> BigInt(8 * (32 - r));
    }
    if (off + 32n > size) acc &= MASK ^ ((1n << BigInt(8 * Number(off + 32n - size))) - 1n);
    return acc;
  }
  selector(): Hex | null | Unbound {
    const size = this.size();
    if (isUnbound(size)) return size;
    if (size < 4n) return null;
    const w = this.word(0n);
    if (isUnbound(w)) return w;
    return ('0x' + (w >> 224n).toString(16).padStart(8, '0')) as Hex;
  }
  bytes(): Uint8Array | Unbound {
    return inputBytes(this);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Frames: one contract execution context, evaluating expressions over its inputs
// ---------------------------------------------------------------------------------------------------------------------

type Lazy = () => Val;
/** A resolved call: its outcome and what it read (a dependency of each use: the binding's, or a guard's). */
type CallResult = { ok: boolean; ret: Uint8Array; reads: Dep[] } | Unbound;
/**
 * Computed once; not kept from a written value's evaluation (`tx.quiet`, see Frame.writtenValue) or an amount's
 * (`tx.amount`): those record their dependencies apart, which a later use must record again.
 */
const once = (f: Lazy, tx: { readonly keeps: boolean }): Lazy => {
  let v: Val | undefined;
  return () => {
    if (v !== undefined) return v;
    const r = f();
    if (tx.keeps) v = r;
    return r;
  };
};

/** Per-transaction state shared by every frame. */
class TxState {
  readonly out: TxBinding;
  readonly deps: { dep: Dep; frame: number }[] = [];
  /** Storage read only to decide guards (`addr|slot`): checked apart, see bindTx. */
  readonly guardDeps = new Set<string>();
  /** Per guard dependency, the frames that read it (-1: a resolved call's read, in no frame). */
  private readonly guardReaders = new Map<string, number[]>();
  /** Per written `addr|slot`, the frames that write it. */
  private readonly writers = new Map<string, number[]>();
  /** Per frame, the first frame id after its subtree (frames are numbered in the order they start). */
  readonly frameEnd = new Map<number, number>();
  /** Frames skipped as repeats stand for these ranges of frames [first, end) run again later. */
  readonly repeated: Array<[number, number]> = [];
  /** Per `frame|addr|slot`, the first slot expression the frame accessed it by (see `aliased`). */
  private readonly accessedBy = new Map<string, string>();
  /**
   * `addr|slot` keys some frame accessed by two different expressions (`balances[from]` and `balances[to]` with
   * from = to): the exploration follows a frame's own writes by expression, so a read by the other one saw the
   * write only at run time, and the frame's own write may come before the read after all.
   */
  private readonly aliased = new Set<string>();
  accessed(frame: number, key: string, expr: Expr): void {
    const k = `${frame}|${key}`;
    const e = exprKey(expr);
    const first = this.accessedBy.get(k);
    if (first === undefined) this.accessedBy.set(k, e);
    else if (first !== e) this.aliased.add(key);
  }
  guardDep(key: string, frame: number): void {
    this.guardDeps.add(key);
    addFrame(this.guardReaders, key, frame);
  }
  wrote(key: string, frame: number): void {
    addFrame(this.writers, key, frame);
  }
  /** May guards not use the pre-state value of `addr|slot` (see `poisoned`)? */
  isPoisoned(key: string): boolean {
    return this.poisoned === 'all' || this.poisoned.has(key);
  }
  /**
   * May a write of this transaction come before a guard's read of `key`? A frame's guards read storage as it was
   * when the frame started (the exploration follows its own writes), so the frame's own writes and those of frames
   * that start after it has returned cannot; a frame that ran before it, an ancestor, or a frame it calls (a callback
   * into the same contract) may. A frame bound once for a repeat stands for both runs: any write may. So may the
   * frame's own, where it reached the slot by two expressions (`aliased`).
   */
  ownStale(key: string): boolean {
    for (const r of this.guardReaders.get(key) ?? [-1]) if (this.writtenBefore(key, r)) return true;
    return false;
  }
  /** May a write of this transaction to `key` come before frame `reader` reads it (see `ownStale`)? */
  writtenBefore(key: string, reader: number): boolean {
    const ws = this.writers.get(key);
    if (!ws) return false;
    if (reader < 0 || this.repeated.some(([a, b]) => reader >= a && reader < b)) return true;
    const end = this.frameEnd.get(reader) ?? Infinity;
    for (const w of ws) if ((w !== reader || this.aliased.has(key)) && w < end) return true;
    return false;
  }
  /** The part of `guardDeps` that resolved calls read for a guard (`Frame.guardReads`). */
  readonly callGuardDeps = new Set<string>();
  /** Guards do not use call results (bound again after one used a slot that may change first, see bindTx). */
  noCallGuards = false;
  /** Slots whose pre-state value guards must not use (an earlier transaction or this one may write them). */
  poisoned: Set<string> | 'all' = new Set();
  frames = 0;
  specialized = 0;
  readonly unionBound = new Set<string>();
  /** Frames bound so far by their inputs (`frameKey`), for skipping an identical frame bound again (`bindFrame`). */
  readonly bound = new Map<string, BoundFrame>();
  /** Calls not followed because of where they sit on the stack (MAX_BIND_DEPTH, MAX_SITE_REPEAT), so far. */
  stackCuts = 0;
  /**
   * Does a frame's code have a call site other than STATICCALL (a call, delegatecall, create or self-destruct, on any
   * path of its generic footprint)? Without one, only the called contract's own storage can be written, whatever
   * values the binding used: see `widenWrites`.
   */
  writesOutside = false;
  callResults = new Map<string, ReturnType<CallResolver>>();
  constructor(
    readonly ctx: BindContext,
    readonly tx: TxInput,
  ) {
    this.out = {
      index: tx.index,
      hash: tx.hash,
      complete: true,
      reads: new Map(),
      writes: new Map(),
      touched: new Set(),
      balanceReads: new Set(),
      balanceWrites: new Set(),
      balanceDebits: new Set(),
      balanceCredits: new Set(),
      nonceWrites: new Set(),
      codeWrites: new Set(),
      unknownWrites: new Set(),
      diagnostics: [],
      diagFrames: [],
      frames: [],
      staleDeps: 0,
      bindingReads: new Map(),
      deltas: [],
      assumes: [],
      completeIfPriorAsPredicted: true,
      writeValues: new Map(),
    };
  }
  /** Index in out.frames of the frame being bound (-1 outside frames). */
  cur = -1;
  /** Set while a written value is evaluated (Frame.writtenValue); each evaluation gets a new epoch. */
  quiet = false;
  quietEpoch = 0;
  /**
   * Set while a call's value is evaluated only to know whether ETH moves (`Frame.amountOf`): what it reads decides
   * balances, not which slots are accessed, so its dependencies (`amountDeps`) make the binding incomplete when
   * stale but do not let its writes land anywhere (the keys and targets do not depend on them).
   */
  amount = false;
  readonly amountDeps: { dep: Dep; frame: number }[] = [];
  /** May a value computed now be kept for later uses? Not one whose dependencies were recorded apart, or not at all. */
  get keeps(): boolean {
    return !this.quiet && !this.amount;
  }
  /** Every bound storage access per (address, slot), for the delta candidates. */
  readonly slotUse = new Map<string, { addr: Hex; slot: bigint; reads: number; writes: number; kind: 'add' | 'sub' | null; frame: number; ok: boolean }>();
  /** Frames with a storage access the binder could not name (it may be any slot of that frame's storage). */
  readonly unnamedIn = new Set<number>();
  use(f: Frame, fnOk: boolean, slot: bigint, isWrite: boolean, acc: { delta?: 'add' | 'sub'; range?: unknown }): void {
    const key = `${f.self}|${slot}`;
    let u = this.slotUse.get(key);
    if (!u) this.slotUse.set(key, (u = { addr: f.self, slot, reads: 0, writes: 0, kind: null, frame: f.id, ok: true }));
    if (u.frame !== f.id || !fnOk || acc.range) u.ok = false;
    if (isWrite) {
      u.writes++;
      if (!acc.delta) u.ok = false;
      else u.kind = acc.delta;
    } else u.reads++;
  }
  /**
   * Records what a bound write stores (TxBinding.writeValues). A slot written twice (two frames, two functions of a
   * union) gets null: the second value would be computed from the pre-state, not from the first write.
   */
  writeValue(f: Frame, slot: bigint, value: Expr | undefined): void {
    let m = this.out.writeValues.get(f.self);
    if (!m) this.out.writeValues.set(f.self, (m = new Map()));
    m.set(slot, m.has(slot) || value === undefined ? null : f.writtenValue(value));
  }
  incomplete(code: Diagnostic['code'], message: string, pc?: number): void {
    this.out.complete = false;
    if (this.out.diagnostics.length < 200) {
      this.out.diagnostics.push(pc === undefined ? { code, message } : { code, message, pc });
      this.out.diagFrames.push(this.cur);
    }
  }
  /**
   * Writes that may have landed at slots other than the bound ones (a key or guard from a value that may be stale):
   * anywhere, unless no frame can write outside the called contract (`writesOutside`), then anywhere in it.
   */
  widenWrites(): void {
    this.unknownWrite(this.writesOutside || this.tx.to === null ? 'any' : this.tx.to);
  }
  unknownWrite(addr: Hex | 'any'): void {
    if (this.out.unknownWrites === 'any') return;
    if (addr === 'any') this.out.unknownWrites = 'any';
    else this.out.unknownWrites.add(addr);
  }
  add(map: Map<Hex, Set<bigint>>, addr: Hex, slot: bigint): void {
    let s = map.get(addr);
    if (!s) map.set(addr, (s = new Set()));
    s.add(slot);
  }
}

class Frame {
  private memo = new Map<Expr, Val>();
  /** Return data of this frame's calls, by call id, when resolved. */
  readonly callData = new Map<number, () => CallResult>();
  fn: FunctionFootprint | null = null;
  /** The elements of this frame's bytes[] argument were bound as multicall callees (see multicallElements). */
  multicallDone = false;
  /** Call sites on the stack above this frame, with how often each is there (recursion guard). */
  sites: Map<string, number> = new Map();
  /**
   * Guards (path conditions) may drop this frame's accesses and calls: only while every caller's footprint was
   * explored exhaustively, so this frame's input is one some explored path really passes (a call site of a
   * footprint cut short by a limit may stand for paths nobody explored, with other inputs).
   */
  prune = true;
  constructor(
    readonly tx: TxState,
    readonly id: number,
    /** address(this): whose storage and balance */
    readonly self: Hex,
    readonly codeAddr: Hex,
    readonly code: Uint8Array,
    readonly caller: Lazy,
    readonly value: Lazy,
    readonly calldata: Calldata,
    readonly depth: number,
  ) {}

  /** Between the footprints of a union (selector unknown): call ids and memoized values are per footprint. */
  reset(): void {
    this.memo = new Map();
    this.oobSet = new Set();
    this.callData.clear();
  }

  private dep(d: Dep): void {
    if (this.tx.quiet) return;
    if (this.guardMode && d.kind === 'slot') this.tx.guardDep(`${d.addr}|${d.slot}`, this.id);
    else (this.tx.amount ? this.tx.amountDeps : this.tx.deps).push({ dep: d, frame: this.id });
  }

  /** Evaluating a guard: storage reads are guard dependencies, not binding dependencies. */
  private guardMode = false;
  /** Memoized values while the transaction evaluates a written value (TxState.quiet), for `quietEpoch`. */
  private quietMemo = new Map<Expr, Val>();
  private quietOob = new Set<Expr>();
  private quietEpoch = -1;
  /** Memoized values while the transaction evaluates an amount (TxState.amount): their dependencies are apart. */
  private amountMemo = new Map<Expr, Val>();
  private amountOob = new Set<Expr>();

  /** `lazy()` evaluated as an amount (TxState.amount). */
  amountOf(lazy: Lazy): Val {
    const tx = this.tx;
    if (tx.quiet || tx.amount) return lazy();
    tx.amount = true;
    try {
      return lazy();
    } finally {
      tx.amount = false;
    }
  }

  /**
   * The value a write stores, for later transactions' bindings. It decides nothing about this transaction's own
   * accesses, so it is evaluated apart: no dependency, no touched account, no call resolved, and memoized apart in
   * every frame it reaches (a callee's calldata word is its caller's expression).
   */
  writtenValue(e: Expr): bigint | null {
    return this.dry(() => {
      const v = this.eval(e);
      return isUnbound(v) ? null : v;
    });
  }

  /** Runs `fn` with the transaction quiet (see `writtenValue`): evaluations record nothing and are memoized apart. */
  dry<T>(fn: () => T): T {
    const tx = this.tx;
    const oob = this.oobFlag;
    const was = tx.quiet;
    tx.quiet = true;
    tx.quietEpoch++;
    try {
      return fn();
    } finally {
      tx.quiet = was;
      this.oobFlag = oob;
    }
  }

  /** CALLVALUE follows from the transaction's inputs alone (see Calldata.clean). */
  valueClean = true;
  private cleanMemo = new Map<Expr, boolean>();
  private usableMemo = new Map<Expr, boolean>();

  /**
   * Does `e` follow from the transaction's inputs alone in this frame: no storage, balance, code, call result or
   * execution state, and only clean calldata words? `storage`: storage reads are allowed (guards, whose storage
   * reads are checked apart, see bindTx).
   */
  cleanExpr(e: Expr, storage = false): boolean {
    const memo = storage ? this.usableMemo : this.cleanMemo;
    const m = memo.get(e);
    if (m !== undefined) return m;
    const r = this.cleanUncached(e, storage);
    memo.set(e, r);
    return r;
  }

  private cleanUncached(e: Expr, storage: boolean): boolean {
    switch (e.k) {
      case 'const': return true;
      case 'env':
        if (e.name === 'CALLDATASIZE') return this.calldata.clean(null);
        if (e.name === 'CALLVALUE') return this.valueClean;
        return !STATEFUL_ENV.has(e.name);
      case 'cd': return this.calldata.clean(BigInt(e.off));
      case 'cdx': return this.calldata.clean(null) && this.cleanExpr(e.off, storage);
      case 'sload': return storage && !e.transient && this.cleanExpr(e.slot, storage);
      case 'op': return e.args.every((a) => this.cleanExpr(a, storage));
      case 'keccak': return e.words.every((a) => this.cleanExpr(a, storage));
      // Fixed for the whole block: no transaction can change it.
      case 'blockhash': return this.cleanExpr(e.n, storage);
      // A guard may use a call's result when its target and input are usable too (`guardReads` checks what it read).
      case 'callret': case 'callok': return storage && this.callUsable(callRecord(e.call));
      // Code a guard may read (see `eval`: only where it cannot change before or during the transaction).
      case 'ext': return storage && this.cleanExpr(e.addr, storage);
      default: return false;
    }
  }

  /**
   * A guard may use the result of a call whose target, value and input follow from the frame's inputs alone: their
   * evaluation then depends on no state, so resolving the call for a guard adds no dependency to the binding.
   */
  private callUsable(id: number): boolean {
    if (this.tx.noCallGuards) return false;
    const c = this.fn?.calls.find((x) => x.id === id);
    if (!c?.target || !this.cleanExpr(c.target)) return false;
    if (c.kind === 'DELEGATECALL' || c.kind === 'CALLCODE') return false;
    if (c.value && !this.cleanExpr(c.value)) return false;
    if (c.forwardsCalldata) return this.calldata.clean(null);
    if (c.args) return c.args.every((a) => this.cleanExpr(a));
    return !!c.inputSizeExpr && !!c.inputWords && this.cleanExpr(c.inputSizeExpr) && c.inputWords.every((a) => this.cleanExpr(a));
  }

  /**
   * Why a guard must not use a resolved call's result, or undefined: it read a balance (which every transaction's fee
   * changes), code this block may change, a slot an earlier transaction is predicted to write (the resolver runs
   * over the pre-state, not over predicted values), or a slot this binding poisoned. The other slots it read become
   * guard dependencies, checked after binding like a guard's own storage reads (bindTx).
   */
  private guardReads(reads: readonly Dep[]): string | undefined {
    const tx = this.tx;
    const prior = tx.ctx.prior;
    for (const d of reads) {
      if (d.kind === 'balance') return 'it read a balance';
      if (d.kind === 'code') {
        if (prior?.codeChangedBy(d.addr) || tx.out.codeWrites === 'any' || tx.out.codeWrites.has(d.addr)) return `it read code of ${d.addr}, which may change first`;
        continue;
      }
      if (tx.isPoisoned(`${d.addr}|${d.slot}`)) return 'it read a slot this block may change first';
      const named = namedBy(prior, d.addr, d.slot) ?? (tx.out.writes.get(d.addr)?.has(d.slot) ? 'this transaction' : undefined);
      if (named) return `it read ${d.addr} slot ${toWordHex(d.slot)}, which ${named} may write first`;
    }
    for (const d of reads) {
      if (d.kind !== 'slot') continue;
      // What a resolved call read, over the pre-state: stale once anything in this transaction writes it (no frame).
      tx.guardDep(`${d.addr}|${d.slot}`, -1);
      tx.callGuardDeps.add(`${d.addr}|${d.slot}`);
    }
    return undefined;
  }

  /**
   * This frame's inputs as facts for a specialized exploration (src/evm/facts.ts): only what `cleanExpr` accepts, so
   * a decision never rests on storage or a call result (which an earlier transaction may change).
   */
  inputs(): Inputs {
    const cd = this.calldata;
    return {
      word: (off) => {
        if (!cd.clean(off)) return null;
        const w = cd.word(off);
        return isUnbound(w) ? null : w;
      },
      size: (() => {
        if (!cd.clean(null)) return null;
        const n = cd.size();
        return isUnbound(n) ? null : n;
      })(),
      env: (name) => {
        if (STATEFUL_ENV.has(name) || (name === 'CALLVALUE' && !this.valueClean)) return null;
        const v = this.env(name);
        return isUnbound(v) ? null : v;
      },
      // Read as a guard reads storage: not where this binding poisoned the slot, and checked after binding like a
      // guard's (bindTx): a slot an earlier transaction is predicted to write is poisoned and the transaction bound
      // again.
      storage: (slot) => this.concrete({ k: 'sload', slot: { k: 'const', v: `0x${slot.toString(16)}` } }),
      // Read as a guard reads code: only an account that has code (see `eval`, 'ext').
      code: (what, addr) => this.concrete({ k: 'ext', what, addr: { k: 'const', v: `0x${addr.toString(16)}` } }),
      blockhash: (n) => this.concrete({ k: 'blockhash', n: { k: 'const', v: `0x${n.toString(16)}` } }),
    };
  }

  /**
   * `e & mask`, evaluating only the parts of `e` that can set bits of `mask`: a call input packed at an unaligned
   * offset (abi.encodeWithSelector) shares each word between two arguments, and a key taken from one of them must not
   * depend on the other (an amount computed from a call result).
   */
  evalBits(e: Expr, mask: bigint): Val {
    const s = bitSplit(e, mask);
    switch (s?.k) {
      case undefined: {
        const v = this.eval(e);
        return isUnbound(v) ? v : v & mask;
      }
      case 'zero':
        return 0n;
      case 'narrow':
        return this.evalBits(s.e, s.mask);
      case 'join': {
        const a = this.evalBits(s.x, mask);
        if (isUnbound(a)) return a;
        const b = this.evalBits(s.y, mask);
        if (isUnbound(b)) return b;
        return (s.op === 'OR' ? a | b : a ^ b) & mask;
      }
      case 'shift': {
        const v = this.evalBits(s.e, s.mask);
        if (isUnbound(v)) return v;
        return (s.op === 'SHR' ? v >> s.by : (v << s.by) & MASK) & mask;
      }
    }
  }

  /** `cleanExpr` for the bits of `mask` only (see `evalBits`). */
  cleanBits(e: Expr, mask: bigint): boolean {
    const s = bitSplit(e, mask);
    switch (s?.k) {
      case undefined:
        return this.cleanExpr(e);
      case 'zero':
        return true;
      case 'narrow': case 'shift':
        return this.cleanBits(s.e, s.mask);
      case 'join':
        return this.cleanBits(s.x, mask) && this.cleanBits(s.y, mask);
    }
  }

  /** Usable by a guard (see src/hints/guards.ts). */
  readonly guardUsable = (e: Expr): boolean => this.cleanExpr(e, true);

  /** Set while evaluating when a value read calldata past its end (see `evalOob`). */
  private oobFlag = false;
  private oobSet = new Set<Expr>();

  /** `e`'s value when it binds, else null (for guards). */
  readonly concrete = (e: Expr): bigint | null => {
    // Guard expressions are objects of their own (never shared with keys or targets), so their memoized values and
    // the dependencies recorded on first evaluation stay apart from the binding's.
    this.guardMode = true;
    try {
      const v = this.eval(e);
      return isUnbound(v) ? null : (v as bigint);
    } finally {
      this.guardMode = false;
    }
  };

  eval(e: Expr): Val {
    let memo = this.memo;
    let oobSet = this.oobSet;
    if (this.tx.quiet) {
      if (this.quietEpoch !== this.tx.quietEpoch) {
        this.quietEpoch = this.tx.quietEpoch;
        this.quietMemo = new Map();
        this.quietOob = new Set();
      }
      memo = this.quietMemo;
      oobSet = this.quietOob;
    } else if (this.tx.amount) {
      memo = this.amountMemo;
      oobSet = this.amountOob;
    }
    const m = memo.get(e);
    if (m !== undefined) {
      if (oobSet.has(e)) this.oobFlag = true;
      return m;
    }
    const saved = this.oobFlag;
    this.oobFlag = false;
    const v = this.evalUncached(e);
    if (this.oobFlag) oobSet.add(e);
    this.oobFlag ||= saved;
    memo.set(e, v);
    return v;
  }

  /**
   * Evaluates `e` and says whether the value depends on a calldata word read past the end of the input (often a loop
   * iteration past an array's end). Measured on mainnet, dropping such bindings lost more real slots than it saved
   * extras (callee input sizes are not always exact), so the binder only reports it; kept for diagnostics.
   */
  evalOob(e: Expr): { v: Val; oob: boolean } {
    const saved = this.oobFlag;
    this.oobFlag = false;
    const v = this.eval(e);
    const oob = this.oobFlag;
    this.oobFlag ||= saved;
    return { v, oob };
  }

  private cdWord(off: bigint): Val {
    const size = this.calldata.size();
    if (!isUnbound(size) && off >= size) this.oobFlag = true;
    return this.calldata.word(off);
  }

  private evalUncached(e: Expr): Val {
    const { state, block } = this.tx.ctx;
    switch (e.k) {
      case 'const':
        return BigInt(e.v) & MASK;
      case 'env':
        return this.env(e.name);
      case 'cd':
        return this.cdWord(BigInt(e.off));
      case 'cdx': {
        const off = this.eval(e.off);
        return isUnbound(off) ? off : this.cdWord(off);
      }
      case 'sload': {
        if (e.transient) return new Unbound('transient storage value');
        const slot = this.eval(e.slot);
        if (isUnbound(slot)) return slot;
        if (this.guardMode && this.tx.isPoisoned(`${this.self}|${slot}`)) return new Unbound('a slot this block may change first');
        this.dep({ kind: 'slot', addr: this.self, slot });
        return state.storage(this.self, slot);
      }
      case 'keccak': {
        const ws: bigint[] = [];
        for (const w of e.words) {
          const v = this.eval(w);
          if (isUnbound(v)) return v;
          ws.push(v);
        }
        return keccakWords(ws, (e as { size?: number }).size);
      }
      case 'op': {
        const args: bigint[] = [];
        for (const a of e.args) {
          const v = this.eval(a);
          if (isUnbound(v)) return this.cancel(e) ?? v;
          args.push(v);
        }
        const r = applyOp(e.op, args);
        return r === undefined ? new Unbound(`operator ${e.op}/${e.args.length} not evaluable`) : r;
      }
      case 'callret':
      case 'callok': {
        if (this.tx.quiet) return new Unbound('a call result');
        // Every execution of a call resolves over the pre-state; what it read is a dependency, stale where this
        // transaction writes it first (a balance read again after a transfer), as for the first execution.
        const get = this.callData.get(callRecord(e.call));
        if (get === undefined) return new Unbound(`return value of call #${e.call} (not resolved)`);
        // Resolved outside guard mode, as the binding resolves it (its target and input are memoized for the call's
        // binding too); what the callee read is a dependency of this use: of the binding, or of a guard (`guardReads`).
        const guard = this.guardMode, amount = this.tx.amount;
        this.guardMode = false;
        this.tx.amount = false;
        let r: CallResult;
        try {
          r = get();
        } finally {
          this.guardMode = guard;
          this.tx.amount = amount;
        }
        if (isUnbound(r)) return new Unbound(`return value of call #${e.call}: ${r.why}`);
        if (guard) {
          const why = this.guardReads(r.reads);
          if (why) return new Unbound(`return value of call #${e.call}: ${why}`);
        } else for (const rd of r.reads) this.dep(rd);
        if (e.k === 'callok') return r.ok ? 1n : 0n;
        if (e.word < 0) return BigInt(r.ret.length);
        const w = new Uint8Array(32);
        w.set(r.ret.subarray(32 * e.word, 32 * e.word + 32));
        return bytesToBigint(w);
      }
      case 'balance': {
        if (this.tx.quiet) return new Unbound('a balance');
        const a = this.eval(e.addr);
        if (isUnbound(a)) return a;
        const addr = toAddr(a);
        this.tx.out.touched.add(addr);
        this.tx.out.balanceReads.add(addr);
        this.dep({ kind: 'balance', addr });
        return state.balance(addr);
      }
      case 'ext': {
        // Quiet, only a guard's or an exploration's fact reads code (recording nothing; see `dry`).
        if (this.tx.quiet && !this.guardMode) return new Unbound('code');
        const a = this.eval(e.addr);
        if (isUnbound(a)) return a;
        const addr = toAddr(a);
        if (!this.tx.quiet) this.tx.out.touched.add(addr);
        const code = state.code(addr);
        // A guard, or a specialized exploration's fact, decides on code only where it holds for the whole transaction:
        // an account with code keeps it until the transaction ends (a self-destruct takes effect then), so only an
        // earlier transaction can change it. An account without code may get some from this one (CREATE2).
        if (this.guardMode && (code.length === 0 || this.tx.ctx.prior?.codeChangedBy(addr) !== undefined)) {
          return new Unbound('code this block may change first');
        }
        this.dep({ kind: 'code', addr });
        if (e.what === 'EXTCODESIZE') return BigInt(code.length);
        // EIP-1052: 0 for an account that does not exist or is empty (EIP-161). An empty one exists once ETH reaches
        // it, from an earlier transaction or this one: its hash depends on its balance, which is never current.
        // An account with code, a nonce or a balance stays non-empty through the block (only a transaction it sends
        // moves its ETH, and that sets a nonce); its code is the dependency above.
        if (emptyAccount(state, addr)) {
          this.dep({ kind: 'balance', addr });
          return 0n;
        }
        return BigInt(this.tx.ctx.codeHash(addr));
      }
      case 'blockhash': {
        const n = this.eval(e.n);
        if (isUnbound(n)) return n;
        // The EVM's rule: the 256 blocks before this one, zero for any other number.
        if (n >= block.number || n + 256n < block.number) return 0n;
        const h = block.blockHashes?.get(n);
        return h === undefined ? new Unbound(`BLOCKHASH(${n}) not in block_hashes.json`) : BigInt(h);
      }
      case 'unknown':
        return new Unbound(e.why);
    }
    void block;
    return new Unbound(`unsupported expression ${(e as { k: string }).k}`);
  }

  /**
   * (a + x) - x = a, for an x the binder cannot evaluate: a memory region's end minus its start, where the start
   * depends on an earlier call's RETURNDATASIZE (a multicall's second element). The analyzer hash-conses values, so
   * two structurally equal subexpressions are one value there; `unknown` nodes are never taken as equal.
   */
  private cancel(e: Expr & { k: 'op' }): Val | undefined {
    if (e.op !== 'SUB' || e.args.length !== 2) return undefined;
    const [x, y] = e.args as [Expr, Expr];
    if (x.k !== 'op' || x.op !== 'ADD' || x.args.length !== 2) return undefined;
    if (sameExpr(x.args[1]!, y)) return this.eval(x.args[0]!);
    if (sameExpr(x.args[0]!, y)) return this.eval(x.args[1]!);
    return undefined;
  }

  private env(name: string): Val {
    const { block, state } = this.tx.ctx;
    const tx = this.tx.tx;
    switch (name) {
      case 'CALLER':
        return this.caller();
      case 'ORIGIN':
        return BigInt(tx.from);
      case 'CALLVALUE':
        return this.value();
      case 'ADDRESS':
        return BigInt(this.self);
      case 'CALLDATASIZE':
        return this.calldata.size();
      case 'SELFBALANCE':
        this.dep({ kind: 'balance', addr: this.self });
        return state.balance(this.self);
      case 'TIMESTAMP':
        return block.timestamp;
      case 'NUMBER':
        return block.number;
      case 'COINBASE':
        return block.coinbase;
      case 'GASPRICE':
        return tx.gasPrice;
      case 'BASEFEE':
        return block.baseFee ?? new Unbound('BASEFEE before London');
      case 'CHAINID':
        return block.chainId;
      case 'GASLIMIT':
        return block.gasLimit;
      case 'DIFFICULTY':
        return block.difficulty;
      case 'CODESIZE':
        return BigInt(this.code.length);
      default:
        return new Unbound(`${name} is not known before execution`);
    }
  }
}

/** Structural equality of expressions; false wherever an `unknown` node is involved (two unknowns may differ). */
export function sameExpr(a: Expr, b: Expr): boolean {
  if (a === b) return a.k !== 'unknown';
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'const':
      return BigInt(a.v) === BigInt((b as typeof a).v);
    case 'env':
      return a.name === (b as typeof a).name;
    case 'cd':
      return a.off === (b as typeof a).off;
    case 'cdx':
      return sameExpr(a.off, (b as typeof a).off);
    case 'sload':
      return !!a.transient === !!(b as typeof a).transient && sameExpr(a.slot, (b as typeof a).slot);
    case 'keccak': {
      const o = b as typeof a;
      return a.size === o.size && a.words.length === o.words.length && a.words.every((w, i) => sameExpr(w, o.words[i]!));
    }
    case 'op': {
      const o = b as typeof a;
      return a.op === o.op && a.args.length === o.args.length && a.args.every((w, i) => sameExpr(w, o.args[i]!));
    }
    case 'callret':
      return a.call === (b as typeof a).call && a.word === (b as typeof a).word;
    case 'callok':
      return a.call === (b as typeof a).call;
    case 'balance':
      return sameExpr(a.addr, (b as typeof a).addr);
    case 'ext':
      return a.what === (b as typeof a).what && sameExpr(a.addr, (b as typeof a).addr);
    case 'blockhash':
      return sameExpr(a.n, (b as typeof a).n);
    case 'unknown':
      return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Binding
// ---------------------------------------------------------------------------------------------------------------------

const HARDFORKS = ['chainstart', 'homestead', 'dao', 'tangerineWhistle', 'spuriousDragon', 'byzantium', 'constantinople',
  'petersburg', 'istanbul', 'muirGlacier', 'berlin', 'london', 'arrowGlacier', 'grayGlacier', 'paris', 'mergeNetsplitBlock',
  'shanghai', 'cancun', 'prague', 'osaka'];

/** Does `hardfork` include `since`? A hardfork this list does not know counts as the newest. */
export function forkAtLeast(hardfork: string, since: string): boolean {
  const i = HARDFORKS.indexOf(hardfork);
  return i < 0 || i >= HARDFORKS.indexOf(since);
}

/** EIP-161's empty account (no code, nonce or balance) in `state`: one that EXTCODEHASH sees as absent. */
export function emptyAccount(state: Pick<StateView, 'code' | 'nonce' | 'balance'>, addr: Hex): boolean {
  return state.code(addr).length === 0 && state.nonce(addr) === 0n && state.balance(addr) === 0n;
}

/** Precompiled contracts by hardfork: no storage, no code. */
export function isPrecompile(addr: Hex, hardfork: string): boolean {
  const a = BigInt(addr);
  if (a < 1n) return false;
  const at = (since: string) => forkAtLeast(hardfork, since);
  const max = at('prague') ? 0x11n : at('cancun') ? 0x0an : at('istanbul') ? 0x09n : at('byzantium') ? 0x08n : 0x04n;
  return a <= max;
}

/** The address a contract created by `sender` with `nonce` gets (CREATE). */
export function createAddress(sender: Hex, nonce: bigint): Hex {
  const rlpInt = (n: bigint): Uint8Array => {
    if (n === 0n) return Uint8Array.of(0x80);
    if (n < 0x80n) return Uint8Array.of(Number(n));
    let h = n.toString(16);
    if (h.length % 2) h = '0' + h;
    const b = Buffer.from(h, 'hex');
    return Uint8Array.from([0x80 + b.length, ...b]);
  };
  const a = Buffer.from(sender.slice(2), 'hex');
  const n = rlpInt(nonce);
  const payload = Uint8Array.from([0x80 + 20, ...a, ...n]);
  const all = Uint8Array.from([0xc0 + payload.length, ...payload]);
  return ('0x' + Buffer.from(keccak256(all).subarray(12)).toString('hex')) as Hex;
}

/** Footprints for selectors a contract's analysis does not list, per code and selector. */
const bySelector = new WeakMap<Uint8Array, Map<string, FunctionFootprint>>();
function selectorFootprint(code: Uint8Array, sel: Hex): FunctionFootprint {
  let m = bySelector.get(code);
  if (!m) bySelector.set(code, (m = new Map()));
  let f = m.get(sel);
  if (!f) {
    f = analyzeSelector(code, sel);
    m.set(sel, f);
  }
  return f;
}

/** Specialized footprints per code hash and entry; each holds for inputs satisfying its assumptions. */
const specialized = new Map<string, Specialization[]>();
let specializedCount = 0;
/** Per store, the keys it has been read for (a key's entries join `specialized` once). */
let storeRead = new WeakMap<SpecializationStore, Set<string>>();
/**
 * Work done by specialization since the process started (for `hints --stats` and the benchmarks); `loaded`: entries
 * read from a SpecializationStore.
 */
export const specializationStats = { explored: 0, reused: 0, ms: 0, loaded: 0 };

/** Forgets every specialized footprint (tests: a binding must not depend on what the process bound before). */
export function resetSpecializations(): void {
  specialized.clear();
  specializedCount = 0;
  storeRead = new WeakMap();
}

/** Do this frame's clean inputs satisfy every assumption? */
function satisfies(f: Frame, assumptions: Assumed[]): boolean {
  for (const a of assumptions) {
    // The value as a fact for this frame (what `inputs()` would give an exploration), or null.
    const e = f.cleanExpr(a.expr) ? f.eval(a.expr) : f.cleanExpr(a.expr, true) ? f.concrete(a.expr) : null;
    const v = e === null || isUnbound(e) ? null : e;
    // An open assumption holds where the value is not a fact either; a decision, where it is and decides the same.
    if (a.open) {
      if (v !== null) return false;
      continue;
    }
    if (v === null) return false;
    if (a.truth ? (v !== 0n) !== (a.value !== 0n) : v !== a.value) return false;
  }
  return true;
}

/**
 * `fn` explored again with this frame's concrete inputs (loops over input arrays unrolled, branches the inputs decide
 * taken one way), when that explored more exactly; else null. Cached per code and entry, reused by every frame whose
 * inputs satisfy the same assumptions.
 */
function specialize(f: Frame, codeHash: Hex, fn: FunctionFootprint, store: SpecializationStore | undefined): FunctionFootprint | null {
  if (f.tx.specialized >= MAX_SPECIALIZED_FRAMES) return null;
  const size = f.calldata.size();
  const empty = fn.selector === 'receive';
  let sel: Hex | null = null;
  if (!empty) {
    const s = f.calldata.selector();
    if (isUnbound(s) || isUnbound(size)) return null;
    sel = s;
  }
  const key = `${codeHash}|${sel ?? (empty ? 'receive' : 'short')}`;
  let list = specialized.get(key);
  if (list) specialized.delete(key); // re-inserted below: most recently used last
  else list = [];
  specialized.set(key, list);
  // What a binding depends on (a storage fact is a guard dependency, which can poison the slot and bind the
  // transaction again) is what the chosen specialization's assumptions read, whether it is explored here or reused:
  // candidates are tried, and an exploration reads its facts, without recording anything, and the chosen one's
  // assumptions are read once more below. Otherwise the same transaction bound cold and bound again (the cache
  // filled) depended on different slots (17666333 tx 96: 52 predicted slots cold, 80 again).
  let hit = list.find((x) => f.dry(() => satisfies(f, x.assumptions)));
  if (!hit && store) {
    // The first miss on this key: what other processes (or this one, in an earlier block) stored for it, oldest first.
    let read = storeRead.get(store);
    if (!read) storeRead.set(store, (read = new Set()));
    if (!read.has(key)) {
      read.add(key);
      const stored = store.load(key);
      specializationStats.loaded += stored.length;
      const room = MAX_SPECIALIZATIONS_KEPT - list.length;
      const taken = room > 0 ? stored.slice(-room) : [];
      list.unshift(...taken);
      specializedCount += taken.length;
      hit = list.find((x) => f.dry(() => satisfies(f, x.assumptions)));
    }
  }
  f.tx.specialized++;
  if (hit) specializationStats.reused++;
  else {
    const t0 = performance.now();
    const r = f.dry(() => analyzeSpecialized(f.code, sel, empty, f.inputs()));
    specializationStats.ms += performance.now() - t0;
    specializationStats.explored++;
    hit = { assumptions: r.assumptions, fp: r.fp };
    store?.add(key, hit);
    if (list.length >= MAX_SPECIALIZATIONS_KEPT) list.shift();
    else specializedCount++;
    list.push(hit);
    for (const [k, l] of specialized) {
      if (specializedCount <= MAX_SPECIALIZATIONS || k === key) break;
      specialized.delete(k);
      specializedCount -= l.length;
    }
  }
  satisfies(f, hit.assumptions);
  // A generic footprint explored to the end beats a specialized one cut short by a limit.
  const limited = (x: FunctionFootprint) => x.exhaustive !== true;
  if (limited(hit.fp) && !limited(fn)) return null;
  return hit.fp;
}

/** A footprint with parts the analysis could not name (an unknown slot, call target or input) or cut short. */
function imprecise(fn: FunctionFootprint): boolean {
  return !fn.complete || fn.diagnostics.some((d) => d.code !== 'cross-check' && d.code !== 'rule');
}

function chooseFunctions(a: ContractAnalysis, cd: Calldata, code: Uint8Array, union: boolean): { fns: FunctionFootprint[]; why?: string; label: string } {
  const byName = (s: string) => a.functions.find((f) => f.selector === s);
  const size = cd.size();
  if (!isUnbound(size) && size === 0n) {
    const r = byName('receive') ?? byName('fallback');
    return r ? { fns: [r], label: r.selector } : { fns: [], why: 'empty calldata and no receive/fallback footprint', label: 'receive' };
  }
  const sel = cd.selector();
  if (isUnbound(sel)) {
    if (!union) return { fns: [], why: `selector unknown (${sel.why}): callee not bound`, label: '?' };
    return { fns: a.functions, why: `selector unknown (${sel.why}): every function bound`, label: '?' };
  }
  if (sel !== null) {
    const f = byName(sel);
    if (f) return { fns: [f], label: sel };
  }
  const fb = byName('fallback');
  // A selector the analysis does not list reaches the fallback entry, which covers every unlisted selector at once
  // (msg.sig stays symbolic). Where that entry writes storage (a transparent proxy's admin branch), the code is
  // explored again with exactly this selector, which is exact for it.
  if (fb && sel !== null && fb.writes.some((w) => !w.transient)) return { fns: [selectorFootprint(code, sel)], label: `fallback(${sel})` };
  if (fb) return { fns: [fb], label: sel ? `fallback(${sel})` : 'fallback' };
  return { fns: [], why: `no function for selector ${sel ?? '(short input)'} and no fallback footprint`, label: sel ?? 'fallback' };
}

const STATIC_SAFE: ReadonlySet<string> = new Set(['unknown-slot', 'cross-check', 'rule', 'loop-widened']);

/**
 * A frame bound once: how deep it ran and which call sites were on its stack, whether a limit that depends on those
 * cut its binding short, and the frame ids its binding used.
 */
interface BoundFrame {
  depth: number;
  sites: Map<string, number>;
  cut: boolean;
  firstId: number;
  endId: number;
}

/**
 * What a frame's binding depends on besides its depth and stack, when all of it is known and follows from the
 * transaction's inputs alone (a clean input: evaluating it records no storage dependency); else null.
 */
function frameKey(f: Frame): string | null {
  if (!f.calldata.clean(null)) return null;
  const b = f.calldata.bytes();
  if (isUnbound(b)) return null;
  const c = f.caller();
  // As an amount: a frame bound in full records its own uses of its value; a repeat's skip rests on it (bindFrame).
  const v = f.amountOf(f.value);
  const flags = `${f.valueClean ? 1 : 0}${f.prune ? 1 : 0}${f.multicallDone ? 1 : 0}`;
  return `${f.codeAddr}|${f.self}|${isUnbound(c) ? '?' : c}|${isUnbound(v) ? '?' : v}|${flags}|${Buffer.from(b).toString('hex')}`;
}

/** Every call site on the stack of `earlier` is on `now`'s at least as often (so `now` is cut short no later). */
function sitesCovered(earlier: Map<string, number>, now: Map<string, number>): boolean {
  for (const [site, n] of earlier) if ((now.get(site) ?? 0) < n) return false;
  return true;
}

/** Frames bound, and frames skipped as repeats, since the process started (for `hints` stats and the tests). */
export const frameStats = { bound: 0, repeated: 0 };

function bindFrame(f: Frame): void {
  const tx = f.tx;
  // Fee-on-transfer tokens that swap through a router, and routers that call a token repeatedly, bind the same frame
  // (same code, account, caller, value and input) many times in one transaction: 44-53% of the frames of 18085863 and
  // 17666333. The binder reads the pre-state, so a repeat adds no access; it is skipped when the earlier binding was
  // not cut short by its place on the stack, or ran no deeper and with no more repeats of any call site on its stack
  // (its stack limits cut it no sooner). Limits on the whole transaction (frames, specializations) only tighten, so
  // the earlier binding had at least the room the repeat would have.
  const valueDeps = tx.amountDeps.length;
  const key = tx.ctx.reuseFrames === false ? null : frameKey(f);
  if (key !== null) {
    const prev = tx.bound.get(key);
    if (prev && (!prev.cut || (prev.depth <= f.depth && sitesCovered(prev.sites, f.sites)))) {
      // Skipped because its value equals the earlier frame's: what that value was computed from is the binding's.
      tx.deps.push(...tx.amountDeps.splice(valueDeps));
      // Its slots are now touched by two frames: not a single frame's update, so no delta (TxState.use).
      for (const u of tx.slotUse.values()) if (u.frame >= prev.firstId && u.frame < prev.endId) u.ok = false;
      tx.repeated.push([prev.firstId, prev.endId]);
      frameStats.repeated++;
      return;
    }
  }
  frameStats.bound++;
  const cuts = tx.stackCuts;
  const saved = tx.cur;
  tx.cur = tx.out.frames.length;
  try {
    bindFrameInner(f);
  } finally {
    tx.cur = saved;
    tx.frameEnd.set(f.id, tx.frames);
  }
  if (key !== null && !tx.bound.has(key)) tx.bound.set(key, { depth: f.depth, sites: f.sites, cut: tx.stackCuts > cuts, firstId: f.id, endId: tx.frames });
}

function bindFrameInner(f: Frame): void {
  const tx = f.tx;
  const ctx = tx.ctx;
  const out = tx.out;
  const codeHash = ctx.codeHash(f.codeAddr);
  const a = ctx.analysis(f.code, codeHash, f.codeAddr);
  const entry = { address: f.self, codeAddress: f.codeAddr, codeHash, selector: '?', depth: f.depth };
  out.frames.push(entry);
  if (isUnbound(a)) {
    tx.incomplete('unknown-slot', `${f.codeAddr}: no analysis (${a.why})`);
    tx.unknownWrite('any');
    return;
  }
  const { fns, why, label } = chooseFunctions(a, f.calldata, f.code, ctx.unionOnUnknownSelector === true);
  entry.selector = label;
  if (label === '?') {
    // Every function of this code with unknown input: binding it again (another caller, deeper) adds nothing new.
    const key = `${f.codeAddr}|${f.self}`;
    if (tx.unionBound.has(key)) {
      tx.incomplete('unknown-slot', `${a.name ?? f.codeAddr}: selector unknown again (already bound as a union)`);
      return;
    }
    tx.unionBound.add(key);
  }
  const where = `${a.name ?? f.codeAddr}.${label}`;
  if (why) {
    tx.incomplete('unknown-slot', `${where}: ${why}`);
    tx.unknownWrite('any');
  }
  for (let fn of fns) {
    // The generic footprint's call sites: a specialized one may have dropped some on a fact that turns out stale.
    if (fn.calls.some((c) => c.kind !== 'STATICCALL')) tx.writesOutside = true;
    if (fns.length === 1 && label !== '?' && ctx.specialize !== false && imprecise(fn)) fn = specialize(f, codeHash, fn, ctx.specializations) ?? fn;
    f.fn = fn;
    if (!fn.complete) {
      const reasons = [...new Set(fn.diagnostics.map((d) => `${d.code}: ${d.message}`))];
      const shown = reasons.slice(0, 3).join('; ') + (reasons.length > 3 ? `; +${reasons.length - 3} more` : '');
      tx.incomplete(fn.diagnostics[0]?.code ?? 'unknown-slot', `${where}: footprint incomplete (${shown || 'no reason given'})`);
      // Storage of this frame may be written at slots not listed; a missed call may write anywhere.
      tx.unknownWrite(f.self);
      if (fn.diagnostics.length === 0 || fn.diagnostics.some((d) => !STATIC_SAFE.has(d.code))) tx.unknownWrite('any');
    }
    f.reset();
    bindCalls(f, fn, where);
    bindAccesses(f, fn, where, fns.length === 1 && label !== '?');
  }
}

function bindAccesses(f: Frame, fn: FunctionFootprint, where: string, exact: boolean): void {
  const tx = f.tx;
  const out = tx.out;
  for (const [list, isWrite] of [
    [fn.reads, false],
    [fn.writes, true],
  ] as const) {
    for (const acc of list) {
      if (acc.transient) continue;
      if (f.prune && infeasible(acc.guards, f.concrete, f.guardUsable)) continue;
      const v = f.eval(acc.expr);
      if (isUnbound(v)) {
        tx.incomplete('unknown-slot', `${where}: ${isWrite ? 'write' : 'read'} ${acc.text}: ${v.why}`, acc.pcs[0]);
        if (isWrite) tx.unknownWrite(f.self);
        tx.unnamedIn.add(f.id);
        continue;
      }
      tx.add(isWrite ? out.writes : out.reads, f.self, v);
      if (isWrite) tx.wrote(`${f.self}|${v}`, f.id);
      tx.accessed(f.id, `${f.self}|${v}`, acc.expr);
      tx.use(f, exact && fn.complete, v, isWrite, acc);
      if (isWrite) tx.writeValue(f, v, acc.value);
    }
  }
  for (const b of fn.balanceReads) {
    const v = f.eval(b);
    if (isUnbound(v)) {
      tx.incomplete('unknown-call-target', `${where}: BALANCE of an unbound address: ${v.why}`);
      continue;
    }
    out.balanceReads.add(toAddr(v));
    out.touched.add(toAddr(v));
  }
  for (const t of fn.transfers) {
    const to = f.eval(t.to);
    debit(out, f.self);
    if (isUnbound(to)) {
      tx.incomplete('unknown-call-target', `${where}: ETH transfer to an unbound address: ${to.why}`, t.pc);
      continue;
    }
    credit(out, toAddr(to));
    out.touched.add(toAddr(to));
  }
}

interface PreparedCall {
  call: ExternalCall;
  at: string;
  target: Val;
  value: Lazy;
  calldata: Calldata;
}

/**
 * A DELEGATECALL whose input the analysis cannot describe word by word is, in practice, a proxy forwarding its own
 * calldata (`calldatacopy(0, 0, calldatasize())`). The binder assumes so, to bind the implementation's keys, but
 * cannot prove it: the transaction is marked incomplete where the assumption is made.
 */
function forwarded(f: Frame, call: ExternalCall): boolean {
  if (call.forwardsCalldata) return true; // proven by the analyzer
  if (call.kind !== 'DELEGATECALL' || call.args !== null) return false;
  // An input the analysis describes by length and words is taken as described, unless it does not even give the
  // selector (memory lost, a loop): then the DELEGATECALL is treated as unproven forwarding, as without a description.
  if (call.inputSizeExpr && !isUnbound(new WordsCalldata(f, call).selector())) return false;
  f.tx.incomplete('unknown-call-input', `${f.codeAddr}: DELEGATECALL at pc ${call.pc}: input assumed to be the frame's own calldata (proxy forwarding)`, call.pc);
  return true;
}

/**
 * Registers, for every call of `fn`, a lazy resolver of its return data (so `callret` nodes evaluate on demand, in any
 * order), then binds each callee's footprint.
 */
function bindCalls(f: Frame, fn: FunctionFootprint, where: string): void {
  const tx = f.tx;
  const ctx = tx.ctx;
  const out = tx.out;
  const all: PreparedCall[] = [];
  // Every call's result is resolvable before any guard is evaluated: a guard may test one (a bot's `if (!go) return`).
  for (const call of fn.calls) {
    if (call.kind === 'CREATE' || call.kind === 'CREATE2' || call.kind === 'SELFDESTRUCT') continue;
    const at = `${where}: ${call.kind} at pc ${call.pc}`;
    const target = once(() => (call.target ? f.eval(call.target) : new Unbound('no target expression')), tx);
    const p: PreparedCall = {
      call,
      at,
      get target(): Val {
        return target();
      },
      value: call.kind === 'CALL' || call.kind === 'CALLCODE'
        ? once(() => (call.value ? f.eval(call.value) : 0n), tx)
        : call.kind === 'DELEGATECALL' ? f.value : () => 0n,
      calldata: forwarded(f, call) ? f.calldata : call.inputSize === null && call.inputSizeExpr ? new WordsCalldata(f, call) : new CallCalldata(f, call),
    };
    all.push(p);
    if (ctx.resolveCall) f.callData.set(call.id, once3(() => resolveCallResult(f, p)));
  }
  // Call sites on paths this transaction does not take are not followed.
  const calls = f.prune ? fn.calls.filter((c) => !infeasible(c.guards, f.concrete, f.guardUsable)) : fn.calls;
  const taken = new Set(calls);
  const prepared = all.filter((p) => taken.has(p.call));
  // Call sites that still have several records (one per path, with different inputs): which one the transaction
  // takes is not decided, so their callees must not prune on an input that may be another path's.
  const perPc = new Map<number, number>();
  for (const c of calls) perPc.set(c.pc, (perPc.get(c.pc) ?? 0) + 1);
  for (const call of calls) {
    const at = `${where}: ${call.kind} at pc ${call.pc}`;
    if (call.kind === 'CREATE' || call.kind === 'CREATE2') {
      tx.incomplete('unknown-call-target', `${at}: the created address and its constructor's storage are not predicted`, call.pc);
      out.codeWrites = 'any';
      out.nonceWrites.add(f.self);
      debit(out, f.self);
      tx.unknownWrite('any');
      continue;
    }
    if (call.kind === 'SELFDESTRUCT') {
      debit(out, f.self);
      if (out.codeWrites !== 'any') out.codeWrites.add(f.self);
      const t = call.target ? f.eval(call.target) : new Unbound('no beneficiary');
      if (isUnbound(t)) tx.incomplete('unknown-call-target', `${at}: beneficiary unbound: ${t.why}`, call.pc);
      else credit(out, toAddr(t));
    }
  }
  for (const p of prepared) {
    const { call, at } = p;
    const tv = p.target;
    if (isUnbound(tv)) {
      tx.incomplete('unknown-call-target', `${at}: target unbound: ${tv.why}`, call.pc);
      if (call.kind !== 'STATICCALL') tx.unknownWrite('any');
      continue;
    }
    const target = toAddr(tv);
    out.touched.add(target);
    if (call.kind === 'CALL' || call.kind === 'CALLCODE') {
      const v = f.amountOf(p.value);
      if (isUnbound(v) || v !== 0n) {
        debit(out, f.self);
        if (call.kind === 'CALL') credit(out, target);
      }
    }
    if (isPrecompile(target, ctx.block.hardfork)) continue;
    const changed = ctx.prior?.codeChangedBy(target);
    if (changed) {
      tx.incomplete('unknown-call-target', `${at}: code of ${target} may be changed by ${changed}`, call.pc);
      tx.unknownWrite('any');
    }
    const code = ctx.state.code(target);
    if (code.length === 0) continue;
    if (f.depth + 1 >= MAX_BIND_DEPTH) {
      tx.incomplete('limit-depth', `${at}: call depth ${f.depth + 1} not followed (MAX_BIND_DEPTH)`, call.pc);
      tx.stackCuts++;
      tx.unknownWrite('any');
      continue;
    }
    if (tx.frames >= MAX_BIND_FRAMES) {
      tx.incomplete('limit-depth', `${at}: more than ${MAX_BIND_FRAMES} frames (MAX_BIND_FRAMES)`, call.pc);
      tx.unknownWrite('any');
      continue;
    }
    if (call.kind === 'DELEGATECALL' && target === f.codeAddr && !call.forwardsCalldata) {
      const sel = p.calldata === f.calldata ? new Unbound('unknown input') : p.calldata.selector();
      const elems = isUnbound(sel) ? multicallElements(f) : null;
      if (elems) {
        // A multicall iteration the analysis widened: its input is one of the elements of the frame's own bytes[]
        // argument, which the frame's calldata holds. Bound all of them, once per frame; assumed, hence incomplete.
        tx.incomplete('unknown-call-input', `${at}: input assumed to be an element of the frame's bytes[] argument (multicall), each bound`, call.pc);
        tx.unknownWrite('any');
        if (f.multicallDone) continue;
        f.multicallDone = true;
        for (const el of elems) {
          if (tx.frames >= MAX_BIND_FRAMES) break;
          const child = new Frame(tx, tx.frames++, f.self, target, code, f.caller, f.value, new ConcreteCalldata(el, f.calldata.clean(null)), f.depth + 1);
          child.valueClean = f.valueClean;
          child.sites = f.sites;
          child.multicallDone = true; // an element that is itself a multicall would only bind the same elements again
          bindFrame(child);
        }
        continue;
      }
    }
    if (p.calldata === f.calldata && !call.forwardsCalldata && call.kind === 'DELEGATECALL' && target === f.codeAddr) {
      // Assumed forwarding to its own code would call the same function again forever: a self-DELEGATECALL with an
      // unknown input is a multicall passing on something else, not a proxy.
      tx.incomplete('unknown-slot', `${at}: DELEGATECALL to its own code with an unknown input: callee not bound`, call.pc);
      tx.unknownWrite('any');
      continue;
    }
    const delegate = call.kind === 'DELEGATECALL' || call.kind === 'CALLCODE';
    const self = delegate ? f.self : target;
    const caller: Lazy = call.kind === 'DELEGATECALL' ? f.caller : () => BigInt(f.self);
    // A call site already on the stack (recursion through the same site) is not followed again.
    const site = `${f.codeAddr}@${call.pc}>${target}|${self}`;
    if ((f.sites.get(site) ?? 0) >= MAX_SITE_REPEAT) {
      tx.incomplete('limit-depth', `${at}: call site already ${MAX_SITE_REPEAT} times on the stack (MAX_SITE_REPEAT), not followed`, call.pc);
      tx.stackCuts++;
      tx.unknownWrite('any');
      continue;
    }
    const child = new Frame(tx, tx.frames++, self, target, code, caller, p.value, p.calldata, f.depth + 1);
    child.sites = new Map(f.sites).set(site, (f.sites.get(site) ?? 0) + 1);
    // Guards inside the callee use only its clean input words (Calldata.clean), so a word computed from a call
    // result the transaction changed first (a pair's amountOut) never decides one.
    child.prune = f.prune && fn.exhaustive === true && perPc.get(call.pc) === 1;
    child.valueClean = call.kind === 'DELEGATECALL' ? f.valueClean : !call.value || f.cleanExpr(call.value);
    bindFrame(child);
  }
}

/**
 * Which operand bits decide the bits `mask` of `e` (for `Frame.evalBits` and `Frame.cleanBits`): none (`zero`); both
 * operands', under the same mask (`join`: OR, XOR); one operand's, under a narrower mask (`narrow`: AND with a constant;
 * `shift`: SHR/SHL by a constant, the operand's mask moved back by `by`); or null: `e` as a whole.
 */
type BitSplit =
  | { k: 'zero' }
  | { k: 'join'; op: 'OR' | 'XOR'; x: Expr; y: Expr }
  | { k: 'narrow'; e: Expr; mask: bigint }
  | { k: 'shift'; op: 'SHR' | 'SHL'; by: bigint; e: Expr; mask: bigint };

function bitSplit(e: Expr, mask: bigint): BitSplit | null {
  if (mask === 0n) return { k: 'zero' };
  if (e.k !== 'op' || e.args.length !== 2) return null;
  const [x, y] = e.args as [Expr, Expr];
  switch (e.op) {
    case 'OR': case 'XOR':
      return { k: 'join', op: e.op, x, y };
    case 'AND':
      if (y.k === 'const') return { k: 'narrow', e: x, mask: mask & BigInt(y.v) };
      if (x.k === 'const') return { k: 'narrow', e: y, mask: mask & BigInt(x.v) };
      return null;
    case 'SHR': case 'SHL': {
      if (x.k !== 'const') return null;
      const by = BigInt(x.v);
      if (by >= 256n) return { k: 'zero' };
      return { k: 'shift', op: e.op, by, e: y, mask: e.op === 'SHR' ? (mask << by) & MASK : mask >> by };
    }
    default:
      return null;
  }
}

/** Elements of a multicall's bytes[] argument bound at most. */
export const MAX_MULTICALL_ELEMENTS = 32;

/**
 * The elements of the frame's own `bytes[]` argument (the function's argument types as evmole infers them, e.g.
 * `multicall(bytes[])` or `multicall(uint256,bytes[])`), decoded from its calldata; null when there is no such
 * argument or a word of it is unknown.
 */
function multicallElements(f: Frame): Uint8Array[] | null {
  const types = splitTypes(f.fn?.inputs ?? '');
  const k = types.indexOf('bytes[]');
  if (k < 0) return null;
  const cd = f.calldata;
  const num = (off: bigint): bigint | null => {
    if (off > 1n << 32n) return null;
    const v = cd.word(off);
    return isUnbound(v) || v > 1n << 32n ? null : v;
  };
  const head = num(4n + 32n * BigInt(k));
  if (head === null) return null;
  const arr = 4n + head;
  const n = num(arr);
  if (n === null || n > BigInt(MAX_MULTICALL_ELEMENTS)) return null;
  const out: Uint8Array[] = [];
  for (let i = 0n; i < n; i++) {
    const rel = num(arr + 32n + 32n * i);
    if (rel === null) return null;
    const at = arr + 32n + rel;
    const len = num(at);
    if (len === null || len > 1n << 20n) return null;
    const bytes = new Uint8Array(Number((len + 31n) / 32n) * 32);
    for (let o = 0n; o < len; o += 32n) {
      const w = cd.word(at + 32n + o);
      if (isUnbound(w)) return null;
      bytes.set(wordBytes(w), Number(o));
    }
    out.push(bytes.subarray(0, Number(len)));
  }
  return out;
}

/** Top-level types of an argument list (`uint256,(address,bytes)[],bytes[]` -> three). */
function splitTypes(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    cur += ch;
  }
  if (cur) out.push(cur);
  return out.map((t) => t.trim());
}

function once3<T>(f: () => T): () => T {
  let done = false;
  let v: T;
  return () => {
    if (!done) {
      v = f();
      done = true;
    }
    return v;
  };
}

/** The call's return data from the resolver, when its target and input are fully bound. */
function resolveCallResult(f: Frame, p: PreparedCall): CallResult {
  const tx = f.tx;
  const { call } = p;
  const tv = p.target;
  if (isUnbound(tv)) return tv;
  const target = toAddr(tv);
  const data = p.calldata.bytes();
  if (isUnbound(data)) return data;
  const v = p.value();
  if (isUnbound(v)) return v;
  let from: Hex = f.self;
  if (call.kind === 'DELEGATECALL') {
    const c = f.caller();
    if (isUnbound(c)) return c;
    from = toAddr(c);
  }
  const storageAddr = call.kind === 'DELEGATECALL' || call.kind === 'CALLCODE' ? f.self : target;
  // The analyzer names the call instruction (`pc`); a hand-written footprint over placeholder code has no gas operand.
  const gasLimited = CALL_OPS.has(f.code[call.pc] ?? 0) && !forwardsAllGas(f.code, call.pc);
  const r = tx.ctx.resolveCall!({ kind: call.kind, from, to: target, storageAddr, value: v, data, origin: tx.tx.from, gasPrice: tx.tx.gasPrice, gasLimited });
  if (isUnbound(r)) return r;
  return { ok: r.ok, ret: r.returnData, reads: r.reads };
}

/**
 * The earlier transaction predicted to write this very slot, for guards; without `slotNamedBy`, any earlier change
 * counts (the old, stricter rule).
 */
function namedBy(prior: PriorChanges | undefined, addr: Hex, slot: bigint): string | undefined {
  return prior?.slotNamedBy ? prior.slotNamedBy(addr, slot) : prior?.slotChangedBy(addr, slot);
}

/** Binds the footprints reached by one transaction. */
/** Rebinding rounds when guards used storage a transaction may change first (see bindTx). */
const MAX_GUARD_ROUNDS = 3;

/**
 * Guards may read storage (src/hints/guards.ts). A guard decided on a pre-state value that an earlier transaction,
 * or this one, may write first could drop an access that really happens, so after binding, such slots are
 * poisoned (guards treat them as unknown) and the transaction is bound again, until no guard used one. This
 * transaction's own writes count only where they may come before the read (`TxState.ownStale`): a frame's guards see
 * storage as the frame found it, so a Uniswap V3 pool's swap may decide on slot0 and the ticks it then writes. On the
 * 31 mainnet blocks (before: any write of the transaction poisoned the slot): 1,261 fewer predicted slots that
 * nothing touched (precision 83.26% -> 87.62%), 50 fewer misses, 8 more transactions complete, no violation.
 *
 * Except where the transaction is incomplete anyway and no transaction is predicted to write the slot itself (only
 * unbound writes may reach it, as after almost every block's first aggregator call): then the guard keeps the
 * pre-state value, a cross-check diagnostic names the slot, and the transaction counts as writing anywhere (a wrong
 * decision would hide its real writes from later transactions' checks). Completeness is unchanged; on the 31 mainnet
 * blocks 414 fewer slots predicted (precision 70.09% -> 71.05%), 12 fewer found (recall 81.50% -> 81.45%). A complete
 * transaction is bound again with such slots poisoned, to stay complete; where that binding ends incomplete anyway,
 * the first one's decisions are kept as above (626 fewer slots predicted, precision 76.92% -> 78.74%, none found
 * fewer): a USDT transfer's fee credit to the owner, where the fee rate is zero.
 *
 * The same holds for a slot an earlier transaction is predicted to write with a value the binder could evaluate: the
 * state view reads that value, as keys do, and a transaction incomplete anyway decides on it (a bot's "already done"
 * flag, set by the block's first bot transaction, stops the later ones after one slot). Mainnet: 1,115 fewer slots
 * predicted (precision 79.71% -> 83.23%), 27 fewer found (recall 83.03% -> 82.92%), completeness unchanged.
 *
 * A guard that used a call's result (`Frame.guardReads`) on a slot that may change first is not poisoned round after
 * round (each round would surface the next such slot, a router's balanceOf after its own transfer): the transaction
 * is bound again from the start without guards on call results.
 */
export function bindTx(tx: TxInput, ctx: BindContext): TxBinding {
  let poisoned: Set<string> | 'all' = new Set<string>();
  // The last complete binding whose guards read slots only unbound writes may change (`vague`): kept if binding
  // again with them poisoned ends incomplete (bound both ways, USDT reads its fee credit's key, the owner, from such
  // a slot).
  let keep: { st: TxState; vague: Array<[string, string]> } | null = null;
  /** Keeps a binding's decisions on such slots: named in cross-checks, and the transaction may write anywhere. */
  const decideVague = (k: { st: TxState; vague: Array<[string, string]> }): TxBinding => {
    for (const [, m] of k.vague) k.st.incomplete('cross-check', m);
    k.st.widenWrites();
    return k.st.out;
  };
  let noCallGuards = false;
  for (let round = 0; ; round++) {
    const st = bindOnce(tx, ctx, poisoned, noCallGuards);
    if (poisoned === 'all') return keep && !st.out.complete ? decideVague(keep) : st.out;
    const out = st.out;
    const bad: string[] = [];
    /** Stale-able only through unbound writes (no transaction is predicted to write the slot itself). */
    const vague: Array<[string, string]> = [];
    for (const k of st.guardDeps) {
      if (poisoned.has(k)) continue;
      const [addr, slotText] = k.split('|') as [Hex, string];
      const slot = BigInt(slotText);
      const uw = out.unknownWrites;
      const prior = namedBy(ctx.prior, addr, slot);
      const named = prior ?? (st.ownStale(k) ? 'this transaction' : undefined);
      // An earlier writer's predicted value, which the state view read: decided on as a key is (kept only where the
      // transaction is incomplete anyway, below). Also where this transaction writes the slot too: checks come before
      // effects (excluding those: 67 more extras on mainnet, no miss fewer).
      const p = prior ? ctx.prior?.predicted?.(addr, slot) : undefined;
      if (p) vague.push([k, `guard read ${addr} slot ${toWordHex(slot)}, which ${prior} may write first (read as ${hex(p.value)}, what tx ${p.tx} is predicted to store)`]);
      else if (named) bad.push(k);
      else {
        const why = ctx.prior?.slotChangedBy(addr, slot) ?? ((uw === 'any' || uw.has(addr)) && ctx.prior?.slotWritable?.(addr, slot) !== false ? 'this transaction (an unbound write)' : undefined);
        if (why) vague.push([k, `guard read ${addr} slot ${toWordHex(slot)}, which ${why} may write first`]);
      }
    }
    if (!noCallGuards && bad.some((k) => st.callGuardDeps.has(k))) {
      // A call's result decided a guard on a slot that may change first (often by this transaction: a router's
      // balanceOf after its own transfer). Poisoning it would only surface the next such slot, round after round:
      // bind again from the start, without guards on call results.
      noCallGuards = true;
      poisoned = new Set<string>();
      keep = null;
      round = -1;
      continue;
    }
    if (bad.length === 0 && vague.length === 0) return keep && !out.complete ? decideVague(keep) : out;
    if (bad.length === 0 && !out.complete) return decideVague(keep ?? { st, vague });
    if (bad.length === 0) keep = { st, vague };
    // The named ones first: the rebinding may still end incomplete, and then keep the vague ones' decisions.
    const next = bad.length > 0 ? bad : vague.map(([k]) => k);
    poisoned = round + 1 >= MAX_GUARD_ROUNDS ? 'all' : new Set([...poisoned, ...next]);
  }
}

/** Adds `frame` to the frames listed for `key`, once. */
function addFrame(m: Map<string, number[]>, key: string, frame: number): void {
  const l = m.get(key);
  if (!l) m.set(key, [frame]);
  else if (!l.includes(frame)) l.push(frame);
}

/** A structural key for an expression (footprints are cached, so each is computed once per expression object). */
const exprKeys = new WeakMap<Expr, string>();
function exprKey(e: Expr): string {
  let k = exprKeys.get(e);
  if (k === undefined) exprKeys.set(e, (k = JSON.stringify(e)));
  return k;
}

function bindOnce(tx: TxInput, ctx: BindContext, poisoned: Set<string> | 'all', noCallGuards: boolean): TxState {
  const st = new TxState(ctx, tx);
  st.poisoned = poisoned;
  st.noCallGuards = noCallGuards;
  const out = st.out;
  out.nonceWrites.add(tx.from);
  debit(out, tx.from);
  out.balanceReads.add(tx.from);
  if (tx.to === null) {
    const created = createAddress(tx.from, tx.nonce);
    out.touched.add(created);
    if (out.codeWrites !== 'any') out.codeWrites.add(created);
    out.nonceWrites.add(created);
    if (tx.value !== 0n) credit(out, created);
    st.incomplete('unknown-slot', `contract creation at ${created}: the constructor's storage writes are not predicted`);
    st.unknownWrite(created);
    st.unknownWrite('any');
  } else {
    const to = tx.to;
    out.touched.add(to);
    if (tx.value !== 0n) credit(out, to);
    const changed = ctx.prior?.codeChangedBy(to);
    const noGasForCode = tx.input.length === 0 && tx.gas !== undefined && tx.gas <= PLAIN_TRANSFER_GAS;
    if (changed && !noGasForCode) {
      st.incomplete('unknown-call-target', `code of ${to} may be changed by ${changed}`);
      st.unknownWrite('any');
    }
    const code = ctx.state.code(to);
    if (!isPrecompile(to, ctx.block.hardfork) && code.length > 0) {
      const frame = new Frame(st, st.frames++, to, to, code, () => BigInt(tx.from), () => tx.value, new ConcreteCalldata(tx.input), 0);
      frame.prune = ctx.guards !== false;
      bindFrame(frame);
    }
  }
  checkDeps(st);
  out.completeIfPriorAsPredicted = out.complete;
  for (const u of st.slotUse.values()) {
    if (u.ok && u.reads === 1 && u.writes === 1 && u.kind && !st.unnamedIn.has(u.frame)) out.deltas.push([u.addr, u.slot, u.kind]);
  }
  return st;
}

/**
 * A binding read a pre-state value (a key, a target, a proxy's implementation): if an earlier transaction, or this
 * transaction itself, may write it first, the value used may be wrong, so the transaction cannot be complete.
 */
function checkDeps(st: TxState): void {
  const out = st.out;
  const before = out.staleDeps;
  const prior = st.ctx.prior;
  // Keys, targets and inputs: a stale one may send this transaction's writes anywhere (below). Amounts only decide
  // whether ETH moves: stale, they make the binding incomplete, nothing more.
  for (const [deps, amount] of [[st.deps, false], [st.amountDeps, true]] as const) {
    const what = amount ? 'an amount' : 'binding';
    // The frames that read each slot: a frame's own write, or one made after it returned, cannot come first.
    const readers = new Map<string, number[]>();
    for (const { dep, frame } of deps) if (dep.kind === 'slot') addFrame(readers, `${dep.addr}|${dep.slot}`, frame);
    const seen = new Set<string>();
    const stale = (message: string) => {
      if (!amount) out.staleDeps++;
      st.incomplete('cross-check', message);
    };
    for (const { dep } of deps) {
      const key = dep.kind === 'slot' ? `s${dep.addr}${dep.slot}` : `${dep.kind[0]}${dep.addr}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let why: string | undefined;
      if (dep.kind === 'slot') {
        // What verify counts as a binding read from the pre-state (keys, targets, inputs), amounts not included.
        if (!amount) st.add(out.bindingReads, dep.addr, dep.slot);
        why = prior?.slotChangedBy(dep.addr, dep.slot);
        if (!why) {
          const k = `${dep.addr}|${dep.slot}`;
          const own = readers.get(k)!.some((r) => st.writtenBefore(k, r));
          const uw = out.unknownWrites;
          if (own) why = 'this transaction';
          else if (uw === 'any' || uw.has(dep.addr)) why = 'this transaction (an unbound write)';
        }
        if (why) {
          const p = prior?.predicted?.(dep.addr, dep.slot);
          const used = p ? ` (read as ${hex(p.value)}, what tx ${p.tx} is predicted to store)` : '';
          stale(`${what} read ${dep.addr} slot ${toWordHex(dep.slot)}, which ${why} may write first${used}`);
        }
      } else if (dep.kind === 'balance') {
        // Balances change with every transaction's fees and values: any binding on a balance is not provably current.
        stale(`${what} read the balance of ${dep.addr}, which changes during the block`);
      } else {
        why = prior?.codeChangedBy(dep.addr);
        if (!why && (out.codeWrites === 'any' || out.codeWrites.has(dep.addr))) why = 'this transaction';
        if (why) stale(`${what} read the code of ${dep.addr}, which ${why} may change first`);
      }
    }
  }
  // Keys or targets bound from a value that may be stale may be wrong: this transaction's writes may then land
  // anywhere (in the called contract, when nothing else can be written), which later transactions' staleness checks
  // must know.
  if (out.staleDeps > before) st.widenWrites();
}
