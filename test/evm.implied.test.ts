/**
 * Branches the path already decided (src/evm/implied.ts): after `require(y > 0)`, a library's `y == 0` check on the
 * same value cannot be taken, so the accesses behind it are not in the footprint; where the earlier check is on
 * storage (which a callback may change in between), on another execution of the same call, or absent, both sides
 * stay. Fixture: a contract written for this
 * case (SafeMath's `y == 0 ||` after a liquidity check, as in Uniswap V2's getAmountOut; a loop calling `balanceOf`
 * each round), compiled with solc-js.
 */
import { analyzeCode } from '../src/analyze/index.js';
import { compileSolidity } from '../src/input/compile.js';
import { Interface } from '@ethersproject/abi';

// Slots: zeroSeen 0, paid 1, reserve 2.
const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Pool {
  mapping(address => uint256) public zeroSeen;
  mapping(address => uint256) public paid;
  uint256 public reserve;
  function note(uint256 y) internal { if (y == 0) zeroSeen[msg.sender] = 1; }
  function quote(uint256 y) external { require(y > 0, "liquidity"); note(y); paid[msg.sender] = y; }
  function quoteNe(uint256 y) external { require(y != 0, "liquidity"); note(y); paid[msg.sender] = y; }
  function unchecked_(uint256 y) external { note(y); paid[msg.sender] = y; }
  // The earlier check is on storage: an external call in between may change it, so it decides nothing later.
  function stored() external { require(reserve > 0, "liquidity"); note(reserve); paid[msg.sender] = 1; }
  // The same call in each round (one call id): the second result is another value than the first one checked.
  function drain(IToken t) external {
    for (uint256 i = 0; i < 2; i++) {
      uint256 b = t.balanceOf(address(this));
      if (i == 0) require(b > 0, "empty");
      else note(b);
      t.take();
    }
  }
}
interface IToken { function balanceOf(address) external view returns (uint256); function take() external; }`;

const [pool] = compileSolidity({ 'Pool.sol': SOURCE }).filter((c) => c.name === 'Pool');
const analysis = analyzeCode(pool!.runtime, { abi: pool!.abi });
const iface = new Interface(pool!.abi ?? []);
const writes = (name: string) => {
  const f = analysis.functions.find((x) => x.selector === iface.getSighash(name));
  if (!f) throw new Error(`no footprint for ${name}`);
  return f.writes.map((w) => w.text);
};
const ZERO_SEEN = 'keccak(caller . 0x0)';
const PAID = 'keccak(caller . 0x1)';

test('after require(y > 0), the branch on y == 0 is not taken: its write is not in the footprint', () => {
  expect(writes('quote')).toContain(PAID);
  expect(writes('quote')).not.toContain(ZERO_SEEN);
});

test('the same after require(y != 0)', () => {
  expect(writes('quoteNe')).toContain(PAID);
  expect(writes('quoteNe')).not.toContain(ZERO_SEEN);
});

test('without the earlier check both sides stay', () => {
  expect(writes('unchecked_')).toEqual(expect.arrayContaining([PAID, ZERO_SEEN]));
});

test('a check on one execution of a call decides nothing about the next execution of the same call', () => {
  expect(writes('drain')).toContain(ZERO_SEEN);
});

test('a check on storage decides nothing later (storage is not a stable value)', () => {
  expect(writes('stored')).toEqual(expect.arrayContaining(['keccak(caller . 0x1)', ZERO_SEEN]));
});
