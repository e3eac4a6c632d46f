/**
 * `prescient verify <blockdir...> [--json] [--markdown FILE] [--cache DIR] [--no-resolve]`: executes each block with
 * tracing and holds the `hints` predictions against it.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrescientError } from '../errors.js';
import { DiskAnalysisCache } from '../hints/cache.js';
import { AnalysisCache } from '../hints/context.js';
import { GraphCollector, graphLine } from '../graph/integrate.js';
import { replaceSection } from '../report/markdown.js';
import { renderMarkdown, renderText } from './report.js';
import { verifyBlocks } from './run.js';

const USAGE = `usage: prescient verify <blockdir...> [options]

  --json                 the full report as JSON
  --markdown FILE        write the report as Markdown (ACCURACY.md), with the command line
  --gen W1,W2,...        also generate blocks from the examples (workloads erc20, amm, mix) and verify them first
  --gen-txs N            transactions per generated block (default 200)
  --gen-seed S           seed for generated blocks (default 1)
  --gen-dir DIR          where generated blocks go (default a temporary folder)
  --cache DIR            keep analyses on disk by code hash
  --no-resolve           do not resolve call return values over the pre-state
  --union                bind every function of a callee whose selector is unknown (more recall, less precision)
  --no-specialize        do not explore imprecise footprints again with each call's concrete inputs
  --graph                the transaction dependency graph per block, predicted against actual
  --html FILE            the graph as an HTML page (FILE-<block>.html for several blocks)
  --quiet                no per-block progress`;

export async function verifyCommand(argv: string[]): Promise<number> {
  const dirs: string[] = [];
  let json = false;
  let markdown: string | undefined;
  let cacheDir: string | undefined;
  let resolve = true;
  let union = false;
  let specialize = true;
  let quiet = false;
  let graph = false;
  let html: string | undefined;
  let gen: string[] = [];
  let genTxs = 200;
  let genSeed = '1';
  let genDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (!v) throw new PrescientError('BAD_OPTION', a, 'needs a value');
      return v;
    };
    if (a === '--json') json = true;
    else if (a === '--markdown') markdown = val();
    else if (a === '--cache') cacheDir = val();
    else if (a === '--no-resolve') resolve = false;
    else if (a === '--union') union = true;
    else if (a === '--no-specialize') specialize = false;
    else if (a === '--quiet') quiet = true;
    else if (a === '--graph') graph = true;
    else if (a === '--html') html = val();
    else if (a === '--gen') gen = val().split(',').filter(Boolean);
    else if (a === '--gen-txs') {
      const v = val();
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new PrescientError('BAD_OPTION', '--gen-txs', `expected a positive integer, got '${v}'`);
      genTxs = Number(v);
    } else if (a === '--gen-seed') genSeed = val();
    else if (a === '--gen-dir') genDir = val();
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    } else if (a.startsWith('--')) throw new PrescientError('BAD_OPTION', a, `unknown option (${USAGE})`);
    else dirs.push(a);
  }
  if (gen.length) {
    const { writeGeneratedBlock } = await import('../gen/write.js');
    const { WORKLOADS } = await import('../gen/workloads.js');
    const base = genDir ?? mkdtempSync(join(tmpdir(), 'prescient-gen-'));
    const made: string[] = [];
    for (const w of gen) {
      if (!(WORKLOADS as readonly string[]).includes(w)) throw new PrescientError('BAD_OPTION', '--gen', `unknown workload '${w}' (one of ${WORKLOADS.join(', ')})`);
      const d = join(base, `${w}-${genTxs}-${genSeed}`);
      if (!existsSync(join(d, 'block.json'))) await writeGeneratedBlock(d, { workload: w as never, txs: genTxs, seed: genSeed });
      made.push(d);
    }
    dirs.unshift(...made);
  }
  if (dirs.length === 0) throw new PrescientError('BAD_OPTION', 'verify', `no block folder (${USAGE})`);
  const cache = new AnalysisCache(undefined, cacheDir ? new DiskAnalysisCache(cacheDir) : undefined);
  const collector = graph || html ? new GraphCollector({ html, several: dirs.length > 1, cache }) : undefined;
  const graphLines: string[] = [];
  const report = await verifyBlocks(dirs, {
    onBlockData: collector
      ? (loaded, run) => {
          const g = collector.add(loaded, run.hints.bindings, run.traces);
          if (graph) graphLines.push(graphLine(g));
        }
      : undefined,
    cache,
    resolveCalls: resolve,
    union,
    specialize,
    onBlock: (b) => {
      if (quiet || json) return;
      const r = b.traced ? ((100 * b.hit) / b.traced).toFixed(2) : '100.00';
      const p = b.predicted ? ((100 * b.hit) / b.predicted).toFixed(2) : '100.00';
      process.stderr.write(`block ${b.number}: ${b.txs} txs, recall ${r}%, precision ${p}%, violations ${b.violations}, complete ${b.complete}/${b.txs}\n`);
    },
  });
  if (markdown) {
    // ACCURACY.md is shared: other tools own other sections of it.
    const before = existsSync(markdown) ? readFileSync(markdown, 'utf8') : '';
    writeFileSync(markdown, replaceSection(before, 'verify', renderMarkdown(report, `prescient verify ${argv.join(' ')}`)));
  }
  process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : renderText(report) + (graphLines.length ? graphLines.join('\n') + '\n' : ''));
  return report.violations.length > 0 ? 1 : 0;
}
