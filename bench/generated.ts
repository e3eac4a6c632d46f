/**
 * Generated blocks for the benchmark (src/gen's writeGeneratedBlock), cached under /tmp by options: a low-conflict
 * block (1,000 ERC20 transfers among 1,000 users, no hot recipient), a mixed one (1,000 transactions of the `mix`
 * workload: transfers, approvals, WETH, AMM swaps, registry/vault/proxy calls, plain ETH transfers, some reverts) and
 * a hot-recipient one (1,000 ERC20 transfers, 90% of them to one address).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

export const GENERATED: Array<[string, Record<string, unknown>]> = [
  ['gen-erc20-1000', { workload: 'erc20', txs: 1000, users: 1000, hot: 0, seed: 1 }],
  ['gen-mix-1000', { workload: 'mix', txs: 1000, seed: 1 }],
  // 90% of 1,000 ERC20 transfers pay one hot recipient (issue 6: its balance slot merges as a delta).
  ['gen-hot-1000', { workload: 'erc20', txs: 1000, users: 1000, hot: 0.9, seed: 1 }],
];

export async function generatedBlocks(): Promise<Array<[string, string]>> {
  const { writeGeneratedBlock } = await import('../src/gen/write.js');
  const out: Array<[string, string]> = [];
  for (const [name, opts] of GENERATED) {
    const dir = join(tmpdir(), 'prescient-bench', name);
    if (!existsSync(join(dir, 'prestate.json'))) {
      process.stderr.write(`  generating ${name} ...\n`);
      await writeGeneratedBlock(dir, opts as any);
    }
    out.push([name, dir]);
  }
  return out;
}
