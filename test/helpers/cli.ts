/** The CLI in-process through its dispatcher (src/cli/main.ts), stdout and stderr captured. */
import { main } from '../../src/cli/main.js';

export interface Ran {
  code: number;
  out: string;
  err: string;
  ms: number;
}

export async function cli(...argv: string[]): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const so = jest.spyOn(process.stdout, 'write').mockImplementation((s: any) => (out.push(String(s)), true));
  const se = jest.spyOn(process.stderr, 'write').mockImplementation((s: any) => (err.push(String(s)), true));
  const t0 = performance.now();
  try {
    const code = await main(argv);
    return { code, out: out.join(''), err: err.join(''), ms: performance.now() - t0 };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}

/** Exit code 1, nothing on stdout, one line on stderr matching `re`, no stack trace. */
export function expectRejected(r: Ran, re: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.out).toBe('');
  expect(r.err.endsWith('\n')).toBe(true);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(/^prescient: /);
  expect(r.err).toMatch(re);
  expect(r.err).not.toMatch(/\n\s+at /);
}
