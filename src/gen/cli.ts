/**
 * `prescient gen`: writes a generated block folder (block.json, prestate.json, gen.json) from the example contracts.
 */
import { PrescientError } from '../errors.js';
import { writeGeneratedBlock } from './write.js';
import { WORKLOADS, type WorkloadName } from './workloads.js';
import type { GenerateOptions } from './block.js';

export const GEN_USAGE = `usage: prescient gen [options]

  --workload erc20|amm|mix   what the transactions do (default erc20)
  --txs N                    number of transactions (default 100)
  --hot X                    erc20: share of transfers paying one hot recipient, 0..1 (default 0)
  --hot-reads X              erc20: share of transactions calling balanceOf(hot) instead, 0..1 (default 0)
  --pairs K                  AMM pairs (default 3)
  --users M                  sender accounts (default: one per tx for erc20/amm, 20..1000; half that for mix, 20..200)
  --seed S                   deterministic seed (default 1)
  --out DIR                  output folder (default ./gen-block)

Writes DIR/block.json (eth_getBlockByNumber shape), DIR/prestate.json (prestateTracer shape) and DIR/gen.json
(contract addresses and each transaction's expected status). Same options, same bytes.`;

function intOption(name: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new PrescientError('BAD_OPTION', name, `expected an integer in ${min}..${max}, got '${v}'`);
  }
  return Number(v);
}

/** Parses `gen` options; a PrescientError for anything unknown or out of range. */
export function parseGenArgs(argv: string[]): { out: string; opts: GenerateOptions; help: boolean } {
  const opts: GenerateOptions = {};
  let out = 'gen-block';
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new PrescientError('BAD_OPTION', flag, 'needs a value');
      return v;
    };
    switch (flag) {
      case '--workload': {
        const w = value();
        if (!WORKLOADS.includes(w as WorkloadName)) throw new PrescientError('BAD_OPTION', flag, `unknown workload '${w}' (one of ${WORKLOADS.join(', ')})`);
        opts.workload = w as WorkloadName;
        break;
      }
      case '--txs':
        opts.txs = intOption(flag, value(), 1, 100_000);
        break;
      case '--hot': {
        const v = value();
        const x = Number(v);
        if (v.trim() === '' || !Number.isFinite(x) || x < 0 || x > 1) throw new PrescientError('BAD_OPTION', flag, `expected a number in 0..1, got '${v}'`);
        opts.hot = x;
        break;
      }
      case '--hot-reads': {
        const v = value();
        const x = Number(v);
        if (v.trim() === '' || !Number.isFinite(x) || x < 0 || x > 1) throw new PrescientError('BAD_OPTION', flag, `expected a number in 0..1, got '${v}'`);
        opts.hotReads = x;
        break;
      }
      case '--pairs':
        opts.pairs = intOption(flag, value(), 1, 9);
        break;
      case '--users':
        opts.users = intOption(flag, value(), 2, 10_000);
        break;
      case '--seed': {
        const v = value();
        opts.seed = /^\d+$/.test(v) ? Number(v) : v;
        break;
      }
      case '--out':
        out = value();
        break;
      default:
        throw new PrescientError('BAD_OPTION', flag, `unknown option for gen (see prescient gen --help)`);
    }
  }
  return { out, opts, help };
}

/** Entry point for `prescient gen ...`; returns the exit code. PrescientErrors propagate to the CLI dispatcher. */
export async function genCommand(argv: string[]): Promise<number> {
  const { out, opts, help } = parseGenArgs(argv);
  if (help) {
    process.stdout.write(GEN_USAGE + '\n');
    return 0;
  }
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
