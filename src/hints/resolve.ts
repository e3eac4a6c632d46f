/**
 * Call-return resolution: the analyzer describes a call's return data only as `callret` (unknown), but a router that
 * asks a factory for a pair (`getPair(a, b)`) and then calls that pair needs the answer to bind the pair's storage.
 * When a call's target and input are fully bound, we run it concretely over the pre-state with a small synchronous
 * interpreter (the binder is synchronous and per-call setup of @ethereumjs/evm would dominate) and report every
 * storage slot, balance and code it read: the binder treats those as dependencies, so if an earlier transaction (or
 * this one) may change any of them, the result is not trusted for completeness.
 *
 * Gas is not metered, so nothing may depend on it: GAS is allowed only as the gas operand of a call that forwards all
 * it can (`forwardsAllGas`, src/hints/ops.ts), and a call with an explicit gas limit into code (`staticcall{gas:
 * 5000}`, a stipend) makes the result unbound, since the callee may run out of gas for real (its outcome, once a key,
 * would be a guess). Transient storage starts empty here, but the transaction may have set it before the call: a
 * TLOAD of a slot this resolution did not write makes the result unbound. GASPRICE is the transaction's. Anything the
 * interpreter does not support (CREATE, most precompiles, a step or depth limit) makes the result unbound, never a
 * guess. Value moves between balances in an overlay (undone when a frame fails); a call with value reads the payer's
 * balance, which every binding treats as stale (balances change with every fee), so a transaction bound through one
 * is never complete, only better predicted.
 */
import { createHash } from 'node:crypto';
import { keccak256 } from '../chain/crypto.js';
import type { LoadedBlock } from '../chain/load.js';
import type { Hex } from '../types.js';
import { applyOp, forwardsAllGas, gasFeedsCall, MASK, PURE_OPS } from './ops.js';
import { jumpdests, OPCODES } from '../evm/opcodes.js';
import {
  bytesToBigint,
  isPrecompile,
  toAddr,
  Unbound,
  wordBytes,
  type BlockEnv,
  type CallResolver,
  type Dep,
  type StateView,
} from './bind.js';

/** Interpreter steps per resolved call (all nested frames together). */
export const MAX_RESOLVE_STEPS = 200_000;
/** Nested call depth inside a resolved call. */
export const MAX_RESOLVE_DEPTH = 16;
/** Memory per frame, bytes. */
export const MAX_RESOLVE_MEMORY = 1 << 20;
/** Resolved calls remembered per block (the same `getReserves` is asked by many transactions). */
export const MAX_RESOLVED_REMEMBERED = 50_000;
const GAS_CONSTANT = 10_000_000n;

class Halt {
  constructor(readonly why: string) {}
}

interface Ctx {
  state: StateView;
  env: BlockEnv;
  hashes: Map<bigint, Hex>;
  origin: Hex;
  gasPrice: bigint;
  /** GASPRICE was read: the result is the transaction's, not shared by every transaction (the memo). */
  usedGasPrice: boolean;
  steps: number;
  reads: Dep[];
  /** Storage written during this resolution (an overlay over the pre-state), by address then slot. */
  writes: Map<Hex, Map<bigint, bigint>>;
  transient: Map<string, bigint>;
  /** Balances changed during this resolution (an overlay over the pre-state). */
  balances: Map<Hex, bigint>;
  codeHash: (a: Hex) => Hex;
}

function balanceOf(ctx: Ctx, a: Hex): bigint {
  ctx.reads.push({ kind: 'balance', addr: a });
  return ctx.balances.get(a) ?? ctx.state.balance(a);
}

/** Moves `v` from `from` to `to`; false (nothing moved) when `from` cannot pay. */
function transfer(ctx: Ctx, from: Hex, to: Hex, v: bigint): boolean {
  if (v === 0n) return true;
  const have = balanceOf(ctx, from);
  if (have < v) return false;
  ctx.balances.set(from, have - v);
  ctx.balances.set(to, (ctx.balances.get(to) ?? ctx.state.balance(to)) + v);
  return true;
}

interface FrameResult {
  ok: boolean;
  ret: Uint8Array;
}

const jdCache = new WeakMap<Uint8Array, Uint8Array>();

