import { join } from 'node:path';
import { loadBlockDir } from '../src/chain/load.js';
import { blockGraphReport } from '../src/graph/block.js';
import { graphForBlock } from '../src/graph/cli.js';
import {
  buildDependencyGraph,
  compareGraphs,
  criticalPath,
  hotSlots,
  nonceKey,
  storageKey,
  type DependencyGraph,
} from '../src/graph/graph.js';
import { contractInfo, StateNamer } from '../src/graph/names.js';
import { renderGraphHtml } from '../src/report/html.js';
import { renderGraphText } from '../src/report/text.js';
import { keccak256, selectorOf } from '../src/util/keccak.js';
import { A, at, chain, deltas, diamond, diamondTraces, fixtureBlock, independent, nonceChain, slot, tx } from './graph.fixtures.js';
import { MAINNET_DIR, describeMainnet } from './helpers/shared.js';

const pairs = (g: DependencyGraph) => g.edges.map((e) => `${e.from}>${e.to}`);
const strict = { strict: true };
const lax = { strict: false };
const lazy = { strict: false, lazySenders: true };

describe('buildDependencyGraph', () => {
  test('a chain: one edge per link, the critical path is the whole block (bound 1)', () => {
    const g = buildDependencyGraph(chain, lax);
    expect(pairs(g)).toEqual(['0>1', '1>2']);
    expect(g.edges[0]!.keys).toEqual([storageKey(A, slot(1))]);
    const cp = criticalPath(g);
    expect(cp.txs).toEqual([0, 1, 2]);
    expect(cp.gas).toBe(600);
    expect(cp.bound).toBe(1);
    expect(g.g.edgeCount()).toBe(2);
  });

  test('a diamond: the heavier branch is the critical path', () => {
    const g = buildDependencyGraph(diamond, lax);
    expect(pairs(g)).toEqual(['0>1', '0>2', '1>3', '2>3']);
    const cp = criticalPath(g);
    expect(cp.txs).toEqual([0, 1, 3]);
    expect(cp.gas).toBe(50);
    expect(cp.bound).toBeCloseTo(70 / 50);
    expect(cp.edges.map((e) => `${e.from}>${e.to}`)).toEqual(['0>1', '1>3']);
  });

  test('independent transactions: no edge, the bound is total gas / heaviest transaction', () => {
    const g = buildDependencyGraph(independent, strict);
    expect(g.edges).toEqual([]);
    const cp = criticalPath(g);
    expect(cp.txs).toEqual([1]);
    expect(cp.bound).toBeCloseTo(150 / 70);
  });

  test('writers chain and a reader depends on the last writer only', () => {
    const g = buildDependencyGraph([tx(0, 1, { writes: at(A, 1) }), tx(1, 1, { writes: at(A, 1) }), tx(2, 1, { reads: at(A, 1) })], lax);
    expect(pairs(g)).toEqual(['0>1', '1>2']);
  });

  test('a read before a write is no edge (edges only from writers)', () => {
    const g = buildDependencyGraph([tx(0, 1, { reads: at(A, 1) }), tx(1, 1, { writes: at(A, 1) })], strict);
    expect(g.edges).toEqual([]);
  });

  test('a delta-only slot: deltas commute; a reader waits for every delta before it; strict chains them', () => {
    const g = buildDependencyGraph(deltas, lax);
    expect(pairs(g)).toEqual(['0>3', '1>3', '2>3']);
    expect(criticalPath(g).gas).toBe(20);
    const s = buildDependencyGraph(deltas, strict);
    // Strict: each delta and credit is a read-modify-write of the counter and of B's balance.
    expect(pairs(s)).toEqual(['0>1', '1>2', '2>3']);
    expect(s.edges[0]!.keys).toHaveLength(2);
    expect(criticalPath(s).bound).toBe(1);
  });

  test('an absolute write after deltas resets them: a later reader depends on the writer only', () => {
    const g = buildDependencyGraph([tx(0, 1, { deltaWrites: at(A, 9) }), tx(1, 1, { reads: at(A, 9), writes: at(A, 9) }), tx(2, 1, { reads: at(A, 9) })], lax);
    expect(pairs(g)).toEqual(['0>1', '1>2']);
  });

  test('a sender nonce chain: edges in strict and deltas views, none with lazy senders', () => {
    expect(pairs(buildDependencyGraph(nonceChain, strict))).toEqual(['0>1', '1>2']);
    const d = buildDependencyGraph(nonceChain, lax);
    expect(pairs(d)).toEqual(['0>1', '1>2']);
    expect(d.edges[0]!.keys).toContain(nonceKey(nonceChain[0]!.sender!));
    expect(buildDependencyGraph(nonceChain, lazy).edges).toEqual([]);
    expect(criticalPath(buildDependencyGraph(nonceChain, lazy)).bound).toBe(3);
  });

  test('coinbase fees are deltas in every view; a transaction reading the coinbase balance waits for every fee', () => {
    // Fixture: three transactions pay the coinbase C; the third also reads C's balance (a "coinbase.balance" check).
    const C = '0x00000000000000000000000000000000000000c0';
    const txs = [tx(0, 1, { feeRecipient: C }), tx(1, 1, { feeRecipient: C }), tx(2, 1, { feeRecipient: C, balanceReads: [C] }), tx(3, 1, { feeRecipient: C })];
    expect(pairs(buildDependencyGraph(txs, strict))).toEqual(['0>2', '1>2']);
    // Its own fee then becomes an absolute write: tx 3's fee does not wait for it (a delta), a later reader would.
    expect(pairs(buildDependencyGraph(txs, lax))).toEqual(['0>2', '1>2']);
  });

  test('a credit to an account is not a conflict (deltas view), a read of it is', () => {
    const X = '0x00000000000000000000000000000000000000ee';
    const g = buildDependencyGraph([tx(0, 1, { balanceWrites: [X] }), tx(1, 1, { balanceWrites: [X] }), tx(2, 1, { balanceReads: [X] })], lax);
    expect(pairs(g)).toEqual(['0>2', '1>2']);
  });
});

