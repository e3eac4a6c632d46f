// Issue 6 in the executor: one sender's transactions run in parallel (lazy senders) and ERC20 balance slots claimed as
// deltas merge at commit, and the result still equals sequential execution exactly: a hot recipient whose balance
// is also read in the block (balanceOf between the credits), an overflow at the edge, a sender that runs out of
// funds mid-chain (both modes fail at the same transaction) or has exactly enough, and wrong delta claims the
// executor must catch (flipped direction, claims on slots only read). Generated blocks (src/gen), no mainnet data.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256 } from '../src/chain/crypto.js';
import { loadBlockDir, type LoadedBlock, type Prestate } from '../src/chain/load.js';
import type { TxOutcome } from '../src/exec/block.js';
import { arrayOracle, oracleFromOutcomes, type DeltaClaim, type Oracle, type TxPrediction } from '../src/exec/oracle.js';
import { executeParallel, WorkerPool } from '../src/exec/parallel.js';
import { executeSequential } from '../src/exec/sequential.js';
import { writeGeneratedBlock } from '../src/gen/write.js';
import type { BlockResult } from '../src/types.js';

const MAX = (1n << 256n) - 1n;

function word(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}
/** The Token's `balanceOf[a]` slot (mapping at slot 4). */
function balanceSlot(a: string): bigint {
  const buf = new Uint8Array(64);
  buf.set(word(BigInt(a)), 0);
  buf.set(word(4n), 32);
  return BigInt('0x' + Buffer.from(keccak256(buf)).toString('hex'));
}

/** The sequential outcomes' accesses as an oracle, plus delta claims on every Token balance slot a transaction both
 * read and wrote, in the direction it moved (what a correct analysis of Token.transfer claims). */
function withDeltas(outcomes: TxOutcome[], tokens: Set<string>, balanceSlots: Set<bigint>, flip = false): Oracle {
  const truth = oracleFromOutcomes(outcomes);
  return arrayOracle(
    outcomes.map((o, i): TxPrediction => {
      const p = truth.predict(i)!;
      const deltas: DeltaClaim[] = [];
      for (const [a, slots] of o.writes.storage) {
        if (!tokens.has(a)) continue;
        const read = new Map(o.reads.storage.find(([ra]) => ra === a)?.[1] ?? []);
        for (const [k, w] of slots) {
          const r = read.get(k);
          if (r === undefined || r === w || !balanceSlots.has(k)) continue;
          const add = w > r !== flip;
          deltas.push([a, k, add ? 'add' : 'sub']);
        }
      }
      return { ...p, deltas };
    }),
  );
}

function same(a: BlockResult, b: BlockResult) {
  expect(b.stateRoot).toBe(a.stateRoot);
  expect(b.receiptsRoot).toBe(a.receiptsRoot);
  expect(b.logsBloom).toBe(a.logsBloom);
  expect(b.gasUsed).toBe(a.gasUsed);
}

function clonePrestate(p: Prestate): Prestate {
  const out: Prestate = new Map();
  for (const [a, acc] of p) out.set(a, { ...acc, storage: new Map(acc.storage) });
  return out;
}

async function outcome<T>(f: () => Promise<T>): Promise<{ ok: T } | { error: string }> {
  try {
    return { ok: await f() };
  } catch (e) {
    return { error: `${(e as any).code ?? ''} ${(e as Error).message}` };
  }
}

