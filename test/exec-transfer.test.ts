// The plain-transfer fast path (src/exec/transfer.ts) against runTx: hand-built blocks of ETH transfers, each case
// next to a near miss that must go through runTx (zero value, a precompile or a contract as recipient, a zero fee
// to a third-party coinbase, a sender paying itself), and the coinbase as sender (a pool's payout) or recipient. Every block must give the same receipts, gas, bloom
// and post-state with the fast path as without it (`outcomes: true` turns it off), sequentially and in parallel.
import { createAccessList2930Tx, createFeeMarket1559Tx, createLegacyTx } from '@ethereumjs/tx';
import { bytesToHex } from '@ethereumjs/util';
import { commonFor } from '../src/chain/fork.js';
import { parseBlock, parsePrestate, type ChainBlock, type Prestate } from '../src/chain/load.js';
import { executeParallel, WorkerPool } from '../src/exec/parallel.js';
import { executeSequential } from '../src/exec/sequential.js';
import { keyFor, type Key } from '../src/gen/keys.js';
import type { BlockResult } from '../src/types.js';

const GWEI = 1_000_000_000n;
const ETH = GWEI * GWEI;
const q = (x: bigint) => '0x' + x.toString(16);
const Z32 = '0x' + '00'.repeat(32);

const A = keyFor('transfer:a');
const B = keyFor('transfer:b');
const POOR = keyFor('transfer:poor');
const MINER = keyFor('transfer:miner');
const EOA = '0x' + '5e'.repeat(20); // an existing account without code
const FRESH = '0x' + '7f'.repeat(20); // not in the pre-state
const FRESH2 = '0x' + '7e'.repeat(20);
const CONTRACT = '0x' + 'c0'.repeat(20); // code: STOP
const IDENTITY = '0x' + '00'.repeat(19) + '04';

interface Fork {
  number: bigint;
  timestamp: bigint;
  baseFee?: bigint;
}
const CANCUN: Fork = { number: 19_500_000n, timestamp: 1_710_400_000n, baseFee: 10n * GWEI };
const BERLIN: Fork = { number: 12_250_000n, timestamp: 1_618_500_000n };

type Spec = { from: Key; to: string; value: bigint; kind?: 0 | 1 | 2; gas?: bigint; price?: bigint; prio?: bigint; nonce?: bigint };

function block(fork: Fork, specs: Spec[]): ChainBlock {
  const common = commonFor(fork.number, fork.timestamp);
  const nonces = new Map<string, bigint>([[A.address, 3n]]); // A's nonce in the pre-state
  const txs = specs.map((s) => {
    const nonce = s.nonce ?? nonces.get(s.from.address) ?? 0n;
    nonces.set(s.from.address, nonce + 1n);
    const base = { nonce, gasLimit: s.gas ?? 21_000n, to: s.to as `0x${string}`, value: s.value };
    const kind = s.kind ?? 0;
    const tx =
      kind === 2
        ? createFeeMarket1559Tx({ ...base, maxFeePerGas: s.price ?? 30n * GWEI, maxPriorityFeePerGas: s.prio ?? 2n * GWEI }, { common })
        : kind === 1
          ? createAccessList2930Tx({ ...base, gasPrice: s.price ?? 20n * GWEI, accessList: [] }, { common })
          : createLegacyTx({ ...base, gasPrice: s.price ?? 20n * GWEI }, { common });
    const t = tx.sign(s.from.privateKey) as any;
    const json: any = { type: q(BigInt(kind)), nonce: q(t.nonce), gas: q(t.gasLimit), to: s.to, value: q(t.value), input: '0x', v: q(t.v), r: q(t.r), s: q(t.s), hash: bytesToHex(t.hash()) };
    if (kind === 2) Object.assign(json, { maxFeePerGas: q(t.maxFeePerGas), maxPriorityFeePerGas: q(t.maxPriorityFeePerGas), chainId: '0x1', accessList: [] });
    else json.gasPrice = q(t.gasPrice);
    if (kind === 1) Object.assign(json, { chainId: '0x1', accessList: [] });
    return json;
  });
  const header: any = {
    number: q(fork.number),
    timestamp: q(fork.timestamp),
    hash: Z32,
    parentHash: Z32,
    sha3Uncles: '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347',
    miner: MINER.address,
    stateRoot: Z32,
    transactionsRoot: Z32,
    receiptsRoot: Z32,
    logsBloom: '0x' + '00'.repeat(256),
    difficulty: '0x0',
    gasLimit: q(30_000_000n),
    gasUsed: '0x0',
    extraData: '0x',
    mixHash: Z32,
    nonce: '0x0000000000000000',
    transactions: txs,
  };
  if (fork.baseFee !== undefined) {
    Object.assign(header, {
      baseFeePerGas: q(fork.baseFee),
      withdrawalsRoot: '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421',
      withdrawals: [],
      blobGasUsed: '0x0',
      excessBlobGas: '0x0',
      parentBeaconBlockRoot: Z32,
    });
  } else header.difficulty = q(7_000_000_000_000_000n);
  return parseBlock(header, 'test block');
}

function prestate(minerFunded: boolean): Prestate {
  const p: Record<string, any> = {
    [A.address]: { balance: q(100n * ETH), nonce: '0x3' },
    [B.address]: { balance: q(50n * ETH) },
    [POOR.address]: { balance: q(21_000n * 20n * GWEI) }, // exactly the fee of one transfer, nothing for its value
    [EOA]: { balance: q(ETH) },
    [CONTRACT]: { balance: '0x0', code: '0x00' },
  };
  if (minerFunded) p[MINER.address] = { balance: q(10n * ETH) };
  return parsePrestate(p, 'test prestate');
}