describe('compareGraphs and hot slots', () => {
  test('true, false and missed edges', () => {
    const actual = buildDependencyGraph(diamond, lax); // 0>1 0>2 1>3 2>3
    // The prediction misses tx 2's write of slot 4 (so 2>3) and has tx 2 read slot 3 (a false 1>2).
    const predicted = buildDependencyGraph(
      [diamond[0]!, diamond[1]!, tx(2, 20, { reads: at(A, 2, 3) }), tx(3, 10, { reads: at(A, 3) })],
      lax,
    );
    const c = compareGraphs(predicted, actual);
    expect(c.counts).toEqual({ predicted: 4, actual: 4, true: 3, false: 1, missed: 1 });
    expect(c.missed.map((e) => `${e.from}>${e.to}`)).toEqual(['2>3']);
    expect(c.false.map((e) => `${e.from}>${e.to}`)).toEqual(['1>2']);
  });

  test('hot slots: critical-path gas and edges per slot, and the bound without each', () => {
    const g = buildDependencyGraph(diamond, lax);
    const cp = criticalPath(g);
    const hot = hotSlots(g, cp);
    expect(hot[0]!.key).toBe(storageKey(A, slot(1)));
    const byKey = new Map(hot.map((h) => [h.key, h]));
    expect(byKey.get(storageKey(A, slot(1)))).toMatchObject({ edges: 1, criticalEdges: 1, criticalGas: 30 });
    expect(byKey.get(storageKey(A, slot(3)))).toMatchObject({ edges: 1, criticalEdges: 1, criticalGas: 10 });
    expect(byKey.get(storageKey(A, slot(2)))).toMatchObject({ edges: 1, criticalEdges: 0, criticalGas: 0 });
    // Without slot 1, tx 1 no longer waits for tx 0: the heaviest chain is 0 > 2 > 3 or 1 > 3 (40).
    expect(byKey.get(storageKey(A, slot(1)))!.boundWithout).toBeCloseTo(70 / 40);
  });
});

