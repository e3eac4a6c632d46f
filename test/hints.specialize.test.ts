/**
 * Input-specialized footprints (src/evm/facts.ts, src/hints/bind.ts `specialize`): a footprint the analysis could not
 * make exact is explored again with the frame's concrete inputs. Fixtures: the Router, Registry and Token examples
 * compiled with solc-js, and AMM traffic generated from the examples (multi-hop swaps over 3-4 token paths).
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Interface } from '@ethersproject/abi';
import { analyzeCode, analyzeSpecialized } from '../src/analyze/index.js';
import type { Inputs } from '../src/evm/facts.js';
import { evalOp } from '../src/evm/sym.js';
import type { Expr } from '../src/types.js';
import { writeGeneratedBlock } from '../src/gen/write.js';
import { AnalysisCache } from '../src/hints/context.js';
import { verifyBlock } from '../src/verify/run.js';
import { hintsForBlock } from '../src/hints/block.js';
import { MAX_SPECIALIZATIONS_KEPT, resetSpecializations, type Specialization } from '../src/hints/bind.js';
import { DiskSpecializationStore } from '../src/hints/cache.js';
import { viewCallResolver } from '../src/hints/resolve.js';
import { loadBlockDir } from '../src/chain/load.js';
import { MAINNET_DIR, describeMainnet } from './helpers/shared.js';
import { exampleContract } from './helpers/examples.js';

function inputsOf(data: string, env: Record<string, bigint> = {}): Inputs {
  const bytes = Buffer.from(data.slice(2), 'hex');
  return {
    word: (off) => {
      const w = Buffer.alloc(32);
      if (off < BigInt(bytes.length)) bytes.copy(w, 0, Number(off), Number(off) + 32);
      return BigInt('0x' + w.toString('hex'));
    },
    size: BigInt(bytes.length),
    env: (name) => env[name] ?? null,
  };
}

const addr = (i: number) => '0x' + i.toString(16).padStart(40, '0');

/** An expression over calldata and environment only, as the binder evaluates assumptions. */
function evalInputs(e: Expr, inp: Inputs): bigint | null {
  switch (e.k) {
    case 'const': return BigInt(e.v);
    case 'cd': return inp.word(BigInt(e.off));
    case 'cdx': {
      const o = evalInputs(e.off, inp);
      return o === null ? null : inp.word(o);
    }
    case 'env': return e.name === 'CALLDATASIZE' ? inp.size : inp.env(e.name);
    case 'op': {
      const xs = e.args.map((a) => evalInputs(a, inp));
      return xs.some((x) => x === null) ? null : evalOp(e.op, xs as bigint[]);
    }
    default: return null;
  }
}
const ENV = { CALLER: 0x999n, TIMESTAMP: 1n, CALLVALUE: 0n };

