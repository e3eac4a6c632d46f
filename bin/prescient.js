#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled TypeScript (npm ci runs `prepare`, which builds dist/).
let main;
try {
  main = require('../dist/src/cli/main.js').main;
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND') {
    process.stderr.write('prescient: dist/ is missing; run `npm run build` first\n');
    process.exit(2);
  }
  throw e;
}
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
