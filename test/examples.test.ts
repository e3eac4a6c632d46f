// The example contracts (examples/contracts): each compiles on its own with the bundled solc (cancun), without
// warnings beyond the documented one (unoptimized here: the optimizer adds no warnings and doubles the time), exposes the functions the workloads and analyzer tests rely on, and has the
// storage layout its header comment promises.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileSolidity, compileWarnings } from '../src/input/compile.js';
import { looksLikeCreationCode } from '../src/input/creation.js';
import { compileExamples, examplesDir, EXAMPLE_NAMES } from './helpers/examples.js';

const dir = examplesDir();
const files = readdirSync(dir).filter((f) => f.endsWith('.sol')).sort();

// The only accepted warning: Vault.sweep's transient reentrancy guard, which solc flags for every TSTORE in assembly.
const ACCEPTED_WARNINGS = [/Transient storage as defined by EIP-1153/];

const EXPECTED: Record<string, string[]> = {
  Token: [
    'transfer(address,uint256)',
    'transferFrom(address,address,uint256)',
    'approve(address,uint256)',
    'balanceOf(address)',
    'allowance(address,address)',
    'totalSupply()',
    'mint(address,uint256)',
    'burn(uint256)',
    'decimals()',
    'owner()',
  ],
  WETH: ['deposit()', 'withdraw(uint256)', 'transfer(address,uint256)', 'transferFrom(address,address,uint256)', 'approve(address,uint256)', 'totalSupply()'],
  Pair: ['swap(uint256,uint256,address,bytes)', 'mint(address)', 'burn(address)', 'sync()', 'skim(address)', 'getReserves()', 'token0()', 'token1()', 'initialize(address,address)'],
  Factory: ['getPair(address,address)', 'createPair(address,address)', 'allPairs(uint256)', 'allPairsLength()'],
  Router: [
    'swapExactTokensForTokens(uint256,uint256,address[],address,uint256)',
    'addLiquidity(address,address,uint256,uint256,uint256,uint256,address,uint256)',
    'removeLiquidity(address,address,uint256,uint256,uint256,address,uint256)',
    'getAmountsOut(uint256,address[])',
  ],
  Registry: ['register(uint256,uint32,uint256,string,uint64)', 'update(uint256,uint256)', 'setLabel(uint256,string)', 'remove(uint256)', 'note(bytes32)', 'popLog()', 'get(address,uint256)', 'idsOf(address,uint256)'],
  EIP1967Proxy: [],
  CounterVaultImpl: ['initialize(address)', 'increment()', 'incrementBy(uint256)', 'deposit()', 'withdraw(uint256)', 'count()', 'countOf(address)'],
  Vault: ['depositETH()', 'withdrawETH(uint256)', 'depositToken(uint256)', 'withdrawToken(uint256)', 'sweep()', 'nonce()', 'userNonce(address)', 'ping()'],
};

describe('example contracts', () => {
  test.each(files)('%s compiles alone for cancun without unexpected warnings', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text).toMatch(/pragma solidity \^0\.8\.20;/);
    expect(text).not.toMatch(/^import /m);
    const contracts = compileSolidity({ [file]: text }, { evmVersion: 'cancun', optimize: false });
    expect(contracts.length).toBeGreaterThan(0);
    const warnings = compileWarnings({ [file]: text }, { evmVersion: 'cancun', optimize: false });
    const unexpected = warnings.filter((w) => !ACCEPTED_WARNINGS.some((re) => re.test(w)));
    expect(unexpected).toEqual([]);
  });

  const all = compileExamples();

  test('all expected contracts have runtime code, creation code and a storage layout', () => {
    expect([...all.keys()].sort()).toEqual([...EXAMPLE_NAMES].sort());
    for (const c of all.values()) {
      expect(c.runtime.length).toBeGreaterThan(100);
      expect(looksLikeCreationCode(c.runtime)).toBe(false);
      expect(looksLikeCreationCode(c.creation)).toBe(true);
      expect(c.storageLayout).not.toBeNull();
    }
  });

  test.each(Object.entries(EXPECTED))('%s has the expected functions', (name, sigs) => {
    const c = all.get(name)!;
    for (const s of sigs) expect(Object.keys(c.methodIdentifiers!)).toContain(s);
  });

  const layout = (name: string) => new Map(all.get(name)!.storageLayout!.map((v) => [v.label, v]));
  const slot = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

  test('Token packs owner and decimals into slot 2', () => {
    const l = layout('Token');
    expect(l.get('owner')).toMatchObject({ slot: slot(2), offset: 0, type: 'address' });
    expect(l.get('decimals')).toMatchObject({ slot: slot(2), offset: 20, type: 'uint8' });
    expect(l.get('balanceOf')).toMatchObject({ slot: slot(4), type: 'mapping(address => uint256)' });
    expect(l.get('allowance')?.slot).toBe(slot(5));
  });

  test('Pair packs reserves like Uniswap V2 and has its lock at slot 10', () => {
    const l = layout('Pair');
    expect(l.get('reserve0')).toMatchObject({ slot: slot(6), offset: 0, type: 'uint112' });
    expect(l.get('reserve1')).toMatchObject({ slot: slot(6), offset: 14, type: 'uint112' });
    expect(l.get('blockTimestampLast')).toMatchObject({ slot: slot(6), offset: 28, type: 'uint32' });
    expect(l.get('unlocked')?.slot).toBe(slot(10));
    expect(layout('Factory').get('getPair')).toMatchObject({ slot: slot(2), type: 'mapping(address => mapping(address => address))' });
  });

  test('Registry packs address/uint64/bool/uint16 in slot 0 and has nested mappings and arrays', () => {
    const l = layout('Registry');
    expect(l.get('admin')).toMatchObject({ slot: slot(0), offset: 0 });
    expect(l.get('recordCount')).toMatchObject({ slot: slot(0), offset: 20, type: 'uint64' });
    expect(l.get('paused')).toMatchObject({ slot: slot(0), offset: 28, type: 'bool' });
    expect(l.get('feeBps')).toMatchObject({ slot: slot(0), offset: 29, type: 'uint16' });
    expect(l.get('records')?.type).toBe('mapping(address => mapping(uint256 => struct Registry.Record))');
    expect(l.get('idsOf')?.type).toBe('mapping(address => uint256[])');
    expect(l.get('log')).toMatchObject({ slot: slot(4), type: 'bytes32[]' });
  });

  test('the proxy has no sequential storage; the vault has its guard at slot 0', () => {
    expect(layout('EIP1967Proxy').size).toBe(0);
    const v = layout('Vault');
    expect(v.get('status')?.slot).toBe(slot(0));
    expect(v.get('nonce')?.slot).toBe(slot(1));
    expect(v.get('owner')).toMatchObject({ slot: slot(8), offset: 0 });
    expect(v.get('maxWithdrawPerCall')).toMatchObject({ slot: slot(8), offset: 20, type: 'uint96' });
  });
});
