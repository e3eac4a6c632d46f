/**
 * rules/once-per-block.json over a generated AMM block (the examples' Pair and Router, 2 pairs, 40 swaps, some routed
 * through both pairs): only the
 * block's first update of a pair touches its price accumulators; later swaps leave them out, assume the earlier update
 * and are incomplete; verify holds that against traced execution.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGeneratedBlock } from '../src/gen/write.js';
import type { GeneratedBlock } from '../src/gen/block.js';
import { exampleContract } from '../src/gen/examples.js';
import { verifyBlock } from '../src/verify/run.js';
import { failedAssumptions, type TxVerdict } from '../src/verify/verify.js';
import { AnalysisCache } from '../src/hints/context.js';
import { oncePerBlockRule, ONCE_PER_BLOCK } from '../rules/index.js';
import { keccak256 } from '../src/chain/crypto.js';
import type { TxBinding } from '../src/hints/bind.js';
import type { Hex, TxTrace } from '../src/types.js';

let dir: string;
let gen: GeneratedBlock;
const cache = new AnalysisCache();
let run: Awaited<ReturnType<typeof verifyBlock>>;
let plain: Awaited<ReturnType<typeof verifyBlock>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prescient-once-'));
  gen = await writeGeneratedBlock(join(dir, 'amm'), { workload: 'amm', txs: 40, pairs: 2, seed: 5 });
  run = await verifyBlock(join(dir, 'amm'), { cache });
  plain = await verifyBlock(join(dir, 'amm'), { cache, oncePerBlock: false });
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (b: Uint8Array) => ('0x' + Buffer.from(b).toString('hex')) as Hex;

test("the examples' rule names the compiled Pair and its storage layout", () => {
  const pair = exampleContract('Pair');
  const rule = oncePerBlockRule(hex(keccak256(pair.runtime)));
  expect(rule?.id).toBe('examples.pair.price-accumulators');
  const slotOf = (label: string) => BigInt(pair.storageLayout!.find((v) => v.label === label)!.slot);
  expect(rule!.clock).toBe(slotOf('blockTimestampLast'));
  expect(rule!.slots).toEqual([slotOf('price0CumulativeLast'), slotOf('price1CumulativeLast')]);
  expect(ONCE_PER_BLOCK.every((r) => r.match.codeHash.length > 0)).toBe(true);
});

test('first update of a pair keeps the accumulators; later ones assume it and leave them out', () => {
  const rule = oncePerBlockRule(hex(keccak256(exampleContract('Pair').runtime)))!;
  let checked = 0;
  for (const { address } of gen.manifest.contracts.pairs) {
    const updates = run.hints.bindings.filter((b) => b.writes.get(address)?.has(rule.clock));
    expect(updates.length).toBeGreaterThan(2);
    const touches = (b: TxBinding) => rule.slots.some((s) => b.writes.get(address)?.has(s) || b.reads.get(address)?.has(s));
    expect(touches(updates[0]!)).toBe(true);
    expect(updates[0]!.assumes.filter((a) => a.address === address)).toEqual([]);
    for (let k = 1; k < updates.length; k++) {
      const b = updates[k]!;
      expect(touches(b)).toBe(false);
      expect(b.assumes).toContainEqual({ txs: updates.slice(0, k).map((u) => u.index), address, slot: rule.clock });
      expect(b.complete).toBe(false);
      expect(b.completeIfPriorAsPredicted).toBe(true);
      expect(run.hints.hints[b.index]!.assumes).toContain(updates[k - 1]!.index);
      expect(b.diagnostics.some((d) => d.code === 'assumes-prior' && d.message.startsWith(rule.id))).toBe(true);
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(10);
});

test('verify: every traced slot predicted, no violation, every assumption held', () => {
  const v = run.verdict;
  expect(v.violations).toBe(0);
  expect(v.hit).toBe(v.traced);
  expect(v.assumingTxs).toBeGreaterThan(10);
  expect(v.failedAssumptionTxs).toBe(0);
  // Without the rule the same slots are predicted, plus the accumulators of every later swap: those are the extras.
  expect(plain.verdict.hit).toBe(plain.verdict.traced);
  expect(plain.verdict.assumingTxs).toBe(0);
  expect(v.predicted).toBe(v.traced);
  const assumptions = run.hints.bindings.reduce((n, b) => n + b.assumes.length, 0);
  expect(plain.verdict.predicted - v.predicted).toBe(2 * assumptions);
});

test('failedAssumptions: fails only when none of the assumed writers wrote, and counts the misses of the assuming tx', () => {
  const pair = '0x00000000000000000000000000000000000000aa' as Hex;
  const binding = (index: number, assumes: TxBinding['assumes']) => ({ index, assumes }) as unknown as TxBinding;
  const trace = (writes: TxTrace['writes']) => ({ writes }) as unknown as TxTrace;
  const verdict = (missed: number) => ({ missed: Array.from({ length: missed }, () => ({ address: pair, slot: '0x7' })) }) as unknown as TxVerdict;
  const bindings = [binding(0, []), binding(1, [{ txs: [0], address: pair, slot: 6n }]), binding(2, [{ txs: [0, 1], address: pair, slot: 6n }])];
  // tx 0 reverted (wrote nothing): tx 1's assumption fails; tx 1 really updated the pair's slot 6, which is enough for tx 2.
  const traces = [trace([]), trace([{ address: pair, storageKeys: [('0x' + '0'.repeat(63) + '6') as Hex] }]), trace([])];
  expect(failedAssumptions(bindings, traces, [verdict(0), verdict(2), verdict(0)])).toEqual({ assuming: 2, txs: 1, missed: 2 });
});
