/** Debug aid: per-transaction gas and status, prescient sequential vs plain runBlock, for one block folder. */
import { loadBlockDir } from '../src/chain/load.js';
import { Executor, blockEnv } from '../src/exec/block.js';
import { applyWrites, stateFromPrestate } from '../src/exec/state.js';
import { initCrypto } from '../src/chain/crypto.js';
import { runReference } from './reference.js';

async function main() {
  const dir = process.argv[2]!;
  const loaded = loadBlockDir(dir);
  const ref = await runReference(loaded);
  await initCrypto();
  const env = blockEnv(loaded.block);
  const state = stateFromPrestate(loaded.prestate);
  const ex = await Executor.create(env, state, loaded.blockHashes);
  let shown = 0;
  for (let i = 0; i < env.txs.length; i++) {
    const o = await ex.runOne(i);
    applyWrites(state, o.writes, i + 1);
    const rr = ref.results[i]!;
    const rs = rr.execResult.exceptionError ? 0 : 1;
    if (rr.totalGasSpent !== o.gasUsed || rs !== o.status || o.error) {
      console.log(i, loaded.block.transactions[i].hash, 'ref', rr.totalGasSpent, rs, rr.execResult.exceptionError?.error, 'ours', o.gasUsed, o.status, o.error);
      if (++shown > 5) break;
    }
  }
}
main();
