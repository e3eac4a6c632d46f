/**
 * The abstract EVM: explores every path of one entry (a selector, fallback or receive) over symbolic values and tells
 * its observers (analyzers/) what each step does to storage, calls and balances. It never decides what a footprint
 * is; it only reports steps and the imprecision it introduced (diagnostics).
 *
 * Termination: states at a program point are keyed by the jump destinations on their stack (the internal-call
 * context); past MAX_STATES_PER_POINT distinct states a point joins them, turning differing stack words into
 * `unknown` and memory written since their common history into havoc; storage slots either path wrote stay written,
 * with values joined as stack words are (`joinStore`). Joins only widen, so loops reach a fixpoint.
 */
import type { CallKind, Diagnostic, DiagnosticCode } from '../types.js';
import { MAX_CALLS_PER_FUNCTION, MAX_CALLS_PER_FUNCTION_FACTS, MAX_CONTEXTS_PER_POINT, MAX_ROUND_LOOKBACK, MAX_UNDECIDED_UNROLL, MAX_UNROLL_PER_POINT, REVERT_PEEK_STEPS, MAX_JOIN_ENTRIES, MAX_JOIN_ENTRIES_FACTS, MAX_JOIN_PLACES, MAX_JOIN_PLACES_FACTS, MAX_JOIN_STORE_SLOTS, MAX_JOINS_PER_POINT, MAX_STORE_ALIASES, MAX_STACK_EXPLORED, MAX_REGION_WORDS, MAX_STATES_PER_POINT, MAX_STEPS_PER_FUNCTION, MAX_CALL_INPUT_WORDS_FACTS } from './limits.js';
import { commonTail, havoc, havocAbsolute, havocPointers, type MemEntry, normalise, type Offset, readRange, UNBOUNDED, writeByte, writePartialWord, writeRegion, writeWord } from './memory.js';
import type { Assumption, Facts } from './facts.js';
import { HOLE_KEY, type HoleIndex } from './holes.js';
import { impliedByPath } from './implied.js';
import { OPCODES, type OpInfo } from './opcodes.js';
import { CALL_EXECUTION_STRIDE, hasUnknown, isWidened, type Sym, type SymBuilder, U256, WIDENED } from './sym.js';

/**
 * The branch conditions a path took, newest first (persistent: forks share their history). A node is either a
 * condition known to be non-zero on the path, or the marker of the state the path was admitted as at a program point:
 * at a marker whose continuation also stands for other paths (an identical state dropped there as already seen, or
 * any join at that point), `guardOf` keeps of the conditions before it only those every such path took.
 */
export interface PathNode {
  readonly next: PathNode | null;
  readonly cond: Sym | null;
  readonly point: Marker | null;
  /** At a point marker: the path's count of undecided forks (State.undecided) when it was admitted there. */
  readonly undecided?: number;
  /**
   * After a join (`next` null): the arriving path, only for telling a loop's rounds (`round`); its conditions do not
   * hold for the joined state. Without it, a join inside a round (a call result checked both ways) made the next
   * visit of the loop's head a first one, joined with the rounds before, and widened the loop's counter.
   */
  readonly before?: PathNode | null;
  /**
   * After a join: the paths whose continuation the joined state is (the arriving one, then those it covered later).
   * What holds on all of them holds after the join (`guardOf`).
   */
  merged?: PathSet;
}

/** Paths a join node remembers (`PathNode.merged`); past it the join keeps no condition from before it. */
const MAX_MERGED_PATHS = 32;
/** Conditions of each merged path compared (`commonGuard`). */
const MAX_MERGED_CONDITIONS = 12;

/** A path's marker at a program point (PathNode.point): `base` as `Point.base`, for telling a loop's rounds. */
export interface Marker {
  multi: boolean;
  pc: number;
  base: string;
  /**
   * Once `multi`, the other paths this state's continuation stands for (dropped here as identical, or merged into a
   * join of this point, whose records this state's may stand in for); a full set means unknown ones too.
   */
  also?: PathSet[];
}

/** Paths whose continuation one state's is; `full` past MAX_MERGED_PATHS (then some are not listed). */
export interface PathSet {
  paths: (PathNode | null)[];
  full: boolean;
}

function addPath(set: PathSet, path: PathNode | null): void {
  if (set.paths.length < MAX_MERGED_PATHS) set.paths.push(path);
  else set.full = true;
}

/**
 * The conditions that hold whenever execution reaches a place with this path, newest first, at most `max`: the
 * conditions after the newest merge point, then those every path merged there took. Conditions over unknown values
 * are left out (they decide nothing for a binder). Fewer conditions is the safe direction: a binder prunes an access
 * only when one of them is false.
 */
export function guardOf(path: PathNode | null, max: number): Sym[] {
  const out: Sym[] = [];
  for (let n = path; n && out.length < max; n = n.next) {
    if (n.point) {
      if (!n.point.multi) continue;
      // Where this continuation also stands for other paths, what holds on each of them still holds.
      for (const c of commonGuard(n)) if (out.length < max && !out.includes(c)) out.push(c);
      break;
    }
    if (!hasUnknown(n.cond!)) out.push(n.cond!);
  }
  return out;
}

/** Per multi marker node, the conditions common to every path it stands for (asked once exploration is over). */
const commonGuards = new WeakMap<PathNode, Sym[]>();

function commonGuard(n: PathNode): Sym[] {
  const memo = commonGuards.get(n);
  if (memo !== undefined) return memo;
  // A join node stands for its merged paths; a state's marker for its own path and the sets it was given.
  const sets = n.merged ? [n.merged] : n.point!.also;
  if (!sets || sets.some((s) => s.full)) return [];
  // A loop's joined state can come round to its own join: inside that, the join contributes nothing (the safe side).
  commonGuards.set(n, []);
  let common: Sym[] | null = n.merged ? null : guardOf(n.next, MAX_MERGED_CONDITIONS);
  for (const s of sets) {
    for (const m of s.paths) {
      if (common !== null && common.length === 0) break;
      const g = guardOf(m, MAX_MERGED_CONDITIONS);
      common = common === null ? g : common.filter((c) => g.includes(c));
    }
  }
  commonGuards.set(n, common ?? []);
  return common ?? [];
}

/** Most conditions `recentConds` returns. */
const MAX_RECENT_CONDS = 8;

/**
 * The conditions a path took since its newest marker: they hold on every path that shares this state,
 * even if the marker turns `multi` later (a path dropped there continues by the same forks).
 */
function recentConds(path: PathNode | null): Sym[] {
  const out: Sym[] = [];
  for (let n = path; n && !n.point && out.length < MAX_RECENT_CONDS; n = n.next) if (n.cond && !hasUnknown(n.cond)) out.push(n.cond);
  return out;
}

/** An external call (or CREATE, SELFDESTRUCT) as the machine saw it. */
export interface CallSite {
  id: number;
  kind: CallKind;
  pc: number;
  target: Sym | null;
  value: Sym | null;
  /** 4-byte selector when the first input bytes are constant. */
  selector: bigint | null;
  /** Input words after the selector (or all input when shorter than 4 bytes / no selector); null when unknown. */
  args: Sym[] | null;
  inputSize: number | null;
  /** The input is the frame's whole calldata, copied unchanged (proxy forwarding). */
  forwardsCalldata: boolean;
  /**
   * When the input's place is known but its length is not a constant (a dynamic `bytes` argument passed on): the
   * length as a symbolic value, and the input's first words (selector included) as memory holds them. A binder that
   * knows the length concretely rebuilds the exact input (bytes past the length are not sent).
   */
  inputSizeSym?: Sym;
  inputWords?: Sym[];
  /** The path that reached the site (the first one; later ones arrive through `callPath`). */
  path: PathNode | null;
}

/** What an analysis watching the machine may hear about. All optional. */
export interface Observer {
  sload?(pc: number, slot: Sym, transient: boolean, path: PathNode | null): void;
  sstore?(pc: number, slot: Sym, value: Sym, transient: boolean, path: PathNode | null): void;
  call?(site: CallSite): void;
  /** A call site already reported reached again on another path. */
  callPath?(id: number, path: PathNode | null): void;
  balance?(pc: number, addr: Sym, path: PathNode | null): void;
  /**
   * A value consumed by anything but arithmetic (stored, compared by a conditional jump, used as an offset, a key, a
   * call argument, logged): where a storage value may influence the transaction's behaviour. `operand`: its stack
   * position as the instruction takes it, 1 = top (SSTORE: 1 slot, 2 value; JUMPI: 1 destination, 2 condition).
   */
  use?(pc: number, op: string, operand: number, value: Sym): void;
  /** Every executed instruction (cheap analyses such as mutability). */
  step?(pc: number, op: OpInfo): void;
  /** A conditional jump whose condition is not constant (both ways are explored). */
  branch?(pc: number, cond: Sym): void;
}

