/**
 * Guards on a slot the transaction itself writes (src/hints/bind.ts `TxState.ownStale`): a frame's guards read storage
 * as it was when the frame started, so the frame's own later write does not make them stale (a Uniswap V3 pool reads
 * slot0 and writes it back); a write by a frame that ran before it, or a repeat of the frame, does. The same for keys
 * read from storage (`checkDeps`): a frame's own write leaves the binding complete. Except where the frame reached the
 * slot by two expressions (`TxState.aliased`): the exploration follows its own writes by expression. Fixture: contracts
 * written for this case, compiled with solc-js and analyzed by the real analyzer.
 */
import type { Prestate } from '../src/chain/load.js';
import { keccakWords, type TxBinding } from '../src/hints/bind.js';
import { compileSolidity } from '../src/input/compile.js';
import { Interface } from '@ethersproject/abi';
import type { Hex } from '../src/types.js';
import * as F from './hints.fixtures.js';

// Gate's slots: open 0, hits 1, misses 2, bal 3.
const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Gate {
  uint256 public open;
  mapping(address => uint256) public hits;
  mapping(address => uint256) public misses;
  function poke() external {
    if (open != 0) hits[msg.sender] += 1; else misses[msg.sender] += 1;
    open = open + 1;
  }
  function shut() external { open = 0; }
  mapping(address => uint256) public bal;
  function move(address a, address b) external {
    bal[a] = 0;
    if (bal[b] != 0) hits[msg.sender] += 1; else misses[msg.sender] += 1;
  }
  function bump() external { uint256 k = open; hits[address(uint160(k))] += 1; open = k + 1; }
  function pokeAfter(Twice t) external {
    t.callShut(this);
    if (open != 0) hits[msg.sender] += 1; else misses[msg.sender] += 1;
  }
}
contract Twice {
  function pokeTwice(Gate g) external { g.poke(); g.poke(); }
  function shutThenPoke(Gate g) external { g.shut(); g.poke(); }
  function callShut(Gate g) external { g.shut(); }
  function shutThenBump(Gate g) external { g.shut(); g.bump(); }
}`;

const GATE = F.addr(0x6a7e);
const TWICE = F.addr(0x7a1c);
const compiled = compileSolidity({ 'Gate.sol': SOURCE });
const gate = compiled.find((c) => c.name === 'Gate')!;
const twice = compiled.find((c) => c.name === 'Twice')!;

function bind(to: Hex, data: string, open = 1n): TxBinding {
  const pre: Prestate = new Map();
  pre.set(GATE, { balance: 0n, nonce: 1n, code: gate.runtime, storage: new Map([[0n, open], [keccakWords([BigInt(F.ALICE), 3n]), 5n]]) });
  pre.set(TWICE, { balance: 0n, nonce: 1n, code: twice.runtime, storage: new Map() });
  return F.bindCall(pre, to, data);
}
const slots = (b: TxBinding) => [...(b.writes.get(GATE) ?? [])];
const hits = (who: Hex) => keccakWords([BigInt(who), 1n]);
const misses = (who: Hex) => keccakWords([BigInt(who), 2n]);

test('a guard on a slot its own frame writes afterwards decides on the pre-state value', () => {
  const b = bind(GATE, new Interface(gate.abi ?? []).encodeFunctionData('poke'));
  expect(slots(b)).toContain(hits(F.ALICE));
  expect(slots(b)).not.toContain(misses(F.ALICE));
  expect(slots(b)).toContain(0n);
  expect(b.complete).toBe(true);
}, 120_000);

test('a frame that ran before it wrote the slot: the guard does not decide (both ways bound)', () => {
  const b = bind(TWICE, new Interface(twice.abi ?? []).encodeFunctionData('shutThenPoke', [GATE]));
  expect(slots(b)).toContain(hits(TWICE));
  expect(slots(b)).toContain(misses(TWICE)); // what really runs: shut() leaves open at 0
}, 120_000);

test('the same frame run twice (bound once): its own write comes before the repeat, so both ways are bound', () => {
  // open is 0: the first poke() counts a miss and opens, the second a hit.
  const b = bind(TWICE, new Interface(twice.abi ?? []).encodeFunctionData('pokeTwice', [GATE]), 0n);
  expect(slots(b)).toContain(hits(TWICE));
  expect(slots(b)).toContain(misses(TWICE));
}, 120_000);

test('a frame it calls writes the slot (a callback into the same contract): the guard does not decide', () => {
  const b = bind(GATE, new Interface(gate.abi ?? []).encodeFunctionData('pokeAfter', [TWICE]));
  expect(slots(b)).toContain(hits(F.ALICE));
  expect(slots(b)).toContain(misses(F.ALICE)); // what really runs: the callback's shut() leaves open at 0
}, 120_000);

test('a key read from a slot its own frame writes afterwards is current: the binding stays complete', () => {
  const b = bind(GATE, new Interface(gate.abi ?? []).encodeFunctionData('bump'));
  expect(slots(b)).toContain(hits(F.addr(1)));
  expect(b.complete).toBe(true);
  const after = bind(TWICE, new Interface(twice.abi ?? []).encodeFunctionData('shutThenBump', [GATE]));
  expect(after.complete).toBe(false);
  expect(after.diagnostics.some((d) => /binding read .* which this transaction may write first/.test(d.message))).toBe(true);
}, 120_000);

test('the frame wrote the slot by another expression (bal[a], then a guard on bal[b], a = b): the guard does not decide', () => {
  const b = bind(GATE, new Interface(gate.abi ?? []).encodeFunctionData('move', [F.ALICE, F.ALICE]));
  expect(slots(b)).toContain(hits(F.ALICE));
  expect(slots(b)).toContain(misses(F.ALICE)); // what really runs: bal[b] was just set to 0
  // Two different accounts: no alias, the guard decides on bal[b] (5 for ALICE, so a hit).
  const apart = bind(GATE, new Interface(gate.abi ?? []).encodeFunctionData('move', [F.BOB, F.ALICE]));
  expect(slots(apart)).toContain(hits(F.ALICE));
  expect(slots(apart)).not.toContain(misses(F.ALICE));
}, 120_000);
