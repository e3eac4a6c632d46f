/**
 * JSON for values whose parts are shared (a DAG of plain objects and arrays, no cycles) and that hold bigints. Plain
 * JSON would write a shared part out once per reference, which for hash-consed expressions is exponential (a Merkle
 * tree's empty-subtree hashes), and would lose the sharing a reader relies on (the binder evaluates each shared part
 * of a specialization's assumptions once, memoized by identity). Parts referenced more than once are written once, in
 * a table before their first use, and referenced as `{ "$ref": i }`; bigints as `{ "$big": "0x..." }`.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** `value` as one JSON text; `parseShared` gives it back with the same sharing. */
export function stringifyShared(value: unknown): string {
  const refs = new Map<object, number>();
  const count = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    const n = refs.get(v) ?? 0;
    refs.set(v, n + 1);
    if (n > 0) return; // its parts were counted on the first visit
    if (Array.isArray(v)) for (const x of v) count(x);
    else for (const x of Object.values(v)) count(x);
  };
  count(value);
  const table: Json[] = [];
  const index = new Map<object, number>();
  const enc = (v: unknown): Json => {
    if (typeof v === 'bigint') return { $big: (v < 0n ? '-0x' : '0x') + (v < 0n ? -v : v).toString(16) };
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return null;
    if (v === null || typeof v !== 'object') return v as Json;
    const shared = refs.get(v)! > 1;
    if (shared) {
      const i = index.get(v);
      if (i !== undefined) return { $ref: i };
    }
    let out: Json;
    if (Array.isArray(v)) out = v.map(enc);
    else {
      const o: { [k: string]: Json } = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = enc(x);
      out = o;
    }
    if (!shared) return out;
    index.set(v, table.length);
    table.push(out);
    return { $ref: table.length - 1 };
  };
  const root = enc(value);
  return JSON.stringify({ table, root });
}

/** The value `stringifyShared` wrote; throws on text it did not write (bad JSON, a dangling reference). */
export function parseShared<T>(text: string): T {
  const { table, root } = JSON.parse(text) as { table: Json[]; root: Json };
  if (!Array.isArray(table)) throw new Error('not a shared-JSON text');
  // References and bigints are resolved in place, in the objects JSON.parse made: no second copy of the value.
  let resolved = 0;
  const dec = (v: Json): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = dec(v[i]!) as Json;
      return v;
    }
    const ref = v.$ref;
    if (ref !== undefined) {
      if (typeof ref !== 'number' || !Number.isInteger(ref) || ref < 0 || ref >= resolved) throw new Error(`dangling reference ${String(ref)}`);
      return table[ref];
    }
    const big = v.$big;
    if (typeof big === 'string') return big.startsWith('-') ? -BigInt(big.slice(1)) : BigInt(big);
    for (const k in v) v[k] = dec(v[k]!) as Json;
    return v;
  };
  // Each table entry refers only to entries before it (parts are written before the whole).
  for (; resolved < table.length; resolved++) table[resolved] = dec(table[resolved]!) as Json;
  return dec(root) as T;
}