export interface ExploreOptions {
  /** Where to start (0 for a normal call). */
  entry?: number;
  /** Step budget (default and cap: MAX_STEPS_PER_FUNCTION). */
  maxSteps?: number;
  /** When given, every executed pc is marked (for the CFG cross-check). */
  visited?: Uint8Array;
  /**
   * Concrete inputs of one call (src/evm/facts.ts): branches, offsets and lengths they decide are taken as decided
   * (each decision recorded in `assumptions`), and states that differ in constants are kept apart at a program point
   * (up to MAX_UNROLL_PER_POINT), so loops over input arrays unroll exactly instead of widening.
   */
  facts?: Facts;
}

export interface ExploreResult {
  steps: number;
  diagnostics: Diagnostic[];
  /** False when an exploration limit cut paths off or a jump could not be followed. */
  exhaustive: boolean;
  /** With `facts`: the decisions taken on them (the result holds for inputs that satisfy all of them). */
  assumptions: Assumption[];
}

/**
 * A path's storage writes, newest first (persistent: forks share their history). An entry with no slot is a barrier:
 * an external call that may have changed what the path wrote before it (`havoc` false), or a join that gave up on
 * the slots its paths wrote (`havoc`: every read below it is unknown).
 */
interface StoreEntry {
  readonly next: StoreEntry | null;
  readonly slot: Sym | null;
  readonly val: Sym;
  readonly transient: boolean;
  readonly id: number;
  /** Entries below this one, plus one (`commonTail`). */
  readonly len: number;
  /** A join's entries share its group (their values already account for each other); 0 for a write. */
  readonly group: number;
  readonly havoc?: boolean;
}

function pushStore(next: StoreEntry | null, slot: Sym | null, val: Sym, transient: boolean, group: number, havoc?: boolean): StoreEntry {
  const e: StoreEntry = { next, slot, val, transient, id: nextStoreId++, len: (next?.len ?? 0) + 1, group };
  return havoc ? { ...e, havoc } : e;
}

/** A sum's non-constant terms (ordered by id) and its constant part. */
function addTerms(s: Sym): [Sym[], bigint] {
  const terms: Sym[] = [];
  let c = 0n;
  const flat = (t: Sym): void => {
    if (t.k === 'op' && t.name === 'ADD' && terms.length < 8) t.args.forEach(flat);
    else if (t.isConst) c = (c + t.v) & U256;
    else terms.push(t);
  };
  flat(s);
  terms.sort((a, b) => a.id - b.id);
  return [terms, c];
}

/** Slots below this are a contract's fixed layout (solc places hashed regions far above). */
const SMALL_SLOT = 1n << 64n;
/** A constant this large in a slot sum is a precomputed hash (a dynamic array's data, an EIP-1967 slot). */
const HASH_CONST = 1n << 128n;

/**
 * Where a slot lies: a fixed-layout constant (`small`), or a hashed region (`hashed`, with its hash when the sum has
 * exactly one hash term and nothing else symbolic: `exact`); null when the slot is neither (a stored value as slot).
 */
function region(terms: Sym[], c: bigint): { small: boolean; hash: Sym | null; exact: boolean } | null {
  if (terms.length === 0) return { small: c < SMALL_SLOT, hash: null, exact: false };
  const hashes = terms.filter((t) => t.k === 'keccak');
  if (hashes.length === 0 && c < HASH_CONST) return null;
  return { small: false, hash: hashes.length === 1 ? hashes[0]! : null, exact: hashes.length === 1 && terms.length === 1 };
}

/**
 * May two storage slots (or hashed words) be equal? False only when provably different, or different under the
 * assumptions solc's storage layout makes (src/table/conflicts.ts `meet`): constants differ; a fixed-layout slot is
 * never in a hashed region; hashes of different lengths, or with a word both hold as provably different values, are
 * different regions; one hash at two constant offsets never meets another.
 */
function mayEqual(x: Sym, y: Sym, depth = 0): boolean {
  if (x === y) return true;
  // `t + c1` and `t + c2` (struct fields, array elements at one index) differ exactly when the constants do.
  const [tx, cx] = addTerms(x), [ty, cy] = addTerms(y);
  if (sameSyms(tx, ty)) return cx === cy;
  const rx = region(tx, cx), ry = region(ty, cy);
  if (!rx || !ry) return true;
  // (Two constants were compared above; `region` is non-null for a sum only in a hashed region.)
  if (rx.small || ry.small) return false;
  const hx = rx.hash, hy = ry.hash;
  if (!hx || !hy) return true;
  if (hx === hy) return true;
  if (hx.n !== hy.n || hx.args.length !== hy.args.length) return false;
  if (depth > 4) return true;
  let words = true;
  for (let i = 0; i < hx.args.length && words; i++) if (!mayEqual(hx.args[i]!, hy.args[i]!, depth + 1)) words = false;
  if (!words) return false;
  return !(rx.exact && ry.exact && cx !== cy);
}

/**
 * `State.lastCall` before any call of the frame: its return data is empty (EIP-211), so RETURNDATASIZE is 0 (compilers
 * and hand-written code use it as a cheap zero).
 */
const NO_CALL = -1;
/** `State.lastCall` after a call not recorded (a limit), or where paths with different last calls joined. */
const SOME_CALL = -2;

/**
 * The id a call's results carry on this path; records the execution in `st.runs`. One call id stands for every
 * execution of a call site with the same symbolic inputs (a helper that reads a balance, called before and after a
 * transfer), so a path that executes it again gets results of their own, `id + n * CALL_EXECUTION_STRIDE` for its n-th
 * execution (src/evm/sym.ts). Without it, `balanceAfter - balanceBefore` folded to zero and a `require` on it dropped
 * the rest of the function.
 */
function executionId(st: State, id: number): number {
  const n = st.runs?.get(id) ?? 0;
  st.runs = new Map(st.runs ?? []).set(id, n + 1);
  return id + n * CALL_EXECUTION_STRIDE;
}

/** Executions of each call on either of two joined paths: the later ones' results must not repeat any of theirs. */
function mergeRuns(a: ReadonlyMap<number, number> | null, b: ReadonlyMap<number, number> | null): ReadonlyMap<number, number> | null {
  if (!a || a === b) return b;
  if (!b) return a;
  const m = new Map(a);
  for (const [id, n] of b) if ((m.get(id) ?? 0) < n) m.set(id, n);
  return m;
}

interface State {
  pc: number;
  stack: Sym[];
  mem: MemEntry | null;
  store: StoreEntry | null;
  /** Id of the last external call, for RETURNDATACOPY; NO_CALL or SOME_CALL (see there) when there is none. */
  lastCall: number;
  /** Executions of each call id on this path (CALL_EXECUTION_STRIDE); shared between states, never changed. */
  runs: ReadonlyMap<number, number> | null;
  path: PathNode | null;
  /** With facts: forks on this path the facts did not decide, checks that revert at once not counted. */
  undecided: number;
}

interface Point {
  pc: number;
  /** The context without constants (see `enter`): the same for every round of one loop. */
  base: string;
  ctx: number[];
  /**
   * States admitted apart, each with the marker its path carries (PathNode): it turns `multi` when an identical state
   * arrives later and is dropped (its continuation then stands for that path too), or when arrivals here are joined.
   * `path`: the one it arrived by, before its marker (a first join reads its recent conditions, `select`).
   */
  seen: { stack: Sym[]; mem: MemEntry | null; store: StoreEntry | null; lastCall: number; runs: ReadonlyMap<number, number> | null; mark: Marker; path: PathNode | null; dropped?: PathSet }[];
  /** Every path that arrived here once the point was full (joined or covered): the seen states stand in for them. */
  arrivals: PathSet;
  ref: Sym[] | null;
  /** Memory of the state last admitted here (the first one, then each join's result). */
  lastMem: MemEntry | null;
  /** The oldest memory history common to every state met here (undefined before the first join). */
  tail: MemEntry | null | undefined;
  /** Absolute memory places a join made unknown here (they stay unknown: joins converge). */
  unknownPlaces: Set<number>;
  /** A join here gave up on memory altogether. */
  havocked: boolean;
  /** Storage of the state last admitted here (the first one, then each join's result). */
  lastStore: StoreEntry | null;
  /** The oldest storage history common to every state met here (undefined before the first join). */
  storeTail: StoreEntry | null | undefined;
  /** A state met here made an external call since `storeTail` (the joined store keeps a barrier: joins converge). */
  storeCalled: boolean;
  /** A join here gave up on the slots written since `storeTail` (`MAX_JOIN_STORE_SLOTS`). */
  storeHavocked: boolean;
  /** The hull of the absolute places joined paths had made unknown (`havocabs`): [absFrom, absTo), empty at first. */
  absFrom: number;
  absTo: number;
  joined: Sym[] | null;
  /** The last call of the joined state: -1 once joined paths disagree (RETURNDATASIZE/COPY then unknown). */
  joinedCall: number;
  joinedRuns: ReadonlyMap<number, number> | null;
  /** Conditions every state merged into `joined` took since its newest marker (`recentConds`); null before a join. */
  joinedConds: Sym[] | null;
  /** The path node of the last join here: later arrivals it covers are added to its `merged`. */
  lastJoin: PathNode | null;
  joins: number;
  /** The marker of joined states: always `multi`. */
  mark: Marker;
}