describe('analyzeSpecialized', () => {
  const router = exampleContract('Router');
  const iface = new Interface(router.abi);
  const swap = (hops: number, amount: bigint) =>
    iface.encodeFunctionData('swapExactTokensForTokens', [amount, 0n, Array.from({ length: hops + 1 }, (_, i) => addr(0x100 + i)), addr(0x999), 10n ** 10n]);

  test('a router swap over a 4-token path unrolls its loops exactly: one pair swap per hop, nothing widened', () => {
    const data = swap(3, 10n ** 18n);
    const r = analyzeSpecialized(router.runtime, data.slice(0, 10) as `0x${string}`, false, inputsOf(data, ENV));
    expect(r.fp.exhaustive).toBe(true);
    // Inputs whose length is computed (the empty `bytes` passed to swap) are bound from inputSizeExpr: informational.
    expect(r.fp.diagnostics.filter((d) => d.code !== 'cross-check' && d.code !== 'unknown-call-input')).toEqual([]);
    expect(r.fp.complete).toBe(true);
    const swaps = r.fp.calls.filter((c) => c.selector === '0x022c0d9f');
    expect(swaps).toHaveLength(3);
    expect(r.assumptions.length).toBeGreaterThan(0);
  });

  test('the generic footprint of the same function is widened at the loop (what specialization is for)', () => {
    const a = analyzeCode(router.runtime, { abi: router.abi });
    const fn = a.functions.find((f) => f.selector === iface.getSighash('swapExactTokensForTokens'))!;
    expect(fn.diagnostics.some((d) => /widened|unknown memory/.test(d.message))).toBe(true);
  });

  test('assumptions describe when a specialization may be reused: the path length is one, the amount is not', () => {
    const a = analyzeSpecialized(router.runtime, swap(2, 5n).slice(0, 10) as `0x${string}`, false, inputsOf(swap(2, 5n), ENV));
    const holds = (data: string) => {
      const inp = inputsOf(data, ENV);
      return a.assumptions.every((x) => {
        const v = evalInputs(x.expr, inp);
        return v !== null && (x.truth ? (v !== 0n) === (x.value !== 0n) : v === x.value);
      });
    };
    expect(holds(swap(2, 5n))).toBe(true);
    expect(holds(swap(2, 7n * 10n ** 18n))).toBe(true);
    expect(holds(swap(3, 5n))).toBe(false);
  });

  test('a word that is not a fact is an open assumption: a call that knows it does not reuse the exploration', () => {
    const data = swap(2, 5n);
    const full = inputsOf(data, ENV);
    // The deadline word (offset 132) unknown, as a stale value from storage would be: its check is explored both ways.
    const partial: Inputs = { ...full, word: (off) => (off === 132n ? null : full.word(off)) };
    const a = analyzeSpecialized(router.runtime, data.slice(0, 10) as `0x${string}`, false, partial);
    expect(a.assumptions.filter((x) => x.open).length).toBeGreaterThan(0);
    const holds = (inp: Inputs) =>
      a.assumptions.every((x) => {
        const v = evalInputs(x.expr, inp);
        if (x.open) return v === null;
        return v !== null && (x.truth ? (v !== 0n) === (x.value !== 0n) : v === x.value);
      });
    expect(holds(partial)).toBe(true);
    // Knowing the deadline decides the check: the full inputs' own exploration is narrower than this one.
    expect(holds(full)).toBe(false);
    const b = analyzeSpecialized(router.runtime, data.slice(0, 10) as `0x${string}`, false, full);
    expect(b.assumptions.some((x) => x.open)).toBe(false);
  });

  test('a loop bounded by storage is not unrolled (every count would be a path): register() with a label', () => {
    const reg = exampleContract('Registry');
    const ri = new Interface(reg.abi);
    const data = ri.encodeFunctionData('register', [7n, 1, 2n, 'x'.repeat(100), 0n]);
    const r = analyzeSpecialized(reg.runtime, data.slice(0, 10) as `0x${string}`, false, inputsOf(data, ENV));
    // The label's 4 data words are written exactly; clearing the old label (bounded by its stored length) is widened.
    expect(r.fp.writes.length).toBeLessThan(40);
  });
});

