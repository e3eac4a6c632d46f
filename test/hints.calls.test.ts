/**
 * Binder: calls whose input length is symbolic (a dynamic `bytes` argument passed on, a multicall element), and
 * self-DELEGATECALLs (multicall) that must not be mistaken for a proxy forwarding its own calldata. Fixtures are
 * hand-written footprints (test/hints.fixtures.ts) in the shape the analyzer gives (`inputSizeExpr`, `inputWords`).
 */
import type { Prestate } from '../src/chain/load.js';
import { bindTx, keccakWords, type BindContext, type TxInput } from '../src/hints/bind.js';
import { AnalysisCache, stateView } from '../src/hints/context.js';
import type { Expr, Hex } from '../src/types.js';
import * as F from './hints.fixtures.js';

const { addr: A, ALICE, BOB, ENV: env } = F;

const TOKEN = A(0x1000);
const FWD = A(0x6000);
const MULTI = A(0x7000);
const hex = (v: bigint, bytes = 32) => v.toString(16).padStart(2 * bytes, '0');
const bytesOf = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const balSlot = (a: Hex) => keccakWords([BigInt(a), 0n]);
const add = (...args: Expr[]): Expr => args.reduce((x, y) => ({ k: 'op', op: 'ADD', args: [x, y] }));
const cdx = (off: Expr): Expr => ({ k: 'cdx', off });

/** `forward(bytes data)` (selector 0x22222222): CALL(TOKEN, data) with the bytes' length and words as the analyzer gives them. */
function forwarder(codeHash: Hex, known = 3) {
  // data's offset is arg0; its length word at 4 + arg0; its content from 4 + arg0 + 32
  const base = add(F.arg(0), F.c(4));
  const words = [0, 1, 2].slice(0, known).map((i) => cdx(add(base, F.c(32 * (i + 1)))));
  return F.analysis(codeHash, 'Forwarder', [
    F.fn('0x22222222', {
      calls: [F.call(0, 'CALL', F.c(BigInt(TOKEN)), null, null, { inputSize: null, inputSizeExpr: cdx(base), inputWords: words })],
    }),
  ]);
}

/** multicall(bytes[]) (0xac9650d8): DELEGATECALL(address(this), data[0]), then an iteration the analysis widened. */
function multicall(codeHash: Hex) {
  const arr = add(F.arg(0), F.c(4)); // the array: length at arr, heads from arr + 32
  const elem0 = add(arr, F.c(32), cdx(add(arr, F.c(32)))); // data[0]: length word
  const self: Expr = { k: 'env', name: 'ADDRESS' };
  return F.analysis(codeHash, 'Multicall', [
    F.fn('0xac9650d8', {
      calls: [
        F.call(0, 'DELEGATECALL', self, null, null, { inputSize: null, inputSizeExpr: cdx(elem0), inputWords: [0, 1, 2].map((i) => cdx(add(elem0, F.c(32 * (i + 1))))) }),
        F.call(1, 'DELEGATECALL', self, null, null, { inputSize: null, inputSizeExpr: { k: 'unknown', why: 'widened at a loop or merge' }, inputWords: [] }),
      ],
    }),
    F.fn('0x33333333', { writes: [F.access(F.mapping(F.and160(F.arg(0)), 9), 'counts[arg0]')] }),
  ]);
}

/** The same multicall as an older analysis describes it: no input at all (args null, no inputSizeExpr). */
function oldMulticall(codeHash: Hex) {
  return F.analysis(codeHash, 'Multicall', [
    F.fn('0xac9650d8', { writes: [F.access(F.c(1), 'slot 1')], calls: [F.call(0, 'DELEGATECALL', { k: 'env', name: 'ADDRESS' }, null, null)] }),
  ]);
}

function world(multi: typeof multicall = multicall, known = 3) {
  const acct = (code: number[]) => ({ balance: 10n ** 18n, nonce: 1n, code: Uint8Array.from(code), storage: new Map<bigint, bigint>() });
  const pre: Prestate = new Map();
  pre.set(TOKEN, acct([1]));
  pre.set(FWD, acct([6]));
  pre.set(MULTI, acct([7]));
  const state = stateView(pre);
  const cache = new AnalysisCache(null).add(F.erc20(state.codeHash(TOKEN))).add(forwarder(state.codeHash(FWD), known)).add(multi(state.codeHash(MULTI)));
  const ctx: BindContext = { state, block: env, analysis: cache.provider, codeHash: (a) => state.codeHash(a) };
  return ctx;
}

const tx = (to: Hex, input: Uint8Array): TxInput => ({ index: 0, hash: ('0x' + '11'.repeat(32)) as Hex, from: ALICE, to, value: 0n, input, nonce: 5n, gasPrice: 10n });

/** forward(bytes) calldata around `inner` (hex, no 0x). */
const forwardInput = (inner: string) => bytesOf('22222222' + hex(32n) + hex(BigInt(inner.length / 2)) + inner.padEnd(Math.ceil(inner.length / 64) * 64, '0'));

