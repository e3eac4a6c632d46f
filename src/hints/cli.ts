/**
 * `prescient hints <blockdir> | --block block.json --prestate prestate.json | --tx tx.json --prestate prestate.json
 *   [--json] [--format eip2930|bal] [--cache DIR] [--no-resolve] [--stats]`
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initCrypto } from '../chain/crypto.js';
import { loadBlockDir, loadBlockFiles, parsePrestate, type LoadedBlock } from '../chain/load.js';
import { mainnetHardfork } from '../chain/fork.js';
import { predictedGraphText } from '../graph/integrate.js';
import { atMost, checkBlockDirs, checkInputFiles, checkOutputDir, checkOutputFile, choiceOption, parseCommandArgs, printUsage } from '../cli/args.js';
import { PrescientError } from '../errors.js';
import type { Hex, TxHints } from '../types.js';
import { hintsForBlock } from './block.js';
import { AnalysisCache } from './context.js';
import { accessListsApply, blockAccessList, eip2930List, systemAccesses, type Eip2930Policy } from './format.js';
import { viewCallResolver } from './resolve.js';

const USAGE = `usage: prescient hints <blockdir> [options]
       prescient hints --block block.json --prestate prestate.json [options]
       prescient hints --tx tx.json --prestate prestate.json [--block block.json] [options]

  --json                 one object per transaction: { index, hash, complete, assumes?, accessList, writes, balances,
                         diagnostics } (with --tx: that one object)
  --format eip2930       per transaction the EIP-2930 access list to attach (sender, precompiles, coinbase dropped):
                         only entries that pay for themselves, i.e. the keyed entries of complete predictions (and
                         of those incomplete only for an assumed earlier write)
  --all-entries          with --format eip2930: every predicted entry, even where it costs more gas than it saves
  --format bal           the block-level access list (EIP-7928 shape)
  --cache DIR            keep analyses on disk by code hash
  --no-resolve           do not resolve call return values over the pre-state
  --union                bind every function of a callee whose selector is unknown (more recall, less precision)
  --no-specialize        do not explore imprecise footprints again with each call's concrete inputs
  --no-assume            do not apply rules/once-per-block.json (no prediction assumes an earlier transaction's write)
  --no-prior             ignore earlier transactions' writes (every binding trusts the pre-state; unsound)
  --graph                the predicted transaction dependency graph (weighted by gas limits)
  --html FILE            with --graph: the graph as an HTML page
  --stats                timing and completeness on stderr`;

function readJson(path: string): unknown {
  if (!existsSync(path)) throw new PrescientError('FILE_NOT_FOUND', path, 'no such file');
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new PrescientError('BAD_JSON', path, `malformed JSON: ${(e as Error).message}`);
  }
}

/** A block around a single transaction: its own block when given, else a Cancun-era placeholder header. */
function singleTxBlock(txPath: string, prestatePath: string, blockPath?: string): LoadedBlock {
  const tx = readJson(txPath);
  if (typeof tx !== 'object' || tx === null || Array.isArray(tx)) {
    throw new PrescientError('BAD_BLOCK', txPath, 'expected a transaction object (eth_getTransactionByHash shape)');
  }
  const prestate = parsePrestate(readJson(prestatePath), prestatePath);
  // geth's prestateTracer always lists the sender (it pays for gas): without it, the prestate is another transaction's.
  const from = (tx as { from?: unknown }).from;
  if (typeof from === 'string' && !prestate.has(from.toLowerCase())) {
    throw new PrescientError('BAD_PRESTATE', prestatePath, `has no account for the sender ${from}: not this transaction's prestate (prestateTracer lists every account it touches)`);
  }
  if (blockPath) {
    const l = loadBlockFiles(blockPath, prestatePath);
    return { ...l, block: { ...l.block, transactions: [tx] } };
  }
  const header = {
    number: '0x1298be0',
    timestamp: '0x65fee510',
    miner: '0x0000000000000000000000000000000000000000',
    gasLimit: '0x1c9c380',
    baseFeePerGas: (tx as any).maxFeePerGas ? '0x1' : undefined,
    mixHash: '0x' + '00'.repeat(32),
  };
  return {
    block: { number: 0x1298be0n, timestamp: 0x65fee510n, hash: ('0x' + '00'.repeat(32)) as Hex, header, transactions: [tx] },
    prestate,
    blockHashes: new Map(),
  };
}

