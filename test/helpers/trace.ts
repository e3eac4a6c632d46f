/**
 * Ground truth for the analyzer tests: what a call really touched, traced from the EVM's `step` events.
 *
 * Every SLOAD/SSTORE/TLOAD/TSTORE executed is recorded under the account whose storage it is: the step's `address`
 * (for DELEGATECALL that is the proxy, not `codeAddress`, the implementation whose code runs). Accesses in frames that
 * later revert are kept: they happened, and a conflict detector must know about them (geth's prestateTracer does the
 * same). External calls are recorded with their target, value and selector.
 */
import type { EVMResult } from '@ethereumjs/evm';
import type { InterpreterStep } from '@ethereumjs/evm';
import type { VM } from '@ethereumjs/vm';
import type { AccessListEntry, Hex } from '../../src/types.js';
import type { CallRequest, World } from '../../src/gen/vm.js';
import { addressHex, describeFailure, slotHex } from '../../src/gen/vm.js';

/** Address (0x + 40 lowercase hex) -> slots (0x + 64 lowercase hex). */
export type AccessMap = Map<Hex, Set<Hex>>;

export type TracedCallKind = 'CALL' | 'CALLCODE' | 'STATICCALL' | 'DELEGATECALL' | 'CREATE' | 'CREATE2' | 'SELFDESTRUCT';

/** One external call (or creation) made while executing, in execution order. */
export interface TracedCall {
  kind: TracedCallKind;
  /** The account executing the calling instruction (its storage context). */
  from: Hex;
  /** Callee (the beneficiary for SELFDESTRUCT; null for CREATE/CREATE2, whose address is not known before it runs). */
  to: Hex | null;
  /** Wei sent; null for STATICCALL/DELEGATECALL, which carry none. */
  value: bigint | null;
  /** First four bytes of the call's input, when it has four. */
  selector: Hex | null;
  /** Call depth of the calling frame (0 = the transaction's own frame). */
  depth: number;
  pc: number;
}

export interface Accesses {
  reads: AccessMap;
  writes: AccessMap;
  transientReads: AccessMap;
  transientWrites: AccessMap;
  calls: TracedCall[];
  /** Addresses whose balance was read with BALANCE (SELFBALANCE shows as the executing address). */
  balanceReads: Set<Hex>;
}

export interface TraceResult extends Accesses {
  success: boolean;
  returnData: Uint8Array;
  gasUsed: bigint;
  /** The EVM exception and decoded revert reason when the call failed. */
  error: string | null;
  /** The new contract's address for a creation. */
  createdAddress: Hex | null;
  /** The raw @ethereumjs result, for anything else. */
  raw: EVMResult;
}

export function emptyAccesses(): Accesses {
  return {
    reads: new Map(),
    writes: new Map(),
    transientReads: new Map(),
    transientWrites: new Map(),
    calls: [],
    balanceReads: new Set(),
  };
}

function add(map: AccessMap, address: Hex, slot: Hex): void {
  let s = map.get(address);
  if (!s) map.set(address, (s = new Set()));
  s.add(slot);
}

const toAddr = (v: bigint): Hex => `0x${(v & ((1n << 160n) - 1n)).toString(16).padStart(40, '0')}` as Hex;

function selectorFrom(memory: Uint8Array, offset: bigint, size: bigint): Hex | null {
  if (size < 4n || offset + 4n > BigInt(memory.length)) return null;
  const o = Number(offset);
  return `0x${Buffer.from(memory.subarray(o, o + 4)).toString('hex')}` as Hex;
}

