/**
 * `prescient graph <blockdir> [--json] [--html out.html] [--strict|--lazy] [--predicted-only] [--cache DIR] [--top N]`:
 * the block's dependency graph predicted (hints) and actual (traced execution), the critical path and parallelism
 * bound, the hot slots.
 */
import { writeFileSync } from 'node:fs';
import { initCrypto } from '../chain/crypto.js';
import { loadBlockDir, type LoadedBlock } from '../chain/load.js';
import { atMost, checkBlockDirs, checkOutputDir, checkOutputFile, intOption, parseCommandArgs, printUsage } from '../cli/args.js';
import { PrescientError } from '../errors.js';
import { executeBlockTraced } from '../exec/index.js';
import { isUnbound } from '../hints/bind.js';
import { hintsForBlock } from '../hints/block.js';
import { AnalysisCache, stateView } from '../hints/context.js';
import { viewCallResolver } from '../hints/resolve.js';
import type { TxBinding } from '../hints/bind.js';
import { contractInfo as evmoleInfo } from 'evmole';
import type { Hex, Slot, TxTrace } from '../types.js';
import { renderGraphHtml } from '../report/html.js';
import { renderGraphText } from '../report/text.js';
import { blockGraphReport, edgesJson, type BlockGraphDetail, type ContractFacts } from './block.js';
import type { GraphView } from './graph.js';

const USAGE = `usage: prescient graph <blockdir> [options]

  --json                 the report as JSON (bounds per view, edge counts, hot slots, edges)
  --html FILE            a self-contained page drawing the graph (critical path, hot slots)
  --strict               headline view: every write a read-modify-write, sender nonce chains
  --lazy                 headline view: deltas out and lazy sender nonces/fees
  --predicted-only       no execution: the predicted graph alone (weights = gas limits)
  --top N                hot slots to report (default 20)
  --cache DIR            keep analyses on disk by code hash`;

/**
 * What the namer knows of a contract: the hints' own analysis when it made one (a name, a storage layout), else only
 * the selectors the code dispatches on (evmole, ~1 ms; a full analysis can take seconds and is not worth it for a name).
 */
export function analysisLookup(cache: AnalysisCache, loaded: LoadedBlock): (code: Uint8Array, a: Hex) => ContractFacts | null {
  const sv = stateView(loaded.prestate);
  return (code, a) => {
    const r = cache.map.get(sv.codeHash(a));
    if (r && !isUnbound(r)) {
      const fns = new Map(r.functions.map((f) => [f.selector, f]));
      return {
        name: r.name,
        storageLayout: r.storageLayout,
        selectors: [...fns.keys()],
        reads: (sel) => {
          const f = fns.get(sel as Hex);
          return f ? f.reads.map((x) => baseSlot(x.slot)).filter((x): x is bigint => x !== null) : null;
        },
      };
    }
    try {
      const hex = Buffer.from(code).toString('hex');
      const info = evmoleInfo(hex, { selectors: true });
      let byFn: Map<string, bigint[]> | undefined;
      return {
        name: null,
        storageLayout: null,
        selectors: (info.functions ?? []).map((f: { selector: string }) => '0x' + f.selector),
        // evmole's storage records (base slots, with the selectors reading them): ~30 ms, only when asked.
        reads: (sel) => {
          if (!byFn) {
            byFn = new Map();
            for (const rec of evmoleInfo(hex, { storage: true }).storage ?? []) {
              for (const s of rec.reads ?? []) byFn.set('0x' + s, [...(byFn.get('0x' + s) ?? []), BigInt('0x' + rec.slot)]);
            }
          }
          return byFn.get(sel) ?? [];
        },
      };
    } catch {
      return null;
    }
  };
}

/** The declared slot a structural slot hangs off: a constant, or a mapping's / array's base (null when unknown). */
function baseSlot(s: Slot): bigint | null {
  switch (s.kind) {
    case 'const':
      return BigInt(s.slot);
    case 'mapping':
    case 'array':
    case 'offset':
      return baseSlot(s.base);
    default:
      return null;
  }
}

export interface GraphRunOptions {
  view?: GraphView;
  predictedOnly?: boolean;
  cache?: AnalysisCache;
  top?: number;
  /** Already computed by the caller (verify): reused instead of recomputed. */
  bindings?: TxBinding[];
  traces?: TxTrace[];
}

/** Hints + traced execution + graph report for one loaded block. */
export async function graphForBlock(loaded: LoadedBlock, o: GraphRunOptions = {}): Promise<BlockGraphDetail> {
  await initCrypto();
  const cache = o.cache ?? new AnalysisCache();
  const bindings = o.bindings ?? hintsForBlock(loaded, { ...cache.sources, resolveCall: viewCallResolver }).bindings;
  const traces = o.predictedOnly ? undefined : (o.traces ?? (await executeBlockTraced(loaded.block, loaded.prestate, loaded.blockHashes)).traces);
  return blockGraphReport({ loaded, bindings, ...(traces ? { traces } : {}), analysis: analysisLookup(cache, loaded), ...(o.view ? { view: o.view } : {}), ...(o.top ? { top: o.top } : {}) });
}

export function graphJson(d: BlockGraphDetail): unknown {
  return {
    ...d.report,
    criticalPathEdges: edgesJson(d.criticalPath.edges, d.names),
    ...(d.comparison
      ? { missedEdges: edgesJson(d.comparison.missed, d.names), falseEdges: edgesJson(d.comparison.false, d.names).slice(0, 500) }
      : {}),
    edges: edgesJson((d.actual ?? d.predicted)?.edges ?? [], d.names),
  };
}

export async function graphCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs('graph', argv, {
    string: ['html', 'cache', 'top'],
    boolean: ['json', 'strict', 'lazy', 'predicted-only'],
  });
  if (v.help) return printUsage(USAGE);
  const top = intOption('--top', v.top) ?? 20;
  // Two headline views asked for: neither silently wins.
  if (v.strict && v.lazy) throw new PrescientError('BAD_OPTION', '--lazy', '--strict and --lazy exclude each other');
  const view: GraphView | undefined = v.strict ? 'strict' : v.lazy ? 'lazy' : undefined;
  if (positionals.length === 0) throw new PrescientError('BAD_OPTION', 'graph', 'no block folder (see prescient graph --help)');
  atMost(positionals, 1, 'one block folder');
  const dir = positionals[0]!;
  checkBlockDirs([dir]);
  checkOutputFile('--html', v.html);
  checkOutputDir('--cache', v.cache);
  const { json = false, html, 'predicted-only': predictedOnly = false, cache: cacheDir } = v;
  const loaded = loadBlockDir(dir);
  const cache = AnalysisCache.inDir(cacheDir);
  const d = await graphForBlock(loaded, { cache, predictedOnly, top, ...(view ? { view } : {}) });
  if (html) writeFileSync(html, renderGraphHtml(d));
  process.stdout.write(json ? JSON.stringify(graphJson(d), null, 2) + '\n' : renderGraphText(d.report));
  return 0;
}
