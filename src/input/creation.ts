/**
 * Telling creation (init) code from runtime code. Users often paste the `bytecode` field where `deployedBytecode` is
 * meant; analysing the constructor instead of the contract would give a confident, wrong, empty footprint.
 *
 * Heuristic, on the instructions in code order up to the first INVALID (0xfe: the boundary solc and Vyper put between
 * the init code and the runtime it returns): init code copies a part of itself with CODECOPY and RETURNs it, and never
 * looks at calldata (a constructor has none; its arguments are appended to the code). Runtime code reads calldata to
 * dispatch before anything else. So: CODECOPY followed by RETURN before any CALLDATALOAD/CALLDATASIZE/CALLDATACOPY
 * means init code. Following instruction order instead of jumps is enough because solc lays the constructor out
 * linearly, ending with `PUSH size DUP1 PUSH offset PUSH0 CODECOPY PUSH0 RETURN INVALID`.
 */
const CALLDATALOAD = 0x35;
const CALLDATASIZE = 0x36;
const CALLDATACOPY = 0x37;
const CODECOPY = 0x39;
const RETURN = 0xf3;
const INVALID = 0xfe;
const PUSH1 = 0x60;
const PUSH32 = 0x7f;

export function looksLikeCreationCode(code: Uint8Array): boolean {
  let copied = false;
  for (let pc = 0; pc < code.length; pc++) {
    const op = code[pc]!;
    if (op === CALLDATALOAD || op === CALLDATASIZE || op === CALLDATACOPY) return false;
    if (op === CODECOPY) copied = true;
    else if (op === RETURN && copied) return true;
    else if (op === INVALID) return false;
    else if (op >= PUSH1 && op <= PUSH32) pc += op - PUSH1 + 1;
  }
  return false;
}

export const CREATION_CODE_MESSAGE = 'looks like creation (init) code; pass the deployed/runtime bytecode';