function same(a: BlockResult, b: BlockResult) {
  expect(b.receiptsRoot).toBe(a.receiptsRoot);
  expect(b.stateRoot).toBe(a.stateRoot);
  expect(b.gasUsed).toBe(a.gasUsed);
  expect(b.logsBloom).toBe(a.logsBloom);
}

async function failure(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
    return 'no error';
  } catch (e) {
    return `${(e as any).code}: ${(e as Error).message.replace(/\s+/g, ' ').slice(0, 60)}`;
  }
}

describe('exec: plain transfers without the EVM equal runTx', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.start(2);
  });
  afterAll(async () => {
    await pool.close();
  });

  const cancunSpecs: Spec[] = [
    { from: A, to: FRESH, value: ETH }, // fast: legacy, new recipient
    { from: A, to: EOA, value: 5n, kind: 2 }, // fast: fee market
    { from: A, to: FRESH2, value: 0n }, // runTx: zero value to an absent account (touched, stays absent)
    { from: A, to: EOA, value: 0n, kind: 2 }, // runTx: zero value
    { from: A, to: IDENTITY, value: 1n }, // runTx: a precompile runs
    { from: A, to: CONTRACT, value: 1n }, // runTx: code runs
    { from: B, to: A.address, value: 7n, kind: 2, prio: 0n }, // runTx: zero coinbase fee
    { from: A, to: A.address, value: 1n }, // runTx: sender is recipient
    { from: MINER, to: EOA, value: 1n }, // fast: sender is the coinbase (a pool's payout)
    { from: MINER, to: FRESH2, value: 2n, kind: 2, prio: 0n }, // fast: the coinbase pays out with a zero tip
    { from: B, to: MINER.address, value: 1n }, // fast: recipient is the coinbase
    { from: B, to: FRESH, value: 3n, gas: 50_000n }, // fast: unused gas refunded
    { from: A, to: EOA, value: 11n, kind: 1 }, // fast: access-list type, empty list
    { from: B, to: EOA, value: 13n, kind: 2, price: 11n * GWEI, prio: 5n * GWEI }, // fast: tip capped by the max fee
    { from: A, to: FRESH, value: 2n, gas: 21_000n, kind: 2, price: 10n * GWEI, prio: 3n * GWEI }, // runTx: fee = base fee
  ];

  test('Cancun: same results with and without the fast path, and it takes exactly the plain cases', async () => {
    const b = block(CANCUN, cancunSpecs);
    const pre = prestate(true);
    const slow = (await executeSequential(b, pre, new Map(), { outcomes: true })).result;
    const fast = (await executeSequential(b, pre, new Map())).result;
    same(slow, fast);
    expect(slow.stats.transfers).toBe(0);
    expect(fast.stats.transfers).toBe(8);
    for (const oracle of [null, undefined]) same(slow, await executeParallel(b, pre, new Map(), { pool, oracle }));
  });

  test('Cancun with an absent coinbase: its first fee creates it', async () => {
    const b = block(CANCUN, cancunSpecs.filter((s) => s.from !== MINER));
    const pre = prestate(false);
    same((await executeSequential(b, pre, new Map(), { outcomes: true })).result, (await executeSequential(b, pre, new Map())).result);
  });

  test('Berlin (no base fee): the coinbase gets the whole gas price', async () => {
    const b = block(BERLIN, [
      { from: A, to: FRESH, value: ETH },
      { from: B, to: EOA, value: 1n, kind: 1 },
      { from: A, to: EOA, value: 2n, price: 0n }, // runTx: zero coinbase fee
      { from: B, to: FRESH, value: 3n, gas: 40_000n },
    ]);
    const pre = prestate(true);
    const slow = (await executeSequential(b, pre, new Map(), { outcomes: true })).result;
    const fast = (await executeSequential(b, pre, new Map())).result;
    same(slow, fast);
    expect(fast.stats.transfers).toBe(3);
  });

  test('a plain transfer whose signature does not recover fails the block in every mode', async () => {
    const pre = prestate(true);
    const specs: Spec[] = [];
    for (let i = 0; i < 40; i++) specs.push({ from: B, to: FRESH, value: BigInt(i + 1) });
    const b = block(CANCUN, specs);
    // High s (EIP-2): whichever thread fails to recover it marks it in the sender table (senders.ts), and the
    // execution at its position reports it.
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const last = b.transactions[39]!;
    last.s = q(N - BigInt(last.s));
    const seq = await failure(() => executeSequential(b, pre, new Map()));
    expect(seq).toMatch(/^EXECUTION_FAILED: .*tx 39/);
    expect(await failure(() => executeParallel(b, pre, new Map(), { pool }))).toBe(seq);
  });

  test('a transfer runTx rejects fails the block the same way with the fast path', async () => {
    const pre = prestate(true);
    for (const bad of [
      { from: POOR, to: EOA, value: 1n }, // funds cover the fee, not the value
      { from: A, to: EOA, value: 1n, nonce: 9n }, // wrong nonce
      { from: B, to: EOA, value: 1n, gas: 20_999n }, // below the intrinsic gas
      { from: A, to: EOA, value: 1n, kind: 2 as const, price: 9n * GWEI, prio: GWEI }, // max fee below the base fee
    ]) {
      const b = block(CANCUN, [{ from: B, to: FRESH, value: 1n }, bad]);
      const slow = await failure(() => executeSequential(b, pre, new Map(), { outcomes: true }));
      expect(slow).toMatch(/^EXECUTION_FAILED/);
      expect(await failure(() => executeSequential(b, pre, new Map()))).toBe(slow);
      expect(await failure(() => executeParallel(b, pre, new Map(), { pool }))).toMatch(/^EXECUTION_FAILED/);
    }
  });
});
