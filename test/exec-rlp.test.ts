// The one-buffer RLP encoder (src/exec/rlp.ts) gives @ethereumjs/rlp's bytes, on the shapes the block close uses and
// on random nested lists with every length class (single bytes, short and long strings, long lists).
import { RLP } from '@ethereumjs/rlp';
import { rlpEncode, type RlpItem } from '../src/exec/rlp';
import { bigToBytes } from '../src/exec/trie';

function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomItem(r: () => number, depth: number): RlpItem {
  if (depth > 3 || r() < 0.6) {
    const lens = [0, 1, 1, 2, 20, 32, 55, 56, 57, 255, 256, 1000];
    const n = lens[Math.floor(r() * lens.length)]!;
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
    if (n === 1 && r() < 0.5) b[0] = Math.floor(r() * 0x80);
    return b;
  }
  const n = Math.floor(r() * (r() < 0.2 ? 40 : 5));
  return Array.from({ length: n }, () => randomItem(r, depth + 1));
}

test('rlpEncode equals RLP.encode on random nested byte lists', () => {
  const r = rand(7);
  for (let i = 0; i < 400; i++) {
    const x = randomItem(r, 0);
    expect(Buffer.from(rlpEncode(x)).equals(RLP.encode(x as any))).toBe(true);
  }
  // A length field of three bytes, for a string and a list.
  const big = new Uint8Array(70000).fill(9);
  for (const x of [big, [big, [new Uint8Array(1)]]] as RlpItem[]) expect(Buffer.from(rlpEncode(x)).equals(RLP.encode(x as any))).toBe(true);
});

test('bigToBytes: minimal big-endian bytes around the 2^53 fast-path edge', () => {
  const values = [0n, 1n, 127n, 128n, 255n, 256n, 65535n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n, 2n ** 256n - 1n];
  for (let k = 0n; k < 300n; k++) values.push(k * 7919n ** (k % 9n));
  for (const v of values) {
    const hex = v === 0n ? '' : v.toString(16).padStart(Math.ceil(v.toString(16).length / 2) * 2, '0');
    expect(Buffer.from(bigToBytes(v)).toString('hex')).toBe(hex);
  }
});
