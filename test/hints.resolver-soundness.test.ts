/**
 * Soundness of values the call-result resolver (src/hints/resolve.ts) hands the binder as keys, and of EXTCODEHASH
 * existence (src/hints/bind.ts 'ext'): a binding marked complete must name the slot the real execution writes.
 * Each case is one of the soundness hunt's repros (GASPRICE read as 0; gas not metered: gasleft() and calls with an
 * explicit gas limit; transient storage the transaction set before the call; empty accounts counted as existing;
 * accounts that gain ETH in the block counted as absent), next to a near miss that must stay exact.
 * Fixtures: contracts written for these cases, compiled with solc-js and analyzed by the real analyzer.
 */
import type { LoadedBlock, Prestate } from '../src/chain/load.js';
import { bindTx, keccakWords, type BindContext, type BlockEnv, type PriorChanges, type TxBinding, type TxInput } from '../src/hints/bind.js';
import { AnalysisCache, stateView } from '../src/hints/context.js';
import { viewCallResolver } from '../src/hints/resolve.js';
import { keccak256 } from '../src/chain/crypto.js';
import { compileSolidity } from '../src/input/compile.js';
import { Interface } from '@ethersproject/abi';
import type { Hex } from '../src/types.js';
import * as F from './hints.fixtures.js';

