export { executeSequential, executeBlockTraced, type SequentialOptions } from './sequential.js';
export type { Oracle, TxPrediction, Access, DeltaClaim } from './oracle.js';
export { arrayOracle, noOracle, oracleFromOutcomes } from './oracle.js';
export { loadStaticOracle } from './static.js';
export { executeParallel, WorkerPool, type ParallelOptions } from './parallel.js';
