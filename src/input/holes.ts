/**
 * Holes in runtime code from compiler artifacts (types.ts `CodeHole`): bytes held as zeros whose value is set later,
 * immutables by the constructor at deployment and library addresses at linking. Analysis reads them as unknown values
 * (src/evm/holes.ts); read as the zeros they are in the artifact, `factory` would be address 0x0 and `m[k + base]`
 * would be `m[k]`, answers that look exact and are wrong.
 *
 * Where they come from, best first: the compiler's own references (`immutableReferences`, `linkReferences`), the link
 * placeholders in the hex text (hex.ts), and, for inputs that carry no immutableReferences at all, every PUSH32 of 32
 * zero bytes (solc pushes a real zero with PUSH1 0 or PUSH0; PUSH32 is what it reserves for an immutable).
 */
import { PrescientError } from '../errors.js';
import { placeholderHoles } from './hex.js';
import type { CodeHole } from './types.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What an input says about one contract's runtime code holes (fields absent from the input: undefined). */
export interface HoleSources {
  /** `{ "<AST id>": [{ start, length }] }` (solc `evm.deployedBytecode.immutableReferences`). */
  immutableReferences?: unknown;
  /** `{ "file.sol": { "L": [{ start, length }] } }` of the deployed code (solc, Hardhat `deployedLinkReferences`). */
  linkReferences?: unknown;
  /** AST id -> variable name (`variableNames`); asked only when there are immutables to name. */
  names?: () => ReadonlyMap<number, string>;
}

/**
 * The holes of `code` (parsed from `text`): link placeholders, the input's link and immutable references, and the
 * PUSH32-0 heuristic where the input has no immutableReferences. Sorted by start; a reference wins over a placeholder
 * at the same place (it names the library). Bad references are a PrescientError naming `where`.
 */
export function collectHoles(code: Uint8Array, text: string, src: HoleSources, where: string): CodeHole[] {
  const byStart = new Map<number, CodeHole>();
  for (const h of placeholderHoles(text)) byStart.set(h.start, h);
  for (const h of linkHoles(src.linkReferences, code.length, where)) byStart.set(h.start, h);
  const imm = src.immutableReferences;
  const immutables = imm === undefined || imm === null ? zeroPush32Holes(code) : immutableHoles(imm, src.names, code.length, where);
  for (const h of immutables) byStart.set(h.start, h);
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

/** Holes of hex input (no references to go by): its link placeholders and every PUSH32 0. */
export function hexHoles(text: string, code: Uint8Array): CodeHole[] {
  return collectHoles(code, text, {}, 'hex');
}

/**
 * Every PUSH32 whose 32 bytes are zero: an immutable solc has not filled yet (it never writes a real 0 so). Only for
 * code from artifacts; deployed code (src/hints) has its immutables filled in and must not go through this.
 */
export function zeroPush32Holes(code: Uint8Array): CodeHole[] {
  const holes: CodeHole[] = [];
  for (let pc = 0; pc < code.length; pc++) {
    const op = code[pc]!;
    if (op < 0x60 || op > 0x7f) continue;
    if (op === 0x7f && pc + 33 <= code.length && code.subarray(pc + 1, pc + 33).every((x) => x === 0)) {
      holes.push({ start: pc + 1, length: 32, what: `immutable? (PUSH32 0 at pc ${pc}: a value set at deployment)` });
    }
    pc += op - 0x5f;
  }
  return holes;
}

/** One reference list (`[{ start, length }]`), checked against the code. */
function places(list: unknown, codeLen: number, where: string, field: string): { start: number; length: number }[] {
  if (!Array.isArray(list)) throw new PrescientError('BAD_INPUT', where, `${field}: expected a list of { start, length }`);
  return list.map((r: unknown) => {
    const start = isObject(r) ? r.start : undefined;
    const length = isObject(r) ? r.length : undefined;
    if (!Number.isInteger(start) || !Number.isInteger(length) || (start as number) < 0 || (length as number) <= 0) {
      throw new PrescientError('BAD_INPUT', where, `${field}: expected { start, length } with whole numbers, got ${JSON.stringify(r)}`);
    }
    if ((start as number) + (length as number) > codeLen) {
      throw new PrescientError('BAD_INPUT', where, `${field}: bytes ${start}..${(start as number) + (length as number) - 1} lie outside the runtime code (${codeLen} bytes)`);
    }
    return { start: start as number, length: length as number };
  });
}

function linkHoles(refs: unknown, codeLen: number, where: string): CodeHole[] {
  if (refs === undefined || refs === null) return [];
  if (!isObject(refs)) throw new PrescientError('BAD_INPUT', where, 'linkReferences: expected { file: { library: [{ start, length }] } }');
  const holes: CodeHole[] = [];
  for (const [file, libs] of Object.entries(refs)) {
    if (!isObject(libs)) throw new PrescientError('BAD_INPUT', where, `linkReferences["${file}"]: expected { library: [{ start, length }] }`);
    for (const [lib, list] of Object.entries(libs)) {
      const what = `library ${file ? `${file}:` : ''}${lib} (unlinked)`;
      for (const p of places(list, codeLen, where, `linkReferences["${file}"]["${lib}"]`)) holes.push({ ...p, what });
    }
  }
  return holes;
}

function immutableHoles(refs: unknown, names: (() => ReadonlyMap<number, string>) | undefined, codeLen: number, where: string): CodeHole[] {
  if (!isObject(refs)) throw new PrescientError('BAD_INPUT', where, 'immutableReferences: expected { "<AST id>": [{ start, length }] }');
  const ids = Object.keys(refs);
  if (ids.length === 0) return [];
  const byId = names?.() ?? new Map<number, string>();
  // One name for two variables (possible across files) would make two values one: the AST id keeps them apart.
  const count = new Map<string, number>();
  for (const id of ids) {
    const n = byId.get(Number(id));
    if (n !== undefined) count.set(n, (count.get(n) ?? 0) + 1);
  }
  const holes: CodeHole[] = [];
  for (const id of ids) {
    const n = byId.get(Number(id));
    const what = n === undefined ? `immutable (AST id ${id})` : count.get(n)! > 1 ? `immutable ${n} (AST id ${id})` : `immutable ${n}`;
    for (const p of places(refs[id], codeLen, where, `immutableReferences["${id}"]`)) holes.push({ ...p, what });
  }
  return holes;
}

/**
 * AST id -> name of every variable declaration in `asts`: solc's compact AST (`nodeType`, `name`) or the legacy one
 * (`name: 'VariableDeclaration'`, `attributes.name`, as old Truffle artifacts keep it). Walked once, on first use (an
 * output's ASTs serve all its contracts), and without recursion (ASTs nest deeply).
 */
export function variableNames(asts: () => unknown[]): () => ReadonlyMap<number, string> {
  let memo: Map<number, string> | null = null;
  return () => {
    if (memo) return memo;
    memo = new Map();
    const todo: unknown[] = [...asts()];
    while (todo.length > 0) {
      const n = todo.pop();
      if (Array.isArray(n)) {
        for (const x of n) if (typeof x === 'object' && x !== null) todo.push(x);
        continue;
      }
      if (!isObject(n)) continue;
      if (typeof n.id === 'number') {
        const name = n.nodeType === 'VariableDeclaration' ? n.name : n.name === 'VariableDeclaration' && isObject(n.attributes) ? n.attributes.name : undefined;
        if (typeof name === 'string' && name !== '') memo.set(n.id, name);
      }
      for (const v of Object.values(n)) if (typeof v === 'object' && v !== null) todo.push(v);
    }
    return memo;
  };
}