// Every contract keeps `m` at slot 0; User keeps `o` (the oracle) at slot 2.
const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
contract Oracle {
  uint256 public a = 1; uint256 public b = 2; uint256 public c = 3;
  function price() external view returns (uint256) { return tx.gasprice; }
  function g() external view returns (uint256) { return gasleft() > 5_000_000 ? 1 : 2; }
  function heavy() external view returns (uint256) { return a + b + c; }
  function plain(uint256 x) external view returns (uint256) { return x * 3 + a; }
}
contract User {
  mapping(uint256 => uint256) public m;
  mapping(uint256 => uint256) public n;
  Oracle public o;
  function byPrice() external { m[o.price()] = 1; }
  function byGas() external { m[o.g()] = 1; }
  function byPlain(uint256 x) external { m[o.plain(x)] = 1; }
  function byOk() external {
    (bool ok, ) = address(o).staticcall{gas: 5000}(abi.encodeCall(Oracle.heavy, ()));
    m[ok ? 1 : 2] = 1;
  }
  function byOkAsm() external {
    bytes4 sel = Oracle.heavy.selector;
    address h = address(o);
    assembly { mstore(0, sel) let ok := staticcall(5000, h, 0, 4, 0, 32) sstore(add(ok, 100), 1) }
  }
  function getT() external view returns (uint256 r) { assembly { r := tload(0) } }
  function byTransient(uint256 v) external { assembly { tstore(0, v) } m[this.getT()] = 1; }
}
contract TAsk { function ask(User2 u) external view returns (uint256) { return u.getT(); } }
contract User2 {
  mapping(uint256 => uint256) public m;
  function getT() external view returns (uint256 r) { assembly { r := tload(0) } }
  function go(TAsk t, uint256 v) external { assembly { tstore(0, v) } m[t.ask(this)] = 1; }
}
contract H {
  mapping(uint256 => uint256) public m;
  function byCodeHash(address t) external { m[uint256(t.codehash)] = 1; }
  function payThenHash(address y) external payable { payable(y).transfer(msg.value); m[uint256(y.codehash)] = 1; }
}`;

const compiled = compileSolidity({ 'Res.sol': SOURCE }, { evmVersion: 'cancun' });
const get = (name: string) => compiled.find((c) => c.name === name)!;
const ifaceOf = (name: string) => new Interface(get(name).abi ?? []);

const ORACLE = F.addr(0x0a11);
const USER = F.addr(0x05e1);
const USER2 = F.addr(0x05e2);
const TASK = F.addr(0x7a5c);
const HASHER = F.addr(0x4a54);
const CANCUN: BlockEnv = { ...F.ENV, hardfork: 'cancun' };
const EMPTY_HASH = BigInt('0x' + Buffer.from(keccak256(new Uint8Array(0))).toString('hex'));
const m = (k: bigint) => keccakWords([k, 0n]);

function account(code: Uint8Array, storage: [bigint, bigint][] = [], balance = 0n) {
  return { balance, nonce: 1n, code, storage: new Map(storage) };
}

function prestate(): Prestate {
  const pre: Prestate = new Map();
  pre.set(ORACLE, account(get('Oracle').runtime, [[0n, 1n], [1n, 2n], [2n, 3n]]));
  pre.set(USER, account(get('User').runtime, [[2n, BigInt(ORACLE)]]));
  pre.set(USER2, account(get('User2').runtime));
  pre.set(TASK, account(get('TAsk').runtime));
  pre.set(HASHER, account(get('H').runtime));
  pre.set(F.ALICE, { balance: 10n ** 18n, nonce: 0n, code: new Uint8Array(0), storage: new Map() });
  return pre;
}

/** Binds a call from ALICE with the view-call resolver over `pre`, as `prescient hints` does. */
function bind(to: Hex, data: string, opts: { pre?: Prestate; gasPrice?: bigint; value?: bigint; prior?: PriorChanges } = {}): TxBinding {
  const state = stateView(opts.pre ?? prestate());
  const ctx: BindContext = {
    state,
    block: CANCUN,
    analysis: new AnalysisCache().provider,
    codeHash: (a) => state.codeHash(a),
    resolveCall: viewCallResolver(state, CANCUN, { blockHashes: new Map() } as unknown as LoadedBlock),
    ...(opts.prior ? { prior: opts.prior } : {}),
  };
  const tx: TxInput = {
    index: 0,
    hash: ('0x' + '22'.repeat(32)) as Hex,
    from: F.ALICE,
    to,
    value: opts.value ?? 0n,
    input: Buffer.from(data.slice(2), 'hex'),
    nonce: 0n,
    gasPrice: opts.gasPrice ?? 10n,
    gas: 1_000_000n,
  };
  return bindTx(tx, ctx);
}
const written = (b: TxBinding, a: Hex) => [...(b.writes.get(a) ?? [])];
/** The soundness promise: complete, it names the slot the real execution writes. */
const sound = (b: TxBinding, a: Hex, slot: bigint) => !b.complete || written(b, a).includes(slot);

const user = ifaceOf('User');

test('GASPRICE in a resolved call is the transaction\'s effective gas price', () => {
  const b = bind(USER, user.encodeFunctionData('byPrice'), { gasPrice: 12_345n });
  expect(written(b, USER)).toContain(m(12_345n));
  expect(sound(b, USER, m(12_345n))).toBe(true);
  // The memo does not hand one transaction's gas price to another.
  const c = bind(USER, user.encodeFunctionData('byPrice'), { gasPrice: 7n });
  expect(written(c, USER)).toContain(m(7n));
}, 120_000);

test('gasleft() in a resolved call is unbound: the key is not a guess', () => {
  const b = bind(USER, user.encodeFunctionData('byGas'));
  // 1M gas: the real g() returns 2.
  expect(sound(b, USER, m(2n))).toBe(true);
  expect(b.complete).toBe(false);
}, 120_000);

test('a call with an explicit gas limit has no resolved outcome: it may run out of gas for real', () => {
  // heavy() reads three cold slots (6300 gas) with 5000 gas: it fails, m[2] is written.
  const b = bind(USER, user.encodeFunctionData('byOk'));
  expect(sound(b, USER, m(2n))).toBe(true);
  const asm = bind(USER, user.encodeFunctionData('byOkAsm'));
  expect(sound(asm, USER, 100n)).toBe(true);
}, 120_000);

test('near miss: a resolved call forwarding all gas, without GAS, TLOAD or GASPRICE in it, stays exact', () => {
  const b = bind(USER, user.encodeFunctionData('byPlain', [5n]));
  expect(written(b, USER)).toContain(m(16n));
  expect(b.complete).toBe(true);
}, 120_000);

test('TLOAD in a resolved call is unbound: the transaction may have set the slot before the call', () => {
  const b = bind(USER, user.encodeFunctionData('byTransient', [5n]));
  expect(sound(b, USER, m(5n))).toBe(true);
  const nested = bind(USER2, ifaceOf('User2').encodeFunctionData('go', [TASK, 9n]));
  expect(sound(nested, USER2, m(9n))).toBe(true);
}, 120_000);

const hasher = ifaceOf('H');
const Y = F.addr(0xe1111);

test('EXTCODEHASH of an empty account listed in the prestate is 0 (EIP-1052, EIP-161)', () => {
  const pre = prestate();
  pre.set(Y, { balance: 0n, nonce: 0n, code: new Uint8Array(0), storage: new Map() });
  const b = bind(HASHER, hasher.encodeFunctionData('byCodeHash', [Y]), { pre });
  expect(written(b, HASHER)).toContain(m(0n));
  expect(written(b, HASHER)).not.toContain(m(EMPTY_HASH));
}, 120_000);

test('EXTCODEHASH of an account that may gain ETH first (earlier in the block, or in this transaction) is not complete', () => {
  // An earlier transaction sends Y 1 wei: it then exists, its hash is keccak("").
  const credited: PriorChanges = {
    slotChangedBy: () => undefined,
    balanceChangedBy: (a) => (a === Y ? 'tx 0' : undefined),
    codeChangedBy: () => undefined,
  };
  const b = bind(HASHER, hasher.encodeFunctionData('byCodeHash', [Y]), { prior: credited });
  expect(sound(b, HASHER, m(EMPTY_HASH))).toBe(true);
  const same = bind(HASHER, hasher.encodeFunctionData('payThenHash', [Y]), { value: 1n });
  expect(sound(same, HASHER, m(EMPTY_HASH))).toBe(true);
}, 120_000);

test('near miss: EXTCODEHASH of an account with code, or of a funded EOA, stays exact and complete', () => {
  const pre = prestate();
  pre.set(Y, { balance: 5n, nonce: 0n, code: new Uint8Array(0), storage: new Map() });
  const withCode = bind(HASHER, hasher.encodeFunctionData('byCodeHash', [ORACLE]), { pre });
  const oracleHash = BigInt('0x' + Buffer.from(keccak256(get('Oracle').runtime)).toString('hex'));
  expect(written(withCode, HASHER)).toEqual([m(oracleHash)]);
  expect(withCode.complete).toBe(true);
  const funded = bind(HASHER, hasher.encodeFunctionData('byCodeHash', [Y]), { pre });
  expect(written(funded, HASHER)).toEqual([m(EMPTY_HASH)]);
  expect(funded.complete).toBe(true);
}, 120_000);
