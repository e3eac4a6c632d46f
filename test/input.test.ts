// src/input: every input shape users have, and every bad input, on fixtures written into a temp dir from the
// compiled examples (each fixture is built below with a comment saying what it mimics).
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrescientError } from '../src/errors.js';
import { loadContracts, loadContract, parseHexCode, compileSolidity, looksLikeCreationCode, type LoadedContract } from '../src/input/index.js';
import { compileExamples } from './helpers/examples.js';
import { describeMainnet, mainnetBlocks } from './helpers/shared.js';
import { readFileSync } from 'node:fs';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

let dir: string;
const file = (name: string, content: string | object): string => {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
};

const examples = compileExamples();
const token = examples.get('Token')!;
const weth = examples.get('WETH')!;
const tokenLayoutRaw = {
  storage: token.storageLayout!.map((v, i) => ({ astId: i, contract: 'Token.sol:Token', label: v.label, offset: v.offset, slot: String(BigInt(v.slot)), type: `t_${v.label}` })),
  types: Object.fromEntries(token.storageLayout!.map((v) => [`t_${v.label}`, { label: v.type, encoding: 'inplace', numberOfBytes: '32' }])),
};
const IERC20_ABI = [{ type: 'function', name: 'totalSupply', inputs: [], outputs: [{ type: 'uint256', name: '' }], stateMutability: 'view' }];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'prescient-input-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectToken(c: LoadedContract, opts: { name?: string | null; layout?: boolean; creation?: boolean } = {}) {
  expect(hex(c.runtime)).toBe(hex(token.runtime));
  expect(c.abi).toEqual(token.abi);
  expect(c.methodIdentifiers?.['transfer(address,uint256)']).toBe('a9059cbb');
  if (opts.name !== undefined) expect(c.name).toBe(opts.name);
  if (opts.layout) expect(c.storageLayout).toEqual(token.storageLayout);
  if (opts.creation) expect(hex(c.creation!)).toBe(hex(token.creation));
}

function expectError(fn: () => unknown, code: string, input: string, message: RegExp) {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(PrescientError);
  const e = err as PrescientError;
  expect(e.code).toBe(code);
  expect(e.message.startsWith(input)).toBe(true);
  expect(e.message).toMatch(message);
  expect(e.message).not.toContain('\n');
}

