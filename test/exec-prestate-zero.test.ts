// A prestate slot holding 0 is no storage (test/fixtures/create2-prefunded-zero-slot/README.md): the executor's
// EIP-7610 create-collision check, sequential and parallel, and the traced run verify uses, all match the header.
import { join } from 'node:path';
import { loadBlockDir } from '../src/chain/load.js';
import { executeParallel, WorkerPool } from '../src/exec/parallel.js';
import { executeBlockTraced, executeSequential } from '../src/exec/sequential.js';
import { stateFromPrestate } from '../src/exec/state.js';

const dir = join(__dirname, 'fixtures', 'create2-prefunded-zero-slot');
const WALLET = '0xccc21474b4a7d57fb2c94a4f3cca6546d950c16e';

test('zero-valued prestate slots are left out of the world state', () => {
  const { prestate } = loadBlockDir(dir);
  expect(prestate.get(WALLET)!.storage.get(0n)).toBe(0n);
  expect(stateFromPrestate(prestate).get(WALLET)!.storage.size).toBe(0);
});

test('CREATE2 onto a pre-funded address whose prestate lists a zero slot: the header’s gasUsed and receipts', async () => {
  const { block, prestate, blockHashes } = loadBlockDir(dir);
  const header = block.header;
  const seq = (await executeSequential(block, prestate, blockHashes)).result;
  expect(seq.gasUsed).toBe(Number(BigInt(header.gasUsed)));
  expect(seq.receiptsRoot).toBe(header.receiptsRoot);
  expect(seq.stateRoot).toBe(header.stateRoot);
  const traced = await executeBlockTraced(block, prestate, blockHashes);
  expect(traced.result.gasUsed).toBe(seq.gasUsed);
  const pool = await WorkerPool.start(2);
  try {
    const par = await executeParallel(block, prestate, blockHashes, { pool, oracle: null });
    expect(par.stateRoot).toBe(seq.stateRoot);
    expect(par.gasUsed).toBe(seq.gasUsed);
  } finally {
    await pool.close();
  }
});
