/**
 * `node dist/bench/ceiling.js [--rounds 12] [--warmup 4] [--blocks a,b] [--write]`
 *
 * What two threads can give at most on this machine, measured without any executor: the sequential mode runs a block
 * alone on the main thread, then the same block runs on the main thread and on a worker thread at the same time, each
 * a full independent copy (no messages, no validation, no shared state). The throughput of the pair over the one alone
 * is the ceiling of any 2-thread schedule of that workload on this engine and this machine: a parallel executor also
 * validates, commits and talks between threads. Two kernels show why the pair is slower per thread: a loop on
 * registers, and one on memory. With --write, replaces the section between `<!-- ceiling:begin -->` and
 * `<!-- ceiling:end -->` of BENCHMARKS.md.
 */
import '../src/util/flat-exports.js'; // first, as in the CLI: before @ethereumjs loads
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadBlockDir } from '../src/chain/load.js';
import { executeSequential } from '../src/exec/index.js';
import { checkOptions, intOption } from '../src/cli/args.js';
import { PrescientError } from '../src/errors.js';
import { replaceSection } from '../src/report/markdown.js';
import { generatedBlocks } from './generated.js';

interface Job {
  dir: string;
  rounds: number;
  warmup: number;
  /** Shared: [threads ready after warm-up]; both start timing once it reaches 2. */
  barrier: Int32Array | null;
}

/** Timed wall times (ms) of the sequential mode on `dir`, after `warmup` untimed runs. */
async function seqLoop(job: Job): Promise<number[]> {
  const b = loadBlockDir(job.dir);
  for (let i = 0; i < job.warmup; i++) await executeSequential(b.block, b.prestate, b.blockHashes);
  if (job.barrier !== null) {
    Atomics.add(job.barrier, 0, 1);
    Atomics.notify(job.barrier, 0);
    while (Atomics.load(job.barrier, 0) < 2) Atomics.wait(job.barrier, 0, 1, 50);
  }
  const ms: number[] = [];
  for (let i = 0; i < job.rounds; i++) ms.push((await executeSequential(b.block, b.prestate, b.blockHashes)).result.stats.wallMs);
  return ms;
}

/** A loop on registers only: two threads should not slow each other. */
function aluKernel(): number {
  const t0 = performance.now();
  let x = 1;
  for (let i = 0; i < 2e8; i++) x = (x * 1103515245 + 12345) | 0;
  if (x === 42) process.stdout.write(''); // keeps the loop
  return performance.now() - t0;
}

/** Scattered reads and writes over 32 MB: two threads share the caches and the memory bus. */
function memKernel(): number {
  const a = new Float64Array(1 << 22);
  const t0 = performance.now();
  let s = 0;
  for (let r = 0; r < 12; r++) for (let i = 0; i < a.length; i += 8) {
    a[i] = a[i]! + i;
    s += a[(i * 7919) & (a.length - 1)]!;
  }
  if (s === 42) process.stdout.write('');
  return performance.now() - t0;
}

type Kernel = 'alu' | 'mem';
const KERNELS: Record<Kernel, () => number> = { alu: aluKernel, mem: memKernel };

