// Whatever the oracle says, the parallel executor's result equals the sequential one: random, adversarial and
// degenerate predictions (missing accesses, wrong ones, everything conflicts, nothing conflicts, unknown) on a few
// mainnet blocks at 2 threads.
import { loadBlockDir, type LoadedBlock } from '../src/chain/load.js';
import { arrayOracle, oracleFromOutcomes, type Oracle, type TxPrediction } from '../src/exec/oracle.js';
import { executeParallel, WorkerPool } from '../src/exec/parallel.js';
import { executeSequential } from '../src/exec/sequential.js';
import { MAINNET_DIR, describeMainnet } from './helpers/shared.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const BLOCKS = ['6137495', '8038679', '19933597'];

describeMainnet('exec: parallel == sequential under any oracle', () => {
  let pool: WorkerPool;
  const loaded = new Map<string, LoadedBlock>();
  const reference = new Map<string, { stateRoot: string; receiptsRoot: string; gasUsed: number; truth: Oracle }>();
  beforeAll(async () => {
    pool = await WorkerPool.start(2);
    for (const b of BLOCKS) {
      const l = loadBlockDir(`${MAINNET_DIR}/${b}`);
      loaded.set(b, l);
      const s = await executeSequential(l.block, l.prestate, l.blockHashes, { outcomes: true });
      reference.set(b, { ...s.result, truth: oracleFromOutcomes(s.outcomes!) });
    }
  });
  afterAll(() => pool?.close());

  const oracles: Array<[string, (b: string, n: number) => Oracle | null]> = [
    ['none', () => null],
    ['nothing conflicts (empty, complete)', (_b, n) => arrayOracle(Array.from({ length: n }, () => ({ reads: [], writes: [], complete: true })))],
    [
      'everything conflicts',
      (_b, n) => arrayOracle(Array.from({ length: n }, () => ({ reads: [['0x00000000000000000000000000000000000000aa', 1n]], writes: [['0x00000000000000000000000000000000000000aa', 1n]], complete: true }))),
    ],
    [
      'missing accesses (truth with half the entries dropped)',
      (b, n) => {
        const r = rng(7);
        const t = reference.get(b)!.truth;
        return arrayOracle(
          Array.from({ length: n }, (_, i) => {
            const p = t.predict(i)!;
            return { reads: p.reads.filter(() => r() < 0.5), writes: p.writes.filter(() => r() < 0.5), complete: true };
          }),
        );
      },
    ],
    [
      'wrong accesses (random addresses and slots, random unknowns)',
      (b, n) => {
        const r = rng(11);
        const l = loaded.get(b)!;
        const addrs = [...l.prestate.keys()];
        const pick = (): [string, bigint | 'balance' | '*'] => {
          const a = addrs[Math.floor(r() * addrs.length)] ?? '0x0000000000000000000000000000000000000001';
          const k = r();
          return [a, k < 0.2 ? 'balance' : k < 0.3 ? '*' : BigInt(Math.floor(r() * 4))];
        };
        return arrayOracle(
          Array.from({ length: n }, (): TxPrediction | null =>
            r() < 0.15 ? null : { reads: Array.from({ length: 3 }, pick), writes: Array.from({ length: 2 }, pick), complete: r() < 0.5 },
          ),
        );
      },
    ],
  ];

  for (const b of BLOCKS) {
    for (const [name, make] of oracles) {
      test(`${b}: ${name}`, async () => {
        const l = loaded.get(b)!;
        const ref = reference.get(b)!;
        const r = await executeParallel(l.block, l.prestate, l.blockHashes, { pool, oracle: make(b, l.block.transactions.length) });
        expect(r.stateRoot).toBe(ref.stateRoot);
        expect(r.receiptsRoot).toBe(ref.receiptsRoot);
        expect(r.gasUsed).toBe(ref.gasUsed);
      });
    }
    // Commits beside the main thread's own speculative executions (opt-in): nothing conflicts (everything runs
    // speculatively far ahead) and wrong predictions, the cases where they happen most and where they could hurt.
    for (const [name, make] of oracles.filter(([o]) => o.startsWith('nothing') || o.startsWith('wrong'))) {
      test(`${b}: ${name}, committing beside the main thread's executions`, async () => {
        const l = loaded.get(b)!;
        const ref = reference.get(b)!;
        const r = await executeParallel(l.block, l.prestate, l.blockHashes, { pool, oracle: make(b, l.block.transactions.length), commitBeside: true });
        expect(r.stateRoot).toBe(ref.stateRoot);
        expect(r.receiptsRoot).toBe(ref.receiptsRoot);
        expect(r.gasUsed).toBe(ref.gasUsed);
      });
    }
  }
});
