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
import { infeasible, readsCode } from '../src/hints/guards.js';
import type { Expr, TxHints, TxTrace } from '../src/types.js';

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

describe('conditions that read code are evaluated last', () => {
  // USDT's transfer calls `upgradedAddress` (address 0 in the pre-state) only if `deprecated`; the call's path
  // conditions name EXTCODESIZE(upgradedAddress) first. Evaluating it would record address 0 as touched.
  const ext: Expr = { k: 'ext', what: 'EXTCODESIZE', addr: { k: 'sload', slot: { k: 'const', v: '0xa' } } };
  const deprecated: Expr = { k: 'op', op: 'AND', args: [{ k: 'sload', slot: { k: 'const', v: '0xb' } }, { k: 'const', v: '0xff' }] };

  test('a path another condition rules out does not evaluate its code reads', () => {
    const seen: Expr[] = [];
    const evaluate = (e: Expr) => (seen.push(e), e === deprecated ? 0n : 1n);
    expect(infeasible([[ext, deprecated]], evaluate, () => true)).toBe(true);
    expect(seen).toEqual([deprecated]);
  });

  test('on a live path they are evaluated, and decide', () => {
    const seen: Expr[] = [];
    expect(infeasible([[ext, deprecated]], (e) => (seen.push(e), 1n), () => true)).toBe(false);
    expect(seen).toEqual([deprecated, ext]);
    expect(infeasible([[ext, deprecated]], (e) => (e === ext ? 0n : 1n), () => true)).toBe(true);
    expect(readsCode({ k: 'op', op: 'ISZERO', args: [ext] })).toBe(true);
    expect(readsCode(deprecated)).toBe(false);
  });
});
