/**
 * Undecided loop rounds (src/evm/machine.ts `enter`): a command loop whose every round forks on a call result (a router
 * checking balances) keeps MAX_UNDECIDED_UNROLL rounds apart past the first, each round's states joined with each
 * other (the flags they differ in widened, the counters kept). Before, every state of a round took a unit of the
 * budget, so the third round was already joined with the first: the counter widened, and every later command was
 * explored as any command. Fixture: a contract written for this case, compiled with solc-js.
 */
import { Interface } from '@ethersproject/abi';
import { analyzeSpecialized } from '../src/analyze/index.js';
import { compileSolidity } from '../src/input/compile.js';
import { MAX_UNDECIDED_UNROLL } from '../src/evm/limits.js';
import type { Inputs } from '../src/evm/facts.js';

// Slots: done 0. `i` and `j` count rounds; `last` is a flag that differs between the two sides of each round's fork.
const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
interface IOracle { function ok(uint256) external view returns (bool); }
contract Exec {
  mapping(uint256 => uint256) public done;
  function run(bytes calldata cmds, IOracle o) external returns (uint256 last) {
    uint256 j = 7;
    for (uint256 i = 0; i < cmds.length; i++) {
      uint256 c = uint8(cmds[i]) + j;
      if (o.ok(i)) { done[c] = 1; last = 1; } else { done[c + 1000] = 1; last = 2; }
      j += 3;
    }
  }
}`;

test('a command loop that forks on a call result every round: each round takes one unit of the undecided budget, not one per fork', () => {
  const [c] = compileSolidity({ 'Exec.sol': SOURCE }).filter((x) => x.name === 'Exec');
  const iface = new Interface(c!.abi ?? []);
  const sel = iface.getSighash('run') as `0x${string}`;
  // The first round is a first visit; each later one, and the final check that leaves the loop, takes one unit.
  const rounds = MAX_UNDECIDED_UNROLL;
  const cmds = Array.from({ length: rounds }, (_, k) => 5 + k);
  const data = Buffer.from(iface.encodeFunctionData('run', [Uint8Array.from(cmds), '0x' + '0b'.repeat(20)]).slice(2), 'hex');
  const padded = Buffer.concat([data, Buffer.alloc(64)]);
  const inputs: Inputs = {
    word: (off) => (off < BigInt(data.length) ? BigInt('0x' + padded.subarray(Number(off), Number(off) + 32).toString('hex')) : 0n),
    size: BigInt(data.length),
    env: (name) => (name === 'CALLER' ? 0x999n : name === 'CALLVALUE' ? 0n : null),
  };
  const { fp } = analyzeSpecialized(c!.runtime, sel, false, inputs);
  // Each round's two keys, from its command byte (calldata byte 100 + k, the first one named as argument 3's word)
  // and its own j (7 + 3k), both exact; before, rounds past the second were only there widened.
  const named = new Set(fp.writes.map((w) => w.text));
  for (let k = 0; k < rounds; k++) {
    const cmd = k === 0 ? 'arg3' : `calldata[${100 + k}]`;
    expect(named).toContain(`keccak(((${cmd} >> 0xf8) + 0x${(7 + 3 * k).toString(16)}) . 0x0)`);
    expect(named).toContain(`keccak(((${cmd} >> 0xf8) + 0x${(1007 + 3 * k).toString(16)}) . 0x0)`);
  }
}, 120_000);
