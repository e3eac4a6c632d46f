/**
 * Binding time of `prescient hints` per mainnet block, once the block's contracts are analyzed, in the three states
 * a user meets (issue 3's "< 1 s per 1,000 transactions once its contracts are analyzed"):
 *   - new block: every contract's analysis in memory, no specialization of this block's frames yet (the first time a
 *     node or sequencer binds a block; specializations of the blocks bound before it in the run are kept, as in a
 *     long-running process binding block after block);
 *   - from the folder: a process that finds the analyses and the specializations in a `--cache` folder another one
 *     wrote (both read from disk, nothing explored; the JIT already warm, unlike a fresh process);
 *   - again: the same block bound again in the same process (ACCURACY.md's "hints ms (warm)").
 * Writes its section of BENCHMARKS.md.
 *
 *   npm run build && node dist/bench/hints.js [--write] [--blocks 17666333,13217637]
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { initCrypto } from '../src/chain/crypto.js';
import { loadBlockDir } from '../src/chain/load.js';
import { resetSpecializations } from '../src/hints/bind.js';
import { hintsForBlock, type HintsOptions } from '../src/hints/block.js';
import { AnalysisCache } from '../src/hints/context.js';
import { viewCallResolver } from '../src/hints/resolve.js';
import { writeSection } from './analyze.js';

const MAINNET = resolve(__dirname, '../../../shared/data/mainnet');

async function main(): Promise<void> {
  if (!existsSync(MAINNET)) {
    console.error(`bench/hints: ${MAINNET} is absent`);
    process.exit(1);
  }
  await initCrypto();
  const bi = process.argv.indexOf('--blocks');
  const only = bi > 0 ? new Set(process.argv[bi + 1]!.split(',')) : null;
  const names = readdirSync(MAINNET)
    .filter((d) => /^\d+$/.test(d) && (!only || only.has(d)))
    .sort((a, b) => Number(a) - Number(b));
  const missing = only ? [...only].filter((n) => !names.includes(n)) : [];
  if (missing.length > 0) {
    console.error(`bench/hints: --blocks ${missing.join(',')}: no such block in ${MAINNET}`);
    process.exit(1);
  }
  const blocks = names.map((n) => ({ n, l: loadBlockDir(join(MAINNET, n)) }));
  const loadStart = os.loadavg()[0]!.toFixed(1);
  const folder = mkdtempSync(join(os.tmpdir(), 'prescient-bench-hints-'));
  try {
    // Every contract analyzed, and the folder filled by a first process (this one, before the clock starts).
    const writer = AnalysisCache.inDir(folder);
    const opts = (c: AnalysisCache): HintsOptions => ({ ...c.sources, resolveCall: viewCallResolver });
    for (const b of blocks) hintsForBlock(b.l, opts(writer));
    // The same analyses, in memory, without the folder's specializations.
    const memory = new AnalysisCache();
    for (const [k, v] of writer.map) memory.map.set(k, v);
    resetSpecializations();
    const rows: { n: string; txs: number; fresh: number; explored: number; folder: number; loaded: number; again: number }[] = [];
    for (const b of blocks) {
      const h = hintsForBlock(b.l, { analysis: memory.provider, resolveCall: viewCallResolver });
      const again = hintsForBlock(b.l, { analysis: memory.provider, resolveCall: viewCallResolver });
      rows.push({ n: b.n, txs: b.l.block.transactions.length, fresh: h.stats.bindMs, explored: h.stats.specialized, folder: 0, loaded: 0, again: again.stats.bindMs });
    }
    for (const [i, b] of blocks.entries()) {
      resetSpecializations();
      const reader = AnalysisCache.inDir(folder);
      const t0 = performance.now();
      const h = hintsForBlock(b.l, opts(reader));
      rows[i]!.folder = performance.now() - t0;
      rows[i]!.loaded = h.stats.specializedLoaded;
    }
    const big = rows.filter((r) => r.txs >= 900);
    const sum = (k: 'txs' | 'fresh' | 'folder' | 'again') => rows.reduce((a, r) => a + r[k], 0);
    const per1000 = (k: 'fresh' | 'folder' | 'again') => ((1000 * sum(k)) / sum('txs')).toFixed(0);
    const lines = [
      `## Hints: binding time once the contracts are analyzed`,
      ``,
      `Command: \`npm run build && node dist/bench/hints.js --write\` (${new Date().toISOString().slice(0, 10)}, this 2-core machine, load average ${loadStart} at start, ${os.loadavg()[0]!.toFixed(1)} at the end; one thread).`,
      ``,
      `*new block*: every contract's analysis in memory, none of this block's specializations yet (those of the blocks before it in the`,
      `table are kept, as in a process binding block after block); *from the folder*: a process that finds analyses and`,
      `specializations in a \`--cache\` folder (read from disk, nothing explored; the JIT already warm); *again*: the same block`,
      `bound again in one process (ACCURACY.md's "hints ms (warm)"). Binding only: loading the block is not counted.`,
      ``,
      `| block | txs | new block ms | frames explored | from the folder ms | specializations read | again ms |`,
      `| --- | --- | --- | --- | --- | --- | --- |`,
      ...rows.map((r) => `| ${r.n} | ${r.txs} | ${r.fresh.toFixed(0)} | ${r.explored} | ${r.folder.toFixed(0)} | ${r.loaded} | ${r.again.toFixed(0)} |`),
      `| all | ${sum('txs')} | ${sum('fresh').toFixed(0)} | ${rows.reduce((a, r) => a + r.explored, 0)} | ${sum('folder').toFixed(0)} | ${rows.reduce((a, r) => a + r.loaded, 0)} | ${sum('again').toFixed(0)} |`,
      ``,
      `Per 1,000 transactions over all blocks: new block ${per1000('fresh')} ms, from the folder ${per1000('folder')} ms, again ${per1000('again')} ms.`,
      `Blocks of 900+ transactions (target < 1 s each): new block ${big.map((r) => `${r.n} ${(r.fresh / 1000).toFixed(1)} s`).join(', ')}; from the folder ${big.map((r) => `${(r.folder / 1000).toFixed(1)} s`).join(', ')}; again ${big.map((r) => `${(r.again / 1000).toFixed(2)} s`).join(', ')}.`,
      ``,
    ];
    const text = lines.join('\n');
    console.log(text);
    if (process.argv.includes('--write')) writeSection('hints', text);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (require.main === module) void main();
