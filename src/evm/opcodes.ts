/**
 * The EVM opcode table as frozen data (as ethereumjs keeps it): name, stack inputs, stack outputs, immediate bytes.
 * Handlers live in machine.ts; undefined bytes are INVALID.
 */
export interface OpInfo {
  readonly code: number;
  readonly name: string;
  readonly pops: number;
  readonly pushes: number;
  /** Immediate bytes after the opcode (PUSHn). */
  readonly imm: number;
  /**
   * The instruction consumes its operands other than by arithmetic (stores, compares for a jump, addresses memory,
   * storage or an account, logs, calls): what Observer.use reports. False for arithmetic, comparison and bitwise
   * operators (their result carries the operands on) and for stack shuffling.
   */
  readonly consumes: boolean;
}

const defs: [number, string, number, number][] = [
  [0x00, 'STOP', 0, 0], [0x01, 'ADD', 2, 1], [0x02, 'MUL', 2, 1], [0x03, 'SUB', 2, 1], [0x04, 'DIV', 2, 1],
  [0x05, 'SDIV', 2, 1], [0x06, 'MOD', 2, 1], [0x07, 'SMOD', 2, 1], [0x08, 'ADDMOD', 3, 1], [0x09, 'MULMOD', 3, 1],
  [0x0a, 'EXP', 2, 1], [0x0b, 'SIGNEXTEND', 2, 1],
  [0x10, 'LT', 2, 1], [0x11, 'GT', 2, 1], [0x12, 'SLT', 2, 1], [0x13, 'SGT', 2, 1], [0x14, 'EQ', 2, 1],
  [0x15, 'ISZERO', 1, 1], [0x16, 'AND', 2, 1], [0x17, 'OR', 2, 1], [0x18, 'XOR', 2, 1], [0x19, 'NOT', 1, 1],
  [0x1a, 'BYTE', 2, 1], [0x1b, 'SHL', 2, 1], [0x1c, 'SHR', 2, 1], [0x1d, 'SAR', 2, 1],
  [0x20, 'KECCAK256', 2, 1],
  [0x30, 'ADDRESS', 0, 1], [0x31, 'BALANCE', 1, 1], [0x32, 'ORIGIN', 0, 1], [0x33, 'CALLER', 0, 1],
  [0x34, 'CALLVALUE', 0, 1], [0x35, 'CALLDATALOAD', 1, 1], [0x36, 'CALLDATASIZE', 0, 1], [0x37, 'CALLDATACOPY', 3, 0],
  [0x38, 'CODESIZE', 0, 1], [0x39, 'CODECOPY', 3, 0], [0x3a, 'GASPRICE', 0, 1], [0x3b, 'EXTCODESIZE', 1, 1],
  [0x3c, 'EXTCODECOPY', 4, 0], [0x3d, 'RETURNDATASIZE', 0, 1], [0x3e, 'RETURNDATACOPY', 3, 0],
  [0x3f, 'EXTCODEHASH', 1, 1],
  [0x40, 'BLOCKHASH', 1, 1], [0x41, 'COINBASE', 0, 1], [0x42, 'TIMESTAMP', 0, 1], [0x43, 'NUMBER', 0, 1],
  [0x44, 'DIFFICULTY', 0, 1], [0x45, 'GASLIMIT', 0, 1], [0x46, 'CHAINID', 0, 1], [0x47, 'SELFBALANCE', 0, 1],
  [0x48, 'BASEFEE', 0, 1], [0x49, 'BLOBHASH', 1, 1], [0x4a, 'BLOBBASEFEE', 0, 1],
  [0x50, 'POP', 1, 0], [0x51, 'MLOAD', 1, 1], [0x52, 'MSTORE', 2, 0], [0x53, 'MSTORE8', 2, 0], [0x54, 'SLOAD', 1, 1],
  [0x55, 'SSTORE', 2, 0], [0x56, 'JUMP', 1, 0], [0x57, 'JUMPI', 2, 0], [0x58, 'PC', 0, 1], [0x59, 'MSIZE', 0, 1],
  [0x5a, 'GAS', 0, 1], [0x5b, 'JUMPDEST', 0, 0], [0x5c, 'TLOAD', 1, 1], [0x5d, 'TSTORE', 2, 0], [0x5e, 'MCOPY', 3, 0],
  [0x5f, 'PUSH0', 0, 1],
  [0xf0, 'CREATE', 3, 1], [0xf1, 'CALL', 7, 1], [0xf2, 'CALLCODE', 7, 1], [0xf3, 'RETURN', 2, 0],
  [0xf4, 'DELEGATECALL', 6, 1], [0xf5, 'CREATE2', 4, 1], [0xfa, 'STATICCALL', 6, 1], [0xfd, 'REVERT', 2, 0],
  [0xfe, 'INVALID', 0, 0], [0xff, 'SELFDESTRUCT', 1, 0],
];

