/**
 * The `static` oracle: predictions from static analysis (src/hints). Until src/hints exports
 * `predictBlock(block, prestate): TxPrediction[]`, this fails with "static oracle unavailable" rather than pretend.
 */
import type { LoadedBlock } from '../chain/load.js';
import { PrescientError } from '../errors.js';
import { arrayOracle, type Oracle, type TxPrediction } from './oracle.js';

export async function loadStaticOracle(loaded: LoadedBlock): Promise<Oracle> {
  let mod: any;
  try {
    mod = await import('../hints/predict.js' as string);
  } catch {
    mod = null;
  }
  const predictBlock = mod?.predictBlock as
    | ((block: LoadedBlock['block'], prestate: LoadedBlock['prestate']) => TxPrediction[] | Promise<TxPrediction[]>)
    | undefined;
  if (typeof predictBlock !== 'function') {
    throw new PrescientError('BAD_OPTION', '--oracle static', 'static oracle unavailable (src/hints has no predictBlock yet)');
  }
  return arrayOracle(await predictBlock(loaded.block, loaded.prestate));
}