describe('naming', () => {
  test('a contract family from its selectors, with its canonical layout', () => {
    const sels = ['getReserves()', 'swap(uint256,uint256,address,bytes)', 'token0()', 'sync()', 'transfer(address,uint256)'].map(selectorOf);
    // The getters read where Uniswap's layout has them: factory 5, token0 6, token1 7, reserves 8, kLast 11.
    const canonical: Record<string, number> = { 'factory()': 5, 'token0()': 6, 'token1()': 7, 'getReserves()': 8, 'kLast()': 11 };
    const reads = (layout: Record<string, number>) => (sel: string) => {
      const e = Object.entries(layout).find(([sig]) => selectorOf(sig) === sel);
      return e ? [BigInt(e[1])] : null;
    };
    const info = contractInfo({ selectors: sels, reads: reads(canonical) });
    expect(info.label).toBe('UniswapV2Pair-like');
    // Same interface, another layout (this project's own AMM example): the label stays, the layout is not trusted.
    const other = contractInfo({ selectors: sels, reads: reads({ ...canonical, 'token0()': 2 }) });
    expect(other.label).toBe('UniswapV2Pair-like');
    expect(other.layout).toBeNull();
    expect(contractInfo({ selectors: sels }).layout).toBeNull();
    const namer = new StateNamer(() => info);
    expect(namer.name(storageKey(A, slot(8)))).toBe('UniswapV2Pair-like(0x0000…00aa).reserve0/reserve1/blockTimestampLast');
    const v3 = contractInfo({
      selectors: ['slot0()', 'swap(address,bool,int256,uint160,bytes)', 'liquidity()'].map(selectorOf),
      reads: reads({ 'slot0()': 0, 'feeGrowthGlobal0X128()': 1, 'liquidity()': 4 }),
    });
    const n3 = new StateNamer(() => v3);
    expect(n3.name(storageKey(A, slot(0)))).toBe('UniswapV3Pool-like(0x0000…00aa).slot0');
    expect(n3.name(storageKey(A, slot(8 + 485)))).toBe('UniswapV3Pool-like(0x0000…00aa).observations[485]');
  });

  test('a mapping entry by its key among the candidates; unknown slots stay hex', () => {
    const holder = 0xabcdef0123456789abcdef0123456789abcdef01n;
    const word = (v: bigint) => Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
    const buf = new Uint8Array(64);
    buf.set(word(holder), 0);
    buf.set(word(3n), 32);
    const s = '0x' + Buffer.from(keccak256(buf)).toString('hex');
    const weth = contractInfo({
      selectors: ['deposit()', 'withdraw(uint256)', 'transfer(address,uint256)', 'balanceOf(address)'].map(selectorOf),
      reads: (sel) => (sel === selectorOf('balanceOf(address)') ? [3n] : sel === selectorOf('allowance(address,address)') ? [4n] : []),
    });
    const namer = new StateNamer(() => weth, [holder]);
    expect(namer.name(storageKey(A, s))).toBe('WETH9-like(0x0000…00aa).balanceOf[0xabcd…ef01]');
    const anon = new StateNamer(() => ({ label: null, layout: null }), [holder]);
    expect(anon.name(storageKey(A, s))).toBe(`${A}.mapping@0x3[0xabcd…ef01]`);
    expect(anon.name(storageKey(A, '0x' + 'f'.repeat(64)))).toBe(`${A}.slot 0x${'f'.repeat(64)}`);
    expect(anon.name(`${A}:balance`)).toBe(`ETH balance of ${A}`);
  });
});

describe('block report and page (fixture block)', () => {
  test('the report gives the bound, hot slots and a page whose edges are drawn by its script only', () => {
    const traces = diamondTraces();
    const loaded = fixtureBlock(traces);
    const d = blockGraphReport({ loaded, traces });
    expect(d.report.actual!.deltas.bound).toBeCloseTo(100 / 50);
    expect(d.report.hotSlots.length).toBeGreaterThan(0);
    expect(renderGraphText(d.report)).toMatch(/parallelism bound/);
    const html = renderGraphHtml(d);
    expect(html).not.toMatch(/<link|<script src|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).not.toMatch(/class="edge/);
    expect(html).toContain('id="graph"');
    expect(html).toContain('id="critical-path"');
  });
});

describeMainnet('mainnet', () => {
  test('a small mainnet block: 1 <= bound <= txs in every view, predicted and actual edges counted', async () => {
    const loaded = loadBlockDir(join(MAINNET_DIR, '19923400'));
    const d = await graphForBlock(loaded);
    const r = d.report;
    expect(r.txs).toBe(loaded.block.transactions.length);
    for (const v of ['strict', 'deltas', 'lazy'] as const) {
      expect(r.actual![v].bound).toBeGreaterThanOrEqual(1);
      expect(r.actual![v].bound).toBeLessThanOrEqual(r.txs);
      expect(r.comparison![v].true + r.comparison![v].missed).toBe(r.comparison![v].actual);
    }
    // Views only take edges out: strict >= deltas >= lazy in edges, the bound the other way round.
    expect(r.actual!.strict.edges).toBeGreaterThanOrEqual(r.actual!.deltas.edges);
    expect(r.actual!.lazy.bound).toBeGreaterThanOrEqual(r.actual!.deltas.bound - 1e-9);
    expect(r.actual!.deltas.bound).toBeGreaterThanOrEqual(r.actual!.strict.bound - 1e-9);
  });
});

describe('prescient graph (arguments)', () => {
  test('bad options are one-line PrescientErrors; --help prints the usage', async () => {
    const { graphCommand } = await import('../src/graph/cli.js');
    await expect(graphCommand([])).rejects.toThrow(/no block folder/);
    await expect(graphCommand(['x', '--bogus'])).rejects.toThrow(/unknown option/);
    await expect(graphCommand(['x', '--top', '0'])).rejects.toThrow(/positive integer/);
    await expect(graphCommand(['/nonexistent-block-dir'])).rejects.toThrow(/no such block folder/);
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await graphCommand(['--help'])).toBe(0);
      expect(String(write.mock.calls[0]![0])).toMatch(/usage: prescient graph/);
    } finally {
      write.mockRestore();
    }
  });

  test('html file names for several blocks', async () => {
    const { htmlPathFor } = await import('../src/graph/integrate.js');
    expect(htmlPathFor('out.html', 5, false)).toBe('out.html');
    expect(htmlPathFor('out.html', 5, true)).toBe('out-5.html');
    expect(htmlPathFor('out', 5, true)).toBe('out-5.html');
  });
});

