/**
 * Storage deltas in the dependency graph (issue 6 part 3): the slots a binding claims as deltas (TxBinding.deltas) are
 * read-modify-writes in the strict view and commute in the deltas view, predicted and actual alike. Fixture: three
 * transactions of distinct senders on one token; 0 and 1 each only credit balances[R] (a delta), 2 reads it.
 */
import { blockGraphReport, predictedAccesses, tracedAccesses } from '../src/graph/block.js';
import { buildDependencyGraph } from '../src/graph/graph.js';
import type { Hex, TxTrace } from '../src/types.js';
import { A, at, slot } from './graph.fixtures.js';

const S = (n: number) => ('0x' + n.toString(16).padStart(40, '0')) as Hex;
const BAL = 7n; // balances[R], as a bound slot

function binding(index: number, reads: bigint[], writes: bigint[], deltas: Array<[Hex, bigint, 'add' | 'sub']>) {
  return {
    index, hash: slot(index), complete: true,
    reads: new Map([[A, new Set(reads)]]), writes: new Map([[A, new Set(writes)]]),
    touched: new Set<Hex>(), balanceReads: new Set([S(index + 1)]), balanceWrites: new Set([S(index + 1)]),
    balanceDebits: new Set([S(index + 1)]), balanceCredits: new Set<Hex>(), nonceWrites: new Set([S(index + 1)]),
    codeWrites: new Set<Hex>(), unknownWrites: new Set<Hex>(), diagnostics: [], diagFrames: [], frames: [], staleDeps: 0,
    bindingReads: new Map(), deltas,
  };
}
const bindings = [binding(0, [BAL], [BAL], [[A, BAL, 'add']]), binding(1, [BAL], [BAL], [[A, BAL, 'add']]), binding(2, [BAL], [], [])] as any[];
const block = {
  number: 1n, timestamp: 0n, hash: slot(0), header: { miner: S(0xc0) },
  transactions: [0, 1, 2].map((i) => ({ from: S(i + 1), to: A, nonce: '0x0', gas: '0x10000', hash: slot(i), input: '0x' })),
};
const trace = (index: number, rw: boolean): TxTrace => ({
  index, hash: slot(index), reads: at(A, Number(BAL)), writes: rw ? at(A, Number(BAL)) : [], balanceReads: [], balanceWrites: [], gasUsed: 50000, status: 'success',
});
const traces = [trace(0, true), trace(1, true), trace(2, false)];
const pairs = (edges: { from: number; to: number }[]) => edges.map((e) => `${e.from}>${e.to}`);

test('predicted: two delta credits do not order each other (deltas view), they do in the strict view', () => {
  const acc = predictedAccesses(block, bindings);
  expect(acc[0]!.deltaWrites).toEqual(at(A, Number(BAL)));
  expect(acc[0]!.writes[0]!.storageKeys).toEqual([]);
  expect(pairs(buildDependencyGraph(acc, { strict: false }).edges)).toEqual(['0>2', '1>2']);
  expect(pairs(buildDependencyGraph(acc, { strict: true }).edges)).toEqual(['0>1', '1>2']);
});

test('actual: the claims apply where the trace read and wrote the slot; the report compares both views', () => {
  const acc = tracedAccesses(block, traces, (i) => bindings[i]!.deltas);
  expect(pairs(buildDependencyGraph(acc, { strict: false }).edges)).toEqual(['0>2', '1>2']);
  // without claims, as before: every write orders the next
  expect(pairs(buildDependencyGraph(tracedAccesses(block, traces), { strict: false }).edges)).toEqual(['0>1', '1>2']);
  const r = blockGraphReport({ loaded: { block, prestate: new Map(), blockHashes: new Map() } as any, bindings, traces }).report;
  expect(r.comparison!.deltas).toMatchObject({ actual: 2, predicted: 2, true: 2, false: 0, missed: 0 });
  expect(r.comparison!.strict).toMatchObject({ actual: 2, predicted: 2, true: 2 });
  expect(r.actual!.deltas.bound).toBeGreaterThan(r.actual!.strict.bound);
});

test("verify --graph's line gives the edge accuracy of both views", async () => {
  const { graphLine } = await import('../src/graph/integrate.js');
  const r = blockGraphReport({ loaded: { block, prestate: new Map(), blockHashes: new Map() } as any, bindings, traces }).report;
  expect(graphLine(r)).toMatch(/edges \(deltas\) actual 2 predicted 2: true 2 false 0 missed 0, edges \(strict\) actual 2 predicted 2/);
});
