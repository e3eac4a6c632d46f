/**
 * BLOCKHASH as a fact (src/evm/facts.ts `Inputs.blockhash`, src/hints/bind.ts `inputs`): the hashes of earlier blocks
 * are fixed for the whole block, so a specialized exploration may decide on them as it decides on calldata. A draw
 * that loops as often as the previous block's hash says unrolls exactly instead of widening its counter into a slot
 * the analysis cannot name. Fixture: a contract written for this case (a lottery's draw, in small), compiled with
 * solc-js and analyzed by the real analyzer.
 */
import type { Prestate } from '../src/chain/load.js';
import { keccakWords, type TxBinding } from '../src/hints/bind.js';
import { compileSolidity } from '../src/input/compile.js';
import { Interface } from '@ethersproject/abi';
import type { Hex } from '../src/types.js';
import * as F from './hints.fixtures.js';

// Lottery's slots: drawn 0.
const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Lottery {
  mapping(uint256 => uint256) public drawn;
  function draw() external {
    uint256 n = uint256(blockhash(block.number - 1)) % 8;
    for (uint256 i = 0; i < n; i++) drawn[i] = 1;
  }
}`;

const LOTTERY = F.addr(0x1077e);
const lottery = compileSolidity({ 'Lottery.sol': SOURCE }).find((c) => c.name === 'Lottery')!;
const DRAW = new Interface(lottery.abi ?? []).encodeFunctionData('draw', []);
/** The previous block's hash: 5 modulo 8, so `draw` writes drawn[0..4]. */
const HASH = ('0x' + 'ab'.repeat(31) + '05') as Hex;

function bind(blockHashes?: Map<bigint, Hex>): TxBinding {
  const pre: Prestate = new Map();
  pre.set(LOTTERY, { balance: 0n, nonce: 1n, code: lottery.runtime, storage: new Map() });
  return F.bindCall(pre, LOTTERY, DRAW, { block: { ...F.ENV, ...(blockHashes ? { blockHashes } : {}) } });
}
const written = (b: TxBinding) => [...(b.writes.get(LOTTERY) ?? [])].sort();
const drawn = (i: number) => keccakWords([BigInt(i), 0n]);

test('a loop bounded by the previous block hash unrolls exactly: its writes are named and the binding is complete', () => {
  const b = bind(new Map([[F.ENV.number - 1n, HASH]]));
  expect(written(b)).toEqual([0, 1, 2, 3, 4].map(drawn).sort());
  expect(b.complete).toBe(true);
}, 120_000);

test('without the hash (not in block_hashes.json) the count is no fact: a slot the analysis cannot name, incomplete', () => {
  const b = bind();
  expect(b.complete).toBe(false);
  expect(b.diagnostics.some((d) => d.code === 'unknown-slot')).toBe(true);
}, 120_000);
