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
  /**
   * Bytes of `runtime` that are not the deployed ones (immutables, unlinked library addresses), held as zeros there:
   * analysis must read them as unknown values (AnalyzeOptions.holes), never as the constant 0. Sorted by `start`.
   */
  holes: CodeHole[];
}

/**
 * A place in runtime code whose value is set later: an immutable (the constructor writes it at deployment) or a
 * library address (linking). Byte offsets into the runtime code; holes with the same `what` hold the same value.
 */
export interface CodeHole {
  start: number;
  length: number;
  /** What is missing, for people: `immutable factory`, `immutable (AST id 12)`, `library L.sol:L (unlinked)`. */
  what: string;
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
