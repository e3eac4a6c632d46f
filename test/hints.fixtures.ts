/**
 * Hand-written ContractAnalysis fixtures for the hints / table / verify tests: what the analyzer should say about
 * small Solidity-style contracts (ERC20 balances at slot 0 and allowances at slot 1, a Uniswap-V2-style pair with
 * token0/token1 at slots 6/7, a router, an EIP-1967 proxy). They let those stages be tested without the analyzer.
 * `bindCall` binds one call over given accounts, for the tests that bind solc-compiled contracts.
 */
import type { Prestate } from '../src/chain/load.js';
import { bindTx, type BindContext, type BlockEnv, type TxBinding, type TxInput } from '../src/hints/bind.js';
import { AnalysisCache, stateView } from '../src/hints/context.js';
import type { ContractAnalysis, ExternalCall, Expr, FunctionFootprint, Hex, StorageAccess } from '../src/types.js';

/** A fixture account's address from a small number. */
export const addr = (n: number): Hex => ('0x' + n.toString(16).padStart(40, '0')) as Hex;
export const ALICE = addr(0xa11ce);
export const BOB = addr(0xb0b);
/** The block the binder tests bind in. */
export const ENV: BlockEnv = { number: 100n, timestamp: 1000n, coinbase: 0xc0n, gasLimit: 30_000_000n, baseFee: 7n, difficulty: 0n, chainId: 1n, hardfork: 'shanghai' };

/**
 * Binds a call from ALICE (funded here) to `to` with calldata `data` over the accounts of `pre`, in block ENV with a
 * fresh analysis cache; `ctx` adds to the binder's context (`prior`, `resolveCall`).
 */
export function bindCall(pre: Prestate, to: Hex, data: string, ctx: Partial<BindContext> = {}): TxBinding {
  const accounts: Prestate = new Map(pre);
  accounts.set(ALICE, { balance: 10n ** 18n, nonce: 0n, code: new Uint8Array(0), storage: new Map() });
  const state = stateView(accounts);
  const full: BindContext = { state, block: ENV, analysis: new AnalysisCache().provider, codeHash: (a) => state.codeHash(a), ...ctx };
  const tx: TxInput = { index: 0, hash: ('0x' + '22'.repeat(32)) as Hex, from: ALICE, to, value: 0n, input: Buffer.from(data.slice(2), 'hex'), nonce: 0n, gasPrice: 10n };
  return bindTx(tx, full);
}

export const c = (v: bigint | number): Expr => ({ k: 'const', v: ('0x' + BigInt(v).toString(16)) as Hex });
export const caller: Expr = { k: 'env', name: 'CALLER' };
export const arg = (i: number): Expr => ({ k: 'cd', off: 4 + 32 * i, arg: i });
export const sload = (slot: Expr): Expr => ({ k: 'sload', slot });
export const keccak = (...words: Expr[]): Expr => ({ k: 'keccak', words });
export const mapping = (key: Expr, base: number | bigint): Expr => keccak(key, c(base));
export const and160 = (e: Expr): Expr => ({ k: 'op', op: 'AND', args: [e, c((1n << 160n) - 1n)] });

export function access(expr: Expr, text: string, extra: Partial<StorageAccess> = {}): StorageAccess {
  const slot: StorageAccess['slot'] =
    expr.k === 'const' ? { kind: 'const', slot: expr.v } : { kind: 'unknown', why: 'fixture: structure not given' };
  return { slot, expr, text, pcs: [0], ...extra };
}

export function fn(selector: FunctionFootprint['selector'], parts: Partial<FunctionFootprint> = {}): FunctionFootprint {
  return {
    selector,
    signature: null,
    inputs: null,
    mutability: null,
    reads: [],
    writes: [],
    calls: [],
    balanceReads: [],
    transfers: [],
    complete: true,
    diagnostics: [],
    rules: [],
    ...parts,
  };
}

export function call(id: number, kind: ExternalCall['kind'], target: Expr, selector: Hex | null, args: Expr[] | null, extra: Partial<ExternalCall> = {}): ExternalCall {
  return { id, kind, target, selector, args, inputSize: args ? (selector ? 4 : 0) + 32 * args.length : null, pc: 100 + id, ...extra };
}

export function analysis(codeHash: Hex, name: string, functions: FunctionFootprint[]): ContractAnalysis {
  return { schema: 'prescient/analysis@1', codeHash, codeSize: 1, name, functions, storageLayout: null, diagnostics: [], ms: 0 };
}

export const SEL = {
  transfer: '0xa9059cbb',
  transferFrom: '0x23b872dd',
  approve: '0x095ea7b3',
  balanceOf: '0x70a08231',
  swap: '0x022c0d9f',
  getPair: '0xe6a43905',
  deposit: '0xd0e30db0',
} as const satisfies Record<string, Hex>;