describe('exec: delta merges and lazy senders equal sequential', () => {
  let hot: LoadedBlock;
  let hotTokens: Set<string>;
  let hotSlots: Set<bigint>;
  let hotAddr: string;
  let token0: string;
  let chain: LoadedBlock;
  let mix: LoadedBlock;
  let pool2: WorkerPool;
  let pool3: WorkerPool;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'prescient-deltas-'));
    // Most transfers pay one hot recipient; 15% of the transactions read its balance in between.
    const g = await writeGeneratedBlock(join(root, 'hot'), { workload: 'erc20', txs: 160, users: 40, hot: 0.85, hotReads: 0.15, seed: 5 });
    hot = loadBlockDir(join(root, 'hot'));
    hotTokens = new Set(g.manifest.contracts.tokens.map((t) => t.toLowerCase()));
    hotAddr = g.manifest.hot.toLowerCase();
    token0 = g.manifest.contracts.tokens[0]!.toLowerCase();
    hotSlots = new Set([hotAddr, ...g.manifest.users].map((a) => balanceSlot(a.toLowerCase())));
    // Four senders, ~25 transactions each: long sender chains.
    await writeGeneratedBlock(join(root, 'chain'), { workload: 'erc20', txs: 100, users: 4, hot: 0.5, seed: 9 });
    chain = loadBlockDir(join(root, 'chain'));
    await writeGeneratedBlock(join(root, 'mix'), { workload: 'mix', txs: 240, seed: 4 });
    mix = loadBlockDir(join(root, 'mix'));
    pool2 = await WorkerPool.start(2);
    pool3 = await WorkerPool.start(3);
  }, 120_000);
  afterAll(async () => {
    await pool2?.close();
    await pool3?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('the hot recipient slot is claimed and merged, balanceOf reads in between', async () => {
    const seq = await executeSequential(hot.block, hot.prestate, hot.blockHashes, { outcomes: true });
    const oracle = withDeltas(seq.outcomes!, hotTokens, hotSlots);
    expect(oracle.predict(0)!.deltas!.length).toBeGreaterThan(0);
    for (const pool of [pool2, pool3]) {
      const r = await executeParallel(hot.block, hot.prestate, hot.blockHashes, { pool, oracle });
      same(seq.result, r);
    }
    same(seq.result, await executeParallel(hot.block, hot.prestate, hot.blockHashes, { pool: pool2, oracle: null }));
  });

  test('merges happen (the hot slot runs ahead of its commits)', async () => {
    const seq = await executeSequential(hot.block, hot.prestate, hot.blockHashes, { outcomes: true });
    const oracle = withDeltas(seq.outcomes!, hotTokens, hotSlots);
    let merges = 0;
    for (let rep = 0; rep < 3 && merges === 0; rep++) {
      const r = await executeParallel(hot.block, hot.prestate, hot.blockHashes, { pool: pool3, oracle });
      same(seq.result, r);
      merges += (r.stats as any).deltaMerges;
    }
    expect(merges).toBeGreaterThan(0);
  });

  test('wrong claims are caught: flipped directions, claims on slots only read', async () => {
    const seq = await executeSequential(hot.block, hot.prestate, hot.blockHashes, { outcomes: true });
    same(seq.result, await executeParallel(hot.block, hot.prestate, hot.blockHashes, { pool: pool3, oracle: withDeltas(seq.outcomes!, hotTokens, hotSlots, true) }));
    const truth = oracleFromOutcomes(seq.outcomes!);
    const readOnly = arrayOracle(
      seq.outcomes!.map((_, i): TxPrediction => ({ ...truth.predict(i)!, deltas: [[token0, balanceSlot(hotAddr), i % 2 ? 'add' : 'sub']] })),
    );
    same(seq.result, await executeParallel(hot.block, hot.prestate, hot.blockHashes, { pool: pool3, oracle: readOnly }));
  });

  test('wrong claims whose value is really used (AMM reserves, counters, WETH, vault) are caught by the trace', async () => {
    // Every slot a transaction of the mix workload both read and wrote, claimed as a delta in the direction it moved:
    // right for ERC20 balances, wrong for pair reserves (they drive the swap), registry records, proxy counters.
    const seq = await executeSequential(mix.block, mix.prestate, mix.blockHashes, { outcomes: true });
    const everything = arrayOracle(
      seq.outcomes!.map((o): TxPrediction => {
        const deltas: DeltaClaim[] = [];
        for (const [a, slots] of o.writes.storage) {
          const read = new Map(o.reads.storage.find(([ra]) => ra === a)?.[1] ?? []);
          for (const [k, w] of slots) {
            const r = read.get(k);
            if (r !== undefined && r !== w) deltas.push([a, k, w > r ? 'add' : 'sub']);
          }
        }
        // No other access listed: everything runs as far ahead as it can, so claimed reads go stale often.
        return { reads: [], writes: [], complete: true, deltas };
      }),
    );
    let rejected = 0;
    for (const pool of [pool2, pool3, pool3]) {
      const r = await executeParallel(mix.block, mix.prestate, mix.blockHashes, { pool, oracle: everything });
      same(seq.result, r);
      rejected += (r.stats as any).deltaRejected;
    }
    expect(rejected).toBeGreaterThan(0);
  });

  test('an overflow at the edge: the hot balance wraps (unchecked +=) in the middle of the block', async () => {
    const seq0 = await executeSequential(hot.block, hot.prestate, hot.blockHashes, { outcomes: true });
    // Received by the hot recipient over the block, from the sequential run: start it so that half of it wraps.
    const slot = balanceSlot(hotAddr);
    const credits = seq0.outcomes!.flatMap((o) => o.writes.storage.filter(([a]) => a === token0).flatMap(([, s]) => s.filter(([k]) => k === slot)));
    const final = credits[credits.length - 1]![1];
    const start = hot.prestate.get(token0)!.storage.get(slot) ?? 0n;
    const received = final - start;
    const pre = clonePrestate(hot.prestate);
    pre.get(token0)!.storage.set(slot, MAX - received / 2n);
    const seq = await executeSequential(hot.block, pre, hot.blockHashes, { outcomes: true });
    const oracle = withDeltas(seq0.outcomes!, hotTokens, hotSlots);
    for (const pool of [pool2, pool3]) same(seq.result, await executeParallel(hot.block, pre, hot.blockHashes, { pool, oracle }));
  });

  test('sender chains: parallel equals sequential at 2 and 3 threads, any oracle', async () => {
    const seq = await executeSequential(chain.block, chain.prestate, chain.blockHashes, { outcomes: true });
    const truth = oracleFromOutcomes(seq.outcomes!);
    for (const pool of [pool2, pool3]) {
      same(seq.result, await executeParallel(chain.block, chain.prestate, chain.blockHashes, { pool, oracle: null }));
      same(seq.result, await executeParallel(chain.block, chain.prestate, chain.blockHashes, { pool, oracle: truth }));
    }
  });

  /** The sender of transaction `m`, and its ETH balance just before `m` in a sequential run. */
  function balanceBefore(outcomes: TxOutcome[], sender: string, m: number, start: bigint): bigint {
    let b = start;
    for (let j = 0; j < m; j++) {
      const w = outcomes[j]!.writes.accounts.find(([a]) => a === sender)?.[1];
      if (w?.balance !== undefined) b = w.balance;
      if (w?.delta !== undefined) b += w.delta;
    }
    return b;
  }

  test('a sender that runs out of funds mid-chain fails at the same transaction; exactly enough succeeds', async () => {
    const seq0 = await executeSequential(chain.block, chain.prestate, chain.blockHashes, { outcomes: true });
    const txs = chain.block.transactions;
    const sender = String(txs[0]!.from).toLowerCase();
    const mine = txs.map((t, i) => [String(t.from).toLowerCase(), i] as const).filter(([f]) => f === sender).map(([, i]) => i);
    expect(mine.length).toBeGreaterThan(6);
    for (const [m, short] of [
      [mine[Math.floor(mine.length / 2)]!, 1n],
      [mine[mine.length - 1]!, 0n],
    ] as const) {
      const t = txs[m]!;
      const gas = BigInt(t.gas);
      const need = t.maxFeePerGas !== undefined ? BigInt(t.value) + gas * BigInt(t.maxFeePerGas) : BigInt(t.value) + gas * BigInt(t.gasPrice);
      const start = chain.prestate.get(sender)!.balance;
      const pre = clonePrestate(chain.prestate);
      pre.get(sender)!.balance = start - (balanceBefore(seq0.outcomes!, sender, m, start) - need) - short;
      const s = await outcome(() => executeSequential(chain.block, pre, chain.blockHashes).then((r) => r.result));
      if (short > 0n) expect('error' in s && s.error).toContain(`tx ${m}`);
      else expect('ok' in s).toBe(true);
      for (const pool of [pool2, pool3]) {
        for (const oracle of [null, oracleFromOutcomes(seq0.outcomes!)]) {
          const p = await outcome(() => executeParallel(chain.block, pre, chain.blockHashes, { pool, oracle }));
          if ('error' in s) expect('error' in p && p.error).toBe(s.error);
          else same((s as { ok: BlockResult }).ok, (p as { ok: BlockResult }).ok);
        }
      }
    }
  });
});
