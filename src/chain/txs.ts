/**
 * RPC transaction JSON -> @ethereumjs/tx typed transactions (legacy, EIP-2930, EIP-1559, EIP-4844, EIP-7702), and
 * sender recovery through the Common's `customCrypto.ecrecover` (native secp256k1, see crypto.ts).
 */
import type { Common } from '@ethereumjs/common';
import { createTx, paramsTx, type TypedTransaction } from '@ethereumjs/tx';
import { PrescientError } from '../errors.js';
import type { Hex } from '../types.js';

const REQUIRED = ['nonce', 'gas', 'value', 'input', 'r', 's'] as const;

/**
 * Intrinsic gas of a transaction without input or access list, in every fork from Frontier to Prague: a plain
 * transfer with no more gas than this runs no code at its recipient.
 */
export const PLAIN_TRANSFER_GAS = 21_000n;

function field(t: any, name: string, where: string): any {
  const v = t[name];
  if (v === undefined || v === null) throw new PrescientError('BAD_BLOCK', `${where}.${name}`, 'missing field');
  return v;
}

/** One RPC transaction object to a typed transaction; `where` names it in errors (e.g. `block.json: transactions[3]`). */
export function rpcToTx(t: any, common: Common, where: string): TypedTransaction {
  for (const f of REQUIRED) field(t, f, where);
  const type = t.type === undefined || t.type === null ? 0 : Number(t.type);
  if (![0, 1, 2, 3, 4].includes(type)) throw new PrescientError('BAD_BLOCK', `${where}.type`, `unsupported type ${t.type}`);
  const data: Record<string, unknown> = {
    type,
    nonce: t.nonce,
    gasLimit: t.gas,
    to: t.to ?? undefined,
    value: t.value,
    data: t.input,
    r: t.r,
    s: t.s,
  };
  if (type === 0) {
    data.gasPrice = field(t, 'gasPrice', where);
    data.v = field(t, 'v', where);
  } else {
    data.v = t.yParity ?? field(t, 'v', where);
    data.chainId = field(t, 'chainId', where);
    data.accessList = (t.accessList ?? []).map((e: any) => ({ address: e.address, storageKeys: e.storageKeys ?? [] }));
    if (type === 1) data.gasPrice = field(t, 'gasPrice', where);
    else {
      data.maxFeePerGas = field(t, 'maxFeePerGas', where);
      data.maxPriorityFeePerGas = field(t, 'maxPriorityFeePerGas', where);
    }
    if (type === 3) {
      data.maxFeePerBlobGas = field(t, 'maxFeePerBlobGas', where);
      data.blobVersionedHashes = field(t, 'blobVersionedHashes', where);
    }
    if (type === 4) data.authorizationList = field(t, 'authorizationList', where);
  }
  try {
    return createTx(data as any, { common, allowUnlimitedInitCodeSize: false });
  } catch (e) {
    throw new PrescientError('BAD_BLOCK', where, `invalid transaction: ${(e as Error).message}`, { cause: e });
  }
}

export function rpcToTxs(txs: any[], common: Common, source = 'block.json'): TypedTransaction[] {
  const shared = sharedTxCommon(common);
  return txs.map((t, i) => rpcToTx(t, shared, `${source}: transactions[${i}]`));
}

/**
 * A stand-in for `common` whose copies are one Common prepared with the transaction parameters. @ethereumjs/tx copies
 * the Common it is given and merges those parameters into the copy for every transaction (twice for a legacy one):
 * ~0.08 ms each, most of the time loading a block took. The transactions of a block only read their Common (runTx
 * sets its hardfork only where it differs from the block's, which it never does here), so they can share one.
 */
function sharedTxCommon(common: Common): Common {
  const shared = common.copy();
  shared.updateParams(paramsTx);
  shared.updateParams = (params) => {
    if (params !== paramsTx) throw new Error('a transaction asked for parameters other than @ethereumjs/tx paramsTx');
  };
  const handle = Object.create(common) as Common;
  handle.copy = () => shared;
  return handle;
}

/**
 * The sender of a transaction, lowercase 0x. When the RPC object carries `from`, the recovered sender must equal it
 * (a mismatch means the conversion or the data is wrong, and executing would give a wrong result).
 */
export function recoverSender(tx: TypedTransaction, rpcFrom: unknown, where: string): Hex {
  let sender: string;
  try {
    sender = tx.getSenderAddress().toString();
  } catch (e) {
    throw new PrescientError('BAD_BLOCK', where, `cannot recover the sender: ${(e as Error).message}`, { cause: e });
  }
  if (typeof rpcFrom === 'string' && rpcFrom.toLowerCase() !== sender) {
    throw new PrescientError('BAD_BLOCK', `${where}.from`, `is ${rpcFrom} but the signature recovers ${sender}`);
  }
  return sender as Hex;
}

/** Senders of a contiguous range of transactions (the parallel executor splits recovery across workers). */
export function recoverSenders(txs: TypedTransaction[], rpc: any[], source = 'block.json', from = 0, to = txs.length): Hex[] {
  const out: Hex[] = [];
  for (let i = from; i < to; i++) out.push(recoverSender(txs[i]!, rpc[i]?.from, `${source}: transactions[${i}]`));
  return out;
}
