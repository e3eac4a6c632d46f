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
