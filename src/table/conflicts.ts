/**
 * The conflict table: for two functions of a contract (called by two different transactions), whether their storage
 * accesses can meet, and under which condition over their inputs.
 *
 * Slot expressions are compared structurally: two constants meet iff equal; a constant never meets a keccak-derived
 * slot (mapping entries and dynamic arrays live at hash outputs); keccak over different numbers of words never meet;
 * keccak over the same number of words meet iff every word pair is equal, which is the condition reported (constant
 * words that differ rule it out; nested keccak words are compared recursively). A hash plus an offset (a struct field,
 * an array index, known or not) stays in that hash's region: offsets are far smaller than the distance between two
 * hashes, as solc's storage layout assumes. Anything else (an `unknown` slot) is `always`. A function whose accesses
 * may not all be listed (an exploration limit) conflicts with every writer. Only a contract's own storage is
 * compared: different contracts have disjoint storage, and a function's calls into other contracts are those
 * contracts' own rows.
 *
 * Transient accesses (EIP-1153) never conflict across transactions. Two writes marked `delta` (a commutative add/sub
 * of an amount) do not conflict with each other; the entry lists them under `commutative`.
 */
import { exprHasUnknown } from '../../analyzers/render.js';
import type { ConflictEntry, ConflictKind, ConflictTable, ContractAnalysis, Expr, FunctionFootprint, StorageAccess } from '../types.js';

const MASK160 = (1n << 160n) - 1n;

// ---------------------------------------------------------------------------------------------------------------------
// Slot shapes
// ---------------------------------------------------------------------------------------------------------------------

type Shape =
  | { t: 'const'; v: bigint }
  /** keccak(words) + off + sum(sym) */
  | { t: 'hash'; words: Expr[]; size: number; off: bigint; sym: Expr[] }
  | { t: 'unknown'; why: string }
  | { t: 'opaque'; e: Expr };

function shape(e: Expr): Shape {
  switch (e.k) {
    case 'const':
      return { t: 'const', v: BigInt(e.v) };
    case 'keccak':
      return { t: 'hash', words: e.words, size: (e as { size?: number }).size ?? 32 * e.words.length, off: 0n, sym: [] };
    case 'unknown':
      return { t: 'unknown', why: e.why };
    case 'op':
      if (e.op === 'ADD' && e.args.length === 2) {
        const [a, b] = e.args.map(shape) as [Shape, Shape];
        for (const [h, o, oe] of [[a, b, e.args[1]!], [b, a, e.args[0]!]] as const) {
          if (h.t !== 'hash') continue;
          if (o.t === 'const') return { ...h, off: h.off + o.v };
          // An index or field offset, known or not (a loop counter the analysis widened), stays in the hash's region.
          if (o.t === 'opaque' || o.t === 'unknown') return { ...h, sym: [...h.sym, oe] };
        }
        if (a.t === 'unknown') return a;
        if (b.t === 'unknown') return b;
      }
      return { t: 'opaque', e };
    default:
      return { t: 'opaque', e };
  }
}

/** A word equality the two transactions' inputs must satisfy. */
export interface Eq {
  a: Expr;
  b: Expr;
}

/** 'never', 'always', or a conjunction of word equalities. */
type Meet = 'never' | 'always' | Eq[];

const strip = (e: Expr): Expr =>
  e.k === 'op' && e.op === 'AND' && e.args.length === 2 && e.args.some((x) => x.k === 'const' && BigInt(x.v) === MASK160)
    ? strip(e.args.find((x) => !(x.k === 'const' && BigInt(x.v) === MASK160))!)
    : e;

function meetWords(wa: Expr[], wb: Expr[]): Meet {
  if (wa.length !== wb.length) return 'never';
  const eqs: Eq[] = [];
  for (let i = 0; i < wa.length; i++) {
    const a = shape(wa[i]!);
    const b = shape(wb[i]!);
    if (a.t === 'const' && b.t === 'const') {
      if (a.v !== b.v) return 'never';
      continue;
    }
    if ((a.t === 'const' && b.t === 'hash') || (a.t === 'hash' && b.t === 'const')) return 'never';
    if (a.t === 'hash' && b.t === 'hash' && a.sym.length === 0 && b.sym.length === 0) {
      if (a.off !== b.off || a.size !== b.size) return 'never';
      const m = meetWords(a.words, b.words);
      if (m === 'never') return m;
      if (m !== 'always') eqs.push(...m);
      continue;
    }
    eqs.push({ a: strip(wa[i]!), b: strip(wb[i]!) });
  }
  return eqs;
}

