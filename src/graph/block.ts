/**
 * A block's dependency graphs, predicted (hints bindings) and actual (traces), in three views, with the critical
 * path, the parallelism bound and the hot slots, named. Pure over what the caller already computed: `prescient graph`,
 * `verify` and `hints --graph` and the parallelism benchmark all go through `blockGraphReport`.
 */
import type { LoadedBlock } from '../chain/load.js';
import type { TxBinding } from '../hints/bind.js';
import type { AccessListEntry, ContractAnalysis, Hex, TxTrace } from '../types.js';
import {
  buildDependencyGraph,
  compareGraphs,
  criticalPath,
  hotSlots,
  optionsOf,
  splitKey,
  type CriticalPath,
  type DependencyGraph,
  type DepEdge,
  type GraphComparison,
  type GraphView,
  type HotSlot,
  type StateKey,
  type TxAccess,
} from './graph.js';
import { calldataWords, contractInfo, StateNamer, type ContractInfo } from './names.js';

export const VIEWS: readonly GraphView[] = ['strict', 'deltas', 'lazy'];
/** The view `prescient run` honours: credits merge as deltas, one sender's transactions stay ordered. */
export const EXECUTOR_VIEW: GraphView = 'deltas';
/** Key pairs tried for nested mappings (allowance[a][b]): 16 bases x 2 hashes each. */
const MAX_PAIRS = 4000;
/** Integers 0..SMALL_KEYS-1 tried as mapping keys (ids, counters). */
const SMALL_KEYS = 1024n;

const q = (v: unknown): bigint => (v === undefined || v === null || v === '0x' ? 0n : BigInt(v as string));
const lower = (a: unknown) => String(a).toLowerCase() as Hex;

/**
 * Storage slots a transaction only applies a delta to (TxBinding.deltas) taken out of its reads and writes into
 * `deltaWrites`: the strict view still counts them as read-modify-writes, the others let deltas commute. With
 * `touched`, only the claimed slots the transaction both read and wrote (a trace: the claim held in shape).
 */
function splitDeltas(
  reads: AccessListEntry[],
  writes: AccessListEntry[],
  deltas: TxBinding['deltas'] | undefined,
  needTraced: boolean,
): { reads: AccessListEntry[]; writes: AccessListEntry[]; deltaWrites?: AccessListEntry[] } {
  if (!deltas || deltas.length === 0) return { reads, writes };
  const hex = (s: bigint) => '0x' + s.toString(16).padStart(64, '0');
  const key = (a: string, s: string) => `${a.toLowerCase()}:${BigInt(s)}`;
  const claimed = new Set(deltas.map(([a, s]) => key(a, hex(s))));
  const inReads = new Set(reads.flatMap((e) => e.storageKeys.map((k) => key(e.address, k))));
  const inWrites = new Set(writes.flatMap((e) => e.storageKeys.map((k) => key(e.address, k))));
  const taken = new Set([...claimed].filter((k) => !needTraced || (inReads.has(k) && inWrites.has(k))));
  if (taken.size === 0) return { reads, writes };
  const drop = (es: AccessListEntry[]) => es.map((e) => ({ address: e.address, storageKeys: e.storageKeys.filter((k) => !taken.has(key(e.address, k))) }));
  const deltaWrites = new Map<Hex, Hex[]>();
  for (const [a, s] of deltas) {
    if (!taken.has(key(a, hex(s)))) continue;
    const l = deltaWrites.get(a) ?? [];
    l.push(hex(s) as Hex);
    deltaWrites.set(a, l);
  }
  return { reads: drop(reads), writes: drop(writes), deltaWrites: [...deltaWrites].map(([address, storageKeys]) => ({ address, storageKeys })) };
}

/**
 * Traced footprints: gas used, storage read/written, balances; the sender and nonce from the block. `deltas`: per
 * transaction index, the slots its binding claims as deltas (applied where the trace read and wrote them).
 */