export async function hintsCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs('hints', argv, {
    string: ['format', 'block', 'prestate', 'tx', 'cache', 'html'],
    boolean: ['json', 'no-resolve', 'no-prior', 'union', 'no-specialize', 'no-assume', 'stats', 'graph', 'all-entries'],
  });
  if (v.help) return printUsage(USAGE);
  const format = choiceOption('--format', v.format, ['eip2930', 'bal'] as const);
  atMost(positionals, 1, 'one block folder');
  const dir = positionals[0];
  const { block: blockPath, prestate: prestatePath, tx: txPath, json = false, stats = false, graph = false, html, union = false, cache: cacheDir } = v;
  const resolve = !v['no-resolve'];
  const prior = !v['no-prior'];
  const specialize = !v['no-specialize'];
  if (txPath) {
    if (!prestatePath) throw new PrescientError('BAD_OPTION', '--tx', 'needs --prestate');
  } else if (blockPath || prestatePath) {
    if (!blockPath || !prestatePath) throw new PrescientError('BAD_OPTION', '--block', 'needs both --block and --prestate');
  } else if (dir === undefined) throw new PrescientError('BAD_OPTION', 'hints', 'no input (see prescient hints --help)');
  if (v['all-entries'] && format !== 'eip2930') throw new PrescientError('BAD_OPTION', '--all-entries', 'only with --format eip2930');
  if (dir !== undefined && (txPath || blockPath)) throw new PrescientError('BAD_OPTION', dir, 'give a block folder or --block/--tx with --prestate, not both');
  if (dir !== undefined) checkBlockDirs([dir]);
  checkInputFiles([txPath, blockPath, prestatePath]);
  checkOutputFile('--html', html);
  checkOutputDir('--cache', cacheDir);
  await initCrypto();
  let loaded: LoadedBlock;
  let source = 'block.json';
  if (txPath) {
    loaded = singleTxBlock(txPath, prestatePath!, blockPath);
    source = txPath;
  } else if (blockPath) {
    loaded = loadBlockFiles(blockPath, prestatePath!);
    source = blockPath;
  } else {
    loaded = loadBlockDir(dir!);
    source = join(dir!, 'block.json');
  }

  const cache = AnalysisCache.inDir(cacheDir);
  const t0 = performance.now();
  const h = hintsForBlock(loaded, { ...cache.sources, resolveCall: resolve ? viewCallResolver : undefined, trackPrior: prior, union, specialize, oncePerBlock: !v['no-assume'] }, source);
  const total = performance.now() - t0;
  if (txPath) missingRecipient(loaded, h.hints[0]!, prestatePath!);
  if (stats) {
    process.stderr.write(
      `${h.stats.txs} txs, ${h.stats.complete} complete, ${h.stats.staleTxs} with stale-able bindings; ` +
        `${total.toFixed(0)} ms (analysis ${cache.analyzeMs.toFixed(0)} ms for ${cache.analyzed} contracts; ` +
        `${h.stats.specialized} frames explored with their inputs in ${h.stats.specializeMs.toFixed(0)} ms, ${h.stats.specializedReused} reused` +
        `${cache.specializations ? ` (${h.stats.specializedLoaded} read from the cache folder)` : ''}; ` +
        `${h.stats.framesBound} call frames bound, ${h.stats.framesRepeated} repeats skipped)\n`,
    );
  }
  const hf = hintsForBlockHardfork(loaded);
  const policy: Eip2930Policy = v['all-entries'] ? 'all' : 'pays';
  const coinbase = String(loaded.block.header.miner).toLowerCase() as Hex;
  if (graph || html) {
    process.stdout.write(predictedGraphText(loaded, h.bindings, cache, html));
  } else if (format === 'eip2930') {
    const out = h.hints.map((x, i) => {
      const tx = loaded.block.transactions[i] as { from: string; to?: string | null };
      return { index: x.index, hash: x.hash, complete: x.complete, accessList: eip2930List(x, { from: tx.from as Hex, to: (tx.to ?? null) as Hex | null }, hf, coinbase, policy) };
    });
    if (!accessListsApply(hf)) process.stderr.write(`prescient: block ${loaded.block.number} is before Berlin (${hf}): its transactions cannot carry access lists\n`);
    else if (txPath && policy === 'pays' && !out[0]!.complete) {
      process.stderr.write('prescient: the prediction is incomplete, so the list is empty (its entries would likely cost more gas than they save; --all-entries lists them)\n');
    }
    process.stdout.write(JSON.stringify(txPath ? out[0]!.accessList : out, null, 2) + '\n');
  } else if (format === 'bal') {
    const system = systemAccesses(loaded.block.header, loaded.block.number, loaded.block.timestamp, hf);
    process.stdout.write(JSON.stringify(blockAccessList(h.number, h.bindings, coinbase, system), null, 2) + '\n');
  } else if (json) {
    const out = h.hints.map((x) => ({ index: x.index, hash: x.hash, complete: x.complete, ...(x.assumes ? { assumes: x.assumes } : {}), accessList: x.accessList, writes: x.writes, balances: x.balances, diagnostics: x.diagnostics }));
    process.stdout.write(JSON.stringify(txPath ? out[0] : out, null, 2) + '\n');
  } else process.stdout.write(renderHints(h.hints));
  return 0;
}

