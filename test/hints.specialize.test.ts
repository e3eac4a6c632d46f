/**
 * Input-specialized footprints (src/evm/facts.ts, src/hints/bind.ts `specialize`): a footprint the analysis could not
 * make exact is explored again with the frame's concrete inputs. Fixtures: the Router, Registry and Token examples
 * compiled with solc-js, and AMM traffic generated from the examples (multi-hop swaps over 3-4 token paths).
 */
import { mkdtempSync, rmSync } from 'node:fs';
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
});
