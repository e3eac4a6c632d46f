/**
 * Pipeline stage 1: runtime bytecode -> ContractAnalysis. evmole finds the selectors, argument types and mutability;
 * our abstract EVM (src/evm) explores each entry with the selector fixed, and the analyzers (analyzers/) turn what it
 * saw into key-level footprints. evmole's storage records serve as a cross-check.
 */
import { contractInfo } from 'evmole';
import { BalanceAnalyzer } from '../../analyzers/balances.js';
import { CallAnalyzer } from '../../analyzers/calls.js';
import { MutabilityAnalyzer } from '../../analyzers/mutability.js';
import { rootSlot } from '../../analyzers/render.js';
import { StorageAnalyzer } from '../../analyzers/storage.js';
import { applyRules, knownSignature } from '../../rules/index.js';
import { PrescientError } from '../errors.js';
import { MAX_FLOOR_STEPS_PER_CONTRACT, MAX_STEPS_PER_CONTRACT, MAX_STEPS_PER_FUNCTION, MIN_STEPS_PER_ENTRY } from '../evm/limits.js';
import { Facts, type Inputs } from '../evm/facts.js';
import { holeIndex, type HoleIndex } from '../evm/holes.js';
import { Machine } from '../evm/machine.js';
import { jumpdests } from '../evm/opcodes.js';
import { SymBuilder, toSharedExpr, type Sym } from '../evm/sym.js';
import type { CodeHole } from '../input/types.js';
import type { ContractAnalysis, Diagnostic, Expr, FunctionFootprint, Hex, Mutability, StorageVariable } from '../types.js';
import { keccak256, selectorOf, toHex } from '../util/keccak.js';

export interface AnalyzeOptions {
  /** JSON ABI: names functions (signatures) and adds selectors evmole might not find. */
  abi?: readonly unknown[] | null;
  name?: string | null;
  storageLayout?: StorageVariable[] | null;
  /**
   * Compare with evmole's storage records and state mutability (from ~25 ms to over a second on large contracts).
   * Default false.
   */
  crossCheck?: boolean;
  /**
   * Compare with evmole's control-flow graph: report basic blocks no entry's exploration executed (dead code, or code
   * only reachable past a limit or a dynamic jump). Costs ~20 ms on a large contract. Default false.
   */
  cfgCheck?: boolean;
  /**
   * Bytes of `code` whose value is set later (LoadedContract.holes: immutables, unlinked libraries), held as zeros:
   * read as unknown values, named by the hole. Code from an artifact has them; deployed code (src/hints) does not.
   */
  holes?: readonly CodeHole[] | null;
}

type Entry = { selector: Hex | 'fallback' | 'receive'; sel: bigint | null; empty: boolean };

interface AbiFn {
  type?: string;
  name?: string;
  inputs?: { type: string; components?: unknown[] }[];
  stateMutability?: string;
}

function canonicalType(p: { type: string; components?: unknown[] }): string {
  if (p.type.startsWith('tuple')) {
    const inner = ((p.components ?? []) as { type: string; components?: unknown[] }[]).map(canonicalType).join(',');
    return `(${inner})${p.type.slice(5)}`;
  }
  return p.type;
}

function abiSignatures(abi: readonly unknown[] | null | undefined): Map<string, { signature: string; mutability: Mutability | null }> {
  const out = new Map<string, { signature: string; mutability: Mutability | null }>();
  for (const item of abi ?? []) {
    const f = item as AbiFn;
    if (f.type !== 'function' || !f.name) continue;
    const signature = `${f.name}(${(f.inputs ?? []).map(canonicalType).join(',')})`;
    out.set(selectorOf(signature), { signature, mutability: (f.stateMutability as Mutability) ?? null });
  }
  return out;
}

