/**
 * Code as a fact (src/hints/bind.ts `eval`, 'ext'; src/evm/facts.ts): a guard or a specialized exploration decides on
 * EXTCODESIZE / EXTCODEHASH of an account that has code in the pre-state, which no transaction can take away before
 * this one ends (a self-destruct takes effect at the end of its transaction), unless an earlier transaction of the
 * block may destroy it. An account without code stays undecided: this very transaction may create code there.
 * Fixture: a contract written for this case (Oraclize's network lookup, which probes a list of resolver addresses for
 * code, in small), compiled with solc-js and analyzed by the real analyzer.
 */
import type { Prestate } from '../src/chain/load.js';
import { keccakWords, type PriorChanges, type TxBinding } from '../src/hints/bind.js';
import { stateView } from '../src/hints/context.js';
import { compileSolidity } from '../src/input/compile.js';
import { Interface } from '@ethersproject/abi';
import type { Hex } from '../src/types.js';
import * as F from './hints.fixtures.js';

// Probe's slots: hits 0, misses 1, byHash 2, paid 3.
const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Probe {
  mapping(address => uint256) public hits;
  mapping(address => uint256) public misses;
  mapping(bytes32 => uint256) public byHash;
  mapping(address => uint256) public paid;
  function probe(address a) external {
    if (a.code.length > 0) hits[msg.sender] += 1; else misses[msg.sender] += 1;
  }
  function hashOf(address a) external { byHash[a.codehash] += 1; }
  // The first of a list of candidates that has code, as Oraclize's setNetwork does; each probe decides a path.
  function pay(uint256 n) external {
    address o = address(0);
    for (uint256 i = 0; i < n; i++) {
      address c = address(uint160(0xA000 + i));
      if (c.code.length > 0) { o = c; break; }
    }
    paid[o] += 1;
  }
}`;

const PROBE = F.addr(0x9a0be);
const compiled = compileSolidity({ 'Probe.sol': SOURCE });
const probe = compiled.find((c) => c.name === 'Probe')!;
const iface = new Interface(probe.abi ?? []);
/** Candidates of `pay`: 0xA000 and 0xA001 have no code, 0xA002 has. */
const WITH_CODE = F.addr(0xa002);

function bind(data: string, prior?: PriorChanges): TxBinding {
  const pre: Prestate = new Map();
  pre.set(PROBE, { balance: 0n, nonce: 1n, code: probe.runtime, storage: new Map() });
  pre.set(WITH_CODE, { balance: 0n, nonce: 1n, code: Uint8Array.from([0x60, 0x00, 0x00]), storage: new Map() });
  return F.bindCall(pre, PROBE, data, { prior });
}
const written = (b: TxBinding) => [...(b.writes.get(PROBE) ?? [])];
const hits = keccakWords([BigInt(F.ALICE), 0n]);
const misses = keccakWords([BigInt(F.ALICE), 1n]);
const paid = (who: Hex | bigint) => keccakWords([BigInt(who), 3n]);
/** An earlier transaction that may destroy every contract (unbound calls, before Cancun). */
const destroysAll: PriorChanges = {
  slotChangedBy: () => undefined,
  balanceChangedBy: () => undefined,
  codeChangedBy: () => 'tx 0 (may self-destruct it)',
};

test('a guard on the code size of an account with code decides one way', () => {
  const b = bind(iface.encodeFunctionData('probe', [WITH_CODE]));
  expect(written(b)).toContain(hits);
  expect(written(b)).not.toContain(misses);
  expect(b.complete).toBe(true);
}, 120_000);

test('an account without code is no fact: this transaction may create code there, both ways are bound', () => {
  const b = bind(iface.encodeFunctionData('probe', [F.BOB]));
  expect(written(b)).toContain(hits);
  expect(written(b)).toContain(misses);
}, 120_000);

test('code an earlier transaction may destroy is no fact either', () => {
  const b = bind(iface.encodeFunctionData('probe', [WITH_CODE]), destroysAll);
  expect(written(b)).toContain(hits);
  expect(written(b)).toContain(misses);
}, 120_000);

test('a loop probing candidates for code: the specialized exploration stops at the first one with code', () => {
  const b = bind(iface.encodeFunctionData('pay', [8]));
  const w = written(b);
  // The candidates before it may still get code from this transaction (undecided), the one after it is never reached.
  expect(w).toContain(paid(WITH_CODE));
  expect(w).not.toContain(paid(0xa003n));
  expect(w).not.toContain(paid(0xa007n));
  expect(w).not.toContain(paid(0n)); // the loop's end, never reached
}, 120_000);

test('EXTCODEHASH of an account with code keys a slot by its hash', () => {
  const b = bind(iface.encodeFunctionData('hashOf', [WITH_CODE]));
  const codeHash = BigInt(stateView(new Map([[WITH_CODE, { balance: 0n, nonce: 1n, code: Uint8Array.from([0x60, 0x00, 0x00]), storage: new Map() }]])).codeHash(WITH_CODE));
  expect(written(b)).toContain(keccakWords([codeHash, 2n]));
  expect(b.complete).toBe(true);
}, 120_000);
