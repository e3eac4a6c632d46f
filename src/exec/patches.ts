/**
 * Speed-ups for @ethereumjs 10.1.3 that change no result:
 * - the interpreter analyses jump destinations of a contract on every message (~15% of sequential time on mainnet
 *   blocks); the analysis depends only on the code and the hardfork, so it is cached per (Common, code bytes);
 * - `Common.isActivatedEIP` scans an array on every opcode; a Set answers the same for a Common whose hardfork no
 *   longer changes (one block's);
 * - @ethereumjs/util's `setLengthLeft`/`setLengthRight` pad through array spreads and `bigIntToBytes` decodes hex
 *   through a validating decoder; MSTORE, LOG, SSTORE and friends call them on every execution. The replacements
 *   return the same bytes and throw in the same cases.
 */
import type { Common } from '@ethereumjs/common';

let patched = false;

export function patchInterpreter(): void {
  if (patched) return;
  patched = true;
  const interpreterPath = require.resolve('@ethereumjs/evm').replace(/index\.js$/, 'interpreter.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Interpreter } = require(interpreterPath);
  const orig = Interpreter.prototype._getValidJumpDestinations;
  const caches = new WeakMap<object, WeakMap<Uint8Array, unknown>>();
  Interpreter.prototype._getValidJumpDestinations = function (code: Uint8Array) {
    let perCommon = caches.get(this.common);
    if (perCommon === undefined) {
      perCommon = new WeakMap();
      caches.set(this.common, perCommon);
    }
    let r = perCommon.get(code);
    if (r === undefined) {
      r = orig.call(this, code);
      perCommon.set(code, r);
    }
    return r;
  };
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = HEX[65 + i] = 10 + i;

let utilPatched = false;

export function patchUtil(): void {
  if (utilPatched) return;
  utilPatched = true;
  const bytesPath = require.resolve('@ethereumjs/util').replace(/index\.js$/, 'bytes.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bytes = require(bytesPath);
  const origLeft = bytes.setLengthLeft;
  const origRight = bytes.setLengthRight;
  bytes.setLengthLeft = (msg: Uint8Array, length: number, opts?: { allowTruncate?: boolean }) => {
    if (!(msg instanceof Uint8Array) || msg.length > length) return origLeft(msg, length, opts);
    if (msg.length === length) return msg;
    const out = new Uint8Array(length);
    out.set(msg, length - msg.length);
    return out;
  };
  bytes.setLengthRight = (msg: Uint8Array, length: number, opts?: { allowTruncate?: boolean }) => {
    if (!(msg instanceof Uint8Array) || msg.length > length) return origRight(msg, length, opts);
    if (msg.length === length) return msg;
    const out = new Uint8Array(length);
    out.set(msg, 0);
    return out;
  };
  bytes.bigIntToBytes = (num: bigint, littleEndian = false) => {
    let h = num.toString(16);
    if (h.charCodeAt(0) === 45 /* '-' */) throw new Error(`bigIntToBytes: negative value ${num}`);
    if (h.length & 1) h = '0' + h;
    const out = new Uint8Array(h.length >> 1);
    for (let i = 0, j = 0; i < out.length; i++, j += 2) out[i] = (HEX[h.charCodeAt(j)]! << 4) | HEX[h.charCodeAt(j + 1)]!;
    return littleEndian ? out.reverse() : out;
  };
}

export function freezeEips(common: Common): void {
  const set = new Set<number>((common as any)._activatedEIPsCache as number[]);
  (common as any).isActivatedEIP = (eip: number) => set.has(eip);
}
