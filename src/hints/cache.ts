/**
 * An on-disk cache of analyses by code hash (ContractAnalysis is plain JSON), stamped with the analyzer's source so a
 * changed analyzer never serves stale footprints. Used by `verify` and `hints` with `--cache DIR`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { PrescientError } from '../errors.js';
import type { ContractAnalysis } from '../types.js';

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
  const root = packageRoot();
  const h = createHash('sha256');
  for (const dir of ['src/analyze', 'src/evm', 'analyzers', 'rules']) {
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
}
