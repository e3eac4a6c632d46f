/**
 * The binder's operator evaluation: the same exact 256-bit semantics the abstract EVM folds constants with
 * (src/evm/sym.ts `evalOp`), for the arithmetic opcodes 0x01..0x1d. Operands in stack order (args[0] is the top).
 */
import { OPCODES } from '../evm/opcodes.js';
import { evalOp, U256 } from '../evm/sym.js';

export const WORD = 1n << 256n;
export const MASK = U256;

/** Arithmetic, comparison and bitwise opcodes: name -> number of operands. */
export const PURE_OPS: ReadonlyMap<string, number> = new Map(OPCODES.filter((o) => o.code >= 0x01 && o.code <= 0x1d && o.name !== 'INVALID').map((o) => [o.name, o.pops]));

/** Applies `op` to word operands; undefined when the operator is unknown or the arity is wrong. */
export function applyOp(op: string, args: bigint[]): bigint | undefined {
  const name = op.toUpperCase();
  return PURE_OPS.get(name) === args.length ? evalOp(name, args) : undefined;
}

/** CALL, CALLCODE, DELEGATECALL, STATICCALL. */
export const CALL_OPS: ReadonlySet<number> = new Set([0xf1, 0xf2, 0xf4, 0xfa]);
const startsCache = new WeakMap<Uint8Array, Uint8Array>();

/** 1 at every byte that starts an instruction (not push data). */
function instructionStarts(code: Uint8Array): Uint8Array {
  let s = startsCache.get(code);
  if (s) return s;
  s = new Uint8Array(code.length);
  for (let pc = 0; pc < code.length; pc++) {
    s[pc] = 1;
    const op = code[pc]!;
    if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f;
  }
  startsCache.set(code, s);
  return s;
}

function previousInstruction(s: Uint8Array, pc: number): number {
  for (let q = pc - 1; q >= 0 && q >= pc - 33; q--) if (s[q]) return q;
  return -1;
}

/**
 * Whether the CALL-family instruction at `pc` forwards all the gas it can: its gas operand is GAS pushed right
 * before it (solc's `gas()`), or old solc's `GAS - k` (`PUSH k GAS SUB CALL`). A call at `pc` is only ever reached
 * from the instruction before it (it is no JUMPDEST), so the pattern in the code is what runs. Anything else is an
 * explicit gas limit (`staticcall{gas: 5000}`, `transfer`'s stipend), under which a callee may run out of gas where
 * an unmetered interpreter would not.
 */
export function forwardsAllGas(code: Uint8Array, pc: number): boolean {
  if (!CALL_OPS.has(code[pc] ?? 0)) return false;
  const s = instructionStarts(code);
  if (!s[pc]) return false;
  const p1 = previousInstruction(s, pc);
  if (p1 < 0) return false;
  if (code[p1] === 0x5a) return true;
  if (code[p1] !== 0x03) return false;
  const p2 = previousInstruction(s, p1);
  if (p2 < 0 || code[p2] !== 0x5a) return false;
  const p3 = previousInstruction(s, p2);
  return p3 >= 0 && code[p3]! >= 0x60 && code[p3]! <= 0x62;
}

/** Whether the GAS at `pc` only feeds the gas operand of a call that forwards all gas (`forwardsAllGas`). */
export function gasFeedsCall(code: Uint8Array, pc: number): boolean {
  if (code[pc] !== 0x5a || !instructionStarts(code)[pc]) return false;
  if (CALL_OPS.has(code[pc + 1] ?? 0)) return forwardsAllGas(code, pc + 1);
  return code[pc + 1] === 0x03 && CALL_OPS.has(code[pc + 2] ?? 0) && forwardsAllGas(code, pc + 2);
}

