/**
 * The vocabulary of prescient, in one place. Every artifact passed between pipeline stages is defined here and is
 * plain JSON (bigints travel as 0x-hex strings), so any stage's output can be written to disk and read back:
 *
 *   bytecode --(src/analyze)--> ContractAnalysis (symbolic footprints per selector)
 *            --(src/table)----> ConflictTable
 *            --(src/hints)----> TxHints (concrete access lists for one transaction and pre-state)
 *            --(src/exec)-----> BlockResult (parallel == sequential)
 *            --(src/verify)---> VerifyReport (predictions held against traced execution)
 */

/** 0x-prefixed lowercase hex. Words are 32 bytes (64 hex digits) unless said otherwise. */
export type Hex = `0x${string}`;

// ---------------------------------------------------------------------------------------------------------------------
// Symbolic values
// ---------------------------------------------------------------------------------------------------------------------

/**
 * A symbolic 256-bit value over a transaction's inputs. Footprints are expressions in this language; they are bound to
 * concrete numbers only at the end, for one transaction (src/hints/bind.ts evaluates them).
 *
 * Where a value came from is the node kind itself: `caller`, `arg` (a calldata word), `sload` (storage), `callret`
 * (an external call's return data), ... so a mapping key "remembers its origin" by construction.
 */
export type Expr =
  | { k: 'const'; v: Hex }
  /** msg.sender, tx.origin, msg.value, address(this), calldatasize, and block context values. */
  | { k: 'env'; name: EnvName }
  /** CALLDATALOAD at a constant byte offset; `arg` is the ABI head index ((off-4)/32) when the offset is a head word. */
  | { k: 'cd'; off: number; arg: number | null }
  /** CALLDATALOAD at a symbolic offset (inside dynamic ABI data). */
  | { k: 'cdx'; off: Expr }
  /** A word read from this contract's storage (SLOAD) or transient storage (TLOAD) at `slot`, before the tx writes it. */
  | { k: 'sload'; slot: Expr; transient?: boolean }
  /**
   * keccak256 over the concatenation of 32-byte words; when `size` is given, over its first `size` bytes only
   * (abi.encodePacked input that is not a whole number of words).
   */
  | { k: 'keccak'; words: Expr[]; size?: number }
  /** An EVM arithmetic / bitwise / comparison operator over operands (`op` is the mnemonic, e.g. ADD, AND, SHR). */
  | { k: 'op'; op: string; args: Expr[] }
  /** Word `word` of the return data of external call number `call` (an index into FunctionFootprint.calls). */
  /** Word `word` of a call's return data; word -1: the return data's size (RETURNDATASIZE after that call). */
  | { k: 'callret'; call: number; word: number }
  /** The success flag of external call `call`. */
  | { k: 'callok'; call: number }
  /** BALANCE of an address expression (EXTCODESIZE etc. use `ext`). */
  | { k: 'balance'; addr: Expr }
  | { k: 'ext'; what: 'EXTCODESIZE' | 'EXTCODEHASH'; addr: Expr }
  /**
   * BLOCKHASH of block number `n`: a value fixed for the whole block (the hashes of the 256 blocks before it, zero for
   * any other number), so it is as much an input as NUMBER when `n` is.
   */
  | { k: 'blockhash'; n: Expr }
  /** A value the analysis cannot describe (a loop-widened counter, a hash over unknown memory, ...). */
  | { k: 'unknown'; why: string };

export type EnvName =
  | 'CALLER'
  | 'ORIGIN'
  | 'CALLVALUE'
  | 'ADDRESS'
  | 'CALLDATASIZE'
  | 'SELFBALANCE'
  | 'TIMESTAMP'
  | 'NUMBER'
  | 'COINBASE'
  | 'GASPRICE'
  | 'BASEFEE'
  | 'CHAINID'
  | 'GASLIMIT'
  | 'DIFFICULTY'
  | 'BLOBBASEFEE'
  | 'GAS'
  | 'CODESIZE'
  | 'RETURNDATASIZE'
  | 'MSIZE'
  | 'BLOCKHASH';

// ---------------------------------------------------------------------------------------------------------------------
// Slots: a small algebra, derived from the slot expression
// ---------------------------------------------------------------------------------------------------------------------

/** Where a mapping key or array index comes from. */
export type KeyOrigin =
  | 'caller'
  | 'origin'
  | 'callvalue'
  | 'calldata'
  | 'constant'
  | 'storage'
  | 'call'
  | 'env'
  | 'computed'
  | 'unknown';

export interface Key {
  origin: KeyOrigin;
  /** For origin `calldata`: the ABI argument index when known. */
  arg?: number;
  expr: Expr;
}

/**
 * A storage slot, structurally:
 * - `const`:   a fixed slot (a state variable; EIP-1967 slots);
 * - `mapping`: keccak(key . base), Solidity's mapping layout; `base` may itself be a mapping (nested mappings);
 * - `array`:   keccak(base) + index, a dynamic array's element (or a long string/bytes chunk);
 * - `offset`:  base + n, a struct field or a static array element past a computed slot;
 * - `computed`: any other slot computed from the transaction's inputs (hand-written assembly layouts); exact, since
 *   its expression binds to one concrete slot per transaction;
 * - `unknown`: the analysis could not tell; the footprint is then incomplete.
 */