const bal = (k: Expr) => mapping(k, 0);
const allow = (o: Expr, s: Expr) => keccak(s, mapping(o, 1));

/** ERC20: balances at slot 0, allowance at slot 1 (allowance[owner][spender] = keccak(spender . keccak(owner . 1))). */
export function erc20(codeHash: Hex): ContractAnalysis {
  return analysis(codeHash, 'Token', [
    fn(SEL.transfer, {
      signature: 'transfer(address,uint256)',
      reads: [access(bal(caller), 'balances[caller]'), access(bal(and160(arg(0))), 'balances[arg0]')],
      writes: [
        access(bal(caller), 'balances[caller]', { delta: 'sub' }),
        access(bal(and160(arg(0))), 'balances[arg0]', { delta: 'add' }),
      ],
    }),
    fn(SEL.transferFrom, {
      signature: 'transferFrom(address,address,uint256)',
      reads: [access(allow(and160(arg(0)), caller), 'allowance[arg0][caller]'), access(bal(and160(arg(0))), 'balances[arg0]'), access(bal(and160(arg(1))), 'balances[arg1]')],
      writes: [access(allow(and160(arg(0)), caller), 'allowance[arg0][caller]'), access(bal(and160(arg(0))), 'balances[arg0]', { delta: 'sub' }), access(bal(and160(arg(1))), 'balances[arg1]', { delta: 'add' })],
    }),
    fn(SEL.approve, { writes: [access(allow(caller, and160(arg(0))), 'allowance[caller][arg0]')] }),
    fn(SEL.balanceOf, { mutability: 'view', reads: [access(bal(and160(arg(0))), 'balances[arg0]')] }),
  ]);
}

/** A pair: token0 at slot 6, token1 at slot 7, reserves at slot 8; swap(amount0Out, amount1Out, to, data). */
export function pair(codeHash: Hex): ContractAnalysis {
  const token0 = and160(sload(c(6)));
  const token1 = and160(sload(c(7)));
  const to = and160(arg(2));
  return analysis(codeHash, 'Pair', [
    fn(SEL.swap, {
      reads: [access(c(6), 'token0'), access(c(7), 'token1'), access(c(8), 'reserves')],
      writes: [access(c(8), 'reserves')],
      calls: [
        call(0, 'CALL', token0, SEL.transfer, [to, arg(0)]),
        call(1, 'CALL', token1, SEL.transfer, [to, arg(1)]),
        call(2, 'STATICCALL', token0, SEL.balanceOf, [{ k: 'env', name: 'ADDRESS' }]),
        call(3, 'STATICCALL', token1, SEL.balanceOf, [{ k: 'env', name: 'ADDRESS' }]),
      ],
    }),
  ]);
}

/** A factory: getPair[a][b] at keccak(b . keccak(a . 1)). */
export function factory(codeHash: Hex): ContractAnalysis {
  return analysis(codeHash, 'Factory', [
    fn(SEL.getPair, { mutability: 'view', reads: [access(keccak(and160(arg(1)), mapping(and160(arg(0)), 1)), 'getPair[arg0][arg1]')] }),
  ]);
}

/**
 * A router's swap(tokenIn, tokenOut, amountIn, amountOut, to) (selector 0x11111111): asks the factory (an immutable,
 * `factoryAddr`) for the pair, pulls tokenIn from the caller into the pair, then calls pair.swap(0, amountOut, to).
 */
export function router(codeHash: Hex, factoryAddr: Hex): ContractAnalysis {
  const pairAddr: Expr = and160({ k: 'callret', call: 0, word: 0 });
  return analysis(codeHash, 'Router', [
    fn('0x11111111', {
      calls: [
        call(0, 'STATICCALL', c(BigInt(factoryAddr)), SEL.getPair, [and160(arg(0)), and160(arg(1))]),
        call(1, 'CALL', and160(arg(0)), SEL.transferFrom, [caller, pairAddr, arg(2)]),
        call(2, 'CALL', pairAddr, SEL.swap, [c(0), arg(3), and160(arg(4)), c(0x80), c(0)], { inputSize: 4 + 32 * 5 }),
      ],
    }),
  ]);
}

export const IMPL_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbcn;

/** An EIP-1967 proxy whose fallback delegates the first three calldata words (a fixture simplification). */
export function proxy(codeHash: Hex): ContractAnalysis {
  const impl = and160(sload(c(IMPL_SLOT)));
  return analysis(codeHash, 'Proxy', [
    fn('fallback', {
      reads: [access(c(IMPL_SLOT), 'implementation')],
      calls: [call(0, 'DELEGATECALL', impl, null, [{ k: 'cd', off: 0, arg: null }, { k: 'cd', off: 32, arg: null }, { k: 'cd', off: 64, arg: null }])],
    }),
  ]);
}