describe('hints over generated AMM traffic (multi-hop router swaps)', () => {
  let dir: string;
  const cache = new AnalysisCache();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'prescient-spec-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('with specialization every swap is complete and every traced slot predicted; without it, not', async () => {
    await writeGeneratedBlock(join(dir, 'amm'), { workload: 'amm', txs: 24, seed: 5 });
    // Specialization alone: rules/once-per-block.json (later swaps of a pair assume the first and are incomplete by
    // design) is covered in hints.once-per-block.test.ts.
    const on = await verifyBlock(join(dir, 'amm'), { cache, oncePerBlock: false });
    expect(on.verdict.violations).toBe(0);
    expect(on.txs.filter((v) => v.missed.length > 0)).toEqual([]);
    expect(on.verdict.complete).toBe(on.verdict.txs);
    const off = await verifyBlock(join(dir, 'amm'), { cache, specialize: false, oncePerBlock: false });
    expect(off.verdict.violations).toBe(0);
    expect(off.verdict.complete).toBeLessThan(on.verdict.complete);
    expect(off.verdict.hit).toBeLessThanOrEqual(on.verdict.hit);
    console.log(`generated AMM (24 txs): complete ${off.verdict.complete} -> ${on.verdict.complete}, traced ${on.verdict.traced}, hit ${off.verdict.hit} -> ${on.verdict.hit}, predicted ${off.verdict.predicted} -> ${on.verdict.predicted}`);
  }, 300_000);

  test('specializations kept in a cache folder serve a later process: nothing explored again, the same hints', async () => {
    await writeGeneratedBlock(join(dir, 'amm-kept'), { workload: 'amm', txs: 24, seed: 5 });
    const loaded = loadBlockDir(join(dir, 'amm-kept'));
    const cacheDir = join(dir, 'cache');
    // Each binding as a new process would do it: nothing in memory, only the folder.
    const bind = () => {
      resetSpecializations();
      const c = AnalysisCache.inDir(cacheDir);
      return hintsForBlock(loaded, { ...c.sources, resolveCall: viewCallResolver });
    };
    const first = bind();
    expect(first.stats.specialized).toBeGreaterThan(0);
    expect(first.stats.specializedLoaded).toBe(0);
    const second = bind();
    expect(second.stats.specialized).toBe(0);
    expect(second.stats.specializedLoaded).toBe(first.stats.specialized);
    expect(JSON.stringify(second.hints)).toBe(JSON.stringify(first.hints));
    // A line torn by a process killed mid-append is skipped, the others still serve.
    const [stamp] = readdirSync(cacheDir);
    const [spec] = readdirSync(join(cacheDir, stamp!)).filter((f) => f.startsWith('spec-'));
    const files = readdirSync(join(cacheDir, stamp!, spec!));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) appendFileSync(join(cacheDir, stamp!, spec!, f), '{"table":[{"k":"op","args":[{"$ref":');
    const third = bind();
    expect(third.stats.specialized).toBe(0);
    expect(JSON.stringify(third.hints)).toBe(JSON.stringify(first.hints));
    // Without the folder's specializations the same block explores them again (what the folder saved).
    rmSync(join(cacheDir, stamp!, spec!), { recursive: true });
    expect(bind().stats.specialized).toBe(first.stats.specialized);
  }, 300_000);

  test('a specialization appended after a torn line is still read; the file keeps the newest MAX_SPECIALIZATIONS_KEPT', () => {
    const store = new DiskSpecializationStore(join(dir, 'store'));
    const entry = (i: number): Specialization => ({
      assumptions: [{ expr: { k: 'cd', off: 4, arg: 0 }, value: BigInt(i), truth: false }],
      fp: { selector: '0x12345678', signature: null, inputs: null, mutability: 'nonpayable', reads: [], writes: [], calls: [], balanceReads: [], transfers: [], complete: true, diagnostics: [], rules: [] },
    });
    const key = '0xabc|0x12345678';
    store.add(key, entry(1));
    appendFileSync(join(dir, 'store', '0xabc-0x12345678.jsonl'), '{"table":[{"k":');
    store.add(key, entry(2));
    expect(store.load(key).map((s) => s.assumptions[0]!.value)).toEqual([1n, 2n]);
    for (let i = 3; i < 2 * MAX_SPECIALIZATIONS_KEPT + 10; i++) store.add(key, entry(i));
    const kept = store.load(key);
    expect(kept).toHaveLength(MAX_SPECIALIZATIONS_KEPT);
    expect(kept[kept.length - 1]!.assumptions[0]!.value).toBe(BigInt(2 * MAX_SPECIALIZATIONS_KEPT + 9));
    // Compacted on that load: the next one reads the same entries from a file of that many lines.
    expect(readFileSync(join(dir, 'store', '0xabc-0x12345678.jsonl'), 'utf8').split('\n').filter((l) => l).length).toBe(MAX_SPECIALIZATIONS_KEPT);
    expect(store.load(key).map((s) => s.assumptions[0]!.value)).toEqual(kept.map((s) => s.assumptions[0]!.value));
    expect(kept[0]!.fp.selector).toBe('0x12345678');
    // A whole line whose footprint does not parse (not torn: edited or damaged) is an error naming the file.
    appendFileSync(join(dir, 'store', '0xabc-0x99999999.jsonl'), '{"table":[],"root":[]}\t{"table":[],"root":{"$ref":7}}\t30\n');
    const [bad] = store.load('0xabc|0x99999999');
    expect(() => bad!.fp).toThrow(/0xabc-0x99999999\.jsonl: a specialized footprint in the cache folder does not parse; delete the folder/);
  });
});

