/**
 * The parallel executor. The main thread holds the committed state and executes transactions itself; `threads - 1`
 * worker threads each hold a copy of the committed state (advanced by the committed write sets, in block order) and
 * execute transactions over it speculatively. The main thread commits in block order after validating, by value,
 * every read of a speculative outcome against the state as of the transaction's position; a stale read means the
 * transaction runs again (on the main thread, at the commit point, where no validation is needed), so the result
 * equals the sequential one whatever the oracle says.
 *
 * Why the main thread executes: on 2 cores, a committing main thread plus 2 busy workers is 3 threads on 2 cores,
 * and the main thread's own work (validate, commit, forward write sets) is small. The transaction at the commit
 * point, when no worker has it, is executed by the main thread exactly (no validation, no message); otherwise the
 * main thread executes the next ready transaction speculatively, like a worker. Worker results are polled
 * synchronously (`receiveMessageOnPort`) between the main thread's own executions. With nothing ready, it takes back
 * a transaction a worker has queued but not started (a shared word per transaction says who runs it); with nothing
 * to take back either, it sleeps on a shared counter the workers bump after each message.
 *
 * The oracle only decides when a transaction is dispatched (see oracle.ts). Speculative executions run with a lazy
 * sender (view.ts): one sender's transactions do not wait for each other; the nonce and the balance sufficiency
 * runTx checks are validated at commit. Slots the oracle claims as deltas (oracle.ts, `deltas`) merge at commit when
 * their read is stale, under the conditions of `mergeDeltas`.
 *
 * A worker that exits, throws, reports a failure or stays silent past `hangMs` fails the run with WORKER_FAILED.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { initCrypto } from '../chain/crypto.js';
import type { ForkOptions } from '../chain/fork.js';
import type { ChainBlock, Prestate } from '../chain/load.js';
import { PrescientError } from '../errors.js';
import type { BlockResult, Hex } from '../types.js';
import { Executor, beaconRootWrites, blockEnv, receiptPart, type TxOutcome } from './block.js';
import type { DeltaClaim, Oracle } from './oracle.js';
import type { FaultInjection, FromWorker, RunTx, ToWorker } from './protocol.js';
import { Writer, decodeDone, encodeWriteLog, type LogItem } from './codec.js';
import { applyWithdrawals, assembleReceipts, blockResult } from './result.js';
import { applyWrites, stateFromPrestate, type WorldState, type WriteSet } from './state.js';
import { evalCheck, type ClaimTrace } from './taint.js';
import { stateRoot } from './trie.js';
import { transferCandidate, transfersApply } from './transfer.js';
import { senderFor, senderTable } from './senders.js';
import { validateReads } from './view.js';

export interface ParallelOptions extends ForkOptions {
  /** Executing threads, the main thread included (default 2); ignored when `pool` is given. */
  threads?: number;
  /** `null`: --oracle none. */
  oracle?: Oracle | null;
  /** Label for stats. */
  oracleName?: 'static' | 'none';
  /** Reuse workers across blocks (see WorkerPool); otherwise a pool is started and closed for this block. */
  pool?: WorkerPool;
  /** A worker silent this long while it has work fails the run (default 120 s). */
  hangMs?: number;
  /**
   * Transactions in flight per worker: hides message latency and the main thread's own executions. Default: adaptive,
   * enough for `FILL_MS` of the worker's measured time per transaction (see `queueDepth`).
   */
  depth?: number;
  /**
   * A worker is refilled (up to `depth`, in one message) once it has at most this many in flight. Default: adaptive,
   * what the worker runs in `REFILL_MS` (the main thread notices a low queue only between its own state accesses).
   */
  lowWater?: number;
  /** How many of those may be far ahead of the commit point (default: all when the main thread executes, else 2). */
  farDepth?: number;
  /** Let speculative executions assume their sender's nonce and balance sufficiency (default true; view.ts). */
  lazySenders?: boolean;
  /** Let the main thread take back work queued on a worker when it has nothing else to run (default true; `steal`). */
  steal?: boolean;
  /**
   * Commit beside the main thread's own speculative executions (`tryCommit`'s `beside`; default false: on this 2-core
   * host the worker's idle time went down, the block's wall time did not measurably, see BENCHMARKS.md).
   */
  commitBeside?: boolean;
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
  /** The worker's recent time per transaction (moving average), for the adaptive queue depth. */
  avgMs: number;
  /** The main thread's end of this worker's channel (polled synchronously). */
  port: MessagePort;
  /** Transactions sent and not yet reported. */
  inflight: number;
  /** Committed write sets this worker has been sent. */
  synced: number;
  /** Still recovering senders (senders.ts): sent no transactions until it reports. */
  recovering: boolean;
  lastHeard: number;
}

