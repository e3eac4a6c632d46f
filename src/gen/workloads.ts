/**
 * Workloads: what the transactions of a generated block do. Each returns planned (unsigned) transactions over a set-up
 * world (setup.ts); block.ts signs and executes them.
 *
 *  - `erc20`: transfers of tokens[0] among the users; a share `hot` of them pays one hot recipient (an exchange
 *    deposit address): hot = 0 gives (mostly) independent transactions, hot = 1 serialises them on one balance slot.
 *  - `amm`: router swaps over the pairs (1 or 2 hops, both directions), from the users, tokens pre-approved.
 *  - `mix`: ERC20 transfers/approvals/transferFrom, WETH deposit/withdraw/transfer, AMM swaps and liquidity, registry
 *    writes, vault deposits/withdrawals, proxy calls, plain ETH transfers, and every 12th transaction one designed to
 *    revert (listed in the manifest with the reason): a transfer beyond the balance, a vault withdrawal beyond the
 *    deposit, an update of a missing registry record, an expired router swap, a direct pair swap without input.
 */
import type { Hex } from '../types.js';
import { addressFor } from './keys.js';
import type { Rng } from './rng.js';
import { ETHER, type GenWorld } from './setup.js';

export type WorkloadName = 'erc20' | 'amm' | 'mix';
export const WORKLOADS: readonly WorkloadName[] = ['erc20', 'amm', 'mix'];

export interface PlannedTx {
  /** Index into GenWorld.users. */
  sender: number;
  /** null: contract creation. */
  to: Hex | null;
  data: Hex;
  value: bigint;
  gasLimit: bigint;
  /** What it does, e.g. `erc20.transfer`, `amm.swap`, `eth.transfer`. */
  kind: string;
  /** Designed to revert (the reason, for the manifest), or null. */
  revert: string | null;
}

export interface WorkloadOptions {
  txs: number;
  /** erc20: share of transfers paying the hot recipient, 0..1. */
  hot: number;
  /**
   * erc20: share of transactions that call `balanceOf(hot)` instead of transferring (a read of the hot slot between
   * the credits, for the executor's delta merges). 0 draws nothing extra: blocks of existing seeds do not change.
   */
  hotReads?: number;
}

function swapPath(g: GenWorld, rng: Rng): Hex[] {
  const k = g.pairs.length;
  const start = rng.int(0, k - 1);
  const hops = k - start >= 2 && rng.chance(0.3) ? 2 : 1;
  const path = g.tokens.slice(start, start + hops + 1);
  return rng.chance(0.5) ? path : [...path].reverse();
}

function otherUser(g: GenWorld, rng: Rng, not: number): number {
  const j = rng.int(0, g.users.length - 2);
  return j >= not ? j + 1 : j;
}

export function planErc20(g: GenWorld, rng: Rng, opts: WorkloadOptions): PlannedTx[] {
  const out: PlannedTx[] = [];
  for (let i = 0; i < opts.txs; i++) {
    const sender = rng.int(0, g.users.length - 1);
    if (opts.hotReads !== undefined && opts.hotReads > 0 && rng.chance(opts.hotReads)) {
      out.push({ sender, to: g.tokens[0]!, data: g.world.encode('Token', 'balanceOf', [g.hot]), value: 0n, gasLimit: 60_000n, kind: 'erc20.balanceOf', revert: null });
      continue;
    }
    const to = rng.chance(opts.hot) ? g.hot : g.users[otherUser(g, rng, sender)]!.address;
    const amount = rng.big(1n, 1000n) * 10n ** 15n;
    out.push({ sender, to: g.tokens[0]!, data: g.world.encode('Token', 'transfer', [to, amount]), value: 0n, gasLimit: 80_000n, kind: 'erc20.transfer', revert: null });
  }
  return out;
}

function swapTx(g: GenWorld, rng: Rng, sender: number, deadline: bigint): PlannedTx {
  const path = swapPath(g, rng);
  const amountIn = rng.big(1n, 5_000n) * 10n ** 16n;
  const data = g.world.encode('Router', 'swapExactTokensForTokens', [amountIn, 0n, path, g.users[sender]!.address, deadline]);
  return { sender, to: g.router, data, value: 0n, gasLimit: 150_000n + 100_000n * BigInt(path.length - 1), kind: `amm.swap${path.length - 1}`, revert: null };
}