describeMainnet('specialized footprints are reused only where exact (mainnet)', () => {
  test('the hints of block 10760440 are the same alone and after a LI.FI swap of block 18085863', () => {
    const ROUTER = '0x7a250d5630b4cf539739df2c5dacb4c659f2488d';
    // Part of a block: its Uniswap V2 router transactions, or one transaction (to keep the test short).
    const part = (n: string, keep: (t: { to?: string }, i: number) => boolean) => {
      const l = loadBlockDir(join(MAINNET_DIR, n));
      l.block.transactions = l.block.transactions.filter(keep);
      return l;
    };
    const bind = (before: boolean) => {
      resetSpecializations();
      const cache = new AnalysisCache();
      const opts = { analysis: cache.provider, resolveCall: viewCallResolver, specialize: true, oncePerBlock: true };
      // Tx 112 (LI.FI's swapTokensGeneric) calls the router with inputs partly unknown to the binder.
      if (before) hintsForBlock(part('18085863', (_, i) => i === 112), opts);
      const h = hintsForBlock(part('10760440', (t) => t.to?.toLowerCase() === ROUTER), opts);
      return h.hints.map((x) => JSON.stringify([x.complete, x.accessList]));
    };
    // Before open assumptions, the router specialization made there (with fewer facts) was reused by 10760440's swaps.
    expect(bind(true)).toEqual(bind(false));
  }, 240_000);
});

describeMainnet('a transaction bound twice in one process gets the same hints (mainnet)', () => {
  test('17666333 tx 96: what a rebinding round depends on does not change once the specialization cache has filled', () => {
    // A fee-on-transfer token's transferFrom through a router: bound three rounds (guards on storage an earlier
    // transaction may change). The exploration read more storage than its assumptions record, so the first binding
    // poisoned other slots than a later one that reused it: 52 predicted slots, then 80.
    const l = loadBlockDir(join(MAINNET_DIR, '17666333'));
    l.block.transactions = l.block.transactions.filter((_, i) => i === 96);
    resetSpecializations();
    const cache = new AnalysisCache();
    const bind = () => hintsForBlock(l, { analysis: cache.provider, resolveCall: viewCallResolver }).hints.map((x) => JSON.stringify([x.complete, x.accessList]));
    expect(bind()).toEqual(bind());
  }, 120_000);
});

describeMainnet('a loop index the exploration widened (mainnet)', () => {
  test('a 3-hop Uniswap V2 router swap (10760440 tx 99) is explored past its amountOutMin check', () => {
    const dir = join(MAINNET_DIR, '10760440');
    const t = JSON.parse(readFileSync(join(dir, 'block.json'), 'utf8')).transactions[99];
    const code = Buffer.from(JSON.parse(readFileSync(join(dir, 'prestate.json'), 'utf8'))[t.to.toLowerCase()].code.slice(2), 'hex');
    const r = analyzeSpecialized(code, t.input.slice(0, 10), false, inputsOf(t.input, { CALLER: BigInt(t.from), CALLVALUE: BigInt(t.value), TIMESTAMP: 0x5f4b0000n }));
    // amounts[3] is written in the loop's third round, joined with the others: it read as the array's initial zero,
    // so `require(amounts[3] >= amountOutMin)` reverted on every path and only the getReserves calls were left.
    expect(r.fp.calls.filter((c) => c.selector === '0x022c0d9f').length).toBeGreaterThanOrEqual(1);
    expect(r.fp.calls.length).toBeGreaterThan(5);
  }, 60_000);
});
