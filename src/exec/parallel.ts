/**
 * The parallel executor: worker threads execute transactions over committed-prefix snapshots; the main thread commits
 * them in block order after validating, by value, every read against the state as of the transaction's position.
 * A stale read means re-execution over the exact prefix, so the result equals the sequential one whatever the oracle
 * says. The oracle only decides when a transaction is dispatched (see oracle.ts): with `static`, a transaction waits
 * until the transactions it is predicted to depend on have committed; with `none`, it runs as soon as a worker is
 * free (optimistic, Block-STM-like). Transactions of one sender are ordered in both modes.
 *
 * A worker that exits, throws, reports a failure or stays silent past `hangMs` fails the run with WORKER_FAILED.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { initCrypto } from '../chain/crypto.js';
import type { ForkOptions } from '../chain/fork.js';
import type { ChainBlock, Prestate } from '../chain/load.js';
import { PrescientError } from '../errors.js';
import type { BlockResult, Hex } from '../types.js';
import { beaconRootWrites, blockEnv, type TxOutcome } from './block.js';
import type { Oracle } from './oracle.js';
import type { FaultInjection, FromWorker, ToWorker } from './protocol.js';
import { finishBlock } from './result.js';
import { applyWrites, stateFromPrestate, type WriteSet } from './state.js';
import { stateRoot } from './trie.js';
import { validateReads } from './view.js';

export interface ParallelOptions extends ForkOptions {
  threads?: number;
  /** `null`: --oracle none. */
  oracle?: Oracle | null;
  /** Label for stats. */
  oracleName?: 'static' | 'none';
  /** Reuse workers across blocks (see WorkerPool); otherwise a pool is started and closed for this block. */
  pool?: WorkerPool;
  /** A worker silent this long while it has work fails the run (default 120 s). */
  hangMs?: number;
  /** Transactions in flight per worker (default 4): hides message latency and a busy main thread. */
  depth?: number;
  /** How many of those may be far ahead of the commit point (default 2). */
  farDepth?: number;
  /** Test only. */
  fault?: FaultInjection;
}

function workerScript(): string {
  // Compiled: next to this file. Under jest (TypeScript sources): the build output.
  const here = __filename.endsWith('.ts') ? resolve(__dirname, '../../dist/src/exec') : __dirname;
  const p = resolve(here, 'worker.js');
  if (!existsSync(p)) throw new Error(`worker script ${p} is missing: run \`npm run build\` first`);
  return p;
}

interface Slot {
  w: Worker;
  /** Transactions sent and not yet reported. */
  inflight: number;
  /** Committed write sets this worker has been sent. */
  synced: number;
  lastHeard: number;
}

export class WorkerPool {
  private slots: Slot[] = [];
  private listener: ((i: number, m: FromWorker) => void) | null = null;
  private failure: ((e: Error) => void) | null = null;
  private closed = false;

  private constructor(readonly size: number) {}

  static async start(size: number): Promise<WorkerPool> {
    const pool = new WorkerPool(size);
    const script = workerScript();
    for (let i = 0; i < size; i++) {
      const w = new Worker(script);
      const slot: Slot = { w, inflight: 0, synced: 0, lastHeard: performance.now() };
      w.on('message', (m: FromWorker) => {
        slot.lastHeard = performance.now();
        pool.listener?.(i, m);
      });
      w.on('error', (e) => pool.fail(new PrescientError('WORKER_FAILED', `worker ${i}`, `crashed: ${e.message}`)));
      w.on('exit', (code) => {
        if (!pool.closed) pool.fail(new PrescientError('WORKER_FAILED', `worker ${i}`, `exited with code ${code}`));
      });
      pool.slots.push(slot);
    }
    return pool;
  }

  private fail(e: Error): void {
    const f = this.failure;
    this.failure = null;
    this.listener = null;
    if (!this.closed) this.dead ??= e;
    if (f) f(e);
  }
  private dead: Error | null = null;

  /** After a failed run the workers' queues hold stale work: the pool refuses further blocks. */
  poison(e: Error): void {
    this.dead ??= e;
  }

  /** @internal */
  attach(listener: (i: number, m: FromWorker) => void, failure: (e: Error) => void): Slot[] {
    if (this.dead) throw this.dead;
    if (this.closed) throw new Error('worker pool is closed');
    this.listener = listener;
    this.failure = failure;
    return this.slots;
  }
  /** @internal */
  detach(): void {
    this.listener = null;
    this.failure = null;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.w.terminate()));
  }
}

export async function executeParallel(
  block: ChainBlock,
  prestate: Prestate,
  blockHashes: Map<bigint, Hex>,
  opts: ParallelOptions = {},
): Promise<BlockResult> {
  await initCrypto();
  const threads = opts.pool?.size ?? Math.max(1, opts.threads ?? 2);
  const tStart = performance.now();
  const pool = opts.pool ?? (await WorkerPool.start(threads));
  try {
    return await runOnPool(pool, block, prestate, blockHashes, opts, performance.now() - tStart);
  } finally {
    if (!opts.pool) await pool.close();
  }
}

