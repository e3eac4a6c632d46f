/**
 * Option handling of every subcommand, in-process through the dispatcher (src/cli/main.ts): an unknown option, a
 * missing value, a bad number or word, a missing input are one line naming it with exit code 1, and they fail before
 * any work starts, also when they come after a valid block folder. A small generated block (prescient gen) serves as
 * the valid input; the mainnet checks time the fail-fast path against blocks that take seconds to execute.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeGeneratedBlock } from '../src/gen/write.js';
import { cli, expectRejected, type Ran } from './helpers/cli.js';
import { MAINNET_DIR, describeMainnet } from './helpers/shared.js';

let tmp: string;
/** A valid generated block folder. */
let block: string;
/** A folder holding block.json and prestate.json, block.json malformed: a command that reads it says so. */
let poisoned: string;
/** A runtime bytecode file (PUSH1 0 SLOAD PUSH1 0 SSTORE). */
let code: string;
const missing = () => join(tmp, 'no-such-block');

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'prescient-cli-options-'));
  block = join(tmp, 'erc20');
  const r = await cli('gen', '--workload', 'erc20', '--txs', '4', '--users', '2', '--seed', '7', '--out', block);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^wrote .*: block \d+ with 4 transactions/);
  poisoned = join(tmp, 'poisoned');
  mkdirSync(poisoned);
  writeFileSync(join(poisoned, 'block.json'), '{ "number": ');
  writeFileSync(join(poisoned, 'prestate.json'), readFileSync(join(block, 'prestate.json')));
  code = join(tmp, 'code.hex');
  writeFileSync(code, '0x6000546000550000\n');
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('every command: unknown option, missing value, flag given a value, --help', () => {
  const commands = ['analyze', 'table', 'hints', 'run', 'verify', 'gen', 'graph'];
  test.each(commands)('%s --frobnicate', async (cmd) => {
    expectRejected(await cli(cmd, '--frobnicate'), new RegExp(`--frobnicate: unknown option \\(see prescient ${cmd} --help\\)`));
  });
  test.each(commands)('%s -z (unknown short option)', async (cmd) => {
    expectRejected(await cli(cmd, '-z'), /-z: unknown option/);
  });
  test.each(commands)('%s --help=yes', async (cmd) => {
    expectRejected(await cli(cmd, '--help=yes'), /--help: takes no value/);
  });
  test.each(commands)('%s --help prints the usage', async (cmd) => {
    const r = await cli(cmd, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^usage: prescient ${cmd}`));
    expect((await cli(cmd, '-h')).out).toBe(r.out);
  });
  const missingValue: [string, string[], string][] = [
    ['analyze', ['x.hex', '--abi'], '--abi'],
    ['table', ['x.hex', '--contract'], '--contract'],
    ['hints', ['x', '--cache'], '--cache'],
    ['run', ['x', '--threads'], '--threads'],
    ['verify', ['x', '--markdown'], '--markdown'],
    ['gen', ['--txs'], '--txs'],
    ['graph', ['x', '--html'], '--html'],
  ];
  test.each(missingValue)('%s %j: missing value', async (cmd, args, option) => {
    expectRejected(await cli(cmd, ...args), new RegExp(`${option}: needs a value$`, 'm'));
  });
  test.each(missingValue)('%s %j --json: a value that looks like an option', async (cmd, args, option) => {
    expectRejected(await cli(cmd, ...args, '--json'), new RegExp(`${option}: needs a value \\(one starting with '-' is written ${option}=VALUE\\)`));
  });
  test.each(missingValue)('%s %j= : an empty value', async (cmd, args, option) => {
    expectRejected(await cli(cmd, ...args.slice(0, -1), `${option}=`), new RegExp(`${option}: needs a value$`, 'm'));
  });
});

describe('prescient with no command: a usage error', () => {
  test('no arguments: the usage on stderr, nothing on stdout, exit code 1', async () => {
    const r = await cli();
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^usage: prescient <command>/);
  });
  test.each(['--help', '-h', 'help'])('%s: the same usage on stdout, exit code 0', async (flag) => {
    const r = await cli(flag);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toBe((await cli()).err);
  });
});

describe('bad numbers and words are named before any input is read', () => {
  const bad: [string, () => string[], RegExp][] = [
    ['run --threads x', () => ['run', block, '--threads', 'x'], /--threads: expected an integer in 1\.\.64, got 'x'/],
    ['run --threads 0', () => ['run', block, '--threads', '0'], /--threads: expected an integer in 1\.\.64, got '0'/],
    ['run --threads 65', () => ['run', missing(), '--threads=65'], /--threads: expected an integer in 1\.\.64, got '65'/],
    ['run --oracle maybe', () => ['run', block, '--oracle', 'maybe'], /--oracle: expected static or none, got 'maybe'/],
    ['run --fork', () => ['run', block, '--fork', 'homestead2'], /--fork: unknown hardfork 'homestead2'/],
    ['run --chain', () => ['run', block, '--chain', 'ropsten'], /--chain: unknown chain 'ropsten'/],
    ['verify --gen-txs 0', () => ['verify', block, '--gen-txs', '0'], /--gen-txs: expected a positive integer, got '0'/],
    ['verify --gen-txs 1.5', () => ['verify', missing(), '--gen-txs', '1.5'], /--gen-txs: expected a positive integer, got '1\.5'/],
    ['verify --gen nft', () => ['verify', block, '--gen', 'erc20,nft'], /--gen: expected one of erc20, amm, mix, got 'nft'/],
    ['graph --top 0', () => ['graph', block, '--top', '0'], /--top: expected a positive integer, got '0'/],
    ['graph --top=-3', () => ['graph', block, '--top=-3'], /--top: expected a positive integer, got '-3'/],
    ['graph --top many', () => ['graph', missing(), '--top', 'many'], /--top: expected a positive integer, got 'many'/],
    ['hints --format xml', () => ['hints', block, '--format', 'xml'], /--format: expected eip2930 or bal, got 'xml'/],
    ['gen --txs many', () => ['gen', '--txs', 'many'], /--txs: expected an integer in 1\.\.100000, got 'many'/],
    ['gen --users 1', () => ['gen', '--users', '1'], /--users: expected an integer in 2\.\.10000, got '1'/],
    ['gen --pairs 10', () => ['gen', '--pairs', '10'], /--pairs: expected an integer in 1\.\.9, got '10'/],
    ['gen --hot 1.5', () => ['gen', '--hot', '1.5'], /--hot: expected a number in 0\.\.1, got '1\.5'/],
    ['gen --hot-reads x', () => ['gen', '--hot-reads', 'x'], /--hot-reads: expected a number in 0\.\.1, got 'x'/],
    ['gen --workload nft', () => ['gen', '--workload', 'nft'], /--workload: expected one of erc20, amm, mix, got 'nft'/],
    ['gen --workload amm --hot 0.5', () => ['gen', '--workload', 'amm', '--hot', '0.5'], /--hot: applies to --workload erc20 only, not amm$/m],
    ['gen --pairs 2 (erc20, the default)', () => ['gen', '--pairs', '2'], /--pairs: applies to --workload amm or mix only, not erc20 \(the default\)/],
    ['graph --strict --lazy', () => ['graph', block, '--strict', '--lazy'], /--strict and --lazy exclude each other/],
    ['graph --lazy <missing> --strict', () => ['graph', '--lazy', missing(), '--strict'], /--strict and --lazy exclude each other/],
  ];
  test.each(bad)('%s', async (_what, args, re) => {
    const r = await cli(...args());
    expectRejected(r, re);
    expect(r.ms).toBeLessThan(2000);
  });
});

describe('inputs are checked before any work, also after a valid one', () => {
  const noFolder = (p: () => string) => new RegExp(`${p().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no such block folder`);
  test('run <valid> <missing>: nothing runs', async () => {
    const r = await cli('run', block, missing(), '--sequential');
    expectRejected(r, noFolder(missing));
  });
  test('run <malformed> <missing>: the missing folder is named before the first is read', async () => {
    expectRejected(await cli('run', poisoned, missing()), noFolder(missing));
  });
  test('run <valid> --cache <a file>: refused before running', async () => {
    expectRejected(await cli('run', block, '--cache', code), /--cache .*code\.hex: exists and is not a folder/);
  });
  test.each(['run', 'hints', 'verify', 'graph'])('%s <valid> --cache <a folder that cannot be made>: one line, nothing run', async (cmd) => {
    expectRejected(await cli(cmd, block, '--cache', join(code, 'sub')), /code\.hex\/sub: cannot create the analysis cache folder \(ENOTDIR\)/);
  });
  test('run --cache dir: the static oracle keeps its analyses there, and a second run reads them with the same result', async () => {
    const dir = join(tmp, 'analyses');
    const first = await cli('run', block, '--cache', dir, '--json');
    expect(first.code).toBe(0);
    const stamped = readdirSync(dir);
    expect(stamped).toHaveLength(1);
    const files = readdirSync(join(dir, stamped[0]!));
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => /^0x[0-9a-f]{64}\.json$/.test(f))).toBe(true);
    // A copy under another name: this process keeps one in-memory cache per folder, so only the disk can answer.
    // A contract analyzed again would be written again (DiskAnalysisCache.put); none is.
    const copy = join(tmp, 'analyses-copy');
    cpSync(dir, copy, { recursive: true });
    const mtimes = () => files.map((f) => statSync(join(copy, stamped[0]!, f)).mtimeMs);
    const before = mtimes();
    const second = await cli('run', block, '--cache', copy, '--json');
    expect(second.code).toBe(0);
    const root = (r: Ran) => (JSON.parse(r.out) as { stateRoot: string }).stateRoot;
    expect(root(second)).toBe(root(first));
    expect(readdirSync(join(copy, stamped[0]!)).sort()).toEqual(files.sort());
    expect(mtimes()).toEqual(before);
  });
  test('run --block b --prestate <missing>', async () => {
    expectRejected(await cli('run', '--block', join(block, 'block.json'), '--prestate', join(tmp, 'nope.json')), /nope\.json: input file not found/);
  });
  test('verify <valid> <missing>: no block is verified (no progress line)', async () => {
    const r = await cli('verify', block, missing());
    expectRejected(r, noFolder(missing));
  });
  test('verify <malformed> <missing>', async () => {
    expectRejected(await cli('verify', poisoned, missing()), noFolder(missing));
  });
  test('verify <valid> --json out.json: the flag takes no value, out.json is a block folder and does not exist', async () => {
    expectRejected(await cli('verify', block, '--json', join(tmp, 'out.json')), /out\.json: no such block folder/);
  });
  test('verify <valid> <a folder without prestate.json>', async () => {
    const d = join(tmp, 'half');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'block.json'), '{}');
    expectRejected(await cli('verify', block, d), /half: not a block folder: no prestate\.json/);
  });
  test('verify <valid> <a file>', async () => {
    expectRejected(await cli('verify', block, code), /code\.hex: not a folder/);
  });
  test('verify <valid> --markdown into a missing folder: refused before verifying', async () => {
    expectRejected(await cli('verify', block, '--markdown', join(tmp, 'none', 'ACCURACY.md')), /--markdown .*ACCURACY\.md: no such folder/);
  });
  test('verify --gen erc20 <missing>: refused before generating', async () => {
    const genDir = join(tmp, 'gen-not-made');
    expectRejected(await cli('verify', '--gen', 'erc20', '--gen-txs', '3', '--gen-dir', genDir, missing()), noFolder(missing));
    expect(() => readFileSync(join(genDir, 'erc20-3-1', 'block.json'))).toThrow();
  });
  test('hints <valid> <missing>: one block folder only', async () => {
    expectRejected(await cli('hints', block, missing()), /no-such-block: only one block folder/);
  });
  test('hints <missing>', async () => {
    expectRejected(await cli('hints', missing()), noFolder(missing));
  });
  test('hints --tx <missing> --prestate <valid>', async () => {
    expectRejected(await cli('hints', '--tx', join(tmp, 'tx.json'), '--prestate', join(block, 'prestate.json')), /tx\.json: input file not found/);
  });
  test('hints <folder> with --block: one or the other', async () => {
    expectRejected(await cli('hints', block, '--block', join(block, 'block.json'), '--prestate', join(block, 'prestate.json')), /give a block folder or --block/);
  });
  test('graph <valid> <missing>: one block folder only', async () => {
    expectRejected(await cli('graph', block, missing()), /no-such-block: only one block folder/);
  });
  test('graph <valid> --html into a missing folder: refused before executing', async () => {
    expectRejected(await cli('graph', block, '--html', join(tmp, 'none', 'g.html')), /--html .*g\.html: no such folder/);
  });
  test('table <valid> <missing>: nothing analyzed', async () => {
    expectRejected(await cli('table', code, join(tmp, 'nope.sol')), /nope\.sol: input file not found/);
  });
  test('table <unreadable hex> <missing>: the missing file is named before the first is read', async () => {
    const bad = join(tmp, 'bad.hex');
    writeFileSync(bad, '0x60zz');
    expectRejected(await cli('table', bad, join(tmp, 'nope.sol')), /nope\.sol: input file not found/);
  });
  test('analyze <valid> --abi <missing>', async () => {
    expectRejected(await cli('analyze', code, '--abi', join(tmp, 'nope.abi.json')), /nope\.abi\.json: ABI file not found/);
  });
  test('analyze <valid> <another>: one input only', async () => {
    expectRejected(await cli('analyze', code, code), /code\.hex: only one input file/);
  });
  test('gen <positional>: options only', async () => {
    expectRejected(await cli('gen', 'erc20'), /erc20: unexpected argument/);
  });
  test('gen --out <a file>: refused before generating', async () => {
    expectRejected(await cli('gen', '--out', code), /--out .*code\.hex: exists and is not a folder/);
  });
});

describe('valid invocations still work', () => {
  test('analyze', async () => {
    const r = await cli('analyze', code, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).schema).toBe('prescient/analyze@1');
  });
  test('table', async () => {
    const r = await cli('table', '--json', code);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).schema).toBe('prescient/table@1');
  });
  test('hints --format=eip2930', async () => {
    const r = await cli('hints', block, '--format=eip2930');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toHaveLength(4);
  });
  test('hints --block --prestate --json', async () => {
    const r = await cli('hints', '--block', join(block, 'block.json'), '--prestate', join(block, 'prestate.json'), '--json', '--no-resolve');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toHaveLength(4);
  });
  test('run --sequential --json', async () => {
    const r = await cli('run', block, '--sequential', '--json', '--oracle', 'none');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).matchesHeader).toMatchObject({ gasUsed: true, receiptsRoot: true, logsBloom: true });
  });
  test('verify --quiet --json', async () => {
    const r = await cli('verify', block, '--quiet', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const report = JSON.parse(r.out);
    expect(report.schema).toBe('prescient/verify@1');
    expect(report.blocks).toHaveLength(1);
  });
  test('verify: a progress line per block', async () => {
    const r = await cli('verify', block);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^block \d+: 4 txs, recall/);
  });
  test('graph --predicted-only --top 3 --strict', async () => {
    const r = await cli('graph', block, '--predicted-only', '--top', '3', '--strict', '--json');
    expect(r.code).toBe(0);
    const g = JSON.parse(r.out);
    expect(g.schema).toBe('prescient/graph@1');
    expect(g.view).toBe('strict');
  });
  // gen: the beforeAll above.
});

describe('the installed binary', () => {
  const BIN = resolve(__dirname, '../bin/prescient.js');
  test('verify <valid> --json out.json: exit code 1, one line, at once', () => {
    const r = spawnSync(process.execPath, [BIN, 'verify', block, '--json', join(tmp, 'out.json')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^prescient: .*out\.json: no such block folder\n$/);
  });
  test('verify --gen without --gen-dir: the generated blocks are verified, then their temporary folder is gone', () => {
    const own = mkdtempSync(join(tmp, 'tmpdir-'));
    const r = spawnSync(process.execPath, [BIN, 'verify', '--gen', 'erc20', '--gen-txs', '3', '--quiet'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, TMPDIR: own },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/recall/);
    // prescient-examples is the compiled examples' cache, kept on purpose.
    expect(readdirSync(own).filter((n) => n !== 'prescient-examples')).toEqual([]);
  }, 120_000);
});

describeMainnet('mainnet: a bad input after a block that takes seconds fails at once', () => {
  const first = join(MAINNET_DIR, '9069000');
  const cases: [string, () => string[], RegExp][] = [
    ['verify <block> --json out.json', () => ['verify', first, '--json', join(tmp, 'out.json')], /out\.json: no such block folder/],
    ['verify <block> <missing>', () => ['verify', first, missing()], /no-such-block: no such block folder/],
    ['verify <block> --gen-txs x', () => ['verify', first, '--gen-txs', 'x'], /--gen-txs: expected a positive integer/],
    ['run <block> <missing>', () => ['run', first, missing()], /no-such-block: no such block folder/],
    ['run <block> --threads x', () => ['run', first, '--threads', 'x'], /--threads: expected an integer/],
    ['graph <block> --html into a missing folder', () => ['graph', first, '--html', join(tmp, 'none', 'g.html')], /no such folder/],
    ['hints <block> <missing>', () => ['hints', first, missing()], /only one block folder/],
  ];
  test.each(cases)('%s', async (_what, args, re) => {
    const r = await cli(...args());
    expectRejected(r, re);
    expect(r.ms).toBeLessThan(2000);
  });
});

/** A benchmark script run with `args`: exit code, output, and how long it took. */
function runScript(script: string, args: string[], timeout: number) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr, ms: performance.now() - t0 };
}

/** Failed at once, with one line on stderr matching `re` and nothing on stdout. */
function expectOneLineFailure(r: ReturnType<typeof runScript>, re: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.out).toBe('');
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(re);
}

describe('npm run bench (dist/bench/run.js): a misspelt or bad option fails at once instead of measuring something else', () => {
  const BENCH = resolve(__dirname, '../dist/bench/run.js');
  const bench = (...args: string[]) => runScript(BENCH, args, 60_000);
  test.each([
    [['--rep', '3'], /^bench: --rep: unknown option/],
    [['--reps'], /^bench: --reps: expects a value/],
    [['--reps', '--write'], /^bench: --reps: expects a value/],
    [['--reps', '0'], /^bench: --reps: expected a positive integer, got '0'/],
    [['--modes', 'seq,fast'], /^bench: --modes: expected one of ref, seq, static, none, got 'fast'/],
    [['12300570'], /^bench: 12300570: unknown option/],
    [['--mainnet', '/nonexistent/mainnet'], /^bench: --mainnet: no such folder: \/nonexistent\/mainnet/],
  ])('%j', (args, re) => {
    const r = bench(...args);
    expectOneLineFailure(r, re);
    // Before any block is read or generated (a measured run takes minutes).
    expect(r.ms).toBeLessThan(10_000);
  });
});

describe('dist/bench/ceiling.js: the 2-thread ceiling without an executor', () => {
  const CEILING = resolve(__dirname, '../dist/bench/ceiling.js');
  const ceiling = (...args: string[]) => runScript(CEILING, args, 120_000);
  test.each([
    [['--round', '3'], /^ceiling: --round: unknown option/],
    [['--rounds'], /^ceiling: --rounds: expects a value/],
    [['--rounds', '0'], /^ceiling: --rounds: expected an integer in 1..1000, got '0'/],
  ])('%j fails at once, in one line', (args, re) => expectOneLineFailure(ceiling(...args), re));

  test('one block: the same block alone and as a pair on two threads, medians and fastest rounds', async () => {
    // A small generated block (ERC20 transfers of the examples' token): what the ceiling measures, in seconds.
    const dir = mkdtempSync(join(tmpdir(), 'prescient-ceiling-'));
    try {
      await writeGeneratedBlock(dir, { workload: 'erc20', txs: 40, seed: 3 });
      const r = ceiling('--one', dir, '--rounds', '2', '--warmup', '1');
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const row = JSON.parse(r.out.trim().split('\n').pop()!);
      expect(row.txs).toBe(40);
      for (const k of ['alone', 'pairMain', 'pairWorker', 'aloneBest', 'pairBest']) expect(row[k]).toBeGreaterThan(0);
      expect(row.aloneBest).toBeLessThanOrEqual(row.alone);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
