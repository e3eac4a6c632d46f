/**
 * Path conditions (guards), commutative-update (delta) claims and memory behind a widened free-memory pointer, on a
 * small contract written for these cases (compiled here with solc-js, optimizer on, as the examples are).
 */
import { analyzeCode } from '../src/analyze/index.js';
import { compileSolidity } from '../src/input/compile.js';
import { exprText } from '../analyzers/render.js';
import type { ContractAnalysis, FunctionFootprint, StorageAccess } from '../src/types.js';

// Slots: balanceOf 0, allowance 1, count 2, reg 3, open and admin 4 (packed), operator 5.
const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Cases {
  mapping(address => uint256) public balanceOf;
  mapping(address => mapping(address => uint256)) public allowance;
  uint256 public count;
  mapping(bytes32 => uint256) public reg;
  bool public open;
  address public admin;
  address public operator;
  event Moved(address indexed who, uint256 balance);

  // Checked debit and credit: both commute (the old values feed only the writes and the wrap checks).
  function transfer(address to, uint256 v) external { balanceOf[msg.sender] -= v; balanceOf[to] += v; }
  // The debited balance is logged: the debit does not commute.
  function transferLogged(address to, uint256 v) external {
    balanceOf[msg.sender] -= v; balanceOf[to] += v; emit Moved(msg.sender, balanceOf[msg.sender]);
  }
  // A condition on the balance other than the wrap check: the debit does not commute, the credit still does.
  function transferIfRich(address to, uint256 v) external {
    require(balanceOf[msg.sender] > 2 * v); balanceOf[msg.sender] -= v; balanceOf[to] += v;
  }
  function bump() external { count += 1; }
  function drop() external { count -= 1; }
  // The allowance is spent only when someone else's tokens move; the balances move on both paths.
  function take(address from, uint256 v) external {
    if (from != msg.sender) allowance[from][msg.sender] -= v;
    balanceOf[from] -= v; balanceOf[msg.sender] += v;
  }
  // A loop that allocates memory widens the free-memory pointer; the packed key after it must still be exact.
  function afterLoop(address a, address b, uint256 n) external view returns (uint256 s) {
    for (uint256 i = 0; i < n; i++) { bytes memory t = new bytes(32); s += t.length; }
    s += reg[keccak256(abi.encodePacked(a, b))];
  }
  // Short-circuit \`a || b || c\` whose first operand a binder knows (the block's time): once it is past, neither the
  // flag nor the roles are read.
  function gated() external { require(openNow() || msg.sender == admin || msg.sender == operator); count += 1; }
  function openNow() internal view returns (bool) { return block.timestamp > 1700000000 || open; }
}`;

let a: ContractAnalysis;
beforeAll(() => {
  const [c] = compileSolidity({ 'Cases.sol': SOURCE }).filter((x) => x.name === 'Cases');
  a = analyzeCode(c!.runtime, { abi: c!.abi, storageLayout: c!.storageLayout });
}, 120_000);

const fn = (sig: string): FunctionFootprint => {
  const f = a.functions.find((x) => x.signature === sig);
  if (!f) throw new Error(`no ${sig}`);
  return f;
};
const write = (f: FunctionFootprint, text: string): StorageAccess => {
  const w = f.writes.find((x) => x.text === text);
  if (!w) throw new Error(`${f.signature}: no write ${text} in ${f.writes.map((x) => x.text).join(', ')}`);
  return w;
};
const guardTexts = (acc: { guards?: unknown }) => ((acc.guards ?? []) as any[][]).map((alt) => alt.map((c) => exprText(c)));

describe('delta claims are made only where the old value feeds nothing but the write and its wrap check', () => {
  test('checked transfer: debit and credit commute', () => {
    const f = fn('transfer(address,uint256)');
    expect(write(f, 'keccak(caller . 0x0)').delta).toBe('sub');
    expect(write(f, 'keccak(address(arg0) . 0x0)').delta).toBe('add');
  });
  test('a logged balance is not a delta', () => {
    const f = fn('transferLogged(address,uint256)');
    expect(write(f, 'keccak(caller . 0x0)').delta).toBeUndefined();
  });
  test('a condition other than the wrap check disqualifies the debit only', () => {
    const f = fn('transferIfRich(address,uint256)');
    expect(write(f, 'keccak(caller . 0x0)').delta).toBeUndefined();
    expect(write(f, 'keccak(address(arg0) . 0x0)').delta).toBe('add');
  });
  test('checked ++ and -- of a counter commute', () => {
    expect(write(fn('bump()'), '0x2').delta).toBe('add');
    expect(write(fn('drop()'), '0x2').delta).toBe('sub');
  });
});

describe('guards: the branch conditions under which an access happens', () => {
  const eq = /caller == address\(arg0\)|address\(arg0\) == caller/;
  const isEq = (c: string) => eq.test(c) && !c.startsWith('iszero(');
  const isNe = (c: string) => eq.test(c) && c.startsWith('iszero(');
  test('the allowance is spent only when from != caller', () => {
    const f = fn('take(address,uint256)');
    const allowance = f.writes.find((w) => w.text.startsWith('keccak(caller . keccak(address(arg0)'))!;
    expect(allowance).toBeDefined();
    const alts = guardTexts(allowance);
    expect(alts.length).toBeGreaterThan(0);
    // Every path to the write took the \`from != msg.sender\` branch, none the other.
    for (const alt of alts) {
      expect(alt.some(isNe)).toBe(true);
      expect(alt.some(isEq)).toBe(false);
    }
  });
  test('the balances move on both branches: their alternatives cover from == caller and from != caller', () => {
    const f = fn('take(address,uint256)');
    for (const text of ['keccak(address(arg0) . 0x0)', 'keccak(caller . 0x0)']) {
      const alts = guardTexts(write(f, text));
      // Either unconditional as far as this branch goes, or one alternative per branch.
      const mentions = alts.filter((alt) => alt.some((c) => eq.test(c)));
      if (mentions.length === 0) continue;
      expect(alts.some((alt) => alt.some(isEq))).toBe(true);
      expect(alts.some((alt) => alt.some(isNe))).toBe(true);
    }
  });
});

describe('short-circuit operands', () => {
  // `x || y` leaves x on the stack across the jump that skips y: unless the jump settles it to 1, the test after the
  // join forks again, into a path that cannot happen and that shares its continuation with y's, so the reads after it
  // lost the condition that x was false.
  test('what is read only when the opening time has not passed is guarded by it on every path', () => {
    const f = fn('gated()');
    const notYet = 'iszero((timestamp > 0x6553f100))';
    for (const slot of ['0x4', '0x5']) {
      const r = f.reads.find((x) => x.text === slot);
      expect(r).toBeDefined();
      const alts = guardTexts(r!);
      expect(alts.length).toBeGreaterThan(0);
      for (const alt of alts) expect(alt).toContain(notYet);
    }
  });
});

describe('a path deduplicated into one state keeps the conditions of the others', () => {
  // Hand-assembled: three paths reach P. A (calldata[0] != 0) and B1 (calldata[0] == 0, sload(0x11) != 0) arrive
  // with 1, B2 (both zero) with 0, and only B2 reads 0xa after P. B1's state equals A's and is dropped: only A's
  // continuation stands for two paths, so B2's read keeps both of its conditions.
  //   00 PUSH1 0 CALLDATALOAD PUSH1 LA JUMPI   06 PUSH1 0x11 SLOAD PUSH1 LB1 JUMPI   0c PUSH1 0 PUSH1 P JUMP
  //   11 LB1: JUMPDEST PUSH1 1 PUSH1 P JUMP    17 LA: JUMPDEST PUSH1 1 PUSH1 P JUMP
  //   1d P: JUMPDEST PUSH1 LR JUMPI PUSH1 0x0a SLOAD STOP   25 LR: JUMPDEST STOP
  const CODE = '6000356017576011546011576000601d565b6001601d565b6001601d565b602557600a54005b00';
  test('the read after P is guarded by calldata[0] == 0 and sload(0x11) == 0', () => {
    const hand = analyzeCode(Uint8Array.from(Buffer.from(CODE, 'hex')));
    const fb = hand.functions.find((f) => f.selector === 'fallback')!;
    const r = fb.reads.find((x) => x.text === '0xa')!;
    expect(guardTexts(r)).toEqual([['iszero(sload(0x11))', 'iszero(calldata[0])']]);
  });
});

describe('memory behind a widened free-memory pointer', () => {
  test('a packed key hashed after a memory-allocating loop is exact', () => {
    const f = fn('afterLoop(address,address,uint256)');
    const texts = f.reads.map((r) => r.text);
    expect(texts.some((t) => t.includes('?'))).toBe(false);
    expect(texts.some((t) => t.includes('arg0') && t.includes('arg1') && t.includes('40 bytes'))).toBe(true);
  });
});
