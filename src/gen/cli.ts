/**
 * `prescient gen`: writes a generated block folder (block.json, prestate.json, gen.json) from the example contracts.
 */
import { atMost, checkOutputDir, choiceOption, intOption, numberOption, parseCommandArgs, printUsage } from '../cli/args.js';
import { writeGeneratedBlock } from './write.js';
import { WORKLOADS, type WorkloadName } from './workloads.js';
import { PrescientError } from '../errors.js';
import type { GenerateOptions } from './block.js';

export const GEN_USAGE = `usage: prescient gen [options]

  --workload erc20|amm|mix   what the transactions do (default erc20)
  --txs N                    number of transactions (default 100)
  --hot X                    erc20: share of transfers paying one hot recipient, 0..1 (default 0)
  --hot-reads X              erc20: share of transactions calling balanceOf(hot) instead, 0..1 (default 0)
  --pairs K                  amm, mix: AMM pairs (default 3)
  --users M                  sender accounts (default: one per tx for erc20/amm, 20..1000; half that for mix, 20..200)
  --seed S                   deterministic seed (default 1)
  --out DIR                  output folder (default ./gen-block)

Writes DIR/block.json (eth_getBlockByNumber shape), DIR/prestate.json (prestateTracer shape) and DIR/gen.json
(contract addresses and each transaction's expected status). Same options, same bytes.`;

/** Parses `gen` options; a PrescientError for anything unknown or out of range. */
export function parseGenArgs(argv: string[]): { out: string; opts: GenerateOptions; help: boolean } {
  const { values: v, positionals } = parseCommandArgs('gen', argv, {
    string: ['workload', 'txs', 'hot', 'hot-reads', 'pairs', 'users', 'seed', 'out'],
  });
  atMost(positionals, 0, 'prescient gen takes options only, see prescient gen --help');
  const opts: GenerateOptions = {};
  const set = <K extends keyof GenerateOptions>(k: K, x: GenerateOptions[K] | undefined) => {
    if (x !== undefined) opts[k] = x;
  };
  set('workload', choiceOption('--workload', v.workload, WORKLOADS));
  set('txs', intOption('--txs', v.txs, 1, 100_000));
  set('hot', numberOption('--hot', v.hot, 0, 1));
  set('hotReads', numberOption('--hot-reads', v['hot-reads'], 0, 1));
  set('pairs', intOption('--pairs', v.pairs, 1, 9));
  set('users', intOption('--users', v.users, 2, 10_000));
  set('seed', v.seed === undefined ? undefined : /^\d+$/.test(v.seed) ? Number(v.seed) : v.seed);
  // An option the chosen workload ignores would still be recorded in gen.json as if it had shaped the block.
  const workload = opts.workload ?? 'erc20';
  for (const [option, given, only] of [
    ['--hot', v.hot, ['erc20']],
    ['--hot-reads', v['hot-reads'], ['erc20']],
    ['--pairs', v.pairs, ['amm', 'mix']],
  ] as const) {
    if (given !== undefined && !(only as readonly WorkloadName[]).includes(workload)) {
      const dflt = opts.workload === undefined ? ' (the default)' : '';
      throw new PrescientError('BAD_OPTION', option, `applies to --workload ${only.join(' or ')} only, not ${workload}${dflt}`);
    }
  }
  return { out: v.out ?? 'gen-block', opts, help: v.help ?? false };
}

/** Entry point for `prescient gen ...`; returns the exit code. PrescientErrors propagate to the CLI dispatcher. */
export async function genCommand(argv: string[]): Promise<number> {
  const { out, opts, help } = parseGenArgs(argv);
  if (help) return printUsage(GEN_USAGE);
  checkOutputDir('--out', out);
  const t0 = Date.now();
  const phases: string[] = [];
  const g = await writeGeneratedBlock(out, { ...opts, onPhase: (name, ms) => phases.push(`${name} ${ms} ms`) });
  const reverts = g.manifest.transactions.filter((t) => t.status === 'revert').length;
  process.stdout.write(
    `wrote ${out}: block ${BigInt(g.block.number)} with ${g.block.transactions.length} transactions ` +
      `(${g.manifest.options.workload}, ${reverts} designed to revert), gasUsed ${BigInt(g.block.gasUsed)}, ` +
      `${Object.keys(g.prestate).length} prestate accounts, in ${Date.now() - t0} ms (${phases.join(', ')})\n`,
  );
  return 0;
}