export class WorkerPool {
  /** Worker slots (threads - 1 when the main thread executes too). */
  slots: Slot[] = [];
  /** Bumped (and notified) by a worker after each message it posts. */
  readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private closed = false;
  private dead: Error | null = null;
  /** Blocks run so far (numbers each block's messages). */
  runs = 0;
  /** The run in progress: a block asked for meanwhile waits for it (the workers hold one block's state at a time). */
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    /** Executing threads, the main thread included when `mainExecutes`. */
    readonly size: number,
    readonly mainExecutes: boolean,
  ) {}

  /**
   * `threads` executing threads: the main thread and `threads - 1` workers (`mainExecutes: false`: `threads` workers,
   * the main thread only commits; kept for comparison).
   */
  static async start(threads: number, opts: { mainExecutes?: boolean } = {}): Promise<WorkerPool> {
    if (!Number.isInteger(threads) || threads < 1) throw new PrescientError('BAD_OPTION', 'threads', `expected an integer >= 1, got ${threads}`);
    const mainExecutes = opts.mainExecutes ?? true;
    const pool = new WorkerPool(threads, mainExecutes);
    const workers = mainExecutes ? pool.size - 1 : pool.size;
    const script = workers > 0 ? workerScript() : '';
    for (let i = 0; i < workers; i++) {
      const { port1, port2 } = new MessageChannel();
      // A larger young generation than the default: fewer scavenges in a thread that only executes transactions
      // (measured on gen-erc20-1000 at 2 threads: 354-360 ms -> 320-331 ms).
      const w = new Worker(script, {
        workerData: { port: port2, signal: pool.signal },
        transferList: [port2],
        resourceLimits: { maxYoungGenerationSizeMb: 48 },
      });
      const slot: Slot = { w, port: port1, avgMs: INITIAL_TX_MS, inflight: 0, synced: 0, recovering: false, lastHeard: performance.now() };
      w.on('error', (e) => pool.fail(new PrescientError('WORKER_FAILED', `worker ${i}`, `crashed: ${e.message}`)));
      w.on('exit', (code) => {
        if (!pool.closed) pool.fail(new PrescientError('WORKER_FAILED', `worker ${i}`, `exited with code ${code}`));
      });
      pool.slots.push(slot);
    }
    return pool;
  }

  private fail(e: Error): void {
    if (!this.closed) this.dead ??= e;
  }

  /** After a failed run the workers' queues hold stale work: the pool refuses further blocks. */
  poison(e: Error): void {
    this.dead ??= e;
  }

  /** @internal The failure that ended the pool, if any. */
  get failure(): Error | null {
    return this.dead;
  }

  /** @internal */
  check(): void {
    if (this.dead) throw this.dead;
    if (this.closed) throw new PrescientError('WORKER_FAILED', 'worker pool', 'closed');
  }

  /** @internal Runs `f` after every run asked for before it, one block at a time on this pool. */
  exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.tail.then(f, f);
    this.tail = run.catch(() => undefined);
    return run;
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
  const tStart = performance.now();
  const pool = opts.pool ?? (await WorkerPool.start(opts.threads ?? 2));
  try {
    const startMs = performance.now() - tStart;
    return await pool.exclusive(() => runOnPool(pool, block, prestate, blockHashes, opts, startMs));
  } finally {
    if (!opts.pool) await pool.close();
  }
}

/**
 * Adaptive worker queues. The main thread sees a worker's queue only when it polls (between its own state accesses,
 * ~0.3 ms apart on plain transfers), so a fixed depth either starves a worker of cheap transactions (measured: the
 * worker idle 25-30% of block 12300570 at depth 6 / low water 1) or queues too much far-ahead work of expensive ones.
 * Instead a worker is refilled while its queue still holds ~REFILL_MS of work, up to ~FILL_MS. REFILL_MS also covers
 * the main thread's own pauses between polls (a young-generation GC there takes 4-6 ms): measured on gen-erc20-1000,
 * 2.5 / 5 ms halved the worker's starved time against 1 / 2.5 ms (15 vs 30 ms), 4 / 8 ms gained nothing more.
 */
const REFILL_MS = 2.5;
const FILL_MS = 5;
const MIN_DEPTH = 2;
const MAX_DEPTH = 24;
/** Per worker, the smallest look-ahead for transactions without a complete prediction (the former fixed depth). */
const WINDOW_DEPTH = 6;
/** Transactions past the commit point looked at for one to take back from a worker. */
const STEAL_SCAN = 64;
/** Assumed time per transaction before a worker has reported any. */
const INITIAL_TX_MS = 0.3;
/** Weight of the newest report in the moving average. */
const AVG_WEIGHT = 0.2;
/**
 * The most write sets sent to a worker for the block's state root: cloning one costs this thread ~6 µs, about what
 * hashing its few accounts into the root costs (measured on 12300570: 687 write sets, 4 ms to send, 3 ms to hash).
 */
const ROOT_SHIP_MAX = 64;

/** [depth, low water] for a worker whose transactions take `avgMs` each. */
function queueDepth(avgMs: number): [number, number] {
  const per = Math.max(avgMs, 0.01);
  const depth = Math.min(MAX_DEPTH, Math.max(MIN_DEPTH, Math.ceil(FILL_MS / per)));
  return [depth, Math.min(depth - 1, Math.max(1, Math.ceil(REFILL_MS / per)))];
}

/** A binary min-heap of transaction indices. */
class MinHeap {
  private a: number[] = [];
  peek(): number {
    return this.a.length > 0 ? this.a[0]! : -1;
  }
  push(x: number): void {
    const a = this.a;
    let i = a.length;
    a.push(x);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= x) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }
  pop(): void {
    const a = this.a;
    const last = a.pop()!;
    if (a.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const c = l + 1 < a.length && a[l + 1]! < a[l]! ? l + 1 : l;
      if (a[c]! >= last) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
  }
}

/** A speculative outcome and the number of committed transactions in the state it ran on. */
interface Spec {
  o: TxOutcome;
  v: number;
  /** The worker slot that produced it and its number there (codec.ts `LogItem`); -1 for this thread's own. */
  from: number;
  seq: number;
}

