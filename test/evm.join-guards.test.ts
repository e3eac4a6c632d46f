/**
 * Guards across joins (src/evm/machine.ts `enter`, `guardOf`): a helper reached by more paths than a program point
 * keeps apart (MAX_STATES_PER_POINT) joins them. Before, everything after a join was unconditional: the airdrop token's
 * `if (block.timestamp - start > 30 days && balances[this] > 0)` met its other paths at the `&&`, so every access of
 * its body was unconditional (a mainnet token of block 6137495 does this in its fallback). Now the joined word of
 * `a && b` is exact (`select`), and what holds on every path a joined (or stood-in-for) state represents still holds
 * after it. Fixture: a contract written for this case, compiled with solc-js; the guards are evaluated as a binder
 * does, against a storage and a timestamp.
 */
import { Interface } from '@ethersproject/abi';
import { analyzeCode } from '../src/analyze/index.js';
import { keccakWords } from '../src/chain/crypto.js';
import { compileSolidity } from '../src/input/compile.js';
import { applyOp } from '../src/hints/ops.js';
import type { Expr } from '../src/types.js';

// Slots: balances 0, supply 1, touched 2, start 3, bonus 4. Four paths reach burnIdle (touched or not, x > 10 or not).
const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Airdrop {
  mapping(address => uint256) public balances;
  uint256 public supply;
  mapping(address => bool) public touched;
  uint256 public start;
  uint256 public bonus;
  function claim(uint256 x) external {
    if (!touched[msg.sender]) { touched[msg.sender] = true; balances[msg.sender] += 5; }
    if (x > 10) { bonus += 1; }
    burnIdle();
  }
  function burnIdle() internal {
    if (block.timestamp - start > 30 days && balances[address(this)] > 0) {
      supply -= balances[address(this)];
      balances[address(this)] = 0;
    }
  }
}`;

const SELF = 0xa1n;
const CALLER = 0xc0ffeen;
const balanceSlot = (who: bigint) => keccakWords([who, 0n]);

/** A guard condition's value for one call, as a binder computes it (storage before the call). */
function evaluate(e: Expr, env: Record<string, bigint>, storage: Map<bigint, bigint>, data: Buffer): bigint | null {
  const ev = (x: Expr) => evaluate(x, env, storage, data);
  switch (e.k) {
    case 'const':
      return BigInt(e.v);
    case 'env':
      return env[e.name] ?? null;
    case 'cd':
      return BigInt('0x' + Buffer.concat([data, Buffer.alloc(32)]).subarray(e.off, e.off + 32).toString('hex'));
    case 'sload': {
      const s = ev(e.slot);
      return s === null ? null : storage.get(s) ?? 0n;
    }
    case 'keccak': {
      const ws = e.words.map(ev);
      return ws.some((w) => w === null) ? null : keccakWords(ws as bigint[], e.size);
    }
    case 'op': {
      const args = e.args.map(ev);
      return args.some((a) => a === null) ? null : applyOp(e.op, args as bigint[]) ?? null;
    }
    default:
      return null;
  }
}

/** Is some alternative of `guards` possible (no condition known false)? Null guards: always. */
const live = (guards: Expr[][] | undefined | null, val: (e: Expr) => bigint | null) =>
  !guards || guards.some((alt) => alt.every((c) => val(c) !== 0n));

describe('guards survive joins: the airdrop token', () => {
  const [c] = compileSolidity({ 'Airdrop.sol': SOURCE }).filter((x) => x.name === 'Airdrop');
  const iface = new Interface(c!.abi ?? []);
  const fp = analyzeCode(c!.runtime, { abi: c!.abi }).functions.find((f) => f.selector === iface.getSighash('claim'))!;
  const supplyRead = fp.reads.find((r) => r.text === '0x1')!;
  const supplyWrite = fp.writes.find((w) => w.text === '0x1')!;
  const selfWrite = fp.writes.find((w) => w.text === 'keccak(address . 0x0)')!;

  test('the body of `a && b` after the join keeps conditions', () => {
    expect(fp.complete).toBe(true);
    for (const a of [supplyRead, supplyWrite, selfWrite]) expect([a.text, a.guards?.length ?? 0]).not.toEqual([a.text, 0]);
  });

  // A fresh claimer and an old one, with x below and above 10: the four paths into burnIdle.
  const cases = [
    [false, 3n],
    [false, 20n],
    [true, 3n],
    [true, 20n],
  ] as const;
  const start = 1_700_000_000n;
  const month = 30n * 86400n;

  test.each(cases)('touched %s, x %s: predicted whenever the body runs; the read of supply not when nothing is left to burn', (touched, x) => {
    const data = Buffer.from(iface.encodeFunctionData('claim', [x]).slice(2), 'hex');
    const at = (now: bigint, reserve: bigint) => {
      const storage = new Map<bigint, bigint>([
        [3n, start],
        [1n, 10n ** 24n],
        [balanceSlot(SELF), reserve],
        [keccakWords([CALLER, 2n]), touched ? 1n : 0n],
      ]);
      const env = { TIMESTAMP: now, ADDRESS: SELF, CALLER, CALLVALUE: 0n, CALLDATASIZE: BigInt(data.length) };
      return (e: Expr) => evaluate(e, env, storage, data);
    };
    // The body runs: everything in it must be predicted (soundness).
    const runs = at(start + month + 1n, 10n ** 18n);
    for (const a of [supplyRead, supplyWrite, selfWrite]) expect([a.text, live(a.guards, runs)]).toEqual([a.text, true]);
    // Late, but nothing to burn: the joined `a && b` word is exact, so its test rules the read out (before, the test
    // was on an unknown and the read was unconditional).
    expect(live(supplyRead.guards, at(start + month + 1n, 0n))).toBe(false);
    // Not asserted: the writes after the checked subtraction, and everything when it is too early. Paths admitted
    // apart at a join keep only the conditions every joined path shares, and the time condition is not one of them.
  });
});
