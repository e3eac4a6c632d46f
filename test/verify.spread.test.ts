/**
 * "Transactions that degrade the rest of their block" (verify's spreaders): which earlier transaction with unbound
 * writes each later binding names, from the messages src/hints/block.ts (BlockWrites) really produces, and what the
 * naming transactions missed and over-predicted. Fixture: a block of six bindings in miniature; tx 2 makes an unbound
 * call (its writes may land anywhere), tx 3 is incomplete only because of it, tx 4 for that and a reason of its own,
 * tx 5 only names tx 3's predicted write (not a spreader).
 */
import { BlockWrites } from '../src/hints/block.js';
import type { TxBinding } from '../src/hints/bind.js';
import { spreadersOf, type TxVerdict } from '../src/verify/verify.js';
import type { Diagnostic, Hex } from '../src/types.js';

const C = '0x7dbe336ccf424a9f3b4bb242482c1da7ebffcc0c' as Hex;
const ROUTER = '0x7a250d5630b4cf539739df2c5dacb4c659f2488d';

function binding(index: number, diagnostics: Diagnostic[], over: Partial<TxBinding> = {}): TxBinding {
  return { index, hash: `0x${String(index).padStart(64, '0')}` as Hex, diagnostics, staleDeps: 0, writes: new Map(), writeValues: new Map(), unknownWrites: new Set(), codeWrites: new Set(), balanceWrites: new Set(), ...over } as unknown as TxBinding;
}
const verdict = (index: number, missed: number, extra: number) =>
  ({ index, missed: Array.from({ length: missed }, (_, k) => ({ address: C, slot: `0x${k}` })), extra }) as unknown as TxVerdict;

test('later bindings that name an unbound writer are counted against it, each once in the totals', () => {
  const prior = new BlockWrites();
  const unbound = binding(2, [{ code: 'unknown-call-target', message: `${ROUTER}.0x7ff36ab5: CALL at pc 17882: target unbound: widened at a loop or merge` }], { unknownWrites: 'any' });
  const named = binding(3, [], { writes: new Map([[C, new Set([9n])]]) });
  prior.add(binding(0, []));
  prior.add(unbound);
  prior.add(named);
  // What the binder writes for a read of a slot of C: the unbound writer, or the transaction predicted to write it.
  const anyWhere = `binding read ${C} slot 0x1, which ${prior.slotChangedBy(C, 1n)} may write first`;
  const byName = `binding read ${C} slot 0x9, which ${prior.slotChangedBy(C, 9n)} may write first`;
  expect(anyWhere).toContain('tx 2 (unbound writes)');
  expect(byName).toContain('tx 3 may write first');
  const bindings = [
    binding(0, []),
    binding(1, []),
    unbound,
    binding(3, [{ code: 'cross-check', message: anyWhere }]),
    binding(4, [{ code: 'cross-check', message: anyWhere }, { code: 'limit-steps', message: 'exploration stopped' }]),
    binding(5, [{ code: 'cross-check', message: byName }]),
  ];
  const verdicts = [verdict(0, 0, 0), verdict(1, 0, 0), verdict(2, 0, 1), verdict(3, 2, 5), verdict(4, 1, 7), verdict(5, 4, 4)];
  const txs = bindings.map((_, i) => ({ to: i === 2 ? ROUTER : C, input: i === 2 ? '0x7ff36ab5' + '00'.repeat(32) : '0xa9059cbb' }));
  const { list, totals } = spreadersOf(17666333, bindings, verdicts, txs);
  expect(list).toHaveLength(1);
  const [s] = list;
  expect(s).toMatchObject({ block: 17666333, index: 2, to: ROUTER, selector: '0x7ff36ab5', later: 2, onlyBecause: 1, missed: 3, extra: 12 });
  expect(s!.cause).toBe('unknown-call-target: CALL at pc N: target unbound: widened at a loop or merge');
  expect(totals).toEqual({ spreaders: 1, blocks: 1, naming: 2, onlyBecause: 1, missed: 3, extra: 12 });
});

test('a block without unbound writers has no spreaders', () => {
  const { list, totals } = spreadersOf(1, [binding(0, []), binding(1, [])], [verdict(0, 0, 0), verdict(1, 1, 1)], [{}, {}]);
  expect(list).toEqual([]);
  expect(totals.naming).toBe(0);
  expect(totals.blocks).toBe(0);
});
