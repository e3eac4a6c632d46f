/**
 * A block's dependency graph over per-transaction access sets: an edge from tx i to tx j > i when j reads or writes
 * state that i wrote. Commutative updates (a credit, a counter bumped by a delta) do not order two transactions that
 * both only apply a delta; a later reader still depends on every delta before it.
 *
 * State is named by a `StateKey`: `<address>:<0x + 64 hex slot>` for storage, `<address>:balance` and
 * `<address>:nonce` for account fields. Everything here is pure and O(accesses): per key, the last absolute writer
 * and the deltas applied since; since writers of a key are chained by write-after-write edges, the last writer is the
 * only one a reader needs an edge from.
 */
import { Graph } from '@dagrejs/graphlib';
import type { AccessListEntry, Hex } from '../types.js';

export type StateKey = string;

/** One transaction's footprint, predicted or traced. Addresses lowercase 0x; storage keys 0x + 64 hex. */
export interface TxAccess {
  index: number;
  /** Gas used (traced) or a stand-in (the gas limit, for predictions alone): the node weight of the critical path. */
  gas: number;
  reads: AccessListEntry[];
  writes: AccessListEntry[];
  /** Storage writes that only add or subtract (commutative with each other). */
  deltaWrites?: AccessListEntry[];
  balanceReads?: Hex[];
  /** Balances changed; those not also in `balanceReads` are commutative credits (value received). */
  balanceWrites?: Hex[];
  /** The sender: its nonce (and fee debit) chain the sender's transactions. */
  sender?: Hex;
  nonce?: number | bigint;
  /**
   * The coinbase, paid this transaction's fee: always a delta (in every view), so it orders nothing unless a
   * transaction reads the coinbase's balance, which then waits for every fee before it.
   */
  feeRecipient?: Hex;
}

export type GraphView = 'strict' | 'deltas' | 'lazy';

export interface GraphOptions {
  /**
   * strict: every write is a read-modify-write (credits and deltas included), the sender's nonce and balance chain its
   * transactions. Not strict: credits and deltas are taken out (what the executor merges at commit).
   */
  strict: boolean;
  /**
   * With `strict: false` only: the sender's nonce increment and fee debit become deltas too (a "lazy" nonce and
   * balance check). The executor does not do this (it orders one sender's transactions): this view is the bound a
   * scheduler with lazy nonces and fees could reach.
   */
  lazySenders?: boolean;
}

export interface DepEdge {
  from: number;
  to: number;
  /** The state that orders the two transactions (sorted). */
  keys: StateKey[];
}

export interface DependencyGraph {
  view: GraphView;
  /** Node weights, by transaction position in the block. */
  gas: number[];
  /** Sorted by (to, from). */
  edges: DepEdge[];
  /** The same graph as a graphlib Graph (node ids are the transaction indexes as strings). */
  g: Graph<{ view: GraphView }, { gas: number }, { keys: StateKey[] }>;
}

export const viewOf = (o: GraphOptions): GraphView => (o.strict ? 'strict' : o.lazySenders ? 'lazy' : 'deltas');
export const optionsOf = (v: GraphView): GraphOptions => ({ strict: v === 'strict', lazySenders: v === 'lazy' });

export const storageKey = (address: string, slot: string): StateKey => `${address.toLowerCase()}:${normSlot(slot)}`;
export const balanceKey = (address: string): StateKey => `${address.toLowerCase()}:balance`;
export const nonceKey = (address: string): StateKey => `${address.toLowerCase()}:nonce`;

function normSlot(s: string): string {
  const h = s.toLowerCase().replace(/^0x/, '');
  return '0x' + h.padStart(64, '0');
}

/** `<address>:<field>` split back. */
export function splitKey(k: StateKey): { address: Hex; field: string } {
  const i = k.indexOf(':');
  return { address: k.slice(0, i) as Hex, field: k.slice(i + 1) };
}

// Per transaction and key: 1 read, 2 delta, 4 write. read|delta is a read-modify-write, i.e. a write.
const R = 1;
const D = 2;
const W = 4;

