// Storage slots as facts of a specialized exploration (src/evm/facts.ts `Inputs.storage`), and the size limit on
// expressions written out (src/evm/sym.ts `toExpr`). Fixtures: hand-assembled bytecode of a fee-style branch,
// `if (sload(3) != 0) sstore(7, 1)` (a USDT-like fee credit that only runs when the fee rate is set), and of a branch
// on a mapping entry, `if (balances[msg.sender] != 0) sstore(7, 1)`.
import { analyzeSpecialized } from '../src/analyze/index.js';
import type { Inputs } from '../src/evm/facts.js';
import { MAX_EXPR_NODES } from '../src/evm/limits.js';
import { SymBuilder, toExpr, toSharedExpr } from '../src/evm/sym.js';
import { keccakWords } from '../src/hints/bind.js';
import type { Expr } from '../src/types.js';

// 0: PUSH1 3  2: SLOAD  3: PUSH1 7  5: JUMPI  6: STOP  7: JUMPDEST  8: PUSH1 1  10: PUSH1 7  12: SSTORE  13: STOP
const CODE = Uint8Array.from(Buffer.from('600354600757005b6001600755' + '00', 'hex'));

const inputs = (storage?: (slot: bigint) => bigint | null): Inputs => ({
  word: () => 0n,
  size: 0n,
  env: () => null,
  ...(storage ? { storage } : {}),
});
const writesSlot7 = (r: ReturnType<typeof analyzeSpecialized>) => r.fp.writes.some((w) => w.expr.k === 'const' && BigInt(w.expr.v) === 7n);
const isSload3 = (e: Expr) => e.k === 'sload' && e.slot.k === 'const' && BigInt(e.slot.v) === 3n;

describe('constant storage slots as facts', () => {
  test('a fee rate of zero decides the branch: the credit is left out, and the decision is an assumption', () => {
    const r = analyzeSpecialized(CODE, null, true, inputs((s) => (s === 3n ? 0n : null)));
    expect(writesSlot7(r)).toBe(false);
    expect(r.assumptions.some((a) => !a.open && isSload3(a.expr) && a.value === 0n)).toBe(true);
  });

  test('a fee rate that is set decides it the other way', () => {
    const r = analyzeSpecialized(CODE, null, true, inputs((s) => (s === 3n ? 30n : null)));
    expect(writesSlot7(r)).toBe(true);
    expect(r.assumptions.some((a) => !a.open && isSload3(a.expr) && a.value === 1n)).toBe(true);
  });

  test('a value the caller cannot vouch for: both ways, recorded as open (a call that knows it explores again)', () => {
    const r = analyzeSpecialized(CODE, null, true, inputs(() => null));
    expect(writesSlot7(r)).toBe(true);
    expect(r.assumptions.some((a) => a.open && isSload3(a.expr))).toBe(true);
  });

  test('without storage facts at all: both ways, and nothing assumed about storage', () => {
    const r = analyzeSpecialized(CODE, null, true, inputs());
    expect(writesSlot7(r)).toBe(true);
    expect(r.assumptions.some((a) => JSON.stringify(a.expr).includes('sload'))).toBe(false);
  });
});

describe('mapping entries as facts', () => {
  // 0: CALLER PUSH1 0 MSTORE  4: PUSH1 0 PUSH1 0x20 MSTORE  9: PUSH1 0x40 PUSH1 0 KECCAK256  14: SLOAD
  // 15: PUSH1 0x13 JUMPI  18: STOP  19: JUMPDEST PUSH1 1 PUSH1 7 SSTORE STOP
  const MAP = Uint8Array.from(Buffer.from('33600052' + '6000602052' + '6040600020' + '54' + '601357' + '00' + '5b6001600755' + '00', 'hex'));
  const ALICE = 0xa11cen;
  const slot = keccakWords([ALICE, 0n]);
  const withCaller = (storage: (s: bigint) => bigint | null): Inputs => ({ ...inputs(storage), env: (n) => (n === 'CALLER' ? ALICE : null) });

  test("the caller's entry, known to be zero, decides the branch; the slot is computed from the caller", () => {
    const asked: bigint[] = [];
    const r = analyzeSpecialized(MAP, null, true, withCaller((s) => (asked.push(s), s === slot ? 0n : null)));
    expect(asked).toContain(slot);
    expect(writesSlot7(r)).toBe(false);
    expect(r.assumptions.some((a) => !a.open && a.expr.k === 'sload' && a.value === 0n)).toBe(true);
  });

  test('an entry the caller cannot vouch for: both ways, open', () => {
    const r = analyzeSpecialized(MAP, null, true, withCaller(() => null));
    expect(writesSlot7(r)).toBe(true);
    expect(r.assumptions.some((a) => a.open && a.expr.k === 'sload')).toBe(true);
  });
});

describe('expressions written out', () => {
  // keccak(z . z), 33 levels: 33 values, 2^34 - 1 nodes as a tree (a Merkle tree's empty-subtree hashes).
  const b = new SymBuilder();
  let z = b.env('CALLER');
  for (let i = 0; i < 33; i++) z = b.keccak([z, z], 64);

  test('one that would be larger than MAX_EXPR_NODES as a tree becomes unknown', () => {
    expect(toExpr(z)).toEqual({ k: 'unknown', why: 'expression too large' });
  });

  test('shared, the same value is the same object: as small as the value itself', () => {
    const e = toSharedExpr(z, new Map());
    expect(e.k).toBe('keccak');
    const words = (e as { words: Expr[] }).words;
    expect(words[0]).toBe(words[1]);
  });

  test('small ones are written out in full', () => {
    let y = b.env('CALLER');
    for (let i = 0; i < 10; i++) y = b.keccak([y, y], 64); // 2^11 - 1 nodes
    expect(2 ** 11 - 1).toBeLessThanOrEqual(MAX_EXPR_NODES);
    expect(JSON.stringify(toExpr(y))).not.toContain('unknown');
  });
});
