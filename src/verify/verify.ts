/**
 * Predictions held against traced execution. The headline numbers are over storage slots, i.e. (address, slot)
 * pairs: a transaction's traced set is every slot it read or wrote (reverted frames included), its predicted set is
 * the `accessList` of its hints.
 *
 * - missed: traced, not predicted (recall = hit / traced);
 * - extra: predicted, not traced (precision = hit / predicted);
 * - violation: the hints said `complete: true`, yet something was missed.
 *
 * Balances (accounts whose balance was read or changed) are compared separately and do not enter the headline.
 */
import type { Diagnostic, Hex, TxHints, TxTrace } from '../types.js';
import type { TxBinding } from '../hints/bind.js';

export interface TxVerdict {
  index: number;
  hash: Hex;
  complete: boolean;
  status: TxTrace['status'];
  traced: number;
  predicted: number;
  hit: number;
  missed: { address: Hex; slot: Hex }[];
  extra: number;
  violation: boolean;
  balances: { traced: number; hit: number; missed: Hex[] };
  /**
   * Net gas of attaching an EIP-2930 list (negative: it saves gas), by the trace (gas.ts), in blocks whose transactions
   * can carry one (Berlin and later): `pays` and `all`, the lists `hints --format eip2930` gives by default and with
   * `--all-entries`; `traced`, the best list given what the transaction accessed (what eth_createAccessList finds).
   */
  listGas?: { pays: number; all: number; traced: number };
  /**
   * Accounts the transaction accessed (TxTrace.accounts) against the addresses of its `accessList`, both without the
   * sender, the coinbase and the precompiles.
   */
  accounts?: { traced: number; predicted: number; hit: number };
}

export interface Counts {
  txs: number;
  complete: number;
  traced: number;
  predicted: number;
  hit: number;
  violations: number;
  /** Transactions with at least one miss. */
  txsWithMisses: number;
  balanceTraced: number;
  balanceHit: number;
  /** Transactions whose binding read state an earlier transaction (or itself) may change first. */
  staleTxs: number;
  /** Transactions whose binding read a slot that an earlier transaction really wrote (by the traces). */
  reallyStaleTxs: number;
  /** Slots missed in those transactions. */
  reallyStaleMissed: number;
  /** Transactions whose prediction assumes an earlier transaction's write (TxHints.assumes). */
  assumingTxs: number;
  /** Of those, transactions where an assumed write did not happen (by the traces), and the slots they missed. */
  failedAssumptionTxs: number;
  failedAssumptionMissed: number;
  /** Transactions whose access lists were priced (TxVerdict.listGas), and the sums of their net gas. */
  listTxs: number;
  listGasPays: number;
  listGasAll: number;
  listGasTraced: number;
  /** Sums of TxVerdict.accounts. */
  accountTraced: number;
  accountPredicted: number;
  accountHit: number;
}

export const recall = (c: Counts): number => (c.traced === 0 ? 1 : c.hit / c.traced);
export const precision = (c: Counts): number => (c.predicted === 0 ? 1 : c.hit / c.predicted);

export interface BlockVerdict extends Counts {
  number: number;
  dir: string;
  /** `generated` for blocks made by `prescient gen` (a gen.json beside them), else `given`. */
  group: 'generated' | 'given';
  /** First binding, analyses included. */
  bindMs: number;
  /** Binding again once every contract is analyzed. */
  warmBindMs: number;
  execMs: number;
}

/** Misses grouped by the contract whose storage was missed and the function its frame ran, with the reasons. */
export interface MissGroup {
  address: Hex;
  codeHash: Hex | null;
  selector: string;
  misses: number;
  txs: number;
  reasons: { reason: string; count: number }[];
}

/**
 * A transaction whose writes could not all be bound (an unbound call target, an unknown slot, a stale key): the block's
 * later bindings cannot rule out that it wrote what they read, so every one of them that read state names it and is
 * incomplete (src/hints/block.ts, BlockWrites). One such transaction early in a block degrades the rest of it.
 */
export interface Spreader {
  block: number;
  index: number;
  hash: Hex;
  /** The contract called and the selector. */
  to: Hex | null;
  selector: string;
  /** Why its writes are unbound: its first diagnostic of the kinds that leave writes unbound, as a reason class. */
  cause: string;
  /** Later transactions whose binding names it. */
  later: number;
  /** Of those, with no diagnostic but names of this transaction: complete, had its writes been bound. */
  onlyBecause: number;
  /** Slots those later transactions missed, and predicted without their being touched. */
  missed: number;
  extra: number;
}

