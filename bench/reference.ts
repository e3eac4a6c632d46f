/**
 * The baseline: plain @ethereumjs/vm `runBlock` over a MerkleStateManager seeded with the prestate (default crypto,
 * as a user of the library would run it). Used by the benchmark and to localise disagreements while debugging.
 */
import { createBlockFromRPC } from '@ethereumjs/block';
import { Account, Address, bigIntToBytes, bytesToHex, hexToBytes, setLengthLeft } from '@ethereumjs/util';
import { createVM, runBlock } from '@ethereumjs/vm';
import { Common } from '@ethereumjs/common';
import { CHAINS, hardforkFor, type ForkOptions } from '../src/chain/fork.js';
import type { LoadedBlock } from '../src/chain/load.js';
import { noKzg } from '../src/chain/crypto.js';

export async function seedReference(loaded: LoadedBlock, fork: ForkOptions = {}) {
  const { block: b, prestate, blockHashes } = loaded;
  // Default (JS) crypto; a KZG object only because @ethereumjs/tx refuses to build blob transactions without one.
  const common = new Common({
    chain: CHAINS[fork.chain ?? 'mainnet']!,
    hardfork: hardforkFor(b.number, b.timestamp, fork),
    customCrypto: { kzg: noKzg },
  });
  const blockchain: any = {
    async getBlock(n: number) {
      const h = blockHashes.get(BigInt(n));
      if (!h) throw new Error(`no hash for ${n}`);
      return { hash: () => hexToBytes(h) };
    },
    async putBlock() {},
    shallowCopy() {
      return blockchain;
    },
  };
  const vm = await createVM({ common, blockchain });
  for (const [addr, a] of prestate) {
    if (a.balance === 0n && a.nonce === 0n && a.code.length === 0) continue;
    const address = new Address(hexToBytes(addr as any));
    await vm.stateManager.putAccount(address, new Account(a.nonce, a.balance));
    if (a.code.length) await vm.stateManager.putCode(address, a.code);
    for (const [k, v] of a.storage) {
      if (v !== 0n) await vm.stateManager.putStorage(address, setLengthLeft(bigIntToBytes(k), 32), bigIntToBytes(v));
    }
  }
  const block = createBlockFromRPC({ ...b.header, transactions: b.transactions } as any, [], {
    common,
    skipConsensusFormatValidation: true,
  });
  return { vm, block };
}

/** Seed, then time runBlock alone. */
export async function runReference(loaded: LoadedBlock, fork: ForkOptions = {}) {
  const { vm, block } = await seedReference(loaded, fork);
  const t0 = performance.now();
  const r = await runBlock(vm, { block, generate: true, skipBlockValidation: true, skipHeaderValidation: true });
  const ms = performance.now() - t0;
  return {
    ms,
    gasUsed: r.gasUsed,
    receiptsRoot: bytesToHex(r.receiptsRoot),
    logsBloom: bytesToHex(r.logsBloom),
    receipts: r.receipts,
    results: r.results,
  };
}
