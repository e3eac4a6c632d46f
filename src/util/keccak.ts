import { keccak_256 } from '@noble/hashes/sha3.js';

/** keccak256 of bytes (or of a UTF-8 string). */
export function keccak256(data: Uint8Array | string): Uint8Array {
  return keccak_256(typeof data === 'string' ? new TextEncoder().encode(data) : data);
}

export function toHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** The 4-byte selector of a canonical signature, as 0x + 8 hex digits. */
export function selectorOf(signature: string): `0x${string}` {
  return toHex(keccak256(signature).subarray(0, 4));
}
