// Holes in runtime code from compiler artifacts (immutables, unlinked libraries): found in every input shape at the
// compiler's offsets, and analysed as unknown values that name them, never as the constant 0 the artifact holds.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exprText } from '../analyzers/render.js';
import { analyzeCode } from '../src/analyze/index.js';
import { PrescientError } from '../src/errors.js';
import { compileStandard, loadContract, type CodeHole, type LoadedContract } from '../src/input/index.js';
import type { ContractAnalysis, FunctionFootprint } from '../src/types.js';

// An address immutable used as a call target and a uint immutable added to a mapping key (QA's reproduction).
const IMM = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
interface IT { function transfer(address, uint256) external returns (bool); }
contract Imm {
  address public immutable token;
  uint256 public immutable base;
  mapping(uint256 => uint256) public m;
  constructor(address t, uint256 b) { token = t; base = b; }
  function go(uint256 k, uint256 v) external { m[k + base] = v; IT(token).transfer(msg.sender, v); }
}
`;
// A contract calling an external library function: a DELEGATECALL to the library's address, linked after compilation.
const LIB = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
library L { function bump(uint256 x) external returns (uint256) { return x + 1; } }
contract U { uint256 public y; function g(uint256 x) external { y = L.bump(x); } }
`;

const GO = '0xf00a6d1b'; // go(uint256,uint256)
const G = '0xe420264a'; // g(uint256)
const TRANSFER = '0xa9059cbb';

const immOut = compileStandard({ 'Imm.sol': IMM });
const imm = immOut.contracts['Imm.sol'].Imm;
const immRefs: Record<string, { start: number; length: number }[]> = imm.evm.deployedBytecode.immutableReferences;
const libOut = compileStandard({ 'Lib.sol': LIB });
const u = libOut.contracts['Lib.sol'].U;
const linkStarts: number[] = u.evm.deployedBytecode.linkReferences['Lib.sol'].L.map((r: { start: number }) => r.start);
const placeholder: string = u.evm.deployedBytecode.object.match(/__\$[0-9a-f]{34}\$__/)[0];

/** The immutables' AST ids by name, from the compiler's own AST. */
function astId(name: string): string {
  const found: number[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (typeof n === 'object' && n !== null) {
      const o = n as Record<string, unknown>;
      if (o.nodeType === 'VariableDeclaration' && o.name === name && o.mutability === 'immutable') found.push(o.id as number);
      Object.values(o).forEach(walk);
    }
  };
  walk(immOut.sources['Imm.sol'].ast);
  if (found.length !== 1 || !(String(found[0]) in immRefs)) throw new Error(`no AST id for ${name}`);
  return String(found[0]);
}
const startsOf = (id: string) => immRefs[id]!.map((r) => r.start).sort((a, b) => a - b);

