/**
 * Path conditions of an access or call site: a disjunction over the paths that reached it, each a conjunction of the
 * branch conditions that path took since its newest merge point (src/evm/machine.ts `guardOf`). A binder that finds
 * every alternative false for a transaction drops the access. Capped: past the cap the site is unconditional, the
 * safe direction.
 */
import { guardOf, type PathNode } from '../src/evm/machine.js';
import { type Sym, toExpr } from '../src/evm/sym.js';
import type { Expr } from '../src/types.js';

/** Newest branch conditions kept per path. */
export const MAX_GUARD_CONDITIONS = 12;
/** Distinct paths (alternatives) kept per site; more makes the site unconditional. */
export const MAX_GUARD_PATHS = 8;
/** Paths examined per site (distinct path nodes); more makes the site unconditional. */
const MAX_PATH_NODES = 64;

export class Guards {
  private readonly paths = new Set<PathNode | null>();
  private always = false;

  add(path: PathNode | null): void {
    if (this.always) return;
    if (path === null || this.paths.size >= MAX_PATH_NODES) {
      this.always = true;
      this.paths.clear();
      return;
    }
    this.paths.add(path);
  }

  /** Null: unconditional. Evaluate only once exploration is over (merge points are known then). */
  finish(): Expr[][] | null {
    if (this.always || this.paths.size === 0) return null;
    const alts = new Map<string, Sym[]>();
    for (const p of this.paths) {
      const g = guardOf(p, MAX_GUARD_CONDITIONS);
      if (g.length === 0) return null;
      alts.set(g.map((c) => c.id).sort((a, b) => a - b).join(','), g);
      if (alts.size > MAX_GUARD_PATHS) return null;
    }
    return [...alts.values()].map((g) => g.map(toExpr));
  }
}
