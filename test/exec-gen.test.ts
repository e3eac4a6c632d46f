// A generated block (src/gen: complete prestate, so the header's stateRoot is checkable): every mode reproduces the
// header's gasUsed, receiptsRoot, logsBloom and stateRoot, the static oracle (src/hints) included.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBlockDir, type LoadedBlock } from '../src/chain/load.js';
import { writeGeneratedBlock } from '../src/gen/write.js';
import { executeParallel, WorkerPool } from '../src/exec/parallel.js';
import { executeSequential } from '../src/exec/sequential.js';
import { loadStaticOracle } from '../src/exec/static.js';
import type { BlockResult } from '../src/types.js';

describe('exec: generated block', () => {
  let loaded: LoadedBlock;
  let pool: WorkerPool;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'prescient-exec-'));
    const dir = join(root, 'mix');
    await writeGeneratedBlock(dir, { workload: 'mix', txs: 80, seed: 3 });
    loaded = loadBlockDir(dir);
    pool = await WorkerPool.start(2);
  });
  afterAll(async () => {
    await pool?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const matchesHeader = (r: BlockResult) => {
    const h = loaded.block.header;
    expect(r.gasUsed).toBe(Number(BigInt(h.gasUsed)));
    expect(r.receiptsRoot).toBe(h.receiptsRoot);
    expect(r.logsBloom).toBe(h.logsBloom);
    expect(r.stateRoot).toBe(h.stateRoot);
  };

  test('sequential', async () => {
    matchesHeader((await executeSequential(loaded.block, loaded.prestate, loaded.blockHashes)).result);
  });
  test('parallel, no oracle', async () => {
    matchesHeader(await executeParallel(loaded.block, loaded.prestate, loaded.blockHashes, { pool, oracle: null }));
  });
  test('parallel, static oracle', async () => {
    const oracle = await loadStaticOracle(loaded);
    matchesHeader(await executeParallel(loaded.block, loaded.prestate, loaded.blockHashes, { pool, oracle }));
  });
  test('the main thread taking back work queued on the worker (and not): the same block either way', async () => {
    // Without an oracle every transaction stays in a window near the commit point, which the worker's queue fills:
    // the main thread then has nothing of its own and takes back queued work. Timing decides how often, so a few
    // rounds are allowed for it to happen at least once; every round must give the header's results.
    let stolen = 0;
    for (let round = 0; round < 6 && stolen === 0; round++) {
      const r = await executeParallel(loaded.block, loaded.prestate, loaded.blockHashes, { pool, oracle: null });
      matchesHeader(r);
      stolen += Number(r.stats.stolen);
    }
    expect(stolen).toBeGreaterThan(0);
    const off = await executeParallel(loaded.block, loaded.prestate, loaded.blockHashes, { pool, oracle: null, steal: false });
    matchesHeader(off);
    expect(off.stats.stolen).toBe(0);
  });
  test('commits beside the main thread\'s own speculative executions (opt-in): the same block', async () => {
    // Whether a worker's outcome is ready while the main thread runs one of its own is timing: a few rounds are
    // allowed for it to happen; every round must give the header's results.
    const oracle = await loadStaticOracle(loaded);
    let beside = 0;
    for (let round = 0; round < 8 && beside === 0; round++) {
      const r = await executeParallel(loaded.block, loaded.prestate, loaded.blockHashes, { pool, oracle, commitBeside: true });
      matchesHeader(r);
      beside += Number(r.stats.besideCommits);
    }
    expect(beside).toBeGreaterThan(0);
    const off = await executeParallel(loaded.block, loaded.prestate, loaded.blockHashes, { pool, oracle });
    matchesHeader(off);
    expect(off.stats.besideCommits).toBe(0);
  });
});