describe('calls with a symbolic input length (inputSizeExpr, inputWords)', () => {
  test('a forwarded transfer(bob, 5) binds the token as if the input were constant', () => {
    const inner = F.SEL.transfer.slice(2) + hex(BigInt(BOB)) + hex(5n);
    const b = bindTx(tx(FWD, forwardInput(inner)), world());
    // before: "selector unknown (input of call at pc N unknown): callee not bound"
    expect(b.diagnostics).toEqual([]);
    expect(b.complete).toBe(true);
    expect([...(b.writes.get(TOKEN) ?? [])].sort()).toEqual([balSlot(FWD), balSlot(BOB)].sort());
  });

  test('bytes past the input length are zero for the callee (the input is truncated, not the memory word)', () => {
    // transfer with only 4 + 20 bytes: the recipient word is cut after 20 bytes, so the callee reads BOB << 96 masked
    const inner = F.SEL.transfer.slice(2) + hex(BigInt(BOB)).slice(0, 40);
    const b = bindTx(tx(FWD, forwardInput(inner)), world());
    const recipient = (BigInt(BOB) >> 96n) << 96n; // the 20 bytes kept are the word's high bytes; the rest reads zero
    expect(b.writes.get(TOKEN)?.has(keccakWords([recipient & ((1n << 160n) - 1n), 0n]))).toBe(true);
    expect(b.writes.get(TOKEN)?.has(balSlot(BOB))).toBe(false);
  });

  test('words past those the analysis knows are unbound only where the callee needs them', () => {
    // transferFrom(alice, bob, 1) forwarded, the analysis knowing only the input's first two words (bytes 0..63)
    const inner = F.SEL.transferFrom.slice(2) + hex(BigInt(ALICE)) + hex(BigInt(BOB)) + hex(1n);
    const b = bindTx(tx(FWD, forwardInput(inner)), world(multicall, 2));
    // arg0 (bytes 4..35) is known: balances[alice] bound; arg1 (bytes 36..67) needs the third word: unbound
    expect(b.writes.get(TOKEN)?.has(balSlot(ALICE))).toBe(true);
    expect(b.writes.get(TOKEN)?.has(balSlot(BOB))).toBe(false);
    expect(b.complete).toBe(false);
    expect(b.diagnostics.some((d) => /input word 2 of call at pc 100 unknown/.test(d.message))).toBe(true);
  });
});

describe('multicall: DELEGATECALL to its own code', () => {
  const elem = '33333333' + hex(BigInt(BOB));
  // multicall([elem]): offset 32, length 1, head 32, then the element (length, content)
  const input = bytesOf('ac9650d8' + hex(32n) + hex(1n) + hex(32n) + hex(BigInt(elem.length / 2)) + elem.padEnd(128, '0'));

  test('the element is bound exactly; a widened iteration is unbound, not the multicall again', () => {
    const b = bindTx(tx(MULTI, input), world());
    expect(b.writes.get(MULTI)?.has(keccakWords([BigInt(BOB), 9n]))).toBe(true);
    expect(b.complete).toBe(false);
    // the widened iteration: no bytes[] argument known (inputs null), so not followed (and not the multicall again)
    expect(b.frames.map((f) => f.selector)).toEqual(['0xac9650d8', '0x33333333']);
    expect(b.diagnostics.some((d) => /own code with an unknown input/.test(d.message))).toBe(true);
  });

  test('without input information, a self-DELEGATECALL is not taken for proxy forwarding (no recursion)', () => {
    const b = bindTx(tx(MULTI, input), world(oldMulticall));
    // before: the multicall bound itself again and again until MAX_SITE_REPEAT (4 frames, "already 3 times on the stack")
    expect(b.frames).toHaveLength(1);
    expect(b.complete).toBe(false);
    expect(b.diagnostics.some((d) => /own code with an unknown input/.test(d.message))).toBe(true);
    expect(b.diagnostics.some((d) => /MAX_SITE_REPEAT/.test(d.message))).toBe(false);
  });
});

