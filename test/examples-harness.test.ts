// The test harness itself (test/helpers/examples.ts, test/helpers/trace.ts): traced accesses must be the real ones,
// checked against slots computed independently with keccak from the documented storage layouts.
import type { Hex } from '../src/types.js';
import {
  EIP1967_IMPLEMENTATION_SLOT,
  ETHER,
  FUZZ_ACCOUNTS,
  arraySlot,
  exampleWorld,
  makeRng,
  mappingSlot,
  nestedMappingSlot,
  offsetSlot,
  randomCalldata,
  slotHex,
  exampleContract,
  decodeResult,
  type GenWorld,
} from './helpers/examples.js';
import { diffAccesses, slotsOf, toAccessList, traceCall } from './helpers/trace.js';
import { Interface } from '@ethersproject/abi';

let g: GenWorld;
beforeAll(async () => {
  g = await exampleWorld();
});

const s = (n: number) => slotHex(BigInt(n));

test('an ERC20 transfer reads and writes exactly the two balance slots', async () => {
  const [alice, bob] = [g.users[0]!.address, g.users[1]!.address];
  const token = g.tokens[0]!;
  const t = await traceCall(g.world, { from: alice, to: token, data: g.world.encode('Token', 'transfer', [bob, 5n]) });
  expect(t.success).toBe(true);
  const expected = [mappingSlot(alice, 4), mappingSlot(bob, 4)].sort();
  expect(slotsOf(t.writes, token)).toEqual(expected);
  expect(slotsOf(t.reads, token)).toEqual(expected);
  expect([...t.writes.keys()]).toEqual([token]);
  expect(t.calls).toEqual([]);
  expect(toAccessList(t.writes)).toEqual([{ address: token, storageKeys: expected }]);
  // diffAccesses: what a prediction missed (unsound) and what it over-approximated.
  const upper = token.toUpperCase().replace('0X', '0x') as Hex;
  expect(diffAccesses([{ address: upper, storageKeys: expected }], t.writes)).toEqual({ missing: [], extra: [] });
  expect(diffAccesses([{ address: token, storageKeys: [expected[0]!, s(3)] }], t.writes)).toEqual({
    missing: [{ address: token, storageKeys: [expected[1]!] }],
    extra: [{ address: token, storageKeys: [s(3)] }],
  });
});

test('transferFrom touches the nested allowance slot', async () => {
  const [owner, spender, to] = [g.users[0]!.address, g.users[1]!.address, g.users[2]!.address];
  const token = g.tokens[0]!;
  const t = await traceCall(g.world, { from: spender, to: token, data: g.world.encode('Token', 'transferFrom', [owner, to, 7n]) });
  expect(t.success).toBe(true);
  expect(slotsOf(t.writes, token)).toEqual([nestedMappingSlot(5, owner, spender), mappingSlot(owner, 4), mappingSlot(to, 4)].sort());
});

test('calls through the EIP-1967 proxy record storage under the proxy, not the implementation', async () => {
  const me = g.users[3]!.address;
  const t = await traceCall(g.world, { from: me, to: g.proxy, data: g.world.encode('CounterVaultImpl', 'increment', []) });
  expect(t.success).toBe(true);
  expect(t.reads.get(g.proxy)).toContain(EIP1967_IMPLEMENTATION_SLOT);
  expect(slotsOf(t.writes, g.proxy)).toEqual([s(1), mappingSlot(me, 2)].sort());
  expect(t.writes.has(g.implementation)).toBe(false);
  expect(t.calls).toEqual([expect.objectContaining({ kind: 'DELEGATECALL', from: g.proxy, to: g.implementation, value: null })]);
});

test('a router swap touches the pair reserves and lock and both token balances; calls are recorded', async () => {
  const me = g.users[0]!.address;
  const [t0, t1] = [g.tokens[0]!, g.tokens[1]!];
  const pair = g.pairs[0]!.address;
  const deadline = g.world.block.header.timestamp + 100n;
  const data = g.world.encode('Router', 'swapExactTokensForTokens', [10n ** 18n, 0n, [t0, t1], me, deadline]);
  const t = await traceCall(g.world, { from: me, to: g.router, data });
  expect(t.success).toBe(true);
  expect(slotsOf(t.writes, pair)).toEqual(expect.arrayContaining([s(6), s(10)]));
  expect(slotsOf(t.writes, t0)).toEqual([mappingSlot(me, 4), mappingSlot(pair, 4)].sort());
  expect(slotsOf(t.writes, t1)).toEqual([mappingSlot(me, 4), mappingSlot(pair, 4)].sort());
  expect(slotsOf(t.reads, g.factory)).toEqual([nestedMappingSlot(2, t0, t1)]);
  const selectors = t.calls.map((c) => c.selector);
  expect(selectors).toContain('0x23b872dd'); // transferFrom
  expect(selectors).toContain('0x022c0d9f'); // swap
  expect(selectors).toContain('0xa9059cbb'); // transfer
  expect(t.calls.find((c) => c.selector === '0x70a08231')?.kind).toBe('STATICCALL'); // balanceOf
});