export function planAmm(g: GenWorld, rng: Rng, opts: WorkloadOptions): PlannedTx[] {
  const deadline = g.world.block.header.timestamp + 3600n;
  return Array.from({ length: opts.txs }, () => swapTx(g, rng, rng.int(0, g.users.length - 1), deadline));
}

const MIX_WEIGHTS = {
  'erc20.transfer': 16,
  'erc20.approve': 4,
  'erc20.transferFrom': 4,
  'weth.deposit': 5,
  'weth.withdraw': 3,
  'weth.transfer': 5,
  'eth.transfer': 10,
  'amm.swap': 14,
  'amm.addLiquidity': 2,
  'registry.register': 5,
  'registry.update': 4,
  'registry.note': 3,
  'vault.depositETH': 4,
  'vault.withdrawETH': 3,
  'vault.depositToken': 3,
  'vault.ping': 2,
  'proxy.increment': 5,
  'proxy.deposit': 2,
};

const REVERTS = ['erc20.transfer-too-much', 'vault.withdraw-too-much', 'registry.update-missing', 'amm.swap-expired', 'pair.swap-no-input'] as const;

export function planMix(g: GenWorld, rng: Rng, opts: WorkloadOptions): PlannedTx[] {
  const w = g.world;
  const deadline = w.block.header.timestamp + 3600n;
  const out: PlannedTx[] = [];
  let reverts = 0;
  for (let i = 0; i < opts.txs; i++) {
    const sender = rng.int(0, g.users.length - 1);
    const me = g.users[sender]!.address;
    const peer = g.users[otherUser(g, rng, sender)]!.address;
    const t0 = g.tokens[0]!;
    const tx = (to: Hex, contract: string, fn: string, args: unknown[], kind: string, gasLimit: bigint, value = 0n, revert: string | null = null): PlannedTx => ({
      sender,
      to,
      data: w.encode(contract, fn, args),
      value,
      gasLimit,
      kind,
      revert,
    });
    if (i % 12 === 11) {
      const which = REVERTS[reverts++ % REVERTS.length]!;
      switch (which) {
        case 'erc20.transfer-too-much':
          out.push(tx(t0, 'Token', 'transfer', [peer, 1n << 200n], 'erc20.transfer', 80_000n, 0n, 'Token: InsufficientBalance (amount 2^200)'));
          break;
        case 'vault.withdraw-too-much':
          out.push(tx(g.vault, 'Vault', 'withdrawETH', [40n * ETHER], 'vault.withdrawETH', 100_000n, 0n, 'Vault: Insufficient (40 ETH > deposit)'));
          break;
        case 'registry.update-missing':
          out.push(tx(g.registry, 'Registry', 'update', [999_999n, 1n], 'registry.update', 80_000n, 0n, 'Registry: Missing (no record 999999)'));
          break;
        case 'amm.swap-expired': {
          const path = [g.tokens[0]!, g.tokens[1]!];
          out.push(tx(g.router, 'Router', 'swapExactTokensForTokens', [ETHER, 0n, path, me, w.block.header.timestamp - 1n], 'amm.swap1', 250_000n, 0n, 'Router: EXPIRED'));
          break;
        }
        case 'pair.swap-no-input':
          // Reverts after the output transfer ran: the accesses of a failing transaction are still real.
          out.push(tx(g.pairs[0]!.address, 'Pair', 'swap', [ETHER, 0n, me, '0x'], 'pair.swap', 200_000n, 0n, 'Pair: INSUFFICIENT_INPUT_AMOUNT'));
          break;
      }
      continue;
    }
    const kind = rng.weighted(MIX_WEIGHTS);
    const small = rng.big(1n, 1000n) * 10n ** 15n;
    switch (kind) {
      case 'erc20.transfer':
        out.push(tx(rng.pick(g.tokens), 'Token', 'transfer', [rng.chance(0.2) ? g.hot : peer, small], kind, 80_000n));
        break;
      case 'erc20.approve':
        // To one of a few "dapps": approving a user would overwrite the setup allowance transferFrom relies on.
        out.push(tx(t0, 'Token', 'approve', [addressFor(`dapp:${rng.int(0, 4)}`), small], kind, 60_000n));
        break;
      case 'erc20.transferFrom': {
        // users[i-1] approved users[i] in setup.
        const owner = g.users[(sender + g.users.length - 1) % g.users.length]!.address;
        out.push(tx(t0, 'Token', 'transferFrom', [owner, rng.chance(0.5) ? me : peer, rng.big(1n, 100n) * 10n ** 15n], kind, 90_000n));
        break;
      }
      case 'weth.deposit':
        out.push(rng.chance(0.5) ? tx(g.weth, 'WETH', 'deposit', [], kind, 60_000n, small) : { sender, to: g.weth, data: '0x', value: small, gasLimit: 60_000n, kind: 'weth.receive', revert: null });
        break;
      case 'weth.withdraw':
        out.push(tx(g.weth, 'WETH', 'withdraw', [rng.big(1n, 10n) * 10n ** 15n], kind, 60_000n));
        break;
      case 'weth.transfer':
        out.push(tx(g.weth, 'WETH', 'transfer', [peer, rng.big(1n, 10n) * 10n ** 15n], kind, 80_000n));
        break;
      case 'eth.transfer': {
        const to = rng.chance(0.3) ? addressFor(`fresh:${i}`) : peer;
        out.push({ sender, to, data: '0x', value: small, gasLimit: 21_000n, kind, revert: null });
        break;
      }
      case 'amm.swap':
        out.push(swapTx(g, rng, sender, deadline));
        break;
      case 'amm.addLiquidity': {
        const p = rng.int(0, g.pairs.length - 1);
        const [a, b] = [g.tokens[p]!, g.tokens[p + 1]!];
        const amount = rng.big(1n, 100n) * ETHER;
        out.push(tx(g.router, 'Router', 'addLiquidity', [a, b, amount, amount * 2n, 0n, 0n, me, deadline], kind, 300_000n));
        break;
      }
      case 'registry.register':
        // Ids unique per transaction index: never collides with setup's ids 1 and 2.
        out.push(tx(g.registry, 'Registry', 'register', [1000 + i, rng.int(0, 5), small, rng.chance(0.3) ? `a longer label for record ${i}, past one slot` : `r${i}`, rng.chance(0.5) ? 3600 : 0], kind, 300_000n, rng.chance(0.3) ? 10n ** 15n : 0n));
        break;
      case 'registry.update':
        out.push(tx(g.registry, 'Registry', 'update', [rng.pick(g.registeredIds), small], kind, 80_000n));
        break;
      case 'registry.note':
        out.push(tx(g.registry, 'Registry', 'note', [`0x${(BigInt(i) + 1n).toString(16).padStart(64, '0')}`], kind, 80_000n));
        break;
      case 'vault.depositETH':
        out.push(tx(g.vault, 'Vault', 'depositETH', [], kind, 120_000n, small));
        break;
      case 'vault.withdrawETH':
        out.push(tx(g.vault, 'Vault', 'withdrawETH', [rng.big(1n, 10n) * 10n ** 15n], kind, 120_000n));
        break;
      case 'vault.depositToken':
        out.push(tx(g.vault, 'Vault', 'depositToken', [small], kind, 150_000n));
        break;
      case 'vault.ping':
        out.push(tx(g.vault, 'Vault', 'ping', [], kind, 80_000n));
        break;
      case 'proxy.increment':
        out.push(rng.chance(0.5) ? tx(g.proxy, 'CounterVaultImpl', 'increment', [], kind, 100_000n) : tx(g.proxy, 'CounterVaultImpl', 'incrementBy', [rng.int(1, 1000)], 'proxy.incrementBy', 100_000n));
        break;
      case 'proxy.deposit':
        out.push(tx(g.proxy, 'CounterVaultImpl', 'deposit', [], kind, 100_000n, small));
        break;
    }
  }
  return out;
}

export function planWorkload(name: WorkloadName, g: GenWorld, rng: Rng, opts: WorkloadOptions): PlannedTx[] {
  switch (name) {
    case 'erc20':
      return planErc20(g, rng, opts);
    case 'amm':
      return planAmm(g, rng, opts);
    case 'mix':
      return planMix(g, rng, opts);
  }
}
