/**
 * prescient as a library: the same pipeline the CLI runs, stage by stage. The artifacts between stages are plain
 * types from ./types.js; quantities are bigints (JSON needs a replacer for them, as the CLI's outputs use), and a few
 * in-memory forms hold Maps (a loaded prestate, a graph's names: `graphJson` gives the CLI's JSON).
 */
import './util/flat-exports.js'; // first: before @ethereumjs loads (see there)
export * from './types.js';
export * from './errors.js';

// bytecode / artifacts / .sol -> runtime code, ABI, storage layout
export { loadContracts, loadContract, compileSolidity, parseHexCode, looksLikeCreationCode, type LoadedContract, type LoadOptions, type CodeHole } from './input/index.js';
// runtime code -> symbolic footprints per selector
export { analyzeCode, type AnalyzeOptions } from './analyze/index.js';
export { formatAnalysis } from './analyze/cli.js';
export { exprText, slotOf, slotName, rootSlot } from '../analyzers/render.js';
// footprints -> selector x selector conflicts
export { conflictTable, renderTable } from './table/conflicts.js';
// blocks and pre-state
export { loadBlockDir, loadBlockFiles, parsePrestate, type LoadedBlock, type ChainBlock, type Prestate, type PrestateAccount } from './chain/load.js';
export { mainnetHardfork, hardforkFor, type ForkOptions } from './chain/fork.js';
// footprints + transaction + pre-state -> access lists
// (AnalysisCache's `sources` and viewCallResolver give hintsForBlock what `prescient hints` gives it.)
export { hintsForBlock, toTxHints, txInputs, type BlockHints, type HintsOptions } from './hints/block.js';
export { AnalysisCache, stateView, blockEnv, txInput } from './hints/context.js';
export { viewCallResolver } from './hints/resolve.js';
export { bindTx, Unbound, isUnbound } from './hints/bind.js';
export { eip2930List, blockAccessList, systemAccesses, type Eip2930Policy, type BlockAccessList, type BalAccount, type BlockSystemAccesses } from './hints/format.js';
// execution: sequential reference, parallel with an oracle, traced
// A WorkerPool reused across blocks saves the workers' start-up (~0.6 s a block); runs on one pool wait for each other.
export { executeSequential, executeParallel, executeBlockTraced, arrayOracle, noOracle, loadStaticOracle, WorkerPool, type ParallelOptions, type Oracle, type TxPrediction } from './exec/index.js';
// predictions vs traced execution
export { verifyBlocks, verifyBlock, type VerifyOptions } from './verify/run.js';
export { accessListGas, tracedAccessList, warmAddresses, type AccessListGas } from './verify/gas.js';
// dependency graph, critical path, hot slots
export { graphForBlock, graphJson } from './graph/cli.js';
// workloads from the project's own contracts
export { writeGeneratedBlock } from './gen/write.js';
export type { GenerateOptions, GeneratedBlock } from './gen/block.js';
