/**
 * JSON inputs, recognised by shape (not by file name):
 *  - solc standard-JSON output `{ contracts: { file: { Name: { abi, evm: { bytecode, deployedBytecode } } } } }`,
 *    also inside a Hardhat build-info file (`{ _format: 'hh-sol-build-info-1', output }`);
 *  - solc `--combined-json` output `{ contracts: { 'file:Name': { abi, bin, 'bin-runtime' } } }`;
 *  - one contract's solc output as Waffle writes it `{ abi, evm: { bytecode: { object }, deployedBytecode: { object } } }`;
 *  - Hardhat artifacts `{ _format: 'hh-sol-artifact-1', contractName, abi, bytecode: '0x..', deployedBytecode: '0x..' }`;
 *  - Foundry artifacts `{ abi, bytecode: { object }, deployedBytecode: { object }, methodIdentifiers, storageLayout? }`;
 *  - Truffle artifacts `{ contractName, abi, bytecode: '0x..', deployedBytecode: '0x..' }`.
 * (solc standard-JSON *input* is compiled: see load.ts.) Each shape's immutable and link references, and the ASTs that
 * name immutables, give the runtime code's holes (holes.ts).
 */
import { basename } from 'node:path';
import { PrescientError } from '../errors.js';
import { methodIdentifiersFromAbi } from './abi.js';
import { CREATION_CODE_MESSAGE, looksLikeCreationCode } from './creation.js';
import { parseHexCode } from './hex.js';
import { collectHoles, type HoleSources, variableNames } from './holes.js';
import { parseStorageLayout } from './layout.js';
import type { LoadedContract } from './types.js';

type Json = Record<string, any>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Bytecode fields come as a hex string or as `{ object: hex }`; absent or empty means none. */
function codeText(field: unknown): string | null {
  const text = isObject(field) ? field.object : field;
  if (typeof text !== 'string') return null;
  const t = text.trim();
  return t === '' || t === '0x' ? null : t;
}

/** A JSON ABI array: every entry an object with a `type` (or a legacy entry with `name` and `inputs`). */
export function isAbiArray(v: unknown): v is any[] {
  return Array.isArray(v) && v.every((e) => isObject(e) && (typeof e.type === 'string' || Array.isArray(e.inputs)));
}

interface RawContract {
  name: string | null;
  /** Where in the input this contract is, for messages (`file:Name`, or the input itself). */
  where: string;
  abi: unknown;
  runtime: string | null;
  creation: string | null;
  /** True when the input has no deployedBytecode field at all (as opposed to an empty one). */
  runtimeMissing: boolean;
  methodIdentifiers: unknown;
  storageLayout: unknown;
  /** Where the runtime code's holes are, as far as the input says (holes.ts). */
  holes: HoleSources;
}

function toLoaded(raw: RawContract, source: string): LoadedContract {
  if (raw.runtime === null) {
    const who = raw.name ? `contract ${raw.name}` : 'the artifact';
    const why = raw.runtimeMissing
      ? 'has no deployedBytecode field (was evm.deployedBytecode selected in the compiler output?)'
      : 'has no deployed bytecode (an interface or abstract contract?)';
    throw new PrescientError('NO_BYTECODE', source, `${who} ${why}`);
  }
  const where = raw.where === source ? source : `${source} (${raw.where})`;
  const runtime = parseHexCode(raw.runtime, where);
  if (looksLikeCreationCode(runtime)) throw new PrescientError('CREATION_CODE', where, CREATION_CODE_MESSAGE);
  const abi = isAbiArray(raw.abi) ? raw.abi : null;
  let methodIdentifiers: Record<string, string> | null = null;
  if (isObject(raw.methodIdentifiers) && Object.values(raw.methodIdentifiers).every((v) => typeof v === 'string')) {
    methodIdentifiers = raw.methodIdentifiers as Record<string, string>;
  } else if (abi) {
    methodIdentifiers = methodIdentifiersFromAbi(abi);
  }
  return {
    name: raw.name,
    runtime,
    holes: collectHoles(runtime, raw.runtime, raw.holes, where),
    abi,
    storageLayout: parseStorageLayout(raw.storageLayout),
    methodIdentifiers,
    creation: raw.creation === null ? null : parseHexCode(raw.creation, `${where} creation bytecode`),
    source,
  };
}

/** solc `--combined-json` writes abi as a JSON string in older versions. */
function maybeParse(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return null;
  }
}

