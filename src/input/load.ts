import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, basename, resolve } from 'node:path';
import { PrescientError } from '../errors.js';
import { abiFromJson, contractsFromJson } from './artifact.js';
import { compileSolidity } from './compile.js';
import { methodIdentifiersFromAbi } from './abi.js';
import { CREATION_CODE_MESSAGE, looksLikeCreationCode } from './creation.js';
import { parseHexCode } from './hex.js';
import { hexHoles } from './holes.js';
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
    // Imported files' contracts are compiled too; the file's own come first, all are kept unless one is named.
    contracts = compileSolidity(
      { [basename(path)]: text },
      { evmVersion: opts.evmVersion, optimize: opts.optimize, readImport: diskImports(dirname(path)), source: path },
      opts.contract,
    );
  } else {
    const runtime = parseHexCode(text, path);
    if (looksLikeCreationCode(runtime)) throw new PrescientError('CREATION_CODE', path, CREATION_CODE_MESSAGE);
    contracts = [{ name: null, runtime, abi: null, storageLayout: null, methodIdentifiers: null, creation: null, source: path, holes: hexHoles(text, runtime) }];
  }
  if (opts.abiPath !== undefined) {
    // One ABI names one contract's functions: given to several, it would name selectors they do not have.
    if (contracts.length > 1) {
      throw new PrescientError('BAD_OPTION', '--abi', `${path} holds ${contracts.length} contracts (${contracts.map((c) => c.name).join(', ')}): name the one the ABI is for with --contract`);
    }
    const abi = loadAbi(opts.abiPath);
    const methodIdentifiers = methodIdentifiersFromAbi(abi);
    contracts = contracts.map((c) => ({ ...c, abi, methodIdentifiers: c.methodIdentifiers ?? methodIdentifiers }));
  }
  return contracts;
}

/**
 * solc standard-JSON *input*: compiled with its own settings (optimizer, viaIR, remappings, libraries, ...), the EVM
 * version defaulting to cancun when it names none (solc's own default emits opcodes the executor's fork lacks).
 */
function compileStandardInput(json: { language: string; sources: Record<string, any> }, path: string, opts: LoadOptions): LoadedContract[] {
  if (json.language !== 'Solidity') throw new PrescientError('BAD_INPUT', path, `standard-JSON input in ${json.language}: only Solidity is compiled here`);
  const sources: Record<string, string> = {};
  for (const [file, s] of Object.entries(json.sources)) {
    if (typeof s?.content === 'string') sources[file] = s.content;
    else throw new PrescientError('BAD_INPUT', path, `source ${file} has no inline "content" (urls are not fetched)`);
  }
  const raw = (json as { settings?: unknown }).settings;
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    throw new PrescientError('BAD_INPUT', path, 'standard-JSON input: "settings" is not an object');
  }
  const settings = (raw ?? {}) as Record<string, unknown>;
  return compileSolidity(sources, { evmVersion: opts.evmVersion, settings, readImport: diskImports(dirname(path)), source: path }, opts.contract);
}

/** Convenience for tests and tools: the one contract in `path` (or named by opts.contract); an error if several. */
export function loadContract(path: string, opts: LoadOptions = {}): LoadedContract {
  const all = loadContracts(path, opts);
  if (all.length !== 1) {
    throw new PrescientError('BAD_OPTION', path, `holds ${all.length} contracts (${all.map((c) => c.name).join(', ')}); name one with --contract`);
  }
  return all[0]!;
}

