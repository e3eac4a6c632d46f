/**
 * hints + verify over a block generated from the project's examples (ERC20, WETH, AMM pair and router, EIP-1967
 * proxy, registry, vault traffic, with designed reverts), executed with tracing by src/exec.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFeeMarket1559Tx } from '@ethereumjs/tx';
import { runTx } from '@ethereumjs/vm';
import { writeGeneratedBlock } from '../src/gen/write.js';
import { vmFromPrestate } from '../src/gen/block.js';
import { cancunCommon, contextBlock } from '../src/gen/vm.js';
import { userKey } from '../src/gen/keys.js';
import type { GeneratedBlock } from '../src/gen/block.js';
import { verifyBlock, verifyBlocks } from '../src/verify/run.js';
import { AnalysisCache } from '../src/hints/context.js';
import { eip2930List } from '../src/hints/format.js';
import { accessListGas, warmAddresses } from '../src/verify/gas.js';
import { hintsCommand } from '../src/hints/cli.js';
import { verifyCommand } from '../src/verify/cli.js';
import { isPrescientError } from '../src/errors.js';
import type { Hex } from '../src/types.js';

let dir: string;
let gen: GeneratedBlock;
const cache = new AnalysisCache();
let run: Awaited<ReturnType<typeof verifyBlock>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prescient-verify-'));
  gen = await writeGeneratedBlock(join(dir, 'mix'), { workload: 'mix', txs: 60, seed: 3 });
  run = await verifyBlock(join(dir, 'mix'), { cache });
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kinds = () => gen.manifest.transactions.map((t) => t.kind);

test('no soundness violations on example traffic', () => {
  expect(run.verdict.violations).toBe(0);
  expect(run.txs.filter((v) => v.violation)).toEqual([]);
});

test.each(['erc20.transfer', 'erc20.transferFrom', 'erc20.approve', 'weth.deposit', 'weth.transfer', 'weth.withdraw', 'proxy.increment', 'eth.transfer'])(
  '%s: every traced slot predicted',
  (kind) => {
    const idx = kinds().flatMap((k, i) => (k === kind ? [i] : []));
    if (idx.length === 0) return; // this seed has none of this kind
    for (const i of idx) expect({ kind, i, missed: run.txs[i]!.missed }).toEqual({ kind, i, missed: [] });
  },
);

test('AMM and router traffic: bound as far as the footprints allow, never claimed complete when missing', () => {
  const idx = kinds().flatMap((k, i) => (k.startsWith('amm.') || k === 'pair.swap' ? [i] : []));
  expect(idx.length).toBeGreaterThan(0);
  for (const i of idx) {
    const v = run.txs[i]!;
    if (v.missed.length) expect(v.complete).toBe(false);
  }
});

test('designed reverts: no crash, no violation', () => {
  const reverts = gen.manifest.transactions.filter((t) => t.status === 'revert');
  expect(reverts.length).toBeGreaterThan(0);
  for (const t of reverts) {
    expect(run.traces[t.index]!.status).not.toBe('success');
    expect(run.txs[t.index]!.violation).toBe(false);
  }
});

test('an injected wrong prediction is reported as a miss and a violation', async () => {
  let victim = -1;
  let dropped: { address: string; key: string } | null = null;
  const report = await verifyBlocks([join(dir, 'mix')], {
    cache,
    mutateHints: (hints) => {
      const i = run.txs.findIndex((v) => v.complete && v.traced > 0 && v.missed.length === 0);
      victim = i;
      const h = hints[i]!;
      const e = h.accessList.find((x) => x.storageKeys.length > 0)!;
      dropped = { address: e.address, key: e.storageKeys[0]! };
      e.storageKeys = e.storageKeys.slice(1);
    },
  });
  expect(victim).toBeGreaterThanOrEqual(0);
  expect(report.violations).toEqual([
    { block: run.verdict.number, index: victim, hash: run.txs[victim]!.hash, missed: [{ address: dropped!.address, slot: dropped!.key }] },
  ]);
  expect(report.overall.violations).toBe(1);
  expect(report.overall.hit).toBe(run.verdict.hit - 1);
});

test('eip2930 list: accepted by @ethereumjs/tx and the transaction uses less gas', async () => {
  // A router swap: its list names the pair's and the tokens' slots (the router itself is warm, and keyless).
  const i = kinds().findIndex((k, j) => k.startsWith('amm.swap') && run.hints.hints[j]!.complete && run.traces[j]!.status === 'success');
  expect(i).toBeGreaterThanOrEqual(0);
  const rpc = gen.block.transactions[i];
  const h = run.hints.hints[i]!;
  const list = eip2930List(h, { from: rpc.from, to: rpc.to }, 'cancun', gen.block.miner);
  expect(list.length).toBeGreaterThan(0);
  expect(list.every((e) => e.storageKeys.length > 0)).toBe(true);
  const common = cancunCommon();
  const users = gen.manifest.users.map((u) => u.toLowerCase());
  const key = userKey(users.indexOf(rpc.from.toLowerCase())).privateKey;
  const block = contextBlock(common, { number: BigInt(gen.block.number), timestamp: BigInt(gen.block.timestamp), baseFeePerGas: BigInt(gen.block.baseFeePerGas), coinbase: gen.block.miner });
  const gasOf = async (accessList: { address: string; storageKeys: string[] }[]) => {
    const vm = await vmFromPrestate(gen.prestate, common);
    const tx = createFeeMarket1559Tx(
      { nonce: BigInt(rpc.nonce), to: rpc.to, data: rpc.input, value: BigInt(rpc.value), gasLimit: BigInt(rpc.gas) + 50_000n, maxFeePerGas: BigInt(rpc.maxFeePerGas), maxPriorityFeePerGas: BigInt(rpc.maxPriorityFeePerGas), chainId: 1n, accessList: accessList as any },
      { common },
    ).sign(key);
    const r = await runTx(vm, { tx, block, skipBlockGasLimitValidation: true });
    expect(r.execResult.exceptionError).toBeUndefined();
    return r.totalGasSpent;
  };
  const without = await gasOf([]);
  const withList = await gasOf(list);
  expect(withList).toBeLessThan(without);
  // Priced from the trace alone, as verify does for every transaction: the same difference.
  const warm = warmAddresses(rpc, 'cancun', gen.block.miner);
  expect(accessListGas(list, run.traces[i]!, warm, 'cancun').net).toBe(Number(withList - without));
  expect(run.txs[i]!.listGas).toEqual({ pays: Number(withList - without), all: expect.any(Number), traced: expect.any(Number) });
  // Entries the transaction does not use cost exactly what the pricing says (an address 2400, a key 1900).
  const unused = [...list, { address: '0x00000000000000000000000000000000000bad01' as Hex, storageKeys: [('0x' + '00'.repeat(31) + '07') as Hex] }];
  const withUnused = await gasOf(unused);
  expect(accessListGas(unused, run.traces[i]!, warm, 'cancun').net).toBe(Number(withUnused - without));
  expect(withUnused - withList).toBe(4300n);
}, 60_000);

describe('bad input: a clear message, never a crash', () => {
  let out: string[];
  let err: string[];
  const origOut = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  beforeEach(() => {
    out = [];
    err = [];
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as any;
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as any;
  });
  afterEach(() => {
    process.stdout.write = origOut;
    process.stderr.write = origErr;
  });
  const expectPrescientError = async (p: Promise<unknown>, re: RegExp) => {
    const e = await p.then(() => null, (x) => x);
    expect(isPrescientError(e)).toBe(true);
    expect((e as Error).message).toMatch(re);
  };

  test('malformed block JSON', async () => {
    const d = join(dir, 'bad-block');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'block.json'), '{ "number": ');
    writeFileSync(join(d, 'prestate.json'), '{}');
    await expectPrescientError(hintsCommand([d]), /block\.json: malformed JSON/);
    await expectPrescientError(verifyCommand([d]), /block\.json: malformed JSON/);
  });

  test('malformed prestate', async () => {
    const d = join(dir, 'bad-pre');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'block.json'), readFileSync(join(dir, 'mix', 'block.json')));
    writeFileSync(join(d, 'prestate.json'), JSON.stringify({ '0x1234': { balance: '0x0' } }));
    await expectPrescientError(hintsCommand([d]), /prestate\.json: 0x1234: key is not a 20-byte 0x address/);
  });

  test('a transaction to an address without code, an unknown selector: complete / incomplete, not a crash', async () => {
    const d = join(dir, 'odd');
    mkdirSync(d, { recursive: true });
    const block = JSON.parse(readFileSync(join(dir, 'mix', 'block.json'), 'utf8'));
    const token = gen.manifest.contracts.tokens[0]!;
    const t0 = { ...block.transactions[0], to: '0x00000000000000000000000000000000000c0de0', input: '0x12345678' };
    const t1 = { ...block.transactions[0], to: token, input: '0xdeadbeef' + '00'.repeat(32) };
    writeFileSync(join(d, 'tx0.json'), JSON.stringify(t0));
    writeFileSync(join(d, 'tx1.json'), JSON.stringify(t1));
    // The account exists without code (a single transaction's prestate that lacked it would not be claimed complete:
    // test/cli-inputs.test.ts).
    const pre = JSON.parse(readFileSync(join(dir, 'mix', 'prestate.json'), 'utf8'));
    writeFileSync(join(d, 'prestate.json'), JSON.stringify({ ...pre, [t0.to]: { balance: '0x1', nonce: 0 } }));
    expect(await hintsCommand(['--tx', join(d, 'tx0.json'), '--prestate', join(d, 'prestate.json'), '--json'])).toBe(0);
    const h0 = JSON.parse(out.join(''));
    expect(h0).toMatchObject({ complete: true, accessList: [{ address: t0.to, storageKeys: [] }] });
    out.length = 0;
    expect(await hintsCommand(['--tx', join(d, 'tx1.json'), '--prestate', join(dir, 'mix', 'prestate.json'), '--json'])).toBe(0);
    const h1 = JSON.parse(out.join(''));
    // Token has no fallback: the analyzer's fallback footprint (the revert path) decides completeness.
    expect(typeof h1.complete).toBe('boolean');
    expect(h1.accessList[0].address).toBe(token.toLowerCase());
  });

  test('unknown option', async () => {
    await expectPrescientError(hintsCommand(['--frobnicate']), /--frobnicate: unknown option/);
    await expectPrescientError(hintsCommand([join(dir, 'mix'), '--format', 'xml']), /--format: expected eip2930 or bal/);
    await expectPrescientError(hintsCommand([join(dir, 'mix'), '--all-entries']), /--all-entries: only with --format eip2930/);
  });

  test('eip2930 lists of a block before Berlin: printed, with a note that they cannot be attached', async () => {
    const d = join(dir, 'istanbul');
    mkdirSync(d, { recursive: true });
    const block = JSON.parse(readFileSync(join(dir, 'mix', 'block.json'), 'utf8'));
    writeFileSync(join(d, 'prestate.json'), readFileSync(join(dir, 'mix', 'prestate.json')));
    // Block 10,000,000 with the generated block's Cancun-era timestamp: number and timestamp disagree.
    writeFileSync(join(d, 'block.json'), JSON.stringify({ ...block, number: '0x989680' }));
    await expectPrescientError(hintsCommand([d, '--format', 'eip2930']), /block 10000000: number and timestamp \d+ disagree on the hardfork/);
    writeFileSync(join(d, 'block.json'), JSON.stringify({ ...block, number: '0x989680', timestamp: '0x5e0be100' })); // Istanbul
    expect(await hintsCommand([d, '--format', 'eip2930'])).toBe(0);
    expect(JSON.parse(out.join(''))).toHaveLength(60);
    expect(err.join('')).toMatch(/block 10000000 is before Berlin \(\w+\): its transactions cannot carry access lists/);
  });
});

test('hints CLI formats: json, eip2930, bal', async () => {
  const chunks: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => (chunks.push(String(s)), true)) as any;
  try {
    await hintsCommand([join(dir, 'mix'), '--json']);
    const json = JSON.parse(chunks.join(''));
    expect(json).toHaveLength(60);
    expect(Object.keys(json[0])).toEqual(expect.arrayContaining(['index', 'hash', 'complete', 'accessList', 'writes', 'diagnostics']));
    for (const t of json) for (const e of t.accessList) {
      expect(e.address).toMatch(/^0x[0-9a-f]{40}$/);
      for (const k of e.storageKeys) expect(k).toMatch(/^0x[0-9a-f]{64}$/);
    }
    chunks.length = 0;
    await hintsCommand([join(dir, 'mix'), '--format', 'eip2930']);
    const lists = JSON.parse(chunks.join(''));
    const senders = new Set(gen.block.transactions.map((t: { from: string }) => t.from.toLowerCase()));
    for (const t of lists) for (const e of t.accessList) expect(senders.has(e.address)).toBe(false);
    chunks.length = 0;
    await hintsCommand([join(dir, 'mix'), '--format', 'bal']);
    const bal = JSON.parse(chunks.join(''));
    expect(bal.blockNumber).toBe(Number(gen.block.number));
    const token = bal.accounts.find((a: { address: Hex }) => a.address === gen.manifest.contracts.tokens[0]!.toLowerCase());
    expect(token.storageChanges.length).toBeGreaterThan(0);
  } finally {
    process.stdout.write = orig;
  }
});