let nextStoreId = 1;

/** Instructions after which a path is not "only a revert". */
const SIDE_EFFECTS: ReadonlySet<string> = new Set(['JUMPI', 'STOP', 'RETURN', 'SELFDESTRUCT', 'SSTORE', 'TSTORE', 'CALL', 'CALLCODE', 'DELEGATECALL', 'STATICCALL', 'CREATE', 'CREATE2', 'LOG0', 'LOG1', 'LOG2', 'LOG3', 'LOG4']);

function sameNumbers(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameSyms(a: Sym[], b: Sym[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

/** Operators whose result is 0 or 1. */
const BOOLEAN_OPS: ReadonlySet<string> = new Set(['LT', 'GT', 'SLT', 'SGT', 'EQ', 'ISZERO']);

/**
 * What a fork tells about the words on the stack: its condition is 0 on the side not taken, and 1 on the taken side
 * when it is 0-or-1 valued; through ISZERO the same holds for its operand, inverted. Short-circuit `x || y` and
 * `x && y` keep `x` on the stack across the jump that skips `y`: settled here, the test after the join decides on that
 * side, instead of forking into a path that cannot happen and sharing its continuation with `y`'s (where the guards
 * of what follows lose the condition on `x`). Exact, since the state itself carries it; conditions with unknown parts
 * are left alone (interned unknowns may stand for different values).
 */
function settleFork(stack: Sym[], cond: Sym, taken: boolean, b: SymBuilder): void {
  if (hasUnknown(cond)) return;
  const known: Array<[Sym, bigint]> = [];
  let x = cond;
  let t = taken;
  for (let d = 0; d < 4; d++) {
    if (!t) known.push([x, 0n]);
    else if ((x.k === 'op' && BOOLEAN_OPS.has(x.name)) || x.k === 'callok') known.push([x, 1n]);
    if (x.k !== 'op' || x.name !== 'ISZERO') break;
    x = x.args[0]!;
    t = !t;
  }
  for (let i = 0; i < stack.length; i++) {
    const s = stack[i]!;
    if (s.isConst) continue;
    for (const [y, v] of known) {
      if (s === y) {
        stack[i] = b.const(v);
        break;
      }
    }
  }
}

/** Array lengths past this are not taken as a bound (a word that only looks like a length). */
const MAX_ARRAY_WORDS = 1 << 16;

/**
 * Where a write at `o` may land in absolute memory when its offset is an absolute place plus an index the analysis
 * widened at a loop (`amounts[i + 1] = ...` after the loop's rounds were joined): the absolute part (the terms without
 * the widened index, which `known` must decide), or null for a write relative to a pointer the analysis does not
 * know (an allocation, which the model keeps apart from absolute memory) and for a write without a widened index.
 */
function indexedFrom(o: Offset, known: (s: Sym) => Sym): number | null {
  if (o.base === null) return null;
  const terms: Sym[] = [];
  const flat = (s: Sym): void => {
    if (s.k === 'op' && s.name === 'ADD') s.args.forEach(flat);
    else terms.push(s);
  };
  flat(o.base);
  let c = BigInt(o.c);
  let widened = false;
  for (const t of terms) {
    if (containsWidened(t)) {
      widened = true;
      continue;
    }
    const v = known(t);
    if (!v.isConst) return null;
    c += v.v;
  }
  return widened && c >= 0n && c < BigInt(UNBOUNDED) ? Number(c) : null;
}

function containsWidened(s: Sym, seen: Set<Sym> = new Set()): boolean {
  if (isWidened(s)) return true;
  if (s.args.length === 0 || seen.has(s)) return false;
  seen.add(s);
  return s.args.some((a) => containsWidened(a, seen));
}

/**
 * Before a write at `o` through a widened index (`indexedFrom`): the elements of the array it writes into become
 * unknown, where the array's length word sits one or two words below the write's absolute part (element `i` or `i + 1`)
 * and is known. Without this, a read of `amounts[3]` after a loop joined at its third round found the zero the array
 * was initialised with, and a specialized exploration of a 3-hop router swap decided that every path reverts.
 * Elsewhere the write stays apart from absolute memory, like a write relative to a pointer: measured on the 31
 * mainnet blocks, making everything from the write's absolute part up to the free-memory pointer (or the end)
 * unknown instead lost recall and precision (81.50% / 70.09% -> 81.03% / 69.91%). `known` decides a value with the
 * exploration's facts (recorded as an assumption) where it can.
 */
function indexed(m: MemEntry | null, o: Offset, b: SymBuilder, code: Uint8Array, known: (s: Sym) => Sym): MemEntry | null {
  const from = indexedFrom(o, known);
  if (from === null) return m;
  for (const k of [1, 2]) {
    const at = from - 32 * k;
    if (at < 0x80) break;
    const len = known(readRange(m, { base: null, c: at }, 32, b, code)[0]!);
    if (len.isConst && len.v > 0n && len.v < BigInt(MAX_ARRAY_WORDS) && from < at + 32 + 32 * Number(len.v)) {
      return havocAbsolute(m, at + 32, 32 * Number(len.v));
    }
  }
  return m;
}

export class Machine {
  private readonly code: Uint8Array;
  private readonly jd: Uint8Array;
  private readonly b: SymBuilder;
  private readonly obs: Observer[];
  private readonly diags = new Map<string, Diagnostic>();
  private readonly calls = new Map<string, number>();
  private exhaustive = true;
  private readonly codeLen: bigint;
  private facts: Facts | null = null;
  /** The point each marker belongs to (PathNode.point), for telling which round a state comes from. */
  private readonly markOwner = new WeakMap<Marker, Point>();
  /** Per round (a point kept apart by constants, or a state's marker), the point its undecided next round opened. */
  private readonly successor = new Map<Point | Marker, Point>();
  /** `s` decided by the facts where they can (an offset or a length), recorded as an assumption. */
  private readonly known = (s: Sym): Sym => (this.facts === null || s.isConst ? s : this.decide(s, false));
  private readonly assumed = new Map<Sym, Assumption>();
  /** Per pc, contexts kept apart by constants (with facts). */
  private readonly unrolled = new Map<number, number>();
  /** Joined words built by `select`: [k, x, y] for `k ? x : y`. */
  private readonly selects = new Map<Sym, [Sym, Sym, Sym]>();
  /** Per pc, states of undecided rounds kept apart by constants (with facts). */
  private readonly undecidedUnrolls = new Map<string, number>();
  /** Bytes the code holds as zeros whose real value is set later (immutables, library addresses): read as unknown. */
  private readonly holes: HoleIndex | null;

  constructor(code: Uint8Array, jumpdests: Uint8Array, builder: SymBuilder, observers: Observer[], holes: HoleIndex | null = null) {
    this.code = code;
    this.codeLen = BigInt(code.length);
    this.jd = jumpdests;
    this.b = builder;
    this.obs = observers;
    this.holes = holes;
  }

  private diag(code: DiagnosticCode, message: string, pc?: number): void {
    const key = code + '|' + message + '|' + (pc ?? '');
    if (!this.diags.has(key)) this.diags.set(key, pc === undefined ? { code, message } : { code, message, pc });
  }

  private isJumpdestConst(s: Sym): boolean {
    if (s.k !== 'const') return false;
    if (s.jd === -1) s.jd = s.v < this.codeLen && this.jd[Number(s.v)] === 1 ? 1 : 0;
    return s.jd === 1;
  }

  /** Explore every path from `entry`. */
  run(opts: ExploreOptions = {}): ExploreResult {
    const b = this.b;
    const code = this.code;
    const points = new Map<number, Point[]>();
    const work: State[] = [{ pc: opts.entry ?? 0, stack: [], mem: null, store: null, lastCall: NO_CALL, runs: null, path: null, undecided: 0 }];
    let steps = 0;
    const visited = opts.visited;
    const maxSteps = Math.min(opts.maxSteps ?? MAX_STEPS_PER_FUNCTION, MAX_STEPS_PER_FUNCTION);
    const callObservers = this.obs.filter((o) => o.call);
    const stepObservers = this.obs.filter((o) => o.step);
    const sloadObservers = this.obs.filter((o) => o.sload);
    const sstoreObservers = this.obs.filter((o) => o.sstore);
    const balanceObservers = this.obs.filter((o) => o.balance);
    const branchObservers = this.obs.filter((o) => o.branch);
    const useObservers = this.obs.filter((o) => o.use);
    this.facts = opts.facts ?? null;
    this.b.onDeep = this.facts ? (s) => { const v = this.decide(s, false); return v.isConst ? v : null; } : null;
    const conc = this.known;

    outer: while (work.length) {
      const st = work.pop()!;
      const stack = st.stack;
      let pc = st.pc;
      let first = true;
      for (;;) {
        if (++steps > maxSteps) {
          this.diag('limit-steps', `exploration stopped after ${maxSteps} steps; accesses on unexplored paths are unknown`);
          this.exhaustive = false;
          break outer;
        }
        const opcode = pc < code.length ? code[pc]! : 0x00;
        const info = OPCODES[opcode]!;
        if (opcode === 0x5b && !first) {
          // Arriving at a block by fall-through: the same join discipline as a jump.
          st.pc = pc;
          if (!this.enter(points, st)) continue outer;
        }
        first = false;
        if (stack.length < info.pops) break; // stack underflow: exceptional halt
        if (info.consumes && useObservers.length > 0) {
          for (let i = 1; i <= info.pops; i++) {
            const v = stack[stack.length - i]!;
            if (!v.isConst) for (const o of useObservers) o.use!(pc, info.name, i, v);
          }
        }
        for (const o of stepObservers) o.step!(pc, info);
        if (visited) visited[pc] = 1;
        const at = pc;
        pc += 1 + info.imm;
        switch (info.name) {
          case 'STOP': case 'RETURN': case 'REVERT': case 'INVALID':
            continue outer;
          case 'JUMPDEST':
            break;
          case 'POP':
            stack.pop();
            break;
          case 'JUMP': case 'JUMPI': {
            const dest = conc(stack.pop()!);
            let cond = info.name === 'JUMPI' ? stack.pop()! : b.const(1n);
            if (!cond.isConst && this.facts) cond = this.decide(cond, true);
            if (!cond.isConst) {
              const taken = impliedByPath(st.path, cond);
              if (taken !== null) cond = b.const(taken ? 1n : 0n);
            }
            if (cond.isConst && cond.v === 0n) break;
            if (!dest.isConst) {
              this.diag('dynamic-jump', 'jump to a computed destination; paths past it are not explored', at);
              this.exhaustive = false;
              if (cond.isConst) continue outer;
              break;
            }
            const d = dest.v < BigInt(code.length) ? Number(dest.v) : -1;
            const valid = d >= 0 && this.jd[d] === 1;
            if (cond.isConst) {
              if (!valid) continue outer; // invalid jump: exceptional halt
              pc = d;
              st.pc = pc;
              if (!this.enter(points, st)) continue outer;
              first = true;
              break;
            }
            for (const o of branchObservers) o.branch!(at, cond);
            // Fork: the taken branch goes on the worklist, this path falls through.
            if (this.facts && this.alternative(valid ? d : null, pc, stack)) st.undecided++;
            if (valid) {
              const fork: State = { pc: d, stack: stack.slice(), mem: st.mem, store: st.store, lastCall: st.lastCall, runs: st.runs, path: { next: st.path, cond, point: null }, undecided: st.undecided };
              settleFork(fork.stack, cond, true, b);
              if (this.enter(points, fork)) work.push(fork);
            }
            settleFork(stack, cond, false, b);
            st.path = { next: st.path, cond: b.op('ISZERO', [cond]), point: null };
            break;
          }
          case 'PC':
            stack.push(b.const(BigInt(at)));
            break;
          case 'KECCAK256': {
            const off = conc(stack.pop()!), len = conc(stack.pop()!);
            stack.push(this.hash(st, off, len));
            break;
          }
          case 'ADDRESS': case 'ORIGIN': case 'CALLER': case 'CALLVALUE': case 'CALLDATASIZE': case 'GASPRICE':
          case 'COINBASE': case 'TIMESTAMP': case 'NUMBER': case 'DIFFICULTY': case 'GASLIMIT': case 'CHAINID':
          case 'BASEFEE': case 'BLOBBASEFEE': case 'GAS': case 'CODESIZE': case 'RETURNDATASIZE': case 'MSIZE':
            if (info.name === 'CODESIZE') stack.push(b.const(BigInt(code.length)));
            else if (info.name === 'RETURNDATASIZE' && st.lastCall >= 0) stack.push(b.retsize(st.lastCall));
            else if (info.name === 'RETURNDATASIZE' && st.lastCall === NO_CALL) stack.push(b.const(0n));
            else stack.push(b.env(info.name));
            break;
          case 'SELFBALANCE': {
            const self = b.env('ADDRESS');
            for (const o of balanceObservers) o.balance!(at, self, st.path);
            stack.push(b.env('SELFBALANCE'));
            break;
          }
          case 'BALANCE': {
            const a = stack.pop()!;
            for (const o of balanceObservers) o.balance!(at, a, st.path);
            stack.push(b.balance(a));
            break;
          }
          case 'EXTCODESIZE': case 'EXTCODEHASH': {
            const a = stack.pop()!;
            stack.push(b.ext(info.name, a));
            break;
          }
          case 'BLOCKHASH':
            stack.push(b.blockhash(stack.pop()!));
            break;
          case 'BLOBHASH':
            stack.pop();
            stack.push(b.unknown('blob hash'));
            break;
          case 'CALLDATALOAD':
            stack.push(b.calldata(conc(stack.pop()!)));
            break;
          case 'CALLDATACOPY': case 'CODECOPY': case 'RETURNDATACOPY': case 'EXTCODECOPY': {
            if (info.name === 'EXTCODECOPY') stack.pop();
            const dest = conc(stack.pop()!), src = conc(stack.pop()!), len = conc(stack.pop()!);
            this.copy(st, info.name, dest, src, len);
            break;
          }
          case 'MCOPY': {
            const dest = conc(stack.pop()!), src = conc(stack.pop()!), len = conc(stack.pop()!);
            this.mcopy(st, dest, src, len);
            break;
          }
          case 'MLOAD': {
            const o = normalise(conc(stack.pop()!));
            stack.push(o ? readRange(st.mem, o, 32, b, code)[0]! : b.unknown('load at an unknown memory offset'));
            break;
          }
          case 'MSTORE': case 'MSTORE8': {
            const off = conc(stack.pop()!), val = stack.pop()!;
            const o = normalise(off);
            if (!o) st.mem = havoc(st.mem);
            else st.mem = info.name === 'MSTORE' ? writeWord(indexed(st.mem, o, b, code, conc), o, val) : writeByte(indexed(st.mem, o, b, code, conc), o, val);
            break;
          }
          case 'SLOAD': case 'TLOAD': {
            const slot = stack.pop()!;
            const transient = info.name === 'TLOAD';
            for (const o of sloadObservers) o.sload!(at, slot, transient, st.path);
            stack.push(this.lookup(st.store, slot, transient));
            break;
          }
          case 'SSTORE': case 'TSTORE': {
            const slot = stack.pop()!, val = stack.pop()!;
            const transient = info.name === 'TSTORE';
            for (const o of sstoreObservers) o.sstore!(at, slot, val, transient, st.path);
            st.store = pushStore(st.store, slot, val, transient, 0);
            break;
          }
          case 'CALL': case 'CALLCODE': case 'DELEGATECALL': case 'STATICCALL': {
            stack.pop(); // gas
            const target = stack.pop()!;
            const value = info.name === 'CALL' || info.name === 'CALLCODE' ? stack.pop()! : null;
            const inOff = conc(stack.pop()!), inLen = conc(stack.pop()!), outOff = conc(stack.pop()!), outLen = conc(stack.pop()!);
            const site = this.callSite(st, at, info.name as CallKind, target, value, inOff, inLen, callObservers, st.path);
            const id = site >= 0 ? executionId(st, site) : -1;
            st.lastCall = id >= 0 ? id : SOME_CALL;
            if (info.name !== 'STATICCALL') this.callBarrier(st);
            const o = normalise(outOff);
            if (!o) st.mem = havoc(st.mem);
            else if (!(outLen.isConst && outLen.v === 0n)) {
              const size = outLen.isConst && outLen.v < BigInt(UNBOUNDED) ? Number(outLen.v) : UNBOUNDED;
              st.mem = writeRegion(indexed(st.mem, o, b, code, conc), o, size, id >= 0 ? { kind: 'ret', call: id, off: 0 } : { kind: 'unknown', why: 'return data' });
            }
            stack.push(id >= 0 ? b.callok(id) : b.unknown('call result'));
            break;
          }
          case 'CREATE': case 'CREATE2': {
            const value = stack.pop()!, inOff = conc(stack.pop()!), inLen = conc(stack.pop()!);
            if (info.name === 'CREATE2') stack.pop(); // salt
            const site = this.callSite(st, at, info.name as CallKind, null, value, inOff, inLen, callObservers, st.path);
            st.lastCall = site >= 0 ? executionId(st, site) : SOME_CALL;
            this.callBarrier(st);
            stack.push(b.unknown('created address'));
            break;
          }
          case 'SELFDESTRUCT': {
            const to = stack.pop()!;
            this.record(callObservers, { kind: 'SELFDESTRUCT', pc: at, target: to, value: b.env('SELFBALANCE'), selector: null, args: [], inputSize: 0, forwardsCalldata: false, path: st.path });
            continue outer;
          }
          default: {
            const name = info.name;
            if (info.imm > 0) {
              const hole = this.holes?.atPush(at);
              if (hole !== undefined) {
                stack.push(b.unknown(hole, HOLE_KEY));
                break;
              }
              let v = 0n;
              for (let i = 0; i < info.imm; i++) v = (v << 8n) | BigInt(code[at + 1 + i] ?? 0); // truncated PUSH pads with zeros
              stack.push(b.const(v));
            } else if (name === 'PUSH0') {
              stack.push(b.const(0n));
            } else if (name.startsWith('DUP')) {
              stack.push(stack[stack.length - info.pops]!);
            } else if (name.startsWith('SWAP')) {
              const top = stack.length - 1, other = top - (info.pops - 1);
              const t = stack[top]!;
              stack[top] = stack[other]!;
              stack[other] = t;
            } else if (name.startsWith('LOG')) {
              stack.length -= info.pops;
            } else if (name === 'INVALID') {
              continue outer;
            } else {
              const args = stack.splice(stack.length - info.pops, info.pops).reverse();
              stack.push(b.op(name, args));
            }
          }
        }
        if (stack.length > 1024) continue outer;
      }
    }
    this.b.onDeep = null;
    return { steps, diagnostics: [...this.diags.values()], exhaustive: this.exhaustive, assumptions: [...this.assumed.values()] };
  }

  /**
   * Did the path fork undecided since it last passed this pc (a loop round whose exit the facts do not decide, such
   * as clearing storage up to a stored length)? Unrolling such a loop would explore every possible count.
   */
  private round(st: State, base: string): { kind: 'first' | 'decided' | 'undecided'; prev: Marker | null } {
    let n = st.path;
    for (let k = 0; n && k < MAX_ROUND_LOOKBACK; n = n.next ?? n.before ?? null, k++) {
      if (n.point && n.point.pc === st.pc && n.point.base === base) return { kind: st.undecided > (n.undecided ?? 0) ? 'undecided' : 'decided', prev: n.point };
    }
    return { kind: 'first', prev: null };
  }

  /**
   * Keep this state apart by its constants? Only when the path comes round to this pc again (a loop: the constants
   * are its counters; on a first visit they are flags, and splitting by them would keep apart the two sides of every
   * `a || b`). Always for a round the facts decided; for an undecided one (a `require` with `&&`, or a loop bounded
   * by storage) only for the first MAX_UNDECIDED_UNROLL new points at this pc in this call context (the other states
   * of such a round join its point, see `enter`).
   */
  private mayUnroll(pc: number, base: string, r: 'decided' | 'undecided'): boolean {
    if (r === 'decided') return true;
    // Per call context: a helper called from two places in the loop's body is two points of it.
    const key = `${pc}|${base}`;
    const n = this.undecidedUnrolls.get(key) ?? 0;
    if (n >= MAX_UNDECIDED_UNROLL) return false;
    this.undecidedUnrolls.set(key, n + 1);
    return true;
  }

  /**
   * Is an undecided fork a real alternative for a loop round? Not when one side only reverts (a failed `require`, a
   * panic) or when both sides meet again within a few instructions (`a || b`, `a && b`, a conditional expression):
   * such forks are checks, and a round that only has those still counts as decided.
   */
  private alternative(taken: number | null, fallthrough: number, stack: Sym[]): boolean {
    // One walk per side: the taken side's jump destinations are collected on the way.
    const seen = new Set<number>();
    if (taken !== null && this.walk(taken, stack, (pc) => (seen.add(pc), false)) === 'revert') return false;
    return this.walk(fallthrough, stack, (pc) => seen.has(pc)) === 'stop';
  }

  /**
   * Straight-line execution from `pc` over the constants of `init` (constant jumps followed), up to
   * REVERT_PEEK_STEPS instructions: 'revert' when it reverts, 'met' when `onJumpdest` says so, else 'stop' (a
   * conditional jump, a side effect, a computed jump, the step budget).
   */
  private walk(pc: number, init: Sym[], onJumpdest?: (pc: number) => boolean): 'revert' | 'met' | 'stop' {
    const code = this.code;
    const stack: (bigint | null)[] = init.map((s) => (s.isConst ? s.v : null));
    for (let n = 0; n < REVERT_PEEK_STEPS; n++) {
      const info = OPCODES[pc < code.length ? code[pc]! : 0x00]!;
      const name = info.name;
      if (name === 'REVERT' || name === 'INVALID') return 'revert';
      if (name === 'JUMPDEST' && onJumpdest?.(pc)) return 'met';
      if (name === 'JUMP') {
        const d = stack.pop();
        if (d === undefined || d === null || d >= this.codeLen || this.jd[Number(d)] !== 1) return 'stop';
        pc = Number(d);
        continue;
      }
      if (SIDE_EFFECTS.has(name) || stack.length < info.pops) return 'stop';
      if (info.imm > 0) {
        let v = 0n;
        for (let i = 0; i < info.imm; i++) v = (v << 8n) | BigInt(code[pc + 1 + i] ?? 0);
        stack.push(this.holes?.atPush(pc) !== undefined ? null : v);
      } else if (name === 'PUSH0') stack.push(0n);
      else if (name.startsWith('DUP')) stack.push(stack[stack.length - info.pops]!);
      else if (name.startsWith('SWAP')) {
        const top = stack.length - 1, other = top - (info.pops - 1);
        const t = stack[top]!;
        stack[top] = stack[other]!;
        stack[other] = t;
      } else {
        stack.length -= info.pops;
        for (let i = 0; i < info.pushes; i++) stack.push(null);
      }
      pc += 1 + info.imm;
    }
    return 'stop';
  }

  /** `s` as the facts decide it (a branch condition: its truth), recorded as an assumption; else `s` itself. */
  private decide(s: Sym, truth: boolean): Sym {
    let v = this.facts!.value(s);
    if (v === null) {
      if (!this.assumed.has(s) && this.facts!.inputOnly(s)) this.assumed.set(s, { sym: s, value: 0n, truth: false, open: true });
      return s;
    }
    if (truth) v = v === 0n ? 0n : 1n;
    const prev = this.assumed.get(s);
    if (!prev) this.assumed.set(s, { sym: s, value: v, truth });
    else if (!truth) prev.truth = false, prev.value = this.facts!.value(s)!;
    return this.b.const(v);
  }

  /**
   * Admission of a state at a jump destination. Returns false when the state adds nothing (seen, or subsumed by the
   * point's join); may widen `st` in place.
   */
  private enter(points: Map<number, Point[]>, st: State): boolean {
    const stack = st.stack;
    if (stack.length > MAX_STACK_EXPLORED) {
      this.diag('limit-paths', `stack deeper than ${MAX_STACK_EXPLORED} at pc ${st.pc}; the path is not explored further`, st.pc);
      this.exhaustive = false;
      return false;
    }
    // The point: pc, stack height and the jump destinations on the stack (the internal-call context).
    let ctx: number[] = [stack.length];
    for (let i = 0; i < stack.length; i++) {
      const s = stack[i]!;
      if (this.isJumpdestConst(s)) ctx.push(i, Number(s.v));
    }
    let list = points.get(st.pc);
    if (!list) points.set(st.pc, (list = []));
    let p: Point | undefined;
    const base = this.facts ? ctx.join(',') : '';
    const rr = this.facts ? this.round(st, base) : null;
    let r: 'first' | 'decided' | 'undecided' = rr?.kind ?? 'first';
    // A first visit to a point already full: in a loop, a round that came by the other side of an undecided fork
    // (the point lies on one side only, so the round before is not on this path). Joined, it would widen the loop's
    // counters; it is kept apart by its constants as an undecided round is, within the same budget.
    if (r === 'first' && this.facts) {
      for (const q of list) if (sameNumbers(q.ctx, ctx)) { if (q.seen.length >= MAX_STATES_PER_POINT) r = 'undecided'; break; }
    }
    /** The round before (see `successor`), when this state opens a new point of its own round. */
    let successorOf: Point | Marker | undefined;
    if (r !== 'first') {
      // With facts, a loop counter is a constant each round: keeping rounds apart unrolls the loop exactly.
      const wide = ctx.slice();
      wide[0] = -1 - stack.length;
      for (let i = 0; i < stack.length; i++) {
        const s = stack[i]!;
        if (s.isConst && s.jd !== 1) wide.push(i, s.id);
      }
      for (const q of list) if (sameNumbers(q.ctx, wide)) { p = q; break; }
      // The round before: its point when that point was kept apart by constants (it holds one round, whose states'
      // next rounds are one round), else the state's own marker (a shared point holds states of several rounds).
      const owner = r === 'undecided' && rr?.prev ? this.markOwner.get(rr.prev) : undefined;
      const prev = owner ? (owner.ctx[0]! < 0 ? owner : rr!.prev!) : undefined;
      const next = prev ? this.successor.get(prev) : undefined;
      const room = (this.unrolled.get(st.pc) ?? 0) < MAX_UNROLL_PER_POINT;
      if (p) ctx = wide;
      else if (next) {
        // An undecided round's other states (those that came from the same point of the round before, differing in
        // flags) join its first one, which took the budget, instead of each taking some: a router's commands each
        // fork on call results, and its second command's states, past the budget, were joined with the first
        // command's, which widened the command index and explored every later command as any command.
        p = next;
        ctx = next.ctx;
      } else if (room && this.mayUnroll(st.pc, base, r)) {
        this.unrolled.set(st.pc, (this.unrolled.get(st.pc) ?? 0) + 1);
        ctx = wide;
        successorOf = prev;
      }
    }
    if (!p) for (const q of list) if (sameNumbers(q.ctx, ctx)) { p = q; break; }
    if (!p) {
      if (list.length >= MAX_CONTEXTS_PER_POINT + (this.facts ? MAX_UNROLL_PER_POINT : 0)) {
        this.diag('limit-paths', `more than ${MAX_CONTEXTS_PER_POINT} call contexts at pc ${st.pc}; paths past it are not explored`, st.pc);
        this.exhaustive = false;
        return false;
      }
      p = { pc: st.pc, base, ctx, seen: [], ref: null, lastMem: null, joined: null, joinedCall: -1, joinedRuns: null, joinedConds: null, lastJoin: null, arrivals: { paths: [], full: false }, tail: undefined, unknownPlaces: new Set(), havocked: false, lastStore: null, storeTail: undefined, storeCalled: false, storeHavocked: false, absFrom: Infinity, absTo: 0, joins: 0, mark: { multi: true, pc: st.pc, base } };
      list.push(p);
      this.markOwner.set(p.mark, p);
      if (successorOf && !this.successor.has(successorOf)) this.successor.set(successorOf, p);
    }
    for (const q of p.seen) {
      if (q.mem === st.mem && q.store === st.store && q.lastCall === st.lastCall && sameSyms(q.stack, stack)) {
        q.mark.multi = true;
        if (!q.dropped) (q.mark.also ??= []).push((q.dropped = { paths: [], full: false }));
        addPath(q.dropped, st.path);
        return false;
      }
    }
    if (p.seen.length < MAX_STATES_PER_POINT) {
      const mark: Marker = { multi: false, pc: st.pc, base: p.base };
      this.markOwner.set(mark, p);
      p.seen.push({ stack: stack.slice(), mem: st.mem, store: st.store, lastCall: st.lastCall, runs: st.runs, mark, path: st.path });
      if (!p.ref) {
        p.ref = p.seen[0]!.stack;
        p.lastMem = st.mem;
        p.lastStore = st.store;
      }
      st.path = { next: st.path, cond: null, point: mark, undecided: st.undecided };
      return true;
    }
    // From here on the arriving path is merged into, or covered by, what was explored from this point. The states
    // admitted apart here keep only the earlier conditions every arrival shares: the joined state's calls and slots are
    // widened, and a sibling's records still stand in for them (a router's last-hop swap for the same swap with the
    // other token order, whose target the join made unknown).
    for (const q of p.seen) {
      if (q.mark.multi && q.mark.also?.includes(p.arrivals)) continue;
      q.mark.multi = true;
      (q.mark.also ??= []).push(p.arrivals);
    }
    addPath(p.arrivals, st.path);
    // Join with what this point has seen.
    const prev = p.joined ?? p.ref!;
    const joined: Sym[] = new Array(stack.length);
    let changed = p.joined === null;
    const where = `${st.pc}/${ctx.join(',')}@`;
    const prevConds = p.joinedConds ?? recentConds(p.seen[0]!.path);
    const conds = recentConds(st.path);
    for (let i = 0; i < stack.length; i++) {
      const a = prev[i]!, c = stack[i]!;
      joined[i] = a === c ? a : this.covers(a, c, conds) ? a : (this.select(a, c, prevConds, conds) ?? this.generalize(a, c, where + i));
      if (joined[i] !== a) changed = true;
    }
    // Memory: everything written since the oldest common history of the states met here becomes unknown (the
    // history only shrinks, so joins converge), except the scratch words and free-memory pointer where the last
    // admitted state and this one agree.
    const tail = commonTail(p.tail === undefined ? p.lastMem : p.tail, st.mem);
    if (tail !== p.tail) changed = true;
    const mem = st.mem === tail ? { mem: tail, changed: false } : this.joinMemory(p, p.lastMem, st.mem, tail);
    if (mem.changed) changed = true;
    // Storage: what either path wrote since their common history stays written, values that differ widened like
    // stack words. Forgetting the writes made later reads see the pre-state and a loop's later rounds look covered.
    const store = this.joinStore(p, st.store, where, prevConds, conds);
    if (store.changed) changed = true;
    const call = p.joined === null ? (p.seen.every((q) => q.lastCall === st.lastCall) ? st.lastCall : SOME_CALL) : p.joinedCall === st.lastCall ? p.joinedCall : SOME_CALL;
    if (p.joined !== null && call !== p.joinedCall) changed = true;
    const common = prevConds.filter((x) => conds.includes(x));
    if (!changed) {
      // Covered: the arriving path goes on as the last joined state.
      if (p.lastJoin) addPath(p.lastJoin.merged!, st.path);
      return false;
    }
    if (++p.joins > MAX_JOINS_PER_POINT) {
      this.diag('limit-paths', `too many joins at pc ${st.pc}; paths past it are not explored`, st.pc);
      this.exhaustive = false;
      return false;
    }
    // The joined state holds results of either path's executions: its next ones must differ from all of them.
    const runs = p.joined === null ? p.seen.reduce((r, q) => mergeRuns(r, q.runs), st.runs) : mergeRuns(p.joinedRuns, st.runs);
    p.joined = joined;
    p.joinedConds = common;
    p.joinedCall = st.lastCall = call;
    p.joinedRuns = st.runs = runs;
    p.tail = tail;
    for (let i = 0; i < stack.length; i++) stack[i] = joined[i]!;
    st.mem = p.lastMem = mem.mem;
    st.store = p.lastStore = store.store;
    p.storeTail = store.tail;
    p.storeCalled = store.called;
    p.storeHavocked = store.havocked;
    const j: PathNode = { next: null, cond: null, point: p.mark, undecided: st.undecided, before: st.path, merged: { paths: [st.path], full: false } };
    p.lastJoin = j;
    st.path = j;
    return true;
  }

  /**
   * Storage over-approximating the last state admitted here (`p.lastStore`) and the arriving one (`c`): their common
   * history, a barrier when either made an external call since, then each slot either wrote since, with the value
   * both read there (`lookup`) joined as a stack word is. Values only widen and the slots only grow, so joins converge.
   */
  private joinStore(p: Point, c: StoreEntry | null, where: string, prevConds: Sym[], conds: Sym[]): { store: StoreEntry | null; tail: StoreEntry | null; called: boolean; havocked: boolean; changed: boolean } {
    const a = p.lastStore;
    const tail = commonTail(p.storeTail === undefined ? a : p.storeTail, c);
    let changed = p.storeTail !== undefined && tail !== p.storeTail;
    let called = p.storeCalled;
    let havocked = p.storeHavocked;
    const slots: StoreEntry[] = [];
    const keys = new Set<string>();
    for (const m of [a, c]) {
      for (let e = m; e && e !== tail; e = e.next) {
        if (e.slot === null) {
          if (e.havoc) havocked = true;
          else called = true;
          continue;
        }
        const k = e.slot.id + (e.transient ? 't' : 's');
        if (!keys.has(k)) {
          keys.add(k);
          slots.push(e);
        }
      }
    }
    if (slots.length > MAX_JOIN_STORE_SLOTS) havocked = true;
    if (called !== p.storeCalled || havocked !== p.storeHavocked) changed = true;
    if (havocked) return { store: pushStore(tail, null, this.b.const(0n), false, 0, true), tail, called, havocked, changed };
    let out = called ? pushStore(tail, null, this.b.const(0n), false, 0) : tail;
    const group = nextStoreId;
    for (let i = slots.length - 1; i >= 0; i--) {
      const e = slots[i]!;
      const slot = e.slot!;
      const va = this.lookup(a, slot, e.transient), vc = this.lookup(c, slot, e.transient);
      const v = va === vc ? va : this.covers(va, vc, conds) ? va : (this.select(va, vc, prevConds, conds) ?? this.generalize(va, vc, where + 's' + slot.id + (e.transient ? 't' : '')));
      if (v !== va) changed = true;
      out = pushStore(out, slot, v, e.transient, group);
    }
    return { store: out, tail, called, havocked, changed };
  }

  /**
   * The value `slot` holds after the writes `store`: the newest write to the same slot expression, where no write
   * after it may have gone to the same place (one that may is folded in, `EQ(s', slot) ? x' : x`) and no external
   * call came after it (a callee may have changed it: unknown). Without such a write, the pre-state value `sload`:
   * the binder treats a read of a slot the transaction wrote first, by any frame or by another expression, as stale.
   */
  private lookup(store: StoreEntry | null, slot: Sym, transient: boolean): Sym {
    const b = this.b;
    let aliases: StoreEntry[] | null = null;
    let called = false;
    for (let e = store; e; e = e.next) {
      if (e.slot === null) {
        if (e.havoc) return b.unknown('storage written on paths a join merged');
        called = true;
        continue;
      }
      if (e.transient !== transient) continue;
      if (e.slot === slot) {
        if (called && transient) return b.unknown('transient storage written before an external call that may change it');
        let v = e.val;
        if (aliases) {
          const live = e.group === 0 ? aliases : aliases.filter((x) => x.group !== e.group);
          if (live.length > MAX_STORE_ALIASES) return b.unknown('storage written through slots that may be the same');
          for (let i = live.length - 1; i >= 0; i--) {
            const k = b.op('EQ', [live[i]!.slot!, slot]);
            v = b.op('ADD', [b.op('MUL', [k, live[i]!.val]), b.op('MUL', [b.op('ISZERO', [k]), v])]);
          }
        }
        if (called) {
          // The written value, unless another frame (a reentrant callee, a DELEGATECALL) wrote the slot meanwhile:
          // `v ^ (sload ^ sload)` is `v` and depends on the slot, so the binder checks whether anything but this
          // frame may have written it first (stale: incomplete). The builder must not fold `x ^ x` for this.
          const pre = b.sload(slot, false);
          v = b.op('XOR', [v, b.op('XOR', [pre, pre])]);
        }
        return v;
      }
      if (mayEqual(e.slot, slot)) (aliases ??= []).push(e);
    }
    return b.sload(slot, transient);
  }

  /** After an external call (or CREATE): what this path wrote is no longer known (reentrancy, DELEGATECALL). */
  private callBarrier(st: State): void {
    if (st.store !== null && st.store.slot !== null) st.store = pushStore(st.store, null, this.b.const(0n), false, 0);
  }

  /**
   * Memory over-approximating the last state admitted here (`a`) and the arriving one (`c`), on top of their oldest
   * common history `tail`: places relative to a pointer written since become unknown (`havocPointers`); absolute
   * places (scratch, the free-memory pointer, early allocations) are merged one by one: kept where `a` and `c` agree,
   * unknown where they differ. Absolute places are finitely many and only ever become unknown, so joins converge.
   */
  private joinMemory(p: Point, a: MemEntry | null, c: MemEntry | null, tail: MemEntry | null): { mem: MemEntry; changed: boolean } {
    const places = new Map<number, number>(); // absolute offset -> size (<= 32)
    let pointers = false;
    /** The absolute places paths made unknown since `tail` (`havocabs`): their hull [absFrom, absTo). */
    let absFrom = Infinity;
    let absTo = 0;
    let entries = 0;
    for (const m of [a, c]) {
      for (let e = m; e && e !== tail; e = e.next) {
        if (++entries > (this.facts ? MAX_JOIN_ENTRIES_FACTS : MAX_JOIN_ENTRIES)) return { mem: havoc(tail), changed: !p.havocked && (p.havocked = true) };
        if (e.kind === 'havoc' || e.kind === 'havocsym') {
          if (e.kind === 'havoc') return { mem: havoc(tail), changed: !p.havocked && (p.havocked = true) };
          pointers = true;
          continue;
        }
        if (e.kind === 'havocabs') {
          absFrom = Math.min(absFrom, e.c);
          absTo = Math.max(absTo, Math.min(UNBOUNDED, e.c + e.size));
          continue;
        }
        if (e.base !== null) {
          pointers = true;
          continue;
        }
        if (e.size > MAX_REGION_WORDS * 32 || places.size > (this.facts ? MAX_JOIN_PLACES_FACTS : MAX_JOIN_PLACES)) return { mem: havoc(tail), changed: !p.havocked && (p.havocked = true) };
        for (let off = 0; off < e.size; off += 32) places.set(e.c + off, Math.min(32, e.size - off));
      }
    }
    let mem: MemEntry | null = pointers ? havocPointers(tail) : tail;
    let changed = false;
    if (absFrom < Infinity) {
      // Below the places merged next: a place either path wrote after losing the index is still known.
      absFrom = Math.min(absFrom, p.absFrom);
      absTo = Math.max(absTo, p.absTo);
      mem = havocAbsolute(mem, absFrom, absTo - absFrom);
      if (absFrom < p.absFrom || absTo > p.absTo) {
        p.absFrom = absFrom;
        p.absTo = absTo;
        changed = true;
      }
    }
    for (const [off, size] of places) {
      const at: Offset = { base: null, c: off };
      const va = readRange(a, at, size, this.b, this.code)[0]!;
      const vc = readRange(c, at, size, this.b, this.code)[0]!;
      if (va === vc && va.k !== 'unknown') mem = writePartialWord(mem, at, size, va);
      else {
        mem = writeRegion(mem, at, size, { kind: 'unknown', why: 'differs between joined paths' });
        if (!p.unknownPlaces.has(off)) {
          p.unknownPlaces.add(off);
          changed = true;
        }
      }
    }
    return { mem: mem ?? havocPointers(tail), changed };
  }

  /**
   * A joined word exact over both paths, where they parted at a fork after their newest markers: one took `k`, the
   * other `ISZERO(k)`, so the word is `k ? x : y`, as `k * x + !k * y`. Short-circuit `a && b` and `a || b` meet so
   * (the skipping side holds `a`, settled to a constant by `settleFork`, the other `b`): the test after the join keeps
   * its condition in the guards instead of testing an unknown. `prevConds` hold on every state the joined word stood
   * for so far, `conds` on the arriving one; only the arriving states are covered by the joined continuation (those
   * admitted apart were explored on their own), and each later arrival must match a side (`covers`) or widens it.
   */
  private select(a: Sym, c: Sym, prevConds: Sym[], conds: Sym[]): Sym | null {
    const b = this.b;
    for (const k of prevConds) {
      const notK = b.op('ISZERO', [k]);
      if (conds.includes(notK)) return this.selectOf(k, a, c);
      if (k.k === 'op' && k.name === 'ISZERO' && conds.includes(k.args[0]!)) return this.selectOf(k.args[0]!, c, a);
    }
    return null;
  }

  private selectOf(k: Sym, x: Sym, y: Sym): Sym {
    const b = this.b;
    const isTrue = (k.k === 'op' && BOOLEAN_OPS.has(k.name)) || k.k === 'callok' ? k : b.op('ISZERO', [b.op('ISZERO', [k])]);
    const w = b.op('ADD', [b.op('MUL', [isTrue, x]), b.op('MUL', [b.op('ISZERO', [k]), y])]);
    this.selects.set(w, [k, x, y]);
    return w;
  }

  /** Is `c`, on a path that took `conds`, the value of the joined word `w` (a `select` result) there? */
  private covers(w: Sym, c: Sym, conds: Sym[]): boolean {
    const sel = this.selects.get(w);
    if (sel === undefined) return false;
    const [k, x, y] = sel;
    return (c === x && conds.includes(k)) || (c === y && conds.includes(this.b.op('ISZERO', [k])));
  }

  /**
   * The join of two values: equal values stay; `x + c1` and `x + c2` (or `x`) become `x + W`, so a pointer stepping
   * through an array keeps its base; anything else becomes the point's widened unknown W.
   */
  private generalize(a: Sym, c: Sym, key: string): Sym {
    if (a === c || isWidened(a)) return a;
    // A widened value stepped by a constant (a loop counter, a pointer walking an array) is still covered by it.
    if (c.k === 'op' && c.name === 'ADD' && c.args[1]!.isConst && c.args[0] === a && (a.k === 'op' && a.name === 'ADD' && isWidened(a.args[1]!))) return a;
    const split = (s: Sym): [Sym, Sym | null] =>
      s.k === 'op' && s.name === 'ADD' && (s.args[1]!.isConst || isWidened(s.args[1]!)) ? [s.args[0]!, s.args[1]!] : [s, null];
    const [xa, oa] = split(a), [xc, oc] = split(c);
    const w = this.b.unknown(WIDENED, key);
    if (xa === xc && !xa.isConst && (oa !== null || oc !== null)) return this.b.op('ADD', [xa, w]);
    return w;
  }

  private hash(st: State, off: Sym, len: Sym): Sym {
    const b = this.b;
    const o = normalise(off);
    if (!o || !len.isConst || len.v > BigInt(MAX_REGION_WORDS * 32)) return b.unknown('hash of memory of unknown place or length');
    const n = Number(len.v);
    return b.keccak(readRange(st.mem, o, n, b, this.code), n);
  }

  private copy(st: State, op: string, dest: Sym, src: Sym, len: Sym): void {
    const o = normalise(dest);
    if (!o) {
      st.mem = havoc(st.mem);
      return;
    }
    if (len.isConst && len.v === 0n) return;
    const size = len.isConst && len.v < BigInt(UNBOUNDED) ? Number(len.v) : UNBOUNDED;
    let from;
    if (op === 'CALLDATACOPY') from = { kind: 'cd' as const, off: src };
    else if (op === 'CODECOPY' && src.isConst && src.v < BigInt(UNBOUNDED)) from = { kind: 'code' as const, off: Number(src.v) };
    else if (op === 'RETURNDATACOPY' && st.lastCall >= 0 && src.isConst && src.v < BigInt(UNBOUNDED)) from = { kind: 'ret' as const, call: st.lastCall, off: Number(src.v) };
    else from = { kind: 'unknown' as const, why: op.toLowerCase() };
    st.mem = writeRegion(indexed(st.mem, o, this.b, this.code, this.known), o, size, from);
    if (from.kind === 'code' && this.holes) {
      // Copied holes are unknown bytes, like pushed ones (code past its end reads as zeros, holes never lie there).
      const end = size === UNBOUNDED ? this.code.length : Math.min(this.code.length, from.off + size);
      for (const h of this.holes.overlapping(from.off, end)) {
        const lo = Math.max(h.start, from.off), hi = Math.min(h.start + h.length, end);
        st.mem = writeRegion(st.mem, { base: o.base, c: o.c + lo - from.off }, hi - lo, { kind: 'unknown', why: h.what, hole: true });
      }
    }
  }

  private mcopy(st: State, dest: Sym, src: Sym, len: Sym): void {
    const d = normalise(dest), s = normalise(src);
    if (!d) {
      st.mem = havoc(st.mem);
      return;
    }
    st.mem = indexed(st.mem, d, this.b, this.code, this.known);
    if (s && len.isConst && len.v <= BigInt(MAX_REGION_WORDS * 32)) {
      const n = Number(len.v);
      const words = readRange(st.mem, s, n, this.b, this.code);
      for (let i = 0; i < words.length; i++) {
        if (32 * (i + 1) <= n) st.mem = writeWord(st.mem, { base: d.base, c: d.c + 32 * i }, words[i]!);
        else st.mem = writePartialWord(st.mem, { base: d.base, c: d.c + 32 * i }, n - 32 * i, words[i]!);
      }
      return;
    }
    const size = len.isConst && len.v < BigInt(UNBOUNDED) ? Number(len.v) : UNBOUNDED;
    st.mem = writeRegion(st.mem, d, size, { kind: 'unknown', why: 'mcopy' });
  }

  private callSite(st: State, pc: number, kind: CallKind, target: Sym | null, value: Sym | null, inOff: Sym, inLen: Sym, obs: Observer[], path: PathNode | null): number {
    const b = this.b;
    let selector: bigint | null = null;
    let args: Sym[] | null = null;
    let inputSize: number | null = null;
    const o = normalise(inOff);
    const maxWords = this.facts ? MAX_CALL_INPUT_WORDS_FACTS : MAX_REGION_WORDS;
    if (o && inLen.k === 'env' && inLen.name === 'CALLDATASIZE' && this.forwards(st.mem, o)) {
      return this.record(obs, { kind, pc, target, value, selector: null, args: null, inputSize: null, forwardsCalldata: true, path });
    }
    if (o && !inLen.isConst && kind !== 'CREATE' && kind !== 'CREATE2') {
      const inputWords = readRange(st.mem, o, (maxWords + 1) * 32, b, this.code);
      return this.record(obs, { kind, pc, target, value, selector: null, args: null, inputSize: null, forwardsCalldata: false, inputSizeSym: inLen, inputWords, path });
    }
    if (o && inLen.isConst && inLen.v <= BigInt(maxWords * 32 + 4)) {
      inputSize = Number(inLen.v);
      if (kind === 'CREATE' || kind === 'CREATE2') args = [];
      else if (inputSize >= 4) {
        const head = readRange(st.mem, o, 4, b, this.code)[0]!;
        if (head.isConst) {
          selector = head.v >> 224n;
          args = readRange(st.mem, { base: o.base, c: o.c + 4 }, inputSize - 4, b, this.code);
        } else args = readRange(st.mem, o, inputSize, b, this.code);
      } else args = inputSize === 0 ? [] : readRange(st.mem, o, inputSize, b, this.code);
    }
    return this.record(obs, { kind, pc, target, value, selector, args, inputSize, forwardsCalldata: false, path });
  }

  /** Is memory from `o` on, as the newest write left it, a copy of the whole calldata? */
  private forwards(m: MemEntry | null, o: Offset): boolean {
    for (let e = m; e; e = e.next) {
      if (e.kind === 'havoc' || (e.kind === 'havocsym' && o.base !== null)) return false;
      if (e.kind === 'havocsym' || e.base !== o.base || e.c + e.size <= o.c) continue;
      return e.kind === 'region' && e.c === o.c && e.src?.kind === 'cd' && e.src.off.isConst && e.src.off.v === 0n;
    }
    return false;
  }

  private record(obs: Observer[], site: Omit<CallSite, 'id'>): number {
    let key = site.kind + '|' + site.pc + '|' + (site.target?.id ?? '') + '|' + (site.value?.id ?? '') + '|' + site.selector + '|' + site.forwardsCalldata + '|';
    if (site.args) for (const a of site.args) key += a.id + ',';
    else key += 'null';
    if (site.inputSizeSym) {
      key += '|' + site.inputSizeSym.id + ':';
      for (const a of site.inputWords!) key += a.id + ',';
    }
    let id = this.calls.get(key);
    if (id !== undefined) for (const ob of obs) ob.callPath?.(id, site.path);
    if (id === undefined) {
      const max = this.facts ? MAX_CALLS_PER_FUNCTION_FACTS : MAX_CALLS_PER_FUNCTION;
      if (this.calls.size >= max) {
        this.diag('limit-paths', `more than ${max} distinct external calls`, site.pc);
        this.exhaustive = false;
        return -1;
      }
      id = this.calls.size;
      this.calls.set(key, id);
      for (const ob of obs) ob.call!({ ...site, id });
    }
    return id;
  }
}
