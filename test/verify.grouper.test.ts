/**
 * Miss attribution (verify's "misses by contract and function"): a miss in a contract no bound frame ran in is
 * explained by the transaction's diagnostics. Fixture: mainnet block 15752489 tx 123 in miniature: the transaction
 * calls C, which has no code in the pre-state because tx 122 creates it; the binder sees a plain call, marks the
 * transaction incomplete ("code of C may be changed by tx 122 (may create it)") and binds no frame in C.
 */
import { MissGrouper, reasonOf, type TxVerdict } from '../src/verify/verify.js';
import type { Hex } from '../src/types.js';

const C = '0x7dbe336ccf424a9f3b4bb242482c1da7ebffcc0c' as Hex;
const slot = ('0x' + '00'.repeat(31) + '01') as Hex;

test('a miss in a contract created earlier in the block is attributed to that, not to "no diagnostic"', () => {
  const v = { index: 123, hash: slot, complete: false, status: 'success', traced: 1, predicted: 0, hit: 0, missed: [{ address: C, slot }], extra: 0, violation: false, balances: { traced: 0, hit: 0, missed: [] } } as TxVerdict;
  const b = { frames: [], diagnostics: [{ code: 'unknown-call-target', message: `code of ${C} may be changed by tx 122 (may create it)` }], diagFrames: [-1] } as any;
  const g = new MissGrouper();
  g.add(1, v, b);
  const [group] = g.result();
  expect(group!.selector).toBe('(not reached)');
  // before: "(not reached and no diagnostic: a call the footprints do not list)"
  expect(group!.reasons.map((r) => r.reason)).toEqual(['(not reached) unknown-call-target: code of <addr> may be changed by tx N (may create it)']);
});

test('stale bindings read with different predicted values fall in one reason class', () => {
  const msg = (v: string, tx: number) => `binding read ${C} slot ${slot}, which tx 3 may write first (read as ${v}, what tx ${tx} is predicted to store)`;
  const classes = new Set(['0x1952', '0x1958', '0', '0x' + 'ab'.repeat(20)].map((v, i) => reasonOf({ code: 'cross-check', message: msg(v, 20 + i) })));
  expect([...classes]).toEqual(['cross-check: binding read <addr> slot <slot>, which tx N may write first (read as <value>, what tx N is predicted to store)']);
});

test('the top miss reasons come with a plain statement in ACCURACY.md', async () => {
  const { explainReason } = await import('../src/verify/report.js');
  expect(explainReason('unknown-slot: selector unknown (unknown memory): callee not bound')).toMatch(/input in memory the analysis lost track of/);
  expect(explainReason('unknown-slot: selector unknown (input size of call at pc N unknown: widened at a loop or merge): callee not bound')).toMatch(/call made in a loop/);
  expect(explainReason('limit-paths: footprint incomplete (limit-paths: more than 64 distinct external calls)')).toMatch(/exploration limit/);
  expect(explainReason('unknown-call-target: CALL at pc N: target unbound: widened at a loop or merge')).toMatch(/address is computed/);
  expect(explainReason('(stale binding) cross-check: binding read <addr> slot <slot>, which tx N may write first')).toMatch(/earlier transaction/);
  expect(explainReason('something new')).toBe('');
});
