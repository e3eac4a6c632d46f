import { PrescientError } from '../errors.js';
import type { CodeHole } from './types.js';

/**
 * Library link placeholders left in unlinked bytecode: solc >= 0.5 writes `__$<34 hex>$__`, older solc and Truffle
 * write `__<name padded with _>` ; both are 40 characters (one 20-byte address). They become zeros so the bytes parse,
 * but the address is not known: `placeholderHoles` says where they were, and analysis reads them as unknown (a call
 * "to 0x0" would be a wrong answer, not a cautious one).
 */
const LINK_PLACEHOLDER = /__\$[0-9a-fA-F]{34}\$__|__[A-Za-z0-9_.:/$-]{36}__/g;

/** True when `text` (hex digits) still contains library link placeholders. */
export function hasLinkPlaceholders(text: string): boolean {
  LINK_PLACEHOLDER.lastIndex = 0;
  return LINK_PLACEHOLDER.test(text);
}

/**
 * The link placeholders in `text` (hex as `parseHexCode` reads it) as holes at their byte offsets. The old-style
 * placeholder holds the library's name (as much as fits); the `__$hash$__` one only a hash of it, shown whole so that
 * two libraries stay apart.
 */
export function placeholderHoles(text: string): CodeHole[] {
  const holes: CodeHole[] = [];
  if (!hasLinkPlaceholders(text)) return holes;
  const skip = prefixEnd(text);
  let digits = 0; // hex digits (placeholder characters included) before `at`
  let at = 0;
  LINK_PLACEHOLDER.lastIndex = 0;
  for (let m = LINK_PLACEHOLDER.exec(text); m !== null; m = LINK_PLACEHOLDER.exec(text)) {
    for (; at < m.index; at++) {
      const c = text[at]!;
      if (at >= skip && c !== ' ' && c !== '\t' && c !== '\r' && c !== '\n') digits++;
    }
    const p = m[0];
    const what = p.startsWith('__$') ? `unlinked library (placeholder ${p})` : `library ${p.slice(2, -2).replace(/_+$/, '')} (unlinked)`;
    holes.push({ start: digits >> 1, length: 20, what });
  }
  return holes;
}

/** Where the digits may start: past a leading `0x` (after any whitespace), else 0. */
function prefixEnd(text: string): number {
  const first = text.search(/\S/);
  return first >= 0 && /^0x/i.test(text.slice(first, first + 2)) ? first + 2 : 0;
}

/**
 * Parses bytecode written as hex: an optional `0x`, whitespace and newlines anywhere, link placeholders zeroed.
 * Bad input (a non-hex character, odd length, nothing at all) is a PrescientError naming `source` and the position.
 */
export function parseHexCode(text: string, source: string): Uint8Array {
  // Placeholders are replaced by as many zeros, so positions in error messages stay those of the original text.
  const s = text.replace(LINK_PLACEHOLDER, '0'.repeat(40));
  // Fast path for the usual case (one clean line); the character loop below is for whitespace and for errors.
  const trimmed = s.trim();
  const body = /^0x/i.test(trimmed) ? trimmed.slice(2) : trimmed;
  if (body.length > 0 && body.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(body)) return hexToBytes(body);
  const skip = prefixEnd(s);
  const digits: string[] = [];
  let line = 1;
  let col = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\n') {
      line++;
      col = 0;
      continue;
    }
    col++;
    if (i < skip || c === ' ' || c === '\t' || c === '\r') continue;
    if (!isHexDigit(c.charCodeAt(0))) {
      const shown = JSON.stringify(c).slice(1, -1);
      throw new PrescientError('BAD_HEX', source, `not hex bytecode: unexpected character '${shown}' at line ${line}, column ${col}`);
    }
    digits.push(c);
  }
  const hex = digits.join('');
  if (hex.length === 0) throw new PrescientError('EMPTY_CODE', source, 'empty bytecode');
  if (hex.length % 2 !== 0) {
    throw new PrescientError('BAD_HEX', source, `odd number of hex digits (${hex.length}): bytecode must be whole bytes`);
  }
  return hexToBytes(hex);
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Hex digits (no prefix, even length, already validated) to bytes. */
export function hexToBytes(hex: string): Uint8Array {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex;
  return new Uint8Array(Buffer.from(h, 'hex'));
}

/** Bytes to `0x`-prefixed lowercase hex. */
export function bytesToHex(b: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`;
}
