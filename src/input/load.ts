import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, basename, resolve } from 'node:path';
import { PrescientError } from '../errors.js';
import { abiFromJson, contractsFromJson } from './artifact.js';
import { compileSolidity } from './compile.js';
import { methodIdentifiersFromAbi } from './abi.js';
import { CREATION_CODE_MESSAGE, looksLikeCreationCode } from './creation.js';
import { parseHexCode } from './hex.js';
import { checkFile, inputName, isInlineInput } from './source.js';
import type { LoadedContract, LoadOptions } from './types.js';

function readText(path: string, what = 'input'): string {
  if (path === '-') {
    try {
      return readFileSync(0, 'utf8').replace(/^\uFEFF/, '');
    } catch (e) {
      throw new PrescientError('BAD_INPUT', 'stdin', `cannot read: ${(e as Error).message}`, { cause: e });
    }
  }
  if (isInlineInput(path)) return path;
  checkFile(path, what);
  try {
    // A byte-order mark (Windows editors) is not content.
    return readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    throw new PrescientError('BAD_INPUT', path, `cannot read: ${(e as Error).message}`, { cause: e });
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PrescientError('BAD_JSON', path, `unreadable JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** Solidity is recognised by content too (a `.txt` holding a contract still compiles). */
const looksLikeSolidity = (text: string): boolean =>
  /^\s*(\/\/|\/\*|pragma\s+solidity|\/\/\s*SPDX)/.test(text) && /\b(pragma\s+solidity|contract|library|interface)\b/.test(text);

/** Imports of a `.sol` file resolve relative to its folder, then to the current directory. */
function diskImports(dir: string): (p: string) => string | null {
  return (p) => {
    for (const candidate of [resolve(dir, p), resolve(p)]) {
      if (existsSync(candidate) && statSync(candidate).isFile()) return readFileSync(candidate, 'utf8');
    }
    return null;
  };
}

function loadAbi(path: string): any[] {
  const json = parseJson(readText(path, 'ABI'), path);
  const abi = abiFromJson(json);
  if (!abi) throw new PrescientError('BAD_INPUT', path, 'no ABI here: expected a JSON ABI array or an artifact with an "abi" field');
  return abi;
}

/**
 * Reads what a user has into runtime bytecode (+ ABI, storage layout, creation code when the input carries them).
 * The input kind is decided by content: JSON (compiler outputs and artifacts), Solidity source, or hex bytecode.
 * `arg` is a path, `-` (standard input) or the bytecode itself (source.ts).
 */
export function loadContracts(arg: string, opts: LoadOptions = {}): LoadedContract[] {
  const text = readText(arg);
  const path = inputName(arg);
  let contracts: LoadedContract[];
  const head = text.trimStart()[0];
  if (head === '{' || head === '[') {
    const json = parseJson(text, path);
    if (json && typeof json === 'object' && !Array.isArray(json) && (json as any).language && (json as any).sources) {
      contracts = compileStandardInput(json as any, path, opts);
    } else {
      contracts = contractsFromJson(json, path, opts.contract);
    }
  } else if (path.endsWith('.sol') || looksLikeSolidity(text)) {
    const compiled = compileSolidity(
      { [basename(path)]: text },
      { evmVersion: opts.evmVersion, optimize: opts.optimize, readImport: diskImports(dirname(path)), source: path },
    );
    // Imported files' contracts are compiled too; the file's own come first, all are kept unless one is named.
    contracts = pick(compiled, opts.contract, path);
  } else {
    const runtime = parseHexCode(text, path);
    if (looksLikeCreationCode(runtime)) throw new PrescientError('CREATION_CODE', path, CREATION_CODE_MESSAGE);
    contracts = [{ name: null, runtime, abi: null, storageLayout: null, methodIdentifiers: null, creation: null, source: path }];
  }
  if (opts.abiPath !== undefined) {
    const abi = loadAbi(opts.abiPath);
    const methodIdentifiers = methodIdentifiersFromAbi(abi);
    contracts = contracts.map((c) => ({ ...c, abi, methodIdentifiers: c.methodIdentifiers ?? methodIdentifiers }));
  }
  return contracts;
}

function pick(all: LoadedContract[], contract: string | undefined, path: string): LoadedContract[] {
  if (contract === undefined) return all;
  const hit = all.filter((c) => c.name === contract);
  if (hit.length === 0) {
    throw new PrescientError(
      'BAD_OPTION',
      path,
      `no contract named '${contract}' with deployed bytecode (contracts: ${all.map((c) => c.name).join(', ') || 'none'})`,
    );
  }
  return hit;
}

/** solc standard-JSON *input*: its sources are compiled with the EVM version pinned (its other settings are not kept). */
function compileStandardInput(json: { language: string; sources: Record<string, any> }, path: string, opts: LoadOptions): LoadedContract[] {
  if (json.language !== 'Solidity') throw new PrescientError('BAD_INPUT', path, `standard-JSON input in ${json.language}: only Solidity is compiled here`);
  const sources: Record<string, string> = {};
  for (const [file, s] of Object.entries(json.sources)) {
    if (typeof s?.content === 'string') sources[file] = s.content;
    else throw new PrescientError('BAD_INPUT', path, `source ${file} has no inline "content" (urls are not fetched)`);
  }
  const evmVersion = opts.evmVersion ?? (json as any).settings?.evmVersion ?? 'cancun';
  const optimize = opts.optimize ?? (json as any).settings?.optimizer?.enabled ?? true;
  const compiled = compileSolidity(sources, { evmVersion, optimize, readImport: diskImports(dirname(path)), source: path });
  return pick(compiled, opts.contract, path);
}

/** Convenience for tests and tools: the one contract in `path` (or named by opts.contract); an error if several. */
export function loadContract(path: string, opts: LoadOptions = {}): LoadedContract {
  const all = loadContracts(path, opts);
  if (all.length !== 1) {
    throw new PrescientError('BAD_OPTION', path, `holds ${all.length} contracts (${all.map((c) => c.name).join(', ')}); name one with --contract`);
  }
  return all[0]!;
}