/** A committed write set and, when a worker holds it exactly as committed, which worker and under what number. */
interface Committed {
  ws: WriteSet;
  from: number;
  seq: number;
}

const MAX_WORD = (1n << 256n) - 1n;

/**
 * Delta merge of slot writes whose read went stale (oracle.ts, `deltas`). The transaction read `r` and wrote `w`;
 * the committed value is now `c`. Merged only if the trace of the claim (taint.ts) shows one SLOAD, one SSTORE of
 * r + off, no other use of the value, and every comparison it made comes out the same for c as for r; the direction
 * matches the claimed kind and c +- |w - r| does not wrap; and the SSTORE gas class is unchanged, (r == 0, w == 0,
 * w == r) equal to (c == 0, new == 0, new == c), since EIP-2200 and pre-Istanbul SSTORE gas and refunds depend on
 * exactly these. Returns -1 (the caller re-executes) when any condition fails; otherwise rewrites the outcome's slot
 * writes in place and returns how many it merged.
 */
function mergeDeltas(state: WorldState, o: TxOutcome, claims: Map<string, Map<bigint, 'add' | 'sub'>>): number {
  const traces = new Map<string, ClaimTrace>();
  for (const c of o.claims ?? []) traces.set(`${c.address}|${c.slot.toString(16)}`, c);
  const pending: Array<[Array<[bigint, bigint]>, number, bigint]> = [];
  for (const [a, slots] of o.reads.storage) {
    const claimed = claims.get(a);
    if (claimed === undefined) continue;
    const acc = state.get(a);
    const st = acc !== undefined && acc.exists ? acc.storage : undefined;
    for (const [k, r] of slots) {
      const kind = claimed.get(k);
      if (kind === undefined) continue;
      const c = st?.get(k) ?? 0n;
      if (c === r) continue;
      const tr = traces.get(`${a}|${k.toString(16)}`);
      if (tr === undefined || tr.violated || tr.sloads !== 1 || tr.sstores !== 1 || tr.off === undefined) return -1;
      const ws = o.writes.storage.find(([wa]) => wa === a)?.[1];
      const wi = ws?.findIndex(([wk]) => wk === k) ?? -1;
      if (ws === undefined || wi < 0) return -1;
      const w = ws[wi]![1];
      if (((r + tr.off) & MAX_WORD) !== w) return -1;
      let next: bigint;
      if (kind === 'add') {
        if (w < r) return -1;
        next = c + (w - r);
        if (next > MAX_WORD) return -1;
      } else {
        if (w > r) return -1;
        next = c - (r - w);
        if (next < 0n) return -1;
      }
      if ((r === 0n) !== (c === 0n) || (w === 0n) !== (next === 0n) || (w === r) !== (next === c)) return -1;
      for (const ch of tr.checks) if (evalCheck(ch, r) !== evalCheck(ch, c)) return -1;
      pending.push([ws, wi, next]);
    }
  }
  for (const [ws, wi, next] of pending) ws[wi] = [ws[wi]![0], next];
  return pending.length;
}

/** Does the write set change any of `accounts` (its account fields or its storage)? */
function writesTouch(w: WriteSet, accounts: ReadonlySet<string>): boolean {
  for (const [a] of w.accounts) if (accounts.has(a)) return true;
  for (const [a] of w.storage) if (accounts.has(a)) return true;
  return false;
}

