/**
 * prescient as a library: the same pipeline the CLI runs, stage by stage. Every artifact between stages is a plain,
 * serialisable type from ./types.js.
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
export { loadBlockDir, loadBlockFiles, parsePrestate } from './chain/load.js';
// footprints + transaction + pre-state -> access lists
export { hintsForBlock, toTxHints } from './hints/block.js';
export { bindTx } from './hints/bind.js';
export { eip2930List, blockAccessList, type Eip2930Policy } from './hints/format.js';
// execution: sequential reference, parallel with an oracle, traced
export { executeSequential, executeParallel, executeBlockTraced, arrayOracle, noOracle, loadStaticOracle, type Oracle, type TxPrediction } from './exec/index.js';
// predictions vs traced execution
export { verifyBlocks, verifyBlock } from './verify/run.js';
export { accessListGas, tracedAccessList, warmAddresses, type AccessListGas } from './verify/gas.js';
// dependency graph, critical path, hot slots
export { graphForBlock } from './graph/cli.js';
// workloads from the project's own contracts
export { writeGeneratedBlock } from './gen/write.js';
