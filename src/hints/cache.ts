/**
 * An on-disk cache of analyses by code hash (ContractAnalysis is plain JSON), stamped with the analyzer's source so a
 * changed analyzer never serves stale footprints, and of the binder's specialized footprints (bind.ts `specialize`),
 * stamped with the binder's source as well. Used by `hints`, `verify`, `run` and `graph` with `--cache DIR`.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { PrescientError } from '../errors.js';
import type { Assumed } from '../analyze/index.js';
import type { ContractAnalysis, FunctionFootprint } from '../types.js';
import { parseShared, stringifyShared } from '../util/shared-json.js';
import { MAX_SPECIALIZATIONS_KEPT, type Specialization, type SpecializationStore } from './bind.js';

function packageRoot(): string {
  let d = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(d, 'package.json'))) return d;
    d = dirname(d);
  }
  return __dirname;
}

/** A fingerprint of the analyzer's sources (names, sizes, mtimes). */
export function analyzerStamp(): string {
  // For debugging sessions that want to keep analyses across analyzer edits.
  if (process.env.PRESCIENT_ANALYSIS_STAMP) return process.env.PRESCIENT_ANALYSIS_STAMP;
  return sourceStamp(['src/analyze', 'src/evm', 'analyzers', 'rules']);
}

/** Computed once per process: one process reads and writes one folder even if the sources change meanwhile. */
const stamps = new Map<string, string>();
function sourceStamp(dirs: string[]): string {
  const key = dirs.join(',');
  let s = stamps.get(key);
  if (s === undefined) stamps.set(key, (s = computeStamp(dirs)));
  return s;
}

function computeStamp(dirs: string[]): string {
  const root = packageRoot();
  const h = createHash('sha256');
  for (const dir of dirs) {
    const p = join(root, dir);
    if (!existsSync(p)) continue;
    for (const f of readdirSync(p).sort()) {
      const st = statSync(join(p, f));
      if (st.isFile()) h.update(`${dir}/${f}:${st.size}:${st.mtimeMs};`);
    }
  }
  return h.digest('hex').slice(0, 16);
}

export class DiskAnalysisCache {
  private readonly dir: string;
  private spec: DiskSpecializationStore | undefined;
  constructor(base: string) {
    this.dir = join(base, analyzerStamp());
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      throw new PrescientError('BAD_INPUT', base, `cannot create the analysis cache folder (${why})`, { cause: e });
    }
  }
  get(codeHash: string): ContractAnalysis | undefined {
    const p = join(this.dir, `${codeHash}.json`);
    if (!existsSync(p)) return undefined;
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as ContractAnalysis;
    } catch {
      return undefined;
    }
  }
  put(codeHash: string, a: ContractAnalysis): void {
    writeFileSync(join(this.dir, `${codeHash}.json`), JSON.stringify(a));
  }
  /** The specialized footprints kept beside these analyses (made on first use). */
  specializations(): DiskSpecializationStore {
    return (this.spec ??= new DiskSpecializationStore(join(this.dir, `spec-${sourceStamp(['src/hints'])}`)));
  }
}

/**
 * Specialized footprints by code hash and selector, one line each in a file per key, appended as they are explored
 * (processes binding at once only ever append whole lines; a line cut short, a torn write, is skipped). A line is
 * `assumptions TAB footprint TAB length-of-footprint` (JSON never holds a raw tab): the binder tries every entry's
 * assumptions and uses one footprint, often tens of times their size (2.6 MB against 70 KB), so a footprint is parsed
 * only when its entry is chosen.
 * A specialization holds for any call that satisfies its assumptions, so one explored for a transaction of one block
 * serves every later call of the same shape, in any process.
 */
export class DiskSpecializationStore implements SpecializationStore {
  constructor(private readonly dir: string) {}
  private file(key: string): string {
    return join(this.dir, `${key.replace(/[^0-9A-Za-z]+/g, '-')}.jsonl`);
  }
  load(key: string): Specialization[] {
    const p = this.file(key);
    if (!existsSync(p)) return [];
    let lines: string[];
    try {
      lines = readFileSync(p, 'utf8').split('\n').filter((l) => l.length > 0);
    } catch {
      return [];
    }
    const out: Specialization[] = [];
    for (const line of lines.slice(-MAX_SPECIALIZATIONS_KEPT)) {
      const [a, fp, len, ...rest] = line.split('\t');
      if (fp === undefined || rest.length > 0 || String(fp.length) !== len) continue; // torn or foreign
      let assumptions: Assumed[];
      try {
        assumptions = parseShared<Assumed[]>(a!);
      } catch {
        continue;
      }
      if (Array.isArray(assumptions)) out.push(lazyEntry(assumptions, fp, p));
    }
    // Older entries than the binder keeps are only weight: the file is rewritten with the newest.
    if (lines.length > 2 * MAX_SPECIALIZATIONS_KEPT) this.write(p, lines.slice(-MAX_SPECIALIZATIONS_KEPT).join('\n') + '\n', writeFileSync);
    return out;
  }
  add(key: string, s: Specialization): void {
    const fp = stringifyShared(s.fp);
    // Led by a newline too: after a torn line (no newline of its own) this one still starts a line.
    this.write(this.file(key), `\n${stringifyShared(s.assumptions)}\t${fp}\t${fp.length}\n`, appendFileSync);
  }
  private write(p: string, text: string, how: (p: string, t: string) => void): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      how(p, text);
    } catch {
      // A cache that cannot be written only costs the next process the exploration again.
    }
  }
}

/** An entry whose footprint is parsed on first use; a whole line that does not parse is a corrupt cache folder. */
function lazyEntry(assumptions: Assumed[], text: string, file: string): Specialization {
  let fp: FunctionFootprint | undefined;
  return {
    assumptions,
    get fp(): FunctionFootprint {
      if (fp === undefined) {
        let v: FunctionFootprint | undefined;
        try {
          v = parseShared<FunctionFootprint>(text);
        } catch {
          // reported below
        }
        if (!Array.isArray(v?.reads) || !Array.isArray(v.writes)) {
          throw new PrescientError('BAD_INPUT', file, 'a specialized footprint in the cache folder does not parse; delete the folder');
        }
        fp = v;
      }
      return fp;
    },
  };
}