/** Analyze runtime bytecode. Throws PrescientError only for empty code; everything else is data. */
export function analyzeCode(code: Uint8Array, opts: AnalyzeOptions = {}): ContractAnalysis {
  const t0 = performance.now();
  // From plain JavaScript a hex string would be analysed as its characters' bytes.
  if (!(code instanceof Uint8Array)) throw new PrescientError('BAD_INPUT', opts.name ?? 'code', 'expected the bytecode as a Uint8Array (parseHexCode reads hex)');
  if (code.length === 0) throw new PrescientError('EMPTY_CODE', opts.name ?? 'code', 'empty bytecode');
  const codeHex = Buffer.from(code).toString('hex');
  const crossCheck = opts.crossCheck ?? false;
  const info = contractInfo(codeHex, { selectors: true, arguments: true, stateMutability: crossCheck, storage: crossCheck, controlFlowGraph: opts.cfgCheck ?? false });
  const visited = opts.cfgCheck ? new Uint8Array(code.length + 1) : undefined;
  const fromAbi = abiSignatures(opts.abi);
  const evmoleFns = new Map<string, { mutability: Mutability | null; inputs: string | null }>();
  for (const f of info.functions ?? []) evmoleFns.set(`0x${f.selector}`, { mutability: (f.stateMutability as Mutability) ?? null, inputs: f.arguments ?? null });

  const selectors = new Set<string>([...evmoleFns.keys(), ...fromAbi.keys()]);
  const sorted = [...selectors].sort();
  const entries: Entry[] = sorted.map((s) => ({ selector: s as Hex, sel: BigInt(s), empty: false }));
  // Fallback: calldata whose selector matches none of the known ones. The selector stays symbolic (a diamond proxy's
  // facet lookup keyed by msg.sig must stay keyed by it); comparisons with known selectors fold to false.
  entries.push({ selector: 'fallback', sel: null, empty: false }, { selector: 'receive', sel: null, empty: true });
  const known = new Set([...selectors].map((s) => BigInt(s)));

  const jd = jumpdests(code);
  const holes = holeIndex(code, opts.holes);
  const codeHash = toHex(keccak256(code));
  const functions: FunctionFootprint[] = [];
  let budget = MAX_STEPS_PER_CONTRACT;
  let floorLeft = MAX_FLOOR_STEPS_PER_CONTRACT;
  for (const e of entries) {
    const abiFn = e.sel !== null && !e.empty ? fromAbi.get(e.selector) : undefined;
    const floor = budget < MIN_STEPS_PER_ENTRY ? Math.min(MIN_STEPS_PER_ENTRY - budget, floorLeft) : 0;
    const { fp, steps, ours } = exploreEntry(code, jd, e, { budget: budget + floor, visited, excluded: e.selector === 'fallback' ? known : null, holes });
    floorLeft -= Math.max(0, Math.min(floor, steps - budget));
    budget = Math.max(0, budget - steps);
    fp.signature = abiFn?.signature ?? (e.selector.startsWith('0x') ? knownSignature(e.selector) : null);
    fp.inputs = evmoleFns.get(e.selector)?.inputs ?? null;
    fp.mutability = abiFn?.mutability ?? evmoleFns.get(e.selector)?.mutability ?? ours;
    // view vs pure is not compared: constant getters are declared view yet read nothing.
    const rank = (m: Mutability | null) => (m === 'pure' || m === 'view' ? 0 : m === 'nonpayable' ? 1 : 2);
    if (rank(fp.mutability) !== rank(ours) && (abiFn || crossCheck) && e.sel !== null && !e.empty) {
      fp.diagnostics.push({ code: 'cross-check', message: `declared ${fp.mutability}, the explored paths look ${ours}` });
    }
    if ((fp.mutability === 'view' || fp.mutability === 'pure') && fp.writes.some((w) => !w.transient)) {
      fp.diagnostics.push({ code: 'cross-check', message: `declared ${fp.mutability} but a path writes storage` });
    }
    // evmole reads the dispatcher: an ABI function it does not find there runs the fallback's path (an ABI of another
    // contract, or a dispatcher evmole cannot read). Kept, with its footprint, but said.
    if (abiFn && !evmoleFns.has(e.selector)) {
      fp.diagnostics.push({ code: 'cross-check', message: `${abiFn.signature} is in the ABI, but the code's dispatcher has no entry for it (evmole): a call runs the fallback path` });
    }
    applyRules(fp, fp.calls.some((x) => x.kind === 'DELEGATECALL'), codeHash);
    functions.push(fp);
  }

  if (crossCheck) crossCheckStorage(info.storage ?? [], functions);
  const diagnostics: Diagnostic[] = [];
  if (holes) diagnostics.push({ code: 'code-hole', message: holesMessage(holes.holes) });
  if (visited && info.controlFlowGraph) {
    // evmole hands blocks over as JS Maps, whatever its .d.ts says.
    const starts = info.controlFlowGraph.blocks.map((blk) => (blk instanceof Map ? (blk.get('start') as number) : blk.start));
    const missed = starts.filter((start) => !visited[start]);
    if (missed.length) diagnostics.push({ code: 'cross-check', message: `evmole CFG: ${missed.length} of ${info.controlFlowGraph.blocks.length} basic blocks executed by no entry (first at pc ${missed.slice(0, 8).join(', ')})` });
  }

  return {
    schema: 'prescient/analysis@1',
    codeHash,
    codeSize: code.length,
    name: opts.name ?? null,
    functions,
    storageLayout: opts.storageLayout ?? null,
    diagnostics,
    ms: Math.round((performance.now() - t0) * 100) / 100,
  };
}

