/**
 * Exact 256-bit semantics of the EVM operators that appear in `op` expression nodes. Operands are given in stack order
 * (args[0] is the top of the stack), as the EVM consumes them: SUB(a, b) = a - b, SHL(shift, value), BYTE(i, x), ...
 */

export const WORD = 1n << 256n;
export const MASK = WORD - 1n;
const SIGN = 1n << 255n;

const toSigned = (x: bigint): bigint => (x & SIGN ? x - WORD : x);
const toWord = (x: bigint): bigint => ((x % WORD) + WORD) % WORD;

function exp(base: bigint, e: bigint): bigint {
  let r = 1n;
  let b = base & MASK;
  while (e > 0n) {
    if (e & 1n) r = (r * b) & MASK;
    b = (b * b) & MASK;
    e >>= 1n;
  }
  return r;
}

function signextend(b: bigint, x: bigint): bigint {
  if (b >= 31n) return x;
  const bit = b * 8n + 7n;
  const mask = (1n << bit) - 1n;
  return x & (1n << bit) ? (x | ~mask) & MASK : x & mask;
}

type Fn = (a: bigint[]) => bigint;

/** Operator name -> [arity, semantics]. Unknown names are not evaluable (the binder reports them as unbound). */
export const OPS: Record<string, [number, Fn]> = {
  ADD: [2, ([a, b]) => (a! + b!) & MASK],
  SUB: [2, ([a, b]) => (a! - b! + WORD) & MASK],
  MUL: [2, ([a, b]) => (a! * b!) & MASK],
  DIV: [2, ([a, b]) => (b === 0n ? 0n : a! / b!)],
  SDIV: [2, ([a, b]) => (b === 0n ? 0n : toWord(toSigned(a!) / toSigned(b!)))],
  MOD: [2, ([a, b]) => (b === 0n ? 0n : a! % b!)],
  // The result of SMOD takes the sign of the dividend, as JavaScript's % does.
  SMOD: [2, ([a, b]) => (b === 0n ? 0n : toWord(toSigned(a!) % toSigned(b!)))],
  EXP: [2, ([a, b]) => exp(a!, b!)],
  ADDMOD: [3, ([a, b, n]) => (n === 0n ? 0n : (a! + b!) % n!)],
  MULMOD: [3, ([a, b, n]) => (n === 0n ? 0n : (a! * b!) % n!)],
  SIGNEXTEND: [2, ([b, x]) => signextend(b!, x!)],
  LT: [2, ([a, b]) => (a! < b! ? 1n : 0n)],
  GT: [2, ([a, b]) => (a! > b! ? 1n : 0n)],
  SLT: [2, ([a, b]) => (toSigned(a!) < toSigned(b!) ? 1n : 0n)],
  SGT: [2, ([a, b]) => (toSigned(a!) > toSigned(b!) ? 1n : 0n)],
  EQ: [2, ([a, b]) => (a === b ? 1n : 0n)],
  ISZERO: [1, ([a]) => (a === 0n ? 1n : 0n)],
  AND: [2, ([a, b]) => a! & b!],
  OR: [2, ([a, b]) => a! | b!],
  XOR: [2, ([a, b]) => a! ^ b!],
  NOT: [1, ([a]) => ~a! & MASK],
  BYTE: [2, ([i, x]) => (i! >= 32n ? 0n : (x! >> (8n * (31n - i!))) & 0xffn)],
  SHL: [2, ([s, x]) => (s! >= 256n ? 0n : (x! << s!) & MASK)],
  SHR: [2, ([s, x]) => (s! >= 256n ? 0n : x! >> s!)],
  SAR: [2, ([s, x]) => (s! >= 256n ? (x! & SIGN ? MASK : 0n) : toWord(toSigned(x!) >> s!))],
  CLZ: [1, ([x]) => 256n - BigInt(x!.toString(2).length) + (x === 0n ? 1n : 0n)],
};

/** Applies `op` to word operands; undefined when the operator is unknown or the arity is wrong. */
export function applyOp(op: string, args: bigint[]): bigint | undefined {
  const d = OPS[op.toUpperCase()];
  if (!d || d[0] !== args.length) return undefined;
  return d[1](args);
}