export function tracedAccesses(block: LoadedBlock['block'], traces: TxTrace[], deltas?: (index: number) => TxBinding['deltas'] | undefined): TxAccess[] {
  return traces.map((t) => {
    const tx = block.transactions[t.index] ?? {};
    return {
      index: t.index,
      gas: t.gasUsed,
      ...splitDeltas(t.reads, t.writes, deltas?.(t.index), true),
      balanceReads: t.balanceReads,
      balanceWrites: t.balanceWrites,
      sender: lower(tx.from),
      nonce: q(tx.nonce),
      feeRecipient: lower(block.header.miner),
    };
  });
}

const entries = (m: Map<Hex, Set<bigint>>): AccessListEntry[] =>
  [...m].map(([address, s]) => ({ address, storageKeys: [...s].map((x) => ('0x' + x.toString(16).padStart(64, '0')) as Hex) }));

/**
 * Predicted footprints from hints bindings. `gas`: per transaction, the gas to weigh it with (the traced gas when
 * known; else the transaction's gas limit, an overestimate that keeps the bound's shape).
 */
export function predictedAccesses(block: LoadedBlock['block'], bindings: TxBinding[], gas?: number[]): TxAccess[] {
  return bindings.map((b) => {
    const tx = block.transactions[b.index] ?? {};
    const debits = [...b.balanceDebits];
    return {
      index: b.index,
      gas: gas?.[b.index] ?? Number(q(tx.gas)),
      ...splitDeltas(entries(b.reads), entries(b.writes), b.deltas, false),
      // A debit is a read-modify-write; a credit only adds (commutative).
      balanceReads: [...new Set([...b.balanceReads, ...debits])],
      balanceWrites: [...new Set([...debits, ...b.balanceCredits, ...b.balanceWrites])],
      sender: lower(tx.from),
      nonce: q(tx.nonce),
      feeRecipient: lower(block.header.miner),
    };
  });
}

export interface ViewSummary {
  edges: number;
  criticalPath: { gas: number; txs: number[] };
  bound: number;
}

export interface NamedHotSlot extends HotSlot {
  name: string;
}

export interface BlockGraphReport {
  schema: 'prescient/graph@1';
  number: number;
  txs: number;
  /** Sum of the weights (gas used when traced). */
  gas: number;
  /** Where the weights come from. */
  gasSource: 'traced' | 'gas limit';
  /** The view the headline numbers use (the executor's unless asked otherwise). */
  view: GraphView;
  actual?: Record<GraphView, ViewSummary>;
  predicted?: Record<GraphView, ViewSummary>;
  /** Predicted against actual edges, per view. */
  comparison?: Record<GraphView, GraphComparison['counts']>;
  /** Of the headline view: the graph whose hot slots are reported (actual when traced). */
  hotSlots: NamedHotSlot[];
  /** Transactions the hints could not bind completely (their predicted edges may be missing). */
  incompletePredictions?: number;
}

/** Everything needed to draw a block's page (src/report/html.ts). */
export interface BlockGraphDetail {
  report: BlockGraphReport;
  /** Headline view graphs. */
  actual?: DependencyGraph;
  predicted?: DependencyGraph;
  comparison?: GraphComparison;
  criticalPath: CriticalPath;
  /** Key -> readable name, for every key on any drawn edge. */
  names: Map<StateKey, string>;
  /** Per transaction: hash, sender, recipient label. */
  txInfo: { index: number; hash: Hex; from: Hex; to: Hex | null; toLabel: string | null; gas: number; status?: string }[];
}

function summary(g: DependencyGraph): { s: ViewSummary; cp: CriticalPath } {
  const cp = criticalPath(g);
  return { s: { edges: g.edges.length, criticalPath: { gas: cp.gas, txs: cp.txs }, bound: cp.bound }, cp };
}

export interface GraphInputs {
  loaded: LoadedBlock;
  bindings?: TxBinding[];
  traces?: TxTrace[];
  /** The headline view (default: the executor's). */
  view?: GraphView;
  /** For naming contracts: analyses by address (the hints' cache). */
  analysis?: (code: Uint8Array, address: Hex) => ContractFacts | null;
  top?: number;
}

