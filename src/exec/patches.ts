/**
 * Speed-ups for @ethereumjs 10.1.3 that change no result:
 * - the interpreter analyses jump destinations of a contract on every message (~15% of sequential time on mainnet
 *   blocks); the analysis depends only on the code and the hardfork, so it is cached per (Common, code bytes);
 * - `Common.isActivatedEIP` scans an array on every opcode; a Set answers the same for a Common whose hardfork no
 *   longer changes (one block's).
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

export function freezeEips(common: Common): void {
  const set = new Set<number>((common as any)._activatedEIPsCache as number[]);
  (common as any).isActivatedEIP = (eip: number) => set.has(eip);
}
