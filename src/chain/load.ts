/**
 * Reading a block folder: block.json (eth_getBlockByNumber(n, true)), prestate.json (geth prestateTracer shape) and
 * block_hashes.json (`{ "number": "0xhash" }`). Every malformed field is a PrescientError naming the file and field:
 * the executor trusts what this module returns.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrescientError } from '../errors.js';
import type { Hex } from '../types.js';

export interface PrestateAccount {
  balance: bigint;
  nonce: bigint;
  code: Uint8Array;
  storage: Map<bigint, bigint>;
}

/** Keyed by lowercase 0x address. */
export type Prestate = Map<string, PrestateAccount>;

export interface ChainBlock {
  number: bigint;
  timestamp: bigint;
  hash: Hex;
  /** The raw RPC header fields (everything but `transactions`). */
  header: any;
  /** Raw RPC transaction objects, in block order. */
  transactions: any[];
  /** The file it was read from, named in errors about its fields found later (a transaction the executor rejects). */
  source?: string;
}

export interface LoadedBlock {
  block: ChainBlock;
  prestate: Prestate;
  blockHashes: Map<bigint, Hex>;
}

const HEX_RE = /^0x[0-9a-fA-F]*$/;
const ADDR_RE = /^0x[0-9a-fA-F]{40}$/;

function readJson(path: string, code: 'BAD_BLOCK' | 'BAD_PRESTATE'): unknown {
  if (!existsSync(path)) throw new PrescientError('FILE_NOT_FOUND', path, 'no such file');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PrescientError(code, path, `cannot read: ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PrescientError('BAD_JSON', path, `malformed JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** A quantity: 0x-hex string, decimal string or a safe JS integer. */
export function parseQuantity(v: unknown, where: string, code: 'BAD_BLOCK' | 'BAD_PRESTATE' = 'BAD_BLOCK'): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string') {
    if (HEX_RE.test(v)) return v.length === 2 ? 0n : BigInt(v);
    if (/^\d+$/.test(v)) return BigInt(v);
  }
  throw new PrescientError(code, where, `expected a quantity (0x-hex or integer), got ${JSON.stringify(v)}`);
}

export function parseHexBytes(v: unknown, where: string, code: 'BAD_BLOCK' | 'BAD_PRESTATE' = 'BAD_BLOCK'): Uint8Array {
  if (typeof v !== 'string' || !HEX_RE.test(v) || v.length % 2 !== 0) {
    throw new PrescientError(code, where, `expected even-length 0x-hex bytes, got ${JSON.stringify(v)?.slice(0, 40)}`);
  }
  return Uint8Array.from(Buffer.from(v.slice(2), 'hex'));
}

function parseHash(v: unknown, where: string): Hex {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(v)) {
    throw new PrescientError('BAD_BLOCK', where, `expected a 32-byte 0x-hex hash, got ${JSON.stringify(v)}`);
  }
  return v.toLowerCase() as Hex;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseBlock(json: unknown, source: string): ChainBlock {
  if (!isObject(json)) throw new PrescientError('BAD_BLOCK', source, 'expected a JSON object (eth_getBlockByNumber)');
  // Some dumps wrap the block in a JSON-RPC envelope.
  const b = isObject(json.result) && 'number' in json.result ? json.result : json;
  for (const f of ['number', 'timestamp', 'hash', 'gasLimit', 'miner', 'transactions']) {
    if (!(f in b)) throw new PrescientError('BAD_BLOCK', `${source}: ${f}`, 'missing field');
  }
  const number = parseQuantity(b.number, `${source}: number`);
  const timestamp = parseQuantity(b.timestamp, `${source}: timestamp`);
  const hash = parseHash(b.hash, `${source}: hash`);
  parseQuantity(b.gasLimit, `${source}: gasLimit`);
  if (typeof b.miner !== 'string' || !ADDR_RE.test(b.miner)) {
    throw new PrescientError('BAD_BLOCK', `${source}: miner`, `expected an address, got ${JSON.stringify(b.miner)}`);
  }
  if (!Array.isArray(b.transactions)) {
    throw new PrescientError('BAD_BLOCK', `${source}: transactions`, 'expected an array');
  }
  b.transactions.forEach((t, i) => {
    if (!isObject(t)) {
      throw new PrescientError(
        'BAD_BLOCK',
        `${source}: transactions[${i}]`,
        'expected a full transaction object (fetch the block with eth_getBlockByNumber(n, true))',
      );
    }
  });
  const { transactions, ...header } = b;
  return { number, timestamp, hash, header, transactions: transactions as any[], source };
}