/**
 * The contract-level note on holes: how many, what, where. The code hash stays that of the bytes analysed (zeros in
 * the holes), which is not the deployed code's.
 */
function holesMessage(holes: readonly CodeHole[]): string {
  const at = new Map<string, number[]>();
  for (const h of holes) at.set(h.what, [...(at.get(h.what) ?? []), h.start]);
  const MAX_LISTED = 8;
  const listed = [...at].slice(0, MAX_LISTED).map(([what, starts]) => `${what} at byte ${starts.join(', ')}`);
  if (at.size > MAX_LISTED) listed.push(`${at.size - MAX_LISTED} more`);
  return `the code has ${holes.length} hole(s), values set at deployment or linking and held as zeros here (the code hash is of these bytes, not of deployed code); analysed as unknown values: ${listed.join('; ')}`;
}

/** Explore one entry with the analyzers watching; signature and declared mutability are the caller's business. */
function exploreEntry(
  code: Uint8Array,
  jd: Uint8Array,
  e: Entry,
  o: { budget: number; visited?: Uint8Array | undefined; excluded: Set<bigint> | null; inputs?: Inputs; holes?: HoleIndex | null },
): { fp: FunctionFootprint; steps: number; ours: Mutability; assumptions: Assumed[] } {
  // A builder per entry: its interning table dies with the entry, which keeps the heap (and GC) small.
  const b = new SymBuilder();
  b.selector = e.sel;
  b.emptyCalldata = e.empty;
  b.excludedSelectors = o.excluded;
  const storage = new StorageAnalyzer();
  const calls = new CallAnalyzer();
  const balances = new BalanceAnalyzer();
  const mut = new MutabilityAnalyzer();
  const facts = o.inputs ? new Facts(o.inputs) : undefined;
  const run = new Machine(code, jd, b, [storage, calls, balances, mut], o.holes ?? null).run(facts ? { maxSteps: o.budget, visited: o.visited, facts } : { maxSteps: o.budget, visited: o.visited });
  // Guards are only sound when every path was explored: a site reached on an explored path may also be reached on
  // one a limit cut off, under conditions nobody recorded.
  const s = storage.finish(run.exhaustive);
  const c = calls.finish(run.exhaustive);
  const bal = balances.finish();
  const diagnostics: Diagnostic[] = [...run.diagnostics, ...s.diagnostics, ...c.diagnostics, ...bal.diagnostics];
  if (b.depthHits > 0) diagnostics.push({ code: 'limit-depth', message: `${b.depthHits} expression(s) grew past the depth limit and became unknown` });
  const ours = mut.finish();
  const fp: FunctionFootprint = {
    selector: e.selector,
    signature: null,
    inputs: null,
    mutability: ours,
    reads: s.reads,
    writes: s.writes,
    calls: c.calls,
    balanceReads: bal.balanceReads,
    transfers: c.transfers,
    complete: run.exhaustive && s.exact && bal.exact && b.depthHits === 0,
    exhaustive: run.exhaustive,
    diagnostics,
    rules: [],
  };
  // One object per value across the assumptions: the binder checks them with one evaluation per shared part.
  const shared = new Map<Sym, Expr>();
  const assumptions = run.assumptions.map((a): Assumed => (a.open ? { expr: toSharedExpr(a.sym, shared), value: 0n, truth: false, open: true } : { expr: toSharedExpr(a.sym, shared), value: a.value, truth: a.truth }));
  return { fp, steps: run.steps, ours, assumptions };
}

