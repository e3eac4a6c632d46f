/** `prescient analyze <input> [--abi file] [--contract name] [--json]` */
import { exprText, slotName } from '../../analyzers/render.js';
import { atMost, checkContractInputs, checkInputFiles, parseCommandArgs, printUsage } from '../cli/args.js';
import { PrescientError } from '../errors.js';
import { loadContracts } from '../input/index.js';
import type { ContractAnalysis, FunctionFootprint, StorageAccess } from '../types.js';
import { analyzeCode } from './index.js';

export const ANALYZE_USAGE = `usage: prescient analyze <input> [--abi file] [--contract name] [--evm-version v] [--cross-check] [--cfg-check] [--json]

input: a file holding runtime bytecode as hex, a solc standard-JSON input or output, a Waffle/Hardhat/Foundry/
Truffle artifact, or Solidity (compiled with the bundled solc-js); the bytecode itself (0x...) on the command line;
or - for standard input (cast code <address> | prescient analyze -).

  --cross-check   compare with evmole's storage records and state mutability (slower on large contracts)
  --cfg-check     compare with evmole's control-flow graph (basic blocks no entry executed)`;

/** The JSON document `--json` prints: versioned, one entry per contract. */
export interface AnalyzeOutput {
  schema: 'prescient/analyze@1';
  contracts: (ContractAnalysis & { source: string })[];
}

export async function analyzeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('analyze', argv, {
    string: ['abi', 'contract', 'evm-version'],
    boolean: ['json', 'cfg-check', 'cross-check'],
  });
  if (values.help) return printUsage(ANALYZE_USAGE);
  if (positionals.length === 0) throw new PrescientError('BAD_OPTION', 'prescient analyze', 'expects one input file, got 0');
  atMost(positionals, 1, 'one input file');
  const input = positionals[0]!;
  checkContractInputs([input]);
  checkInputFiles([values.abi], 'ABI');
  const contracts = loadContracts(input, { abiPath: values.abi, contract: values.contract, evmVersion: values['evm-version'] });
  const results = contracts.map((c) => ({
    ...analyzeCode(c.runtime, { abi: c.abi, name: c.name, storageLayout: c.storageLayout, holes: c.holes, cfgCheck: values['cfg-check'] ?? false, crossCheck: values['cross-check'] ?? false }),
    source: c.source,
  }));
  if (values.json) {
    const out: AnalyzeOutput = { schema: 'prescient/analyze@1', contracts: results };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    process.stdout.write(results.map(formatAnalysis).join('\n'));
  }
  return 0;
}

function accessText(a: StorageAccess, c: ContractAnalysis): string {
  // solc's storageLayout describes persistent storage only: transient slot 0 is not the variable at slot 0
  // (transientStorageLayout is not requested), so a transient access goes unnamed.
  const name = a.transient ? null : slotName(a.slot, c.storageLayout, a.range);
  let t = name ? `${name}  = ${a.text}` : a.text;
  if (a.range) t += ` [bytes ${a.range.offset}..${a.range.offset + a.range.size - 1}]`;
  if (a.transient) t += ' (transient)';
  if (a.delta) t += a.delta === 'add' ? ' (+= delta)' : ' (-= delta)';
  return t;
}

function functionLines(f: FunctionFootprint, c: ContractAnalysis): string[] {
  const head = `${f.selector.padEnd(10)}  ${(f.signature ?? (f.inputs !== null ? `?(${f.inputs})` : '?')).padEnd(40)}  ${(f.mutability ?? '?').padEnd(10)}  ${f.complete ? 'complete' : 'INCOMPLETE'}`;
  const lines = [head];
  for (const a of f.reads) lines.push(`    read   ${accessText(a, c)}`);
  for (const a of f.writes) lines.push(`    write  ${accessText(a, c)}`);
  for (const x of f.calls) {
    const target = x.target ? exprText(x.target) : '(new contract)';
    const args = x.args ? x.args.map((e) => exprText(e)).join(', ') : '?';
    const value = x.value && !(x.value.k === 'const' && BigInt(x.value.v) === 0n) ? ` value ${exprText(x.value)}` : '';
    lines.push(`    ${x.kind.toLowerCase().padEnd(6)} ${target}${x.selector ? ` ${x.selector}` : ''}(${args})${value}`);
  }
  for (const b of f.balanceReads) lines.push(`    balance ${exprText(b)}`);
  for (const d of f.diagnostics) lines.push(`    ! ${d.code}: ${d.message}${d.pc !== undefined ? ` (pc ${d.pc})` : ''}`);
  if (f.rules.length) lines.push(`    rules: ${f.rules.join(', ')}`);
  return lines;
}

/** The readable report of one contract. */
export function formatAnalysis(c: ContractAnalysis & { source?: string }): string {
  // A receive that does nothing (no receive function: the empty call reverts) is noise in the listing; it is still an
  // entry (as in --json and `table`), so the header counts it and says it is not shown. Only one with nothing at all to
  // say is hidden: a diagnostic or an incomplete footprint is always listed.
  const empty = (f: FunctionFootprint) =>
    f.selector === 'receive' && f.complete && f.reads.length + f.writes.length + f.calls.length + f.balanceReads.length + f.transfers.length + f.diagnostics.length === 0;
  const fns = c.functions.filter((f) => !empty(f));
  const hidden = c.functions.length - fns.length;
  const complete = c.functions.filter((f) => f.complete).length;
  const lines = [
    `${c.name ?? 'contract'}${c.source ? ` (${c.source})` : ''}: ${c.codeSize} bytes, code hash ${c.codeHash.slice(0, 18)}…, ${c.functions.length} entries${hidden ? ' (an empty receive not shown)' : ''}, ${complete} complete, ${c.ms} ms`,
    '',
  ];
  for (const d of c.diagnostics) lines.push(`! ${d.code}: ${d.message}`);
  if (c.diagnostics.length) lines.push('');
  for (const f of fns) lines.push(...functionLines(f, c), '');
  return lines.join('\n');
}
