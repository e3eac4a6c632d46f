/**
 * The same call made twice (one call site reached twice with the same inputs, as a helper function does): its two
 * results are two values. A balance read before and after a transfer, subtracted, is what the transfer moved, not zero.
 * Fixture: a contract written for this case, compiled with solc-js and analyzed by the real analyzer; the binder
 * decides the `require` after the subtraction as a guard with the transaction's concrete minimum. Before the fix the
 * two results were one symbol, `after - before` folded to 0, the guard `0 >= 5` dropped the write, and the binding
 * still said complete: a violation.
 */
import type { Prestate } from '../src/chain/load.js';
import { keccakWords } from '../src/hints/bind.js';
import { compileSolidity } from '../src/input/compile.js';
import { Interface } from '@ethersproject/abi';
import * as F from './hints.fixtures.js';

// Vault's slot: got 0. Token's slot: balanceOf 0.
const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Token {
  mapping(address => uint256) public balanceOf;
  function mint(address to, uint256 v) external { balanceOf[to] += v; }
}
contract Vault {
  mapping(address => uint256) public got;
  function bal(Token t) internal view returns (uint256) { return t.balanceOf(address(this)); }
  function pull(Token t, uint256 min) external {
    uint256 before = bal(t);
    t.mint(address(this), 10);
    uint256 amount = bal(t) - before;
    require(amount >= min, "too little");
    got[msg.sender] += amount;
  }
}`;

const TOKEN = F.addr(0x70c3);
const VAULT = F.addr(0x7a17);
const compiled = compileSolidity({ 'Vault.sol': SOURCE });
const token = compiled.find((c) => c.name === 'Token')!;
const vault = compiled.find((c) => c.name === 'Vault')!;

test('a balance read before and after a mint by the same helper: the difference is not folded to zero', () => {
  const pre: Prestate = new Map();
  pre.set(TOKEN, { balance: 0n, nonce: 1n, code: token.runtime, storage: new Map() });
  pre.set(VAULT, { balance: 0n, nonce: 1n, code: vault.runtime, storage: new Map() });
  const b = F.bindCall(pre, VAULT, new Interface(vault.abi ?? []).encodeFunctionData('pull', [TOKEN, 5]));
  // Really: the mint moves 10 >= 5, so the transaction writes got[ALICE].
  expect([...(b.writes.get(VAULT) ?? [])]).toContain(keccakWords([BigInt(F.ALICE), 0n]));
}, 120_000);
