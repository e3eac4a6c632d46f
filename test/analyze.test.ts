/**
 * Issue 2's acceptance tests for the analyzer, on the project's own examples (compiled with solc-js, optimized):
 * selectors equal solc's methodIdentifiers; every base slot is one solc's storageLayout declares; and footprints,
 * bound to randomized calls, cover every slot those calls really touch (traced in @ethereumjs/vm).
 */
import { analyzeCode } from '../src/analyze/index.js';
import { rootSlot } from '../analyzers/render.js';
import { KNOWN_SLOTS } from '../rules/index.js';
import { bindTx, type BindContext, type BlockEnv, type StateView, type TxBinding } from '../src/hints/bind.js';
import type { ContractAnalysis, Hex } from '../src/types.js';
import { keccak256, toHex } from '../src/util/keccak.js';
import { EXAMPLE_NAMES, exampleContract, exampleWorld, makeRng, nestedMappingSlot, randomCalldata, type GenWorld } from './helpers/examples.js';
import { traceCall } from './helpers/trace.js';
import { toAddress } from '../src/gen/vm.js';
import { distinctContracts } from '../bench/analyze.js';
import { describeMainnet, MAINNET_DIR } from './helpers/shared.js';

const analyses = new Map<string, ContractAnalysis>();
function analysisOf(code: Uint8Array): ContractAnalysis {
  const h = toHex(keccak256(code));
  let a = analyses.get(h);
  if (!a) analyses.set(h, (a = analyzeCode(code)));
  return a;
}

describe('analyzer on the examples', () => {
  test.each(EXAMPLE_NAMES)('%s: selectors equal solc methodIdentifiers (no false positives or negatives)', (name) => {
    const c = exampleContract(name);
    const expected = Object.values(c.methodIdentifiers ?? {}).map((s) => `0x${s}`).sort();
    const found = analyzeCode(c.runtime).functions.map((f) => f.selector).filter((s) => s.startsWith('0x')).sort();
    expect(found).toEqual(expected);
  });

  test.each(EXAMPLE_NAMES)('%s: every base slot in a footprint is declared by solc storageLayout', (name) => {
    const c = exampleContract(name);
    const declared = new Set((c.storageLayout ?? []).map((v) => BigInt(v.slot)));
    const known = new Set(KNOWN_SLOTS.map((r) => BigInt(r.match.slot)));
    const a = analyzeCode(c.runtime, { abi: c.abi, storageLayout: c.storageLayout });
    const bad: string[] = [];
    for (const f of a.functions) {
      for (const acc of [...f.reads, ...f.writes]) {
        if (acc.transient) continue;
        const root = rootSlot(acc.slot);
        if (root === null) {
          if (f.complete) bad.push(`${f.selector} ${acc.text}: complete, yet no base slot`);
          continue;
        }
        if (!declared.has(root) && !known.has(root)) bad.push(`${f.selector} ${acc.text}: base slot 0x${root.toString(16)} not in the layout`);
      }
    }
    expect(bad).toEqual([]);
  });

  test('key-level footprints of the ERC20 (named by the storage layout)', () => {
    const c = exampleContract('Token');
    const a = analyzeCode(c.runtime, { abi: c.abi });
    const slotOf = (label: string) => BigInt(c.storageLayout!.find((v) => v.label === label)!.slot);
    const transfer = a.functions.find((f) => f.signature === 'transfer(address,uint256)')!;
    expect(transfer.complete).toBe(true);
    const bal = slotOf('balanceOf').toString(16);
    expect(transfer.writes.map((w) => w.text).sort()).toEqual([`keccak(address(arg0) . 0x${bal})`, `keccak(caller . 0x${bal})`].sort());
    const tf = a.functions.find((f) => f.signature === 'transferFrom(address,address,uint256)')!;
    const allowance = slotOf('allowance').toString(16);
    expect(tf.writes.map((w) => w.text)).toContain(`keccak(caller . keccak(address(arg0) . 0x${allowance}))`);
  });
});

/** A pre-state view over the world, filled lazily: bind, fetch what was missing, bind again. */
class LazyState implements StateView {
  readonly slots = new Map<string, bigint>();
  readonly codes = new Map<string, Uint8Array>();
  readonly missing = new Set<string>();
  storage(addr: Hex, slot: bigint): bigint {
    const k = `${addr}:${slot}`;
    const v = this.slots.get(k);
    if (v === undefined) this.missing.add(k);
    return v ?? 0n;
  }
  balance(): bigint {
    return 10n ** 30n;
  }
  nonce(): bigint {
    return 1n;
  }
  code(addr: Hex): Uint8Array {
    const c = this.codes.get(addr);
    if (!c) this.missing.add(`${addr}:code`);
    return c ?? new Uint8Array();
  }
  exists(): boolean {
    return true;
  }
  async fill(g: GenWorld): Promise<boolean> {
    const todo = [...this.missing];
    this.missing.clear();
    for (const k of todo) {
      const [addr, what] = k.split(':') as [Hex, string];
      if (what === 'code') this.codes.set(addr, await g.world.vm.stateManager.getCode(toAddress(addr)));
      else this.slots.set(k, await g.world.getStorage(addr, BigInt(what)));
    }
    return todo.length > 0;
  }
}

