/** Debug aid: first diverging EVM step (pc, op, gas) of transaction N, prescient vs plain @ethereumjs. */
import { runTx } from '@ethereumjs/vm';
import { loadBlockDir } from '../src/chain/load.js';
import { Executor, blockEnv } from '../src/exec/block.js';
import { applyWrites, stateFromPrestate } from '../src/exec/state.js';
import { initCrypto } from '../src/chain/crypto.js';
import { seedReference } from './reference.js';

async function main() {
  const dir = process.argv[2]!;
  const n = Number(process.argv[3]);
  const loaded = loadBlockDir(dir);
  const { vm, block } = await seedReference(loaded);
  const refSteps: string[] = [];
  for (let i = 0; i <= n; i++) {
    if (i === n) vm.evm.events!.on('step', (s: any, next: any) => { refSteps.push(`${s.depth} ${s.address} ${s.pc} ${s.opcode.name} ${s.gasLeft} ${s.opcode.name === "PUSH1" ? s.stack.slice(-2).join(",") : ""}`); next?.(); });
    await runTx(vm, { tx: block.transactions[i]!, block, skipBlockGasLimitValidation: true, skipHardForkValidation: true });
  }
  await initCrypto();
  const env = blockEnv(loaded.block);
  const state = stateFromPrestate(loaded.prestate);
  const ex = await Executor.create(env, state, loaded.blockHashes);
  const ours: string[] = [];
  for (let i = 0; i <= n; i++) {
    if (i === n) ex.vm.evm.events!.on('step', (s: any, next: any) => { ours.push(`${s.depth} ${s.address} ${s.pc} ${s.opcode.name} ${s.gasLeft} ${s.opcode.name === "PUSH1" ? s.stack.slice(-2).join(",") : ""}`); next?.(); });
    const o = await ex.runOne(i);
    applyWrites(state, o.writes, i + 1);
  }
  for (let i = 0; i < Math.max(ours.length, refSteps.length); i++) {
    if (ours[i] !== refSteps[i]) {
      console.log("diverge at step", i); for (let j = Math.max(0, i - 30); j < i - 4; j++) console.log("   ", ours[j]);
      for (let j = Math.max(0, i - 4); j < i + 3; j++) console.log('ref ', refSteps[j], '\nours', ours[j]);
      return;
    }
  }
  console.log('same steps', ours.length);
}
main();
