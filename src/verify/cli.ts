/**
 * `prescient verify <blockdir...> [--json] [--markdown FILE] [--cache DIR] [--no-resolve]`: executes each block with
 * tracing and holds the `hints` predictions against it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBlockDirs, checkOutputDir, checkOutputFile, choiceOption, intOption, parseCommandArgs, printUsage } from '../cli/args.js';
import { PrescientError } from '../errors.js';
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
  --no-assume            do not apply rules/once-per-block.json (no prediction assumes an earlier transaction's write)
  --graph                the transaction dependency graph per block, predicted against actual
  --html FILE            the graph as an HTML page (FILE-<block>.html for several blocks)
  --quiet                no per-block progress`;

export async function verifyCommand(argv: string[]): Promise<number> {
  const { values: v, positionals: dirs } = parseCommandArgs('verify', argv, {
    string: ['markdown', 'cache', 'html', 'gen', 'gen-txs', 'gen-seed', 'gen-dir'],
    boolean: ['json', 'no-resolve', 'union', 'no-specialize', 'no-assume', 'quiet', 'graph'],
  });
  if (v.help) return printUsage(USAGE);
  const { json = false, markdown, cache: cacheDir, union = false, quiet = false, graph = false, html, 'gen-dir': genDir } = v;
  const resolve = !v['no-resolve'];
  const specialize = !v['no-specialize'];
  const workloads = v.gen === undefined ? [] : (await import('../gen/workloads.js')).WORKLOADS;
  const gen = (v.gen ?? '').split(',').filter(Boolean).map((w) => choiceOption('--gen', w, workloads)!);
  const genTxs = intOption('--gen-txs', v['gen-txs']) ?? 200;
  const genSeed = v['gen-seed'] ?? '1';
  if (dirs.length === 0 && gen.length === 0) throw new PrescientError('BAD_OPTION', 'verify', 'no block folder (see prescient verify --help)');
  checkBlockDirs(dirs);
  checkOutputFile('--markdown', markdown);
  checkOutputFile('--html', html);
  checkOutputDir('--cache', cacheDir);
  checkOutputDir('--gen-dir', genDir);
  // Generated blocks without --gen-dir live in a temporary folder removed when verify ends.
  const scratch = gen.length && !genDir ? mkdtempSync(join(tmpdir(), 'prescient-gen-')) : undefined;
  try {
    return await verifyAll();
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }

  async function verifyAll(): Promise<number> {
    if (gen.length) {
      const { writeGeneratedBlock } = await import('../gen/write.js');
      const base = genDir ?? scratch!;
      const made: string[] = [];
      for (const w of gen) {
        const d = join(base, `${w}-${genTxs}-${genSeed}`);
        if (!existsSync(join(d, 'block.json'))) await writeGeneratedBlock(d, { workload: w, txs: genTxs, seed: genSeed });
        made.push(d);
      }
      dirs.unshift(...made);
    }
    const cache = AnalysisCache.inDir(cacheDir);
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
      oncePerBlock: !v['no-assume'],
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
}
