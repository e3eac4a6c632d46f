/**
 * Runs the reference (plain runBlock) for one block folder in a process of its own, so that it is never sped up by
 * prescient's patches to shared @ethereumjs modules, and prints `{ ms, gasUsed, receiptsRoot }` as JSON.
 * `reference-child.js <dir> [timed] [warmup]`: `warmup` untimed runs, then the fastest of `timed` runs, each on a freshly
 * seeded state (the JIT warms up in this process as it does for prescient's modes in the parent).
 */
import { loadBlockDir } from '../src/chain/load.js';
import { runReference } from './reference.js';

async function main() {
  const loaded = loadBlockDir(process.argv[2]!);
  const timed = Math.max(1, Number(process.argv[3] ?? 1));
  const warmup = Math.max(0, Number(process.argv[4] ?? 0));
  let first: Awaited<ReturnType<typeof runReference>> | null = null;
  let ms = Infinity;
  for (let i = 0; i < warmup + timed; i++) {
    const r = await runReference(loaded);
    first ??= r;
    if (r.gasUsed !== first.gasUsed || r.receiptsRoot !== first.receiptsRoot) throw new Error('runBlock gave two different results');
    if (i >= warmup) ms = Math.min(ms, r.ms);
  }
  process.stdout.write(JSON.stringify({ ms, gasUsed: first!.gasUsed.toString(), receiptsRoot: first!.receiptsRoot }) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
