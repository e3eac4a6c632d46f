// A worker that exits, throws or hangs fails the run with WORKER_FAILED: never a result from a broken run. Bad input
// to the run command is a one-line error with a non-zero exit code.
import { loadBlockDir } from '../src/chain/load.js';
import { executeParallel, WorkerPool } from '../src/exec/parallel.js';
import { runCommand } from '../src/exec/cli.js';
import { PrescientError } from '../src/errors.js';
import { MAINNET_DIR, describeMainnet } from './helpers/shared.js';

describeMainnet('exec: worker faults', () => {
  const dir = `${MAINNET_DIR}/6137495`;
  test.each([['exit'], ['throw'], ['hang']] as const)('a worker that %ss fails the run', async (kind) => {
    const { block, prestate, blockHashes } = loadBlockDir(dir);
    const pool = await WorkerPool.start(2);
    try {
      let result: unknown = undefined;
      let error: unknown = undefined;
      try {
        result = await executeParallel(block, prestate, blockHashes, { pool, oracle: null, fault: { kind, txIndex: 17 }, hangMs: 1500 });
      } catch (e) {
        error = e;
      }
      expect(result).toBeUndefined();
      expect(error).toBeInstanceOf(PrescientError);
      expect((error as PrescientError).code).toBe('WORKER_FAILED');
      // The pool is not reused after a failure.
      await expect(executeParallel(block, prestate, blockHashes, { pool, oracle: null })).rejects.toThrow(/worker/);
    } finally {
      await pool.close();
    }
  });
});

describe('run command: bad input', () => {
  const run = async (args: string[]) => {
    try {
      return await runCommand(args);
    } catch (e) {
      expect(e).toBeInstanceOf(PrescientError);
      expect((e as Error).message).not.toContain('\n');
      return -1;
    }
  };
  test.each([
    [['--threads', '0', 'x']],
    [['--oracle', 'maybe', 'x']],
    [['--bogus']],
    [[]],
    [['--block', 'b.json']],
    [['/definitely/not/here']],
  ])('%j', async (args) => {
    expect(await run(args)).toBe(-1);
  });
});
