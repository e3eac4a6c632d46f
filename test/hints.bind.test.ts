import type { LoadedBlock, Prestate } from '../src/chain/load.js';
import { applyOp, MASK } from '../src/hints/ops.js';
import { bindTx, createAddress, keccakWords, toWordHex, Unbound, type BindContext, type TxInput } from '../src/hints/bind.js';
import { BlockWrites, predictedState, toTxHints } from '../src/hints/block.js';
import { mayDestroyItself } from '../src/evm/opcodes.js';
import { AnalysisCache, stateView } from '../src/hints/context.js';
import { viewCallResolver } from '../src/hints/resolve.js';
import type { Expr, Hex } from '../src/types.js';
import * as F from './hints.fixtures.js';

const { addr: A, ALICE, BOB, ENV: env } = F;

const TOKEN = A(0x1000);
const TOKEN_B = A(0x1001);
const PAIR = A(0x2000);
const FACTORY = A(0x3000);
const ROUTER = A(0x4000);
const PROXY = A(0x5000);

const word = (v: bigint | string) => BigInt(v).toString(16).padStart(64, '0');
const calldata = (sel: string, ...args: (bigint | string)[]) => Uint8Array.from(Buffer.from(sel.slice(2) + args.map(word).join(''), 'hex'));
const balSlot = (a: Hex) => keccakWords([BigInt(a), 0n]);


function world(extra: (pre: Prestate) => void = () => {}) {
  const acct = (code: number[] = [], storage: [bigint, bigint][] = []) => ({ balance: 10n ** 18n, nonce: 1n, code: Uint8Array.from(code), storage: new Map(storage) });
  const pre: Prestate = new Map();
  pre.set(TOKEN, acct([1]));
  pre.set(TOKEN_B, acct([1]));
  pre.set(PAIR, acct([2], [[6n, BigInt(TOKEN)], [7n, BigInt(TOKEN_B)]]));
  pre.set(FACTORY, acct([3], [[keccakWords([BigInt(TOKEN_B), keccakWords([BigInt(TOKEN), 1n])]), BigInt(PAIR)]]));
  pre.set(ROUTER, acct([4]));
  pre.set(PROXY, acct([5], [[F.IMPL_SLOT, BigInt(TOKEN)]]));
  pre.set(ALICE, acct());
  extra(pre);
  const state = stateView(pre);
  const cache = new AnalysisCache(null)
    .add(F.erc20(state.codeHash(TOKEN)))
    .add(F.pair(state.codeHash(PAIR)))
    .add(F.factory(state.codeHash(FACTORY)))
    .add(F.router(state.codeHash(ROUTER), FACTORY))
    .add(F.proxy(state.codeHash(PROXY)));
  const ctx: BindContext = { state, block: env, analysis: cache.provider, codeHash: (a) => state.codeHash(a) };
  return { pre, state, cache, ctx };
}

const tx = (to: Hex | null, input: Uint8Array, extra: Partial<TxInput> = {}): TxInput => ({
  index: 0, hash: ('0x' + '11'.repeat(32)) as Hex, from: ALICE, to, value: 0n, input, nonce: 5n, gasPrice: 10n, ...extra,
});

const slotsOf = (m: Map<Hex, Set<bigint>>, a: Hex) => [...(m.get(a) ?? [])].sort();

describe('256-bit operators', () => {
  const neg = (x: bigint) => (MASK + 1n - x) & MASK;
  test.each([
    ['ADD', [MASK, 2n], 1n],
    ['SUB', [0n, 1n], MASK],
    ['DIV', [7n, 0n], 0n],
    ['SDIV', [neg(8n), 2n], neg(4n)],
    ['SDIV', [neg(7n), 2n], neg(3n)],
    ['SMOD', [neg(7n), 3n], neg(1n)],
    ['MOD', [7n, 3n], 1n],
    ['EXP', [2n, 256n], 0n],
    ['EXP', [3n, 5n], 243n],
    ['SHL', [4n, 1n], 16n],
    ['SHR', [256n, MASK], 0n],
    ['SAR', [4n, neg(32n)], neg(2n)],
    ['SAR', [300n, neg(1n)], MASK],
    ['BYTE', [31n, 0x1234n], 0x34n],
    ['BYTE', [32n, 0x1234n], 0n],
    ['SIGNEXTEND', [0n, 0xffn], MASK],
    ['SIGNEXTEND', [0n, 0x7fn], 0x7fn],
    ['SLT', [neg(1n), 0n], 1n],
    ['SGT', [neg(1n), 0n], 0n],
    ['ADDMOD', [MASK, 2n, 3n], ((MASK + 2n) % 3n)],
    ['MULMOD', [MASK, MASK, 7n], (MASK * MASK) % 7n],
    ['NOT', [0n], MASK],
    ['ISZERO', [0n], 1n],
  ] as [string, bigint[], bigint][])('%s(%p) = %p', (op, args, want) => {
    expect(applyOp(op, args)).toBe(want);
  });
  test('unknown operator or arity is undefined', () => {
    expect(applyOp('FOO', [1n])).toBeUndefined();
    expect(applyOp('ADD', [1n])).toBeUndefined();
  });
});

