import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The mainnet block folders in ../shared/data/mainnet, sorted by number; empty (with a notice) when absent. */
export const MAINNET_DIR = resolve(__dirname, '../../../shared/data/mainnet');

export function mainnetBlocks(): string[] {
  if (!existsSync(MAINNET_DIR)) {
    // eslint-disable-next-line no-console
    console.warn(`skipping mainnet tests: ${MAINNET_DIR} is absent`);
    return [];
  }
  return readdirSync(MAINNET_DIR)
    .filter((d) => /^\d+$/.test(d))
    .sort((a, b) => Number(a) - Number(b))
    .map((d) => join(MAINNET_DIR, d));
}

/** `describe` when the shared data exists, `describe.skip` otherwise. */
export const describeMainnet = existsSync(MAINNET_DIR) ? describe : describe.skip;