/** What naming needs of a contract: an analysis has it all; selectors alone come cheap (evmole). */
export type ContractFacts = Pick<ContractAnalysis, 'name' | 'storageLayout'> & {
  selectors: string[];
  /** Base slots a function reads (see names.ts `contractInfo`); computed only when a family's layout needs it. */
  reads?: (selector: string) => bigint[] | null;
};

/** Proxy implementation slots worth following to name a proxied contract by its implementation's interface. */
const IMPL_SLOTS = [
  0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbcn,
  0x7050c9e0f4ca769c69bd3a8ef740bc37934f8e2c036e5a723fd8ee048ed3f8c3n,
  0xc5f16f0fcc639fa48a6947836d9850f504798523bf8c9a3a87d5876cf622bcf7n,
];

export function contractInfoFor(loaded: LoadedBlock, analysis: GraphInputs['analysis']): (a: Hex) => ContractInfo {
  const cache = new Map<Hex, ContractInfo>();
  const infoOf = (a: Hex, depth: number): ContractInfo => {
    const c = cache.get(a);
    if (c) return c;
    const acct = loaded.prestate.get(a);
    let info: ContractInfo = { label: null, layout: null };
    if (acct && acct.code.length > 0 && analysis) {
      const an = analysis(acct.code, a);
      if (an) info = contractInfo(an);
      if (!info.label && depth === 0) {
        for (const s of IMPL_SLOTS) {
          const v = acct.storage.get(s);
          if (!v) continue;
          const impl = ('0x' + v.toString(16).padStart(40, '0')) as Hex;
          const ii = infoOf(impl, 1);
          if (ii.label) info = { label: `${ii.label} proxy`, layout: ii.layout };
          break;
        }
      }
    }
    cache.set(a, info);
    return info;
  };
  return (a) => infoOf(a, 0);
}