export type Slot =
  | { kind: 'const'; slot: Hex }
  | { kind: 'mapping'; base: Slot; key: Key }
  | { kind: 'array'; base: Slot; index: Key }
  | { kind: 'offset'; base: Slot; offset: number }
  | { kind: 'computed'; key: Key }
  | { kind: 'unknown'; why: string };

/** One storage access (read or write) a function may make. */
export interface StorageAccess {
  /** The slot, structurally; `expr` is the same slot as an expression (what hints bind). */
  slot: Slot;
  expr: Expr;
  /** Human-readable form, e.g. `keccak(caller . 0x0)`. */
  text: string;
  /** Bytes [offset, offset+size) of the slot when the access is to a packed variable (a masked write). */
  range?: { offset: number; size: number };
  /** TLOAD/TSTORE (EIP-1153): never persisted, never a cross-transaction conflict. */
  transient?: boolean;
  /**
   * A write that only adds or subtracts an amount from what it read (a counter, a balance credit): such writes from
   * different transactions commute and can merge as deltas.
   */
  delta?: 'add' | 'sub';
  /**
   * For a write: the value stored, when every SSTORE of the slot stores this one expression (`sload(0x8) + 0x1` for a
   * counter). Later transactions of a block bind their reads of the slot with it (src/hints/block.ts).
   */
  value?: Expr;
  /** Program counters of the SLOAD/SSTORE instructions. */
  pcs: number[];
  /**
   * When the access happens only on some paths: the paths' conditions, a disjunction of conjunctions of expressions
   * that are non-zero on that path (branch conditions since the path's newest merge point; conditions over unknown
   * values left out). Absent: unconditional. A binder may drop the access for a transaction where every alternative
   * has a condition that evaluates to zero.
   */
  guards?: Expr[][];
}

export type CallKind = 'CALL' | 'CALLCODE' | 'STATICCALL' | 'DELEGATECALL' | 'CREATE' | 'CREATE2' | 'SELFDESTRUCT';

/** An external call (or contract creation, or SELFDESTRUCT) a function may make. */
export interface ExternalCall {
  /** Index used by `callret`/`callok` expressions. */
  id: number;
  kind: CallKind;
  /** Callee address (absent for CREATE/CREATE2; the beneficiary for SELFDESTRUCT). */
  target?: Expr;
  /** Wei sent (CALL, CALLCODE, CREATE, CREATE2, SELFDESTRUCT). */
  value?: Expr;
  /** The 4-byte selector as 0x + 8 hex digits when the calldata's first word is known; null otherwise. */
  selector: Hex | null;
  /**
   * The call's input, as 32-byte words after the selector (or the whole input when there is no selector). Null when
   * the input length or content is not known word by word.
   */
  args: Expr[] | null;
  /** Input length in bytes when constant. */
  inputSize: number | null;
  /** The input is exactly this frame's own calldata (a proxy's `calldatacopy(0, 0, calldatasize())` forwarding). */
  forwardsCalldata?: boolean;
  /** When the call happens only on some paths: their conditions, as `StorageAccess.guards`. */
  guards?: Expr[][];
  /**
   * Present when `inputSize` is null but the input's place in memory is known (a dynamic `bytes` argument passed on):
   * the input length as an expression over the frame's inputs. A binder that evaluates it to n rebuilds the exact
   * input from `inputWords` (bytes past n are not sent).
   */
  inputSizeExpr?: Expr;
  /**
   * With `inputSizeExpr`: the input as 32-byte words from its first byte (selector included), as far as the analysis
   * knows them (at most MAX_REGION_WORDS + 1 words; trailing unknown words dropped).
   */
  inputWords?: Expr[];
  pc: number;
}

/** Diagnostics are data: every imprecision is reported with a reason; bugs throw. */
export interface Diagnostic {
  code: DiagnosticCode;
  message: string;
  pc?: number;
}

export type DiagnosticCode =
  | 'unknown-slot'
  | 'loop-widened'
  | 'dynamic-jump'
  | 'limit-steps'
  | 'limit-paths'
  | 'limit-depth'
  | 'unknown-call-target'
  | 'unknown-call-input'
  | 'invalid-jump'
  | 'rule'
  | 'cross-check'
  | 'assumes-prior'
  /** The code analysed has holes (immutables, unlinked libraries) read as unknown values: AnalyzeOptions.holes. */
  | 'code-hole';

export type Mutability = 'pure' | 'view' | 'nonpayable' | 'payable';

