// Sequential mode on every shared mainnet block: gasUsed, receiptsRoot and logsBloom equal the header's.
import { loadBlockDir } from '../src/chain/load.js';
import { executeSequential } from '../src/exec/sequential.js';
import { describeMainnet, mainnetBlocks } from './helpers/shared.js';

describeMainnet('exec: sequential reproduces mainnet headers', () => {
  test.each(mainnetBlocks().map((d) => [d.split('/').pop()!, d]))('block %s', async (_n, dir) => {
    const { block, prestate, blockHashes } = loadBlockDir(dir);
    const { result } = await executeSequential(block, prestate, blockHashes);
    expect(result.gasUsed).toBe(Number(BigInt(block.header.gasUsed)));
    expect(result.receiptsRoot).toBe(block.header.receiptsRoot);
    expect(result.logsBloom).toBe(block.header.logsBloom);
  });
});
