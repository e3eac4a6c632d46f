/**
 * Which rules a block runs under. On mainnet the hardfork follows the block's number and timestamp (Paris is pinned by
 * block number in @ethereumjs/common's mainnet config, so no total difficulty is needed); other chains name theirs
 * with `--chain` or force one with `--fork`.
 */
import { Common, Hardfork, Holesky, Hoodi, Mainnet, Sepolia, type ChainConfig } from '@ethereumjs/common';
import { PrescientError } from '../errors.js';
import { fastCrypto } from './crypto.js';

export const CHAINS: Record<string, ChainConfig> = { mainnet: Mainnet, sepolia: Sepolia, holesky: Holesky, hoodi: Hoodi };

const HARDFORKS = new Set<string>(Object.values(Hardfork));

export interface ForkOptions {
  /** `mainnet` (default), `sepolia`, `holesky`, `hoodi`. */
  chain?: string;
  /** A hardfork name (`byzantium` ... `cancun`, `prague`): overrides the schedule. */
  fork?: string;
}

function chainConfig(chain: string | undefined): ChainConfig {
  const name = (chain ?? 'mainnet').toLowerCase();
  const cfg = CHAINS[name];
  if (!cfg) throw new PrescientError('BAD_OPTION', '--chain', `unknown chain '${chain}' (one of ${Object.keys(CHAINS).join(', ')})`);
  return cfg;
}

/** The hardfork of block `number` at `timestamp` on `chain` (mainnet by default), or `opts.fork` when given. */
export function hardforkFor(number: bigint, timestamp: bigint, opts: ForkOptions = {}): string {
  if (opts.fork !== undefined) {
    if (!HARDFORKS.has(opts.fork)) {
      throw new PrescientError('BAD_OPTION', '--fork', `unknown hardfork '${opts.fork}'`);
    }
    return opts.fork;
  }
  const c = new Common({ chain: chainConfig(opts.chain) });
  try {
    return c.getHardforkBy({ blockNumber: number, timestamp });
  } catch (e) {
    // A header whose number and timestamp fall in different hardforks (an edited or synthetic block).
    throw new PrescientError('BAD_BLOCK', `block ${number}`, `number and timestamp ${timestamp} disagree on the hardfork: ${(e as Error).message}`, { cause: e });
  }
}

/** The mainnet hardfork of a block. */
export const mainnetHardfork = (number: bigint, timestamp: bigint): string => hardforkFor(number, timestamp);

/** A Common for one block, with the fast crypto (native ecrecover, WASM keccak once initialised). */
export function commonFor(number: bigint, timestamp: bigint, opts: ForkOptions = {}): Common {
  return new Common({
    chain: chainConfig(opts.chain),
    hardfork: hardforkFor(number, timestamp, opts),
    customCrypto: { ...fastCrypto },
  });
}
