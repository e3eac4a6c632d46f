/**
 * Inputs users really have, and the mistakes they make with them (found by a QA pass): standard-JSON inputs compiled
 * with their own settings, same-named contracts told apart by file, an ABI given to several contracts, inline hex that
 * is not hex, a `.sol` without contracts, a transaction without calldata or with another transaction's prestate, and
 * errors that name the block folder. Through the dispatcher in-process (test/helpers/cli.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, expectRejected, type Ran } from './helpers/cli.js';
import { compileStandard } from '../src/input/compile.js';
import { loadContracts } from '../src/input/load.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// A token-like contract whose code depends on the optimizer's runs (constant inlining) and on viaIR.
const TOKEN = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract T {
  mapping(address => uint256) public balanceOf;
  uint256 public total;
  function mint(address to, uint256 a) external { balanceOf[to] += a; total += a; }
  function move(address to, uint256 a) external { balanceOf[msg.sender] -= a; balanceOf[to] += a; }
}`;

let tmp: string;
/** A generated ERC20 block: its first transaction and its prestate serve the `hints --tx` cases. */
let block: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'prescient-cli-inputs-'));
  block = join(tmp, 'erc20');
  expect((await cli('gen', '--workload', 'erc20', '--txs', '3', '--users', '2', '--seed', '3', '--out', block)).code).toBe(0);
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('solc standard-JSON input keeps its settings', () => {
  const input = (settings: Record<string, unknown> | undefined) => {
    const path = join(tmp, `std-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify({ language: 'Solidity', sources: { 'T.sol': { content: TOKEN } }, ...(settings ? { settings } : {}) }));
    return path;
  };
  const built = (settings: Record<string, unknown>) =>
    hex(Buffer.from(compileStandard({ 'T.sol': TOKEN }, { settings }).contracts['T.sol'].T.evm.deployedBytecode.object, 'hex'));

  test('optimizer runs and the EVM version are those of the input', () => {
    const settings = { evmVersion: 'london', optimizer: { enabled: true, runs: 10000 } };
    const [c] = loadContracts(input(settings));
    expect(hex(c!.runtime)).toBe(built(settings));
    // Not what the defaults (cancun, 200 runs) give: the settings made a difference.
    const [d] = loadContracts(input({ optimizer: { enabled: true, runs: 200 } }));
    expect(hex(c!.runtime)).not.toBe(hex(d!.runtime));
  });

  test('no optimizer block means solc default (off), as solc compiles it', () => {
    const [c] = loadContracts(input(undefined));
    expect(hex(c!.runtime)).toBe(built({}));
    const [opt] = loadContracts(input({ optimizer: { enabled: true, runs: 200 } }));
    expect(c!.runtime.length).toBeGreaterThan(opt!.runtime.length);
  });

  test('viaIR is kept', () => {
    const [c] = loadContracts(input({ viaIR: true, optimizer: { enabled: true } }));
    expect(hex(c!.runtime)).toBe(built({ viaIR: true, optimizer: { enabled: true } }));
    const [legacy] = loadContracts(input({ optimizer: { enabled: true } }));
    expect(hex(c!.runtime)).not.toBe(hex(legacy!.runtime));
  });

  test('remappings resolve imports', () => {
    const path = join(tmp, 'remap.json');
    const base = 'pragma solidity ^0.8.20; contract Base { uint256 x; function set(uint256 v) external { x = v; } }';
    const top = 'pragma solidity ^0.8.20; import "oz/Base.sol"; contract Top is Base { function get() external view returns (uint256) { return x; } }';
    writeFileSync(
      path,
      JSON.stringify({ language: 'Solidity', sources: { 'lib/oz/Base.sol': { content: base }, 'Top.sol': { content: top } }, settings: { remappings: ['oz/=lib/oz/'] } }),
    );
    const names = loadContracts(path).map((c) => c.name);
    expect(names).toContain('Top');
  });

  test('a non-object settings field is refused', async () => {
    const path = join(tmp, 'bad-settings.json');
    writeFileSync(path, JSON.stringify({ language: 'Solidity', sources: { 'T.sol': { content: TOKEN } }, settings: 'fast' }));
    expectRejected(await cli('analyze', path), /bad-settings\.json: standard-JSON input: "settings" is not an object/);
  });
});

describe('.sol inputs', () => {
  beforeAll(() => {
    mkdirSync(join(tmp, 'amb'));
    writeFileSync(join(tmp, 'amb', 'A.sol'), 'pragma solidity ^0.8.20; contract X { uint256 a; function fa() external { a = 1; } }');
    writeFileSync(join(tmp, 'amb', 'B.sol'), 'pragma solidity ^0.8.20; import "./A.sol" as A; contract X { uint256 b; function fb() external { b = 2; } }\ncontract Y {}');
  });

  test('two contracts of one name: ambiguous by name, told apart by file:name', async () => {
    const b = join(tmp, 'amb', 'B.sol');
    expectRejected(await cli('analyze', b, '--contract', 'X'), /'X' is ambiguous: use file:name \(A\.sol:X, B\.sol:X\)/);
    const a = await cli('analyze', b, '--contract', 'A.sol:X', '--json');
    expect(a.code).toBe(0);
    const fa = JSON.parse(a.out).contracts[0].functions.map((f: any) => f.signature);
    expect(fa).toContain('fa()');
    expect(fa).not.toContain('fb()');
    const own = JSON.parse((await cli('analyze', b, '--contract', 'B.sol:X', '--json')).out).contracts[0].functions.map((f: any) => f.signature);
    expect(own).toContain('fb()');
    // Without --contract both are analysed, each named by its file.
    const all = JSON.parse((await cli('analyze', b, '--json')).out).contracts.map((c: any) => c.name);
    expect(all.sort()).toEqual(['A.sol:X', 'B.sol:X', 'Y']);
  });

  test('a .sol file without a contract says so', async () => {
    const p = join(tmp, 'empty.sol');
    writeFileSync(p, '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n');
    expectRejected(await cli('analyze', p), /empty\.sol: defines no contract/);
  });
});

describe('analyze: inline hex and --abi', () => {
  test('inline 0x and 0x60zz get the hex parser’s message, not "file not found"', async () => {
    expectRejected(await cli('analyze', '0x'), /0x \(inline\): empty bytecode/);
    expectRejected(await cli('analyze', '0x60zz'), /not hex bytecode: unexpected character 'z' at line 1, column 5/);
  });

  test('--abi with an input of several contracts asks which one it is for', async () => {
    const sol = join(tmp, 'two.sol');
    writeFileSync(sol, 'pragma solidity ^0.8.20; contract P { uint256 a; function f() external { a = 1; } } contract Q { uint256 b; function g() external { b = 1; } }');
    const abi = join(tmp, 'p.abi.json');
    writeFileSync(
      abi,
      JSON.stringify([
        { type: 'function', name: 'f', inputs: [], outputs: [], stateMutability: 'nonpayable' },
        { type: 'function', name: 'h', inputs: [], outputs: [], stateMutability: 'nonpayable' },
      ]),
    );
    expectRejected(await cli('analyze', sol, '--abi', abi), /--abi: .*two\.sol holds 2 contracts \(P, Q\): name the one the ABI is for with --contract/);
    const one = await cli('analyze', sol, '--abi', abi, '--contract', 'P');
    expect(one.code).toBe(0);
    expect(one.out).toMatch(/f\(\)/);
    // h() is in the ABI but not in P's dispatcher: listed, and said.
    const fns = JSON.parse((await cli('analyze', sol, '--abi', abi, '--contract', 'P', '--json')).out).contracts[0].functions;
    const diag = (sig: string) => fns.find((f: any) => f.signature === sig).diagnostics.map((d: any) => d.message).join('\n');
    expect(diag('h()')).toMatch(/h\(\) is in the ABI, but the code's dispatcher has no entry for it/);
    expect(diag('f()')).not.toMatch(/dispatcher/);
  });
});

describe('hints --tx', () => {
  let tx0: any;
  beforeAll(() => {
    tx0 = JSON.parse(readFileSync(join(block, 'block.json'), 'utf8')).transactions[0];
  });
  const write = (name: string, v: unknown) => {
    const p = join(tmp, name);
    writeFileSync(p, JSON.stringify(v));
    return p;
  };

  test('a transaction without input (or data) or value is refused, not bound as empty calldata', async () => {
    const { input, ...noInput } = tx0;
    expect(input.length).toBeGreaterThan(10);
    expectRejected(await cli('hints', '--tx', write('noinput.json', noInput), '--prestate', join(block, 'prestate.json')), /transactions\[0\]\.input: missing field/);
    const { value, ...noValue } = tx0;
    expectRejected(await cli('hints', '--tx', write('novalue.json', noValue), '--prestate', join(block, 'prestate.json')), /transactions\[0\]\.value: missing field/);
    // `data` (eth_sendTransaction's name) stands for `input`.
    const r = await cli('hints', '--tx', write('data.json', { ...noInput, data: input }), '--prestate', join(block, 'prestate.json'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).complete).toBe(true);
  });

  test('a prestate without the sender is another transaction’s', async () => {
    const pre = JSON.parse(readFileSync(join(block, 'prestate.json'), 'utf8'));
    delete pre[tx0.from.toLowerCase()];
    delete pre[tx0.from];
    expectRejected(await cli('hints', '--tx', write('tx0.json', tx0), '--prestate', write('nosender.json', pre)), /nosender\.json: has no account for the sender/);
  });

  test('a call to an address the prestate lacks is not claimed complete', async () => {
    const to = '0x' + '77'.repeat(20);
    const r = await cli('hints', '--tx', write('elsewhere.json', { ...tx0, to }), '--prestate', join(block, 'prestate.json'), '--json');
    expect(r.code).toBe(0);
    const h = JSON.parse(r.out);
    expect(h.complete).toBe(false);
    expect(h.diagnostics.map((d: any) => d.message).join('\n')).toMatch(new RegExp(`has no account ${to}: the call is bound as one to an account without code`));
    // The same transaction to its own contract, which the prestate holds, stays complete.
    expect(JSON.parse((await cli('hints', '--tx', write('own.json', tx0), '--prestate', join(block, 'prestate.json'), '--json')).out).complete).toBe(true);
  });
});

describe('block inputs', () => {
  test('a transaction the executor rejects is named with its folder', async () => {
    const dir = join(tmp, 'noinput-block');
    mkdirSync(dir);
    const b = JSON.parse(readFileSync(join(block, 'block.json'), 'utf8'));
    delete b.transactions[1].input;
    writeFileSync(join(dir, 'block.json'), JSON.stringify(b));
    writeFileSync(join(dir, 'prestate.json'), readFileSync(join(block, 'prestate.json')));
    expectRejected(await cli('run', dir, '--sequential'), new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/block\\.json: transactions\\[1\\]\\.input: missing field`));
  });

  test('a prestate kept in its JSON-RPC envelope is read like the bare one', async () => {
    const dir = join(tmp, 'envelope');
    mkdirSync(dir);
    writeFileSync(join(dir, 'block.json'), readFileSync(join(block, 'block.json')));
    const pre = JSON.parse(readFileSync(join(block, 'prestate.json'), 'utf8'));
    writeFileSync(join(dir, 'prestate.json'), JSON.stringify({ jsonrpc: '2.0', id: 1, result: pre }));
    const a = await cli('run', dir, '--sequential', '--json');
    const b = await cli('run', block, '--sequential', '--json');
    expect(a.code).toBe(0);
    const root = (r: Ran) => JSON.parse(r.out)[0]?.stateRoot ?? JSON.parse(r.out).stateRoot;
    expect(root(a)).toBe(root(b));
  });
});
