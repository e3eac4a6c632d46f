import { join } from 'node:path';
import { conflict, conflictTable, meet, renderTable } from '../src/table/conflicts.js';
import { tableCommand } from '../src/table/cli.js';
import type { Expr, FunctionFootprint, Hex, StorageAccess } from '../src/types.js';
import * as F from './hints.fixtures.js';

const noDelta = (l: StorageAccess[]) => l.map(({ delta: _d, ...x }) => x);

/** The ERC20 fixture without delta marks: every balance update a plain read-modify-write. */
function plainToken() {
  const t = F.erc20('0x01' as Hex);
  for (const f of t.functions) f.writes = noDelta(f.writes);
  return t;
}
const fnOf = (a: ReturnType<typeof plainToken>, sel: string) => a.functions.find((f) => f.selector === sel)!;

describe('slot meet', () => {
  test('constants: equal always, different never', () => {
    expect(meet(F.c(3), F.c(3))).toBe('always');
    expect(meet(F.c(3), F.c(4))).toBe('never');
  });
  test('a constant never meets a mapping entry', () => {
    expect(meet(F.c(0), F.mapping(F.caller, 0))).toBe('never');
  });
  test('mappings over different bases never meet; same base gives the key equality', () => {
    expect(meet(F.mapping(F.caller, 0), F.mapping(F.arg(0), 1))).toBe('never');
    expect(meet(F.mapping(F.caller, 0), F.mapping(F.arg(0), 0))).toEqual([{ a: F.caller, b: F.arg(0) }]);
  });
  test('nested mappings compare both keys', () => {
    const allowA = F.keccak(F.caller, F.mapping(F.arg(0), 1));
    const allowB = F.keccak(F.arg(1), F.mapping(F.caller, 1));
    expect(meet(allowA, allowB)).toEqual([
      { a: F.caller, b: F.arg(1) },
      { a: F.arg(0), b: F.caller },
    ]);
  });
  test('unknown slots always meet', () => {
    expect(meet({ k: 'unknown', why: 'x' }, F.c(1))).toBe('always');
  });
  test('struct fields at different offsets never meet', () => {
    const base = F.mapping(F.arg(0), 3);
    const at = (n: number): Expr => ({ k: 'op', op: 'ADD', args: [base, F.c(n)] });
    expect(meet(at(1), at(2))).toBe('never');
    expect(meet(at(1), at(1))).toEqual([{ a: F.arg(0), b: F.arg(0) }]);
  });
});

describe('conflict entries', () => {
  const t = plainToken();
  test('transfer x transfer: write-write iff {caller, arg0} meets {caller\', arg0\'}', () => {
    const e = conflict(fnOf(t, F.SEL.transfer), fnOf(t, F.SEL.transfer));
    expect(e.kind).toBe('write-write');
    expect(e.always).toBe(false);
    expect(e.summary).toBe("write-write iff {caller, arg0} meets {caller', arg0'}");
    expect(e.conditions).toContainEqual({ a: 'm0[caller]', b: "m0[arg0']", kind: 'write-write' });
  });
  test('approve x transfer: none (different mappings)', () => {
    expect(conflict(fnOf(t, F.SEL.approve), fnOf(t, F.SEL.transfer)).kind).toBe('none');
  });
  test('balanceOf x transfer: read-write on balances', () => {
    const e = conflict(fnOf(t, F.SEL.balanceOf), fnOf(t, F.SEL.transfer));
    expect(e.kind).toBe('read-write');
    expect(e.summary).toBe("read-write iff {arg0} meets {caller', arg0'}");
  });
  test('approve x transferFrom: the allowance tuple', () => {
    const e = conflict(fnOf(t, F.SEL.approve), fnOf(t, F.SEL.transferFrom));
    expect(e.kind).toBe('write-write');
    expect(e.summary).toBe("write-write iff {(arg0, caller)} meets {(caller', arg0')}");
  });
  test('same constant slot: always', () => {
    const p = F.pair('0x02' as Hex).functions[0]!;
    const e = conflict(p, p);
    expect(e).toMatchObject({ kind: 'write-write', always: true });
  });
  test('delta writes commute and the entry says so', () => {
    const d = F.erc20('0x03' as Hex);
    const e = conflict(fnOf(d, F.SEL.transfer), fnOf(d, F.SEL.transfer));
    expect(e.kind).toBe('none');
    expect(e.commutative.length).toBeGreaterThan(0);
    expect(e.summary).toMatch(/commute/);
  });
  test('a delta credit with a plain debit: the text names only the key pairs the conditions hold, then the stricter plain one', () => {
    // Token.sol's shape: the debit checks the balance (plain), the recipient's credit is a delta.
    const tr = fnOf(F.erc20('0x04' as Hex), F.SEL.transfer);
    tr.writes = tr.writes.map(({ delta, ...w }) => (w.text === 'balances[caller]' ? w : { ...w, delta }));
    const e = conflict(tr, tr);
    expect(e.conditions).not.toContainEqual(expect.objectContaining({ a: 'm0[arg0]', b: "m0[arg0']" }));
    expect(e.summary).toBe(
      "write-write iff {caller} meets {caller', arg0'} or {arg0} meets {caller'}; delta writes to balances[arg0] commute, not counted (as plain writes: write-write iff {caller, arg0} meets {caller', arg0'})",
    );
  });
  test('transient accesses never conflict', () => {
    const f = F.fn('0x12345678', { writes: [F.access(F.c(1), 'lock', { transient: true })] });
    expect(conflict(f, f).kind).toBe('none');
  });
  test('an incomplete writer conflicts always', () => {
    const f = F.fn('0x12345678', { complete: false, diagnostics: [{ code: 'unknown-slot', message: 'x' }] });
    expect(conflict(f, f)).toMatchObject({ kind: 'write-write', always: true });
  });
  test('a delegatecall runs other code on this storage: conflicts always, even with nothing listed', () => {
    const call = { kind: 'DELEGATECALL', pc: 1, target: F.c(7), selector: null, args: [], value: null } as any;
    const f = F.fn('0x12345678', { calls: [call] });
    const g = F.fn('0x9abcdef0', { reads: [F.access(F.c(1), 'x')], mutability: 'view' });
    expect(conflict(f, f)).toMatchObject({ kind: 'write-write', always: true, summary: 'write-write always (a delegatecall runs other code on this storage)' });
    expect(conflict(g, f)).toMatchObject({ kind: 'read-write', always: true });
  });
});

