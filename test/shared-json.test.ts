/**
 * src/util/shared-json.ts: the format specializations are kept in between processes (src/hints/cache.ts). Fixtures
 * are small hand-made values: a hash-consed expression DAG, bigints of both signs, fields left undefined.
 */
import { parseShared, stringifyShared } from '../src/util/shared-json.js';

describe('stringifyShared / parseShared', () => {
  test('a part referenced twice is written once and comes back as one object', () => {
    const leaf = { k: 'cd', off: 4, arg: 0 };
    const hash = { k: 'keccak', words: [leaf, { k: 'const', v: '0x0' }] };
    const value = { assumptions: [{ expr: hash, value: 5n, truth: false }, { expr: { k: 'op', op: 'ADD', args: [hash, leaf] }, value: 0n, truth: true }] };
    const text = stringifyShared(value);
    expect(text.match(/"keccak"/g)).toHaveLength(1);
    const back = parseShared<typeof value>(text);
    expect(back).toEqual(value);
    const [a, b] = back.assumptions;
    expect((b!.expr as { args: unknown[] }).args[0]).toBe(a!.expr);
    expect((b!.expr as { args: unknown[] }).args[1]).toBe((a!.expr as { words: unknown[] }).words[0]);
  });

  test('a DAG whose tree is exponential stays linear (32 levels of keccak(z . z))', () => {
    let z: object = { k: 'const', v: '0x0' };
    for (let i = 0; i < 32; i++) z = { k: 'keccak', words: [z, z] };
    const text = stringifyShared(z);
    expect(text.length).toBeLessThan(5_000);
    let back = parseShared<{ words?: object[] }>(text);
    for (let i = 0; i < 32; i++) {
      expect(back.words![0]).toBe(back.words![1]);
      back = back.words![0] as { words?: object[] };
    }
  });

  test('bigints of any sign and size; undefined fields are left out as JSON.stringify does', () => {
    const value = { a: -(2n ** 255n), b: 2n ** 256n - 1n, c: 0n, d: undefined, e: [1, 'x', null, true] };
    const back = parseShared<Record<string, unknown>>(stringifyShared(value));
    expect(back).toEqual({ a: -(2n ** 255n), b: 2n ** 256n - 1n, c: 0n, e: [1, 'x', null, true] });
    expect('d' in back).toBe(false);
  });

  test('text it did not write is refused: bad JSON, no table, a reference to a part not yet defined', () => {
    expect(() => parseShared('{"table":[],"root":')).toThrow();
    expect(() => parseShared('{"root":1}')).toThrow(/not a shared-JSON text/);
    expect(() => parseShared('{"table":[{"$ref":0}],"root":{"$ref":0}}')).toThrow(/dangling reference 0/);
    expect(() => parseShared('{"table":[],"root":{"$ref":3}}')).toThrow(/dangling reference 3/);
  });
});