describe('bindTx on fixtures', () => {
  test('ERC20 transfer: balances[caller] and balances[arg0], complete', () => {
    const { ctx } = world();
    const b = bindTx(tx(TOKEN, calldata(F.SEL.transfer, BOB, 5n)), ctx);
    expect(b.complete).toBe(true);
    expect(slotsOf(b.writes, TOKEN)).toEqual([balSlot(ALICE), balSlot(BOB)].sort());
    const h = toTxHints(b);
    expect(h.accessList).toEqual([{ address: TOKEN, storageKeys: [balSlot(ALICE), balSlot(BOB)].sort((x, y) => (x < y ? -1 : 1)).map(toWordHex) }]);
  });

  test('dirty high bits of an address argument are masked', () => {
    const { ctx } = world();
    const b = bindTx(tx(TOKEN, calldata(F.SEL.transfer, (0xffn << 200n) | BigInt(BOB), 5n)), ctx);
    expect(b.writes.get(TOKEN)?.has(balSlot(BOB))).toBe(true);
  });

  test('short calldata reads as zero-padded', () => {
    const { ctx } = world();
    const b = bindTx(tx(TOKEN, calldata(F.SEL.transfer).subarray(0, 4)), ctx);
    expect(b.writes.get(TOKEN)?.has(balSlot(A(0)))).toBe(true);
  });

  test('pair.swap follows token0/token1 from the pre-state into the tokens', () => {
    const { ctx } = world();
    const b = bindTx(tx(PAIR, calldata(F.SEL.swap, 0n, 7n, BOB, 0x80n, 0n)), ctx);
    expect(b.complete).toBe(true);
    expect(slotsOf(b.writes, PAIR)).toEqual([8n]);
    expect(slotsOf(b.writes, TOKEN)).toEqual([balSlot(PAIR), balSlot(BOB)].sort());
    expect(slotsOf(b.writes, TOKEN_B)).toEqual([balSlot(PAIR), balSlot(BOB)].sort());
    // balanceOf(address(this)) in the tokens: a read of balances[pair]
    expect(b.reads.get(TOKEN)?.has(balSlot(PAIR))).toBe(true);
  });

  test('router: the pair comes from a call return; unresolved it is incomplete, but the token pull is still bound', () => {
    const { ctx } = world();
    const input = calldata('0x11111111', TOKEN, TOKEN_B, 10n, 9n, BOB);
    const b = bindTx(tx(ROUTER, input), ctx);
    expect(b.complete).toBe(false);
    expect(b.diagnostics.some((d) => /return value of call #0/.test(d.message))).toBe(true);
    expect(b.reads.get(FACTORY)?.size).toBe(1);
    // transferFrom(caller=ROUTER's caller... ) allowance[alice][router] is bound; balances[pair] is not (the pair is unknown)
    expect(b.writes.get(TOKEN)?.has(balSlot(ALICE))).toBe(true);
  });

  test('router with a call resolver: router -> pair -> tokens, complete', () => {
    const { ctx, state } = world();
    ctx.resolveCall = (req) => {
      // a fake "execution" of the factory getter: exactly what the footprint says it reads
      if (req.to !== FACTORY) return new Unbound('only the factory');
      const a = BigInt('0x' + Buffer.from(req.data.subarray(4, 36)).toString('hex'));
      const b = BigInt('0x' + Buffer.from(req.data.subarray(36, 68)).toString('hex'));
      const slot = keccakWords([b, keccakWords([a, 1n])]);
      return { ok: true, returnData: Uint8Array.from(Buffer.from(word(state.storage(FACTORY, slot)), 'hex')), reads: [{ kind: 'slot', addr: FACTORY, slot }] };
    };
    const b = bindTx(tx(ROUTER, calldata('0x11111111', TOKEN, TOKEN_B, 10n, 9n, BOB)), ctx);
    expect(b.diagnostics).toEqual([]);
    expect(b.complete).toBe(true);
    expect(slotsOf(b.writes, PAIR)).toEqual([8n]);
    expect(b.writes.get(TOKEN)?.has(balSlot(PAIR))).toBe(true);
    expect(b.writes.get(TOKEN_B)?.has(balSlot(BOB))).toBe(true);
    expect(b.frames.map((f) => f.depth)).toEqual([0, 1, 1, 1, 2, 2, 2, 2]);
  });

  test('proxy: implementation from the EIP-1967 slot, storage stays the proxy\'s, caller preserved', () => {
    const { ctx } = world();
    const b = bindTx(tx(PROXY, calldata(F.SEL.transfer, BOB, 5n)), ctx);
    expect(b.complete).toBe(true);
    expect(slotsOf(b.reads, PROXY)).toContain(F.IMPL_SLOT);
    expect(slotsOf(b.writes, PROXY)).toEqual([balSlot(ALICE), balSlot(BOB)].sort());
    expect(b.writes.get(TOKEN)).toBeUndefined();
  });

  test('an earlier write to a slot a binding reads makes the later transaction incomplete', () => {
    const { ctx } = world();
    const prior = new BlockWrites();
    ctx.prior = prior;
    // tx 0 "upgrades" the proxy: a fixture binding that writes the implementation slot
    prior.add({ ...bindTx(tx(TOKEN, calldata(F.SEL.transfer, BOB, 1n)), ctx), index: 0, writes: new Map([[PROXY, new Set([F.IMPL_SLOT])]]) });
    const b = bindTx(tx(PROXY, calldata(F.SEL.transfer, BOB, 5n), { index: 1 }), ctx);
    expect(b.complete).toBe(false);
    expect(b.staleDeps).toBe(1);
    expect(b.diagnostics.some((d) => d.code === 'cross-check' && /tx 0/.test(d.message))).toBe(true);
    // still bound against the pre-state value
    expect(b.writes.get(PROXY)?.has(balSlot(BOB))).toBe(true);
  });

  test('a slot an earlier transaction is predicted to write is read with the value it is predicted to store', () => {
    // A mint: id = counter (slot 8); counter = id + 1; owners[id] (slot 3) = caller. Counter 5 in the pre-state.
    const MINTER = A(0x6000);
    const counter = F.sload(F.c(8));
    const mint = F.fn('0x1249c58b', {
      reads: [F.access(F.c(8), 'counter')],
      writes: [
        F.access(F.c(8), 'counter', { value: { k: 'op', op: 'ADD', args: [counter, F.c(1)] } }),
        F.access(F.mapping(counter, 3), 'owners[counter]', { value: F.caller }),
      ],
    });
    const { ctx, cache, pre } = world((p) => p.set(MINTER, { balance: 0n, nonce: 1n, code: Uint8Array.from([6]), storage: new Map([[8n, 5n]]) }));
    cache.add(F.analysis(stateView(pre).codeHash(MINTER), 'Minter', [mint]));
    const prior = new BlockWrites();
    ctx.prior = prior;
    ctx.state = predictedState(ctx.state, prior);
    const owners = (b: ReturnType<typeof bindTx>) => [...(b.writes.get(MINTER) ?? [])].filter((s) => s !== 8n);
    const bound = [0, 1, 2].map((i) => {
      const b = bindTx(tx(MINTER, calldata('0x1249c58b'), { index: i, from: i === 1 ? BOB : ALICE }), ctx);
      prior.add(b);
      return b;
    });
    expect(bound.map(owners)).toEqual([[keccakWords([5n, 3n])], [keccakWords([6n, 3n])], [keccakWords([7n, 3n])]]);
    expect(bound.map((b) => b.writeValues.get(MINTER)?.get(8n))).toEqual([6n, 7n, 8n]);
    expect(bound[1]!.writeValues.get(MINTER)?.get(keccakWords([6n, 3n]))).toBe(BigInt(BOB));
    // The later ones rest on the earlier ones running as predicted: still incomplete, naming the writer. The first is
    // complete: it writes the slot it read its key from, but in the same frame, after the read (TxState.ownStale).
    expect(bound.map((b) => b.complete)).toEqual([true, false, false]);
    expect(bound[2]!.diagnostics.some((d) => d.code === 'cross-check' && /slot 0x0+8, which tx 0 may write first \(read as 0x7, what tx 1 is predicted to store\)/.test(d.message))).toBe(true);
    // A write whose value the binder cannot evaluate leaves the pre-state value to later readers.
    const unknownValue = F.fn('0x1249c58b', { reads: mint.reads, writes: [F.access(F.c(8), 'counter'), mint.writes[1]!] });
    const { ctx: ctx2, cache: cache2, pre: pre2 } = world((p) => p.set(MINTER, { balance: 0n, nonce: 1n, code: Uint8Array.from([6]), storage: new Map([[8n, 5n]]) }));
    cache2.add(F.analysis(stateView(pre2).codeHash(MINTER), 'Minter', [unknownValue]));
    const prior2 = new BlockWrites();
    ctx2.prior = prior2;
    ctx2.state = predictedState(ctx2.state, prior2);
    prior2.add(bindTx(tx(MINTER, calldata('0x1249c58b')), ctx2));
    const later = bindTx(tx(MINTER, calldata('0x1249c58b'), { index: 1 }), ctx2);
    expect(owners(later)).toEqual([keccakWords([5n, 3n])]);
    expect(later.complete).toBe(false);
  });

  test('after an unbound call, only code that can run SELFDESTRUCT (or DELEGATECALL/CALLCODE) may be gone', () => {
    const { ctx } = world();
    // Pre-Cancun (SELFDESTRUCT deletes); TOKEN's code cannot destroy itself, PROXY's can (it delegates).
    const prior = new BlockWrites(() => true, true, () => false, (a) => a === PROXY);
    const earlier = bindTx(tx(TOKEN, calldata(F.SEL.transfer, BOB, 1n)), ctx);
    prior.add({ ...earlier, index: 0, unknownWrites: 'any' });
    expect(prior.codeChangedBy(TOKEN)).toBeUndefined();
    expect(prior.codeChangedBy(PROXY)).toMatch(/tx 0 \(unbound calls may self-destruct it\)/);
    // Without the code check (the default), every contract may be gone.
    const blind = new BlockWrites(() => true, true);
    blind.add({ ...earlier, index: 0, unknownWrites: 'any' });
    expect(blind.codeChangedBy(TOKEN)).toMatch(/may self-destruct/);
  });

  test('after an unbound call, an address without code or nonce may have been given code (a CREATE2 the call reached)', () => {
    const { ctx } = world();
    const FRESH = A(0xf7e5);
    const prior = new BlockWrites((a) => a === TOKEN, true, (a) => a === ALICE);
    const earlier = bindTx(tx(TOKEN, calldata(F.SEL.transfer, BOB, 1n)), ctx);
    prior.add({ ...earlier, index: 0 });
    expect(prior.codeChangedBy(FRESH)).toBeUndefined();
    prior.add({ ...earlier, index: 1, unknownWrites: 'any' });
    expect(prior.codeChangedBy(FRESH)).toMatch(/tx 1 \(unbound calls may create a contract there\)/);
    expect(prior.codeChangedBy(ALICE)).toBeUndefined(); // a non-zero nonce: a creation there fails (EIP-684)
  });

  test('a plain transfer with no gas past its intrinsic cost stays complete even where code may have appeared', () => {
    const { ctx } = world();
    const FRESH = A(0xf7e5);
    const prior = new BlockWrites((a) => a === TOKEN, true, (a) => a === ALICE);
    prior.add({ ...bindTx(tx(TOKEN, calldata(F.SEL.transfer, BOB, 1n)), ctx), index: 0, unknownWrites: 'any' });
    ctx.prior = prior;
    // 21,000 gas: nothing but STOP could run at FRESH, so no storage anywhere can be touched.
    const plain = bindTx(tx(FRESH, new Uint8Array(0), { index: 1, value: 3n, gas: 21_000n }), ctx);
    expect(plain.complete).toBe(true);
    expect(plain.unknownWrites).not.toBe('any');
    // With gas to spare, code created there by the earlier unbound call could run: incomplete, writes anywhere.
    const roomy = bindTx(tx(FRESH, new Uint8Array(0), { index: 1, value: 3n, gas: 50_000n }), ctx);
    expect(roomy.complete).toBe(false);
    expect(roomy.unknownWrites).toBe('any');
  });

  test('mayDestroyItself: reachable SELFDESTRUCT, DELEGATECALL and CALLCODE count, PUSH data and dead bytes do not', () => {
    expect(mayDestroyItself(Uint8Array.from([0x60, 0xff, 0x00]))).toBe(false); // PUSH1 0xff; STOP
    expect(mayDestroyItself(Uint8Array.from([0x7f, ...new Array(32).fill(0xf4), 0x00]))).toBe(false); // PUSH32 f4..f4
    expect(mayDestroyItself(Uint8Array.from([0x33, 0xff]))).toBe(true); // CALLER; SELFDESTRUCT
    expect(mayDestroyItself(Uint8Array.from([0x60, 0x00, 0xf4]))).toBe(true); // ...; DELEGATECALL
    expect(mayDestroyItself(Uint8Array.from([0xf2]))).toBe(true); // CALLCODE
    expect(mayDestroyItself(new Uint8Array(0))).toBe(false);
    // Unreachable: after INVALID (solc's metadata trailer) or JUMP, until a JUMPDEST.
    expect(mayDestroyItself(Uint8Array.from([0x00, 0xfe, 0xa2, 0xff, 0xf4]))).toBe(false);
    expect(mayDestroyItself(Uint8Array.from([0x60, 0x04, 0x56, 0xff, 0x5b, 0x00]))).toBe(false);
    expect(mayDestroyItself(Uint8Array.from([0x60, 0x04, 0x56, 0x00, 0x5b, 0xff]))).toBe(true); // reachable by a jump
  });

  test('unknown selector without a fallback footprint: incomplete, no crash', () => {
    const { ctx } = world();
    const b = bindTx(tx(TOKEN, calldata('0xdeadbeef', 1n)), ctx);
    expect(b.complete).toBe(false);
    expect(b.diagnostics[0]!.message).toMatch(/no function for selector 0xdeadbeef/);
  });

  test('plain transfer to an address without code: complete, balances only', () => {
    const { ctx } = world();
    const b = bindTx(tx(BOB, new Uint8Array(0), { value: 3n }), ctx);
    expect(b.complete).toBe(true);
    expect(b.reads.size + b.writes.size).toBe(0);
    expect([...b.balanceWrites].sort()).toEqual([ALICE, BOB].sort());
  });

  test('precompile call: complete, no storage', () => {
    const { ctx } = world();
    const b = bindTx(tx(A(2), new Uint8Array(5)), ctx);
    expect(b.complete).toBe(true);
    expect(toTxHints(b, 'shanghai').accessList).toEqual([]);
  });

  test('contract creation: the new address from sender and nonce, incomplete', () => {
    const { ctx } = world();
    const b = bindTx(tx(null, new Uint8Array([0x60, 0x00])), ctx);
    expect(b.complete).toBe(false);
    // well-known vector: 0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0 with nonce 0 creates 0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d
    expect(createAddress('0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0', 0n)).toBe('0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d');
    expect(b.touched.has(createAddress(ALICE, 5n))).toBe(true);
  });

  test('no analysis for a contract: incomplete with the reason', () => {
    const { ctx } = world((pre) => pre.set(A(0x9999), { balance: 0n, nonce: 1n, code: Uint8Array.of(9, 9), storage: new Map() }));
    const b = bindTx(tx(A(0x9999), calldata(F.SEL.transfer, BOB, 1n)), ctx);
    expect(b.complete).toBe(false);
    expect(b.diagnostics[0]!.message).toMatch(/no analysis/);
  });
});

test('keccak over a byte size that is not a whole number of words (a selector computed in code)', () => {
  // keccak("transfer(address,uint256)") as the analyzer writes it: one word holding 25 bytes, `size: 25`
  const text = Buffer.from('transfer(address,uint256)');
  const w = BigInt('0x' + Buffer.concat([text, Buffer.alloc(7)]).toString('hex'));
  expect(keccakWords([w], 25) >> 224n).toBe(0xa9059cbbn);
});

describe('guards on pre-state values that only unbound writes may have changed', () => {
  // A fee-charging token (USDT-like): transfer credits a fee sink only when the fee rate (slot 3) is non-zero. The
  // second selector is the same function with a footprint the analysis could not finish (incomplete anyway); the
  // third credits the fee to the stored owner (slot 0), as USDT does.
  const FEE_TOKEN = A(0x6000);
  const FEE_SINK = A(0xfee);
  const OWNER = A(0x0a11);
  const INCOMPLETE = '0xdeadbeef' as Hex;
  const TO_OWNER = '0x0fee0fee' as Hex;
  const bal = (k: Expr) => F.mapping(k, 0);
  const body = {
    reads: [F.access(bal(F.caller), 'balances[caller]'), F.access(bal(F.and160(F.arg(0))), 'balances[arg0]')],
    writes: [
      F.access(bal(F.caller), 'balances[caller]'),
      F.access(bal(F.and160(F.arg(0))), 'balances[arg0]'),
      F.access(bal(F.c(BigInt(FEE_SINK))), 'balances[feeSink]', { guards: [[F.sload(F.c(3))]] }),
    ],
    exhaustive: true,
  };
  function setup(prior: (p: BlockWrites, ctx: BindContext) => void, feeRate = 0n) {
    const { ctx } = world((pre) => pre.set(FEE_TOKEN, { balance: 0n, nonce: 1n, code: Uint8Array.from([6]), storage: new Map([[3n, feeRate], [0n, BigInt(OWNER)]]) }));
    const hash = ctx.codeHash(FEE_TOKEN);
    const cache = new AnalysisCache(null).add(
      F.analysis(hash, 'FeeToken', [
        F.fn(F.SEL.transfer, body),
        F.fn(INCOMPLETE, { ...body, complete: false, diagnostics: [{ code: 'unknown-slot', message: 'fixture: a slot the analysis cannot name' }] }),
        F.fn(TO_OWNER, {
          ...body,
          writes: [...body.writes.slice(0, 2), F.access(bal(F.and160(F.sload(F.c(0)))), 'balances[owner]', { guards: [[F.sload(F.c(3))]] })],
        }),
      ]),
    );
    // Every account has code that cannot be destroyed (Cancun): only the storage question is left. The fixture's
    // footprints are used as given (a specialized exploration would run the fixture's one-byte code).
    const c2: BindContext = { ...ctx, analysis: cache.provider, prior: new BlockWrites(() => true, false), specialize: false };
    prior(c2.prior as BlockWrites, c2);
    return c2;
  }
  const feeSlot = balSlot(FEE_SINK);
  const unboundEarlier = (p: BlockWrites, ctx: BindContext) =>
    p.add({ ...bindTx(tx(FEE_TOKEN, calldata(F.SEL.transfer, BOB, 1n)), ctx), index: 0, unknownWrites: 'any' });

  test('fee rate zero in the pre-state, nothing before: the fee credit is dropped, the transaction complete', () => {
    const b = bindTx(tx(FEE_TOKEN, calldata(F.SEL.transfer, BOB, 5n), { index: 1 }), setup(() => {}));
    expect(b.complete).toBe(true);
    expect(b.writes.get(FEE_TOKEN)?.has(feeSlot)).toBe(false);
  });

  test('after an unbound write, a transaction that would be complete keeps the fee credit (both ways) and stays complete', () => {
    const b = bindTx(tx(FEE_TOKEN, calldata(F.SEL.transfer, BOB, 5n), { index: 1 }), setup(unboundEarlier));
    expect(b.complete).toBe(true);
    expect(b.writes.get(FEE_TOKEN)?.has(feeSlot)).toBe(true);
  });

  test('after an unbound write, a transaction incomplete anyway decides on the pre-state value and says so', () => {
    const b = bindTx(tx(FEE_TOKEN, calldata(INCOMPLETE, BOB, 5n), { index: 1 }), setup(unboundEarlier));
    expect(b.complete).toBe(false);
    expect(b.writes.get(FEE_TOKEN)?.has(feeSlot)).toBe(false);
    expect(b.diagnostics.some((d) => d.code === 'cross-check' && /guard read .* slot 0x0+3, which tx 0 \(unbound writes\) may write first/.test(d.message))).toBe(true);
    // A wrong decision would hide writes; the token's footprints have no outgoing call, so only its own storage's.
    expect(b.unknownWrites).toEqual(new Set([FEE_TOKEN]));
  });

  test('after an unbound write, a fee credit to the stored owner: bound both ways it would read the owner from a slot the unbound write may change (incomplete anyway), so the pre-state decision is kept', () => {
    const b = bindTx(tx(FEE_TOKEN, calldata(TO_OWNER, BOB, 5n), { index: 1 }), setup(unboundEarlier));
    expect(b.complete).toBe(false);
    expect(b.writes.get(FEE_TOKEN)?.has(balSlot(OWNER))).toBe(false);
    expect(b.diagnostics.some((d) => d.code === 'cross-check' && /guard read .* slot 0x0+3, which tx 0 \(unbound writes\) may write first/.test(d.message))).toBe(true);
    // A wrong decision would hide writes; the token's footprints have no outgoing call, so only its own storage's.
    expect(b.unknownWrites).toEqual(new Set([FEE_TOKEN]));
  });

  test('with nothing before it, the same transaction drops the credit and is complete', () => {
    const b = bindTx(tx(FEE_TOKEN, calldata(TO_OWNER, BOB, 5n), { index: 1 }), setup(() => {}));
    expect(b.complete).toBe(true);
    expect(b.writes.get(FEE_TOKEN)?.has(balSlot(OWNER))).toBe(false);
  });

  test('an earlier transaction predicted to write the slot itself: the guard does not use it, even when incomplete', () => {
    const named = (p: BlockWrites, ctx: BindContext) =>
      p.add({ ...bindTx(tx(FEE_TOKEN, calldata(F.SEL.transfer, BOB, 1n)), ctx), index: 0, writes: new Map([[FEE_TOKEN, new Set([3n])]]) });
    const b = bindTx(tx(FEE_TOKEN, calldata(INCOMPLETE, BOB, 5n), { index: 1 }), setup(named));
    expect(b.complete).toBe(false);
    expect(b.writes.get(FEE_TOKEN)?.has(feeSlot)).toBe(true);
  });

  // Fee rate 5 in the pre-state; tx 0 is predicted to set it to 0.
  const zeroesFee = (p: BlockWrites, ctx: BindContext) =>
    p.add({
      ...bindTx(tx(FEE_TOKEN, calldata(F.SEL.transfer, BOB, 1n)), ctx),
      index: 0,
      writes: new Map([[FEE_TOKEN, new Set([3n])]]),
      writeValues: new Map([[FEE_TOKEN, new Map([[3n, 0n]])]]),
    });
  const predicting = (p: BlockWrites, ctx: BindContext) => {
    zeroesFee(p, ctx);
    ctx.state = predictedState(ctx.state, p);
  };

  test('an earlier transaction predicted to store a value there: a transaction incomplete anyway decides on that value and says so', () => {
    const b = bindTx(tx(FEE_TOKEN, calldata(INCOMPLETE, BOB, 5n), { index: 1 }), setup(predicting, 5n));
    expect(b.complete).toBe(false);
    expect(b.writes.get(FEE_TOKEN)?.has(feeSlot)).toBe(false);
    expect(b.diagnostics.some((d) => d.code === 'cross-check' && /guard read .* slot 0x0+3, which tx 0 may write first \(read as 0x0, what tx 0 is predicted to store\)/.test(d.message))).toBe(true);
    expect(b.unknownWrites).toEqual(new Set([FEE_TOKEN]));
    // Without the earlier transaction, the pre-state's rate 5 keeps the credit.
    expect(bindTx(tx(FEE_TOKEN, calldata(INCOMPLETE, BOB, 5n), { index: 1 }), setup(() => {}, 5n)).writes.get(FEE_TOKEN)?.has(feeSlot)).toBe(true);
  });

  test('an earlier transaction predicted to store a value there: a transaction that can be complete keeps both ways and stays complete', () => {
    const b = bindTx(tx(FEE_TOKEN, calldata(F.SEL.transfer, BOB, 5n), { index: 1 }), setup(predicting, 5n));
    expect(b.complete).toBe(true);
    expect(b.writes.get(FEE_TOKEN)?.has(feeSlot)).toBe(true);
  });
});

describe('guards on the result of a call the binder resolves', () => {
  // A bot: asks CHECK (target arg0) `go(arg1)` and does its work (slot 9) only when the answer is 0, the way MEV bots
  // on mainnet stop after one call. CHECK's real code returns its slot 0 (the resolver runs it); BALANCED returns its
  // own balance, which every transaction's fee may change, so a guard cannot use it.
  const BOT = A(0x7000);
  const CHECK = A(0x7100);
  const BALANCED = A(0x7200);
  const GO = '0xb1d926ee' as Hex;
  const RETURN_SLOT0 = [0x60, 0x00, 0x54, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3];
  const RETURN_BALANCE = [0x30, 0x31, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3];
  const stop: Expr = { k: 'op', op: 'ISZERO', args: [{ k: 'callret', call: 0, word: 0 }] };
  const work = F.access(F.c(9), 'work', { guards: [[stop]] });
  const BOT2 = A(0x7300);
  const SET = '0x0000beef' as Hex;
  function setup(checkSlot0: bigint, prior?: (p: BlockWrites, ctx: BindContext) => void) {
    const { ctx, pre } = world((p) => {
      p.set(BOT, { balance: 0n, nonce: 1n, code: Uint8Array.from([7]), storage: new Map() });
      p.set(BOT2, { balance: 0n, nonce: 1n, code: Uint8Array.from([8]), storage: new Map() });
      p.set(CHECK, { balance: 0n, nonce: 1n, code: Uint8Array.from(RETURN_SLOT0), storage: new Map([[0n, checkSlot0]]) });
      p.set(BALANCED, { balance: 1n, nonce: 1n, code: Uint8Array.from(RETURN_BALANCE), storage: new Map() });
    });
    const view = stateView(pre);
    // BOT2 first calls CHECK.set() (which writes CHECK's slot 0), then works (slot 9) only if CHECK.go() says non-zero.
    const worked = F.access(F.c(9), 'work', { guards: [[{ k: 'callret', call: 1, word: 0 }]] });
    const bot2 = F.fn('0xc89e4361', {
      calls: [F.call(0, 'CALL', F.c(BigInt(CHECK)), SET, []), F.call(1, 'CALL', F.c(BigInt(CHECK)), GO, [F.arg(1)])],
      writes: [worked],
      exhaustive: true,
    });
    const cache = new AnalysisCache(null)
      .add(F.analysis(view.codeHash(BOT), 'Bot', [F.fn('0xc89e4361', { calls: [F.call(0, 'CALL', F.and160(F.arg(0)), GO, [F.arg(1)])], reads: [work], writes: [work], exhaustive: true })]))
      .add(F.analysis(view.codeHash(BOT2), 'Bot2', [bot2]))
      .add(F.analysis(view.codeHash(CHECK), 'Check', [F.fn(GO, { reads: [F.access(F.c(0), 'flag')] }), F.fn(SET, { writes: [F.access(F.c(0), 'flag')] })]))
      .add(F.analysis(view.codeHash(BALANCED), 'Balanced', [F.fn(GO, {})]));
    const c2: BindContext = {
      ...ctx,
      analysis: cache.provider,
      resolveCall: viewCallResolver(ctx.state, env, { blockHashes: new Map() } as unknown as LoadedBlock),
      prior: new BlockWrites(() => true, false),
      specialize: false,
    };
    prior?.(c2.prior as BlockWrites, c2);
    return c2;
  }
  const run = (ctx: BindContext, target: Hex = CHECK) => bindTx(tx(BOT, calldata('0xc89e4361', target, 7n), { index: 1 }), ctx);

  test('the callee answers "stop" in the pre-state: the work is not predicted, the transaction complete', () => {
    const b = run(setup(1n));
    expect(b.complete).toBe(true);
    expect(b.writes.get(BOT)).toBeUndefined();
    expect(slotsOf(b.reads, CHECK)).toEqual([0n]);
  });

  test('the callee answers "go": the work is predicted, complete', () => {
    const b = run(setup(0n));
    expect(b.complete).toBe(true);
    expect(slotsOf(b.writes, BOT)).toEqual([9n]);
  });

  test('an earlier transaction is predicted to write what the callee read: the work is kept (both ways), still complete', () => {
    const b = run(setup(1n, (p, ctx) => p.add({ ...bindTx(tx(BOT, calldata('0xc89e4361', CHECK, 1n)), ctx), index: 0, writes: new Map([[CHECK, new Set([0n])]]) })));
    expect(slotsOf(b.writes, BOT)).toEqual([9n]);
    // The guard alone asked for the call's result: what the callee read is no dependency of the binding.
    expect(b.complete).toBe(true);
  });

  test('a call result that depends on the transaction\'s own earlier write does not decide a guard', () => {
    // Resolved over the pre-state (slot 0 = 0), go() says "stop"; the transaction's own set() makes it "go".
    const b = bindTx(tx(BOT2, calldata('0xc89e4361', CHECK, 7n), { index: 1 }), setup(0n));
    expect(slotsOf(b.writes, CHECK)).toEqual([0n]);
    expect(slotsOf(b.writes, BOT2)).toEqual([9n]);
  });

  test('a callee that reads a balance does not decide a guard', () => {
    const b = run(setup(1n), BALANCED);
    expect(slotsOf(b.writes, BOT)).toEqual([9n]);
  });
});
