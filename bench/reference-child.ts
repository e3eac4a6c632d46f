/**
 * Runs the reference (plain runBlock) for one block folder in a process of its own, so that it is never sped up by
 * prescient's patches to shared @ethereumjs modules, and prints `{ ms, gasUsed, receiptsRoot }` as JSON.
 */
import { loadBlockDir } from '../src/chain/load.js';
import { runReference } from './reference.js';

runReference(loadBlockDir(process.argv[2]!))
  .then((r) => process.stdout.write(JSON.stringify({ ms: r.ms, gasUsed: r.gasUsed.toString(), receiptsRoot: r.receiptsRoot }) + '\n'))
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