function accessModes(tx: TxAccess, o: GraphOptions): Map<StateKey, number> {
  const m = new Map<StateKey, number>();
  const add = (k: StateKey, f: number) => m.set(k, (m.get(k) ?? 0) | f);
  for (const e of tx.reads) for (const s of e.storageKeys) add(storageKey(e.address, s), R);
  for (const e of tx.writes) for (const s of e.storageKeys) add(storageKey(e.address, s), W);
  for (const e of tx.deltaWrites ?? []) for (const s of e.storageKeys) add(storageKey(e.address, s), o.strict ? R | W : D);
  const bReads = new Set((tx.balanceReads ?? []).map((a) => a.toLowerCase()));
  for (const a of bReads) add(balanceKey(a), R);
  for (const a0 of tx.balanceWrites ?? []) {
    const a = a0.toLowerCase();
    add(balanceKey(a), bReads.has(a) ? W : o.strict ? R | W : D);
  }
  if (tx.sender) {
    const s = tx.sender.toLowerCase();
    const lazy = !o.strict && o.lazySenders === true;
    if (lazy) {
      // Only the sender's own bookkeeping becomes a delta; a sender whose balance the transaction really reads
      // elsewhere (BALANCE of itself) cannot be told apart in a trace, and is treated as lazy too.
      m.set(nonceKey(s), D);
      m.set(balanceKey(s), D);
    } else {
      add(nonceKey(s), R | W);
      add(balanceKey(s), R | W);
    }
  }
  if (tx.feeRecipient) add(balanceKey(tx.feeRecipient), D);
  for (const [k, f] of m) m.set(k, f & W || (f & D && f & R) ? W : f & D ? D : R);
  return m;
}

/** Builds the graph in one pass in block order. `txs` must be in block order with distinct indexes. */
export function buildDependencyGraph(txs: TxAccess[], opts: GraphOptions): DependencyGraph {
  const view = viewOf(opts);
  const state = new Map<StateKey, { writer: number; deltas: number[] }>();
  const edgeMap = new Map<number, DepEdge>();
  const gas = txs.map((t) => t.gas);
  const N = txs.length + 1;
  const addEdge = (from: number, to: number, k: StateKey) => {
    const id = from * N + to;
    let e = edgeMap.get(id);
    if (!e) edgeMap.set(id, (e = { from, to, keys: [] }));
    if (e.keys[e.keys.length - 1] !== k) e.keys.push(k);
  };
  for (let p = 0; p < txs.length; p++) {
    const modes = accessModes(txs[p]!, opts);
    // Edges first (against earlier transactions only), then this transaction's updates.
    for (const [k, f] of modes) {
      if (f === D) continue;
      const st = state.get(k);
      if (!st) continue;
      if (st.writer >= 0) addEdge(st.writer, p, k);
      for (const d of st.deltas) addEdge(d, p, k);
    }
    for (const [k, f] of modes) {
      if (f === R) continue;
      let st = state.get(k);
      if (!st) state.set(k, (st = { writer: -1, deltas: [] }));
      if (f === D) st.deltas.push(p);
      else {
        st.writer = p;
        st.deltas = [];
      }
    }
  }
  // Positions back to transaction indexes (identical for a whole block).
  const edges = [...edgeMap.values()]
    .map((e) => ({ from: txs[e.from]!.index, to: txs[e.to]!.index, keys: e.keys.sort() }))
    .sort((a, b) => a.to - b.to || a.from - b.from);
  const g = new Graph<{ view: GraphView }, { gas: number }, { keys: StateKey[] }>({ directed: true });
  g.setGraph({ view });
  for (const t of txs) g.setNode(String(t.index), { gas: t.gas });
  for (const e of edges) g.setEdge(String(e.from), String(e.to), { keys: e.keys });
  return { view, gas: indexGas(txs, gas), edges, g };
}