/** A decision a specialized exploration took: `expr` evaluated to `value` (`truth`: only its truth was used). */
export interface Assumed {
  expr: Expr;
  value: bigint;
  truth: boolean;
  /** `expr` was not a fact for the exploration (src/evm/facts.ts `Assumption`): a reuse needs it not to be one either. */
  open?: true;
}

/**
 * The footprint of one call with concrete inputs (src/evm/facts.ts): branches, offsets and lengths the inputs decide
 * are taken as decided, loops over input arrays unroll exactly. It holds for every call whose inputs satisfy all of
 * `assumptions`. `selector`: the concrete selector, or null for calldata shorter than 4 bytes; `empty`: no calldata.
 */
export function analyzeSpecialized(code: Uint8Array, selector: Hex | null, empty: boolean, inputs: Inputs): { fp: FunctionFootprint; assumptions: Assumed[]; steps: number } {
  const e: Entry = { selector: selector ?? (empty ? 'receive' : 'fallback'), sel: selector === null ? null : BigInt(selector), empty };
  const { fp, assumptions, steps } = exploreEntry(code, jumpdests(code), e, { budget: MAX_STEPS_PER_FUNCTION, excluded: null, inputs });
  fp.signature = selector ? knownSignature(selector) : null;
  applyRules(fp, fp.calls.some((x) => x.kind === 'DELEGATECALL'), toHex(keccak256(code)));
  return { fp, assumptions, steps };
}

/**
 * The footprint of a call with one concrete selector, explored with that selector fixed: exact for it where the
 * generic `fallback` entry must cover every unknown selector at once (a transparent proxy's admin branch, a diamond's
 * facet lookup). What hints use for selectors the contract's analysis does not list.
 */
export function analyzeSelector(code: Uint8Array, selector: Hex): FunctionFootprint {
  const e: Entry = { selector, sel: BigInt(selector), empty: false };
  const { fp } = exploreEntry(code, jumpdests(code), e, { budget: MAX_STEPS_PER_FUNCTION, excluded: null });
  fp.signature = knownSignature(selector);
  applyRules(fp, fp.calls.some((x) => x.kind === 'DELEGATECALL'), toHex(keccak256(code)));
  return fp;
}

/**
 * evmole's storage records name, per base slot, which selectors read and write it. A base slot evmole names that none
 * of our accesses is rooted at is reported. It does not by itself make a function incomplete: evmole does not prune
 * infeasible branches (WETH9's `src != msg.sender` in transfer), so it over-reports; where our exploration was cut
 * short the function is already incomplete.
 */
function crossCheckStorage(records: { slot: string; reads: string[]; writes: string[] }[], functions: FunctionFootprint[]): void {
  const bySel = new Map(functions.map((f) => [f.selector.replace(/^0x/, ''), f]));
  for (const r of records) {
    const slot = BigInt('0x' + r.slot);
    for (const [list, kind] of [[r.writes, 'writes'], [r.reads, 'reads']] as const) {
      for (const sel of list) {
        const f = bySel.get(sel);
        if (!f) continue;
        const mine = kind === 'writes' ? f.writes : [...f.reads, ...f.writes];
        if (mine.some((a) => rootSlot(a.slot) === slot || a.slot.kind === 'unknown' || a.slot.kind === 'computed')) continue;
        f.diagnostics.push({ code: 'cross-check', message: `evmole: ${kind === 'writes' ? 'writes' : 'reads'} base slot 0x${slot.toString(16)}, which no access here is rooted at` });
      }
    }
  }
}
