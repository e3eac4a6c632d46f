// The EIP-7928 block access list covers what a block does outside its transactions: the beacon-roots contract's ring
// slots before them (EIP-4788), withdrawal credits after them; without those given, it does not claim complete.
import { readFileSync } from 'node:fs';
import { blockAccessList, BEACON_ROOTS_ADDRESS, HISTORY_STORAGE_ADDRESS, systemAccesses } from '../src/hints/format.js';
import type { Hex } from '../src/types.js';
import { MAINNET_DIR, describeMainnet } from './helpers/shared.js';
import { cli } from './helpers/cli.js';

const W = '0x210b3cb99fa1de0a64085fa80e18c22fe4722a1b' as Hex;
const Z = '0x00000000000000000000000000000000000000aa' as Hex;

test('Cancun: two beacon-roots slots at index 0, withdrawal credits at n + 1 (a zero amount is listed, not credited)', () => {
  const header = { parentBeaconBlockRoot: '0x' + '11'.repeat(32), withdrawals: [{ address: W, amount: '0x10' }, { address: Z, amount: '0x0' }] };
  const bal = blockAccessList(5, [], undefined, systemAccesses(header, 5n, 1716203243n, 'cancun'));
  expect(bal.complete).toBe(true);
  const beacon = bal.accounts.find((a) => a.address === BEACON_ROOTS_ADDRESS)!;
  expect(beacon.storageChanges.map((c) => [c.slot, c.changes])).toEqual([
    ['0x' + (0x15en).toString(16).padStart(64, '0'), [{ blockAccessIndex: 0 }]],
    ['0x' + (0x215dn).toString(16).padStart(64, '0'), [{ blockAccessIndex: 0 }]],
  ]);
  expect(bal.accounts.find((a) => a.address === W)!.balanceChanges).toEqual([{ blockAccessIndex: 1 }]);
  expect(bal.accounts.find((a) => a.address === Z)!.balanceChanges).toEqual([]);
});

test('Prague adds the history contract’s slot and is not claimed complete (its request contracts are not modelled)', () => {
  const bal = blockAccessList(9, [], undefined, systemAccesses({ parentBeaconBlockRoot: '0x' + '11'.repeat(32) }, 9n, 100n, 'prague'));
  expect(bal.accounts.find((a) => a.address === HISTORY_STORAGE_ADDRESS)!.storageChanges[0]!.slot).toBe('0x' + '8'.padStart(64, '0'));
  expect(bal.complete).toBe(false);
});

test('without the block’s system accesses the list is not complete', () => {
  expect(blockAccessList(1, []).complete).toBe(false);
});

describeMainnet('the CLI on a mainnet block without transactions', () => {
  test('19910734: the beacon root write and its 16 withdrawals', async () => {
    const r = await cli('hints', `${MAINNET_DIR}/19910734`, '--format', 'bal');
    expect(r.code).toBe(0);
    const bal = JSON.parse(r.out);
    expect(bal.complete).toBe(true);
    expect(bal.accounts.find((a: any) => a.address === BEACON_ROOTS_ADDRESS).storageChanges).toHaveLength(2);
    const ws = JSON.parse(readFileSync(`${MAINNET_DIR}/19910734/block.json`, 'utf8')).withdrawals as { address: string; amount: string }[];
    expect(ws).toHaveLength(16);
    const credited = new Set(ws.filter((w) => BigInt(w.amount) > 0n).map((w) => w.address.toLowerCase()));
    const listed = bal.accounts.filter((a: any) => a.balanceChanges.some((c: any) => c.blockAccessIndex === 1)).map((a: any) => a.address);
    expect(listed.sort()).toEqual([...credited].sort());
  });
});