describe('footprints with slots in part unknown', () => {
  // A string getter: its length word, then its data words in a loop (`keccak(0x2) + ?`), the only imprecision.
  const unknown: Expr = { k: 'unknown', why: 'widened at a loop or merge' };
  const data: Expr = { k: 'op', op: 'ADD', args: [F.keccak(F.c(2)), unknown] };
  const getter = (parts: Partial<FunctionFootprint> = {}) =>
    F.fn('0x06fdde03', {
      mutability: 'view',
      reads: [F.access(F.c(2), '0x2'), F.access(data, '(keccak(0x2) + ?)')],
      complete: false,
      exhaustive: true,
      diagnostics: [{ code: 'unknown-slot', message: 'read of a slot the analysis cannot name: (keccak(0x2) + ?)' }],
      ...parts,
    });
  const transfer = fnOf(plainToken(), F.SEL.transfer);
  const setter = F.fn('0xc47f0027', { writes: [F.access(F.c(2), '0x2'), F.access(data, '(keccak(0x2) + ?)')], complete: false, exhaustive: true, diagnostics: getter().diagnostics });

  test('explored to the end: the data words stay in their region (no conflict with balances), meet their own writer', () => {
    expect(conflict(getter(), transfer).kind).toBe('none');
    expect(conflict(getter(), setter)).toMatchObject({ kind: 'read-write', always: true });
  });
  test('cut short by a limit, or with other imprecision: conservatively conflicts with every writer', () => {
    expect(conflict(getter({ exhaustive: false }), transfer)).toMatchObject({ kind: 'read-write', always: true });
    const limited = getter({ diagnostics: [...getter().diagnostics, { code: 'limit-depth', message: '1 expression(s) grew past the depth limit' }] });
    expect(conflict(limited, transfer)).toMatchObject({ kind: 'read-write', always: true });
  });
  test('a wholly unknown slot still meets everything', () => {
    const anywhere = F.fn('0x12345678', { writes: [F.access(unknown, '?')], complete: false, exhaustive: true, diagnostics: getter().diagnostics });
    expect(conflict(anywhere, transfer)).toMatchObject({ kind: 'write-write', always: true });
  });
});

test('table over a contract renders a matrix and JSON', () => {
  const table = conflictTable([plainToken()]);
  expect(table.schema).toBe('prescient/table@1');
  expect(table.entries.length).toBe((4 * 5) / 2);
  const text = renderTable(table);
  expect(text).toMatch(/transfer x transfer: write-write iff \{caller, arg0\} meets \{caller', arg0'\}/);
  expect(JSON.parse(JSON.stringify(table)).entries[0].a).toBeDefined();
});

test('several contracts sharing selectors: each matrix and each condition from its own contract', () => {
  // Two tokens with the same functions: one updates balances as plain read-modify-writes, the other as deltas.
  const plain = plainToken();
  const deltas = F.erc20('0x02' as Hex);
  const table = conflictTable([plain, deltas]);
  const per = (ci: number) => table.entries.filter((e) => e.contract === ci);
  expect(per(0)).toHaveLength(10);
  expect(per(1)).toHaveLength(10);
  const transfer = (ci: number) => per(ci).find((e) => e.selectorA === F.SEL.transfer && e.selectorB === F.SEL.transfer)!;
  expect(transfer(0).kind).toBe('write-write');
  expect(transfer(1).kind).toBe('none');
  expect(transfer(1).commutative.length).toBeGreaterThan(0);
  const text = renderTable(table);
  const [first, second] = text.split('\n\n');
  const row = (block: string) => block.split('\n').find((l) => /^ *\d+ \S*transfer +/.test(l))!;
  // transfer's own column in its row: a keyed conflict for the plain token, commuting deltas only for the other.
  const cells = (block: string) => row(block).trim().split(/ +/).slice(2);
  const col = (block: string) => block.split('\n').slice(2).findIndex((l) => /^ *\d+ \S*transfer +/.test(l));
  expect(cells(first!)[col(first!)]).toBe('ww?');
  expect(cells(second!)[col(second!)]).toBe('d');
  // Named alike: told apart by code hash.
  expect(second).toContain('Token@0x02.transfer');
  expect(second).not.toContain('Token@0x01.');
  // Each pair's condition once.
  const conds = text.split('\n').filter((l) => / x .*: /.test(l));
  expect(new Set(conds).size).toBe(conds.length);
});

