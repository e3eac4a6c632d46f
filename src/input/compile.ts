/**
 * Solidity through the bundled solc-js (0.8.37, offline), standard JSON, in-process. The EVM version is pinned
 * (default `cancun`; solc's own default is `osaka`, which would emit opcodes the executor's hardfork lacks).
 */
import { createHash } from 'node:crypto';
import { PrescientError } from '../errors.js';
import { contractsFromJson } from './artifact.js';
import type { LoadedContract } from './types.js';

export interface CompileOptions {
  evmVersion?: string;
  /** Optimizer on (200 runs) by default, like most deployed code. */
  optimize?: boolean;
  /** Compile through Yul (solc --via-ir): differently shaped code (other stack layouts, helper functions). */
  viaIR?: boolean;
  /**
   * A standard-JSON input's own `settings` (optimizer and its runs, viaIR, remappings, libraries, metadata, ...): kept
   * as given, so the code analysed is the code the user built; `outputSelection` is replaced by what analysis reads and
   * `evmVersion` still defaults to cancun. When present, `optimize` and `viaIR` are not used.
   */
  settings?: Record<string, unknown>;
  /** Resolves `import` paths not in `sources` (e.g. from disk next to a .sol file); null = not found. */
  readImport?: (path: string) => string | null;
  /** Named in error messages; default the first source's name. */
  source?: string;
}

type Solc = { compile(input: string, opts?: { import?: (p: string) => { contents: string } | { error: string } }): string; version(): string };

let solcModule: Solc | null = null;
/** Loaded on first use: `require('solc')` alone costs ~0.4 s. */
function solc(): Solc {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  solcModule ??= require('solc') as Solc;
  return solcModule;
}

export function solcVersion(): string {
  return solc().version();
}

const memo = new Map<string, any>();

/** The raw solc standard-JSON output for `sources` (memoized per process by content and settings). */
export function compileStandard(sources: Record<string, string>, opts: CompileOptions = {}): any {
  const evmVersion = opts.evmVersion ?? (typeof opts.settings?.evmVersion === 'string' ? opts.settings.evmVersion : 'cancun');
  const optimize = opts.optimize ?? true;
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([k, v]) => [k, { content: v }])),
    settings: {
      ...(opts.settings ?? { ...(opts.viaIR ? { viaIR: true } : {}), optimizer: { enabled: optimize, runs: 200 } }),
      evmVersion,
      outputSelection: {
        // immutableReferences and linkReferences: where the runtime code holds values it does not know yet (input/holes).
        '*': {
          '*': [
            'abi',
            'evm.bytecode.object',
            'evm.deployedBytecode.object',
            'evm.deployedBytecode.immutableReferences',
            'evm.deployedBytecode.linkReferences',
            'evm.methodIdentifiers',
            'storageLayout',
          ],
          '': ['ast'],
        },
      },
    },
  };
  const text = JSON.stringify(input);
  const key = createHash('sha256').update(text).digest('hex');
  const hit = memo.get(key);
  if (hit) return hit;
  const source = opts.source ?? Object.keys(sources)[0] ?? 'solidity';
  const imports = (p: string) => {
    const text = opts.readImport?.(p) ?? null;
    return text === null ? { error: `import not found: ${p}` } : { contents: text };
  };
  let output: any;
  try {
    output = JSON.parse(solc().compile(text, { import: imports }));
  } catch (e) {
    throw new PrescientError('COMPILE_FAILED', source, `solc failed: ${(e as Error).message}`, { cause: e });
  }
  const errors = (output.errors ?? []).filter((e: any) => e.severity === 'error');
  if (errors.length > 0) throw new PrescientError('COMPILE_FAILED', source, describeError(errors[0], sources));
  memo.set(key, output);
  return output;
}

/** `ParserError: Expected ';' but got '}' (Token.sol:12:5)`: the one line a user needs. */
function describeError(e: any, sources: Record<string, string>): string {
  const loc = e.sourceLocation;
  let where = '';
  if (loc?.file) {
    const text = sources[loc.file];
    if (text !== undefined && typeof loc.start === 'number' && loc.start >= 0) {
      const before = text.slice(0, loc.start);
      const line = before.split('\n').length;
      const col = loc.start - before.lastIndexOf('\n');
      where = ` (${loc.file}:${line}:${col})`;
    } else where = ` (${loc.file})`;
  }
  const msg = String(e.message ?? e.formattedMessage ?? 'unknown error').split('\n')[0];
  return `${e.type ?? 'Error'}: ${msg}${where}`;
}

/**
 * Compiles `sources` (file name -> Solidity text) and returns every contract with runtime code, with ABI,
 * storage layout, method identifiers and creation code; or the one `contract` names (`Name` or `file:Name`).
 */
export function compileSolidity(sources: Record<string, string>, opts: CompileOptions = {}, contract?: string): LoadedContract[] {
  const source = opts.source ?? Object.keys(sources)[0] ?? 'solidity';
  const output = compileStandard(sources, opts);
  const files = Object.values((output.contracts ?? {}) as Record<string, Record<string, unknown>>);
  if (!files.some((byName) => Object.keys(byName).length > 0)) throw new PrescientError('NO_BYTECODE', source, 'defines no contract');
  return contractsFromJson(output, source, contract);
}

/** Warnings (not errors) of a compilation, as solc formats them: used to keep the examples clean. */
export function compileWarnings(sources: Record<string, string>, opts: CompileOptions = {}): string[] {
  const output = compileStandard(sources, opts);
  return (output.errors ?? []).filter((e: any) => e.severity !== 'error').map((e: any) => String(e.formattedMessage ?? e.message));
}
