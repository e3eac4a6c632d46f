/**
 * The world a generated block (or a test) runs in: every example deployed and wired up the way users would have left
 * it: tokens minted and approved, AMM pairs with liquidity, WETH and vault deposits, registry records, a proxy in use.
 */
import type { Hex } from '../types.js';
import { DEPLOYER, addressFor, userKey, type Key } from './keys.js';
import { World, type BlockContext, DEFAULT_COINBASE } from './vm.js';
import type { ExamplesOptions } from './examples.js';

export const ETHER = 10n ** 18n;
export const MAX_UINT = (1n << 256n) - 1n;
export const EIP1967_IMPLEMENTATION_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc' as Hex;
export const EIP1967_ADMIN_SLOT = '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103' as Hex;

export interface SetupOptions {
  /** Number of user accounts (senders); default 20. */
  users?: number;
  /** Number of AMM pairs (over pairs+1 tokens in a chain T0-T1, T1-T2, ...); default 3. */
  pairs?: number;
  /**
   * What users get set up with (everything is deployed either way): `erc20` only a balance of tokens[0] (cheap, for
   * thousands of users), `amm` balances of every token approved to the router, `full` (default) everything.
   */
  scope?: 'erc20' | 'amm' | 'full';
  /** The block the setup runs in (timestamps stored by pairs and the registry come from it). */
  block?: BlockContext;
  examples?: ExamplesOptions;
  /** The world's state manager (vm.ts); default `simple`. */
  stateManager?: 'simple' | 'merkle';
}

export interface PairInfo {
  address: Hex;
  token0: Hex;
  token1: Hex;
}

export interface GenWorld {
  world: World;
  deployer: Key;
  users: Key[];
  /** A recipient that never sends: the `hot` knob of the erc20 workload pays it. */
  hot: Hex;
  /** Token contracts; tokens[0] is the main ERC20 (the vault's token). tokens[i] and tokens[i+1] share pair i. */
  tokens: Hex[];
  weth: Hex;
  factory: Hex;
  router: Hex;
  pairs: PairInfo[];
  registry: Hex;
  vault: Hex;
  /** The EIP-1967 proxy users call, and the implementation behind it. */
  proxy: Hex;
  implementation: Hex;
  /** Registry ids every user registered during setup. */
  registeredIds: number[];
  /** users[i] approved users[(i+1) % n] to spend this much of tokens[0] (for transferFrom). */
  spenderAllowance: bigint;
}

/** Deploys and sets up everything; ~1-2 s for 20 users and 3 pairs. */
export async function setupWorld(opts: SetupOptions = {}): Promise<GenWorld> {
  const nUsers = opts.users ?? 20;
  const nPairs = Math.max(1, opts.pairs ?? 3);
  if (nUsers < 2) throw new Error('setupWorld needs at least 2 users');
  const world = await World.create({ block: opts.block, examples: opts.examples, stateManager: opts.stateManager });
  const deployer = DEPLOYER();
  const users = Array.from({ length: nUsers }, (_, i) => userKey(i));
  const from = deployer.address;

  await world.setBalance(from, 1_000_000n * ETHER);
  // Plenty for thousands of transactions from one sender (value transfers are at most 1 ETH, fees ~0.01 ETH).
  for (const u of users) await world.setBalance(u.address, 10_000n * ETHER);
  // The fee recipient exists before the block, as on mainnet: it then belongs in the prestate.
  await world.setBalance(opts.block?.coinbase ?? DEFAULT_COINBASE, 3n * ETHER);

  const tokens: Hex[] = [];
  const names = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon', 'Zeta', 'Eta', 'Theta', 'Iota', 'Kappa'];
  for (let i = 0; i <= nPairs; i++) {
    const name = names[i] ?? `Token${i}`;
    tokens.push(await world.deploy('Token', [name, name.slice(0, 3).toUpperCase(), 18, 0], { from }));
  }
  const weth = await world.deploy('WETH', [], { from });
  const factory = await world.deploy('Factory', [from], { from });
  const router = await world.deploy('Router', [factory], { from });
  const registry = await world.deploy('Registry', [25], { from });
  const vault = await world.deploy('Vault', [tokens[0], 50n * ETHER], { from });
  const implementation = await world.deploy('CounterVaultImpl', [], { from });
  const initData = world.encode('CounterVaultImpl', 'initialize', [from]);
  const proxyAdmin = addressFor('proxy-admin');
  const proxy = await world.deploy('EIP1967Proxy', [implementation, proxyAdmin, initData], { from });

  // Liquidity: the deployer seeds every pair through the router (this also creates the pairs).
  for (const t of tokens) {
    await world.send(from, t, 'Token', 'mint', [from, 10n ** 9n * ETHER]);
    await world.send(from, t, 'Token', 'approve', [router, MAX_UINT]);
  }
  const deadline = world.block.header.timestamp + 3600n;
  const pairs: PairInfo[] = [];
  for (let i = 0; i < nPairs; i++) {
    const a = tokens[i]!;
    const b = tokens[i + 1]!;
    // Different prices per pair, so multi-hop amounts are not trivially equal.
    const amountA = BigInt(1_000_000 + 250_000 * i) * ETHER;
    const amountB = BigInt(1_000_000 + 100_000 * (nPairs - i)) * ETHER;
    await world.send(from, router, 'Router', 'addLiquidity', [a, b, amountA, amountB, 0, 0, from, deadline]);
    const ret = await world.runCall({ from, to: factory, data: world.encode('Factory', 'getPair', [a, b]) });
    const address = `0x${Buffer.from(ret.execResult.returnValue.subarray(12, 32)).toString('hex')}` as Hex;
    const [token0, token1] = BigInt(a) < BigInt(b) ? [a, b] : [b, a];
    pairs.push({ address, token0, token1 });
  }

  const spenderAllowance = 1_000n * ETHER;
  const registeredIds = [1, 2];
  const scope = opts.scope ?? 'full';
  for (const [i, u] of users.entries()) {
    const me = u.address;
    if (scope === 'erc20') {
      await world.send(from, tokens[0]!, 'Token', 'mint', [me, 1_000_000n * ETHER]);
      continue;
    }
    for (const t of tokens) {
      await world.send(from, t, 'Token', 'mint', [me, 1_000_000n * ETHER]);
      await world.send(me, t, 'Token', 'approve', [router, MAX_UINT]);
    }
    if (scope === 'amm') continue;
    await world.send(me, tokens[0]!, 'Token', 'approve', [vault, MAX_UINT]);
    await world.send(me, tokens[0]!, 'Token', 'approve', [users[(i + 1) % users.length]!.address, spenderAllowance]);
    await world.send(me, weth, 'WETH', 'deposit', [], 10n * ETHER);
    await world.send(me, weth, 'WETH', 'approve', [router, MAX_UINT]);
    await world.send(me, vault, 'Vault', 'depositETH', [], ETHER);
    await world.send(me, vault, 'Vault', 'depositToken', [1_000n * ETHER]);
    for (const id of registeredIds) {
      await world.send(me, registry, 'Registry', 'register', [id, id, 100 * id, `record ${id} of user ${i}`, 0]);
    }
    await world.send(me, proxy, 'CounterVaultImpl', 'increment', []);
    await world.send(me, proxy, 'CounterVaultImpl', 'deposit', [], ETHER);
  }

  return {
    world,
    deployer,
    users,
    hot: addressFor('hot-exchange'),
    tokens,
    weth,
    factory,
    router,
    pairs,
    registry,
    vault,
    proxy,
    implementation,
    registeredIds,
    spenderAllowance,
  };
}
