/**
 * Slots no code can store to (src/hints/block.ts `storedSlots`, `BlockWrites.slotWritable`): storage changes only by
 * SSTORE in the account's own context (or SELFDESTRUCT before Cancun), so a slot that no entry of a complete analysis
 * writes, in code that neither delegates nor self-destructs, is one no earlier transaction can change, whatever its
 * unbound calls do. Before, one transaction with unbound writes (a creation, an aggregator) made every later guard
 * that read storage stale: a mainnet airdrop token of block 6137495 then predicted its burn for every claim.
 * A constant slot whose every write checks the caller against an owner (`onlyOwner`) is also out of reach when no
 * owner can be a caller in the block (`lockedSlots`): USDT's owner word and fee parameters after an aggregator's
 * unbound call.
 * Fixtures: a token and an owned contract written for these cases, compiled with solc-js.
 */
import { AnalysisCache } from '../src/hints/context.js';
import { BlockWrites, hintsForBlock, lockedSlots, mayBeCaller, mayStore, storedSlots, type StoredSlots } from '../src/hints/block.js';
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
// Slots: owner and paused packed in 0, fee 1, open 2, admin-only 3, sometimes 4, balances 5 (hashed).
contract Owned {
  address public owner;
  bool public paused;
  uint256 public fee;
  uint256 public open;
  uint256 public adminOnly;
  uint256 public sometimes;
  mapping(address => uint256) public balances;
  constructor() { owner = msg.sender; }
  modifier onlyOwner() { require(msg.sender == owner, "owner"); _; }
  function setFee(uint256 f) external onlyOwner { fee = f; }
  function pause() external onlyOwner { paused = true; }
  function transferOwnership(address o) external onlyOwner { owner = o; }
  function setAdminOnly(uint256 v) external { require(msg.sender == 0x00000000000000000000000000000000000000A1, "admin"); adminOnly = v; }
  function poke(uint256 v) external { open = v; }
  function maybe(uint256 v) external { if (v > 10) { require(msg.sender == owner, "owner"); sometimes = v; } else { sometimes = v + 1; } }
  function transfer(address to, uint256 v) external { require(!paused, "paused"); require(balances[msg.sender] >= fee + v, "funds"); balances[msg.sender] -= v; balances[to] += v; }
}
contract Forwarder {
  function run(address to, bytes calldata data) external { (bool ok, ) = to.delegatecall(data); require(ok); }
}`;

const compiled = compileSolidity({ 'Drop.sol': SOURCE });
const runtime = (name: string) => compiled.find((c) => c.name === name)!.runtime;
const provider = new AnalysisCache().provider;
const ADDR = '0x00000000000000000000000000000000000000d1' as Hex;
// The analysis cache is keyed by code hash: one per contract.
const hashOf = () => '0x01' as Hex;
const ownedHash = () => '0x02' as Hex;

test('a complete analysis names the constant slots its code stores to; hashed ones may be any large slot', () => {
  const s = storedSlots(ADDR, runtime('Drop'), hashOf, provider);
  expect(s).not.toBe('any');
  if (s === 'any') return;
  expect([...s.slots.keys()].sort()).toEqual([1n, 3n]);
  expect([...s.slots.values()]).toEqual([null, null]); // anyone may call claim() and setBonus()
  expect(s.anyLarge).toBe(true);
});

test('code that delegates, a delegation designator or no code: any slot', () => {
  expect(storedSlots(ADDR, runtime('Forwarder'), () => '0x03' as Hex, provider)).toBe('any');
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

test('an owned contract: slots only its owner (or a fixed admin) may store to keep their owners', () => {
  const s = storedSlots(ADDR, runtime('Owned'), ownedHash, provider);
  expect(s).not.toBe('any');
  if (s === 'any') return;
  const owner = [{ slot: 0n, mask: true }];
  expect(s.slots.get(0n)).toEqual(owner); // transferOwnership and pause
  expect(s.slots.get(1n)).toEqual(owner);
  expect(s.slots.get(2n)).toBeNull(); // poke: anyone
  expect(s.slots.get(3n)).toEqual([{ value: 0xa1n }]);
  expect(s.slots.get(4n)).toBeNull(); // one path checks the owner, the other does not
  expect(s.anyLarge).toBe(true);
});

describe('lockedSlots', () => {
  const s = storedSlots(ADDR, runtime('Owned'), ownedHash, provider) as Exclude<StoredSlots, 'any'>;
  const OWNER = 0xb0bn;
  const storage = (slot: bigint) => (slot === 0n ? (1n << 160n) | OWNER : 0n); // paused, owner 0xb0b
  const nobody = () => false;
  const none = () => false;

  test('no owner can call in the block: the owner word, the fee and the admin slot are out of reach', () => {
    const locked = lockedSlots(s, storage, nobody, none);
    expect([...locked].sort()).toEqual([0n, 1n, 3n]);
    expect(mayStore(s, 1n, locked)).toBe(false);
    expect(mayStore(s, 2n, locked)).toBe(true);
    expect(mayStore(s, 4n, locked)).toBe(true);
    expect(mayStore(s, 2n ** 200n, locked)).toBe(true); // a balance
  });

  test('an owner that may call (a sender of the block, code) frees what it guards', () => {
    expect([...lockedSlots(s, storage, (v) => v === OWNER, none)]).toEqual([3n]);
    expect([...lockedSlots(s, storage, (v) => v === 0xa1n, none)].sort()).toEqual([0n, 1n]);
  });

  test('an owner held in a slot an earlier transaction is predicted to write: what it guards is free too', () => {
    expect([...lockedSlots(s, storage, nobody, (slot) => slot === 0n)]).toEqual([3n]);
  });

  test('the owner word itself guarded by an owner that may call: the fee it guards is free (largest fixed point)', () => {
    // Slot 1 guarded by the owner in slot 0; slot 0 by the owner in slot 7, which anyone may write.
    const chain: StoredSlots = { slots: new Map([[1n, [{ slot: 0n, mask: true }]], [0n, [{ slot: 7n, mask: true }]], [7n, null]]), anyLarge: false };
    expect([...lockedSlots(chain, storage, nobody, none)]).toEqual([]);
    // Slot 7 written by no code: its owner never changes.
    const fixed: StoredSlots = { slots: new Map([[1n, [{ slot: 0n, mask: true }]], [0n, [{ slot: 7n, mask: true }]]]), anyLarge: false };
    expect([...lockedSlots(fixed, storage, nobody, none)].sort()).toEqual([0n, 1n]);
  });

  test('unbound writes of an earlier transaction do not reach a locked slot', () => {
    const locked = lockedSlots(s, storage, nobody, none);
    const prior = new BlockWrites(() => true, true, () => true, () => false, (a, slot) => a !== ADDR || mayStore(s, slot, locked));
    prior.add({ index: 0, writes: new Map(), writeValues: new Map(), unknownWrites: 'any', codeWrites: new Set(), balanceWrites: new Set() } as unknown as TxBinding);
    expect(prior.slotChangedBy(ADDR, 0n)).toBeUndefined();
    expect(prior.slotChangedBy(ADDR, 1n)).toBeUndefined();
    expect(prior.slotChangedBy(ADDR, 2n)).toBe('tx 0 (unbound writes)');
  });
});

test('who can be a caller in a block: senders, code, and accounts that may get code; not untouched accounts or EOAs', () => {
  const acct = (code: number, nonce: bigint) => ({ code: new Uint8Array(code), nonce });
  const accounts = new Map<string, { code: Uint8Array; nonce: bigint }>([
    ['0x00000000000000000000000000000000000000e1', acct(0, 5n)], // an EOA that sends nothing in the block
    ['0x00000000000000000000000000000000000000e2', acct(0, 5n)], // an EOA that sends a transaction
    ['0x00000000000000000000000000000000000000c0', acct(100, 1n)], // a contract
    ['0x00000000000000000000000000000000000000f0', acct(0, 0n)], // no nonce: a CREATE2 may land there
    ['0x0000000000000000000000000000000000000000', acct(0, 0n)],
  ]);
  const state = {
    exists: (a: Hex) => accounts.has(a),
    code: (a: Hex) => accounts.get(a)?.code ?? new Uint8Array(0),
    nonce: (a: Hex) => accounts.get(a)?.nonce ?? 0n,
  };
  const senders = new Set([0xe2n]);
  const can = (v: bigint, fork = 'cancun') => mayBeCaller(v, senders, state, fork);
  expect([can(0xe1n), can(0xe2n), can(0xc0n), can(0xf0n)]).toEqual([false, true, true, true]);
  expect(can(0xd0n)).toBe(false); // not in the prestate: the block never touches it
  expect(can(0n)).toBe(false); // a renounced owner
  expect(can(0xfffffffffffffffffffffffffffffffffffffffen)).toBe(true); // the system address (EIP-4788)
  expect(can(1n << 200n)).toBe(false); // not an address
  expect(can(0xe1n, 'prague')).toBe(true); // EIP-7702: an EOA may delegate to code
});

describeMainnet('block 6137495 (mainnet)', () => {
  let loaded: ReturnType<typeof loadBlockDir>;
  let hints: ReturnType<typeof hintsForBlock>['hints'];
  beforeAll(() => {
    loaded = loadBlockDir(join(MAINNET_DIR, '6137495'));
    hints = hintsForBlock(loaded, { analysis: provider, resolveCall: viewCallResolver }).hints;
  }, 120_000);

  // Tx 13 creates a contract at an address the hints cannot predict (unbound writes). The airdrop token 0xfcca0c5c...
  // burns its reserve from `totalSupply` (slot 1) only 30 days after its start (slot 5, set at deployment): its claims
  // (empty calldata, from tx 19 on) were predicted to write slot 1 because the guard's read of slot 5 was stale.
  test('claims after an unbound creation do not list the burn', () => {
    const token = '0xfcca0c5ccd723baf6bf7f6678c8cfb49ce0042c7';
    const claims = loaded.block.transactions.map((t, i) => [t, i] as const).filter(([t]) => t.to === token && t.input === '0x');
    expect(claims.length).toBeGreaterThan(20);
    for (const [, i] of claims) {
      const keys = hints[i]!.accessList.find((e) => e.address === token)?.storageKeys ?? [];
      expect([i, keys.includes(`0x${'1'.padStart(64, '0')}`)]).toEqual([i, false]);
    }
  });

  // Tx 14, right after that creation, transfers a token whose guard reads slot 4, which only `onlyOwner` functions
  // write; its owner is address zero (renounced). It was incomplete ("tx 13 (unbound writes) may write first").
  test('a transfer whose guard reads a slot only the (renounced) owner may write stays complete', () => {
    expect(loaded.block.transactions[14]!.to).toBe('0xf1ca9cb74685755965c7458528a36934df52a3ef');
    expect(hints[14]!.complete).toBe(true);
  });
});
