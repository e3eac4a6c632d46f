/**
 * A binding whose key came from a value that may be stale may write at slots other than the bound ones. When no frame
 * of the transaction can write outside the called contract (no call site but STATICCALL in any footprint), those
 * writes are confined to that contract (src/hints/bind.ts `TxState.widenWrites`) instead of "anywhere", which used to
 * make every later transaction of the block that read any storage incomplete.
 *
 * Fixture: a `mix` block generated from the examples (the one test/hints.prior-values.test.ts uses). Registry.note,
 * Registry.register and Registry.popLog read the global log's length (slot 4), which an earlier push is predicted to
 * write: their element slot is bound from that predicted length, so their writes are widened, and the Registry has no
 * outgoing call. The block's token transfers, swaps and WETH calls touch other contracts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCrypto } from '../src/chain/crypto.js';
import { loadBlockDir, type LoadedBlock } from '../src/chain/load.js';
import { executeBlockTraced } from '../src/exec/index.js';
import { hintsForBlock, type BlockHints } from '../src/hints/block.js';
import { AnalysisCache } from '../src/hints/context.js';
import { viewCallResolver } from '../src/hints/resolve.js';
import { writeGeneratedBlock } from '../src/gen/write.js';
import type { TxTrace } from '../src/types.js';

let dir: string;
let registry: string;
let loaded: LoadedBlock;
let bound: BlockHints;
let traces: TxTrace[];
beforeAll(async () => {
  await initCrypto();
  dir = mkdtempSync(join(tmpdir(), 'prescient-confined-'));
  const d = join(dir, 'mix');
  await writeGeneratedBlock(d, { workload: 'mix', txs: 160, seed: 3 });
  registry = (JSON.parse(readFileSync(join(d, 'gen.json'), 'utf8')) as { contracts: { registry: string } }).contracts.registry;
  loaded = loadBlockDir(d);
  bound = hintsForBlock(loaded, { analysis: new AnalysisCache().provider, resolveCall: viewCallResolver });
  traces = (await executeBlockTraced(loaded.block, loaded.prestate, loaded.blockHashes)).traces;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a Registry call keyed by a possibly stale length widens its writes to the Registry only', () => {
  const widened = bound.bindings.filter((b) => b.staleDeps > 0 && loaded.block.transactions[b.index]!.to?.toLowerCase() === registry);
  expect(widened.length).toBeGreaterThanOrEqual(3);
  for (const b of widened) {
    expect(b.complete).toBe(false);
    expect(b.unknownWrites).not.toBe('any');
    expect([...(b.unknownWrites as Set<string>)]).toEqual([registry]);
  }
});

test('later transactions on other contracts do not name them; later Registry calls still do', () => {
  const widened = new Set(bound.bindings.filter((b) => b.staleDeps > 0 && b.unknownWrites !== 'any').map((b) => b.index));
  const names = (i: number) => bound.hints[i]!.diagnostics.some((d) => [...widened].some((j) => j < i && d.message.includes(`tx ${j} (unbound write`)));
  let elsewhere = 0;
  let onRegistry = 0;
  for (const h of bound.hints) {
    if (h.index <= Math.min(...widened)) continue;
    const touchesRegistry = h.accessList.some((e) => e.address === registry);
    if (!touchesRegistry && names(h.index)) elsewhere++;
    if (touchesRegistry && h.accessList.some((e) => e.address === registry && e.storageKeys.length > 0) && names(h.index)) onRegistry++;
  }
  expect(elsewhere).toBe(0);
  expect(onRegistry).toBeGreaterThan(0);
});

test('every complete transaction of the block still covers what it touched (no violation)', () => {
  let complete = 0;
  bound.hints.forEach((h, i) => {
    if (!h.complete) return;
    complete++;
    const predicted = new Set(h.accessList.flatMap((e) => e.storageKeys.map((k) => `${e.address}|${k}`)));
    const t = traces[i]!;
    const touched = [...t.reads, ...t.writes].flatMap((e) => e.storageKeys.map((k) => `${e.address}|${k}`));
    expect(touched.filter((k) => !predicted.has(k))).toEqual([]);
  });
  expect(complete).toBeGreaterThan(bound.hints.length / 2);
});
