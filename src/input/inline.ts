import { existsSync } from 'node:fs';

/**
 * Inputs that are not files: `-` is standard input (`cast code <addr> | prescient analyze -`), and an argument that is
 * `0x` followed by hex digits, with no file of that name, is the bytecode itself.
 */
export function isInlineInput(arg: string): boolean {
  return arg === '-' || (/^0x[0-9a-fA-F]+$/.test(arg) && !existsSync(arg));
}

/** How an input is named in messages and in `source`. */
export function inputName(arg: string): string {
  if (arg === '-') return 'stdin';
  return isInlineInput(arg) ? `0x${arg.length > 18 ? arg.slice(2, 10) + '…' + arg.slice(-8) : arg.slice(2)} (inline)` : arg;
}