function run(
  ctx: Ctx,
  code: Uint8Array,
  self: Hex,
  caller: Hex,
  value: bigint,
  data: Uint8Array,
  isStatic: boolean,
  depth: number,
): FrameResult {
  let jd = jdCache.get(code);
  if (!jd) jdCache.set(code, (jd = jumpdests(code)));
  const stack: bigint[] = [];
  let mem = new Uint8Array(1024);
  let msize = 0;
  let ret: Uint8Array = new Uint8Array(0);
  const pop = (): bigint => {
    const v = stack.pop();
    if (v === undefined) throw new Halt('stack underflow');
    return v;
  };
  const push = (v: bigint) => {
    if (stack.length >= 1024) throw new Halt('stack overflow');
    stack.push(v);
  };
  const num = (v: bigint): number => {
    if (v > BigInt(MAX_RESOLVE_MEMORY)) throw new Unbound('memory offset too large');
    return Number(v);
  };
  const touch = (off: bigint, len: bigint) => {
    if (len === 0n) return;
    const end = num(off) + num(len);
    if (end > MAX_RESOLVE_MEMORY) throw new Unbound('memory too large');
    if (end > mem.length) {
      const m = new Uint8Array(Math.max(end, mem.length * 2));
      m.set(mem);
      mem = m;
    }
    msize = Math.max(msize, Math.ceil(end / 32) * 32);
  };
  const read = (off: bigint, len: bigint): Uint8Array => {
    touch(off, len);
    return len === 0n ? new Uint8Array(0) : mem.slice(Number(off), Number(off) + Number(len));
  };
  const copyIn = (dst: bigint, src: Uint8Array, srcOff: bigint, len: bigint) => {
    touch(dst, len);
    const n = Number(len);
    const d = Number(dst);
    for (let i = 0; i < n; i++) {
      const j = srcOff + BigInt(i);
      mem[d + i] = j < BigInt(src.length) ? src[Number(j)]! : 0;
    }
  };
  const sload = (slot: bigint): bigint => {
    const w = ctx.writes.get(self)?.get(slot);
    if (w !== undefined) return w;
    ctx.reads.push({ kind: 'slot', addr: self, slot });
    return ctx.state.storage(self, slot);
  };
  let pc = 0;
  while (pc < code.length) {
    if (++ctx.steps > MAX_RESOLVE_STEPS) throw new Unbound(`more than ${MAX_RESOLVE_STEPS} steps`);
    const op = code[pc]!;
    const name = op >= 0x01 && op <= 0x1d ? OPCODES[op]!.name : undefined;
    const n = name === undefined ? undefined : PURE_OPS.get(name);
    if (name !== undefined && n !== undefined) {
      const args: bigint[] = [];
      for (let i = 0; i < n; i++) args.push(pop());
      push(applyOp(name, args)!);
      pc++;
      continue;
    }
    if (op >= 0x60 && op <= 0x7f) {
      const n = op - 0x5f;
      let v = 0n;
      for (let i = 1; i <= n; i++) v = (v << 8n) | BigInt(code[pc + i] ?? 0);
      push(v);
      pc += n + 1;
      continue;
    }
    if (op >= 0x80 && op <= 0x8f) {
      const v = stack[stack.length - 1 - (op - 0x80)];
      if (v === undefined) throw new Halt('stack underflow');
      push(v);
      pc++;
      continue;
    }
    if (op >= 0x90 && op <= 0x9f) {
      const i = stack.length - 1;
      const j = i - (op - 0x8f);
      if (j < 0) throw new Halt('stack underflow');
      [stack[i], stack[j]] = [stack[j]!, stack[i]!];
      pc++;
      continue;
    }
    if (op >= 0xa0 && op <= 0xa4) {
      if (isStatic) throw new Halt('LOG in a static call');
      const off = pop();
      const len = pop();
      for (let i = 0; i < op - 0xa0; i++) pop();
      touch(off, len);
      pc++;
      continue;
    }
    switch (op) {
      case 0x00:
        return { ok: true, ret: new Uint8Array(0) };
      case 0x20: {
        const off = pop();
        const len = pop();
        push(bytesToBigint(keccak256(read(off, len))));
        break;
      }
      case 0x30: push(BigInt(self)); break;
      case 0x31: {
        push(balanceOf(ctx, toAddr(pop())));
        break;
      }
      case 0x32: push(BigInt(ctx.origin)); break;
      case 0x33: push(BigInt(caller)); break;
      case 0x34: push(value); break;
      case 0x35: {
        const off = pop();
        const w = new Uint8Array(32);
        if (off < BigInt(data.length)) w.set(data.subarray(Number(off), Number(off) + 32));
        push(bytesToBigint(w));
        break;
      }
      case 0x36: push(BigInt(data.length)); break;
      case 0x37: {
        const dst = pop(); const src = pop(); const len = pop();
        copyIn(dst, data, src, len);
        break;
      }
      case 0x38: push(BigInt(code.length)); break;
      case 0x39: {
        const dst = pop(); const src = pop(); const len = pop();
        copyIn(dst, code, src, len);
        break;
      }
      case 0x3a:
        ctx.usedGasPrice = true;
        push(ctx.gasPrice);
        break;
      case 0x3b: {
        const a = toAddr(pop());
        ctx.reads.push({ kind: 'code', addr: a });
        push(BigInt(ctx.state.code(a).length));
        break;
      }
      case 0x3c: {
        const a = toAddr(pop());
        const dst = pop(); const src = pop(); const len = pop();
        ctx.reads.push({ kind: 'code', addr: a });
        copyIn(dst, ctx.state.code(a), src, len);
        break;
      }
      case 0x3d: push(BigInt(ret.length)); break;
      case 0x3e: {
        const dst = pop(); const src = pop(); const len = pop();
        if (src + len > BigInt(ret.length)) throw new Halt('return data out of bounds');
        copyIn(dst, ret, src, len);
        break;
      }
      case 0x3f: {
        const a = toAddr(pop());
        ctx.reads.push({ kind: 'code', addr: a });
        // EIP-1052/EIP-161: 0 for an empty account; ETH reaching one (here, earlier in the transaction or the block)
        // makes it exist, so its balance is a dependency (`balanceOf`), as in the binder.
        const empty = ctx.state.code(a).length === 0 && ctx.state.nonce(a) === 0n && balanceOf(ctx, a) === 0n;
        push(empty ? 0n : BigInt(ctx.codeHash(a)));
        break;
      }
      case 0x40: {
        const n = pop();
        const h = ctx.hashes.get(n);
        if (n >= ctx.env.number || n + 256n < ctx.env.number) push(0n);
        else if (h) push(BigInt(h));
        else throw new Unbound(`BLOCKHASH(${n}) not in block_hashes.json`);
        break;
      }
      case 0x41: push(ctx.env.coinbase); break;
      case 0x42: push(ctx.env.timestamp); break;
      case 0x43: push(ctx.env.number); break;
      case 0x44: push(ctx.env.difficulty); break;
      case 0x45: push(ctx.env.gasLimit); break;
      case 0x46: push(ctx.env.chainId); break;
      case 0x47:
        push(balanceOf(ctx, self));
        break;
      case 0x48:
        if (ctx.env.baseFee === null) throw new Halt('BASEFEE before London');
        push(ctx.env.baseFee);
        break;
      case 0x49: case 0x4a:
        throw new Unbound('blob opcodes not supported');
      case 0x50: pop(); break;
      case 0x51: {
        const off = pop();
        push(bytesToBigint(read(off, 32n)));
        break;
      }
      case 0x52: {
        const off = pop(); const v = pop();
        touch(off, 32n);
        mem.set(wordBytes(v), Number(off));
        break;
      }
      case 0x53: {
        const off = pop(); const v = pop();
        touch(off, 1n);
        mem[Number(off)] = Number(v & 0xffn);
        break;
      }
      case 0x54: push(sload(pop())); break;
      case 0x55: {
        if (isStatic) throw new Halt('SSTORE in a static call');
        const slot = pop(); const v = pop();
        let m = ctx.writes.get(self);
        if (!m) ctx.writes.set(self, (m = new Map()));
        m.set(slot, v);
        break;
      }
      case 0x56: {
        const dst = pop();
        if (dst >= BigInt(code.length) || !jd[Number(dst)]) throw new Halt('bad jump');
        pc = Number(dst);
        continue;
      }
      case 0x57: {
        const dst = pop(); const cond = pop();
        if (cond !== 0n) {
          if (dst >= BigInt(code.length) || !jd[Number(dst)]) throw new Halt('bad jump');
          pc = Number(dst);
          continue;
        }
        break;
      }
      case 0x58: push(BigInt(pc)); break;
      case 0x59: push(BigInt(msize)); break;
      case 0x5a:
        if (!gasFeedsCall(code, pc)) throw new Unbound('GAS (gasleft) inside a resolved call: gas is not metered');
        push(GAS_CONSTANT);
        break;
      case 0x5b: break;
      case 0x5c: {
        // Only what this resolution stored: the transaction may have set any other transient slot before the call.
        const t = ctx.transient.get(`${self}:${pop()}`);
        if (t === undefined) throw new Unbound('TLOAD inside a resolved call: the transaction may have set it first');
        push(t);
        break;
      }
      case 0x5d: {
        if (isStatic) throw new Halt('TSTORE in a static call');
        const slot = pop(); const v = pop();
        ctx.transient.set(`${self}:${slot}`, v);
        break;
      }
      case 0x5e: {
        const dst = pop(); const src = pop(); const len = pop();
        const bytes = read(src, len);
        touch(dst, len);
        mem.set(bytes, Number(dst));
        break;
      }
      case 0x5f: push(0n); break;
      case 0xf1: case 0xf2: case 0xf4: case 0xfa: {
        const gas = pop();
        const limited = !forwardsAllGas(code, pc);
        const to = toAddr(pop());
        const v = op === 0xf1 || op === 0xf2 ? pop() : 0n;
        const inOff = pop(); const inLen = pop(); const outOff = pop(); const outLen = pop();
        if (v !== 0n && isStatic && op === 0xf1) throw new Halt('CALL with value in a static call');
        const input = read(inOff, inLen);
        touch(outOff, outLen);
        let r: FrameResult;
        const bsnap = new Map(ctx.balances);
        if (depth + 1 >= MAX_RESOLVE_DEPTH) throw new Unbound(`calls nested deeper than ${MAX_RESOLVE_DEPTH}`);
        if (!transfer(ctx, self, op === 0xf1 ? to : self, v)) r = { ok: false, ret: new Uint8Array(0) };
        else if (isPrecompile(to, ctx.env.hardfork)) r = limited && gas < precompileGas(to, input) ? { ok: false, ret: new Uint8Array(0) } : precompile(to, input);
        else {
          const codeAddr = to;
          ctx.reads.push({ kind: 'code', addr: codeAddr });
          const c = ctx.state.code(codeAddr);
          if (c.length === 0) r = { ok: true, ret: new Uint8Array(0) };
          else if (limited) throw new Unbound('a call with an explicit gas limit inside a resolved call: gas is not metered');
          else {
            const delegate = op === 0xf4 || op === 0xf2;
            const snapshot = cloneWrites(ctx.writes);
            const tsnap = new Map(ctx.transient);
            r = run(ctx, c, delegate ? self : to, op === 0xf4 ? caller : self, op === 0xf4 ? value : v, input, isStatic || op === 0xfa, depth + 1);
            if (!r.ok) {
              ctx.writes = snapshot;
              ctx.transient = tsnap;
            }
          }
        }
        if (!r.ok) ctx.balances = bsnap;
        ret = r.ret;
        const n = Math.min(Number(outLen), ret.length);
        if (n > 0) mem.set(ret.subarray(0, n), Number(outOff));
        push(r.ok ? 1n : 0n);
        break;
      }
      case 0xf3: {
        const off = pop(); const len = pop();
        return { ok: true, ret: read(off, len) };
      }
      case 0xfd: {
        const off = pop(); const len = pop();
        return { ok: false, ret: read(off, len) };
      }
      case 0xf0: case 0xf5:
        throw new Unbound('contract creation inside a resolved call');
      case 0xff:
        throw new Unbound('SELFDESTRUCT inside a resolved call');
      default:
        throw new Halt(`invalid opcode 0x${op.toString(16)}`);
    }
    pc++;
  }
  return { ok: true, ret: new Uint8Array(0) };
}