function fromStandardOutput(output: Json): RawContract[] {
  const out: RawContract[] = [];
  // AST ids are unique across one compilation: any source's AST may declare a contract's (inherited) immutables.
  const names = variableNames(() => Object.values(isObject(output.sources) ? output.sources : {}).map((s) => (isObject(s) ? (s.ast ?? s.legacyAST) : null)));
  for (const [file, byName] of Object.entries(output.contracts as Json)) {
    if (!isObject(byName)) continue;
    if ('bin-runtime' in byName || 'bin' in byName) {
      // --combined-json: keys are `file:Name`.
      const name = file.includes(':') ? file.slice(file.lastIndexOf(':') + 1) : file;
      out.push({
        name,
        where: file,
        abi: maybeParse(byName.abi),
        runtime: codeText(byName['bin-runtime']),
        creation: codeText(byName.bin),
        runtimeMissing: !('bin-runtime' in byName),
        methodIdentifiers: maybeParse(byName.hashes),
        storageLayout: maybeParse(byName['storage-layout']),
        holes: {},
      });
      continue;
    }
    for (const [name, c] of Object.entries(byName)) {
      if (!isObject(c)) continue;
      out.push({
        name,
        where: `${file}:${name}`,
        abi: c.abi,
        runtime: codeText(c.evm?.deployedBytecode),
        creation: codeText(c.evm?.bytecode),
        runtimeMissing: c.evm?.deployedBytecode === undefined,
        methodIdentifiers: c.evm?.methodIdentifiers,
        storageLayout: c.storageLayout,
        holes: { immutableReferences: c.evm?.deployedBytecode?.immutableReferences, linkReferences: c.evm?.deployedBytecode?.linkReferences, names },
      });
    }
  }
  return out;
}

/** Foundry and Waffle artifacts do not always name the contract; the metadata's compilation target does. */
function nameFromMetadata(metadata: unknown): string | null {
  const m = maybeParse(metadata);
  const target = isObject(m) ? m.settings?.compilationTarget : null;
  if (isObject(target)) {
    const names = Object.values(target).filter((v): v is string => typeof v === 'string');
    if (names.length === 1) return names[0]!;
  }
  return null;
}

function fromSingleArtifact(json: Json, source: string): RawContract | null {
  const fileStem = basename(source).replace(/\.[^.]*$/, '') || null;
  const names = variableNames(() => [json.ast ?? json.legacyAST]);
  if (isObject(json.evm)) {
    // Waffle / one contract of solc's output.
    return {
      name: typeof json.contractName === 'string' ? json.contractName : (nameFromMetadata(json.metadata) ?? fileStem),
      where: source,
      abi: json.abi,
      runtime: codeText(json.evm.deployedBytecode),
      creation: codeText(json.evm.bytecode),
      runtimeMissing: json.evm.deployedBytecode === undefined,
      methodIdentifiers: json.evm.methodIdentifiers,
      storageLayout: json.storageLayout,
      holes: { immutableReferences: json.evm.deployedBytecode?.immutableReferences, linkReferences: json.evm.deployedBytecode?.linkReferences, names },
    };
  }
  if ('deployedBytecode' in json || 'bytecode' in json) {
    // Hardhat and Truffle: strings, with contractName. Foundry: `{ object }`, named by metadata or by the file.
    const foundry = isObject(json.deployedBytecode) || isObject(json.bytecode);
    // Foundry keeps the references inside deployedBytecode; Hardhat has deployedLinkReferences (and no immutables),
    // Truffle a top-level immutableReferences when its solc made one.
    const dep = json.deployedBytecode;
    const holes: HoleSources = isObject(dep)
      ? { immutableReferences: dep.immutableReferences, linkReferences: dep.linkReferences, names }
      : { immutableReferences: json.immutableReferences, linkReferences: json.deployedLinkReferences, names };
    const name =
      typeof json.contractName === 'string'
        ? json.contractName
        : (nameFromMetadata(json.metadata) ?? (foundry ? fileStem : null));
    return {
      name,
      where: source,
      abi: json.abi,
      runtime: codeText(json.deployedBytecode),
      creation: codeText(json.bytecode),
      runtimeMissing: !('deployedBytecode' in json),
      methodIdentifiers: json.methodIdentifiers,
      storageLayout: json.storageLayout,
      holes,
    };
  }
  return null;
}

function matches(raw: RawContract, wanted: string): boolean {
  return raw.name === wanted || raw.where === wanted;
}

