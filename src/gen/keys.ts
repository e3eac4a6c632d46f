import secp256k1 from 'secp256k1';
import { keccak256 } from '../chain/crypto.js';
import type { Hex } from '../types.js';

/** A deterministic externally owned account: generated blocks must be byte-identical for the same seed. */
export interface Key {
  privateKey: Uint8Array;
  address: Hex;
}

/** keccak256("prescient:<label>") as a private key (valid: below the curve order with overwhelming probability). */
export function keyFor(label: string): Key {
  const privateKey = keccak256(new TextEncoder().encode(`prescient:${label}`));
  // Native secp256k1: the JS curve costs ~0.5 ms per key, noticeable with thousands of users.
  const publicKey = secp256k1.publicKeyCreate(privateKey, false).subarray(1);
  return { privateKey, address: `0x${Buffer.from(keccak256(publicKey).subarray(12)).toString('hex')}` as Hex };
}

/** The deployer/owner of every example contract. */
export const DEPLOYER = (): Key => keyFor('deployer');

/** User `i` (0-based). */
export const userKey = (i: number): Key => keyFor(`user:${i}`);

/** Addresses that receive but never send (a hot "exchange" address, fresh recipients). */
export const addressFor = (label: string): Hex =>
  `0x${Buffer.from(keccak256(new TextEncoder().encode(`prescient:addr:${label}`)).subarray(12)).toString('hex')}` as Hex;