/**
 * prestateTracer leaves out accounts that do not exist, so a call to an address the prestate lacks is bound as a call
 * to an account without code. In a block folder that is what happened; a single transaction's prestate may have come
 * from elsewhere, so a call with calldata there is not claimed complete.
 */
function missingRecipient(loaded: LoadedBlock, h: TxHints, prestatePath: string): void {
  const tx = loaded.block.transactions[0] as { to?: string | null; input?: string; data?: string };
  const input = tx.input ?? tx.data ?? '0x';
  if (typeof tx.to !== 'string' || input.length <= 2 || loaded.prestate.has(tx.to.toLowerCase())) return;
  h.complete = false;
  h.diagnostics.push({
    code: 'cross-check',
    message: `${prestatePath} has no account ${tx.to.toLowerCase()}: the call is bound as one to an account without code (is this the transaction's prestate?)`,
  });
}

function hintsForBlockHardfork(l: LoadedBlock): string {
  return mainnetHardfork(l.block.number, l.block.timestamp);
}

function renderHints(hs: TxHints[]): string {
  const out: string[] = [];
  for (const h of hs) {
    const slots = h.accessList.reduce((n, e) => n + e.storageKeys.length, 0);
    out.push(`tx ${h.index} ${h.hash}: ${h.complete ? 'complete' : 'INCOMPLETE'}, ${h.accessList.length} addresses, ${slots} slots`);
    for (const e of h.accessList) {
      if (e.storageKeys.length === 0) continue;
      out.push(`  ${e.address}`);
      for (const k of e.storageKeys) out.push(`    ${k}${h.writes.some((w) => w.address === e.address && w.storageKeys.includes(k)) ? '  (write)' : ''}`);
    }
    for (const d of h.diagnostics.slice(0, 5)) out.push(`  ! ${d.code}: ${d.message}`);
    if (h.diagnostics.length > 5) out.push(`  ! ... ${h.diagnostics.length - 5} more`);
  }
  return out.join('\n') + '\n';
}