export function meet(ea: Expr, eb: Expr): Meet {
  const a = shape(ea);
  const b = shape(eb);
  if (a.t === 'unknown' || b.t === 'unknown') return 'always';
  if (a.t === 'const' && b.t === 'const') return a.v === b.v ? 'always' : 'never';
  if ((a.t === 'const' && b.t === 'hash') || (a.t === 'hash' && b.t === 'const')) return 'never';
  if (a.t === 'hash' && b.t === 'hash') {
    if (a.size !== b.size) return 'never';
    if (a.sym.length === 0 && b.sym.length === 0 && a.off !== b.off) return 'never';
    const m = meetWords(a.words, b.words);
    if (m === 'never') return m;
    const eqs = m === 'always' ? [] : m;
    // An offset that holds an unknown gives no equation to check: the pair may meet wherever the hashes do.
    const unknownOffset = [...a.sym, ...b.sym].some(exprHasUnknown);
    if ((a.sym.length || b.sym.length) && !unknownOffset) {
      const sum = (s: Extract<Shape, { t: 'hash' }>): Expr =>
        s.sym.reduce<Expr>((acc, x) => ({ k: 'op', op: 'ADD', args: [acc, x] }), { k: 'const', v: `0x${s.off.toString(16)}` });
      eqs.push({ a: sum(a), b: sum(b) });
    }
    return eqs.length === 0 ? 'always' : eqs;
  }
  return [{ a: ea, b: eb }];
}

// ---------------------------------------------------------------------------------------------------------------------
// Rendering keys: caller, arg0, ... (the second transaction's primed)
// ---------------------------------------------------------------------------------------------------------------------

export function renderKey(e: Expr, prime = ''): string {
  e = strip(e);
  switch (e.k) {
    case 'const': {
      const v = BigInt(e.v);
      return v < 1n << 32n ? v.toString() : e.v;
    }
    case 'env':
      return ({ CALLER: 'caller', ORIGIN: 'origin', CALLVALUE: 'value', ADDRESS: 'this' } as Record<string, string>)[e.name] ?? e.name.toLowerCase() + (e.name === 'ADDRESS' ? '' : prime);
    case 'cd':
      return (e.arg !== null ? `arg${e.arg}` : `cd[${e.off}]`) + prime;
    case 'cdx':
      return `cd[${renderKey(e.off, prime)}]`;
    case 'sload':
      return `${e.transient ? 't' : ''}s[${renderKey(e.slot, prime)}]`;
    case 'keccak': {
      const ws = e.words.map((w) => renderKey(w, prime));
      // Solidity mapping layout: keccak(key . base) reads base[key]
      if (ws.length === 2) return `m${ws[1]}[${ws[0]}]`;
      return `keccak(${ws.join(' . ')})`;
    }
    case 'op':
      return `${e.op}(${e.args.map((x) => renderKey(x, prime)).join(', ')})`;
    case 'callret':
      return `ret${e.call}.${e.word}${prime}`;
    case 'callok':
      return `ok${e.call}${prime}`;
    case 'balance':
      return `balance(${renderKey(e.addr, prime)})`;
    case 'ext':
      return `${e.what.toLowerCase()}(${renderKey(e.addr, prime)})`;
    case 'blockhash':
      return `blockhash(${renderKey(e.n, prime)})`;
    case 'unknown':
      return '?';
  }
}