describe('accepted inputs', () => {
  test('runtime hex with 0x', () => {
    // A file of runtime bytecode, as `cast code` prints it.
    const [c] = loadContracts(file('token.hex', `0x${hex(token.runtime)}\n`));
    expect(hex(c!.runtime)).toBe(hex(token.runtime));
    expect(c).toMatchObject({ name: null, abi: null, storageLayout: null, methodIdentifiers: null, creation: null });
  });

  test('runtime hex without 0x, wrapped and indented', () => {
    // Bytecode pasted from a block explorer into an editor that wrapped it.
    const lines = hex(token.runtime).match(/.{1,64}/g)!.map((l) => `  ${l}`);
    const c = loadContract(file('wrapped.txt', lines.join('\r\n') + '\n'));
    expect(hex(c.runtime)).toBe(hex(token.runtime));
  });

  test('a byte-order mark before hex or JSON is ignored', () => {
    // Files saved by Windows editors.
    expect(hex(loadContract(file('bom.hex', `\uFEFF0x${hex(token.runtime)}`)).runtime)).toBe(hex(token.runtime));
    const art = { _format: 'hh-sol-artifact-1', contractName: 'Token', abi: token.abi, bytecode: '0x', deployedBytecode: `0x${hex(token.runtime)}` };
    expect(loadContract(file('bom.json', `\uFEFF${JSON.stringify(art)}`)).name).toBe('Token');
  });

  test('truncated PUSH data at the end of code is valid', () => {
    // PUSH1 1, PUSH1 2, PUSH2 with one of its two bytes.
    const c = loadContract(file('truncated.hex', '0x60016002610a'));
    expect(hex(c.runtime)).toBe('60016002610a');
  });

  test('library link placeholders become the zero address', () => {
    // Unlinked bytecode as solc >= 0.5 (`__$hash$__`) and Truffle (`__Name___`) leave it.
    const solcStyle = `0x7300${'__$' + 'ab'.repeat(17) + '$__'}5b`;
    expect(hex(parseHexCode(solcStyle, 'x'))).toBe('7300' + '00'.repeat(20) + '5b');
    const truffleStyle = `73${'__SafeMath' + '_'.repeat(30)}00`;
    expect(hex(parseHexCode(truffleStyle, 'x'))).toBe('73' + '00'.repeat(20) + '00');
  });

  test('solc standard-JSON output: every contract with runtime code, interfaces skipped', () => {
    // `solc --standard-json` output for all examples (interfaces included, with empty bytecode).
    const out = { contracts: {} as Record<string, Record<string, any>> };
    for (const c of examples.values()) {
      out.contracts[c.file] ??= {};
      out.contracts[c.file]![c.name] = {
        abi: c.abi,
        evm: { bytecode: { object: hex(c.creation) }, deployedBytecode: { object: hex(c.runtime) }, methodIdentifiers: c.methodIdentifiers },
        storageLayout: c.name === 'Token' ? tokenLayoutRaw : { storage: [], types: null },
      };
    }
    out.contracts['Vault.sol']!.IVaultToken = { abi: IERC20_ABI, evm: { bytecode: { object: '' }, deployedBytecode: { object: '' } } };
    const p = file('solc-output.json', out);
    const all = loadContracts(p);
    expect(all.map((c) => c.name).sort()).toEqual([...examples.keys()].sort());
    const [t] = loadContracts(p, { contract: 'Token' });
    expectToken(t!, { name: 'Token', layout: true, creation: true });
    expect(loadContracts(p, { contract: 'Token.sol:Token' })[0]!.name).toBe('Token');
    expectError(() => loadContracts(p, { contract: 'IVaultToken' }), 'NO_BYTECODE', p, /contract IVaultToken has no deployed bytecode \(an interface or abstract contract\?\)/);
    expectError(() => loadContracts(p, { contract: 'Nope' }), 'BAD_OPTION', p, /no contract named 'Nope'/);
  });

  test('Hardhat build-info wraps standard-JSON output', () => {
    // artifacts/build-info/<hash>.json
    const p = file('build-info.json', {
      _format: 'hh-sol-build-info-1',
      solcVersion: '0.8.37',
      input: {},
      output: { contracts: { 'Token.sol': { Token: { abi: token.abi, evm: { deployedBytecode: { object: hex(token.runtime) } } } } } },
    });
    expectToken(loadContract(p), { name: 'Token' });
  });

  test('solc --combined-json output', () => {
    // `solc --combined-json abi,bin,bin-runtime,hashes Token.sol`
    const p = file('combined.json', {
      contracts: { 'Token.sol:Token': { abi: token.abi, bin: hex(token.creation), 'bin-runtime': hex(token.runtime), hashes: token.methodIdentifiers } },
      version: '0.8.37',
    });
    expectToken(loadContract(p), { name: 'Token', creation: true });
  });

  test('Waffle artifact (one contract of solc output)', () => {
    // build/Token.json as Waffle writes it.
    const p = file('waffle/Token.json', { abi: token.abi, evm: { bytecode: { object: hex(token.creation) }, deployedBytecode: { object: hex(token.runtime) } } });
    expectToken(loadContract(p), { name: 'Token', creation: true });
  });

  test('Hardhat artifact', () => {
    // artifacts/contracts/Token.sol/Token.json
    const p = file('hardhat/Token.json', {
      _format: 'hh-sol-artifact-1',
      contractName: 'Token',
      sourceName: 'contracts/Token.sol',
      abi: token.abi,
      bytecode: `0x${hex(token.creation)}`,
      deployedBytecode: `0x${hex(token.runtime)}`,
      linkReferences: {},
      deployedLinkReferences: {},
    });
    expectToken(loadContract(p), { name: 'Token', creation: true });
  });

  test('Foundry artifact with storage layout; named by metadata, else by file', () => {
    // out/Token.sol/Token.json from `forge build --extra-output storageLayout`
    const art = {
      abi: token.abi,
      bytecode: { object: `0x${hex(token.creation)}`, sourceMap: '', linkReferences: {} },
      deployedBytecode: { object: `0x${hex(token.runtime)}`, sourceMap: '', linkReferences: {}, immutableReferences: {} },
      methodIdentifiers: token.methodIdentifiers,
      storageLayout: tokenLayoutRaw,
      metadata: { settings: { compilationTarget: { 'src/Token.sol': 'Token' } } },
      id: 3,
    };
    expectToken(loadContract(file('foundry/Token.sol/Token.json', art)), { name: 'Token', layout: true, creation: true });
    const { metadata: _m, ...noMeta } = art;
    expect(loadContract(file('foundry/MyToken.json', noMeta)).name).toBe('MyToken');
  });

  test('Truffle artifact with an unlinked library placeholder', () => {
    // build/contracts/Token.json; Truffle keeps `__Lib___` placeholders until deployment.
    const runtime = `0x${hex(token.runtime)}73${'__MathLib' + '_'.repeat(31)}`;
    const p = file('truffle/Token.json', { contractName: 'Token', abi: token.abi, bytecode: `0x${hex(token.creation)}`, deployedBytecode: runtime, networks: {} });
    const c = loadContract(p);
    expect(c.name).toBe('Token');
    expect(hex(c.runtime)).toBe(hex(token.runtime) + '73' + '00'.repeat(20));
    expect(c.methodIdentifiers?.['approve(address,uint256)']).toBe('095ea7b3');
  });

  test('a .sol file, with a relative import, compiled with the bundled solc', () => {
    // A user's own contract importing a sibling file.
    file('sol/Base.sol', '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\ncontract Base { uint256 public base; function setBase(uint256 v) external { base = v; } }\n');
    const p = file('sol/Child.sol', '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\nimport "./Base.sol";\ncontract Child is Base { mapping(address => uint256) public m; function put(uint256 v) external { m[msg.sender] = v; } }\ninterface IChild { function put(uint256) external; }\n');
    const all = loadContracts(p);
    expect(all.map((c) => c.name).sort()).toEqual(['Base', 'Child']);
    const child = loadContract(p, { contract: 'Child' });
    expect(Object.keys(child.methodIdentifiers!).sort()).toEqual(['base()', 'm(address)', 'put(uint256)', 'setBase(uint256)']);
    expect(child.storageLayout?.map((v) => v.label)).toEqual(['base', 'm']);
    expect(child.creation).not.toBeNull();
    expect(looksLikeCreationCode(child.runtime)).toBe(false);
  });

  test('solc standard-JSON input is compiled', () => {
    // The `--standard-json` input a build tool would send.
    const p = file('std-input.json', {
      language: 'Solidity',
      sources: { 'W.sol': { content: '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\ncontract W { uint256 x; function f() external { x++; } }' } },
      settings: { optimizer: { enabled: false } },
    });
    expect(loadContract(p).name).toBe('W');
  });

  test('--abi gives an ABI to hex input (an ABI array or an artifact)', () => {
    const code = file('abi-me.hex', hex(weth.runtime));
    // A plain JSON ABI file.
    const abiFile = file('weth.abi.json', weth.abi);
    const c = loadContract(code, { abiPath: abiFile });
    expect(c.abi).toEqual(weth.abi);
    expect(c.methodIdentifiers?.['withdraw(uint256)']).toBe('2e1a7d4d');
    // A Hardhat artifact used only for its ABI.
    const art = file('hardhat/WETH.json', { _format: 'hh-sol-artifact-1', contractName: 'WETH', abi: weth.abi, bytecode: '0x', deployedBytecode: '0x' });
    expect(loadContract(code, { abiPath: art }).abi).toEqual(weth.abi);
  });

  test('compileSolidity is memoized per source', () => {
    const src = { 'M.sol': 'pragma solidity ^0.8.20; contract M { function f() external pure returns (uint) { return 1; } }' };
    const t0 = Date.now();
    compileSolidity(src, { optimize: false });
    const first = Date.now() - t0;
    const t1 = Date.now();
    const again = compileSolidity(src, { optimize: false });
    expect(Date.now() - t1).toBeLessThanOrEqual(Math.max(5, first));
    expect(again[0]!.name).toBe('M');
  });
});

