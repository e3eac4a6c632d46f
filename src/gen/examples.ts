/**
 * The project's example contracts (examples/contracts/*.sol), compiled once with the bundled solc-js.
 *
 * Compiling all of them takes ~1 s unoptimized and ~3 s optimized, and jest runs each test file in its own module
 * registry (often its own worker), so per-process memoization alone would recompile in every file. The standard-JSON
 * output is therefore also cached on disk, keyed by the sources, settings and solc version.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { compileStandard } from '../input/compile.js';
import { contractsFromJson } from '../input/artifact.js';
import type { LoadedContract } from '../input/types.js';

/** examples/contracts, found from here both in src/gen (ts, jest) and in dist/src/gen (compiled). */
export function examplesDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'examples', 'contracts');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`examples/contracts not found above ${__dirname}`);
}

/** A compiled example: always has ABI, creation code and a name. */
export interface ExampleContract extends LoadedContract {
  name: string;
  abi: any[];
  creation: Uint8Array;
  /** The .sol file it comes from (e.g. `Token.sol`). */
  file: string;
}

export interface ExamplesOptions {
  /** Default true (200 runs). */
  optimize?: boolean;
  evmVersion?: string;
  /** Compile through Yul (`viaIR`); default false. */
  viaIR?: boolean;
  /** Where compiled output is cached; default `$TMPDIR/prescient-examples`; null disables the disk cache. */
  cacheDir?: string | null;
}

const memo = new Map<string, Map<string, ExampleContract>>();
/** By options only: the sources are not re-read and re-hashed on every lookup (setup does thousands). */
const byOptions = new Map<string, Map<string, ExampleContract>>();

function solcVersionFromPackage(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('solc/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Every example contract with runtime code, by contract name (names are unique across the examples). */
export function compileExamples(opts: ExamplesOptions = {}): Map<string, ExampleContract> {
  const optsKey = JSON.stringify([opts.optimize ?? true, opts.evmVersion ?? 'cancun', opts.viaIR ?? false, opts.cacheDir]);
  const known = byOptions.get(optsKey);
  if (known) return known;
  const result = compileExamplesUncached(opts);
  byOptions.set(optsKey, result);
  return result;
}

function compileExamplesUncached(opts: ExamplesOptions): Map<string, ExampleContract> {
  const dir = examplesDir();
  const sources: Record<string, string> = {};
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.sol')).sort()) {
    sources[f] = readFileSync(join(dir, f), 'utf8');
  }
  const optimize = opts.optimize ?? true;
  const evmVersion = opts.evmVersion ?? 'cancun';
  const key = createHash('sha256')
    .update(JSON.stringify({ sources, optimize, evmVersion, viaIR: opts.viaIR ?? false, solc: solcVersionFromPackage() }))
    .digest('hex')
    .slice(0, 32);
  const hit = memo.get(key);
  if (hit) return hit;

  const cacheDir = opts.cacheDir === undefined ? join(tmpdir(), 'prescient-examples') : opts.cacheDir;
  const cacheFile = cacheDir === null ? null : resolve(cacheDir, `${key}.json`);
  let output: any = null;
  if (cacheFile && existsSync(cacheFile)) {
    try {
      output = JSON.parse(readFileSync(cacheFile, 'utf8'));
    } catch {
      output = null; // a torn or foreign file: recompile
    }
  }
  if (output === null) {
    output = compileStandard(sources, { optimize, evmVersion, viaIR: opts.viaIR ?? false, source: dir });
    if (cacheFile) {
      // Write-then-rename: parallel jest workers may race here; rename is atomic, so readers see old or new.
      mkdirSync(dirname(cacheFile), { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      writeFileSync(tmp, JSON.stringify(output));
      renameSync(tmp, cacheFile);
    }
  }

  const byName = new Map<string, ExampleContract>();
  for (const [file, contracts] of Object.entries<any>(output.contracts)) {
    for (const name of Object.keys(contracts)) {
      if (!contracts[name].evm?.deployedBytecode?.object) continue;
      const [loaded] = contractsFromJson({ contracts: { [file]: { [name]: contracts[name] } } }, join(dir, file));
      if (byName.has(name)) throw new Error(`example contract name ${name} is defined twice`);
      byName.set(name, { ...(loaded as LoadedContract), name, abi: loaded!.abi ?? [], creation: loaded!.creation!, file });
    }
  }
  memo.set(key, byName);
  return byName;
}

/** One example contract by name; throws listing the names when absent. */
export function exampleContract(name: string, opts: ExamplesOptions = {}): ExampleContract {
  const all = compileExamples(opts);
  const c = all.get(name);
  if (!c) throw new Error(`no example contract ${name} (have: ${[...all.keys()].join(', ')})`);
  return c;
}