async function runOnPool(
  pool: WorkerPool,
  block: ChainBlock,
  prestate: Prestate,
  blockHashes: Map<bigint, Hex>,
  opts: ParallelOptions,
  startMs: number,
): Promise<BlockResult> {
  pool.check();
  const t0 = performance.now();
  const env = blockEnv(block, opts);
  const n = env.txs.length;
  const state = stateFromPrestate(prestate);
  const pre = beaconRootWrites(env, state);
  if (pre) applyWrites(state, pre, 0);
  const slots = pool.slots;
  const mainRuns = pool.mainExecutes;
  const lazySenders = opts.lazySenders ?? true;

  // ---- dependencies: depMax[j] = the latest earlier transaction j must see committed before it runs ----
  const depMax = new Int32Array(n).fill(-1);
  const senders: Array<string | null> = block.transactions.map((t) => (typeof t.from === 'string' ? t.from.toLowerCase() : null));
  // Lazy senders cover plain, access-list and fee-market transactions (block.ts, lazySenderOf): those need no edge to
  // their sender's previous transaction; the others stay ordered.
  const lazyOk = new Uint8Array(n);
  const lastOfSender = new Map<string, number>();
  for (let j = 0; j < n; j++) {
    const type = env.txs[j]!.type;
    lazyOk[j] = lazySenders && (type === 0 || type === 1 || type === 2) ? 1 : 0;
    const from = senders[j]!;
    if (from !== null) {
      const p = lastOfSender.get(from);
      if (p !== undefined && !lazyOk[j]) depMax[j] = p;
      lastOfSender.set(from, j);
    }
  }
  // Transactions with a complete prediction may run far ahead of the commit point; the others (no prediction, an
  // incomplete one, or --oracle none) only within a window near it, where optimism rarely loses.
  const trusted = new Uint8Array(n);
  const claims: Array<Map<string, Map<bigint, 'add' | 'sub'>> | null> = new Array(n).fill(null);
  const counted: Array<Array<[string, bigint]> | undefined> = new Array(n);
  if (opts.oracle) addOracleDeps(opts.oracle, n, depMax, env.coinbase, trusted, senders, lazyOk, claims, counted);
  // Plain transfers (transfer.ts) are not run speculatively: committed by the main thread at the commit point, without
  // runTx, they cost less than a worker's message about them.
  const plain = new Uint8Array(n);
  if (mainRuns && slots.length > 0 && transfersApply(env.common)) {
    for (let j = 0; j < n; j++) {
      if (opts.fault?.txIndex !== j && transferCandidate(env.txs[j]!, state)) plain[j] = 1;
    }
  }
  /** plainBefore[j]: plain transfers before index j. */
  const plainBefore = new Int32Array(n + 1);
  for (let j = 0; j < n; j++) plainBefore[j + 1] = plainBefore[j]! + plain[j]!;

  const hangMs = opts.hangMs ?? 120_000;
  const depthOf = (s: Slot): [number, number] => {
    const [d, l] = queueDepth(s.avgMs);
    const depth = opts.depth ?? d;
    return [depth, Math.min(depth - 1, opts.lowWater ?? l)];
  };
  // Far-ahead work only fills part of a worker's queue so that the commit point does not queue behind it; when the
  // main thread runs the commit point itself, that cannot happen.
  const farDepth = (depth: number) => opts.farDepth ?? (mainRuns ? depth : 2);
  const results: Array<Spec | undefined> = new Array(n);
  const committedOutcomes: TxOutcome[] = [];
  /** Committed write sets, by position; entries every worker has been sent are dropped (`dropSent`). */
  const log: Array<Committed | undefined> = [];
  const writer = new Writer();
  /** The log entries from `from` to `to` as worker `si` is to get them: its own outcomes by number. */
  const logFor = (si: number, from: number, to: number): Uint8Array => {
    const items: LogItem[] = new Array(to - from);
    for (let p = from; p < to; p++) {
      const c = log[p]!;
      items[p - from] = c.from === si ? c.seq : c.ws;
    }
    return encodeWriteLog(writer, items);
  };
  let logFloor = 0;
  /** 0: to run; 1: in flight on a worker or done, awaiting commit. */
  const dispatched = new Uint8Array(n);
  /**
   * Per transaction sent to a worker: 0 while it waits in the worker's queue, 1 once the worker has taken it, 2 once
   * the main thread has taken it back (`steal`); whoever swaps the 0 away runs it (protocol.ts, 'init').
   */
  const owned = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, n)));
  /** The worker slot a transaction waits or runs on, -1 for none. */
  const onWorker = new Int8Array(n).fill(-1);
  const stealing = mainRuns && (opts.steal ?? true);
  /** Transactions with dispatched[j] === 0. */
  let undispatched = n;
  /** After a void or failed speculative run: run at the commit point, on the main thread, without assumptions. */
  const strict = new Uint8Array(n);
  const execCount = new Uint16Array(n);
  let executions = 0;
  let reExecutions = 0;
  let merged = 0;
  let besideCommits = 0;
  const besideOn = opts.commitBeside === true;
  /** This thread runs a speculative execution (not the commit point): `tick` may commit beside it (`tryCommit`). */
  let speculating = false;
  let stolen = 0;
  let rejected = 0;
  let recovered = 0;
  let recoverMs = 0;
  let postMs = 0;
  let posts = 0;
  let k = 0; // committed transactions
  const staleKeys = new Map<string, number>();
  let mainBusy = 0;
  let mainExec = 0;
  let mainSpec = 0;
  let mainAt = 0;
  let workerBusy = 0;
  let idleMs = 0;
  let workerApply = 0;
  const workerSend: number[] = [];
  const workerStarved: number[] = [];

  // ---- start: workers load the block while the main thread builds its own executor and the pre-state's trie ----
  const signal = pool.signal;
  const runId = ++pool.runs;
  slots.forEach((s, id) => {
    s.inflight = 0;
    s.synced = 0;
    s.avgMs = INITIAL_TX_MS;
    s.lastHeard = performance.now();
    while (receiveMessageOnPort(s.port) !== undefined); // a previous run's leftovers (none after a clean run)
    const init: ToWorker = { t: 'init', id, run: runId, block, prestate, hashes: blockHashes, fork: { chain: opts.chain, fork: opts.fork }, owned, fault: opts.fault };
    s.port.postMessage(init);
  });
  const ex = await Executor.create(env, state, blockHashes);
  stateRoot(state); // the pre-state's trie, as a node would hold it (caches storage roots and hashed keys)

  // A worker failure poisons the pool; an invalid block does not (its leftover answers carry an old run number).
  const fail = (e: Error): never => {
    if (e instanceof PrescientError && e.code === 'WORKER_FAILED') pool.poison(e);
    throw e;
  };
  const inbox: Array<[number, FromWorker]> = [];
  const poll = (): void => {
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      for (;;) {
        const m = receiveMessageOnPort(s.port);
        if (m === undefined) break;
        s.lastHeard = performance.now();
        inbox.push([i, m.message as FromWorker]);
      }
    }
  };
  /** Sleep until a worker posts (or `ms` pass), then let the event loop deliver worker exits and errors. */
  const wait = async (ms: number): Promise<void> => {
    const seen = Atomics.load(signal, 0);
    poll();
    if (inbox.length === 0) {
      const w0 = performance.now();
      Atomics.wait(signal, 0, seen, ms);
      idleMs += performance.now() - w0;
    }
    await new Promise<void>((r) => setImmediate(r));
    if (pool.failure) fail(pool.failure);
  };
  const checkHang = () => {
    const now = performance.now();
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      if (s.inflight > 0 && now - s.lastHeard > hangMs) {
        fail(new PrescientError('WORKER_FAILED', `worker ${i}`, `no answer for ${Math.round(hangMs)} ms (hung)`));
      }
    }
  };
  let ready = 0;
  while (ready < slots.length) {
    await wait(Math.min(1000, hangMs));
    for (const [i, m] of inbox.splice(0)) {
      if (m.t === 'fail') fail(new PrescientError('WORKER_FAILED', `worker ${i}`, m.message.split('\n')[0]!));
      if (m.t === 'ready' && m.run === runId) ready++;
    }
    const now = performance.now();
    for (let i = 0; i < slots.length; i++) {
      if (now - slots[i]!.lastHeard > hangMs) fail(new PrescientError('WORKER_FAILED', `worker ${i}`, `no answer for ${Math.round(hangMs)} ms (hung)`));
    }
  }
  const tRun = performance.now();
  const cpu0 = process.cpuUsage();
  idleMs = 0; // the wait for the workers' start-up is not the run's
  // The workers recover every sender first (senders.ts), meanwhile this thread executes from the start of the block at
  // the commit point, exactly; it recovers a chunk itself only when it catches up with them.
  const table = senderTable(n);
  for (const s of slots) {
    s.recovering = true;
    s.port.postMessage({ t: 'recover', run: runId, table } satisfies ToWorker);
  }
  const ensureSender = (j: number) => {
    recovered += senderFor(env.txs, table, j);
  };

  // ---- scheduling ----
  // Ready transactions (dependencies committed) in two min-heaps by index: trusted ones may run far ahead, the others
  // only within the window. A transaction enters its heap once k passes its depMax (bucketed, so each enters once);
  // the commit point is handled apart (the main thread runs it, or `dispatch` sends it first without one).
  const buckets: number[][] = Array.from({ length: n + 1 }, () => []);
  for (let j = 0; j < n; j++) buckets[depMax[j]! + 1]!.push(j);
  const heapT = new MinHeap();
  const heapU = new MinHeap();
  let released = 0;
  const top = (h: MinHeap): number => {
    for (;;) {
      const j = h.peek();
      if (j < 0 || (!dispatched[j] && !strict[j] && j > k)) return j;
      h.pop();
    }
  };
  /** The lowest ready transaction after the commit point, or -1. */
  const nextReady = (inflight: number, depth: number, notFault: boolean): number => {
    while (released <= k && released <= n) {
      for (const j of buckets[released]!) if (!plain[j]) (trusted[j] ? heapT : heapU).push(j);
      released++;
    }
    // Transactions without a complete prediction stay within a window near the commit point: as wide as the queues,
    // and never narrower than the fixed depth it was tuned with (WINDOW_DEPTH per worker). Plain transfers in between
    // do not count: the main thread commits them in microseconds, so a window of them is no distance at all.
    let queued = 0;
    for (const s of slots) queued += Math.max(WINDOW_DEPTH, depthOf(s)[0]);
    const width = queued + 4;
    const within = (j: number) => j - k - (plainBefore[j]! - plainBefore[k]!) < width;
    const u = top(heapU);
    const t = top(heapT);
    const okU = u >= 0 && within(u);
    const okT = t >= 0 && (within(t) || inflight < farDepth(depth));
    const j = okU && okT ? Math.min(u, t) : okU ? u : okT ? t : -1;
    if (j >= 0 && notFault && opts.fault?.txIndex === j) {
      // Only a worker may run the injected fault: look past it, then put it back.
      const h = trusted[j] ? heapT : heapU;
      h.pop();
      const next = nextReady(inflight, depth, notFault);
      h.push(j);
      return next;
    }
    return j;
  };
  const count = (j: number) => {
    execCount[j]!++;
    executions++;
    if (execCount[j]! > 1) reExecutions++;
  };
  const specRun = (j: number): RunTx => ({ i: j, lazy: lazyOk[j] === 1, counted: counted[j] });
  /** Refill workers at or below the low-water mark, up to `depth`, one message each (fewer messages, same depth). */
  const dispatch = () => {
    for (let si = 0; si < slots.length; si++) {
      const s = slots[si]!;
      const [depth, lowWater] = depthOf(s);
      if (s.inflight > lowWater || s.recovering) continue;
      const txs: RunTx[] = [];
      // Near the end of the block, a deep queue would leave the main thread idle while a worker still holds work:
      // one refill takes at most an even share of what is left.
      const share = mainRuns ? Math.ceil(undispatched / (slots.length + 1)) : n;
      while (s.inflight < depth && txs.length < share) {
        // The commit point goes to a worker only without a main executor (or for an injected fault).
        const j = k < n && !dispatched[k] && (!mainRuns || opts.fault?.txIndex === k) ? k : nextReady(s.inflight, depth, false);
        if (j < 0) break;
        dispatched[j] = 1;
        undispatched--;
        count(j);
        s.inflight++;
        Atomics.store(owned, j, 0);
        onWorker[j] = si;
        txs.push(strict[j] ? { i: j, lazy: false } : specRun(j));
      }
      if (txs.length === 0) continue;
      const msg: ToWorker = { t: 'run', log: logFor(si, s.synced, k), txs };
      s.synced = k;
      dropSent();
      const p0 = performance.now();
      s.lastHeard = p0;
      s.port.postMessage(msg);
      postMs += performance.now() - p0;
      posts++;
    }
  };
  /**
   * A transaction waiting in a worker's queue, taken back by the main thread, which would otherwise sleep until the
   * worker answers: the lowest one the worker has not started. The worker runs its queue lowest first, so this is the
   * one it would run next; taking a far one instead was slower (gen-mix-1000: best 450-476 ms against 390-421 ms).
   */
  const steal = (): number => {
    const end = Math.min(n, k + STEAL_SCAN);
    for (let j = k; j < end; j++) {
      const w = onWorker[j]!;
      if (w < 0 || opts.fault?.txIndex === j) continue;
      if (Atomics.compareExchange(owned, j, 0, 2) !== 0) continue;
      onWorker[j] = -1;
      slots[w]!.inflight--;
      stolen++;
      return j;
    }
    return -1;
  };
  /** Write sets every worker already holds are only garbage: let them die before the block ends. */
  const dropSent = () => {
    let floor = k;
    for (const s of slots) floor = Math.min(floor, s.synced);
    while (logFloor < floor) log[logFloor++] = undefined;
  };
  const invalidate = (j: number, why: string, makeStrict: boolean) => {
    staleKeys.set(why, (staleKeys.get(why) ?? 0) + 1);
    results[j] = undefined;
    dispatched[j] = 0;
    undispatched++;
    if (makeStrict) strict[j] = 1;
  };
  /** `from`, `seq`: see `Committed` (-1 when the write set is this thread's or changed here). */
  const commit = (o: TxOutcome, from: number, seq: number) => {
    applyWrites(state, o.writes, k + 1);
    log.push({ ws: o.writes, from, seq });
    committedOutcomes.push(receiptPart(o));
    results[k] = undefined;
    k++;
  };
  /**
   * Commit every ready outcome at the commit point; a stale one goes back to be run again.
   *
   * `beside` (commitBeside): called from `tick` while this thread runs a speculative execution of its own, which has
   * reached the accounts in `beside` (view.ts `touched`). Only outcomes that commit as they are (nothing stale, no
   * failure, deltas that merge) and whose write sets touch none of those accounts; anything else is left for the
   * loop. Without it, a worker whose next transactions wait for these commits sat idle until the execution ended
   * (gen-mix-1000: gaps of 2-17 ms, ~100-170 ms per block). The execution stays valid: what it reads from here on it
   * reads after these commits, and its reads are validated at its own commit as always.
   */
  const tryCommit = (beside?: ReadonlySet<string>) => {
    while (k < n) {
      const r = results[k];
      if (r === undefined) return;
      const o = r.o;
      if (beside !== undefined && (o.error !== undefined || o.lazyBroken || writesTouch(o.writes, beside))) return;
      if (o.error !== undefined && strict[k] && r.v === k) {
        fail(new PrescientError('EXECUTION_FAILED', `block ${block.number} tx ${k}`, o.error.split('\n')[0]!));
      }
      // A speculative run that failed, or looked at an assumed value, is redone at its position without assumptions.
      if (o.lazyBroken || o.error !== undefined) return invalidate(k, o.lazyBroken ? 'lazy-broken' : 'error', true);
      // Always validated, even a run on the exact prefix: a lazy sender's nonce and balance were assumptions.
      const cl = claims[k];
      const stale = validateReads(state, o.reads, cl ?? undefined);
      if (stale !== null) return beside !== undefined ? undefined : invalidate(k, stale, false);
      if (cl !== null) {
        const m = mergeDeltas(state, o, cl);
        if (m < 0) {
          if (beside !== undefined) return;
          rejected++;
          return invalidate(k, 'delta', true);
        }
        merged += m;
        // Merged in place: the worker's copy of the write set is no longer the one committed.
        if (m > 0) r.from = -1;
      }
      commit(o, r.from, r.seq);
      if (beside !== undefined) besideCommits++;
    }
  };
  const handle = (i: number, m: FromWorker) => {
    if (m.t === 'fail') fail(new PrescientError('WORKER_FAILED', `worker ${i}`, m.message.split('\n')[0]!));
    if (m.t === 'recovered' && m.run === runId) {
      slots[i]!.recovering = false;
      recoverMs = Math.max(recoverMs, performance.now() - tRun);
      return;
    }
    if (m.t !== 'done' || m.run !== runId) return;
    const { head, o } = decodeDone(m.b, m.rest);
    const s = slots[i]!;
    s.inflight--;
    onWorker[o.index] = -1;
    s.avgMs += AVG_WEIGHT * (head.ms - s.avgMs);
    workerBusy += head.ms;
    workerApply += head.applyMs;
    workerSend[i] = head.sendMs;
    workerStarved[i] = head.starvedMs;
    results[o.index] = { o, v: head.v, from: i, seq: head.seq };
  };

  // While the main thread executes, worker answers are collected and workers refilled every few state accesses;
  // commits wait until the execution is over (they would change the state it runs on), except, with `commitBeside`,
  // ones that touch nothing a speculative execution has reached.
  // A worker's failure report stays in the inbox for the loop (throwing here would end up in the execution's result).
  let tickSeen = -1;
  ex.view.trackTouched = besideOn;
  ex.view.tick = () => {
    // Nothing posted since the last tick (workers bump the signal after each message): nothing to handle or refill.
    const sig = Atomics.load(signal, 0);
    if (sig === tickSeen) return;
    tickSeen = sig;
    const h0 = performance.now();
    poll();
    if (inbox.every(([, m]) => m.t === 'done' || m.t === 'recovered')) {
      for (const [i, m] of inbox.splice(0)) handle(i, m);
      if (speculating && besideOn) tryCommit(ex.view.touched);
      dispatch();
    }
    mainBusy += performance.now() - h0;
  };
  /** Runs the commit point exactly (no assumptions, nothing to validate) and commits it. */
  const runAtCommitPoint = async () => {
    const e0 = performance.now();
    ensureSender(k);
    const o = await ex.runOne(k, { fast: true });
    mainExec += performance.now() - e0;
    mainAt++;
    if (o.error !== undefined) {
      fail(new PrescientError('EXECUTION_FAILED', `block ${block.number} tx ${k}`, o.error.split('\n')[0]!));
    }
    commit(o, -1, 0);
  };
  let lastHangCheck = performance.now();
  while (k < n) {
    const h0 = performance.now();
    poll();
    for (const [i, m] of inbox.splice(0)) handle(i, m);
    tryCommit();
    if (k === n) break;
    dispatch();
    mainBusy += performance.now() - h0;
    if (h0 - lastHangCheck > 250) {
      lastHangCheck = h0;
      checkHang();
      if (pool.failure) fail(pool.failure);
    }
    if (mainRuns) {
      // The commit point, when nobody has it: exact, committed at once. Otherwise the next ready one, speculatively.
      if (!dispatched[k] && opts.fault?.txIndex !== k) {
        dispatched[k] = 1;
        undispatched--;
        count(k);
        await runAtCommitPoint();
        continue;
      }
      let j = nextReady(0, MIN_DEPTH, true);
      if (j >= 0) {
        dispatched[j] = 1;
        undispatched--;
        count(j);
      } else if (stealing) {
        // Nothing ready: rather than sleep until a worker answers, take back what a worker has queued (measured on
        // gen-mix-1000, 4 alternations of 10 rounds: the main thread's sleep 114-125 -> 15-20 ms per block, best
        // wall time 434-461 -> 398-445 ms). Already counted as an execution when it was sent.
        j = steal();
        if (j === k) {
          await runAtCommitPoint();
          continue;
        }
      }
      if (j >= 0) {
        const e0 = performance.now();
        const run = specRun(j);
        ensureSender(j);
        // The prefix it started on: commits beside it (`tryCommit`) may advance k before it ends.
        const v = k;
        speculating = true;
        let o: TxOutcome;
        try {
          o = await ex.runOne(j, { lazySender: run.lazy, counted: run.counted });
        } finally {
          speculating = false;
        }
        mainExec += performance.now() - e0;
        mainSpec++;
        results[j] = { o, v, from: -1, seq: 0 };
        continue;
      }
    }
    await wait(50);
  }
  ex.view.tick = null;
  ex.view.trackTouched = false;
  const tDone = performance.now();

  // ---- close: a worker computes the post-state root (from its copy of the state) while this thread builds the
  // receipts; without an idle worker (one still running a stale speculative transaction), or when the write sets a
  // worker still lacks would cost more to send than the root to compute (a block of plain transfers, committed here
  // without ever syncing a worker), this thread does both ----
  const helper = slots.find((s) => s.inflight === 0 && n - s.synced <= ROOT_SHIP_MAX);
  let root: Uint8Array | null = null;
  if (helper !== undefined) {
    const msg: ToWorker = { t: 'root', run: runId, log: logFor(slots.indexOf(helper), helper.synced, n) };
    helper.synced = n;
    helper.lastHeard = performance.now();
    helper.port.postMessage(msg);
  }
  applyWithdrawals(env, state, n);
  const receipts = assembleReceipts(env, committedOutcomes);
  if (helper === undefined) root = stateRoot(state);
  while (root === null) {
    for (const [i, m] of inbox.splice(0)) {
      if (m.t === 'fail') fail(new PrescientError('WORKER_FAILED', `worker ${i}`, m.message.split('\n')[0]!));
      if (m.t === 'root' && m.run === runId) root = m.root;
    }
    if (root !== null) break;
    if (performance.now() - helper!.lastHeard > hangMs) {
      fail(new PrescientError('WORKER_FAILED', `worker ${slots.indexOf(helper!)}`, `no answer for ${Math.round(hangMs)} ms (hung)`));
    }
    await wait(50);
  }
  const closed = blockResult(env, receipts, root);
  const tEnd = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return {
    ...closed,
    stats: {
      threads: pool.size,
      oracle: opts.oracleName ?? (opts.oracle ? 'static' : 'none'),
      executions,
      reExecutions,
      wallMs: tEnd - tRun,
      /** CPU time of the whole process (every thread) over wallMs: what the block cost beyond its wall time. */
      cpuMs: (cpu.user + cpu.system) / 1000,
      loadMs: tRun - t0,
      startMs,
      txs: n,
      /** Plain ETH transfers the main thread committed without runTx (transfer.ts). */
      transfers: ex.fastTransfers,
      /** Senders this thread recovered itself (the workers recovered the rest, senders.ts). */
      mainRecovered: recovered,
      /** When the last worker finished recovering senders, from the start. */
      recoverMs,
      staleReads: [...staleKeys.values()].reduce((a, b) => a + b, 0),
      /** Why outcomes were re-executed, by kind of stale read (b: balance, n: nonce, s: slot, lazy-broken, ...). */
      staleKinds: [...[...staleKeys].reduce((m, [key, c]) => m.set(key.split(':')[0]!, (m.get(key.split(':')[0]!) ?? 0) + c), new Map<string, number>())]
        .map(([kind, c]) => `${kind} ${c}`)
        .join(', '),
      /** The most frequent stale keys (for diagnosis). */
      staleTop: [...staleKeys]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 3)
        .map(([key, c]) => `${key} ${c}`)
        .join(', '),
      /** Transactions the main thread took back from a worker's queue instead of sleeping. */
      stolen,
      /** Outcomes committed with a delta merge instead of a re-execution. */
      deltaMerges: merged,
      /** Outcomes committed from a tick, beside one of this thread's own speculative executions (`tryCommit`). */
      besideCommits,
      /** Outcomes whose stale delta-claimed read could not merge (re-executed). */
      deltaRejected: rejected,
      /** Main-thread time spent validating, committing and dispatching. */
      mainBusyMs: mainBusy,
      /** Main-thread time executing transactions, and how many it executed speculatively. */
      mainExecMs: mainExec,
      mainSpeculative: mainSpec,
      mainAtCommitPoint: mainAt,
      /** Main-thread time asleep waiting for a worker. */
      idleMs,
      /** Summed worker time inside transactions. */
      workerBusyMs: workerBusy,
      finishMs: tEnd - tDone,
      workerApplyMs: workerApply,
      /** Main-thread time in postMessage to workers, and how many messages. */
      postMs,
      posts,
      workerSendMs: workerSend.reduce((a, b) => a + (b ?? 0), 0),
      /** Worker time with nothing queued (waiting for the main thread to send work), summed over workers. */
      workerStarvedMs: workerStarved.reduce((a, b) => a + (b ?? 0), 0),
    },
  };
}

