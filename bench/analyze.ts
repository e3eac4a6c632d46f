/**
 * Analyzer benchmark: every distinct contract in ../shared/data/mainnet/*\/prestate.json analyzed once (after one
 * warm-up), timing per contract and the share of functions marked complete. Writes its section of BENCHMARKS.md.
 *
 *   npm run build && node dist/bench/analyze.js [--write] [--sample N]
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { analyzeCode } from '../src/analyze/index.js';
import { keccak256, toHex } from '../src/util/keccak.js';

const MAINNET = resolve(__dirname, '../../../shared/data/mainnet');

export function distinctContracts(dir = MAINNET): Map<string, Uint8Array> {
  const codes = new Map<string, Uint8Array>();
  const seen = new Set<string>();
  for (const b of readdirSync(dir).filter((d) => /^\d+$/.test(d))) {
    const pre = JSON.parse(readFileSync(join(dir, b, 'prestate.json'), 'utf8')) as Record<string, { code?: string }>;
    for (const acc of Object.values(pre)) {
      if (!acc.code || acc.code === '0x') continue;
      if (!seen.has(acc.code)) {
        seen.add(acc.code);
        const code = Buffer.from(acc.code.replace(/^0x/, ''), 'hex');
        codes.set(toHex(keccak256(code)), code);
      }
    }
  }
  return codes;
}

const pct = (xs: number[], p: number): number => xs[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))]!;

function main(): void {
  if (!existsSync(MAINNET)) {
    console.error(`bench/analyze: ${MAINNET} is absent`);
    process.exit(1);
  }
  // --sample N: every Nth contract only (quick comparisons while tuning; the published figures use all of them)
  const si = process.argv.indexOf('--sample');
  const step = si > 0 ? Number(process.argv[si + 1]) : 1;
  const codes = new Map([...distinctContracts()].filter((_, i) => i % step === 0));
  const loadStart = os.loadavg()[0]!.toFixed(1);
  const first = codes.values().next().value!;
  analyzeCode(first); // warm-up: WASM instantiation and JIT
  const times: { hash: string; ms: number; size: number; fns: number; complete: number }[] = [];
  let fns = 0, complete = 0;
  const reasons = new Map<string, number>();
  for (const [hash, code] of codes) {
    const t0 = performance.now();
    const a = analyzeCode(code);
    const ms = performance.now() - t0;
    const real = a.functions.filter((f) => f.selector !== 'receive' || f.reads.length + f.writes.length + f.calls.length > 0);
    const c = real.filter((f) => f.complete).length;
    fns += real.length;
    complete += c;
    for (const f of real) if (!f.complete) for (const code of new Set(f.diagnostics.map((d) => d.code))) reasons.set(code, (reasons.get(code) ?? 0) + 1);
    times.push({ hash, ms, size: code.length, fns: real.length, complete: c });
  }
  const ms = times.map((t) => t.ms).sort((a, b) => a - b);
  const slowest = [...times].sort((a, b) => b.ms - a.ms).slice(0, 5);
  const lines = [
    `## Analyzer: every distinct contract of the mainnet blocks`,
    ``,
    `Command: \`npm run build && node dist/bench/analyze.js --write\` (${new Date().toISOString().slice(0, 10)}, this 2-core machine, load average ${loadStart} at start, ${os.loadavg()[0]!.toFixed(1)} at the end; one thread).`,
    ``,
    `| contracts | functions | complete | median ms | p95 ms | max ms |`,
    `| --- | --- | --- | --- | --- | --- |`,
    `| ${times.length} | ${fns} | ${complete} (${((100 * complete) / fns).toFixed(1)}%) | ${pct(ms, 0.5).toFixed(1)} | ${pct(ms, 0.95).toFixed(1)} | ${ms[ms.length - 1]!.toFixed(1)} |`,
    ``,
    `Targets: median <= 50 ms, max <= 2 s. Slowest: ${slowest.map((t) => `${t.hash.slice(0, 10)} (${t.size} B, ${t.ms.toFixed(0)} ms)`).join(', ')}.`,
    ``,
    `Why functions are incomplete (functions with at least one diagnostic of the kind): ${[...reasons.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    ``,
  ];
  const text = lines.join('\n');
  console.log(text);
  if (process.argv.includes('--write')) writeSection('analyzer', text);
}

/** Replace (or append) one marked section of BENCHMARKS.md, leaving the others alone. */
export function writeSection(name: string, text: string, file = resolve(__dirname, '../../BENCHMARKS.md')): void {
  const begin = `<!-- ${name}:begin -->`, end = `<!-- ${name}:end -->`;
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nMeasured on the project machine (2 cores, Node 20). Each section names the command that produced it.\n\n';
  const block = `${begin}\n${text}\n${end}`;
  const i = doc.indexOf(begin), j = doc.indexOf(end);
  doc = i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + end.length) : doc.trimEnd() + '\n\n' + block + '\n';
  writeFileSync(file, doc);
}

if (require.main === module) main();
