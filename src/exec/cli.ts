/**
 * `prescient run <blockdir...> | --block block.json --prestate prestate.json [--block-hashes file]
 *   [--threads N] [--oracle static|none] [--sequential] [--chain name] [--fork name] [--json]`
 *
 * Executes each block and checks gasUsed, receiptsRoot and logsBloom against its header (exit code 1 on a mismatch).
 * Several folders: a progress bar on a terminal (stderr), then a summary table.
 */
import { commonFor } from '../chain/fork.js';
import { loadBlockDir, loadBlockFiles, type LoadedBlock } from '../chain/load.js';
import { checkBlockDirs, checkInputFiles, checkOutputDir, choiceOption, intOption, parseCommandArgs, printUsage } from '../cli/args.js';
import { PrescientError } from '../errors.js';
import type { BlockResult } from '../types.js';
import { executeParallel, WorkerPool } from './parallel.js';
import { executeSequential } from './sequential.js';
import { loadStaticOracle, staticOracleCache } from './static.js';

interface RunArgs {
  dirs: string[];
  block?: string;
  prestate?: string;
  blockHashes?: string;
  threads: number;
  oracle: 'static' | 'none';
  sequential: boolean;
  json: boolean;
  chain?: string;
  fork?: string;
  /** Folder where the static oracle keeps contract analyses between runs (as `hints --cache`). */
  cache?: string;
}

const USAGE =
  'usage: prescient run <blockdir...> | --block block.json --prestate prestate.json [--block-hashes file] ' +
  '[--threads N] [--oracle static|none] [--sequential] [--chain name] [--fork name] [--cache dir] [--json]';

/** The options, checked, and every input checked to exist: bad input fails before a worker starts. */
function parseRunArgs(argv: string[]): RunArgs & { help: boolean } {
  const { values: v, positionals: dirs } = parseCommandArgs('run', argv, {
    string: ['block', 'prestate', 'block-hashes', 'threads', 'oracle', 'chain', 'fork', 'cache'],
    boolean: ['sequential', 'json'],
  });
  const a: RunArgs & { help: boolean } = {
    dirs,
    threads: intOption('--threads', v.threads, 1, 64) ?? 2,
    oracle: choiceOption('--oracle', v.oracle, ['static', 'none'] as const) ?? 'static',
    sequential: v.sequential ?? false,
    json: v.json ?? false,
    help: v.help ?? false,
    block: v.block,
    prestate: v.prestate,
    blockHashes: v['block-hashes'],
    chain: v.chain,
    fork: v.fork,
    cache: v.cache,
  };
  if (a.help) return a;
  checkOutputDir('--cache', a.cache);
  if ((a.block === undefined) !== (a.prestate === undefined)) {
    throw new PrescientError('BAD_OPTION', a.block ? '--prestate' : '--block', '--block and --prestate go together');
  }
  if (a.block !== undefined && a.dirs.length > 0) {
    throw new PrescientError('BAD_OPTION', '--block', 'give block folders or --block/--prestate, not both');
  }
  if (a.block === undefined && a.dirs.length === 0) throw new PrescientError('BAD_OPTION', 'run', 'no block given (see prescient run --help)');
  if (a.blockHashes !== undefined && a.block === undefined) {
    throw new PrescientError('BAD_OPTION', '--block-hashes', 'only with --block/--prestate (folders hold block_hashes.json)');
  }
  // The executor's own check of the names, on a dummy block: the same message, before anything is loaded.
  if (a.chain !== undefined || a.fork !== undefined) commonFor(0n, 0n, { chain: a.chain, fork: a.fork });
  checkBlockDirs(a.dirs);
  checkInputFiles([a.block, a.prestate, a.blockHashes]);
  return a;
}

interface Checked {
  name: string;
  result: BlockResult;
  header: { gasUsed: boolean; receiptsRoot: boolean; logsBloom: boolean };
  /** Informational: only a complete prestate (e.g. a generated block) can reproduce the header's stateRoot. */
  stateRootMatches: boolean;
}

function check(loaded: LoadedBlock, r: BlockResult): Checked['header'] {
  const h = loaded.block.header;
  return {
    gasUsed: h.gasUsed !== undefined && BigInt(h.gasUsed) === BigInt(r.gasUsed),
    receiptsRoot: typeof h.receiptsRoot === 'string' && h.receiptsRoot.toLowerCase() === r.receiptsRoot,
    logsBloom: typeof h.logsBloom === 'string' && h.logsBloom.toLowerCase() === r.logsBloom,
  };
}

