/**
 * Lengths computed from two pointers into one allocation, `end - start`, when `start` lies after memory of a size
 * only known at run time (bytes a call returned): the difference must keep only what lies between them (src/evm/sym.ts
 * `cancelTerms`). Otherwise the length of a callback's input carries call results a binder cannot evaluate, and the
 * callee (the router paying a Uniswap V3 pool) is not bound at all. Fixture: a contract written for this case,
 * compiled with solc-js.
 */
import { Interface } from '@ethersproject/abi';
import { analyzeSpecialized } from '../src/analyze/index.js';
import { compileSolidity } from '../src/input/compile.js';
import { SymBuilder } from '../src/evm/sym.js';
import type { Inputs } from '../src/evm/facts.js';

describe('sums that share terms', () => {
  const b = new SymBuilder();
  const r0 = b.retsize(0), r1 = b.retsize(1), len = b.calldata(b.const(0x44n));
  // solc: a pointer past two returned byte arrays, then an allocation of 0x84 bytes plus a dynamic part.
  const start = b.op('ADD', [b.op('ADD', [r0, b.const(0x768n)]), r1]);
  const end = b.op('ADD', [b.op('ADD', [start, b.const(0x84n)]), len]);

  test('(start + c + x) - start is x + c', () => {
    expect(b.op('SUB', [end, start])).toBe(b.op('ADD', [len, b.const(0x84n)]));
  });
  test('a difference of sums that do not contain each other stays a difference', () => {
    const other = b.op('ADD', [r0, b.const(0x768n)]);
    const d = b.op('SUB', [b.op('ADD', [r1, len]), other]);
    expect(d.k).toBe('op');
    expect(d.name).toBe('SUB');
  });
});

// Slots: none. pay() reads a balance through a low-level call (its returned bytes are copied to memory), then calls
// back its caller with calldata bytes, as a Uniswap V3 pool calls uniswapV3SwapCallback after safeTransfer.
const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
interface ICallback { function cb(uint256 amount, bytes calldata data) external; }
contract Payer {
  function pay(address token, bytes calldata data) external {
    (bool ok, bytes memory ret) = token.call(abi.encodeWithSelector(0x70a08231, address(this)));
    require(ok && ret.length >= 32);
    ICallback(msg.sender).cb(abi.decode(ret, (uint256)), data);
  }
}`;

test('a callback after returned bytes: its input length is made of calldata, and facts decide it', () => {
  const [c] = compileSolidity({ 'Payer.sol': SOURCE }).filter((x) => x.name === 'Payer');
  const iface = new Interface(c!.abi ?? []);
  const sel = iface.getSighash('pay') as `0x${string}`;
  const data = Buffer.from(iface.encodeFunctionData('pay', ['0x' + '7'.repeat(40), '0x0102030405']).slice(2), 'hex');
  const word = (off: bigint) => BigInt('0x' + Buffer.concat([data, Buffer.alloc(64)]).subarray(Number(off), Number(off) + 32).toString('hex'));
  const inputs: Inputs = {
    word: (off) => (off < BigInt(data.length) ? word(off) : 0n),
    size: BigInt(data.length),
    env: (name) => (name === 'CALLER' ? 0x999n : name === 'CALLVALUE' ? 0n : name === 'ADDRESS' ? 0x888n : null),
  };
  const { fp } = analyzeSpecialized(c!.runtime, sel, false, inputs);
  const cb = fp.calls.find((x) => x.target?.k === 'env' && x.target.name === 'CALLER');
  expect(cb).toBeDefined();
  // cb(uint256, bytes) with 5 bytes of data: selector, two head words, the length word and one padded word.
  expect(cb!.inputSize).toBe(4 + 32 * 4);
  expect(cb!.selector).toBe(new Interface(['function cb(uint256,bytes)']).getSighash('cb'));
}, 120_000);
