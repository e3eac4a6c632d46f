/**
 * A parallel-executor worker: holds a copy of the committed state (prestate + every committed write set, in block
 * order) and executes the transactions it is sent over it, never over its own speculative results. It talks over the
 * MessageChannel port it was started with, and bumps the shared signal after each message so that a sleeping main
 * thread wakes up (parallel.ts).
 *
 * Between two executions it takes every message waiting on its port (synchronously): committed write sets are applied
 * at once (a transaction then runs on the newest committed prefix it can), and of the transactions it holds it runs
 * the lowest index first, so the one the commit point waits for does not queue behind work far ahead.
 */
import '../util/flat-exports.js'; // first: before @ethereumjs loads (see there)
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { initCrypto } from '../chain/crypto.js';
import { Executor, beaconRootWrites, blockEnv, withdrawalWrites } from './block.js';
import { Writer, decodeWriteLog, encodeDone, outcomeRest } from './codec.js';
import type { FaultInjection, FromWorker, RunTx, ToWorker } from './protocol.js';
import { recoverShare, senderFor, type SenderTable } from './senders.js';
import { applyWrites, stateFromPrestate, type WorldState, type WriteSet } from './state.js';
import { stateRoot } from './trie.js';

const port = (workerData as { port: MessagePort }).port;
const signal = (workerData as { signal: Int32Array }).signal;
let ex: Executor | null = null;
let state: WorldState | null = null;
/** Committed transactions reflected in `state`. */
let committed = 0;
let fault: FaultInjection | undefined;
/** This block's ownership words (protocol.ts, 'init'). */
let owned: Int32Array | null = null;
let run = -1;
const queue: ToWorker[] = [];
/** Transactions received and not yet executed (this block's). */
let pending: RunTx[] = [];
/** This block's sender table (senders.ts), once the main thread has asked for recovery. */
let senders: SenderTable | null = null;
let busy = false;
let applyMs = 0;
let sendMs = 0;
/** Time with nothing to execute (waiting for the main thread), since init. */
let starvedMs = 0;
let idleSince = -1;
/** Write sets of this block's outcomes, by the number they were sent under, until the main thread commits them. */
let mine = new Map<number, WriteSet>();
let seq = 0;
const writer = new Writer();

const send = (m: FromWorker) => {
  port.postMessage(m);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
};

/** Control messages and write sets, in arrival order; transactions go to `pending`. */
async function accept(m: ToWorker): Promise<void> {
  if (m.t === 'init') {
    const t0 = performance.now();
    pending = [];
    senders = null;
    mine = new Map();
    await initCrypto();
    const env = blockEnv(m.block, m.fork);
    state = stateFromPrestate(m.prestate);
    const pre = beaconRootWrites(env, state);
    if (pre) applyWrites(state, pre, 0);
    committed = 0;
    sendMs = 0;
    applyMs = 0;
    starvedMs = 0;
    fault = m.fault;
    owned = m.owned;
    run = m.run;
    ex = await Executor.create(env, state, m.hashes);
    // The pre-state's trie, as on the main thread: caches the storage roots the block close ('root') will not redo.
    stateRoot(state);
    send({ t: 'ready', id: m.id, run, ms: performance.now() - t0 });
    return;
  }
  if (m.t === 'close') {
    ex = null;
    state = null;
    pending = [];
    senders = null;
    mine = new Map();
    return;
  }
  if (m.t === 'recover') {
    if (m.run === run && ex !== null) {
      senders = m.table;
      recoverShare(ex.env.txs, senders);
      send({ t: 'recovered', run });
    }
    return;
  }
  if (ex === null || state === null) throw new Error('worker: run before init');
  const a0 = performance.now();
  for (const item of decodeWriteLog(m.log)) {
    let w: WriteSet | undefined;
    if (typeof item === 'number') {
      w = mine.get(item);
      if (w === undefined) throw new Error(`worker: committed outcome ${item} is not held`);
      mine.delete(item);
    } else w = item;
    applyWrites(state, w, ++committed);
  }
  applyMs += performance.now() - a0;
  if (m.t === 'root') {
    pending = [];
    mine = new Map();
    const post = withdrawalWrites(ex.env);
    if (post) applyWrites(state, post, committed + 1);
    send({ t: 'root', run: m.run, root: stateRoot(state), ms: performance.now() - a0 });
    return;
  }
  for (const t of m.txs) pending.push(t);
}

async function execute(t: RunTx): Promise<void> {
  const { i, lazy, counted } = t;
  if (fault !== undefined && fault.txIndex === i) {
    if (fault.kind === 'exit') process.exit(3);
    if (fault.kind === 'throw') throw new Error(`injected fault at tx ${i}`);
    // 'hang': a busy loop that never yields.
    for (;;);
  }
  const t0 = performance.now();
  if (senders !== null) senderFor(ex!.env.txs, senders, i);
  const o = await ex!.runOne(i, { lazySender: lazy, counted });
  const t1 = performance.now();
  const s = ++seq;
  // Only an outcome without a failure can be committed as it is (parallel.ts): its write set may come back as `s`.
  if (o.error === undefined && o.lazyBroken === undefined) mine.set(s, o.writes);
  const b = encodeDone(writer, { v: committed, seq: s, ms: t1 - t0, applyMs, sendMs, starvedMs }, o);
  const rest = outcomeRest(o);
  send(rest === undefined ? { t: 'done', run, b } : { t: 'done', run, b, rest });
  sendMs += performance.now() - t1;
  applyMs = 0;
}

async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    for (;;) {
      for (;;) {
        const r = receiveMessageOnPort(port);
        if (r === undefined) break;
        queue.push(r.message as ToWorker);
      }
      while (queue.length > 0) await accept(queue.shift()!);
      if (pending.length === 0) break;
      let best = 0;
      for (let j = 1; j < pending.length; j++) if (pending[j]!.i < pending[best]!.i) best = j;
      const t = pending[best]!;
      pending[best] = pending[pending.length - 1]!;
      pending.pop();
      // Taken back by the main thread (or a second copy of one this worker already ran): skipped without an answer.
      if (owned !== null && Atomics.compareExchange(owned, t.i, 0, 1) !== 0) continue;
      await execute(t);
    }
    idleSince = performance.now();
  } catch (e) {
    send({ t: 'fail', message: (e as Error)?.stack ?? String(e) });
  } finally {
    busy = false;
  }
}

port.on('message', (m: ToWorker) => {
  if (idleSince >= 0 && m.t === 'run') starvedMs += performance.now() - idleSince;
  idleSince = -1;
  queue.push(m);
  void pump();
});
