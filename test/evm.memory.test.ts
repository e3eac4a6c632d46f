/**
 * The abstract memory (src/evm/memory.ts): what a read finds after writes at absolute places, relative to a pointer,
 * and after `havocAbsolute` (a write through an index the exploration widened, src/evm/machine.ts `indexed`).
 */
import { havocAbsolute, readRange, writeWord, type MemEntry } from '../src/evm/memory.js';
import { SymBuilder, type Sym } from '../src/evm/sym.js';

const b = new SymBuilder();
const code = new Uint8Array(0);
const read = (m: MemEntry | null, c: number, base: Sym | null = null): Sym => readRange(m, { base, c }, 32, b, code)[0]!;

describe('abstract memory', () => {
  const x = b.const(7n), y = b.const(9n);
  const p = b.unknown('a pointer');

  test('never-written absolute memory is zero; a write relative to a pointer does not reach it', () => {
    const m = writeWord(null, { base: p, c: 0x20 }, x);
    expect(read(m, 0xa0)).toBe(b.const(0n));
    expect(read(m, 0x20, p)).toBe(x);
  });

  test('havocAbsolute makes its range unknown, leaves the rest, and later writes show through', () => {
    let m = writeWord(null, { base: null, c: 0x80 }, x);
    m = writeWord(m, { base: null, c: 0xa0 }, y);
    m = writeWord(m, { base: null, c: 0xc0 }, x);
    m = havocAbsolute(m, 0xa0, 32);
    expect(read(m, 0x80)).toBe(x);
    expect(read(m, 0xa0).k).toBe('unknown');
    expect(read(m, 0xc0)).toBe(x);
    // A word straddling the range's edge is unknown in its covered half only: not the plain old value.
    expect(read(m, 0x90)).not.toBe(read(writeWord(null, { base: null, c: 0x80 }, x), 0x90));
    m = writeWord(m, { base: null, c: 0xa0 }, x);
    expect(read(m, 0xa0)).toBe(x);
  });

  test('reads relative to a pointer are not affected by havocAbsolute', () => {
    let m = writeWord(null, { base: p, c: 0 }, y);
    m = havocAbsolute(m, 0, 1 << 20);
    expect(read(m, 0, p)).toBe(y);
  });
});
