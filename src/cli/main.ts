import '../util/flat-exports.js'; // first: before @ethereumjs loads (see there)
import { isPrescientError } from '../errors.js';

const USAGE = `usage: prescient <command> [options]

commands:
  analyze <input> [--abi file] [--json]   storage footprints of every function of a contract
  table <input...> [--json]               selector x selector conflict table
  hints <blockdir> [--json] [--format eip2930|bal]   access lists bound to a block's transactions
  run <blockdir...> [--threads N] [--oracle static|none] [--sequential] [--json]   execute a block in parallel
  verify <blockdir...> [--json]           hold predictions against traced execution
  gen                                     generate a block from the project's examples
  graph <blockdir> [--json] [--html out.html] [--strict|--lazy]   dependency graph, critical path, parallelism bound, hot slots

  --help                                  this text`;

export async function main(argv: string[]): Promise<number> {
  try {
    const [cmd, ...rest] = argv;
    // Asked for, the usage is the output; for a missing command it is a usage error (stderr, exit 1), as a script
    // calling `prescient $cmd` with an empty variable must see it fail.
    if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (!cmd) {
      process.stderr.write(USAGE + '\n');
      return 1;
    }
    if (cmd === 'analyze') return await (await import('../analyze/cli.js')).analyzeCommand(rest);
    if (cmd === 'table') return await (await import('../table/cli.js')).tableCommand(rest);
    if (cmd === 'hints') return await (await import('../hints/cli.js')).hintsCommand(rest);
    if (cmd === 'run') return await (await import('../exec/cli.js')).runCommand(rest);
    if (cmd === 'verify') return await (await import('../verify/cli.js')).verifyCommand(rest);
    if (cmd === 'gen') return await (await import('../gen/cli.js')).genCommand(rest);
    if (cmd === 'graph') return await (await import('../graph/cli.js')).graphCommand(rest);
    void rest;
    process.stderr.write(`prescient: unknown command '${cmd}' (see prescient --help)\n`);
    return 2;
  } catch (e) {
    if (isPrescientError(e)) {
      process.stderr.write(`prescient: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