async function bindCall(g: GenWorld, from: Hex, to: Hex, data: Hex, value: bigint): Promise<TxBinding> {
  const state = new LazyState();
  const block: BlockEnv = { number: 19_500_000n, timestamp: 1_711_200_000n, coinbase: 0n, gasLimit: 30_000_000n, baseFee: 7n, difficulty: 0n, chainId: 1n, hardfork: 'cancun' };
  const ctx: BindContext = {
    state,
    block,
    analysis: (code) => analysisOf(code),
    codeHash: (addr) => toHex(keccak256(state.code(addr))),
  };
  const input = Uint8Array.from(Buffer.from(data.slice(2), 'hex'));
  for (let round = 0; ; round++) {
    const b = bindTx({ index: 0, hash: '0x00', from, to, value, input, nonce: 0n, gasPrice: 0n }, ctx);
    if (!(await state.fill(g))) return b;
    if (round > 20) throw new Error('binding did not settle');
  }
}

describe('footprints cover traced execution (randomized calls to every example)', () => {
  let g: GenWorld;
  beforeAll(async () => {
    g = await exampleWorld();
  });

  const CALLS_PER_CONTRACT = 40;
  const targets: [string, (g: GenWorld) => Hex][] = [
    ['Token', (g) => g.tokens[0]!],
    ['WETH', (g) => g.weth],
    ['Pair', (g) => g.pairs[0]!.address],
    ['Factory', (g) => g.factory],
    ['Router', (g) => g.router],
    ['Registry', (g) => g.registry],
    ['Vault', (g) => g.vault],
    ['CounterVaultImpl', (g) => g.proxy],
  ];

  test.each(targets)('%s: no traced slot missing from a complete binding', async (name, addrOf) => {
    const c = exampleContract(name as (typeof EXAMPLE_NAMES)[number]);
    const rng = makeRng(`analyze-${name}`);
    const to = addrOf(g);
    let covered = 0, traced = 0, completeCalls = 0;
    const violations: string[] = [];
    const incompleteReasons = new Map<string, number>();
    for (let i = 0; i < CALLS_PER_CONTRACT; i++) {
      const from = rng.pick(g.users).address as Hex;
      const call = randomCalldata(c.abi, rng, { accounts: [...g.users.map((u) => u.address as Hex), ...g.tokens, g.router] });
      const binding = await bindCall(g, from, to, call.data, call.value);
      const t = await traceCall(g.world, { from, to, data: call.data, value: call.value });
      const predicted = (addr: Hex) => new Set([...(binding.reads.get(addr) ?? []), ...(binding.writes.get(addr) ?? [])]);
      const missed: string[] = [];
      for (const map of [t.reads, t.writes]) {
        for (const [addr, slots] of map) {
          const p = predicted(addr);
          for (const s of slots) {
            traced++;
            if (p.has(BigInt(s))) covered++;
            else missed.push(`${addr}:${s}`);
          }
        }
      }
      if (binding.complete) completeCalls++;
      else for (const d of binding.diagnostics) incompleteReasons.set(d.code, (incompleteReasons.get(d.code) ?? 0) + 1);
      if (binding.complete && missed.length) violations.push(`${call.signature}: missed ${missed.join(', ')}`);
    }
    // Where calls are not complete, say why (the test output is the statement the issue asks for).
    if (incompleteReasons.size) console.log(`${name}: ${CALLS_PER_CONTRACT - completeCalls}/${CALLS_PER_CONTRACT} calls incomplete: ${[...incompleteReasons].map(([k, v]) => `${k} x${v}`).join(', ')}; coverage ${covered}/${traced}`);
    expect(violations).toEqual([]);
    expect(completeCalls).toBeGreaterThan(0);
  });
});

describe('path conditions prune what a transaction cannot reach (and nothing it does)', () => {
  let g: GenWorld;
  beforeAll(async () => {
    g = await exampleWorld();
  });

  // WETH.transferFrom spends an allowance only when src != msg.sender.
  test('WETH.transferFrom: the allowance slot is predicted exactly when src is not the caller', async () => {
    const layout = exampleContract('WETH').storageLayout!;
    const allowanceBase = BigInt(layout.find((v) => v.label === 'allowance')!.slot);
    const [a, b] = [g.users[0]!.address as Hex, g.users[1]!.address as Hex];
    for (const src of [a, b]) {
      const data = g.world.encode('WETH', 'transferFrom', [src, b, 1n]);
      const binding = await bindCall(g, a, g.weth, data, 0n);
      const t = await traceCall(g.world, { from: a, to: g.weth, data, value: 0n });
      const allowance = BigInt(nestedMappingSlot(allowanceBase, src, a));
      const predicted = new Set([...(binding.reads.get(g.weth) ?? []), ...(binding.writes.get(g.weth) ?? [])]);
      const traced = new Set([...(t.reads.get(g.weth) ?? []), ...(t.writes.get(g.weth) ?? [])].map((x) => BigInt(x)));
      expect(binding.complete).toBe(true);
      for (const s of traced) expect(predicted.has(s)).toBe(true);
      expect(predicted.has(allowance)).toBe(src !== a);
      expect(traced.has(allowance)).toBe(src !== a);
    }
  });
});

// The full set (1,931 contracts) runs in bench/analyze.ts (BENCHMARKS.md); the test takes every 8th, ~240 codes.
describeMainnet('real mainnet bytecode', () => {
  test('a sample of the distinct contracts of ../shared/data/mainnet analyzes without a crash, within the bounds', () => {
    const codes = [...distinctContracts(MAINNET_DIR).values()].filter((_, i) => i % 8 === 0);
    expect(codes.length).toBeGreaterThan(200);
    let fns = 0, complete = 0;
    for (const code of codes) {
      const a = analyzeCode(code);
      for (const f of a.functions) {
        fns++;
        if (f.complete) complete++;
        // Incomplete is data with a reason, never silent.
        else expect(f.diagnostics.length).toBeGreaterThan(0);
      }
    }
    expect(complete / fns).toBeGreaterThan(0.7);
  });
});
