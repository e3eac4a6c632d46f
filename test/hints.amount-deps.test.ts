/**
 * Amounts apart from keys (src/hints/bind.ts `TxState.amount`, `checkDeps`): a binding that reads a slot an earlier
 * transaction may write is incomplete either way; but only where the value may decide a key, a call target or a
 * call's input may this transaction's writes land anywhere (which makes every later binding that reads storage
 * incomplete in turn; anywhere in the called contract when the bound functions call nothing). An ETH amount decides
 * whether ETH moves, not which slots are accessed. Fixture: a contract written for this case (a router paying out an
 * amount computed from a stored reserve, as Uniswap V2's Router02 pays the ETH of a swap computed from a pair's
 * reserves), compiled with solc-js and analyzed by the real analyzer.
 */
import type { Prestate } from '../src/chain/load.js';
import { keccakWords, type PriorChanges, type TxBinding } from '../src/hints/bind.js';
import { compileSolidity } from '../src/input/compile.js';
import { Interface } from '@ethersproject/abi';
import * as F from './hints.fixtures.js';

// Payer's slots: reserve 0, owed 1.
const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Payer {
  uint256 public reserve;
  mapping(address => uint256) public owed;
  function pay() external { owed[msg.sender] = 1; payable(msg.sender).transfer(reserve / 100); }
  function payKeyed() external { owed[address(uint160(reserve))] = 1; }
  function payKeyedThenPay() external { owed[address(uint160(reserve))] = 1; payable(msg.sender).transfer(1); }
}`;

const PAYER = F.addr(0x9a7e7);
const payer = compileSolidity({ 'Payer.sol': SOURCE }).find((c) => c.name === 'Payer')!;
const iface = new Interface(payer.abi ?? []);
/** An earlier transaction predicted to write the reserve (a swap on the same pair, earlier in the block). */
const reserveWritten: PriorChanges = {
  slotChangedBy: (addr, slot) => (addr === PAYER && slot === 0n ? 'tx 0' : undefined),
  balanceChangedBy: () => undefined,
  codeChangedBy: () => undefined,
};

function bind(fn: string, prior?: PriorChanges): TxBinding {
  const pre: Prestate = new Map();
  pre.set(PAYER, { balance: 10n ** 19n, nonce: 1n, code: payer.runtime, storage: new Map([[0n, 1000n]]) });
  return F.bindCall(pre, PAYER, iface.encodeFunctionData(fn, []), prior ? { prior } : {});
}
const owedBy = (who: bigint) => keccakWords([who, 1n]);

test('an ETH amount read from a slot an earlier transaction writes: incomplete, but its writes are where predicted', () => {
  const b = bind('pay', reserveWritten);
  expect(b.complete).toBe(false);
  expect(b.diagnostics.some((d) => d.code === 'cross-check' && d.message.startsWith('an amount read'))).toBe(true);
  expect(b.unknownWrites).not.toBe('any');
  expect([...(b.writes.get(PAYER) ?? [])]).toEqual([owedBy(BigInt(F.ALICE))]);
}, 120_000);

test('the same slot read for a key: its writes may land anywhere in the contract (it calls nothing)', () => {
  const b = bind('payKeyed', reserveWritten);
  expect(b.complete).toBe(false);
  expect(b.unknownWrites).toEqual(new Set([PAYER]));
}, 120_000);

test('the same slot read for a key in a function that also calls out: its writes may land anywhere', () => {
  const b = bind('payKeyedThenPay', reserveWritten);
  expect(b.complete).toBe(false);
  expect(b.unknownWrites).toBe('any');
}, 120_000);

test('nothing written earlier: the payout binds complete', () => {
  const b = bind('pay');
  expect(b.complete).toBe(true);
  expect(b.unknownWrites).not.toBe('any');
}, 120_000);
