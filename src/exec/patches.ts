/**
 * Speed-ups for @ethereumjs 10.1.3 that change no result:
 * - the interpreter analyses jump destinations of a contract on every message (~15% of sequential time on mainnet
 *   blocks); the analysis depends only on the code and the opcode table, so it is cached per (table content, code
 *   bytes), across blocks;
 * - `Common.isActivatedEIP` scans an array on every opcode; a Set answers the same for a Common whose hardfork no
 *   longer changes (one block's);
 * - @ethereumjs/util's `setLengthLeft`/`setLengthRight` pad through array spreads and `bigIntToBytes` decodes hex
 *   through a validating decoder; MSTORE, LOG, SSTORE and friends call them on every execution. The replacements
 *   return the same bytes and throw in the same cases;
 * - the dynamic gas of memory-only opcodes is priced synchronously (`memoryGasTable`), and the interpreter's result
 *   gives `EVM.runInterpreter` nothing to copy into its unread `execResult.runState` (see the end of `fastRun`).
 * The package indexes' re-export getters are replaced separately (src/util/flat-exports.ts).
 */
import type { Common } from '@ethereumjs/common';
import { keccak256 } from '../chain/crypto.js';

let patched = false;

/** A module inside @ethereumjs/evm's dist (the patches replace methods its index does not export). */
export function evmInternal(file: string): any {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve('@ethereumjs/evm').replace(/index\.js$/, file));
}

export function patchInterpreter(): void {
  if (patched) return;
  patched = true;
  const { Interpreter } = evmInternal('interpreter.js');
  const orig = Interpreter.prototype._getValidJumpDestinations;
  // One cache per opcode table (by content, not by EVM: every block builds a new EVM with an equal table, and the
  // cache then outlives the block, as a node's does), each keyed by the code's content (each block's state, and a
  // worker's copy of it, holds its own code arrays).
  const caches = new Map<string, CodeCache>();
  const tableKeys = new WeakMap<object, string>();
  Interpreter.prototype._getValidJumpDestinations = function (code: Uint8Array) {
    const table: OpEntry[] = this._evm._opcodeMap;
    let key = tableKeys.get(table);
    if (key === undefined) {
      key = `${opcodeTableKey(table)}|${this.common.isActivatedEIP(8024) ? 1 : 0}`;
      tableKeys.set(table, key);
    }
    let cache = caches.get(key);
    if (cache === undefined) {
      cache = new CodeCache();
      caches.set(key, cache);
    }
    let r = cache.get(code);
    if (r === undefined) {
      r = orig.call(this, code);
      cache.set(code, r);
    }
    return r;
  };
}

/** Most code bytes a CodeCache keeps (then it starts over): the contracts of many blocks. */
const CODE_CACHE_BYTES = 64 << 20;

/** Results by code content: the same array object answers from a WeakMap, equal bytes through a length bucket. */
class CodeCache {
  private byRef = new WeakMap<Uint8Array, unknown>();
  private byLen = new Map<number, Array<[Uint8Array, unknown]>>();
  private bytes = 0;
  get(code: Uint8Array): unknown {
    const r = this.byRef.get(code);
    if (r !== undefined) return r;
    const bucket = this.byLen.get(code.length);
    if (bucket === undefined) return undefined;
    const c = Buffer.from(code.buffer, code.byteOffset, code.length);
    for (const [k, v] of bucket) {
      if (c.equals(k)) {
        this.byRef.set(code, v);
        return v;
      }
    }
    return undefined;
  }
  set(code: Uint8Array, r: unknown): void {
    if (this.bytes + code.length > CODE_CACHE_BYTES) {
      this.byLen.clear();
      this.bytes = 0;
    }
    let bucket = this.byLen.get(code.length);
    if (bucket === undefined) this.byLen.set(code.length, (bucket = []));
    // A private copy: the caller's array may be a view of memory that changes later (initcode).
    bucket.push([code.slice(), r]);
    this.bytes += code.length;
    this.byRef.set(code, r);
  }
}

interface OpEntry {
  opcodeInfo: { name: string; fee: number; isAsync: boolean; dynamicGas: boolean };
  opHandler: unknown;
  gasHandler: unknown;
}

const fnIds = new WeakMap<object, number>();
let nextFnId = 1;
const fnId = (f: unknown): number => {
  if (typeof f !== 'function') return 0;
  let id = fnIds.get(f);
  if (id === undefined) {
    id = nextFnId++;
    fnIds.set(f, id);
  }
  return id;
};

/**
 * What the cached analysis depends on besides the code: each opcode's entry (the analysis keeps the entries, which
 * the interpreter then runs), i.e. its info and the identity of its handlers. Equal keys: interchangeable entries.
 */