describe('table CLI over the examples (real analyzer)', () => {
  const capture = async (argv: string[]) => {
    const chunks: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (chunks.push(String(s)), true)) as any;
    try {
      const code = await tableCommand(argv);
      return { code, out: chunks.join('') };
    } finally {
      process.stdout.write = orig;
    }
  };
  const token = join(__dirname, '..', 'examples', 'contracts', 'Token.sol');

  test('Token: a readable matrix; transfer x transfer keyed on {caller, arg0}', async () => {
    const { code, out } = await capture([token]);
    expect(code).toBe(0);
    // name() and symbol() loop over their strings' data words: still no conflict with any balance or allowance.
    expect(out).toMatch(/^ *\d+ name +(\. +)+\.$/m);
    expect(out).not.toMatch(/name x /);
    expect(out).toMatch(/legend:/);
    // The recipients' delta credits commute: no `arg0 = arg0'` in the condition, only in the plain one.
    expect(out).toMatch(/^transfer x transfer: write-write iff \{caller\} meets \{caller', arg0'\} or \{arg0\} meets \{caller'\}; .*\(as plain writes: write-write iff \{caller, arg0\} meets \{caller', arg0'\}\)$/m);
    expect(out).toMatch(/approve x transferFrom: write-write iff/);
  });

  test('Token: every condition text claims exactly the key pairs of the JSON conditions', async () => {
    const t = JSON.parse((await capture([token, '--json'])).out) as { entries: { a: string; b: string; conditions: { a: string; b: string }[]; summary: string }[] };
    const key = (slot: string) => /^m\d+\[([^[\]]+)\]$/.exec(slot)?.[1];
    let checked = 0;
    for (const e of t.entries) {
      // Single-key mappings only (the balances): a pair of keys per condition.
      if (e.conditions.length === 0 || !e.conditions.every((c) => key(c.a) && key(c.b))) continue;
      const fromJson = new Set(e.conditions.map((c) => `${key(c.a)} = ${key(c.b)}`));
      const fromText = new Set<string>();
      for (const m of e.summary.split(';')[0]!.matchAll(/\{([^}]*)\} meets \{([^}]*)\}/g)) {
        for (const a of m[1]!.split(', ')) for (const b of m[2]!.split(', ')) fromText.add(`${a} = ${b}`);
      }
      expect([`${e.a} x ${e.b}`, [...fromText].sort()]).toEqual([`${e.a} x ${e.b}`, [...fromJson].sort()]);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });

  test('Vault: sweep\'s transient lock at slot 0 never meets the persistent lock `status` at slot 0', async () => {
    const t = JSON.parse((await capture([join(__dirname, '..', 'examples', 'contracts', 'Vault.sol'), '--json'])).out) as { entries: { a: string; b: string; summary: string }[] };
    const sweep = t.entries.filter((e) => e.a === 'sweep' || e.b === 'sweep');
    const withdraw = sweep.find((e) => e.a === 'withdrawToken' || e.b === 'withdrawToken')!;
    expect(withdraw.summary).toMatch(/always \(0x7 \/ 0x7\)/);
    for (const e of sweep) expect(e.summary).not.toMatch(/0x0 /);
  });

  test('EIP1967Proxy: receive and fallback delegate to the implementation, so any two calls may conflict', async () => {
    const t = JSON.parse((await capture([join(__dirname, '..', 'examples', 'contracts', 'Proxy.sol'), '--json'])).out) as { entries: { a: string; b: string; kind: string; always: boolean }[] };
    const proxy = t.entries.filter((e) => e.a.startsWith('EIP1967Proxy.') && e.b.startsWith('EIP1967Proxy.'));
    expect(proxy).toHaveLength(3);
    for (const e of proxy) expect(e).toMatchObject({ kind: 'write-write', always: true });
  });

  test('JSON', async () => {
    const { out } = await capture([token, '--json']);
    const t = JSON.parse(out);
    expect(t.schema).toBe('prescient/table@1');
    const e = t.entries.find((x: { a: string; b: string }) => x.a === 'balanceOf' && x.b === 'transfer') ??
      t.entries.find((x: { a: string; b: string }) => x.a === 'transfer' && x.b === 'balanceOf');
    expect(e.kind).toBe('read-write');
    expect(e.always).toBe(false);
  });

  test('bad input is a PrescientError', async () => {
    await expect(tableCommand([])).rejects.toThrow(/no input/);
    await expect(tableCommand(['/nonexistent.sol'])).rejects.toThrow(/nonexistent/);
  });
});
