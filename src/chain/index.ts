export * from './load.js';
export * from './fork.js';
export * from './txs.js';
export * from './crypto.js';
