/**
 * RLP encoding of byte strings and nested lists into one buffer, for the block close (trie nodes, account bodies,
 * receipts): two passes (sizes, then bytes) instead of @ethereumjs/rlp's concatenation at every level, which took
 * most of the receipts root and state root time. Same bytes as `RLP.encode` for Uint8Array / array inputs.
 */

export type RlpItem = Uint8Array | RlpItem[];

/** Bytes of the length field for a payload of `len` bytes (0 when it fits in the prefix byte). */
function lenOfLen(len: number): number {
  let n = 0;
  while (len > 0) {
    n++;
    len = Math.floor(len / 256);
  }
  return n;
}

/** Encoded size of one item, with the payload sizes of its lists recorded in `sizes` (pre-order). */
function measure(x: RlpItem, sizes: number[]): number {
  if (x instanceof Uint8Array) {
    const n = x.length;
    if (n === 1 && x[0]! < 0x80) return 1;
    return n < 56 ? 1 + n : 1 + lenOfLen(n) + n;
  }
  const at = sizes.length;
  sizes.push(0);
  let payload = 0;
  for (let i = 0; i < x.length; i++) payload += measure(x[i]!, sizes);
  sizes[at] = payload;
  return payload < 56 ? 1 + payload : 1 + lenOfLen(payload) + payload;
}

function writeHeader(out: Uint8Array, pos: number, len: number, offset: number): number {
  if (len < 56) {
    out[pos] = offset + len;
    return pos + 1;
  }
  const ll = lenOfLen(len);
  out[pos] = offset + 55 + ll;
  for (let i = ll; i > 0; i--) {
    out[pos + i] = len & 0xff;
    len = Math.floor(len / 256);
  }
  return pos + 1 + ll;
}

interface Cursor {
  pos: number;
  list: number;
}

function write(x: RlpItem, out: Uint8Array, sizes: number[], c: Cursor): void {
  if (x instanceof Uint8Array) {
    if (x.length === 1 && x[0]! < 0x80) {
      out[c.pos++] = x[0]!;
      return;
    }
    c.pos = writeHeader(out, c.pos, x.length, 0x80);
    out.set(x, c.pos);
    c.pos += x.length;
    return;
  }
  c.pos = writeHeader(out, c.pos, sizes[c.list++]!, 0xc0);
  for (let i = 0; i < x.length; i++) write(x[i]!, out, sizes, c);
}

/** RLP.encode for byte strings and (nested) lists of them. */
export function rlpEncode(x: RlpItem): Uint8Array {
  const sizes: number[] = [];
  const total = measure(x, sizes);
  const out = new Uint8Array(total);
  write(x, out, sizes, { pos: 0, list: 0 });
  return out;
}
