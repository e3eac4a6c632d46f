/**
 * src/hints: symbolic footprints bound to concrete transactions (see bind.ts for the rules, block.ts for how earlier
 * transactions of a block are taken into account).
 */
import type { LoadedBlock } from '../chain/load.js';
import type { Access, TxPrediction } from '../exec/oracle.js';
import { hintsForBlock, type BlockHints, type HintsOptions } from './block.js';
import { AnalysisCache } from './context.js';
import { viewCallResolver } from './resolve.js';
import type { TxBinding } from './bind.js';

export * from './bind.js';
export * from './block.js';
export * from './context.js';
export * from './format.js';
export { viewCallResolver } from './resolve.js';

/** Hints for a block with the default analyzer (cached by code hash in `cache`) and call-return resolution. */
export function blockHints(loaded: LoadedBlock, cache = new AnalysisCache(), opts: Partial<HintsOptions> = {}): BlockHints {
  return hintsForBlock(loaded, { ...cache.sources, resolveCall: viewCallResolver, ...opts });
}

/**
 * Bindings as the parallel executor's oracle wants them (src/exec/oracle.ts): storage slots, balance reads, the
 * sender's balance and nonce; ETH received is a commutative credit and not listed as a write.
 *
 * `deltas` (the executor's delta claims, TxBinding.deltas) only with `opts.deltas` (the static oracle asks for them):
 * the analyzer marks `delta` only where the old value feeds nothing but the write and its wrap check, and the
 * executor checks every claim it merges (src/exec/taint.ts), so a wrong claim costs a re-execution. Other consumers
 * (the access-list formats) have no use for them.
 */
export function toPrediction(b: TxBinding, opts: { deltas?: boolean } = {}): TxPrediction {
  const reads: Access[] = [];
  const writes: Access[] = [];
  for (const [a, slots] of b.reads) for (const s of slots) reads.push([a, s]);
  for (const [a, slots] of b.writes) for (const s of slots) writes.push([a, s]);
  for (const a of b.balanceReads) reads.push([a, 'balance']);
  for (const a of b.balanceDebits) writes.push([a, 'balance']);
  for (const a of b.nonceWrites) writes.push([a, 'nonce']);
  if (b.codeWrites !== 'any') for (const a of b.codeWrites) writes.push([a, 'code']);
  const p: TxPrediction = { reads, writes, complete: b.completeIfPriorAsPredicted };
  if (opts.deltas && b.deltas.length > 0) p.deltas = b.deltas.map(([a, s, k]) => [a, s, k]);
  return p;
}

/** One prediction per transaction of the block (what `arrayOracle` takes); `deltas`: see toPrediction. */
export function predictBlock(loaded: LoadedBlock, cache = new AnalysisCache(), opts: Partial<HintsOptions> & { deltas?: boolean } = {}): TxPrediction[] {
  return blockHints(loaded, cache, opts).bindings.map((b) => toPrediction(b, { deltas: opts.deltas }));
}