/** Records one step into `acc`. Exposed for tools that manage their own listener. */
export function recordStep(acc: Accesses, step: InterpreterStep): void {
  const name = step.opcode.name;
  const st = step.stack;
  const top = (i: number): bigint => st[st.length - 1 - i]!;
  const self = addressHex(step.address);
  switch (name) {
    case 'SLOAD':
      add(acc.reads, self, slotHex(top(0)));
      break;
    case 'SSTORE':
      add(acc.writes, self, slotHex(top(0)));
      break;
    case 'TLOAD':
      add(acc.transientReads, self, slotHex(top(0)));
      break;
    case 'TSTORE':
      add(acc.transientWrites, self, slotHex(top(0)));
      break;
    case 'BALANCE':
      acc.balanceReads.add(toAddr(top(0)));
      break;
    case 'SELFBALANCE':
      acc.balanceReads.add(self);
      break;
    case 'CALL':
    case 'CALLCODE':
      acc.calls.push({ kind: name, from: self, to: toAddr(top(1)), value: top(2), selector: selectorFrom(step.memory, top(3), top(4)), depth: step.depth, pc: step.pc });
      break;
    case 'STATICCALL':
    case 'DELEGATECALL':
      acc.calls.push({ kind: name, from: self, to: toAddr(top(1)), value: null, selector: selectorFrom(step.memory, top(2), top(3)), depth: step.depth, pc: step.pc });
      break;
    case 'CREATE':
    case 'CREATE2':
      acc.calls.push({ kind: name, from: self, to: null, value: top(0), selector: null, depth: step.depth, pc: step.pc });
      break;
    case 'SELFDESTRUCT':
      acc.calls.push({ kind: name, from: self, to: toAddr(top(0)), value: null, selector: null, depth: step.depth, pc: step.pc });
      break;
  }
}

/**
 * Starts recording every step of `vm`'s EVM into a fresh Accesses; `stop()` detaches the listener and returns them.
 * Steps cost ~35% more while a listener is attached (NOTES.md), so attach only around what you trace.
 */
export function startTrace(vm: VM): { accesses: Accesses; stop: () => Accesses } {
  const accesses = emptyAccesses();
  // One-argument listener: @ethereumjs awaits two-argument listeners per step, which is much slower.
  const listener = (step: InterpreterStep): void => recordStep(accesses, step);
  const events = vm.evm.events;
  if (!events) throw new Error('this EVM has no event emitter');
  events.on('step', listener);
  return {
    accesses,
    stop: () => {
      events.off('step', listener);
      return accesses;
    },
  };
}

/** Executes one call in `world` (state changes persist) and returns what it touched. */
export async function traceCall(world: World, req: CallRequest): Promise<TraceResult> {
  const t = startTrace(world.vm);
  let raw: EVMResult;
  try {
    raw = await world.runCall(req);
  } finally {
    t.stop();
  }
  const failed = raw.execResult.exceptionError !== undefined;
  return {
    ...t.accesses,
    success: !failed,
    returnData: raw.execResult.returnValue,
    gasUsed: raw.execResult.executionGasUsed,
    error: failed ? describeFailure(raw) : null,
    createdAddress: raw.createdAddress ? addressHex(raw.createdAddress) : null,
    raw,
  };
}

/** An AccessMap as a sorted access list (the shape of TxHints/TxTrace), for comparisons and messages. */
export function toAccessList(map: AccessMap): AccessListEntry[] {
  return [...map.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([address, slots]) => ({ address, storageKeys: [...slots].sort() }));
}

/** The slots of one address (empty when it was not touched). */
export function slotsOf(map: AccessMap, address: Hex): Hex[] {
  return [...(map.get(address.toLowerCase() as Hex) ?? [])].sort();
}

/** Union of two access maps (a new map). */
export function mergeAccessMaps(a: AccessMap, b: AccessMap): AccessMap {
  const out: AccessMap = new Map();
  for (const m of [a, b]) for (const [addr, slots] of m) for (const s of slots) add(out, addr, s);
  return out;
}

/** What a prediction got wrong against a trace: `missing` were touched but not predicted (unsound), `extra` the reverse. */
export interface AccessDiff {
  missing: AccessListEntry[];
  extra: AccessListEntry[];
}

/**
 * Compares predicted access-list entries with traced accesses (addresses and slots compared case-insensitively).
 * A sound prediction has no `missing`; a precise one has no `extra` either.
 */
export function diffAccesses(predicted: readonly AccessListEntry[], actual: AccessMap): AccessDiff {
  const want: AccessMap = new Map();
  for (const e of predicted) for (const k of e.storageKeys) add(want, e.address.toLowerCase() as Hex, slotHex(BigInt(k)));
  const minus = (a: AccessMap, b: AccessMap): AccessMap => {
    const out: AccessMap = new Map();
    for (const [addr, slots] of a) for (const s of slots) if (!b.get(addr)?.has(s)) add(out, addr, s);
    return out;
  };
  return { missing: toAccessList(minus(actual, want)), extra: toAccessList(minus(want, actual)) };
}
