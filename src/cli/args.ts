import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PrescientError } from '../errors.js';

/**
 * node:util parseArgs with strict checking; an unknown or malformed option becomes a one-line PrescientError naming
 * the command and the option.
 */
type Options = NonNullable<ParseArgsConfig['options']>;
export type ParsedArgs<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;

export function parseCommandArgs<T extends Options>(command: string, argv: string[], options: T): ParsedArgs<T> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '') : String(e);
    throw new PrescientError('BAD_OPTION', `prescient ${command}`, msg, { cause: e });
  }
}
