// Tests run TypeScript through @swc/jest (type-checking is `tsc`'s job in `npm test`).
// @noble/* (pulled in by @ethereumjs 10) ships ESM only, so it is transformed too.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(@noble)/)'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  // Sources import relative modules as `./x.js` (nodenext); jest resolves them to the .ts files.
  moduleNameMapper: { '^(\.{1,2}/.*)\.js$': '$1' },
  testTimeout: 120000,
  // Jest's default (cores - 1) runs the suites one by one on a 2-core machine: 653 s there, 388 s with two workers
  // (2026-11-27, the same 601 tests). Speed is only bounded loosely (a bad-input error within 2 s), never measured.
  maxWorkers: 2,
};
