/**
 * Every subcommand reads its argv here, and checks what it names before doing any work: a typo must cost the user a
 * one-line error at once, not a failure after minutes of execution on the blocks before it.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PrescientError } from '../errors.js';
import { checkFile, isInlineInput } from '../input/source.js';

/** A command's options by kind: `string` ones take a value (`--x v` or `--x=v`), `boolean` ones do not. */
export interface OptionSpec<S extends string, B extends string> {
  string?: readonly S[];
  boolean?: readonly B[];
}

export interface CommandArgs<S extends string, B extends string> {
  values: { [K in S]?: string } & { [K in B | 'help']?: boolean };
  positionals: string[];
}

/**
 * node:util parseArgs, strict, with `--help`/`-h` added. An unknown option, a missing or empty value, or a value given
 * to a flag becomes a one-line PrescientError naming the option.
 */
export function parseCommandArgs<S extends string = never, B extends string = never>(
  command: string,
  argv: string[],
  spec: OptionSpec<S, B>,
): CommandArgs<S, B> {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const name of spec.string ?? []) options[name] = { type: 'string' };
  for (const name of spec.boolean ?? []) options[name] = { type: 'boolean' };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    throw optionError(command, e);
  }
  for (const [name, v] of Object.entries(parsed.values)) {
    if (v === '') throw new PrescientError('BAD_OPTION', `--${name}`, 'needs a value');
  }
  return parsed as CommandArgs<S, B>;
}

function optionError(command: string, e: unknown): PrescientError {
  const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  const code = (e as { code?: string }).code;
  // parseArgs names an option as '--name', '-n, --name' or '--name <value>': the long name is what the user reads in --help.
  const quoted = /'([^']*)'/.exec(msg)?.[1] ?? '';
  const name = /--[^\s,]+/.exec(quoted)?.[0] ?? quoted;
  const see = `see prescient ${command} --help`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new PrescientError('BAD_OPTION', name, `unknown option (${see})`, { cause: e });
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(msg)) return new PrescientError('BAD_OPTION', name, 'takes no value', { cause: e });
    if (/ambiguous/.test(msg)) {
      return new PrescientError('BAD_OPTION', name, `needs a value (one starting with '-' is written ${name}=VALUE)`, { cause: e });
    }
    return new PrescientError('BAD_OPTION', name, 'needs a value', { cause: e });
  }
  return new PrescientError('BAD_OPTION', `prescient ${command}`, `${msg} (${see})`, { cause: e });
}

/** The usage text on stdout; the command's exit code. */
export function printUsage(usage: string): number {
  process.stdout.write(usage + '\n');
  return 0;
}

/** An integer option in min..max (a positive integer when no bounds are given); undefined when absent. */
export function intOption(option: string, v: string | undefined, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    const want = min === 1 && max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer in ${min}..${max}`;
    throw new PrescientError('BAD_OPTION', option, `expected ${want}, got '${v}'`);
  }
  return Number(v);
}

/** A decimal number option in min..max; undefined when absent. */
export function numberOption(option: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < min || x > max) {
    throw new PrescientError('BAD_OPTION', option, `expected a number in ${min}..${max}, got '${v}'`);
  }
  return x;
}

/** One of a fixed set of words; undefined when absent. */
export function choiceOption<C extends string>(option: string, v: string | undefined, choices: readonly C[]): C | undefined {
  if (v === undefined) return undefined;
  if (!(choices as readonly string[]).includes(v)) {
    const list = choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `one of ${choices.join(', ')}`;
    throw new PrescientError('BAD_OPTION', option, `expected ${list}, got '${v}'`);
  }
  return v as C;
}

/**
 * For scripts without positionals (the benchmarks): every argument is one of `valued` followed by its value, or one
 * of `flags`. A misspelt option would otherwise be ignored, and a run of minutes measure something else than asked.
 */
export function checkOptions(argv: readonly string[], valued: readonly string[], flags: readonly string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (flags.includes(a)) continue;
    if (!valued.includes(a)) throw new PrescientError('BAD_OPTION', a, `unknown option (options: ${[...valued, ...flags].join(' ')})`);
    if (i + 1 >= argv.length || argv[i + 1]!.startsWith('--')) throw new PrescientError('BAD_OPTION', a, 'expects a value');
    i++;
  }
}

/** Commands taking at most `max` positionals: the first extra one is named. */
export function atMost(positionals: string[], max: number, what: string): void {
  if (positionals.length > max) throw new PrescientError('BAD_OPTION', positionals[max]!, max === 0 ? `unexpected argument (${what})` : `only ${what}`);
}

/** Block folders as `loadBlockDir` reads them (src/chain/load.ts): a folder holding block.json and prestate.json. */
export function checkBlockDirs(dirs: readonly string[]): void {
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new PrescientError('FILE_NOT_FOUND', dir, 'no such block folder');
    if (!statSync(dir).isDirectory()) throw new PrescientError('BAD_INPUT', dir, 'not a folder (a block folder holds block.json and prestate.json)');
    for (const f of ['block.json', 'prestate.json']) {
      if (!existsSync(join(dir, f))) throw new PrescientError('FILE_NOT_FOUND', dir, `not a block folder: no ${f}`);
    }
  }
}

/** Files the command will read (inputs, or the value of an option such as `--prestate`). */
export function checkInputFiles(paths: readonly (string | undefined)[], what = 'input'): void {
  for (const p of paths) {
    if (p !== undefined) checkFile(p, what);
  }
}

/** Contract inputs (analyze, table): files, or bytecode inline or on standard input (src/input/load.ts). */
export function checkContractInputs(args: readonly string[]): void {
  if (args.filter((a) => a === '-').length > 1) throw new PrescientError('BAD_OPTION', '-', 'standard input can be read once');
  checkInputFiles(args.filter((a) => !isInlineInput(a)));
}

/** A file the command writes at the end: its folder must exist now, and it must not be a folder itself. */
export function checkOutputFile(option: string, path: string | undefined): void {
  if (path === undefined) return;
  const parent = dirname(path);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new PrescientError('FILE_NOT_FOUND', `${option} ${path}`, `no such folder ${parent}`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new PrescientError('BAD_OPTION', `${option} ${path}`, 'is a folder, expected a file');
}

/** A folder the command creates or fills (a cache, an output folder): something that is not a folder cannot be. */
export function checkOutputDir(option: string, path: string | undefined): void {
  if (path === undefined) return;
  if (existsSync(path) && !statSync(path).isDirectory()) throw new PrescientError('BAD_OPTION', `${option} ${path}`, 'exists and is not a folder');
}
