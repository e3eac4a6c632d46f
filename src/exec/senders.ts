/**
 * Sender recovery for a whole block before any transaction runs, as a node does it (geth's sender cacher). One
 * signature recovery (native secp256k1 plus two keccaks) is the largest single cost of a transaction here, and it is
 * cheaper in a tight loop than between executions, which evict its tables from the cache: measured on
 * gen-erc20-1000, one thread, 1,000 senders recovered inside runTx cost ~105 ms, in a loop ahead ~75 ms.
 *
 * In the parallel executor the workers take chunks of the block from a shared counter until none is left, and write
 * the addresses into a shared table, while the main thread executes from the start of the block; a thread takes a
 * transaction's sender from the table before it runs it (`senderFor`), or recovers chunks itself when it has caught up
 * with the workers. Each signature is recovered once, by whichever thread took its chunk.
 */
import { primeSender } from './patches.js';

/** Transactions per chunk: ~0.6 ms of work, the most the other thread may wait for one still being recovered. */
const CHUNK = 8;
/** Past this wait for another thread's chunk, a thread recovers the sender it needs itself. */
const WAIT_MS = 20;

/** Shared between threads (its buffers are SharedArrayBuffers). */
export interface SenderTable {
  /** [0]: the next transaction no thread has taken yet. */
  next: Int32Array;
  /** Per transaction: 0 not yet recovered, 1 recovered (its 20 bytes are in `bytes`), 2 did not recover. */
  done: Int32Array;
  bytes: Uint8Array;
}

export function senderTable(n: number): SenderTable {
  return {
    next: new Int32Array(new SharedArrayBuffer(4)),
    done: new Int32Array(new SharedArrayBuffer(4 * Math.max(1, n))),
    bytes: new Uint8Array(new SharedArrayBuffer(20 * Math.max(1, n))),
  };
}

interface SignedTx {
  getSenderAddress(): { bytes: Uint8Array };
}

/** Recover the next chunk nobody has taken; returns its size, 0 once there is none. */
function recoverChunk(txs: readonly SignedTx[], table: SenderTable): number {
  const n = txs.length;
  const from = Atomics.add(table.next, 0, CHUNK);
  if (from >= n) return 0;
  const to = Math.min(n, from + CHUNK);
  for (let i = from; i < to; i++) {
    let flag = 2;
    try {
      table.bytes.set(txs[i]!.getSenderAddress().bytes, 20 * i);
      flag = 1;
    } catch {
      // left to the execution
    }
    // The store publishes the bytes written before it to a thread that loads the flag; one may be waiting for it.
    Atomics.store(table.done, i, flag);
    Atomics.notify(table.done, i);
  }
  return to - from;
}

/**
 * A worker: recover chunks of `txs` until none is left. A signature that does not recover is marked 2 and left to
 * the execution of its transaction, which reports the error as runTx does.
 */
export function recoverShare(txs: readonly SignedTx[], table: SenderTable): void {
  while (recoverChunk(txs, table) > 0);
}

/**
 * Make transaction `i`'s sender known to this thread before it runs: from the table when another thread recovered
 * it; otherwise this thread recovers chunks itself until it is known (its own chunk, or another thread's meanwhile).
 * Returns how many senders this thread recovered.
 */
export function senderFor(txs: readonly SignedTx[], table: SenderTable, i: number): number {
  let mine = 0;
  for (;;) {
    const d = Atomics.load(table.done, i);
    if (d === 1) {
      primeSender(txs[i]!, table.bytes.slice(20 * i, 20 * i + 20));
      return mine;
    }
    if (d === 2) return mine;
    // Taken by another thread and under way: recover the next chunk meanwhile (work this block needs anyway), and
    // wait only when none is left.
    const got = recoverChunk(txs, table);
    if (got > 0) mine += got;
    else if (Atomics.wait(table.done, i, 0, WAIT_MS) === 'timed-out') {
      // The thread that took it is slow or gone (a worker that crashed mid-chunk): recover it here. A signature that
      // does not recover is left to the execution, which reports it.
      try {
        txs[i]!.getSenderAddress();
        mine++;
      } catch {
        // reported by the execution
      }
      return mine;
    }
  }
}
/** One thread: recover every sender ahead (the sequential mode); failures are left to execution, as above. */
export function recoverAll(txs: readonly SignedTx[]): void {
  for (const tx of txs) {
    try {
      tx.getSenderAddress();
    } catch {
      // reported by the execution
    }
  }
}