// The caller-dependent names must be primed too: renderKey primes everything but `this` and constants.
function keyText(e: Expr, prime: string): string {
  const s = renderKey(e, prime);
  if (!prime) return s;
  return s.replace(/\b(caller|origin|value)\b(?!')/g, `$1${prime}`);
}

/** The slot, readably: `m0[caller]` (mapping at slot 0), `5`, `m[m1[arg0]][caller]`. */
export function slotText(e: Expr, prime = ''): string {
  return keyText(e, prime);
}

// ---------------------------------------------------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------------------------------------------------

export interface TableEntry extends ConflictEntry {
  /** Index into `Table.contracts`: the contract both functions belong to (two tokens share their selectors). */
  contract: number;
  /** Selectors (the `a`/`b` labels name them with signatures when known). */
  selectorA: string;
  selectorB: string;
  /** The condition, readably: `write-write iff {caller, arg0} meets {caller', arg0'}` per mapping. */
  summary: string;
  /** Pairs of delta (commutative add/sub) writes to the same slots that are not counted as conflicts. */
  commutative: { a: string; b: string }[];
}

export interface Table extends ConflictTable {
  entries: TableEntry[];
}

interface Pair {
  kind: Exclude<ConflictKind, 'none'>;
  always: boolean;
  eqs: Eq[];
  a: StorageAccess;
  b: StorageAccess;
}

/** "Same mapping" grouping key for a condition: the structure of the slot with the compared words blanked out. */
function groupKey(acc: StorageAccess, eqs: Eq[], side: 'a' | 'b'): string {
  const holes = new Set(eqs.map((q) => q[side]));
  const walk = (e: Expr): string => {
    const s = strip(e);
    if (holes.has(s) || holes.has(e)) return '_';
    if (e.k === 'keccak') return `k(${e.words.map(walk).join(',')})`;
    if (e.k === 'op') return `${e.op}(${e.args.map(walk).join(',')})`;
    if (e.k === 'const') return e.v;
    return renderKey(e);
  };
  return walk(acc.expr);
}

function summarize(kind: ConflictKind, always: boolean, pairs: Pair[], unlisted = 'footprint incomplete'): string {
  if (kind === 'none') return 'none';
  if (always) {
    const p = pairs.find((x) => x.always && x.kind === kind) ?? pairs.find((x) => x.always);
    return p ? `${kind} always (${p.a.text} / ${p.b.text})` : `${kind} always (${unlisted})`;
  }
  // The text is drawn from the same pairs as the JSON `conditions`, key pair by key pair: a set notation
  // `{caller, arg0} meets {caller', arg0'}` claims every cross pair, so it is used only for the pairs that are there
  // (two recipients' delta credits commute: `arg0 = arg0'` is not a condition of transfer x transfer).
  const tuple = (p: Pair, side: 'a' | 'b') => {
    const ks = p.eqs.map((q) => keyText(q[side], side === 'b' ? "'" : ''));
    return ks.length === 1 ? ks[0]! : `(${ks.join(', ')})`;
  };
  // Per key pair its strongest kind; then, per mapping (group) and kind, each side-a key with the side-b keys it meets.
  const strongest = new Map<string, { g: string; a: string; b: string; kind: Pair['kind'] }>();
  for (const p of pairs) {
    const g = `${groupKey(p.a, p.eqs, 'a')}|${p.eqs.length}`;
    const a = tuple(p, 'a');
    const b = tuple(p, 'b');
    const id = JSON.stringify([g, a, b]);
    const e = strongest.get(id);
    if (!e) strongest.set(id, { g, a, b, kind: p.kind });
    else if (p.kind === 'write-write') e.kind = p.kind;
  }
  const parts = (k: Pair['kind']): string[] => {
    const groups = new Map<string, Map<string, string[]>>();
    for (const { g, a, b, kind: pk } of strongest.values()) {
      if (pk !== k) continue;
      let byA = groups.get(g);
      if (!byA) groups.set(g, (byA = new Map()));
      byA.set(a, [...(byA.get(a) ?? []), b]);
    }
    const out: string[] = [];
    for (const byA of groups.values()) {
      // Side-a keys that meet the same side-b keys share one `{..} meets {..}`.
      const byB = new Map<string, string[]>();
      for (const [a, bs] of byA) byB.set(bs.join(', '), [...(byB.get(bs.join(', ')) ?? []), a]);
      for (const [bs, as] of byB) out.push(`{${as.join(', ')}} meets {${bs}}`);
    }
    return out;
  };
  const ww = parts('write-write');
  const rw = parts('read-write');
  const text = (k: string, ps: string[]) => `${k} iff ${ps.join(' or ')}`;
  if (ww.length && rw.length) return `${text('write-write', ww)}, else ${text('read-write', rw)}`;
  return ww.length ? text('write-write', ww) : text('read-write', rw);
}

/** The conflict entry for functions `fa` and `fb` of one contract. */
export function conflict(fa: FunctionFootprint, fb: FunctionFootprint, la: string = fa.selector, lb: string = fb.selector): Omit<TableEntry, 'contract'> {
  const pairs: Pair[] = [];
  const commutative: { a: string; b: string }[] = [];
  const persistent = (l: StorageAccess[]) => l.filter((x) => !x.transient);
  const wa = persistent(fa.writes);
  const wb = persistent(fb.writes);
  const ra = persistent(fa.reads);
  const rb = persistent(fb.reads);
  const deltaReads = (reads: StorageAccess[], writes: StorageAccess[]) =>
    new Set(reads.filter((r) => writes.some((w) => w.delta && w.text === r.text)));
  const daReads = deltaReads(ra, wa);
  const dbReads = deltaReads(rb, wb);
  const consider = (x: StorageAccess, y: StorageAccess, kind: Exclude<ConflictKind, 'none'>, xa: 'a' | 'b') => {
    const [accA, accB] = xa === 'a' ? [x, y] : [y, x];
    const m = meet(accA.expr, accB.expr);
    if (m === 'never') return;
    pairs.push({ kind, always: m === 'always', eqs: m === 'always' ? [] : m, a: accA, b: accB });
  };
  for (const x of wa) {
    for (const y of wb) {
      if (x.delta && y.delta) {
        if (meet(x.expr, y.expr) !== 'never') commutative.push({ a: x.text, b: y.text });
        continue;
      }
      consider(x, y, 'write-write', 'a');
    }
    for (const y of rb) {
      // The read half of B's own delta update commutes with A's delta write to the same slot.
      if (x.delta && dbReads.has(y)) continue;
      consider(x, y, 'read-write', 'a');
    }
  }
  for (const y of wb) {
    for (const x of ra) {
      if (y.delta && daReads.has(x)) continue;
      consider(y, x, 'read-write', 'b');
    }
  }
  // Footprints whose accesses may not all be listed may access anything: conservatively always.
  let always = pairs.some((p) => p.always);
  const incomplete = !listed(fa) || !listed(fb);
  const writes = wa.length + wb.length > 0 || incomplete;
  let kind: ConflictKind = pairs.some((p) => p.kind === 'write-write') ? 'write-write' : pairs.length ? 'read-write' : 'none';
  if (incomplete && writes && fa.mutability !== 'view' && fb.mutability !== 'view') {
    kind = 'write-write';
    always = true;
  } else if (incomplete && writes && kind === 'none' && (fa.mutability !== 'view' || fb.mutability !== 'view')) {
    kind = 'read-write';
    always = true;
  }
  const conditions = dedupe(
    pairs.filter((p) => !p.always).map((p) => ({ a: slotText(p.a.expr), b: slotText(p.b.expr, "'"), kind: p.kind })),
  );
  const delegating = incomplete && always && (delegates(fa) || delegates(fb));
  let summary = delegating ? summarize(kind, always, [], 'a delegatecall runs other code on this storage') : summarize(kind, always, pairs);
  if (commutative.length) {
    const plain = (f: FunctionFootprint): FunctionFootprint => ({ ...f, writes: f.writes.map(({ delta: _d, ...w }) => w) });
    const asPlain = conflict(plain(fa), plain(fb), la, lb);
    const slots = [...new Set(commutative.map((c) => c.a))].join(', ');
    // Plain read-modify-writes would add the pairs the deltas leave out: the stricter condition, where its data (kind,
    // always, conditions) differs.
    const conds = (x: { kind: ConflictKind; always: boolean; conditions: unknown[] }) => JSON.stringify([x.kind, x.always, x.always ? [] : x.conditions]);
    const strict = conds(asPlain) === conds({ kind, always, conditions }) ? 'the same' : asPlain.summary;
    summary += `; delta writes to ${slots} commute, not counted (as plain writes: ${strict})`;
  }
  return { a: la, b: lb, selectorA: fa.selector, selectorB: fb.selector, kind, always, conditions: always ? [] : conditions, summary, commutative };
}

/**
 * Every access to the function's own storage is in its lists, some perhaps with slots in part unknown (`meet` takes
 * those as they are): complete, or explored to the end with no other imprecision than such slots (a string getter's
 * loop over its data words: `keccak(0x0) + ?`). Anything else (an exploration limit, an expression cut at the depth
 * limit, accesses past the per-function cap) may leave accesses out.
 */
function listed(f: FunctionFootprint): boolean {
  return (f.complete || (f.exhaustive === true && f.diagnostics.every((d) => d.code === 'unknown-slot'))) && !delegates(f);
}

/**
 * DELEGATECALL and CALLCODE run another contract's code on this contract's storage (a proxy's implementation, a
 * library): what it writes there is in no list of this contract's footprints, so such a function may access anything.
 */
function delegates(f: FunctionFootprint): boolean {
  return f.calls.some((c) => c.kind === 'DELEGATECALL' || c.kind === 'CALLCODE');
}

function dedupe<T>(xs: T[]): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = JSON.stringify(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function label(f: FunctionFootprint): string {
  if (f.signature) return f.signature.replace(/\(.*$/, '');
  return f.selector;
}

/** The table over the functions of each contract (unordered pairs, each function with itself included). */
export function conflictTable(contracts: ContractAnalysis[]): Table {
  const entries: TableEntry[] = [];
  const many = contracts.length > 1;
  // Contracts named alike (two builds of one token) are told apart by their code hash.
  const named = contracts.map((c) => c.name);
  for (const [ci, c] of contracts.entries()) {
    const fns = c.functions;
    const who = c.name === null ? c.codeHash.slice(0, 10) : named.indexOf(c.name) !== named.lastIndexOf(c.name) ? `${c.name}@${c.codeHash.slice(0, 10)}` : c.name;
    const names = fns.map((f) => (many ? `${who}.` : '') + label(f));
    // Overloads share a name: disambiguate with the selector.
    const dup = new Set(names.filter((n, i) => names.indexOf(n) !== i));
    const lbl = names.map((n, i) => (dup.has(n) ? `${n}[${fns[i]!.selector}]` : n));
    for (let i = 0; i < fns.length; i++) {
      for (let j = i; j < fns.length; j++) entries.push({ contract: ci, ...conflict(fns[i]!, fns[j]!, lbl[i], lbl[j]) });
    }
  }
  return {
    schema: 'prescient/table@1',
    contracts: contracts.map((c) => ({ name: c.name, codeHash: c.codeHash, selectors: c.functions.map((f) => f.selector) })),
    entries,
  };
}

/** A readable matrix per contract: `WW` / `RW` always, `ww?` / `rw?` conditional, `.` none; then the conditions. */
export function renderTable(t: Table): string {
  const out: string[] = [];
  const lines: string[] = [];
  for (const [ci, c] of t.contracts.entries()) {
    const es = t.entries.filter((e) => e.contract === ci);
    const labels: string[] = [];
    for (const s of c.selectors) {
      const e = es.find((x) => x.selectorA === s && x.selectorB === s);
      labels.push(e ? e.a : s);
    }
    const cell = (e: TableEntry | undefined) =>
      !e || e.kind === 'none' ? (e?.commutative.length ? 'd' : '.') : e.kind === 'write-write' ? (e.always ? 'WW' : 'ww?') : e.always ? 'RW' : 'rw?';
    const w = Math.max(...labels.map((l) => l.length), 4);
    out.push(`${c.name ?? c.codeHash}  (${c.selectors.length} functions)`);
    out.push(' '.repeat(w + 2) + labels.map((_, i) => String(i).padStart(4)).join(''));
    labels.forEach((l, i) => {
      const row = labels.map((_, j) => {
        const e = es.find((x) => (x.selectorA === c.selectors[i] && x.selectorB === c.selectors[j]) || (x.selectorB === c.selectors[i] && x.selectorA === c.selectors[j]));
        return cell(e).padStart(4);
      });
      out.push(`${String(i).padStart(2)} ${l.padEnd(w)}${row.join('')}`);
    });
    out.push('');
    for (const e of es) if (e.kind !== 'none' || e.commutative.length) lines.push(`${e.a} x ${e.b}: ${e.summary}`);
  }
  out.push('legend: WW/RW conflict always, ww?/rw? conflict when the condition holds, d only commuting delta writes, . never');
  out.push('');
  return [...out, ...lines].join('\n') + '\n';
}