describe('predicted accesses from hints bindings', () => {
  test('debits are read-modify-writes, credits deltas, the sender chains its transactions, gas limits weigh', async () => {
    const { predictedAccesses, tracedAccesses } = await import('../src/graph/block.js');
    const { SENDER } = await import('./graph.fixtures.js');
    const R = '0x00000000000000000000000000000000000000dd' as const;
    // Fixture: two transfers of ETH from one sender to R, then R's own transaction (which reads its balance).
    const binding = (index: number, from: string, reads: [string, bigint][], writes: [string, bigint][], credits: string[]) => ({
      index,
      hash: slot(index),
      complete: true,
      reads: new Map(reads.map(([a, s]) => [a, new Set([s])])),
      writes: new Map(writes.map(([a, s]) => [a, new Set([s])])),
      touched: new Set<string>(),
      balanceReads: new Set([from]),
      balanceWrites: new Set([from, ...credits]),
      balanceDebits: new Set([from]),
      balanceCredits: new Set(credits),
      nonceWrites: new Set([from]),
      codeWrites: new Set<string>(),
      unknownWrites: new Set<string>(),
      diagnostics: [],
      diagFrames: [],
      frames: [],
      staleDeps: 0,
      bindingReads: new Map(),
    });
    const bindings = [binding(0, SENDER, [], [[A, 1n]], [R]), binding(1, SENDER, [], [], [R]), binding(2, R, [[A, 1n]], [], [])] as any[];
    const block = {
      number: 1n,
      timestamp: 0n,
      hash: slot(0),
      header: { miner: '0x00000000000000000000000000000000000000c0' },
      transactions: [
        { from: SENDER, to: R, nonce: '0x0', gas: '0x5208' },
        { from: SENDER, to: R, nonce: '0x1', gas: '0x5208' },
        { from: R, to: A, nonce: '0x0', gas: '0x10000' },
      ],
    };
    const acc = predictedAccesses(block, bindings);
    expect(acc.map((a) => a.gas)).toEqual([21000, 21000, 65536]);
    const g = buildDependencyGraph(acc, lax);
    // 0>1: the sender's nonce and balance; 0>2 and 1>2: R reads its balance after two credits (and slot 1 from tx 0).
    expect(pairs(g)).toEqual(['0>1', '0>2', '1>2']);
    expect(g.edges.find((e) => e.from === 0 && e.to === 2)!.keys).toEqual([`${R}:balance`, storageKey(A, slot(1))].sort());
    // Lazy senders: R's own balance check becomes a sufficiency check (a delta), so only slot 1 orders tx 2.
    expect(pairs(buildDependencyGraph(acc, lazy))).toEqual(['0>2']);
    // Traced accesses carry the same sender, nonce and fee recipient.
    const t = tracedAccesses(block, [{ index: 0, hash: slot(0), reads: [], writes: [], balanceReads: [], balanceWrites: [], gasUsed: 21000, status: 'success' }]);
    expect(t[0]).toMatchObject({ sender: SENDER, nonce: 0n, feeRecipient: '0x00000000000000000000000000000000000000c0', gas: 21000 });
  });
});