/** Operators whose result is an expression over their operands (0x01-0x1d), and POP. */
const passesOn = (code: number) => (code >= 0x01 && code <= 0x1d) || code === 0x50;

function build(): readonly OpInfo[] {
  const table: OpInfo[] = [];
  for (let i = 0; i < 256; i++) table.push({ code: i, name: 'INVALID', pops: 0, pushes: 0, imm: 0, consumes: false });
  for (const [code, name, pops, pushes] of defs) table[code] = { code, name, pops, pushes, imm: 0, consumes: pops > 0 && !passesOn(code) };
  for (let n = 1; n <= 32; n++) table[0x5f + n] = { code: 0x5f + n, name: `PUSH${n}`, pops: 0, pushes: 1, imm: n, consumes: false };
  for (let n = 1; n <= 16; n++) {
    table[0x7f + n] = { code: 0x7f + n, name: `DUP${n}`, pops: n, pushes: n + 1, imm: 0, consumes: false };
    table[0x8f + n] = { code: 0x8f + n, name: `SWAP${n}`, pops: n + 1, pushes: n + 1, imm: 0, consumes: false };
  }
  for (let n = 0; n <= 4; n++) table[0xa0 + n] = { code: 0xa0 + n, name: `LOG${n}`, pops: n + 2, pushes: 0, imm: 0, consumes: true };
  return Object.freeze(table.map((o) => Object.freeze(o)));
}

export const OPCODES: readonly OpInfo[] = build();

/**
 * Whether code can end its own account's existence: it holds a reachable SELFDESTRUCT, or DELEGATECALL / CALLCODE
 * (which run other code, possibly a SELFDESTRUCT, in this account's context). A byte can only run as an instruction if
 * execution falls through to it from pc 0 or from a JUMPDEST without passing a halting instruction or JUMP; so bytes
 * after STOP, RETURN, REVERT, INVALID, SELFDESTRUCT or JUMP up to the next JUMPDEST (solc's metadata trailer, data)
 * cannot, nor can PUSH data.
 */
export function mayDestroyItself(code: Uint8Array): boolean {
  let live = true;
  for (let pc = 0; pc < code.length; pc++) {
    const op = code[pc]!;
    if (op === 0x5b) live = true;
    else if (live && (op === 0xff || op === 0xf4 || op === 0xf2)) return true;
    else if (op === 0x00 || op === 0xf3 || op === 0xfd || op === 0xfe || op === 0x56) live = false;
    else if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f;
  }
  return false;
}

/** Byte offsets of valid JUMPDESTs (not inside PUSH data). */
export function jumpdests(code: Uint8Array): Uint8Array {
  const valid = new Uint8Array(code.length);
  for (let pc = 0; pc < code.length; pc++) {
    const op = code[pc]!;
    if (op === 0x5b) valid[pc] = 1;
    else if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f;
  }
  return valid;
}
