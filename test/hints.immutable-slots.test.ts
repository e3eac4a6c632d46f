/**
 * Slots no code can store to (src/hints/block.ts `storedSlots`, `BlockWrites.slotWritable`): storage changes only by
 * SSTORE in the account's own context (or SELFDESTRUCT before Cancun), so a slot that no entry of a complete analysis
 * writes, in code that neither delegates nor self-destructs, is one no earlier transaction can change, whatever its
 * unbound calls do. Before, one transaction with unbound writes (a creation, an aggregator) made every later guard
 * that read storage stale: a mainnet airdrop token of block 6137495 then predicted its burn for every claim.
 * Fixture: a token written for this case, compiled with solc-js.
 */
import { AnalysisCache } from '../src/hints/context.js';
import { BlockWrites, hintsForBlock, mayStore, storedSlots } from '../src/hints/block.js';
import { viewCallResolver } from '../src/hints/resolve.js';
import { loadBlockDir } from '../src/chain/load.js';
import { join } from 'node:path';
import { describeMainnet, MAINNET_DIR } from './helpers/shared.js';
import type { TxBinding } from '../src/hints/bind.js';
import { compileSolidity } from '../src/input/compile.js';
import type { Hex } from '../src/types.js';

// Slots: balances 0 (hashed), supply 1, start 2 (set by the constructor only), bonus 3.
const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Drop {
  mapping(address => uint256) public balances;
  uint256 public supply;
  uint256 public start;
  uint256 public bonus;
  constructor() { start = block.timestamp; }
  function claim() external {
    require(block.timestamp > start, "early");
    balances[msg.sender] += 5;
    supply += 5;
  }
  function setBonus(uint256 b) external { bonus = b; }
}
contract Forwarder {
  function run(address to, bytes calldata data) external { (bool ok, ) = to.delegatecall(data); require(ok); }
}`;

const compiled = compileSolidity({ 'Drop.sol': SOURCE });
const runtime = (name: string) => compiled.find((c) => c.name === name)!.runtime;
const provider = new AnalysisCache().provider;
const ADDR = '0x00000000000000000000000000000000000000d1' as Hex;
const hashOf = () => '0x01' as Hex;

test('a complete analysis names the constant slots its code stores to; hashed ones may be any large slot', () => {
  const s = storedSlots(ADDR, runtime('Drop'), hashOf, provider);
  expect(s).not.toBe('any');
  if (s === 'any') return;
  expect([...s.slots].sort()).toEqual([1n, 3n]);
  expect(s.anyLarge).toBe(true);
});

test('code that delegates, a delegation designator or no code: any slot', () => {
  expect(storedSlots(ADDR, runtime('Forwarder'), hashOf, provider)).toBe('any');
  expect(storedSlots(ADDR, Uint8Array.from([0xef, 0x01, 0x00, ...new Array(20).fill(0x11)]), hashOf, provider)).toBe('any');
  expect(storedSlots(ADDR, new Uint8Array(0), hashOf, provider)).toBe('any');
});

test('unbound writes of an earlier transaction do not reach a slot no code stores to', () => {
  const s = storedSlots(ADDR, runtime('Drop'), hashOf, provider);
  const writable = (a: Hex, slot: bigint) => a !== ADDR || mayStore(s, slot);
  const prior = new BlockWrites(() => true, true, () => true, () => false, writable);
  // Transaction 0 may write anywhere (an unbound call).
  const any = { index: 0, writes: new Map(), writeValues: new Map(), unknownWrites: 'any', codeWrites: new Set(), balanceWrites: new Set() };
  prior.add(any as unknown as TxBinding);
  expect(prior.slotChangedBy(ADDR, 2n)).toBeUndefined(); // start: set by the constructor only
  expect(prior.slotChangedBy(ADDR, 1n)).toBe('tx 0 (unbound writes)'); // supply
  expect(prior.slotChangedBy(ADDR, 3n)).toBe('tx 0 (unbound writes)'); // bonus
  expect(prior.slotChangedBy(ADDR, 2n ** 200n)).toBe('tx 0 (unbound writes)'); // a balance
  expect(prior.slotChangedBy(ADDR, 7n)).toBeUndefined();
  // Without the analysis (the default), every slot may change.
  const blind = new BlockWrites(() => true, true, () => true, () => false);
  blind.add(any as unknown as TxBinding);
  expect(blind.slotChangedBy(ADDR, 2n)).toBe('tx 0 (unbound writes)');
});

describeMainnet('block 6137495 (mainnet)', () => {
  // Tx 13 creates a contract at an address the hints cannot predict (unbound writes). The airdrop token 0xfcca0c5c...
  // burns its reserve from `totalSupply` (slot 1) only 30 days after its start (slot 5, set at deployment): its claims
  // (empty calldata, from tx 19 on) were predicted to write slot 1 because the guard's read of slot 5 was stale.
  test('claims after an unbound creation do not list the burn', () => {
    const loaded = loadBlockDir(join(MAINNET_DIR, '6137495'));
    const { hints } = hintsForBlock(loaded, { analysis: provider, resolveCall: viewCallResolver });
    const token = '0xfcca0c5ccd723baf6bf7f6678c8cfb49ce0042c7';
    const claims = loaded.block.transactions.map((t, i) => [t, i] as const).filter(([t]) => t.to === token && t.input === '0x');
    expect(claims.length).toBeGreaterThan(20);
    for (const [, i] of claims) {
      const keys = hints[i]!.accessList.find((e) => e.address === token)?.storageKeys ?? [];
      expect([i, keys.includes(`0x${'1'.padStart(64, '0')}`)]).toEqual([i, false]);
    }
  }, 120_000);
});