async function runOnPool(
  pool: WorkerPool,
  block: ChainBlock,
  prestate: Prestate,
  blockHashes: Map<bigint, Hex>,
  opts: ParallelOptions,
  startMs: number,
): Promise<BlockResult> {
  const t0 = performance.now();
  const env = blockEnv(block, opts);
  const n = env.txs.length;
  const state = stateFromPrestate(prestate);
  const pre = beaconRootWrites(env, state);
  if (pre) applyWrites(state, pre, 0);

  // ---- dependencies: depMax[j] = the latest earlier transaction j must see committed before it runs ----
  const depMax = new Int32Array(n).fill(-1);
  const lastOfSender = new Map<string, number>();
  block.transactions.forEach((t, j) => {
    const from = typeof t.from === 'string' ? t.from.toLowerCase() : null;
    if (from !== null) {
      const p = lastOfSender.get(from);
      if (p !== undefined) depMax[j] = p;
      lastOfSender.set(from, j);
    }
  });
  // Transactions with a complete prediction may run far ahead of the commit point; the others (no prediction, an
  // incomplete one, or --oracle none) only within a window near it, where optimism rarely loses.
  const trusted = new Uint8Array(n);
  if (opts.oracle) addOracleDeps(opts.oracle, n, depMax, env.coinbase, trusted);

  const hangMs = opts.hangMs ?? 120_000;
  const outcomes: Array<{ o: TxOutcome; v: number } | undefined> = new Array(n);
  const committedOutcomes: TxOutcome[] = [];
  const log: WriteSet[] = [];
  const dispatched = new Uint8Array(n);
  const execCount = new Uint16Array(n);
  let executions = 0;
  let reExecutions = 0;
  let k = 0; // committed transactions
  let scan = 0; // lowest index not yet dispatched
  const urgent: number[] = []; // re-executions, before anything else
  const staleKeys = new Map<string, number>();
  let tRun = performance.now();
  let mainBusy = 0;
  let workerBusy = 0;
  /** Times a worker ran dry because no transaction was ready (dependencies not committed yet). */
  let starved = 0;
  let workerApply = 0;
  const workerSend: number[] = [];

  const result = await new Promise<void>((resolveRun, rejectRun) => {
    let finished = false;
    let ready = 0;
    let hangTimer: NodeJS.Timeout | null = null;
    const finish = (e?: Error) => {
      if (finished) return;
      finished = true;
      if (hangTimer) clearInterval(hangTimer);
      pool.detach();
      if (e) pool.poison(e);
      if (e) rejectRun(e);
      else resolveRun();
    };
    let slots: Slot[];
    const perWorker = opts.depth ?? 4;

    const farDepth = opts.farDepth ?? 2;
    /**
     * The next transaction for a worker that has `inflight` queued: re-executions first, then the lowest ready one.
     * Far-ahead (trusted) transactions only fill the first `farDepth` places of a worker's queue, so that the one at
     * the commit point, once its dependencies commit, does not queue behind them.
     */
    const nextFor = (inflight: number): number => {
      if (urgent.length > 0) return urgent.shift()!;
      while (scan < n && dispatched[scan]) scan++;
      const window = k + perWorker * slots.length;
      const far = inflight < farDepth;
      for (let j = scan; j < n; j++) {
        if (!dispatched[j] && depMax[j]! < k && (j < window || (far && trusted[j]))) return j;
      }
      return -1;
    };
    const dispatch = () => {
      for (let round = 0; round < perWorker; round++) {
        for (const s of slots) {
          if (s.inflight > round) continue;
          const j = nextFor(s.inflight);
          if (j < 0) {
            if (s.inflight === 0) starved++;
            return;
          }
          dispatched[j] = 1;
          execCount[j]!++;
          executions++;
          if (execCount[j]! > 1) reExecutions++;
          s.inflight++;
          const msg: ToWorker = { t: 'run', log: log.slice(s.synced, k), txs: [j] };
          s.synced = k;
          s.lastHeard = performance.now();
          s.w.postMessage(msg);
        }
      }
    };
    const tryCommit = () => {
      while (k < n) {
        const r = outcomes[k];
        if (r === undefined) return;
        if (r.v !== k) {
          const stale = validateReads(state, r.o.reads);
          if (stale !== null) {
            staleKeys.set(stale, (staleKeys.get(stale) ?? 0) + 1);
            outcomes[k] = undefined;
            urgent.push(k);
            return;
          }
        }
        if (r.o.error !== undefined) {
          throw new PrescientError('EXECUTION_FAILED', `block ${block.number} tx ${k}`, r.o.error.split('\n')[0]!);
        }
        applyWrites(state, r.o.writes, k + 1);
        log.push(r.o.writes);
        committedOutcomes.push(r.o);
        outcomes[k] = undefined;
        k++;
      }
    };
    const onMessage = (i: number, m: FromWorker) => {
      if (finished) return;
      const h0 = performance.now();
      try {
        if (m.t === 'fail') throw new PrescientError('WORKER_FAILED', `worker ${i}`, m.message.split('\n')[0]!);
        if (m.t === 'ready') {
          if (++ready === slots.length) {
            tRun = performance.now();
            if (n === 0) return finish();
            dispatch();
          }
          return;
        }
        const s = slots[i]!;
        s.inflight--;
        workerBusy += m.ms;
        workerApply += m.applyMs;
        workerSend[i] = m.sendMs;
        outcomes[m.o.index] = { o: m.o, v: m.v };
        tryCommit();
        if (k === n) return finish();
        dispatch();
      } catch (e) {
        finish(e as Error);
      } finally {
        mainBusy += performance.now() - h0;
      }
    };
    try {
      slots = pool.attach(onMessage, (e) => finish(e));
    } catch (e) {
      return finish(e as Error);
    }
    for (const s of slots) {
      s.inflight = 0;
      s.synced = 0;
      s.lastHeard = performance.now();
    }
    hangTimer = setInterval(() => {
      const now = performance.now();
      for (let i = 0; i < slots.length; i++) {
        const s = slots[i]!;
        if (s.inflight > 0 && now - s.lastHeard > hangMs) {
          finish(new PrescientError('WORKER_FAILED', `worker ${i}`, `no answer for ${Math.round(hangMs)} ms (hung)`));
        }
      }
    }, Math.min(1000, hangMs / 4));
    hangTimer.unref?.();
    slots.forEach((s, id) => {
      const init: ToWorker = { t: 'init', id, block, prestate, hashes: blockHashes, fork: { chain: opts.chain, fork: opts.fork }, fault: opts.fault };
      s.w.postMessage(init);
    });
    // While the workers load: the pre-state's trie, as a node would hold it (caches storage roots and hashed keys).
    stateRoot(state);
  });
  void result;
  const tDone = performance.now();

  const closed = finishBlock(env, state, committedOutcomes, n);
  const tEnd = performance.now();
  return {
    ...closed,
    stats: {
      threads: pool.size,
      oracle: opts.oracleName ?? (opts.oracle ? 'static' : 'none'),
      executions,
      reExecutions,
      wallMs: tEnd - tRun,
      loadMs: tRun - t0,
      startMs,
      txs: n,
      staleReads: [...staleKeys.values()].reduce((a, b) => a + b, 0),
      /** Main-thread time spent validating, committing and dispatching. */
      mainBusyMs: mainBusy,
      /** Summed worker time inside transactions. */
      workerBusyMs: workerBusy,
      finishMs: tEnd - tDone,
      starved,
      workerApplyMs: workerApply,
      workerSendMs: workerSend.reduce((a, b) => a + b, 0),
    },
  };
}
/** Turn predictions into depMax edges (see oracle.ts for the rules). */
function addOracleDeps(oracle: Oracle, n: number, depMax: Int32Array, coinbase: string, trusted: Uint8Array): void {
  const lastKey = new Map<string, number>(); // `${addr}|${what}` -> last predicted writer
  const lastAny = new Map<string, number>(); // addr -> last writer of anything
  const lastStar = new Map<string, number>(); // addr -> last '*' writer
  const keyOf = (what: bigint | string) => (typeof what === 'bigint' ? what.toString(16) : what);
  for (let j = 0; j < n; j++) {
    const p = oracle.predict(j);
    if (p === null) continue;
    if (p.complete) trusted[j] = 1;
    let d = depMax[j]!;
    const see = (addr: string, what: bigint | string, isWrite: boolean) => {
      const a = addr.toLowerCase();
      if (what === '*') {
        d = Math.max(d, lastAny.get(a) ?? -1);
        return;
      }
      // Balance credits commute: a balance write only matters to readers of the balance.
      if (isWrite && (what === 'balance' || what === 'nonce')) return;
      d = Math.max(d, lastKey.get(`${a}|${keyOf(what)}`) ?? -1, lastStar.get(a) ?? -1);
    };
    for (const [a, w] of p.reads) see(a, w, false);
    for (const [a, w] of p.writes) see(a, w, true);
    depMax[j] = d;
    for (const [addr, w] of p.writes) {
      const a = addr.toLowerCase();
      if (a === coinbase && w === 'balance') continue;
      lastAny.set(a, j);
      if (w === '*') lastStar.set(a, j);
      else lastKey.set(`${a}|${keyOf(w)}`, j);
    }
  }
}
