/**
 * `prescient table <input...> [--json]`: the selector x selector conflict table of one or several contracts (any input
 * src/input reads: hex, artifacts, solc JSON, .sol).
 */
import { PrescientError } from '../errors.js';
import { analyzeCode } from '../analyze/index.js';
import { loadContracts } from '../input/index.js';
import type { ContractAnalysis } from '../types.js';
import { conflictTable, renderTable } from './conflicts.js';

const USAGE = 'usage: prescient table <input...> [--json] [--contract name]';

export async function tableCommand(argv: string[]): Promise<number> {
  const inputs: string[] = [];
  let json = false;
  let contract: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a === '--contract') {
      contract = argv[++i];
      if (!contract) throw new PrescientError('BAD_OPTION', '--contract', 'needs a contract name');
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    } else if (a.startsWith('--')) throw new PrescientError('BAD_OPTION', a, `unknown option (${USAGE})`);
    else inputs.push(a);
  }
  if (inputs.length === 0) throw new PrescientError('BAD_OPTION', 'table', `no input (${USAGE})`);
  const analyses: ContractAnalysis[] = [];
  for (const path of inputs) {
    for (const c of loadContracts(path, contract ? { contract } : {})) {
      if (c.runtime.length === 0) continue; // interfaces and abstract contracts
      analyses.push(analyzeCode(c.runtime, { abi: c.abi, name: c.name, storageLayout: c.storageLayout }));
    }
  }
  if (analyses.length === 0) throw new PrescientError('NO_BYTECODE', inputs.join(' '), 'no contract with runtime bytecode');
  const table = conflictTable(analyses);
  process.stdout.write(json ? JSON.stringify(table, null, 2) + '\n' : renderTable(table));
  return 0;
}