function cloneWrites(w: Map<Hex, Map<bigint, bigint>>): Map<Hex, Map<bigint, bigint>> {
  return new Map([...w].map(([a, m]) => [a, new Map(m)]));
}

/** The gas the supported precompiles (`precompile`) charge; unsupported ones are unbound there anyway. */
function precompileGas(to: Hex, input: Uint8Array): bigint {
  const words = BigInt(Math.ceil(input.length / 32));
  const n = Number(BigInt(to));
  if (n === 4) return 15n + 3n * words;
  if (n === 2) return 60n + 12n * words;
  throw new Unbound(`precompile ${to} not supported in resolved calls`);
}

function precompile(to: Hex, input: Uint8Array): FrameResult {
  const n = Number(BigInt(to));
  if (n === 4) return { ok: true, ret: input.slice() };
  if (n === 2) return { ok: true, ret: Uint8Array.from(createHash('sha256').update(input).digest()) };
  throw new Unbound(`precompile ${to} not supported in resolved calls`);
}

/** A `CallResolver` over the block's pre-state (the signature `HintsOptions.resolveCall` wants). */
export function viewCallResolver(state: StateView & { codeHash?(a: Hex): Hex }, env: BlockEnv, loaded: LoadedBlock): CallResolver {
  const codeHash = (a: Hex): Hex =>
    state.codeHash ? state.codeHash(a) : (('0x' + Buffer.from(keccak256(state.code(a))).toString('hex')) as Hex);
  // Every call runs over the same pre-state, so one with the same inputs has the same result (and reads).
  // A result that read GASPRICE is remembered for that gas price only.
  const memo = new Map<string, ReturnType<CallResolver> | Map<bigint, ReturnType<CallResolver>>>();
  return (req) => {
    const gasPrice = req.gasPrice;
    const key = `${req.kind}|${req.from}|${req.to}|${req.storageAddr}|${req.origin}|${req.value}|${req.gasLimited ? 1 : 0}|${Buffer.from(req.data).toString('hex')}`;
    const m = memo.get(key);
    let r = m instanceof Map ? m.get(gasPrice) : m;
    if (r === undefined) {
      const ctx = newCtx(req);
      r = resolveOnce(req, ctx);
      if (memo.size < MAX_RESOLVED_REMEMBERED) {
        if (ctx.usedGasPrice) memo.set(key, (m instanceof Map ? m : new Map()).set(gasPrice, r));
        else memo.set(key, r);
      }
    }
    return r;
  };

  function newCtx(req: Parameters<CallResolver>[0]): Ctx {
    return {
      state,
      env,
      hashes: loaded.blockHashes,
      origin: req.origin,
      gasPrice: req.gasPrice,
      usedGasPrice: false,
      steps: 0,
      reads: [{ kind: 'code', addr: req.to }],
      writes: new Map(),
      transient: new Map(),
      balances: new Map(),
      codeHash,
    };
  }

  function resolveOnce(req: Parameters<CallResolver>[0], ctx: Ctx): ReturnType<CallResolver> {
    const pays = req.kind === 'CALL' || req.kind === 'CALLCODE';
    if (pays && !transfer(ctx, req.from, req.kind === 'CALL' ? req.to : req.from, req.value)) return { ok: false, returnData: new Uint8Array(0), reads: ctx.reads };
    // The call site's explicit gas limit is not known here (only that there is one): code, or a precompile, may run out.
    const limited = (why: string) => new Unbound(`${why} called with an explicit gas limit: gas is not metered`);
    if (isPrecompile(req.to, env.hardfork)) {
      if (req.gasLimited) return limited('a precompile');
      try {
        return { ...precompileResult(req.to, req.data), reads: ctx.reads.filter((d) => d.kind === 'balance') };
      } catch (e) {
        if (e instanceof Unbound) return e;
        throw e;
      }
    }
    const code = state.code(req.to);
    if (code.length === 0) return { ok: true, returnData: new Uint8Array(0), reads: ctx.reads };
    if (req.gasLimited) return limited('code');
    try {
      const r = run(ctx, code, req.storageAddr, req.from, req.value, req.data, req.kind === 'STATICCALL', 0);
      return { ok: r.ok, returnData: r.ret, reads: ctx.reads };
    } catch (e) {
      if (e instanceof Unbound) return e;
      if (e instanceof Halt) return { ok: false, returnData: new Uint8Array(0), reads: ctx.reads };
      throw e;
    }
  }
}

function precompileResult(to: Hex, data: Uint8Array): { ok: boolean; returnData: Uint8Array } {
  const r = precompile(to, data);
  return { ok: r.ok, returnData: r.ret };
}

void MASK;
