/**
 * Bindings over values earlier transactions are predicted to write (src/hints/block.ts, `predictedState`), against
 * traced execution. Fixture: a `mix` block generated from the examples, where Registry.note and Registry.register
 * push to one global array: each push after the block's first reads the array length an earlier transaction wrote,
 * so the element slot it writes, keccak(0x4) + length, is right only if the length is read as the earlier push left
 * it (`sload(0x4) + 1`), not as the pre-state holds it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCrypto } from '../src/chain/crypto.js';
import { loadBlockDir } from '../src/chain/load.js';
import { executeBlockTraced } from '../src/exec/index.js';
import { hintsForBlock } from '../src/hints/block.js';
import { AnalysisCache } from '../src/hints/context.js';
import { viewCallResolver } from '../src/hints/resolve.js';
import { writeGeneratedBlock } from '../src/gen/write.js';

let dir: string;
beforeAll(async () => {
  await initCrypto();
  dir = mkdtempSync(join(tmpdir(), 'prescient-prior-values-'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('pushes after the first read the array length the earlier push is predicted to leave, and predict every slot', async () => {
  const d = join(dir, 'mix');
  await writeGeneratedBlock(d, { workload: 'mix', txs: 160, seed: 3 });
  const registry = (JSON.parse(readFileSync(join(d, 'gen.json'), 'utf8')) as { contracts: { registry: string } }).contracts.registry;
  const loaded = loadBlockDir(d);
  const { hints } = hintsForBlock(loaded, { analysis: new AnalysisCache().provider, resolveCall: viewCallResolver });
  const { traces } = await executeBlockTraced(loaded.block, loaded.prestate, loaded.blockHashes);
  const keys = (es: { address: string; storageKeys: string[] }[]) => new Set(es.filter((e) => e.address === registry).flatMap((e) => e.storageKeys));
  // The same block bound against the pre-state alone (no tracking of earlier transactions, unsound): what it misses.
  const alone = hintsForBlock(loaded, { analysis: new AnalysisCache().provider, resolveCall: viewCallResolver, trackPrior: false }).hints;
  let checked = 0;
  let missedAlone = 0;
  hints.forEach((h, i) => {
    const used = h.diagnostics.some((x) => x.code === 'cross-check' && /slot 0x0+4, .*\(read as 0x[0-9a-f]+, what tx \d+ is predicted to store\)/.test(x.message));
    if (!used || traces[i]!.status !== 'success') return;
    checked++;
    const predicted = keys(h.accessList);
    const traced = new Set([...keys(traces[i]!.reads), ...keys(traces[i]!.writes)]);
    expect([...traced].filter((k) => !predicted.has(k))).toEqual([]);
    const fromPre = keys(alone[i]!.accessList);
    if ([...traced].some((k) => !fromPre.has(k))) missedAlone++;
    // Bound on an earlier transaction's predicted write: never complete.
    expect(h.complete).toBe(false);
  });
  expect(checked).toBeGreaterThanOrEqual(3);
  // Read as the pre-state holds it, the length gives the wrong element slot.
  expect(missedAlone).toBeGreaterThanOrEqual(3);
}, 120_000);