describe('bad inputs are one-line PrescientErrors naming the input', () => {
  test('non-hex characters, with their position', () => {
    const p = file('bad.hex', '0x6080\n60zz');
    expectError(() => loadContracts(p), 'BAD_HEX', p, /unexpected character 'z' at line 2, column 3/);
  });

  test('odd length', () => {
    const p = file('odd.hex', '0x608060405');
    expectError(() => loadContracts(p), 'BAD_HEX', p, /odd number of hex digits \(9\)/);
  });

  test('empty code', () => {
    for (const [name, text] of [['empty.hex', ''], ['just0x.hex', '0x\n']]) {
      const p = file(name!, text!);
      expectError(() => loadContracts(p), 'EMPTY_CODE', p, /empty bytecode/);
    }
  });

  test('creation code where runtime code is expected', () => {
    // The `bytecode` field pasted instead of `deployedBytecode`.
    const p = file('creation.hex', `0x${hex(token.creation)}`);
    expectError(() => loadContracts(p), 'CREATION_CODE', p, /looks like creation \(init\) code; pass the deployed\/runtime bytecode/);
    // Code compiled through Yul (via-IR) is laid out differently; the heuristic holds there too.
    const [viaIr] = compileSolidity({ 'V.sol': 'pragma solidity ^0.8.20; contract V { uint256 x; constructor(uint256 a) { x = a; } function f(uint256 y) external { x += y; } }' }, { viaIR: true, optimize: false });
    expect(looksLikeCreationCode(viaIr!.creation!)).toBe(true);
    expect(looksLikeCreationCode(viaIr!.runtime)).toBe(false);
    // An EIP-1167 minimal-proxy init code (not solc): copies itself and returns.
    expect(looksLikeCreationCode(parseHexCode('3d602d80600a3d3981f3363d3d373d3d3d363d73' + '11'.repeat(20) + '5af43d82803e903d91602b57fd5bf3', 'x'))).toBe(true);
    // And its runtime is runtime.
    expect(looksLikeCreationCode(parseHexCode('363d3d373d3d3d363d73' + '11'.repeat(20) + '5af43d82803e903d91602b57fd5bf3', 'x'))).toBe(false);
    // An artifact whose deployedBytecode field holds init code.
    const q = file('swapped.json', { _format: 'hh-sol-artifact-1', contractName: 'Token', abi: token.abi, bytecode: '0x', deployedBytecode: `0x${hex(token.creation)}` });
    expectError(() => loadContracts(q), 'CREATION_CODE', q, /looks like creation \(init\) code/);
  });

  test('an artifact without deployed bytecode (an interface)', () => {
    // A Hardhat artifact of an interface.
    const p = file('hardhat/IERC20.json', { _format: 'hh-sol-artifact-1', contractName: 'IERC20', abi: IERC20_ABI, bytecode: '0x', deployedBytecode: '0x' });
    expectError(() => loadContracts(p), 'NO_BYTECODE', p, /contract IERC20 has no deployed bytecode \(an interface or abstract contract\?\)/);
    // Standard-JSON output holding interfaces only.
    const q = file('ifaces.json', { contracts: { 'I.sol': { IA: { abi: IERC20_ABI, evm: { deployedBytecode: { object: '' } } }, IB: { abi: [], evm: { deployedBytecode: { object: '' } } } } } });
    expectError(() => loadContracts(q), 'NO_BYTECODE', q, /no contract with deployed bytecode .*IA, IB/);
    // Output compiled without deployedBytecode in the selection.
    const r = file('abi-only-output.json', { contracts: { 'T.sol': { T: { abi: token.abi } } } });
    expectError(() => loadContracts(r), 'NO_BYTECODE', r, /no deployedBytecode field/);
    const r2 = file('abi-only-output2.json', { contracts: { 'T.sol': { T: { abi: token.abi }, U: { abi: [] } } } });
    expectError(() => loadContracts(r2), 'NO_BYTECODE', r2, /has no deployedBytecode \(was evm.deployedBytecode selected\?\)/);
  });

  test('a bare ABI, or JSON of no known shape', () => {
    const p = file('only.abi.json', token.abi);
    expectError(() => loadContracts(p), 'NO_BYTECODE', p, /JSON ABI without bytecode; pass the bytecode and give the ABI with --abi/);
    const q = file('other.json', { hello: 'world' });
    expectError(() => loadContracts(q), 'BAD_INPUT', q, /unrecognised JSON/);
  });

  test('a missing file, a missing --abi file, unreadable JSON', () => {
    const missing = join(dir, 'nope.hex');
    expectError(() => loadContracts(missing), 'FILE_NOT_FOUND', missing, /not found/);
    const code = file('ok.hex', hex(token.runtime));
    const noAbi = join(dir, 'nope.abi.json');
    expectError(() => loadContracts(code, { abiPath: noAbi }), 'FILE_NOT_FOUND', noAbi, /ABI file not found/);
    const p = file('broken.json', '{"abi": [,]}');
    expectError(() => loadContracts(p), 'BAD_JSON', p, /unreadable JSON/);
  });

  test('a .sol file that does not compile: the first compiler error', () => {
    const p = file('Broken.sol', '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\ncontract Broken {\n  function f() external { uint x = 1 }\n}\n');
    expectError(() => loadContracts(p), 'COMPILE_FAILED', p, /ParserError: Expected ';' but got '}' \(Broken\.sol:4:38\)/);
    const q = file('Typo.sol', '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\ncontract T { function f() external { undefinedThing(); } }\n');
    expectError(() => loadContracts(q), 'COMPILE_FAILED', q, /DeclarationError: Undeclared identifier/);
    const r = file('MissingImport.sol', '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\nimport "./Nowhere.sol";\ncontract T {}\n');
    expectError(() => loadContracts(r), 'COMPILE_FAILED', r, /Nowhere\.sol/);
  });

  test('--contract naming a contract that is not there', () => {
    const p = file('hardhat2/Token.json', { _format: 'hh-sol-artifact-1', contractName: 'Token', abi: token.abi, bytecode: '0x', deployedBytecode: `0x${hex(token.runtime)}` });
    expectError(() => loadContracts(p, { contract: 'WETH' }), 'BAD_OPTION', p, /holds contract 'Token', not 'WETH'/);
  });
});

describeMainnet('creation-code detection on real runtime code', () => {
  test('no deployed contract in the mainnet prestates looks like init code', () => {
    // Every distinct code in ../shared/data/mainnet (~1,900 contracts, 2017-2024 compilers, Vyper, hand-written).
    const seen = new Set<string>();
    const flagged: string[] = [];
    for (const dirPath of mainnetBlocks()) {
      const pre = JSON.parse(readFileSync(join(dirPath, 'prestate.json'), 'utf8')) as Record<string, { code?: string }>;
      for (const [addr, acct] of Object.entries(pre)) {
        if (!acct.code || acct.code === '0x' || seen.has(acct.code)) continue;
        seen.add(acct.code);
        if (looksLikeCreationCode(parseHexCode(acct.code, addr))) flagged.push(addr);
      }
    }
    expect(seen.size).toBeGreaterThan(1000);
    expect(flagged).toEqual([]);
  });
});
