/**
 * Path conditions (guards) against traced execution, on blocks generated from the examples: a binding with guards
 * predicts fewer slots than one without, and never loses a slot the transaction really touches that the binding
 * without guards predicted (guards only drop accesses on paths the transaction does not take).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCrypto } from '../src/chain/crypto.js';
import { loadBlockDir } from '../src/chain/load.js';
import { executeBlockTraced } from '../src/exec/index.js';
import { hintsForBlock } from '../src/hints/block.js';
import { AnalysisCache } from '../src/hints/context.js';
import { viewCallResolver } from '../src/hints/resolve.js';
import { writeGeneratedBlock } from '../src/gen/write.js';
import type { TxHints, TxTrace } from '../src/types.js';

let dir: string;
const cache = new AnalysisCache();

beforeAll(async () => {
  await initCrypto();
  dir = mkdtempSync(join(tmpdir(), 'prescient-guards-'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const slots = (entries: { address: string; storageKeys: string[] }[]) => new Set(entries.flatMap((e) => e.storageKeys.map((k) => `${e.address}:${k}`)));

async function compare(workload: 'mix' | 'amm', seed: number) {
  const d = join(dir, `${workload}-${seed}`);
  await writeGeneratedBlock(d, { workload, txs: 80, seed });
  const loaded = loadBlockDir(d);
  // Generic footprints: a specialized one (src/evm/facts.ts) has already left out the paths its inputs exclude.
  const opts = { analysis: cache.provider, resolveCall: viewCallResolver, specialize: false };
  const withG = hintsForBlock(loaded, { ...opts, guards: true }).hints;
  const without = hintsForBlock(loaded, { ...opts, guards: false }).hints;
  const { traces } = await executeBlockTraced(loaded.block, loaded.prestate, loaded.blockHashes);
  let predictedWith = 0, predictedWithout = 0;
  const lost: string[] = [];
  traces.forEach((t: TxTrace, i: number) => {
    const a = slots(withG[i]!.accessList), b = slots(without[i]!.accessList);
    predictedWith += a.size;
    predictedWithout += b.size;
    for (const s of slots([...t.reads, ...t.writes])) if (b.has(s) && !a.has(s)) lost.push(`tx ${i}: ${s}`);
  });
  return { predictedWith, predictedWithout, lost, hints: withG as TxHints[] };
}

test.each([
  ['mix', 5],
  ['amm', 7],
] as const)('%s block (seed %d): guards drop only slots no transaction touches', async (workload, seed) => {
  const r = await compare(workload, seed);
  expect(r.lost).toEqual([]);
  expect(r.predictedWith).toBeLessThanOrEqual(r.predictedWithout);
  if (workload === 'mix') expect(r.predictedWith).toBeLessThan(r.predictedWithout);
}, 300_000);