if (!isMainThread) {
  const d = workerData as { job?: Job; kernel?: Kernel; barrier?: Int32Array };
  void (async () => {
    if (d.kernel !== undefined) {
      Atomics.add(d.barrier!, 0, 1);
      Atomics.notify(d.barrier!, 0);
      while (Atomics.load(d.barrier!, 0) < 2) Atomics.wait(d.barrier!, 0, 1, 50);
      parentPort!.postMessage([KERNELS[d.kernel]()]);
    } else parentPort!.postMessage(await seqLoop(d.job!));
  })();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function onWorker<T>(data: unknown): { done: Promise<T>; w: Worker } {
  const w = new Worker(__filename, { workerData: data });
  const done = new Promise<T>((res, rej) => {
    w.once('message', (m) => res(m as T));
    w.once('error', rej);
    w.once('exit', (code) => rej(new Error(`ceiling worker exited with code ${code}`)));
  });
  return { done, w };
}

/** [alone, each of the pair] for a kernel, medians of `reps`. */
async function kernel(k: Kernel, reps: number): Promise<[number, number]> {
  const alone: number[] = [];
  const pair: number[] = [];
  for (let r = 0; r < reps; r++) {
    alone.push(KERNELS[k]());
    const barrier = new Int32Array(new SharedArrayBuffer(4));
    const { done, w } = onWorker<number[]>({ kernel: k, barrier });
    Atomics.add(barrier, 0, 1);
    Atomics.notify(barrier, 0);
    while (Atomics.load(barrier, 0) < 2) Atomics.wait(barrier, 0, 1, 50);
    const mine = KERNELS[k]();
    const theirs = (await done)[0]!;
    await w.terminate();
    pair.push((mine + theirs) / 2);
  }
  return [median(alone), median(pair)];
}

interface BlockRow {
  name: string;
  txs: number;
  /** Medians of the timed rounds (ms). */
  alone: number;
  pairMain: number;
  pairWorker: number;
  /** The fastest round of each (ms): the best-of view `npm run bench` takes. */
  aloneBest: number;
  pairBest: number;
}

/** One block, in this (fresh) process: alone, then the pair. */
async function oneBlock(dir: string, rounds: number, warmup: number): Promise<BlockRow> {
  const txs = loadBlockDir(dir).block.transactions.length;
  const alone = await seqLoop({ dir, rounds, warmup, barrier: null });
  const barrier = new Int32Array(new SharedArrayBuffer(4));
  const { done, w } = onWorker<number[]>({ job: { dir, rounds, warmup, barrier } });
  const mine = await seqLoop({ dir, rounds, warmup, barrier });
  const theirs = await done;
  await w.terminate();
  return {
    name: dir.split('/').filter(Boolean).pop()!,
    txs,
    alone: median(alone),
    pairMain: median(mine),
    pairWorker: median(theirs),
    aloneBest: Math.min(...alone),
    pairBest: (Math.min(...mine) + Math.min(...theirs)) / 2,
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const VALUED = ['--rounds', '--warmup', '--blocks', '--one'];
const FLAGS = ['--write'];

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  checkOptions(argv, VALUED, FLAGS);
  const rounds = intOption('--rounds', arg('--rounds'), 1, 1000) ?? 12;
  const warmup = intOption('--warmup', arg('--warmup'), 0, 100) ?? 4;
  if (process.argv.includes('--one')) {
    process.stdout.write(JSON.stringify(await oneBlock(arg('--one')!, rounds, warmup)) + '\n');
    return;
  }
  const load0 = loadavg()[0]!;
  const dirs: string[] = (await generatedBlocks()).map(([, d]) => d);
  const mainnet = resolve(__dirname, '../../../shared/data/mainnet');
  for (const b of ['12300570', '5891667']) if (existsSync(join(mainnet, b, 'block.json'))) dirs.push(join(mainnet, b));
  const only = arg('--blocks')?.split(',');
  const rows: BlockRow[] = [];
  for (const dir of dirs) {
    if (only && !only.some((o) => dir.endsWith(o))) continue;
    // A process per block, as in bench/run.ts: what an earlier block leaves in the heap skews the next.
    const out = execFileSync(process.execPath, [__filename, '--one', dir, '--rounds', String(rounds), '--warmup', String(warmup)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const row = JSON.parse(out.trim().split('\n').pop()!) as BlockRow;
    rows.push(row);
    process.stderr.write(`  ${row.name}: alone ${row.alone.toFixed(0)} ms, pair ${row.pairMain.toFixed(0)} / ${row.pairWorker.toFixed(0)} ms\n`);
  }
  const [aluA, aluP] = await kernel('alu', 3);
  const [memA, memP] = await kernel('mem', 3);
  const lines: string[] = [];
  lines.push('## Ceiling of two threads on this machine (no executor)');
  lines.push('');
  const cmd = ['node dist/bench/ceiling.js', ...argv].join(' ');
  lines.push(`Command: \`${cmd}\` on ${new Date().toISOString().slice(0, 10)}, load average (1 min) at start ${load0.toFixed(1)}, at the end ${loadavg()[0]!.toFixed(1)}.`);
  lines.push('');
  lines.push('The sequential mode on one block: alone on the main thread, then on the main thread and a worker thread at once, each');
  lines.push('a full independent copy (no messages, no validation, nothing shared). Medians of the timed rounds, each block in a');
  lines.push("fresh process. *Ceiling* = 2 x alone / the pair's mean: the throughput two threads reach with no coordination at");
  lines.push('all, an upper bound for any 2-thread executor of that workload on this engine here. The last column takes the');
  lines.push('fastest round of each instead, as `npm run bench` does for its speedups.');
  lines.push('');
  lines.push('| block | txs | alone ms | pair ms (main / worker) | slowdown per thread | ceiling, 2 threads | the same, fastest rounds |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const pair = (r.pairMain + r.pairWorker) / 2;
    lines.push(
      `| ${r.name} | ${r.txs} | ${r.alone.toFixed(0)} | ${r.pairMain.toFixed(0)} / ${r.pairWorker.toFixed(0)} | ${(pair / r.alone).toFixed(2)}x | ` +
        `**${((2 * r.alone) / pair).toFixed(2)}x** | ${((2 * r.aloneBest) / r.pairBest).toFixed(2)}x |`,
    );
  }
  lines.push(`| kernel: registers only | - | ${aluA.toFixed(0)} | ${aluP.toFixed(0)} | ${(aluP / aluA).toFixed(2)}x | ${((2 * aluA) / aluP).toFixed(2)}x | - |`);
  lines.push(`| kernel: scattered memory (32 MB) | - | ${memA.toFixed(0)} | ${memP.toFixed(0)} | ${(memP / memA).toFixed(2)}x | ${((2 * memA) / memP).toFixed(2)}x | - |`);
  const text = lines.join('\n');
  process.stdout.write(text + '\n');
  if (process.argv.includes('--write')) {
    const file = resolve(__dirname, '../../BENCHMARKS.md');
    writeFileSync(file, replaceSection(readFileSync(file, 'utf8'), 'ceiling', text));
    process.stderr.write(`wrote ${file}\n`);
  }
}

if (isMainThread) {
  main().catch((e) => {
    // Bad options: one line, as the CLI gives them; anything else is a bug, with its stack.
    if (e instanceof PrescientError) process.stderr.write(`ceiling: ${e.message}\n`);
    else console.error(e);
    process.exit(1);
  });
}