describe('a length computed as end - start, the start depending on an earlier call (multicall, 2nd element)', () => {
  const rds: Expr = { k: 'env', name: 'RETURNDATASIZE' };
  // start = 0xa0 + ((RETURNDATASIZE + 0x3f) & ~0x1f), as solc allocates the previous element's return data
  const start: Expr = add(F.c(0xa0), { k: 'op', op: 'AND', args: [add(rds, F.c(0x3f)), F.c((1n << 256n) - 32n)] });
  const sized = (len: Expr, st: Expr, st2: Expr) => (h: Hex) => {
    const a = forwarder(h);
    const c = a.functions[0]!.calls[0]!;
    a.functions[0]!.calls[0] = { ...c, inputSizeExpr: { k: 'op', op: 'SUB', args: [add(len, st), st2] } };
    return a;
  };
  const withForwarder = (an: (h: Hex) => ReturnType<typeof forwarder>) => {
    const ctx = world();
    const pre: Prestate = new Map([[TOKEN, { balance: 0n, nonce: 1n, code: Uint8Array.of(1), storage: new Map() }], [FWD, { balance: 0n, nonce: 1n, code: Uint8Array.of(6), storage: new Map() }]]);
    const state = stateView(pre);
    const cache = new AnalysisCache(null).add(F.erc20(state.codeHash(TOKEN))).add(an(state.codeHash(FWD)));
    return { ...ctx, state, analysis: cache.provider, codeHash: (x: Hex) => state.codeHash(x) };
  };
  const inner = F.SEL.transfer.slice(2) + hex(BigInt(BOB)) + hex(5n);
  const lenExpr = cdx(add(F.arg(0), F.c(4)));

  test('(len + start) - start is len although start cannot be evaluated', () => {
    const b = bindTx(tx(FWD, forwardInput(inner)), withForwarder(sized(lenExpr, start, JSON.parse(JSON.stringify(start)))));
    // before: "input size of call at pc 100 unknown: RETURNDATASIZE is not known before execution"
    expect(b.writes.get(TOKEN)?.has(balSlot(BOB))).toBe(true);
    expect(b.complete).toBe(true);
  });

  test('two unknown values are never taken as equal', () => {
    const u: Expr = { k: 'unknown', why: 'unknown memory' };
    const b = bindTx(tx(FWD, forwardInput(inner)), withForwarder(sized(lenExpr, u, { ...u })));
    expect(b.writes.get(TOKEN)).toBeUndefined();
    expect(b.complete).toBe(false);
  });
});

describe('multicall iterations the analysis widened', () => {
  /** multicall(bytes[]) whose only DELEGATECALL entry is a widened iteration (what the 4th+ element looks like). */
  const widened = (codeHash: Hex) => {
    const a = multicall(codeHash);
    const f = a.functions[0]!;
    a.functions[0] = { ...f, inputs: 'bytes[]', calls: [f.calls[1]!] };
    return a;
  };
  const el = (who: Hex) => '33333333' + hex(BigInt(who));
  // multicall([el(BOB), el(ALICE)]): two 36-byte elements
  const input = bytesOf(
    'ac9650d8' + hex(32n) + hex(2n) + hex(64n) + hex(160n) + hex(36n) + el(BOB).padEnd(128, '0') + hex(36n) + el(ALICE).padEnd(128, '0'),
  );

  test("each element of the frame's bytes[] argument is bound, the transaction stays incomplete", () => {
    const b = bindTx(tx(MULTI, input), world(widened));
    // before: "selector unknown (input size of call at pc 101 unknown: widened at a loop or merge)", nothing bound
    expect(b.writes.get(MULTI)?.has(keccakWords([BigInt(BOB), 9n]))).toBe(true);
    expect(b.writes.get(MULTI)?.has(keccakWords([BigInt(ALICE), 9n]))).toBe(true);
    expect(b.complete).toBe(false);
    expect(b.diagnostics.some((d) => /element of the frame's bytes\[\] argument \(multicall\)/.test(d.message))).toBe(true);
    expect(b.frames.map((f) => f.selector)).toEqual(['0xac9650d8', '0x33333333', '0x33333333']);
  });

  test('without a bytes[] argument nothing is assumed', () => {
    const noArray = (h: Hex) => {
      const a = widened(h);
      a.functions[0] = { ...a.functions[0]!, inputs: 'bytes' };
      return a;
    };
    const b = bindTx(tx(MULTI, input), world(noArray));
    expect(b.writes.get(MULTI)).toBeUndefined();
    expect(b.complete).toBe(false);
  });
});

test('a DELEGATECALL whose described input does not give the selector is still taken as (unproven) proxy forwarding', () => {
  const PROXY2 = A(0x9000);
  // a proxy copying its calldata to memory the analysis lost: length and words unknown
  const proxy2 = (h: Hex) =>
    F.analysis(h, 'Proxy2', [
      F.fn('fallback', { calls: [F.call(0, 'DELEGATECALL', F.c(BigInt(TOKEN)), null, null, { inputSize: null, inputSizeExpr: { k: 'unknown', why: 'unknown memory' }, inputWords: [] })] }),
    ]);
  const pre: Prestate = new Map([
    [TOKEN, { balance: 0n, nonce: 1n, code: Uint8Array.of(1), storage: new Map() }],
    [PROXY2, { balance: 0n, nonce: 1n, code: Uint8Array.of(9), storage: new Map() }],
  ]);
  const state = stateView(pre);
  const cache = new AnalysisCache(null).add(F.erc20(state.codeHash(TOKEN))).add(proxy2(state.codeHash(PROXY2)));
  const ctx: BindContext = { state, block: env, analysis: cache.provider, codeHash: (a) => state.codeHash(a) };
  const b = bindTx(tx(PROXY2, bytesOf(F.SEL.transfer.slice(2) + hex(BigInt(BOB)) + hex(5n))), ctx);
  // before: "selector unknown (input size of call at pc 100 unknown: unknown memory)", nothing bound
  expect(b.writes.get(PROXY2)?.has(balSlot(BOB))).toBe(true);
  expect(b.complete).toBe(false);
  expect(b.diagnostics.some((d) => /input assumed to be the frame's own calldata/.test(d.message))).toBe(true);
});