/** The footprint of one function (or of `fallback` / `receive`). */
export interface FunctionFootprint {
  /** `0x` + 8 lowercase hex digits, or `fallback` / `receive`. */
  selector: Hex | 'fallback' | 'receive';
  /** From the ABI when given, else from rules/interfaces.json's known selectors, else null. */
  signature: string | null;
  /** Argument types as evmole infers them from the bytecode (e.g. `address,uint256`), or null. */
  inputs: string | null;
  /** From the ABI when given; else evmole's (with --cross-check) or ours (callvalue guard, state reads and writes). */
  mutability: Mutability | null;
  reads: StorageAccess[];
  writes: StorageAccess[];
  calls: ExternalCall[];
  /** Addresses whose balance the function reads (BALANCE; SELFBALANCE appears as `env` ADDRESS). */
  balanceReads: Expr[];
  /** ETH leaving the contract: calls and SELFDESTRUCT with a non-zero (or unknown) value. */
  transfers: { to: Expr; value: Expr; pc: number }[];
  /**
   * True only when every access to this contract's own storage and balances on every path is captured, and every
   * external call site is recorded. What a callee does is bound per transaction (src/hints), where a call whose
   * target or needed input words are unknown makes the transaction incomplete.
   */
  complete: boolean;
  /**
   * Every path was explored (no exploration limit, no unfollowed jump): then `guards` are present where they apply,
   * and a call site's guard vouches that no unexplored path reaches it.
   */
  exhaustive?: boolean;
  diagnostics: Diagnostic[];
  /** Ids of the rules in rules/ that fired for this function. */
  rules: string[];
}

export interface StorageVariable {
  label: string;
  slot: Hex;
  offset: number;
  type: string;
}

/** What `prescient analyze` produces for one contract. Versioned: consumers check `schema`. */
export interface ContractAnalysis {
  schema: 'prescient/analysis@1';
  /** keccak256 of the runtime code: the cache key. */
  codeHash: Hex;
  codeSize: number;
  /** Contract name when the input says it. */
  name: string | null;
  functions: FunctionFootprint[];
  /** Solidity storage layout, when the input carried one (solc output with storageLayout). */
  storageLayout: StorageVariable[] | null;
  /** Contract-wide diagnostics (e.g. evmole cross-check disagreements). */
  diagnostics: Diagnostic[];
  /** Analysis time in milliseconds. */
  ms: number;
}

// ---------------------------------------------------------------------------------------------------------------------
// Conflict table
// ---------------------------------------------------------------------------------------------------------------------

export type ConflictKind = 'none' | 'write-write' | 'read-write';

/**
 * Whether calls to `a` and `b` (by different transactions) may conflict, and when: `conditions` is a disjunction; each
 * condition is a pair of slot expressions (a's over a's inputs, b's over b's inputs) that must be equal.
 * `always` marks a conflict independent of inputs (both touch the same constant slot, or an unknown slot).
 */
export interface ConflictEntry {
  a: string;
  b: string;
  kind: ConflictKind;
  always: boolean;
  conditions: { a: string; b: string; kind: Exclude<ConflictKind, 'none'> }[];
}

export interface ConflictTable {
  schema: 'prescient/table@1';
  contracts: { name: string | null; codeHash: Hex; selectors: string[] }[];
  entries: ConflictEntry[];
}

// ---------------------------------------------------------------------------------------------------------------------
// Hints: footprints bound to one transaction
// ---------------------------------------------------------------------------------------------------------------------

export interface AccessListEntry {
  address: Hex;
  storageKeys: Hex[];
}

export interface TxHints {
  index: number;
  hash: Hex;
  complete: boolean;
  /**
   * Earlier transactions of the block this prediction relies on running as predicted (rules/once-per-block.json: a
   * pair's price accumulators, which only the block's first update of the pair touches). If one fails or takes
   * another path, accesses left out may happen, so `complete` is false. Absent: none.
   */
  assumes?: number[];
  /** Every slot predicted to be read or written (the called contract's own included). */
  accessList: AccessListEntry[];
  writes: AccessListEntry[];
  /** Addresses whose balance the transaction may read or change. */
  balances?: Hex[];
  diagnostics: Diagnostic[];
}

// ---------------------------------------------------------------------------------------------------------------------
// Execution and verification
// ---------------------------------------------------------------------------------------------------------------------

/** What one transaction really touched, from traced execution. */
export interface TxTrace {
  index: number;
  hash: Hex;
  reads: AccessListEntry[];
  writes: AccessListEntry[];
  /** Accounts whose balance was read / changed (fee payments to the coinbase excluded). */
  balanceReads: Hex[];
  balanceWrites: Hex[];
  /**
   * Accounts the transaction loaded (any field: code, balance, nonce, existence) or whose storage or balance it
   * touched: EIP-2929's accessed addresses, which an access list warms. Absent in hand-made traces.
   */
  accounts?: Hex[];
  gasUsed: number;
  status: 'success' | 'revert' | 'halt';
}

export interface BlockResult {
  number: number;
  gasUsed: number;
  receiptsRoot: Hex;
  logsBloom: Hex;
  stateRoot: Hex;
  stats: {
    threads: number;
    oracle: 'static' | 'none' | 'sequential';
    executions: number;
    reExecutions: number;
    wallMs: number;
    loadMs: number;
    [k: string]: number | string;
  };
}