export function parsePrestate(json: unknown, source: string): Prestate {
  if (!isObject(json)) throw new PrescientError('BAD_PRESTATE', source, 'expected a JSON object keyed by address');
  // As for blocks, a dump may keep the JSON-RPC envelope (no address key is named `result`).
  const accounts = 'jsonrpc' in json && isObject(json.result) ? json.result : json;
  const out: Prestate = new Map();
  for (const [addr, acct] of Object.entries(accounts)) {
    const where = `${source}: ${addr}`;
    if (!ADDR_RE.test(addr)) throw new PrescientError('BAD_PRESTATE', where, 'key is not a 20-byte 0x address');
    if (!isObject(acct)) throw new PrescientError('BAD_PRESTATE', where, 'expected an account object');
    const balance = acct.balance === undefined ? 0n : parseQuantity(acct.balance, `${where}.balance`, 'BAD_PRESTATE');
    const nonce = acct.nonce === undefined ? 0n : parseQuantity(acct.nonce, `${where}.nonce`, 'BAD_PRESTATE');
    const code =
      acct.code === undefined || acct.code === null
        ? new Uint8Array(0)
        : parseHexBytes(acct.code, `${where}.code`, 'BAD_PRESTATE');
    const storage = new Map<bigint, bigint>();
    if (acct.storage !== undefined && acct.storage !== null) {
      if (!isObject(acct.storage)) throw new PrescientError('BAD_PRESTATE', `${where}.storage`, 'expected an object');
      for (const [k, v] of Object.entries(acct.storage)) {
        const key = parseQuantity(k, `${where}.storage key ${k}`, 'BAD_PRESTATE');
        const val = parseQuantity(v, `${where}.storage[${k}]`, 'BAD_PRESTATE');
        if (key >= 1n << 256n || val >= 1n << 256n) {
          throw new PrescientError('BAD_PRESTATE', `${where}.storage[${k}]`, 'slot or value wider than 256 bits');
        }
        storage.set(key, val);
      }
    }
    out.set(addr.toLowerCase(), { balance, nonce, code, storage });
  }
  return out;
}

export function parseBlockHashes(json: unknown, source: string): Map<bigint, Hex> {
  if (!isObject(json)) throw new PrescientError('BAD_BLOCK', source, 'expected a JSON object { number: hash }');
  const out = new Map<bigint, Hex>();
  for (const [k, v] of Object.entries(json)) {
    out.set(parseQuantity(k, `${source}: key ${k}`), parseHash(v, `${source}: ${k}`));
  }
  return out;
}

export function loadBlockFiles(blockPath: string, prestatePath: string, blockHashesPath?: string): LoadedBlock {
  const block = parseBlock(readJson(blockPath, 'BAD_BLOCK'), blockPath);
  const prestate = parsePrestate(readJson(prestatePath, 'BAD_PRESTATE'), prestatePath);
  const blockHashes = blockHashesPath
    ? parseBlockHashes(readJson(blockHashesPath, 'BAD_BLOCK'), blockHashesPath)
    : new Map<bigint, Hex>();
  return { block, prestate, blockHashes };
}

/** A folder holding block.json, prestate.json and (optionally) block_hashes.json. */
export function loadBlockDir(dir: string): LoadedBlock {
  if (!existsSync(dir)) throw new PrescientError('FILE_NOT_FOUND', dir, 'no such block folder');
  const hashes = join(dir, 'block_hashes.json');
  return loadBlockFiles(join(dir, 'block.json'), join(dir, 'prestate.json'), existsSync(hashes) ? hashes : undefined);
}
