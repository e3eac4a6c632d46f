/**
 * Loop rounds a specialized exploration keeps apart when its facts do not decide them (src/evm/limits.ts
 * MAX_UNDECIDED_UNROLL): a loop bounded by a stored length, explored without storage facts, names the slots of its
 * first rounds exactly and widens the rest. Fixture: a contract written for this case, compiled with solc-js.
 */
import { Interface } from '@ethersproject/abi';
import { analyzeSpecialized } from '../src/analyze/index.js';
import { compileSolidity } from '../src/input/compile.js';
import { exprText } from '../analyzers/render.js';
import { MAX_STATES_PER_POINT, MAX_UNDECIDED_UNROLL } from '../src/evm/limits.js';
import type { Inputs } from '../src/evm/facts.js';

// Slots: items 0 (length; elements at keccak(0) + i), marks 1.
const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Sweep {
  uint256[] public items;
  mapping(uint256 => uint256) public marks;
  function sweep() external { for (uint256 i = 0; i < items.length; i++) marks[items[i]] = 1; }
}`;

test('a loop bounded by a stored length, explored without storage facts: its first rounds are exact, the rest widened', () => {
  const [c] = compileSolidity({ 'Sweep.sol': SOURCE }).filter((x) => x.name === 'Sweep');
  const sel = new Interface(c!.abi ?? []).getSighash('sweep');
  const data = Buffer.from(sel.slice(2), 'hex');
  const inputs: Inputs = {
    word: (off) => (off < 4n ? BigInt('0x' + Buffer.concat([data, Buffer.alloc(32)]).subarray(Number(off), Number(off) + 32).toString('hex')) : 0n),
    size: 4n,
    env: (name) => (name === 'CALLER' ? 0x999n : name === 'CALLVALUE' ? 0n : null),
  };
  const { fp } = analyzeSpecialized(c!.runtime, sel as `0x${string}`, false, inputs);
  const writes = fp.writes.map((w) => exprText(w.expr));
  // Rounds kept apart: the point's first MAX_STATES_PER_POINT states, then MAX_UNDECIDED_UNROLL more; the rest join.
  const exact = MAX_STATES_PER_POINT + MAX_UNDECIDED_UNROLL;
  const element = (k: number) => `keccak(sload(${k === 0 ? 'keccak(0x0)' : `(keccak(0x0) + 0x${k.toString(16)})`}) . 0x1)`;
  for (let k = 0; k < exact; k++) expect(writes).toContain(element(k));
  expect(writes).not.toContain(element(exact));
  expect(writes).toContain('keccak(sload((?(widened at a loop or merge) + keccak(0x0))) . 0x1)');
  expect(fp.complete).toBe(false);
}, 120_000);
