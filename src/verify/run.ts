/**
 * Verify over block folders: hints (src/hints) for every transaction, traced sequential execution (src/exec), and
 * the comparison (verify.ts), block by block in the order given.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadBlockDir, type LoadedBlock } from '../chain/load.js';
import { initCrypto } from '../chain/crypto.js';
import { executeBlockTraced } from '../exec/index.js';
import { hintsForBlock, type BlockHints } from '../hints/block.js';
import { AnalysisCache } from '../hints/context.js';
import { viewCallResolver } from '../hints/resolve.js';
import { PrescientError } from '../errors.js';
import { mainnetHardfork } from '../chain/fork.js';
import { eip2930List } from '../hints/format.js';
import { accessListGas, accessListsApply, accessedBy, tracedAccessList, warmAddresses } from './gas.js';
import { isPrecompile } from '../hints/bind.js';
import type { Hex, TxHints, TxTrace } from '../types.js';
import {
  addCounts,
  compareTx,
  countsOf,
  emptyCounts,
  emptySpreadTotals,
  MissGrouper,
  precision,
  reallyStale,
  failedAssumptions,
  recall,
  spreadersOf,
  type BlockVerdict,
  type Spreader,
  type SpreadTotals,
  type Counts,
  type TxVerdict,
  type VerifyReport,
} from './verify.js';

export interface VerifyOptions {
  cache?: AnalysisCache;
  /** Resolve call return values by running view calls over the pre-state (default true). */
  resolveCalls?: boolean;
  /** Bind every function of a callee whose selector is unknown (default false). */
  union?: boolean;
  /** Explore imprecise footprints again with each frame's concrete inputs (default true; see BindContext.specialize). */
  specialize?: boolean;
  /** Apply rules/once-per-block.json (default true; see src/hints/block.ts `oncePerBlock`). */
  oncePerBlock?: boolean;
  /** Test hook: change the hints before they are compared (e.g. inject a wrong prediction). */
  mutateHints?: (hints: TxHints[], block: LoadedBlock) => void;
  onBlock?: (v: BlockVerdict) => void;
  /** Everything a block's comparison was computed from (for the dependency graph of `verify --graph`). */
  onBlockData?: (loaded: LoadedBlock, run: BlockRun) => void;
}

export interface BlockRun {
  verdict: BlockVerdict;
  txs: TxVerdict[];
  hints: BlockHints;
  traces: TxTrace[];
  spreaders: Spreader[];
  spread: SpreadTotals;
}

export async function verifyBlock(dir: string, opts: VerifyOptions = {}, grouper?: MissGrouper): Promise<BlockRun> {
  await initCrypto();
  const loaded = loadBlockDir(dir);
  const cache = opts.cache ?? new AnalysisCache();
  const hintsOpts = {
    ...cache.sources,
    resolveCall: opts.resolveCalls === false ? undefined : viewCallResolver,
    union: opts.union === true,
    specialize: opts.specialize !== false,
    oncePerBlock: opts.oncePerBlock !== false,
  };
  const hints = hintsForBlock(loaded, hintsOpts);
  // Binding again with every contract analyzed: the cost of hints alone ("< 1 s per 1,000 transactions").
  const warm = hintsForBlock(loaded, hintsOpts);
  opts.mutateHints?.(hints.hints, loaded);
  const t0 = performance.now();
  const { traces } = await executeBlockTraced(loaded.block, loaded.prestate, loaded.blockHashes);
  const execMs = performance.now() - t0;
  if (traces.length !== hints.hints.length) {
    throw new PrescientError('EXECUTION_FAILED', dir, `${traces.length} traces for ${hints.hints.length} transactions`);
  }
  const txs = hints.hints.map((h, i) => compareTx(h, traces[i]!));
  const hf = mainnetHardfork(loaded.block.number, loaded.block.timestamp);
  const coinbase = String(loaded.block.header.miner ?? '0x' + '00'.repeat(20)).toLowerCase() as Hex;
  compareAccounts(loaded, hf, coinbase, hints.hints, traces, txs);
  priceAccessLists(loaded, hf, coinbase, hints.hints, traces, txs);
  if (grouper) txs.forEach((v, i) => grouper.add(hints.number, v, hints.bindings[i]));
  const rs = reallyStale(hints.bindings, traces, txs);
  const fa = failedAssumptions(hints.bindings, traces, txs);
  const verdict: BlockVerdict = {
    number: hints.number,
    dir,
    group: existsSync(join(dir, 'gen.json')) ? 'generated' : 'given',
    ...countsOf(txs, hints.bindings),
    reallyStaleTxs: rs.txs,
    reallyStaleMissed: rs.missed,
    assumingTxs: fa.assuming,
    failedAssumptionTxs: fa.txs,
    failedAssumptionMissed: fa.missed,
    bindMs: hints.stats.bindMs,
    warmBindMs: warm.stats.bindMs,
    execMs,
  };
  opts.onBlock?.(verdict);
  const spread = spreadersOf(hints.number, hints.bindings, txs, loaded.block.transactions);
  const out = { verdict, txs, hints, traces, spreaders: spread.list, spread: spread.totals };
  opts.onBlockData?.(loaded, out);
  return out;
}