export function blockGraphReport(inp: GraphInputs): BlockGraphDetail {
  const { loaded } = inp;
  const block = loaded.block;
  const view = inp.view ?? EXECUTOR_VIEW;
  const tracedGas = inp.traces?.map((t) => t.gasUsed);
  const byIndex = new Map((inp.bindings ?? []).map((b) => [b.index, b]));
  const actualAcc = inp.traces ? tracedAccesses(block, inp.traces, (i) => byIndex.get(i)?.deltas) : undefined;
  const predAcc = inp.bindings ? predictedAccesses(block, inp.bindings, tracedGas) : undefined;
  const build = (acc: TxAccess[] | undefined) => {
    if (!acc) return undefined;
    const out = {} as Record<GraphView, { g: DependencyGraph; s: ViewSummary; cp: CriticalPath }>;
    for (const v of VIEWS) {
      const g = buildDependencyGraph(acc, optionsOf(v));
      out[v] = { g, ...summary(g) };
    }
    return out;
  };
  const actual = build(actualAcc);
  const predicted = build(predAcc);
  let comparison: BlockGraphReport['comparison'];
  let headCmp: GraphComparison | undefined;
  if (actual && predicted) {
    comparison = {} as Record<GraphView, GraphComparison['counts']>;
    for (const v of VIEWS) {
      const c = compareGraphs(predicted[v].g, actual[v].g);
      comparison[v] = c.counts;
      if (v === view) headCmp = c;
    }
  }
  const head = (actual ?? predicted)?.[view];
  const txs = block.transactions.length;
  const cp: CriticalPath = head?.cp ?? { gas: 0, txs: [], edges: [], totalGas: 0, bound: 1 };
  const hot = head ? hotSlots(head.g, cp, { top: inp.top ?? 20, whatIf: 10 }) : [];

  // Naming: candidate mapping keys from the transactions at either end of the hot slots' edges.
  const infoOf = contractInfoFor(loaded, inp.analysis);
  const hotKeys = new Set(hot.map((h) => h.key));
  const involved = new Set<number>();
  const drawnKeys = new Set<StateKey>();
  for (const g of [actual?.[view].g, predicted?.[view].g]) {
    for (const e of g?.edges ?? []) {
      for (const k of e.keys) drawnKeys.add(k);
      if (e.keys.some((k) => hotKeys.has(k))) involved.add(e.from).add(e.to);
    }
  }
  const keys: bigint[] = [];
  const pairs: [bigint, bigint][] = [];
  for (const i of involved) {
    const t = block.transactions[i];
    if (!t) continue;
    const ks = [BigInt(t.from)];
    if (t.to) ks.push(BigInt(t.to));
    ks.push(...calldataWords(String(t.input ?? t.data ?? '0x'), 8));
    keys.push(...ks);
    for (const a of ks) for (const b of ks) if (a !== b) pairs.push([a, b]);
  }
  // Every account the block touches is a candidate key too: contracts pass addresses along (a router's pair, a
  // token's holder) that no calldata word of the transaction itself carries.
  for (const k of drawnKeys) keys.push(BigInt(splitKey(k).address));
  for (const t of block.transactions) {
    if (t?.from) keys.push(BigInt(t.from));
    if (t?.to) keys.push(BigInt(t.to));
  }
  for (const t of inp.traces ?? []) for (const a of [...t.balanceReads, ...t.balanceWrites]) keys.push(BigInt(a));
  for (const b of inp.bindings ?? []) for (const a of b.touched) keys.push(BigInt(a));
  // Counters and ids: small integers, and what a hot contract's first slots hold (next id = counter + 1).
  for (let i = 0n; i < SMALL_KEYS; i++) keys.push(i);
  for (const k of hotKeys) {
    const st = loaded.prestate.get(splitKey(k).address)?.storage;
    for (let s = 0n; st && s < 32n; s++) {
      const v = st.get(s);
      if (v !== undefined && v < 1n << 64n) keys.push(v, v + 1n, v + 2n);
    }
  }
  const namer = new StateNamer(infoOf, keys, pairs.slice(0, MAX_PAIRS));
  const names = new Map<StateKey, string>();
  for (const k of drawnKeys) {
    // Hot keys get the full (preimage-searching) name; the rest only what is cheap.
    names.set(k, namer.name(k));
  }
  const namedHot: NamedHotSlot[] = hot.map((h) => ({ ...h, name: names.get(h.key) ?? namer.name(h.key) }));

  const pick = (x: typeof actual) => (x ? (Object.fromEntries(VIEWS.map((v) => [v, x[v].s])) as Record<GraphView, ViewSummary>) : undefined);
  const report: BlockGraphReport = {
    schema: 'prescient/graph@1',
    number: Number(block.number),
    txs,
    gas: cp.totalGas,
    gasSource: inp.traces ? 'traced' : 'gas limit',
    view,
    ...(actual ? { actual: pick(actual) } : {}),
    ...(predicted ? { predicted: pick(predicted) } : {}),
    ...(comparison ? { comparison } : {}),
    hotSlots: namedHot,
    ...(inp.bindings ? { incompletePredictions: inp.bindings.filter((b) => !b.complete).length } : {}),
  };
  const txInfo = block.transactions.map((t: any, i: number) => {
    const to = t.to ? lower(t.to) : null;
    return {
      index: i,
      hash: lower(t.hash),
      from: lower(t.from),
      to,
      toLabel: to ? infoOf(to).label : null,
      gas: tracedGas?.[i] ?? Number(q(t.gas)),
      ...(inp.traces?.[i] ? { status: inp.traces[i]!.status } : {}),
    };
  });
  return {
    report,
    ...(actual ? { actual: actual[view].g } : {}),
    ...(predicted ? { predicted: predicted[view].g } : {}),
    ...(headCmp ? { comparison: headCmp } : {}),
    criticalPath: cp,
    names,
    txInfo,
  };
}

/** Edges as plain JSON (for --json): from, to and the names of the keys. */
export function edgesJson(edges: DepEdge[], names: Map<StateKey, string>): { from: number; to: number; keys: { key: StateKey; name: string }[] }[] {
  return edges.map((e) => ({ from: e.from, to: e.to, keys: e.keys.map((k) => ({ key: k, name: names.get(k) ?? k })) }));
}
