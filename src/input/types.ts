import type { StorageVariable } from '../types.js';

/** One contract as the user gave it, reduced to what analysis needs. */
export interface LoadedContract {
  /** Contract name when the input says it. */
  name: string | null;
  /** Deployed (runtime) bytecode. */
  runtime: Uint8Array;
  /** JSON ABI when present. */
  abi: any[] | null;
  /** From solc's storageLayout output; null when the input has none. */
  storageLayout: StorageVariable[] | null;
  /** `"transfer(address,uint256)" -> "a9059cbb"`: solc's evm.methodIdentifiers, or derived from the ABI. */
  methodIdentifiers: Record<string, string> | null;
  /** Creation bytecode when present (src/gen deploys with it). */
  creation: Uint8Array | null;
  /** The input path (for messages). */
  source: string;
}

export interface LoadOptions {
  /** An ABI for hex input: a JSON ABI array, or an artifact containing one. Overrides an artifact's own ABI. */
  abiPath?: string;
  /** Pick one contract (by name, or `file:name`) from inputs holding several. */
  contract?: string;
  /** For `.sol` inputs; default `cancun`. */
  evmVersion?: string;
  /** For `.sol` inputs; default true (200 runs), like most deployed code. */
  optimize?: boolean;
}
