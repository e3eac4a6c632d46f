/**
 * Fast crypto for @ethereumjs through `Common.customCrypto`: native secp256k1 sender recovery (~0.18 ms vs 2.1-2.4 ms
 * for the JS default, NOTES.md) and a WASM keccak (hash-wasm). The keccak needs one async initialisation per thread
 * (`initCrypto`); until then the JS keccak of @noble/hashes is used, which gives the same bytes.
 */
import secp256k1 from 'secp256k1';
import { createKeccak, type IHasher } from 'hash-wasm';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { KZG } from '@ethereumjs/util';

/**
 * keccak256 over the concatenated 32-byte words; `size` (bytes), when given, hashes only that prefix (the analyzer
 * sets it on `keccak` nodes whose input is not a whole number of words, e.g. keccak("transfer(address,uint256)")).
 */
export function keccakWords(words: bigint[], size?: number): bigint {
  let hex = '';
  for (const w of words) hex += w.toString(16).padStart(64, '0');
  const key = size === undefined ? hex : `${hex}/${size}`;
  let h = keccakMemo.get(key);
  if (h === undefined) {
    const buf = Buffer.alloc(Math.max(32 * words.length, size ?? 0));
    buf.write(hex, 0, 'hex');
    h = BigInt('0x' + Buffer.from(keccak256(size === undefined ? buf : buf.subarray(0, size))).toString('hex'));
    if (keccakMemo.size >= KECCAK_MEMO_MAX) keccakMemo.clear();
    keccakMemo.set(key, h);
  }
  return h;
}

/**
 * Hashes by input: the same mapping slots (a balance, an allowance) are computed in many frames, in every binding
 * round of a transaction, in many transactions of a block, and by specialized explorations (src/evm/facts.ts). Bounded; cleared when full.
 */
const keccakMemo = new Map<string, bigint>();
const KECCAK_MEMO_MAX = 1 << 16;

/** Same contract as @ethereumjs/util's `ecrecover`: the 64-byte uncompressed public key without its 0x04 prefix. */
export function nativeEcrecover(
  msgHash: Uint8Array,
  v: bigint,
  r: Uint8Array,
  s: Uint8Array,
  chainId?: bigint,
): Uint8Array {
  let recovery: bigint;
  if (v === 0n || v === 1n) recovery = v;
  else if (chainId === undefined) recovery = v - 27n;
  else recovery = v - (chainId * 2n + 35n);
  if (recovery !== 0n && recovery !== 1n) throw new Error('Invalid signature v value');
  const sig = new Uint8Array(64);
  if (r.length > 32 || s.length > 32) throw new Error('Invalid signature r/s length');
  sig.set(r, 32 - r.length);
  sig.set(s, 64 - s.length);
  const pub = secp256k1.ecdsaRecover(sig, Number(recovery), msgHash, false);
  return pub.slice(1);
}

let wasmHasher: IHasher | null = null;

/** keccak256; WASM once `initCrypto` has resolved in this thread. */
export function keccak256(data: Uint8Array): Uint8Array {
  if (wasmHasher === null) return keccak_256(data);
  wasmHasher.init();
  wasmHasher.update(data);
  return wasmHasher.digest('binary');
}

let initPromise: Promise<void> | null = null;

export function initCrypto(): Promise<void> {
  initPromise ??= createKeccak(256).then((h) => {
    wasmHasher = h;
  });
  return initPromise;
}

/**
 * @ethereumjs/tx refuses to build a blob (type 3) transaction without a KZG object, though executing one never needs
 * it: blobs are not in a block body. Only the point-evaluation precompile (0x0a) verifies proofs, and no real KZG
 * library is installed, so a call to it fails the run loudly instead of returning a made-up answer.
 */
const unavailable = (): never => {
  throw new Error('KZG is not available in prescient: the point-evaluation precompile (0x0a) cannot be executed');
};
export const noKzg: KZG = {
  blobToKzgCommitment: unavailable,
  computeBlobProof: unavailable,
  verifyProof: unavailable,
  verifyBlobProofBatch: unavailable,
  computeCells: unavailable,
  computeCellsAndProofs: unavailable,
  recoverCellsAndProofs: unavailable,
  verifyCellKzgProofBatch: unavailable,
};

export interface FastCrypto {
  keccak256: (msg: Uint8Array) => Uint8Array;
  ecrecover: typeof nativeEcrecover;
  kzg: KZG;
}

export const fastCrypto: FastCrypto = { keccak256, ecrecover: nativeEcrecover, kzg: noKzg };
