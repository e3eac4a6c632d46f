// prescient as a library (src/index.ts): what the README lists is exported, hints through the library equal the
// CLI's when given the same analysis cache and call resolver, and a WorkerPool runs blocks asked for at once one after
// the other (it hung two minutes before, then failed both).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lib from '../src/index.js';
import { cli } from './helpers/cli.js';

let tmp: string;
let dirA: string;
let dirB: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'prescient-library-'));
  dirA = join(tmp, 'a');
  dirB = join(tmp, 'b');
  await lib.writeGeneratedBlock(dirA, { workload: 'erc20', txs: 40, seed: 1 });
  await lib.writeGeneratedBlock(dirB, { workload: 'mix', txs: 40, seed: 2 });
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test('the README’s functions, and what using them as the CLI does needs, are exported', () => {
  for (const name of [
    'loadContracts', 'analyzeCode', 'conflictTable', 'loadBlockDir', 'hintsForBlock', 'eip2930List', 'blockAccessList',
    'accessListGas', 'executeSequential', 'executeParallel', 'executeBlockTraced', 'verifyBlocks', 'graphForBlock',
    'writeGeneratedBlock', 'WorkerPool', 'AnalysisCache', 'viewCallResolver', 'mainnetHardfork', 'graphJson', 'stateView',
    'blockEnv', 'txInput',
  ]) {
    expect([name, typeof (lib as Record<string, unknown>)[name]]).toEqual([name, 'function']);
  }
});

test('two blocks asked for at once on one pool: both run, each equal to its sequential run', async () => {
  const a = lib.loadBlockDir(dirA);
  const b = lib.loadBlockDir(dirB);
  const pool = await lib.WorkerPool.start(2);
  try {
    const [pa, pb] = await Promise.all([
      lib.executeParallel(a.block, a.prestate, a.blockHashes, { pool }),
      lib.executeParallel(b.block, b.prestate, b.blockHashes, { pool }),
    ]);
    const sa = (await lib.executeSequential(a.block, a.prestate, a.blockHashes)).result;
    const sb = (await lib.executeSequential(b.block, b.prestate, b.blockHashes)).result;
    expect([pa.stateRoot, pb.stateRoot]).toEqual([sa.stateRoot, sb.stateRoot]);
    // And the pool still works afterwards.
    expect((await lib.executeParallel(a.block, a.prestate, a.blockHashes, { pool })).stateRoot).toBe(sa.stateRoot);
  } finally {
    await pool.close();
  }
  await expect(lib.executeParallel(a.block, a.prestate, a.blockHashes, { pool })).rejects.toThrow(lib.PrescientError);
}, 120_000);

test('a thread count that is not a positive integer is a typed error', async () => {
  for (const threads of [0, -1, 1.5]) {
    await expect(lib.WorkerPool.start(threads)).rejects.toMatchObject({ code: 'BAD_OPTION' });
  }
});

test('hints through the library with the CLI’s cache and resolver equal `prescient hints --json`', async () => {
  const loaded = lib.loadBlockDir(dirB);
  const cache = lib.AnalysisCache.inDir(undefined);
  const h = lib.hintsForBlock(loaded, { ...cache.sources, resolveCall: lib.viewCallResolver }, join(dirB, 'block.json'));
  const ran = await cli('hints', dirB, '--json');
  expect(ran.code).toBe(0);
  const fromCli = JSON.parse(ran.out) as { index: number; complete: boolean; accessList: unknown }[];
  expect(h.hints.map((x) => [x.index, x.complete, x.accessList])).toEqual(fromCli.map((x) => [x.index, x.complete, x.accessList]));
  expect(fromCli.filter((x) => x.complete).length).toBeGreaterThan(10);
}, 120_000);

test('library inputs get the CLI’s checks: generator options and bytecode given as a string', async () => {
  for (const bad of [{ workload: 'bogus' as any }, { txs: -1 }, { txs: 2.5 }, { hot: 7 }, { workload: 'amm' as const, hot: 0.5 }]) {
    await expect(lib.writeGeneratedBlock(join(tmp, 'never'), bad)).rejects.toMatchObject({ code: 'BAD_OPTION' });
  }
  expect(() => lib.analyzeCode('0x6000' as any)).toThrow(/expected the bytecode as a Uint8Array/);
});
