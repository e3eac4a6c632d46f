import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateBlock, type GenerateOptions, type GeneratedBlock } from './block.js';

/**
 * Generates a block and writes `block.json`, `prestate.json` (the block folder layout src/chain reads) and `gen.json`
 * (the manifest: options, contract addresses, per-transaction expected status). Returns what it wrote.
 */
export async function writeGeneratedBlock(dir: string, opts: GenerateOptions = {}): Promise<GeneratedBlock> {
  const generated = await generateBlock(opts);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'block.json'), JSON.stringify(generated.block, null, 1) + '\n');
  writeFileSync(join(dir, 'prestate.json'), JSON.stringify(generated.prestate, null, 1) + '\n');
  writeFileSync(join(dir, 'gen.json'), JSON.stringify(generated.manifest, null, 1) + '\n');
  return generated;
}