function opcodeTableKey(table: OpEntry[]): string {
  const parts: string[] = [];
  for (let op = 0; op < 256; op++) {
    const e = table[op];
    if (e === undefined) parts.push('-');
    else {
      const i = e.opcodeInfo;
      parts.push(`${i.name}:${i.fee}:${i.isAsync ? 1 : 0}${i.dynamicGas ? 1 : 0}:${fnId(e.opHandler)}:${fnId(e.gasHandler)}`);
    }
  }
  return parts.join(',');
}

let loopPatched = false;

/**
 * The interpreter's loop awaits an async `runStep` for every opcode: a promise and a microtask per PUSH, DUP or ADD,
 * a quarter of all allocation in a block (GC is the cost that grows most when two threads run). For legacy code
 * without tracing, profiling, step listeners or code-chunk gas, opcodes with static gas and a synchronous handler run
 * inline, as `runStep` would run them (gas, pc, EIP-7928 pending trap, handler, witness commit); every other opcode
 * still goes through `runStep`, and so does every opcode of a frame whose stack holds a tainted item (taint.ts wraps
 * `runStep`; it only looks at other steps than SLOAD/SSTORE, both dynamic-gas, once its frame has a taint). The loop around it is the original's, minus the EOF and
 * witness branches that the fast path's preconditions exclude.
 */
