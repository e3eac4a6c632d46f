/**
 * `prescient verify <blockdir...> [--json] [--markdown FILE] [--cache DIR] [--no-resolve]`: executes each block with
 * tracing and holds the `hints` predictions against it.
 */
import { writeFileSync } from 'node:fs';
import { PrescientError } from '../errors.js';
import { DiskAnalysisCache } from '../hints/cache.js';
import { AnalysisCache } from '../hints/context.js';
import { renderMarkdown, renderText } from './report.js';
import { verifyBlocks } from './run.js';

const USAGE = 'usage: prescient verify <blockdir...> [--json] [--markdown FILE] [--cache DIR] [--no-resolve] [--quiet]';

export async function verifyCommand(argv: string[]): Promise<number> {
  const dirs: string[] = [];
  let json = false;
  let markdown: string | undefined;
  let cacheDir: string | undefined;
  let resolve = true;
  let quiet = false;
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
    else if (a === '--quiet') quiet = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    } else if (a.startsWith('--')) throw new PrescientError('BAD_OPTION', a, `unknown option (${USAGE})`);
    else dirs.push(a);
  }
  if (dirs.length === 0) throw new PrescientError('BAD_OPTION', 'verify', `no block folder (${USAGE})`);
  const cache = new AnalysisCache(undefined, cacheDir ? new DiskAnalysisCache(cacheDir) : undefined);
  const report = await verifyBlocks(dirs, {
    cache,
    resolveCalls: resolve,
    onBlock: (b) => {
      if (quiet || json) return;
      const r = b.traced ? ((100 * b.hit) / b.traced).toFixed(2) : '100.00';
      const p = b.predicted ? ((100 * b.hit) / b.predicted).toFixed(2) : '100.00';
      process.stderr.write(`block ${b.number}: ${b.txs} txs, recall ${r}%, precision ${p}%, violations ${b.violations}, complete ${b.complete}/${b.txs}\n`);
    },
  });
  if (markdown) {
    writeFileSync(markdown, renderMarkdown(report, `prescient verify ${argv.join(' ')}`));
  }
  process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : renderText(report));
  return report.violations.length > 0 ? 1 : 0;
}
