/**
 * TypeScript's CommonJS output re-exports a package's modules through getters, `get: function () { return m[k]; }`:
 * one function shared by every export, so every `util_1.bytesToBigInt` or `util_1.BIGINT_0` that @ethereumjs reads
 * in its interpreter is a call and a megamorphic keyed load (gen-erc20-1000 executed on one thread: 295-310 ms with
 * the getters, 277-281 ms without). This module replaces those index modules in the require cache by plain objects
 * with the same values (they export functions, classes and constants, none reassigned after loading): modules loaded
 * afterwards read data properties. It changes no value; it only helps where it is imported before @ethereumjs is
 * first loaded (the CLI, the library index and the executor's worker import it first).
 */

/** Index modules, dependencies first (each is loaded once its own dependencies are already flat). */
const INDEXES: Array<[pkg: string, file?: string]> = [
  ['@ethereumjs/util'],
  ['@ethereumjs/rlp'],
  ['@ethereumjs/common'],
  ['@ethereumjs/tx'],
  ['@ethereumjs/mpt'],
  ['@ethereumjs/statemanager'],
  ['@ethereumjs/block'],
  // evm's own opcodes index, read by its interpreter on every opcode; it loads none of the evm's other modules
  ['@ethereumjs/evm', 'opcodes/index.js'],
  ['@ethereumjs/evm'],
  ['@ethereumjs/vm'],
];

/** Runs once, when this module is first imported. */
function flattenExports(): void {
  for (const [pkg, file] of INDEXES) {
    let id: string;
    try {
      id = require.resolve(pkg);
    } catch {
      continue;
    }
    if (file !== undefined) id = id.replace(/index\.js$/, file);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exp = require(id);
    const mod = require.cache[id];
    if (mod === undefined || mod.exports !== exp) continue;
    const flat: Record<string, unknown> = {};
    for (const k of Object.keys(exp)) flat[k] = exp[k];
    Object.defineProperty(flat, '__esModule', { value: true });
    mod.exports = flat;
  }
}

flattenExports();
