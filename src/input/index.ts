export * from './types.js';
export * from './hex.js';
export * from './creation.js';
export * from './layout.js';
export * from './abi.js';
export * from './artifact.js';
export * from './compile.js';
export * from './load.js';