export interface VerifyReport {
  schema: 'prescient/verify@1';
  blocks: BlockVerdict[];
  /** Transactions with unbound writes that later bindings name, most extra and missed slots first. */
  spreaders: Spreader[];
  spread: SpreadTotals;
  overall: Counts & { recall: number; precision: number };
  /** The same totals per group of blocks (generated from the examples / given, e.g. mainnet). */
  groups: Record<string, Counts & { recall: number; precision: number; blocks: number }>;
  misses: MissGroup[];
  violations: { block: number; index: number; hash: Hex; missed: { address: Hex; slot: Hex }[] }[];
}

export function emptyCounts(): Counts {
  return { txs: 0, complete: 0, traced: 0, predicted: 0, hit: 0, violations: 0, txsWithMisses: 0, balanceTraced: 0, balanceHit: 0, staleTxs: 0, reallyStaleTxs: 0, reallyStaleMissed: 0, assumingTxs: 0, failedAssumptionTxs: 0, failedAssumptionMissed: 0, listTxs: 0, listGasPays: 0, listGasAll: 0, listGasTraced: 0, accountTraced: 0, accountPredicted: 0, accountHit: 0 };
}

export function addCounts(a: Counts, b: Counts): Counts {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof Counts)[]) out[k] += b[k];
  return out;
}

const pairKey = (a: string, s: string) => `${a.toLowerCase()}:${s.toLowerCase()}`;

function slotSet(entries: { address: string; storageKeys: string[] }[]): Set<string> {
  const s = new Set<string>();
  for (const e of entries) for (const k of e.storageKeys) s.add(pairKey(e.address, k));
  return s;
}

/** One transaction: its hints against its trace. */
export function compareTx(h: TxHints, t: TxTrace): TxVerdict {
  const predicted = slotSet(h.accessList);
  const traced = slotSet([...t.reads, ...t.writes]);
  const missed: { address: Hex; slot: Hex }[] = [];
  let hit = 0;
  for (const k of traced) {
    if (predicted.has(k)) hit++;
    else {
      const [address, slot] = k.split(':') as [Hex, Hex];
      missed.push({ address, slot });
    }
  }
  const predBal = new Set((h.balances ?? []).map((a) => a.toLowerCase()));
  const tracedBal = new Set([...t.balanceReads, ...t.balanceWrites].map((a) => a.toLowerCase()));
  const balMissed = [...tracedBal].filter((a) => !predBal.has(a)) as Hex[];
  return {
    index: h.index,
    hash: h.hash,
    complete: h.complete,
    status: t.status,
    traced: traced.size,
    predicted: predicted.size,
    hit,
    missed,
    extra: predicted.size - hit,
    violation: h.complete && missed.length > 0,
    balances: { traced: tracedBal.size, hit: tracedBal.size - balMissed.length, missed: balMissed },
  };
}

/**
 * How often the block's earlier transactions really changed a value a binding read from the pre-state: the traces
 * say which slots each transaction wrote.
 */
export function reallyStale(bindings: TxBinding[], traces: TxTrace[], verdicts: TxVerdict[]): { txs: number; missed: number } {
  const written = new Set<string>();
  let txs = 0;
  let missed = 0;
  bindings.forEach((b, i) => {
    let stale = false;
    for (const [a, slots] of b.bindingReads) for (const s of slots) if (written.has(`${a}:${s}`)) stale = true;
    if (stale) {
      txs++;
      missed += verdicts[i]!.missed.length;
    }
    for (const e of traces[i]!.writes) for (const k of e.storageKeys) written.add(`${e.address.toLowerCase()}:${BigInt(k)}`);
  });
  return { txs, missed };
}

/** How often a prediction's assumption about an earlier transaction's write (TxBinding.assumes) failed, by the traces. */
export function failedAssumptions(bindings: TxBinding[], traces: TxTrace[], verdicts: TxVerdict[]): { assuming: number; txs: number; missed: number } {
  let assuming = 0, txs = 0, missed = 0;
  const wrote = (tx: number, address: Hex, slot: bigint) =>
    !!traces[tx]?.writes.find((e) => e.address.toLowerCase() === address.toLowerCase())?.storageKeys.some((k) => BigInt(k) === slot);
  bindings.forEach((b, i) => {
    if (b.assumes.length === 0) return;
    assuming++;
    const failed = b.assumes.some(({ txs, address, slot }) => !txs.some((tx) => wrote(tx, address, slot)));
    if (failed) {
      txs++;
      missed += verdicts[i]!.missed.length;
    }
  });
  return { assuming, txs, missed };
}