export async function verifyBlocks(dirs: string[], opts: VerifyOptions = {}): Promise<VerifyReport> {
  const cache = opts.cache ?? new AnalysisCache();
  const grouper = new MissGrouper();
  const blocks: BlockVerdict[] = [];
  const violations: VerifyReport['violations'] = [];
  const spreaders: Spreader[] = [];
  const spread = emptySpreadTotals();
  let total = emptyCounts();
  for (const dir of dirs) {
    const run = await verifyBlock(dir, { ...opts, cache }, grouper);
    blocks.push(run.verdict);
    total = addCounts(total, run.verdict);
    for (const v of run.txs) if (v.violation) violations.push({ block: run.verdict.number, index: v.index, hash: v.hash, missed: v.missed });
    spreaders.push(...run.spreaders);
    for (const k of Object.keys(spread) as Array<keyof SpreadTotals>) spread[k] += run.spread[k];
  }
  const groups: VerifyReport['groups'] = {};
  for (const g of new Set(blocks.map((b) => b.group))) {
    const bs = blocks.filter((b) => b.group === g);
    const c = bs.reduce<Counts>((acc, b) => addCounts(acc, b), emptyCounts());
    groups[g] = { ...c, recall: recall(c), precision: precision(c), blocks: bs.length };
  }
  return {
    schema: 'prescient/verify@1',
    blocks,
    spread,
    spreaders: spreaders.sort((a, b) => b.extra + b.missed - (a.extra + a.missed) || a.block - b.block || a.index - b.index),
    overall: { ...total, recall: recall(total), precision: precision(total) },
    groups,
    misses: grouper.result(),
    violations,
  };
}

/** Sets each verdict's `accounts`: the accounts it accessed against the addresses its hints list. */
function compareAccounts(loaded: LoadedBlock, hf: string, coinbase: Hex, hints: TxHints[], traces: TxTrace[], verdicts: TxVerdict[]): void {
  hints.forEach((h, i) => {
    const from = String((loaded.block.transactions[i] as { from: string }).from).toLowerCase();
    const keep = (a: string) => a !== from && a !== coinbase && !isPrecompile(a as Hex, hf);
    const traced = [...accessedBy(traces[i]!).accounts].filter(keep);
    const predicted = new Set(h.accessList.map((e) => e.address.toLowerCase()).filter(keep));
    verdicts[i]!.accounts = { traced: traced.length, predicted: predicted.size, hit: traced.filter((a) => predicted.has(a)).length };
  });
}

/** Sets each verdict's `listGas` where the block's transactions can carry an access list (Berlin and later). */
function priceAccessLists(loaded: LoadedBlock, hf: string, coinbase: Hex, hints: TxHints[], traces: TxTrace[], verdicts: TxVerdict[]): void {
  if (!accessListsApply(hf)) return;
  hints.forEach((h, i) => {
    const tx = loaded.block.transactions[i] as { from: Hex; to?: Hex | null; nonce: string };
    const t = traces[i]!;
    const warm = warmAddresses(tx, hf, coinbase);
    const net = (policy: 'pays' | 'all') => accessListGas(eip2930List(h, { from: tx.from, to: tx.to ?? null }, hf, coinbase, policy), t, warm, hf).net;
    verdicts[i]!.listGas = { pays: net('pays'), all: net('all'), traced: accessListGas(tracedAccessList(t, warm, hf), t, warm, hf).net };
  });
}
