/**
 * A call whose input is longer than MAX_REGION_WORDS (a batch forwarding a calldata array of structs): the generic
 * exploration does not keep it word by word, the input-specialized one (src/evm/facts.ts) does, up to
 * MAX_CALL_INPUT_WORDS_FACTS (src/evm/limits.ts). Fixture: two hand-assembled contracts (bytecode below), analyzed by
 * the real analyzer: a caller that re-sends its calldata under another selector, and a callee that writes the slot
 * named by its last input word.
 */
import type { Prestate } from '../src/chain/load.js';
import { bindTx, type BindContext, type BlockEnv } from '../src/hints/bind.js';
import { AnalysisCache, stateView } from '../src/hints/context.js';
import { MAX_CALL_INPUT_WORDS_FACTS, MAX_REGION_WORDS } from '../src/evm/limits.js';
import type { Hex } from '../src/types.js';

const A = (n: number): Hex => ('0x' + n.toString(16).padStart(40, '0')) as Hex;
const CALLER = A(0xc0de);
const CALLEE = A(0x7a7a);
const ALICE = A(0xa11ce);
const push = (v: bigint, n: number) => [0x5f + n, ...Buffer.from(v.toString(16).padStart(2 * n, '0'), 'hex')];

/** mstore(0, 0xdeadbeef << 224); calldatacopy(4, 4, calldatasize() - 4); call(gas(), CALLEE, 0, 0, calldatasize(), 0, 0) */
const callerCode = [
  ...push(0xdeadbeefn, 4), ...push(0xe0n, 1), 0x1b, ...push(0n, 1), 0x52,
  ...push(4n, 1), 0x36, 0x03, ...push(4n, 1), ...push(4n, 1), 0x37,
  ...push(0n, 1), ...push(0n, 1), 0x36, ...push(0n, 1), ...push(0n, 1), ...push(BigInt(CALLEE), 20), 0x5a, 0xf1, 0x50, 0x00,
];
/** sstore(calldataload(calldatasize() - 32), 1) */
const calleeCode = [...push(1n, 1), ...push(0x20n, 1), 0x36, 0x03, 0x35, 0x55, 0x00];

const env: BlockEnv = { number: 300n, timestamp: 1000n, coinbase: 0xc0n, gasLimit: 30_000_000n, baseFee: 7n, difficulty: 0n, chainId: 1n, hardfork: 'shanghai' };

function bindWords(words: number, specialize = true) {
  const pre: Prestate = new Map();
  pre.set(CALLER, { balance: 0n, nonce: 1n, code: Uint8Array.from(callerCode), storage: new Map() });
  pre.set(CALLEE, { balance: 0n, nonce: 1n, code: Uint8Array.from(calleeCode), storage: new Map() });
  pre.set(ALICE, { balance: 10n ** 18n, nonce: 0n, code: new Uint8Array(0), storage: new Map() });
  const state = stateView(pre);
  const ctx: BindContext = { state, block: env, analysis: new AnalysisCache().provider, codeHash: (a) => state.codeHash(a), specialize };
  const data = Buffer.alloc(4 + 32 * words);
  data.writeUInt32BE(0x12345678, 0);
  for (let i = 0; i < words; i++) data.writeUInt32BE(0x100 + i, 4 + 32 * i + 28);
  return bindTx({ index: 0, hash: ('0x' + '11'.repeat(32)) as Hex, from: ALICE, to: CALLER, value: 0n, input: Uint8Array.from(data), nonce: 0n, gasPrice: 10n }, ctx);
}

describe('call inputs longer than MAX_REGION_WORDS', () => {
  test(`an input of ${MAX_REGION_WORDS + 16} words binds the callee exactly (specialized), and the transaction is complete`, () => {
    const n = MAX_REGION_WORDS + 16;
    const b = bindWords(n);
    expect([...(b.writes.get(CALLEE) ?? [])]).toEqual([BigInt(0x100 + n - 1)]);
    expect(b.complete).toBe(true);
  });

  test('without specialization the callee of such a call is not bound, and the transaction is incomplete', () => {
    const b = bindWords(MAX_REGION_WORDS + 16, false);
    expect(b.writes.get(CALLEE)).toBeUndefined();
    expect(b.complete).toBe(false);
  });

  test(`past MAX_CALL_INPUT_WORDS_FACTS (${MAX_CALL_INPUT_WORDS_FACTS}) the input is unknown again: incomplete, nothing guessed`, () => {
    const b = bindWords(MAX_CALL_INPUT_WORDS_FACTS + 8);
    expect(b.writes.get(CALLEE)).toBeUndefined();
    expect(b.complete).toBe(false);
  });
});
