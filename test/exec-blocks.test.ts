// Every shared mainnet block: the sequential mode reproduces the header's gasUsed, receiptsRoot and logsBloom (with
// every transaction through runTx, and again with plain transfers on the fast path, src/exec/transfer.ts), and the
// parallel executor (which commits plain transfers on its main thread while a worker recovers their senders) gives
// the same stateRoot, receiptsRoot, logsBloom and gasUsed with --oracle none at 2 threads; a subset also runs an
// injected oracle (what the sequential run really accessed) at 1 and 2 threads and none at 1. Workers run the
// compiled dist/ (npm test builds first).
import { loadBlockDir } from '../src/chain/load.js';
import { oracleFromOutcomes } from '../src/exec/oracle.js';
import { executeParallel, WorkerPool } from '../src/exec/parallel.js';
import { executeSequential } from '../src/exec/sequential.js';
import type { BlockResult } from '../src/types.js';
import { describeMainnet, mainnetBlocks } from './helpers/shared.js';

const SUBSET = new Set(['4370000', '8038679', '13217637', '17666333', '19923400', '19933597']);

describeMainnet('exec: sequential and parallel on mainnet blocks', () => {
  let pool1: WorkerPool;
  let pool2: WorkerPool;
  beforeAll(async () => {
    pool1 = await WorkerPool.start(1);
    pool2 = await WorkerPool.start(2);
  });
  afterAll(async () => {
    await pool1?.close();
    await pool2?.close();
  });

  const same = (a: BlockResult, b: BlockResult) => {
    expect(b.stateRoot).toBe(a.stateRoot);
    expect(b.receiptsRoot).toBe(a.receiptsRoot);
    expect(b.logsBloom).toBe(a.logsBloom);
    expect(b.gasUsed).toBe(a.gasUsed);
  };

  test.each(mainnetBlocks().map((d) => [d.split('/').pop()!, d]))('block %s', async (name, dir) => {
    const { block, prestate, blockHashes } = loadBlockDir(dir);
    const seq = await executeSequential(block, prestate, blockHashes, { outcomes: true });
    expect(seq.result.gasUsed).toBe(Number(BigInt(block.header.gasUsed)));
    expect(seq.result.receiptsRoot).toBe(block.header.receiptsRoot);
    expect(seq.result.logsBloom).toBe(block.header.logsBloom);
    const oracle = oracleFromOutcomes(seq.outcomes!);
    const fast = (await executeSequential(block, prestate, blockHashes)).result;
    same(seq.result, fast);
    if (name === '12300570' || name === '5891667') expect(fast.stats.transfers).toBeGreaterThan(370);

    const none2 = await executeParallel(block, prestate, blockHashes, { pool: pool2, oracle: null });
    same(seq.result, none2);
    if (name === '12300570' || name === '5891667') {
      // Plain transfers committed by the main thread, their senders partly recovered by the worker (senders.ts).
      expect(none2.stats.transfers).toBeGreaterThan(370);
      expect(none2.stats.mainRecovered).toBeLessThan(block.transactions.length);
    }
    expect(none2.stats.executions).toBe(block.transactions.length + none2.stats.reExecutions);
    if (SUBSET.has(name)) {
      same(seq.result, await executeParallel(block, prestate, blockHashes, { pool: pool1, oracle }));
      same(seq.result, await executeParallel(block, prestate, blockHashes, { pool: pool2, oracle }));
      same(seq.result, await executeParallel(block, prestate, blockHashes, { pool: pool1, oracle: null }));
    }
  });
});
