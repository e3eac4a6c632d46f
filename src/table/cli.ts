/**
 * `prescient table <input...> [--json]`: the selector x selector conflict table of one or several contracts (any input
 * src/input reads: hex, artifacts, solc JSON, .sol).
 */
import { checkContractInputs, parseCommandArgs, printUsage } from '../cli/args.js';
import { PrescientError } from '../errors.js';
import { analyzeCode } from '../analyze/index.js';
import { loadContracts } from '../input/index.js';
import type { ContractAnalysis } from '../types.js';
import { conflictTable, renderTable } from './conflicts.js';

const USAGE = 'usage: prescient table <input...> [--json] [--contract name]   (an input: a file, 0x<bytecode>, or - for stdin)';

export async function tableCommand(argv: string[]): Promise<number> {
  const { values, positionals: inputs } = parseCommandArgs('table', argv, { string: ['contract'], boolean: ['json'] });
  if (values.help) return printUsage(USAGE);
  if (inputs.length === 0) throw new PrescientError('BAD_OPTION', 'table', `no input (${USAGE})`);
  checkContractInputs(inputs);
  const json = values.json ?? false;
  const contract = values.contract;
  const analyses: ContractAnalysis[] = [];
  for (const path of inputs) {
    for (const c of loadContracts(path, contract ? { contract } : {})) {
      if (c.runtime.length === 0) continue; // interfaces and abstract contracts
      analyses.push(analyzeCode(c.runtime, { abi: c.abi, name: c.name, storageLayout: c.storageLayout, holes: c.holes }));
    }
  }
  if (analyses.length === 0) throw new PrescientError('NO_BYTECODE', inputs.join(' '), 'no contract with runtime bytecode');
  const table = conflictTable(analyses);
  process.stdout.write(json ? JSON.stringify(table, null, 2) + '\n' : renderTable(table));
  return 0;
}