export function countsOf(vs: TxVerdict[], bindings?: TxBinding[]): Counts {
  const c = emptyCounts();
  for (const v of vs) {
    c.txs++;
    if (v.complete) c.complete++;
    c.traced += v.traced;
    c.predicted += v.predicted;
    c.hit += v.hit;
    if (v.violation) c.violations++;
    if (v.missed.length) c.txsWithMisses++;
    c.balanceTraced += v.balances.traced;
    c.balanceHit += v.balances.hit;
    if (v.listGas) {
      c.listTxs++;
      c.listGasPays += v.listGas.pays;
      c.listGasAll += v.listGas.all;
      c.listGasTraced += v.listGas.traced;
    }
    if (v.accounts) {
      c.accountTraced += v.accounts.traced;
      c.accountPredicted += v.accounts.predicted;
      c.accountHit += v.accounts.hit;
    }
  }
  if (bindings) c.staleTxs = bindings.filter((b) => b.staleDeps > 0).length;
  return c;
}

/** The earlier transaction a diagnostic names for its unbound writes or calls (BlockWrites' messages), or null. */
export function blamedTx(d: Diagnostic): number | null {
  const m = /\btx (\d+) \(unbound /.exec(d.message);
  return m ? Number(m[1]) : null;
}

/**
 * Per block: which transactions with unbound writes later bindings name, and what those later transactions missed and
 * over-predicted (`txs`: the block's transactions as given, for the callee and selector).
 */
export function spreadersOf(block: number, bindings: TxBinding[], verdicts: TxVerdict[], txs: { to?: string | null; input?: string }[]): { list: Spreader[]; totals: SpreadTotals } {
  const by = new Map<number, Spreader>();
  const totals = emptySpreadTotals();
  bindings.forEach((b, i) => {
    const named = new Set<number>();
    let other = false;
    for (const d of b.diagnostics) {
      const j = blamedTx(d);
      if (j !== null && j !== i) named.add(j);
      else other = true;
    }
    if (named.size > 0) {
      totals.naming++;
      if (!other) totals.onlyBecause++;
      totals.missed += verdicts[i]!.missed.length;
      totals.extra += verdicts[i]!.extra;
    }
    for (const j of named) {
      let s = by.get(j);
      if (!s) {
        const src = bindings[j];
        const t = txs[j];
        const own = src ? unboundCause(src.diagnostics) : undefined;
        const cause = own ? reasonOf(own) : src && src.staleDeps > 0 ? 'stale binding: keys bound from a value an earlier transaction may change' : '(none)';
        s = { block, index: j, hash: src?.hash ?? ('0x' as Hex), to: (t?.to?.toLowerCase() ?? null) as Hex | null, selector: (t?.input ?? '0x').slice(0, 10), cause, later: 0, onlyBecause: 0, missed: 0, extra: 0 };
        by.set(j, s);
      }
      s.later++;
      if (!other && named.size === 1) s.onlyBecause++;
      s.missed += verdicts[i]!.missed.length;
      s.extra += verdicts[i]!.extra;
    }
  });
  totals.spreaders = by.size;
  totals.blocks = by.size > 0 ? 1 : 0;
  return { list: [...by.values()], totals };
}

/** Diagnostics that leave writes unbound, most telling first; then any other that is not a cross-check. */
const UNBOUND_CAUSES = ['unknown-call-target', 'unknown-slot', 'dynamic-jump', 'limit-steps', 'limit-paths', 'limit-depth'];
function unboundCause(ds: Diagnostic[]): Diagnostic | undefined {
  for (const code of UNBOUND_CAUSES) {
    const d = ds.find((x) => x.code === code);
    if (d) return d;
  }
  return ds.find((d) => d.code !== 'cross-check');
}

export function emptySpreadTotals(): SpreadTotals {
  return { spreaders: 0, blocks: 0, naming: 0, onlyBecause: 0, missed: 0, extra: 0 };
}

/** Transactions naming a spreader, each counted once however many it names. */
export interface SpreadTotals {
  spreaders: number;
  blocks: number;
  naming: number;
  /** Naming transactions with no diagnostic but such names: complete, had the spreaders' writes been bound. */
  onlyBecause: number;
  missed: number;
  extra: number;
}

/** Normalises a diagnostic to a reason class: addresses, numbers and pcs blanked, so equal causes group together. */
export function reasonOf(d: Diagnostic): string {
  let m = d.message;
  // "<contract>.<selector>: " prefix: the group already names it
  m = m.replace(/^(0x[0-9a-f]{40}|[A-Za-z_][\w]*)(\.(0x[0-9a-f]{8}|fallback|receive|\?))?: /, '');
  // A stale binding's predicted value (src/hints/bind.ts checkDeps): one class whatever the value.
  m = m.replace(/\(read as (?:0x[0-9a-f]+|0), /g, '(read as <value>, ');
  m = m.replace(/0x[0-9a-f]{64}/g, '<slot>').replace(/0x[0-9a-f]{40}/g, '<addr>').replace(/0x[0-9a-f]{9,}/g, '<hex>').replace(/\bpc \d+/g, 'pc N').replace(/#\d+/g, '#N').replace(/\btx \d+/g, 'tx N');
  return `${d.code}: ${m.length > 160 ? m.slice(0, 157) + '...' : m}`;
}

/**
 * Diagnostics that can explain a miss, first; those that only cost completeness (a value an earlier transaction may
 * change, code that may change, the proxy-forwarding assumption) are kept only when nothing else is said.
 */
const consequence = (d: Diagnostic) => d.code === 'cross-check' || /may be changed by|input assumed to be the frame's own calldata/.test(d.message);
function causal(ds: Diagnostic[]): string[] {
  return ds.filter((d) => !consequence(d)).map(reasonOf);
}

/** Accumulates misses by (storage address, selector of the frame that ran there). */
export class MissGrouper {
  private readonly groups = new Map<string, MissGroup & { txSet: Set<string>; reasonMap: Map<string, number> }>();

  add(block: number, v: TxVerdict, b: TxBinding | undefined): void {
    if (v.missed.length === 0) return;
    const byAddr = new Map<string, { address: Hex; slot: Hex }[]>();
    for (const m of v.missed) {
      let l = byAddr.get(m.address);
      if (!l) byAddr.set(m.address, (l = []));
      l.push(m);
    }
    for (const [address, ms] of byAddr) {
      const frames = b ? b.frames.map((f, i) => ({ ...f, i })).filter((f) => f.address === address) : [];
      let selector: string;
      let codeHash: Hex | null = null;
      let reasons: string[];
      const elsewhere = () =>
        b ? causal(b.diagnostics.filter((d) => /call|target|input|selector|analysis|creation|depth|incomplete|limit|dynamic/.test(d.code + d.message))) : [];
      if (frames.length) {
        selector = [...new Set(frames.map((f) => f.selector))].join('|');
        codeHash = frames[0]!.codeHash;
        const idx = new Set(frames.map((f) => f.i));
        reasons = causal(b!.diagnostics.filter((_, j) => idx.has(b!.diagFrames[j]!)));
        // The frames bound here claim completeness: the miss comes from a call into this contract that was not
        // bound (another function), so the reasons are the unbound calls'.
        if (reasons.length === 0) reasons = elsewhere().map((r) => `(another call) ${r}`);
        if (reasons.length === 0) reasons = b!.diagnostics.filter((d, j) => idx.has(b!.diagFrames[j]!) && consequence(d)).map(reasonOf);
        // Keys bound from a pre-state value an earlier transaction changed (a counter-derived token id, ...).
        if (reasons.length === 0) reasons = b!.diagnostics.filter((d) => d.code === 'cross-check' && d.message.includes(address)).map((d) => `(stale binding) ${reasonOf(d)}`);
        if (reasons.length === 0) reasons = ['(no diagnostic: the footprint claims completeness for this function)'];
      } else {
        selector = '(not reached)';
        reasons = elsewhere();
        // Nothing causal: what only cost completeness may still explain it (code created earlier in the block that the
        // binder saw as an account without code, keys bound from a stale value leading elsewhere).
        if (reasons.length === 0 && b) {
          const cons = b.diagnostics.filter(consequence);
          const own = cons.filter((d) => d.message.includes(address));
          reasons = (own.length ? own : cons).map((d) => `(not reached) ${reasonOf(d)}`);
        }
        if (reasons.length === 0) reasons = ['(not reached and no diagnostic: a call the footprints do not list)'];
      }
      const key = `${address}|${selector}`;
      let g = this.groups.get(key);
      if (!g) {
        g = { address: address as Hex, codeHash, selector, misses: 0, txs: 0, reasons: [], txSet: new Set(), reasonMap: new Map() };
        this.groups.set(key, g);
      }
      g.misses += ms.length;
      g.txSet.add(`${block}:${v.index}`);
      for (const r of new Set(reasons)) g.reasonMap.set(r, (g.reasonMap.get(r) ?? 0) + ms.length);
    }
  }

  result(): MissGroup[] {
    return [...this.groups.values()]
      .map(({ txSet, reasonMap, ...g }) => ({
        ...g,
        txs: txSet.size,
        reasons: [...reasonMap].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([reason, count]) => ({ reason, count })),
      }))
      .sort((a, b) => b.misses - a.misses);
  }
}

/** The reasons over all misses, each miss counted once under every reason its group gives (top first). */
export function topReasons(groups: MissGroup[], n = 10): { reason: string; misses: number }[] {
  const m = new Map<string, number>();
  for (const g of groups) {
    const top = g.reasons[0];
    const r = top ? top.reason.replace(/^(\w[\w-]*): .*$/, (all) => all) : '(none)';
    m.set(r, (m.get(r) ?? 0) + g.misses);
  }
  return [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([reason, misses]) => ({ reason, misses }));
}
