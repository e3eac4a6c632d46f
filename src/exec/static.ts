/**
 * The `static` oracle: predictions from static analysis, src/hints' `predictBlock` (footprints bound to each
 * transaction of the block). Contract analyses are cached by code hash across the blocks of one process. The time
 * it takes is the oracle's, reported apart from the executor's wall time (`predictMs`).
 *
 * Delta claims are asked for (`deltas: true`): the executor checks each claim on the execution it merges (taint.ts),
 * so an unproven or wrong claim costs a re-execution, not correctness (oracle.ts).
 */
import type { LoadedBlock } from '../chain/load.js';
import { PrescientError } from '../errors.js';
import { arrayOracle, type Oracle } from './oracle.js';

/** Analysis caches by disk folder ('' for none), kept for the process. */
const caches = new Map<string, unknown>();

/**
 * The analysis cache the static oracle uses for `cacheDir` (a folder keeping contract analyses between processes,
 * src/hints/cache.ts), made on first use; `run` asks for it before any work starts, so a folder that cannot be
 * created fails first.
 */
export async function staticOracleCache(cacheDir?: string): Promise<unknown> {
  const hints = await hintsModule();
  const dir = cacheDir ?? '';
  let cache = caches.get(dir);
  if (cache === undefined) {
    cache = hints.AnalysisCache.inDir(dir || undefined);
    caches.set(dir, cache);
  }
  return cache;
}

/** `cacheDir`: see `staticOracleCache`. */
export async function loadStaticOracle(loaded: LoadedBlock, opts: { cacheDir?: string } = {}): Promise<Oracle & { predictMs: number }> {
  const hints = await hintsModule();
  const cache = await staticOracleCache(opts.cacheDir);
  const t0 = performance.now();
  const preds = hints.predictBlock(loaded, cache, { deltas: true });
  return { ...arrayOracle(preds), predictMs: performance.now() - t0 };
}

async function hintsModule(): Promise<any> {
  let hints: any;
  try {
    hints = await import('../hints/index.js');
  } catch (e) {
    throw new PrescientError('BAD_OPTION', '--oracle static', `static oracle unavailable: ${(e as Error).message}`, { cause: e });
  }
  if (typeof hints.predictBlock !== 'function') {
    throw new PrescientError('BAD_OPTION', '--oracle static', 'static oracle unavailable (src/hints has no predictBlock)');
  }
  return hints;
}