function indexGas(txs: TxAccess[], gas: number[]): number[] {
  const max = txs.reduce((m, t) => Math.max(m, t.index), -1);
  const out = new Array<number>(max + 1).fill(0);
  txs.forEach((t, p) => (out[t.index] = gas[p]!));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// Critical path and bound
// ---------------------------------------------------------------------------------------------------------------------

export interface CriticalPath {
  /** Gas along the heaviest chain of dependencies. */
  gas: number;
  /** Transaction indexes along it, in order. */
  txs: number[];
  /** The edges between consecutive transactions of `txs`. */
  edges: DepEdge[];
  /** Sum of all transactions' gas. */
  totalGas: number;
  /** totalGas / gas: no schedule, on any number of threads, runs the block faster than this. 1 for an empty block. */
  bound: number;
}

/**
 * The longest gas-weighted chain. Edges only go forward, so one pass in index order is a topological order.
 * `without`: ignore edges whose every cause is in this set (what-if for a hot slot).
 */
export function criticalPath(graph: Pick<DependencyGraph, 'gas' | 'edges'>, without?: Set<StateKey>): CriticalPath {
  const n = graph.gas.length;
  const dist = new Float64Array(n);
  const pred = new Int32Array(n).fill(-1);
  const predEdge: (DepEdge | undefined)[] = new Array(n);
  let e = 0;
  const edges = graph.edges;
  for (let j = 0; j < n; j++) {
    let best = 0;
    for (; e < edges.length && edges[e]!.to === j; e++) {
      const x = edges[e]!;
      if (without && x.keys.every((k) => without.has(k))) continue;
      if (pred[j] === -1 || dist[x.from]! > best) {
        best = dist[x.from]!;
        pred[j] = x.from;
        predEdge[j] = x;
      }
    }
    dist[j] = best + graph.gas[j]!;
  }
  let end = -1;
  let max = 0;
  for (let j = 0; j < n; j++) {
    if (end === -1 || dist[j]! > max) {
      max = dist[j]!;
      end = j;
    }
  }
  const txs: number[] = [];
  const pathEdges: DepEdge[] = [];
  for (let j = end; j >= 0; j = pred[j]!) {
    txs.push(j);
    if (predEdge[j] && pred[j]! >= 0) pathEdges.push(predEdge[j]!);
  }
  txs.reverse();
  pathEdges.reverse();
  const totalGas = graph.gas.reduce((a, b) => a + b, 0);
  return { gas: max, txs: n ? txs : [], edges: pathEdges, totalGas, bound: max > 0 ? totalGas / max : 1 };
}

/** The bound on `threads` threads: neither the critical path nor an even split of the gas can be beaten. */
export const boundOnThreads = (cp: CriticalPath, threads: number): number => Math.min(threads, cp.bound);

// ---------------------------------------------------------------------------------------------------------------------
// Predicted vs actual
// ---------------------------------------------------------------------------------------------------------------------

export interface GraphComparison {
  /** Actual edges the prediction has too. */
  true: DepEdge[];
  /** Predicted edges that are not real (cost parallelism, never correctness). */
  false: DepEdge[];
  /** Real edges the prediction missed (cost a re-execution in the executor). */
  missed: DepEdge[];
  counts: { predicted: number; actual: number; true: number; false: number; missed: number };
}

export function compareGraphs(predicted: Pick<DependencyGraph, 'edges'>, actual: Pick<DependencyGraph, 'edges'>): GraphComparison {
  const id = (e: DepEdge) => `${e.from}>${e.to}`;
  const p = new Map(predicted.edges.map((e) => [id(e), e]));
  const a = new Set(actual.edges.map(id));
  const tr: DepEdge[] = [];
  const missed: DepEdge[] = [];
  for (const e of actual.edges) (p.has(id(e)) ? tr : missed).push(e);
  const fa = predicted.edges.filter((e) => !a.has(id(e)));
  return {
    true: tr,
    false: fa,
    missed,
    counts: { predicted: predicted.edges.length, actual: actual.edges.length, true: tr.length, false: fa.length, missed: missed.length },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Hot slots
// ---------------------------------------------------------------------------------------------------------------------

export interface HotSlot {
  key: StateKey;
  address: Hex;
  /** 0x + 64 hex, or `balance` / `nonce`. */
  field: string;
  /** Edges this key causes (alone or with others). */
  edges: number;
  /** Edges caused by this key alone. */
  onlyEdges: number;
  /** Edges of the critical path it causes, and the gas of their target transactions. */
  criticalEdges: number;
  criticalGas: number;
  /** Transactions at either end of its edges. */
  txs: number;
  /** The bound if this key ordered nothing (computed for the top `whatIf` keys only). */
  boundWithout?: number;
}

/** Keys by how much they serialize the block: critical-path gas first, then edges. */
export function hotSlots(graph: Pick<DependencyGraph, 'gas' | 'edges'>, cp: CriticalPath, opts: { top?: number; whatIf?: number } = {}): HotSlot[] {
  const m = new Map<StateKey, HotSlot & { txSet: Set<number> }>();
  const get = (k: StateKey) => {
    let h = m.get(k);
    if (!h) {
      const { address, field } = splitKey(k);
      m.set(k, (h = { key: k, address, field, edges: 0, onlyEdges: 0, criticalEdges: 0, criticalGas: 0, txs: 0, txSet: new Set() }));
    }
    return h;
  };
  for (const e of graph.edges) {
    for (const k of e.keys) {
      const h = get(k);
      h.edges++;
      if (e.keys.length === 1) h.onlyEdges++;
      h.txSet.add(e.from).add(e.to);
    }
  }
  for (const e of cp.edges) {
    for (const k of e.keys) {
      const h = get(k);
      h.criticalEdges++;
      h.criticalGas += graph.gas[e.to]!;
    }
  }
  const out = [...m.values()]
    .map(({ txSet, ...h }) => ({ ...h, txs: txSet.size }))
    .sort((a, b) => b.criticalGas - a.criticalGas || b.edges - a.edges || (a.key < b.key ? -1 : 1));
  const top = out.slice(0, opts.top ?? out.length);
  const whatIf = Math.min(opts.whatIf ?? 10, top.length);
  for (let i = 0; i < whatIf; i++) top[i]!.boundWithout = criticalPath(graph, new Set([top[i]!.key])).bound;
  return top;
}

/** Keys of every edge, for colouring: key -> edges. */
export function edgesByKey(edges: DepEdge[]): Map<StateKey, DepEdge[]> {
  const m = new Map<StateKey, DepEdge[]>();
  for (const e of edges) {
    for (const k of e.keys) {
      const l = m.get(k);
      if (l) l.push(e);
      else m.set(k, [e]);
    }
  }
  return m;
}