export function patchRunLoop(): void {
  if (loopPatched) return;
  loopPatched = true;
  const { Interpreter } = evmInternal('interpreter.js');
  const { EVMError, EVMErrorTypeString } = evmInternal('errors.js');
  const { FORMAT } = evmInternal('eof/constants.js');
  const { consumeEip7928PostTargetCallOog } = evmInternal('opcodes/EIP7928.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EthereumJSErrorWithoutCode } = require('@ethereumjs/util');
  const orig = Interpreter.prototype.run;
  const STOP = EVMError.errorMessages.STOP;
  const memGas = memoryGasTable();
  // Only where the opcode's gas handler is the library's own (an EVM built with custom opcodes keeps its own).
  const { dynamicGasHandlers } = evmInternal('opcodes/gas.js');
  const memGasOf: unknown[] = memGas.map((f, op) => (f === undefined ? undefined : dynamicGasHandlers.get(op)));
  Interpreter.prototype.run = function (this: any, code: Uint8Array, opts: { pc?: number } = {}) {
    const common = this.common;
    if (
      (common.isActivatedEIP(3540) && code[0] === FORMAT) ||
      common.isActivatedEIP(6800) ||
      common.isActivatedEIP(7864) ||
      this.profilerOpts?.enabled === true ||
      this._evm.DEBUG ||
      this._evm.events.listenerCount('step') > 0
    ) {
      return orig.call(this, code, opts);
    }
    return fastRun(this, code, opts);
  };

  async function fastRun(it: any, code: Uint8Array, opts: { pc?: number }) {
    const rs = it._runState;
    const common = it.common;
    rs.code = code;
    rs.programCounter = opts.pc ?? rs.programCounter;
    const pc0 = rs.programCounter;
    if (pc0 !== 0 && (pc0 < 0 || pc0 >= rs.code.length)) {
      throw EthereumJSErrorWithoutCode('Internal error: program counter not in range');
    }
    let err: any;
    let cachedOpcodes: any[] | undefined;
    let doJumpAnalysis = true;
    while (rs.programCounter < rs.code.length) {
      const programCounter = rs.programCounter;
      let opCode: number;
      let opCodeObj: any;
      if (doJumpAnalysis) {
        opCode = rs.code[programCounter];
        if (opCode === 0x56 || opCode === 0x57 || opCode === 0x5e) {
          const { jumps, pushes, opcodesCached } = it._getValidJumpDestinations(rs.code);
          rs.validJumps = jumps;
          rs.cachedPushes = pushes;
          rs.shouldDoJumpAnalysis = false;
          cachedOpcodes = opcodesCached;
          doJumpAnalysis = false;
        }
      } else {
        opCodeObj = cachedOpcodes![programCounter];
        opCode = opCodeObj.opcodeInfo.code;
      }
      rs.opCode = opCode;
      try {
        const entry = opCodeObj ?? it.lookupOpInfo(opCode);
        const info = entry.opcodeInfo;
        const sync = info.dynamicGas && entry.gasHandler === memGasOf[opCode] ? memGas[opCode] : undefined;
        if (
          (info.dynamicGas && sync === undefined) ||
          info.isAsync ||
          info.isInvalid ||
          (it._taints !== undefined && it._taints.size > 0)
        ) {
          await it.runStep(opCodeObj);
        } else {
          it.useGas(sync === undefined ? info.feeBigInt : sync(rs, info.feeBigInt, common), info);
          rs.programCounter++;
          consumeEip7928PostTargetCallOog(rs);
          entry.opHandler(rs, common);
          rs.env.accessWitness?.commit();
        }
      } catch (e: any) {
        rs.env.accessWitness?.revert();
        if (!('errorType' in e && e.errorType === EVMErrorTypeString)) throw e;
        if (e.error !== STOP) err = e;
        break;
      }
    }
    if (err === undefined && rs.eip8037BurnLeftoverAfterCreateHaltOntoAlive === true && rs.gasLeft > 0n) {
      rs.gasLeft = 0n;
      err = new EVMError(EVMError.errorMessages.OUT_OF_GAS);
    }
    // Its only caller, EVM.runInterpreter, reads gasLeft, gasRefund and stateGasSpilled of the returned runState, then
    // spreads runState, the frame's result and `_env` into `execResult.runState`, which nobody reads (@ethereumjs/evm,
    // vm, this project). Spreading ~40 fields takes V8's generic path, ~10 µs per frame: it gets the three fields, and
    // an environment that stays readable through its prototype but has no own fields to copy.
    it._env = Object.create(it._env);
    return { runState: { gasLeft: rs.gasLeft, gasRefund: rs.gasRefund, stateGasSpilled: rs.stateGasSpilled }, exceptionError: err };
  }
}

type GasFn = (rs: any, gas: bigint, common: { param(name: string): bigint }) => bigint;

/**
 * Synchronous dynamic gas for the opcodes whose dynamic gas is memory expansion and word or byte counts only (their
 * handlers in @ethereumjs/evm's opcodes/gas.js are async functions: two promises and two microtasks per MSTORE or
 * KECCAK256, ~20 such opcodes in an ERC20 transfer). The same formulas over the library's own `subMemUsage`, `divCeil`
 * and `trap`, the same checks in the same order (so the same errors); the code-chunk (EIP-6800/7864) and EOF branches
 * of the originals are unreachable here, since `fastRun` only runs without them. Opcodes not in the table (state
 * access, calls, creates) still go through `runStep`.
 */
function memoryGasTable(): Array<GasFn | undefined> {
  const { subMemUsage, divCeil, trap } = evmInternal('opcodes/util.js');
  const { EVMError } = evmInternal('errors.js');
  const E = EVMError.errorMessages;
  const t: Array<GasFn | undefined> = new Array(256).fill(undefined);
  const [w32, w1] = [32n, 1n];
  const words = (n: bigint) => divCeil(n, w32) as bigint;
  // MLOAD, MSTORE, MSTORE8
  t[0x51] = t[0x52] = (rs, gas, c) => gas + subMemUsage(rs, rs.stack.peek()[0], w32, c);
  t[0x53] = (rs, gas, c) => gas + subMemUsage(rs, rs.stack.peek()[0], w1, c);
  // EXP: per byte of the exponent
  t[0x0a] = (rs, gas, c) => {
    const e: bigint = rs.stack.peek(2)[1];
    if (e === 0n) return gas;
    const bytes = Math.ceil(e.toString(2).length / 8);
    if (bytes < 1 || bytes > 32) trap(E.OUT_OF_RANGE);
    return gas + BigInt(bytes) * c.param('expByteGas');
  };
  // KECCAK256
  t[0x20] = (rs, gas, c) => {
    const [offset, length] = rs.stack.peek(2);
    gas += subMemUsage(rs, offset, length, c);
    return gas + c.param('keccak256WordGas') * words(length);
  };
  // CALLDATACOPY, CODECOPY
  t[0x37] = t[0x39] = (rs, gas, c) => {
    const [mem, , length] = rs.stack.peek(3);
    gas += subMemUsage(rs, mem, length, c);
    return length === 0n ? gas : gas + c.param('copyGas') * words(length);
  };
  // RETURNDATACOPY: reading past the return data is out of gas (legacy code)
  t[0x3e] = (rs, gas, c) => {
    const [mem, from, length] = rs.stack.peek(3);
    if (from + length > rs.interpreter.getReturnDataSize() && rs.env.eof === undefined) trap(E.OUT_OF_GAS);
    gas += subMemUsage(rs, mem, length, c);
    return length === 0n ? gas : gas + c.param('copyGas') * words(length);
  };
  // MCOPY
  t[0x5e] = (rs, gas, c) => {
    const [dst, src, length] = rs.stack.peek(3);
    gas += 3n * ((length + 31n) / w32);
    gas += subMemUsage(rs, src, length, c);
    return gas + subMemUsage(rs, dst, length, c);
  };
  // LOG0..LOG4
  for (let op = 0xa0; op <= 0xa4; op++) {
    t[op] = (rs, gas, c) => {
      if (rs.interpreter.isStatic()) trap(E.STATIC_STATE_CHANGE);
      const [offset, length] = rs.stack.peek(2);
      const topics = rs.opCode - 0xa0;
      if (topics < 0 || topics > 4) trap(E.OUT_OF_RANGE);
      gas += subMemUsage(rs, offset, length, c);
      return gas + c.param('logTopicGas') * BigInt(topics) + length * c.param('logDataGas');
    };
  }
  // RETURN, REVERT
  t[0xf3] = t[0xfd] = (rs, gas, c) => {
    const [offset, length] = rs.stack.peek(2);
    return gas + subMemUsage(rs, offset, length, c);
  };
  return t;
}

let senderPatched = false;
const senderCache = new WeakMap<object, Uint8Array>();

/**
 * A sender another thread recovered for this (frozen) transaction, from the same signature with the same code: the
 * parallel executor's worker recovers the senders of plain transfers ahead of the main thread (parallel.ts).
 */
export function primeSender(tx: object, address: Uint8Array): void {
  if (Object.isFrozen(tx) && !senderCache.has(tx)) senderCache.set(tx, address);
}

/**
 * `getSenderAddress` caches the recovered public key but hashes it (JS keccak) into an address on every call; a
 * speculative execution asks twice (its lazy-sender assumption, then runTx). A frozen transaction's signature cannot
 * change, so its address bytes are kept (a fresh Address around them per call, as before).
 */
export function patchTxSender(): void {
  if (senderPatched) return;
  senderPatched = true;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const txs = require('@ethereumjs/tx');
  const { Address } = require('@ethereumjs/util');
  /* eslint-enable @typescript-eslint/no-require-imports */
  for (const C of [txs.LegacyTx, txs.AccessList2930Tx, txs.FeeMarket1559Tx, txs.Blob4844Tx, txs.EOACode7702Tx]) {
    const orig = C.prototype.getSenderAddress;
    C.prototype.getSenderAddress = function (this: any) {
      const bytes = senderCache.get(this);
      if (bytes !== undefined) return new Address(bytes);
      if (!Object.isFrozen(this)) return orig.call(this);
      // publicToAddress hashes with the JS keccak; the WASM one gives the same bytes (~8% of a payout block's time).
      const pub: Uint8Array = this.getSenderPublicKey();
      if (pub.length !== 64) return orig.call(this);
      const a = keccak256(pub).slice(12);
      senderCache.set(this, a);
      return new Address(a);
    };
  }
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = HEX[65 + i] = 10 + i;

let utilPatched = false;

export function patchUtil(): void {
  if (utilPatched) return;
  utilPatched = true;
  const bytesPath = require.resolve('@ethereumjs/util').replace(/index\.js$/, 'bytes.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bytes = require(bytesPath);
  const origLeft = bytes.setLengthLeft;
  const origRight = bytes.setLengthRight;
  bytes.setLengthLeft = (msg: Uint8Array, length: number, opts?: { allowTruncate?: boolean }) => {
    if (!(msg instanceof Uint8Array) || msg.length > length) return origLeft(msg, length, opts);
    if (msg.length === length) return msg;
    const out = new Uint8Array(length);
    out.set(msg, length - msg.length);
    return out;
  };
  bytes.setLengthRight = (msg: Uint8Array, length: number, opts?: { allowTruncate?: boolean }) => {
    if (!(msg instanceof Uint8Array) || msg.length > length) return origRight(msg, length, opts);
    if (msg.length === length) return msg;
    const out = new Uint8Array(length);
    out.set(msg, 0);
    return out;
  };
  bytes.bigIntToBytes = (num: bigint, littleEndian = false) => {
    let h = num.toString(16);
    if (h.charCodeAt(0) === 45 /* '-' */) throw new Error(`bigIntToBytes: negative value ${num}`);
    if (h.length & 1) h = '0' + h;
    const out = new Uint8Array(h.length >> 1);
    for (let i = 0, j = 0; i < out.length; i++, j += 2) out[i] = (HEX[h.charCodeAt(j)]! << 4) | HEX[h.charCodeAt(j + 1)]!;
    return littleEndian ? out.reverse() : out;
  };
  // The package index is a plain copy when flat-exports.ts ran first (its getters otherwise read the module above).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const index = require('@ethereumjs/util');
  for (const k of ['setLengthLeft', 'setLengthRight', 'bigIntToBytes']) {
    if (Object.getOwnPropertyDescriptor(index, k)?.writable === true) index[k] = bytes[k];
  }
}

export function freezeEips(common: Common): void {
  const set = new Set<number>((common as any)._activatedEIPsCache as number[]);
  (common as any).isActivatedEIP = (eip: number) => set.has(eip);
}
