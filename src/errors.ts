/**
 * Typed errors. Bad input is a `PrescientError`: one short line naming the input, shown by the CLI without a stack.
 * Anything else that escapes is a bug and is shown with its stack.
 */
export type ErrorCode =
  | 'BAD_INPUT'
  | 'BAD_HEX'
  | 'EMPTY_CODE'
  | 'CREATION_CODE'
  | 'NO_BYTECODE'
  | 'FILE_NOT_FOUND'
  | 'BAD_JSON'
  | 'BAD_OPTION'
  | 'COMPILE_FAILED'
  | 'BAD_BLOCK'
  | 'BAD_PRESTATE'
  | 'EXECUTION_FAILED'
  | 'WORKER_FAILED';

export class PrescientError extends Error {
  override readonly name = 'PrescientError';
  constructor(
    readonly code: ErrorCode,
    /** The input the error is about (a file path, an option, a field): always named in the message. */
    readonly input: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${input}: ${message}`, options);
  }
}

export const isPrescientError = (e: unknown): e is PrescientError => e instanceof PrescientError;
