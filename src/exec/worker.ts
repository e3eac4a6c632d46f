/**
 * A parallel-executor worker: holds a copy of the committed state (prestate + every committed write set, in block
 * order) and executes the transactions it is sent over it, never over its own speculative results.
 */
import { parentPort } from 'node:worker_threads';
import { initCrypto } from '../chain/crypto.js';
import { Executor, beaconRootWrites, blockEnv } from './block.js';
import type { FaultInjection, FromWorker, ToWorker } from './protocol.js';
import { applyWrites, stateFromPrestate, type WorldState } from './state.js';

const port = parentPort!;
let ex: Executor | null = null;
let state: WorldState | null = null;
/** Committed transactions reflected in `state`. */
let committed = 0;
let fault: FaultInjection | undefined;
const queue: ToWorker[] = [];
let busy = false;

const send = (m: FromWorker) => port.postMessage(m);

async function handle(m: ToWorker): Promise<void> {
  if (m.t === 'init') {
    const t0 = performance.now();
    await initCrypto();
    const env = blockEnv(m.block, m.fork);
    state = stateFromPrestate(m.prestate);
    const pre = beaconRootWrites(env, state);
    if (pre) applyWrites(state, pre, 0);
    committed = 0;
    fault = m.fault;
    ex = await Executor.create(env, state, m.hashes);
    send({ t: 'ready', id: m.id, ms: performance.now() - t0 });
    return;
  }
  if (m.t === 'close') {
    ex = null;
    state = null;
    return;
  }
  if (ex === null || state === null) throw new Error('worker: run before init');
  for (const w of m.log) applyWrites(state, w, ++committed);
  for (const i of m.txs) {
    if (fault !== undefined && fault.txIndex === i) {
      if (fault.kind === 'exit') process.exit(3);
      if (fault.kind === 'throw') throw new Error(`injected fault at tx ${i}`);
      // 'hang': a busy loop that never yields.
      for (;;);
    }
    const t0 = performance.now();
    const o = await ex.runOne(i);
    send({ t: 'done', o, v: committed, ms: performance.now() - t0 });
  }
}

async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    while (queue.length > 0) await handle(queue.shift()!);
  } catch (e) {
    send({ t: 'fail', message: (e as Error)?.stack ?? String(e) });
  } finally {
    busy = false;
  }
}

port.on('message', (m: ToWorker) => {
  queue.push(m);
  void pump();
});