test('registry struct fields, arrays and long strings land where the layout says', async () => {
  const me = g.users[1]!.address;
  const label = 'a label longer than thirty-one bytes, stored out of slot';
  const t = await traceCall(g.world, { from: me, to: g.registry, data: g.world.encode('Registry', 'register', [77, 3, 9, label, 0]) });
  expect(t.success).toBe(true);
  const rec = nestedMappingSlot(1, me, 77);
  const w = slotsOf(t.writes, g.registry);
  for (const slot of [rec, offsetSlot(rec, 1), offsetSlot(rec, 2), offsetSlot(rec, 3), arraySlot(offsetSlot(rec, 3), 0), arraySlot(offsetSlot(rec, 3), 1)]) {
    expect(w).toContain(slot);
  }
  // idsOf[me] had two ids from setup: the new one is element 2; log got one more entry.
  const ids = mappingSlot(me, 2);
  expect(w).toEqual(expect.arrayContaining([ids, arraySlot(ids, 2), s(0), s(4), s(5)]));
  const logLen = await g.world.getStorage(g.registry, 4n);
  expect(w).toContain(arraySlot(4, logLen - 1n));
});

test('transient storage and ETH transfers are traced; a failing call still reports what it touched', async () => {
  const owner = g.deployer.address;
  const sweep = await traceCall(g.world, { from: owner, to: g.vault, data: g.world.encode('Vault', 'sweep', []) });
  expect(sweep.success).toBe(true);
  expect(slotsOf(sweep.transientWrites, g.vault)).toEqual([s(0)]);
  expect(slotsOf(sweep.transientReads, g.vault)).toEqual([s(0)]);
  expect(sweep.writes.has(g.vault)).toBe(false);

  const me = g.users[2]!.address;
  const w = await traceCall(g.world, { from: me, to: g.vault, data: g.world.encode('Vault', 'withdrawETH', [ETHER / 10n]) });
  expect(w.success).toBe(true);
  expect(w.calls).toEqual([expect.objectContaining({ kind: 'CALL', from: g.vault, to: me, value: ETHER / 10n, selector: null })]);

  const bad = await traceCall(g.world, { from: me, to: g.vault, data: g.world.encode('Vault', 'withdrawETH', [40n * ETHER]) });
  expect(bad.success).toBe(false);
  expect(bad.error).toMatch(/revert/);
  expect(bad.reads.get(g.vault)).toContain(mappingSlot(me, 3));
});

test('CREATE2 through the factory: the new pair storage and both getPair entries', async () => {
  const from = g.deployer.address;
  const a = await g.world.deploy('Token', ['X', 'X', 18, 0], { from });
  const b = await g.world.deploy('Token', ['Y', 'Y', 18, 0], { from });
  const t = await traceCall(g.world, { from, to: g.factory, data: g.world.encode('Factory', 'createPair', [a, b]) });
  expect(t.success).toBe(true);
  const pair = `0x${Buffer.from(t.returnData.subarray(12)).toString('hex')}` as Hex;
  expect(t.calls[0]).toMatchObject({ kind: 'CREATE2', from: g.factory, to: null });
  expect(t.calls[1]).toMatchObject({ kind: 'CALL', from: g.factory, to: pair, selector: '0x485cc955' }); // initialize
  const len = await g.world.getStorage(g.factory, 3n);
  expect(slotsOf(t.writes, g.factory)).toEqual([nestedMappingSlot(2, a, b), nestedMappingSlot(2, b, a), s(3), arraySlot(3, len - 1n)].sort());
  // The constructor (factory = msg.sender, unlocked = 1) and initialize (token0, token1) write the pair's storage.
  expect(slotsOf(t.writes, pair)).toEqual([s(3), s(4), s(5), s(10)]);
});

test('view calls decode', async () => {
  const me = g.users[0]!.address;
  const t = await traceCall(g.world, { from: me, to: g.tokens[0]!, data: g.world.encode('Token', 'decimals', []) });
  expect(decodeResult(exampleContract('Token').abi, 'decimals', t.returnData)).toEqual([18]);
});

test('random calldata is deterministic, decodable and draws from the known accounts', async () => {
  const abi = exampleContract('Token').abi;
  const a = Array.from({ length: 20 }, ((rng) => () => randomCalldata(abi, rng))(makeRng(7)));
  const b = Array.from({ length: 20 }, ((rng) => () => randomCalldata(abi, rng))(makeRng(7)));
  expect(a.map((c) => c.data)).toEqual(b.map((c) => c.data));
  const iface = new Interface(abi);
  for (const c of a) {
    expect(c.data.startsWith(c.selector)).toBe(true);
    expect(iface.parseTransaction({ data: c.data }).signature).toBe(c.signature);
    for (const arg of c.args) if (typeof arg === 'string' && arg.length === 42) expect([...FUZZ_ACCOUNTS, '0x' + '0'.repeat(40)]).toContain(arg);
  }
  // Fuzzing the registry (nested mappings, strings, arrays): the harness copes with reverts and successes alike.
  const rng = makeRng(11);
  const reg = exampleContract('Registry').abi;
  let ok = 0;
  for (let i = 0; i < 25; i++) {
    const c = randomCalldata(reg, rng, { includeViews: false, accounts: g.users.map((u) => u.address) });
    const t = await traceCall(g.world, { from: rng.pick(g.users).address as Hex, to: g.registry, data: c.data, value: c.value });
    if (t.success) ok++;
    else expect(t.error).toBeTruthy();
  }
  expect(ok).toBeGreaterThan(0);
});