/**
 * Turn predictions into depMax edges (see oracle.ts for the rules), and collect the delta claims. A lazy sender's
 * own balance and nonce are checked at commit, so predicted accesses to them add no edge.
 */
function addOracleDeps(
  oracle: Oracle,
  n: number,
  depMax: Int32Array,
  coinbase: string,
  trusted: Uint8Array,
  senders: Array<string | null>,
  lazyOk: Uint8Array,
  claims: Array<Map<string, Map<bigint, 'add' | 'sub'>> | null>,
  counted: Array<Array<[string, bigint]> | undefined>,
): void {
  const lastKey = new Map<string, number>(); // `${addr}|${what}` -> last predicted writer
  const lastAbs = new Map<string, number>(); // the same, writers that do not merely delta the slot
  const lastAny = new Map<string, number>(); // addr -> last writer of anything
  const lastStar = new Map<string, number>(); // addr -> last '*' writer
  const keyOf = (what: bigint | string) => (typeof what === 'bigint' ? what.toString(16) : what);
  for (let j = 0; j < n; j++) {
    const p = oracle.predict(j);
    if (p === null) continue;
    if (p.complete) trusted[j] = 1;
    const deltaKeys = new Set<string>();
    if (p.deltas !== undefined && p.deltas.length > 0) {
      const m = new Map<string, Map<bigint, 'add' | 'sub'>>();
      const list: Array<[string, bigint]> = [];
      for (const [addr, slot, kind] of p.deltas as DeltaClaim[]) {
        const a = addr.toLowerCase();
        let s = m.get(a);
        if (s === undefined) m.set(a, (s = new Map()));
        if (s.has(slot) && s.get(slot) !== kind) continue;
        s.set(slot, kind);
        list.push([a, slot]);
        deltaKeys.add(`${a}|${keyOf(slot)}`);
      }
      claims[j] = m;
      counted[j] = list;
    }
    const self = lazyOk[j] ? senders[j] : null;
    let d = depMax[j]!;
    const see = (addr: string, what: bigint | string, isWrite: boolean) => {
      const a = addr.toLowerCase();
      if (what === '*') {
        d = Math.max(d, lastAny.get(a) ?? -1);
        return;
      }
      if (a === self && (what === 'balance' || what === 'nonce')) return;
      // Balance credits commute: a balance write only matters to readers of the balance.
      if (isWrite && (what === 'balance' || what === 'nonce')) return;
      const key = `${a}|${keyOf(what)}`;
      // Two transactions that only delta a slot do not wait for each other.
      const last = deltaKeys.has(key) ? lastAbs.get(key) : lastKey.get(key);
      d = Math.max(d, last ?? -1, lastStar.get(a) ?? -1);
    };
    for (const [a, w] of p.reads) see(a, w, false);
    for (const [a, w] of p.writes) see(a, w, true);
    depMax[j] = d;
    for (const [addr, w] of p.writes) {
      const a = addr.toLowerCase();
      if (a === coinbase && w === 'balance') continue;
      lastAny.set(a, j);
      if (w === '*') lastStar.set(a, j);
      else {
        const key = `${a}|${keyOf(w)}`;
        lastKey.set(key, j);
        if (!deltaKeys.has(key)) lastAbs.set(key, j);
      }
    }
  }
}