/**
 * Every contract with runtime code in a parsed JSON input (or the one `contract` names). Interfaces and abstract
 * contracts in multi-contract outputs are skipped; asking for one by name, or an input holding nothing else, is an
 * error that says so.
 */
export function contractsFromJson(json: unknown, source: string, contract?: string): LoadedContract[] {
  if (isAbiArray(json)) {
    throw new PrescientError('NO_BYTECODE', source, 'is a JSON ABI without bytecode; pass the bytecode and give the ABI with --abi');
  }
  if (!isObject(json)) throw new PrescientError('BAD_INPUT', source, 'unrecognised JSON: expected a compiler output or artifact object');
  const output = json._format === 'hh-sol-build-info-1' && isObject(json.output) ? json.output : json;
  if (isObject(output.contracts)) {
    const all = fromStandardOutput(output);
    if (contract !== undefined) {
      const hit = all.filter((c) => matches(c, contract));
      if (hit.length === 0) {
        const names = all.map((c) => c.name).join(', ') || 'none';
        throw new PrescientError('BAD_OPTION', source, `no contract named '${contract}' (contracts: ${names})`);
      }
      if (hit.length > 1) {
        const names = hit.map((c) => c.where).join(', ');
        throw new PrescientError('BAD_OPTION', source, `'${contract}' is ambiguous: use file:name (${names})`);
      }
      return [toLoaded(hit[0]!, source)];
    }
    const withCode = all.filter((c) => c.runtime !== null);
    if (withCode.length === 0) {
      if (all.length === 1) return [toLoaded(all[0]!, source)];
      const errors = Array.isArray(output.errors) ? output.errors.filter((e: any) => e?.severity === 'error') : [];
      if (errors.length > 0) {
        const first = String(errors[0].formattedMessage ?? errors[0].message ?? '').split('\n')[0];
        throw new PrescientError('COMPILE_FAILED', source, `the compiler output holds errors: ${first}`);
      }
      if (all.length > 0 && all.every((c) => c.runtimeMissing)) {
        throw new PrescientError('NO_BYTECODE', source, 'the compiler output has no deployedBytecode (was evm.deployedBytecode selected?)');
      }
      const names = all.map((c) => c.name).join(', ') || 'none';
      throw new PrescientError(
        'NO_BYTECODE',
        source,
        `no contract with deployed bytecode (interfaces or abstract contracts only? contracts: ${names})`,
      );
    }
    // Two contracts of one name (in different files) are told apart in every output by their `file:Name`.
    const seen = new Map<string | null, number>();
    for (const c of withCode) seen.set(c.name, (seen.get(c.name) ?? 0) + 1);
    return withCode.map((c) => toLoaded(seen.get(c.name)! > 1 ? { ...c, name: c.where } : c, source));
  }
  if (Array.isArray(output.errors) && !('abi' in output)) {
    const first = output.errors.find((e: any) => e?.severity === 'error') ?? output.errors[0];
    const line = String(first?.formattedMessage ?? first?.message ?? 'unknown error').split('\n')[0];
    throw new PrescientError('COMPILE_FAILED', source, `a compiler output without contracts: ${line}`);
  }
  const single = fromSingleArtifact(json, source);
  if (single === null) {
    throw new PrescientError(
      'BAD_INPUT',
      source,
      'unrecognised JSON: expected solc standard-JSON output or a Hardhat/Foundry/Truffle/Waffle artifact',
    );
  }
  if (contract !== undefined && single.name !== null && single.name !== contract) {
    throw new PrescientError('BAD_OPTION', source, `holds contract '${single.name}', not '${contract}'`);
  }
  return [toLoaded(single, source)];
}

/** The ABI in a JSON value: an ABI array itself, or the `abi` of an artifact (first contract with one in solc output). */
export function abiFromJson(json: unknown): any[] | null {
  if (isAbiArray(json)) return json;
  if (!isObject(json)) return null;
  if (isAbiArray(json.abi)) return json.abi;
  const output = isObject(json.output) ? json.output : json;
  if (isObject(output.contracts)) {
    for (const byName of Object.values(output.contracts)) {
      if (!isObject(byName)) continue;
      if (isAbiArray(maybeParse(byName.abi))) return maybeParse(byName.abi) as any[];
      for (const c of Object.values(byName)) if (isObject(c) && isAbiArray(c.abi) && c.abi.length > 0) return c.abi;
    }
  }
  return null;
}