function progress(done: number, total: number, label: string): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const fill = Math.round((done / total) * width);
  process.stderr.write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} ${label}`.padEnd(80).slice(0, 80));
  if (done === total) process.stderr.write('\n');
}

export async function runCommand(argv: string[]): Promise<number> {
  const a = parseRunArgs(argv);
  if (a.help) return printUsage(USAGE);
  const inputs: Array<{ name: string; load: () => LoadedBlock }> =
    a.block !== undefined
      ? [{ name: a.block, load: () => loadBlockFiles(a.block!, a.prestate!, a.blockHashes) }]
      : a.dirs.map((d) => ({ name: d, load: () => loadBlockDir(d) }));
  // Load (and validate) everything first: bad input fails before any work starts.
  const loaded = inputs.map((x) => ({ name: x.name, loaded: x.load() }));
  const fork = { chain: a.chain, fork: a.fork };
  if (!a.sequential && a.oracle === 'static') await staticOracleCache(a.cache);
  const pool = a.sequential ? null : await WorkerPool.start(a.threads);
  const out: Checked[] = [];
  try {
    for (const [i, { name, loaded: l }] of loaded.entries()) {
      if (loaded.length > 1) progress(i, loaded.length, name);
      let result: BlockResult;
      if (a.sequential) {
        result = (await executeSequential(l.block, l.prestate, l.blockHashes, fork)).result;
      } else {
        const oracle = a.oracle === 'static' ? await loadStaticOracle(l, { cacheDir: a.cache }) : null;
        result = await executeParallel(l.block, l.prestate, l.blockHashes, { ...fork, pool: pool!, oracle, oracleName: a.oracle });
        if (oracle) result.stats.predictMs = oracle.predictMs;
      }
      const hs = l.block.header.stateRoot;
      out.push({ name, result, header: check(l, result), stateRootMatches: typeof hs === 'string' && hs.toLowerCase() === result.stateRoot });
    }
    if (loaded.length > 1) progress(loaded.length, loaded.length, 'done');
  } finally {
    await pool?.close();
  }

  const bad = out.filter((c) => !c.header.gasUsed || !c.header.receiptsRoot || !c.header.logsBloom);
  if (a.json) {
    const j = out.map((c) => ({
      block: c.result.number,
      gasUsed: c.result.gasUsed,
      receiptsRoot: c.result.receiptsRoot,
      logsBloom: c.result.logsBloom,
      stateRoot: c.result.stateRoot,
      matchesHeader: { ...c.header, stateRoot: c.stateRootMatches },
      stats: c.result.stats,
    }));
    process.stdout.write(JSON.stringify(j.length === 1 ? j[0] : j, null, 2) + '\n');
  } else if (out.length === 1) {
    const c = out[0]!;
    const r = c.result;
    const mark = (ok: boolean) => (ok ? 'matches header' : 'MISMATCH with header');
    process.stdout.write(
      [
        `block ${r.number}: ${r.stats.txs} txs, ${r.stats.oracle}, ${r.stats.threads} thread(s)`,
        `  gasUsed      ${r.gasUsed} (${mark(c.header.gasUsed)})`,
        `  receiptsRoot ${r.receiptsRoot} (${mark(c.header.receiptsRoot)})`,
        `  logsBloom    ${mark(c.header.logsBloom)}`,
        `  stateRoot    ${r.stateRoot} (` +
          (c.stateRootMatches ? 'matches header' : "post-state of the prestate's accounts, no block rewards: comparable between runs") +
          ')',
        `  executions   ${r.stats.executions} (${r.stats.reExecutions} re-executions)`,
        `  wall         ${r.stats.wallMs.toFixed(1)} ms (+ ${r.stats.loadMs.toFixed(1)} ms loading` +
          (typeof r.stats.predictMs === 'number' ? `, ${r.stats.predictMs.toFixed(1)} ms static prediction)` : ')'),
      ].join('\n') + '\n',
    );
  } else {
    const rows = out.map((c) => {
      const r = c.result;
      const ok = c.header.gasUsed && c.header.receiptsRoot && c.header.logsBloom;
      return [String(r.number), String(r.stats.txs), ok ? 'ok' : 'MISMATCH', String(r.stats.executions), String(r.stats.reExecutions), r.stats.wallMs.toFixed(0), r.stats.loadMs.toFixed(0), r.stateRoot.slice(0, 18)];
    });
    const head = ['block', 'txs', 'header', 'executions', 're-exec', 'wall ms', 'load ms', 'stateRoot'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) => r.map((x, i) => x.padEnd(w[i]!)).join('  ');
    const txs = out.reduce((s, c) => s + Number(c.result.stats.txs), 0);
    const ms = out.reduce((s, c) => s + c.result.stats.wallMs, 0);
    process.stdout.write(
      [line(head), ...rows.map(line), `${out.length} blocks, ${txs} txs, ${ms.toFixed(0)} ms wall, ${((txs / ms) * 1000).toFixed(0)} tx/s; ${bad.length} mismatching`].join('\n') + '\n',
    );
  }
  for (const c of bad) {
    const what = Object.entries(c.header).filter(([, ok]) => !ok).map(([k]) => k).join(', ');
    process.stderr.write(`prescient: ${c.name}: ${what} differ from the header\n`);
  }
  return bad.length > 0 ? 1 : 0;
}
