/** Where an input comes from: a file, standard input (`-`), or the bytecode itself on the command line. */
import { existsSync, statSync } from 'node:fs';
import { PrescientError } from '../errors.js';

/**
 * Inputs that are not files: `-` is standard input (`cast code <addr> | prescient analyze -`), and an argument that
 * starts with `0x`, has no path characters and names no file is the bytecode itself (so `0x` or `0x60zz` get the hex
 * parser's message, not "file not found").
 */
export function isInlineInput(arg: string): boolean {
  return arg === '-' || (/^0x[^./\\]*$/.test(arg) && !existsSync(arg));
}

/** How an input is named in messages and in `source`. */
export function inputName(arg: string): string {
  if (arg === '-') return 'stdin';
  return isInlineInput(arg) ? `0x${arg.length > 18 ? arg.slice(2, 10) + '…' + arg.slice(-8) : arg.slice(2)} (inline)` : arg;
}

/** A file to read must exist and not be a folder (`what`: 'input', 'ABI', ... as the message names it). */
export function checkFile(path: string, what = 'input'): void {
  if (!existsSync(path)) throw new PrescientError('FILE_NOT_FOUND', path, `${what} file not found`);
  if (statSync(path).isDirectory()) throw new PrescientError('BAD_INPUT', path, `is a directory, expected ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what} file`);
}
