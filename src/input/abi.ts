import { Interface } from '@ethersproject/abi';

/**
 * `signature -> selector` for every function of a JSON ABI, in solc's methodIdentifiers shape. Artifacts from Hardhat
 * and Truffle carry the ABI but not the identifiers; computing them here gives every input the same fields.
 */
export function methodIdentifiersFromAbi(abi: any[]): Record<string, string> {
  const out: Record<string, string> = {};
  const iface = new Interface(abi.filter((f) => f && f.type === 'function'));
  for (const f of Object.values(iface.functions)) out[f.format('sighash')] = iface.getSighash(f).slice(2);
  return out;
}