let dir: string;
const file = (name: string, content: string | object): string => {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'prescient-holes-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const analyze = (c: LoadedContract): ContractAnalysis => analyzeCode(c.runtime, { abi: c.abi, name: c.name, holes: c.holes });
const fn = (a: ContractAnalysis, sel: string): FunctionFootprint => {
  const f = a.functions.find((x) => x.selector === sel);
  if (!f) throw new Error(`no ${sel}`);
  return f;
};
const holeStarts = (holes: CodeHole[], what: (w: string) => boolean) => holes.filter((h) => what(h.what)).map((h) => h.start);

/** `go` no longer writes `m[k + 0]` nor calls 0x0: slot and target are unknown, named, and the function incomplete. */
function expectImmUnknown(a: ContractAnalysis, token: RegExp, base: RegExp): void {
  const go = fn(a, GO);
  expect(go.complete).toBe(false);
  expect(go.writes).toHaveLength(1);
  expect(go.writes[0]!.text).toMatch(base);
  expect(go.writes[0]!.text).not.toBe('keccak(arg0 . 0x0)');
  const call = go.calls.find((c) => c.selector === TRANSFER)!;
  expect(call.target!.k).not.toBe('const');
  expect(exprText(call.target!)).toMatch(token);
  expect(go.diagnostics.some((d) => d.code === 'unknown-call-target' && token.test(d.message))).toBe(true);
  expect(go.diagnostics.some((d) => d.code === 'unknown-slot' && base.test(d.message))).toBe(true);
  expect(a.diagnostics.some((d) => d.code === 'code-hole' && /4 hole/.test(d.message))).toBe(true);
}

/** `g` no longer delegatecalls 0x0: the target is unknown, named after the library, with a diagnostic. */
function expectLibUnknown(a: ContractAnalysis, what: string): void {
  const g = fn(a, G);
  const call = g.calls.find((c) => c.kind === 'DELEGATECALL')!;
  expect(call.target).toEqual({ k: 'unknown', why: what });
  expect(g.diagnostics.some((d) => d.code === 'unknown-call-target' && d.message.includes(`?(${what})`))).toBe(true);
  expect(a.diagnostics.some((d) => d.code === 'code-hole' && d.message.includes(`${what} at byte ${linkStarts.join(', ')}`))).toBe(true);
}

describe('immutables', () => {
  const named = { token: /\?\(immutable token\)/, base: /\?\(immutable base\)/ };

  test('solc standard output: immutableReferences, named from the AST', () => {
    // The raw solc standard-JSON output of Imm.sol (abi, deployedBytecode with immutableReferences, sources' ASTs).
    const c = loadContract(file('imm/solc-output.json', immOut), { contract: 'Imm' });
    expect(c.holes).toHaveLength(4);
    expect(holeStarts(c.holes, (w) => w === 'immutable token')).toEqual(startsOf(astId('token')));
    expect(holeStarts(c.holes, (w) => w === 'immutable base')).toEqual(startsOf(astId('base')));
    for (const h of c.holes) {
      expect(h.length).toBe(32);
      expect(c.runtime[h.start - 1]).toBe(0x7f); // the PUSH32 whose immediate it is
    }
    expectImmUnknown(analyze(c), named.token, named.base);
  });

  test('Hardhat build-info: the output inside it, named from output.sources', () => {
    // A Hardhat build-info file: { _format, solcVersion, input, output } around the same solc output.
    const c = loadContract(file('imm/build-info.json', { _format: 'hh-sol-build-info-1', solcVersion: '0.8.37', input: {}, output: immOut }), { contract: 'Imm' });
    expect(c.holes.map((h) => h.what).sort()).toEqual(['immutable base', 'immutable base', 'immutable token', 'immutable token']);
  });

  test('Foundry artifact: deployedBytecode.immutableReferences, with and without its AST', () => {
    // A Foundry out/Imm.sol/Imm.json: bytecode objects, immutableReferences inside deployedBytecode, the file's AST.
    const foundry = (ast: unknown) => ({
      abi: imm.abi,
      bytecode: { object: '0x' + imm.evm.bytecode.object, linkReferences: {} },
      deployedBytecode: { object: '0x' + imm.evm.deployedBytecode.object, linkReferences: {}, immutableReferences: immRefs },
      methodIdentifiers: imm.evm.methodIdentifiers,
      ...(ast ? { ast } : {}),
    });
    const c = loadContract(file('imm/out/Imm.sol/Imm.json', foundry(immOut.sources['Imm.sol'].ast)));
    expect(holeStarts(c.holes, (w) => w === 'immutable token')).toEqual(startsOf(astId('token')));
    expectImmUnknown(analyze(c), named.token, named.base);
    // Without an AST (QA's /tmp/qa/out/Imm.sol/Imm.json) the AST id names it.
    const bare = loadContract(file('imm/out/bare/Imm.json', foundry(null)));
    const id = astId('token');
    expect(holeStarts(bare.holes, (w) => w === `immutable (AST id ${id})`)).toEqual(startsOf(id));
    expectImmUnknown(analyze(bare), new RegExp(`\\?\\(immutable \\(AST id ${id}\\)\\)`), new RegExp(`\\?\\(immutable \\(AST id ${astId('base')}\\)\\)`));
  });

  test('Waffle artifact: evm.deployedBytecode.immutableReferences', () => {
    // One contract's solc output as Waffle writes it ({ abi, evm }), no AST: named by AST id.
    const c = loadContract(file('imm/waffle/Imm.json', { abi: imm.abi, evm: imm.evm }));
    expect(holeStarts(c.holes, (w) => w === `immutable (AST id ${astId('base')})`)).toEqual(startsOf(astId('base')));
    expect(c.holes).toHaveLength(4);
  });

  test('Truffle artifact: top-level immutableReferences', () => {
    // A Truffle build/contracts/Imm.json of a solc that reports immutableReferences (and no AST here).
    const c = loadContract(file('imm/build/contracts/Imm.json', { contractName: 'Imm', abi: imm.abi, bytecode: '0x' + imm.evm.bytecode.object, deployedBytecode: '0x' + imm.evm.deployedBytecode.object, immutableReferences: immRefs, ast: {} }));
    expect(c.holes.map((h) => h.start).sort((a, b) => a - b)).toEqual(Object.values(immRefs).flat().map((r) => r.start).sort((a, b) => a - b));
  });

  test('Hardhat artifact (no immutableReferences): every PUSH32 0 is a hole', () => {
    // A Hardhat artifacts/Imm.sol/Imm.json: hex strings, link references, no immutable references.
    const c = loadContract(file('imm/artifacts/Imm.sol/Imm.json', { _format: 'hh-sol-artifact-1', contractName: 'Imm', sourceName: 'Imm.sol', abi: imm.abi, bytecode: '0x' + imm.evm.bytecode.object, deployedBytecode: '0x' + imm.evm.deployedBytecode.object, linkReferences: {}, deployedLinkReferences: {} }));
    expect(c.holes.map((h) => h.start)).toEqual(Object.values(immRefs).flat().map((r) => r.start).sort((a, b) => a - b));
    for (const h of c.holes) expect(h.what).toBe(`immutable? (PUSH32 0 at pc ${h.start - 1}: a value set at deployment)`);
    const guess = /\?\(immutable\? \(PUSH32 0 at pc \d+/;
    expectImmUnknown(analyze(c), guess, guess);
  });

  test('hex runtime code: the same heuristic', () => {
    // The deployed bytecode as `cast`/solc --bin-runtime print it, one line of hex.
    const c = loadContract(file('imm/Imm.hex', '0x' + imm.evm.deployedBytecode.object + '\n'));
    expect(c.holes.map((h) => h.start)).toEqual(Object.values(immRefs).flat().map((r) => r.start).sort((a, b) => a - b));
    expectImmUnknown(analyze(c), /immutable\? /, /immutable\? /);
  });

  test('filled in and without holes (deployed code, as hints see it): constants, complete', () => {
    // Imm's runtime code with the constructor's work done: token = 0x1111…11, base = 7.
    const code = Uint8Array.from(Buffer.from(imm.evm.deployedBytecode.object, 'hex'));
    for (const r of immRefs[astId('token')]!) code.fill(0x11, r.start + 12, r.start + 32);
    for (const r of immRefs[astId('base')]!) code[r.start + 31] = 7;
    const a = analyzeCode(code, { abi: imm.abi });
    const go = fn(a, GO);
    expect(go.complete).toBe(true);
    expect(go.writes.map((w) => w.text)).toEqual(['keccak((arg0 + 0x7) . 0x0)']);
    expect(go.calls.find((c) => c.selector === TRANSFER)!.target).toEqual({ k: 'const', v: '0x' + '11'.repeat(20) });
    expect(a.diagnostics.some((d) => d.code === 'code-hole')).toBe(false);
  });

  test('analyzeCode reads code as it is unless told its holes', () => {
    // The unfilled code without holes: what the analysis saw before (0x0), so holes must come from the input.
    const code = Uint8Array.from(Buffer.from(imm.evm.deployedBytecode.object, 'hex'));
    const go = fn(analyzeCode(code, { abi: imm.abi }), GO);
    expect(exprText(go.calls.find((c) => c.selector === TRANSFER)!.target!)).toBe('0x0');
  });

  test('references outside the code are bad input', () => {
    // A Foundry artifact whose immutableReferences point past the end of its code.
    const bad = { abi: imm.abi, deployedBytecode: { object: '0x' + imm.evm.deployedBytecode.object, immutableReferences: { '1': [{ start: 100000, length: 32 }] } } };
    expect(() => loadContract(file('imm/bad/Imm.json', bad))).toThrow(PrescientError);
    expect(() => loadContract(file('imm/bad/Imm.json', bad))).toThrow(/immutableReferences\["1"\]: bytes 100000\.\.100031 lie outside the runtime code/);
  });
});

describe('unlinked libraries', () => {
  const lib = 'library Lib.sol:L (unlinked)';

  test('solc standard output: linkReferences name the library', () => {
    // The raw solc standard-JSON output of Lib.sol (U's deployedBytecode holds a __$…$__ placeholder).
    const c = loadContract(file('lib/solc-output.json', libOut), { contract: 'U' });
    expect(c.holes).toEqual(linkStarts.map((start) => ({ start, length: 20, what: 'library Lib.sol:L (unlinked)' })));
    for (const h of c.holes) expect(c.runtime[h.start - 1]).toBe(0x73); // PUSH20
    expectLibUnknown(analyze(c), lib);
  });

  test('Hardhat artifact: deployedLinkReferences', () => {
    // A Hardhat artifacts/Lib.sol/U.json with the placeholder in its hex and deployedLinkReferences.
    const c = loadContract(file('lib/artifacts/Lib.sol/U.json', { _format: 'hh-sol-artifact-1', contractName: 'U', sourceName: 'Lib.sol', abi: u.abi, bytecode: '0x' + u.evm.bytecode.object, deployedBytecode: '0x' + u.evm.deployedBytecode.object, linkReferences: {}, deployedLinkReferences: u.evm.deployedBytecode.linkReferences }));
    expect(c.holes).toEqual(linkStarts.map((start) => ({ start, length: 20, what: 'library Lib.sol:L (unlinked)' })));
    expectLibUnknown(analyze(c), lib);
  });

  test('hex with __$hash$__ placeholders (solc >= 0.5)', () => {
    // U's deployed bytecode as solc prints it unlinked, split over lines (the positions count hex digits only).
    const text = '0x' + u.evm.deployedBytecode.object;
    const c = loadContract(file('lib/U.hex', text.slice(0, 50) + '\n  ' + text.slice(50)));
    expect(c.holes).toEqual(linkStarts.map((start) => ({ start, length: 20, what: `unlinked library (placeholder ${placeholder})` })));
    expect(c.runtime.subarray(linkStarts[0]!, linkStarts[0]! + 20).every((x) => x === 0)).toBe(true);
    expectLibUnknown(analyze(c), `unlinked library (placeholder ${placeholder})`);
  });

  test('hex with old-style __Lib.sol:L____ placeholders (solc < 0.5, Truffle)', () => {
    // The same code with the old placeholder: the library's name padded with _ to 40 characters.
    const old = '__Lib.sol:L'.padEnd(40, '_');
    const c = loadContract(file('lib/U.old.hex', '0x' + u.evm.deployedBytecode.object.split(placeholder).join(old)));
    expect(c.holes).toEqual(linkStarts.map((start) => ({ start, length: 20, what: 'library Lib.sol:L (unlinked)' })));
    expectLibUnknown(analyze(c), lib);
  });
});

test('CODECOPY of a hole copies unknown bytes', () => {
  // Hand-written code: codecopy(0, 13, 32); sstore(mload(0), 1); stop; then 32 bytes of data that are a hole.
  const code = Uint8Array.from([0x60, 0x20, 0x60, 0x0d, 0x5f, 0x39, 0x5f, 0x51, 0x60, 0x01, 0x90, 0x55, 0x00, ...new Array(32).fill(0)]);
  const fallback = (a: ContractAnalysis) => fn(a, 'fallback');
  expect(fallback(analyzeCode(code)).writes.map((w) => w.text)).toEqual(['0x0']);
  const f = fallback(analyzeCode(code, { holes: [{ start: 13, length: 32, what: 'immutable x' }] }));
  expect(f.writes.map((w) => w.text)).toEqual(['?(immutable x)']);
  expect(f.complete).toBe(false);
});
