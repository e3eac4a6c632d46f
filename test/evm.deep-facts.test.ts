/**
 * A specialized exploration (src/evm/facts.ts) folds a value past MAX_EXPR_DEPTH that its facts decide into that
 * constant, recorded as an assumption (src/evm/sym.ts `onDeep`), instead of making it unknown: a loop that iterates
 * arithmetic over a stored value (a Uniswap V3 swap stepping through ticks from slot0's price) names its keys in
 * every round. Fixture: a contract written for this case, compiled with solc-js.
 */
import { Interface } from '@ethersproject/abi';
import { analyzeSpecialized } from '../src/analyze/index.js';
import { compileSolidity } from '../src/input/compile.js';
import { MAX_EXPR_DEPTH } from '../src/evm/limits.js';
import type { Inputs } from '../src/evm/facts.js';

// Slots: start 0, seen 1. Each round adds three operators to x's expression, so the last rounds pass the depth limit.
const ROUNDS = 20;
const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Walk {
  uint256 public start;
  mapping(uint256 => uint256) public seen;
  function walk() external {
    uint256 x = start;
    for (uint256 i = 0; i < ${ROUNDS}; i++) { x = (x * 3 + 1) % 1000003; seen[x] = 1; }
  }
}`;

test('arithmetic over a stored value, round after round past the depth limit: every key named', () => {
  expect(3 * ROUNDS).toBeGreaterThan(MAX_EXPR_DEPTH);
  const [c] = compileSolidity({ 'Walk.sol': SOURCE }).filter((x) => x.name === 'Walk');
  const sel = new Interface(c!.abi ?? []).getSighash('walk') as `0x${string}`;
  const head = BigInt(sel) << 224n;
  const START = 5n;
  const inputs: Inputs = {
    word: (off) => (off === 0n ? head : 0n),
    size: 4n,
    env: (name) => (name === 'CALLER' ? 0x999n : name === 'CALLVALUE' ? 0n : null),
    storage: (slot) => (slot === 0n ? START : 0n),
  };
  const { fp, assumptions } = analyzeSpecialized(c!.runtime, sel, false, inputs);
  expect(fp.complete).toBe(true);
  expect(fp.diagnostics.filter((d) => d.code === 'unknown-slot' || d.code === 'limit-depth')).toEqual([]);
  // Late rounds are constants: their keys appear as keccak(<value> . 0x1).
  const named = fp.writes.map((w) => w.text);
  const xs: bigint[] = [];
  for (let i = 0, x = START; i < ROUNDS; i++) xs.push((x = (x * 3n + 1n) % 1000003n));
  for (const x of xs.slice(-5)) expect(named).toContain(`keccak(0x${x.toString(16)} . 0x1)`);
  // A folded value is an assumption on the whole expression (not a branch's truth): the footprint is reused only
  // where the facts give the same value.
  expect(assumptions.some((a) => !a.truth && !a.open && a.expr.k === 'op')).toBe(true);
}, 120_000);
