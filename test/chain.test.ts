// The chain loader on every shared mainnet block (hardfork per the data README, tx conversion checked by hash and
// sender), plus malformed inputs that must fail as one-line PrescientErrors naming the file and field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '@ethereumjs/util';
import { loadBlockDir, loadBlockFiles, parsePrestate } from '../src/chain/load.js';
import { commonFor, hardforkFor } from '../src/chain/fork.js';
import { initCrypto } from '../src/chain/crypto.js';
import { recoverSenders, rpcToTxs } from '../src/chain/txs.js';
import { PrescientError } from '../src/errors.js';
import { describeMainnet, mainnetBlocks } from './helpers/shared.js';

const FORKS: Record<string, string> = {
  '4370000': 'byzantium', '7280000': 'petersburg', '9069000': 'istanbul', '10760440': 'muirGlacier',
  '12244000': 'berlin', '13217637': 'london', '14029313': 'arrowGlacier', '15274915': 'grayGlacier',
  '15537393': 'grayGlacier', '15537394': 'paris', '17034869': 'paris', '17666333': 'shanghai', '19426587': 'cancun',
};

describeMainnet('chain: mainnet blocks', () => {
  beforeAll(() => initCrypto());
  test.each(mainnetBlocks().map((d) => [d.split('/').pop()!, d]))('block %s loads, txs hash and recover', (_n, dir) => {
    const { block, prestate } = loadBlockDir(dir);
    const n = block.number.toString();
    if (FORKS[n]) expect(hardforkFor(block.number, block.timestamp)).toBe(FORKS[n]);
    if (block.transactions.length > 0) expect(prestate.size).toBeGreaterThan(0);
    const common = commonFor(block.number, block.timestamp);
    const txs = rpcToTxs(block.transactions, common);
    txs.forEach((tx, i) => expect(bytesToHex(tx.hash())).toBe(block.transactions[i].hash));
    const senders = recoverSenders(txs, block.transactions);
    expect(senders.length).toBe(txs.length);
  });
});

describe('chain: bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescient-chain-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const expectError = (f: () => unknown, re: RegExp) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(PrescientError);
      expect((e as Error).message).toMatch(re);
      expect((e as Error).message).not.toContain('\n');
      return;
    }
    throw new Error('expected an error');
  };
  const okPre = write('pre.json', '{"0x0000000000000000000000000000000000000001": {"balance": "0x1", "nonce": 0}}');
  test('malformed JSON names the file', () => {
    expectError(() => loadBlockFiles(write('b1.json', '{"number": '), okPre), /b1\.json: malformed JSON/);
  });
  test('missing block field names it', () => {
    expectError(
      () => loadBlockFiles(write('b2.json', '{"number": "0x1", "hash": "0x00", "transactions": []}'), okPre),
      /b2\.json: timestamp: missing field/,
    );
  });
  test('missing file', () => {
    expectError(() => loadBlockDir(join(dir, 'nope')), /nope: no such block folder/);
  });
  test('bad prestate field', () => {
    expectError(
      () => parsePrestate({ '0x0000000000000000000000000000000000000001': { balance: 'zz' } }, 'p.json'),
      /p\.json: 0x0+1\.balance/,
    );
    expectError(() => parsePrestate({ '0x01': {} }, 'p.json'), /not a 20-byte/);
  });
  test('bad tx field names the transaction', () => {
    const common = commonFor(1n, 0n);
    expectError(() => rpcToTxs([{ nonce: '0x0' }], common), /transactions\[0\]\.gas: missing field/);
  });
  test('unknown fork / chain', () => {
    expectError(() => hardforkFor(1n, 0n, { fork: 'nope' }), /--fork/);
    expectError(() => hardforkFor(1n, 0n, { chain: 'nope' }), /--chain/);
  });
});
