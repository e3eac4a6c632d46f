/**
 * `prescient analyze` as a user runs it (the compiled CLI in a child process): readable and JSON output, and one-line
 * errors with a non-zero exit for bad input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exampleContract } from './helpers/examples.js';

const BIN = resolve(__dirname, '../bin/prescient.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
const dir = mkdtempSync(join(tmpdir(), 'prescient-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('prescient analyze', () => {
  test('a .sol example: readable report with key-level slots named by the layout', () => {
    const r = run('analyze', resolve(__dirname, '../examples/contracts/Token.sol'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('transfer(address,uint256)');
    expect(r.stdout).toMatch(/write {2}balanceOf\[caller\]/);
  });

  test('the header counts every entry --json and table count, and says which one it does not list', () => {
    const sol = resolve(__dirname, '../examples/contracts/Token.sol');
    const text = run('analyze', sol);
    const json = run('analyze', sol, '--json');
    const table = run('table', sol);
    for (const r of [text, json, table]) expect(r.status).toBe(0);
    const fns: { selector: string; complete: boolean }[] = JSON.parse(json.stdout).contracts[0].functions;
    const complete = fns.filter((f) => f.complete).length;
    expect(fns.some((f) => f.selector === 'receive')).toBe(true);
    expect(text.stdout.split('\n')[0]).toContain(`, ${fns.length} entries (an empty receive not shown), ${complete} complete, `);
    expect(table.stdout).toContain(`(${fns.length} functions)`);
    // Listed: every entry but the empty receive.
    const listed = text.stdout.split('\n').filter((l) => /^(0x[0-9a-f]{8}|fallback|receive) /.test(l));
    expect(listed).toHaveLength(fns.length - 1);
    expect(listed.some((l) => l.startsWith('receive'))).toBe(false);
  });

  test('a transient slot never takes the name of the persistent variable at the same slot', () => {
    // Vault.sol: `status` (the persistent reentrancy lock) at slot 0; sweep's transient lock at transient slot 0.
    const r = run('analyze', resolve(__dirname, '../examples/contracts/Vault.sol'));
    expect(r.status).toBe(0);
    const sweep = r.stdout.split('\n\n').find((b) => / sweep\(\) /.test(b))!;
    expect(sweep).toMatch(/^ {4}read {3}0x0 \(transient\)$/m);
    expect(sweep).toMatch(/^ {4}write {2}0x0 \(transient\)$/m);
    expect(r.stdout).not.toMatch(/status .*\(transient\)/);
    // The persistent lock keeps its name.
    expect(r.stdout).toMatch(/write {2}status {2}= 0x0$/m);
  });

  test('hex runtime code with --json: the documented schema', () => {
    const token = exampleContract('Token');
    const hex = file('token.hex', '0x' + Buffer.from(token.runtime).toString('hex') + '\n');
    const abi = file('token.abi.json', JSON.stringify(token.abi));
    const r = run('analyze', hex, '--abi', abi, '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.schema).toBe('prescient/analyze@1');
    const fns = out.contracts[0].functions;
    for (const f of fns) {
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['selector', 'signature', 'mutability', 'reads', 'writes', 'calls', 'complete', 'diagnostics']));
      expect(f.selector).toMatch(/^(0x[0-9a-f]{8}|fallback|receive)$/);
    }
    expect(fns.find((f: { selector: string }) => f.selector === '0xa9059cbb').signature).toBe('transfer(address,uint256)');
  });

  test('truncated PUSH data at the end of the code is valid EVM and analyzes', () => {
    // PUSH1 0 SLOAD PUSH1 0 SSTORE, then PUSH32 with 2 of its 32 bytes
    const r = run('analyze', file('trunc.hex', '6000546000557fffff'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('fallback');
  });

  test('bytecode inline on the command line, and on standard input', () => {
    // PUSH1 0 SLOAD PUSH1 1 SSTORE STOP: reads slot 0, writes slot 1.
    const inline = run('analyze', '0x6000546001550000');
    expect(inline.status).toBe(0);
    expect(inline.stdout).toContain('(inline)');
    expect(inline.stdout).toMatch(/read {3}0x0\n {4}write {2}0x1/);
    const token = exampleContract('Token');
    const piped = spawnSync(process.execPath, [BIN, 'analyze', '-', '--json'], {
      encoding: 'utf8',
      timeout: 120_000,
      input: '0x' + Buffer.from(token.runtime).toString('hex') + '\n',
    });
    expect(piped.status).toBe(0);
    const out = JSON.parse(piped.stdout);
    expect(out.contracts[0].source).toBe('stdin');
    expect(out.contracts[0].functions.some((f: { selector: string }) => f.selector === '0xa9059cbb')).toBe(true);
    // Solidity on standard input compiles like a file.
    const sol = spawnSync(process.execPath, [BIN, 'analyze', '-'], {
      encoding: 'utf8',
      timeout: 120_000,
      input: readFileSync(resolve(__dirname, '../examples/contracts/Token.sol'), 'utf8'),
    });
    expect(sol.status).toBe(0);
    expect(sol.stdout).toContain('transfer(address,uint256)');
  });

  const bad: [string, () => string[], RegExp][] = [
    ['odd-length inline bytecode', () => ['analyze', '0x600'], /0x600 \(inline\).*odd/i],
    ['standard input twice', () => ['table', '-', '-'], /standard input/],
    ['non-hex characters', () => ['analyze', file('bad.hex', '0x60zz')], /bad\.hex/],
    ['odd length', () => ['analyze', file('odd.hex', '0x600')], /odd\.hex.*odd/i],
    ['empty code', () => ['analyze', file('empty.hex', '0x')], /empty\.hex.*empty/i],
    ['an artifact without deployed bytecode', () => ['analyze', file('iface.json', JSON.stringify({ contractName: 'I', abi: [], bytecode: '0x', deployedBytecode: '0x' }))], /iface\.json/],
    ['creation code where runtime code is expected', () => ['analyze', file('init.hex', Buffer.from(exampleContract('Token').creation).toString('hex'))], /init\.hex.*creation/i],
    ['a missing file', () => ['analyze', join(dir, 'nope.hex')], /nope\.hex/],
    ['an unknown option', () => ['analyze', '--frobnicate', 'x'], /frobnicate/],
    ['an unknown command', () => ['frobnicate'], /frobnicate/],
  ];
  test.each(bad)('%s: one line naming the input, non-zero exit', (_what, args, pattern) => {
    const r = run(...args());
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBeNull();
    const err = r.stderr.trim();
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toMatch(pattern);
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
  });
});
