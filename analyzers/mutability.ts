/**
 * Mutability analysis: what the explored paths do to state. evmole's stateMutability is the primary answer (it also
 * sees the callvalue check that makes a function non-payable); this one cross-checks it: a function evmole calls
 * `view` must not write.
 */
import type { Observer } from '../src/evm/machine.js';
import type { OpInfo } from '../src/evm/opcodes.js';
import type { Mutability } from '../src/types.js';

const WRITES = new Set(['SSTORE', 'LOG0', 'LOG1', 'LOG2', 'LOG3', 'LOG4', 'CREATE', 'CREATE2', 'SELFDESTRUCT', 'CALL', 'CALLCODE', 'DELEGATECALL', 'TSTORE']);
const READS = new Set(['SLOAD', 'BALANCE', 'SELFBALANCE', 'STATICCALL', 'EXTCODESIZE', 'EXTCODEHASH', 'EXTCODECOPY', 'TLOAD', 'ADDRESS', 'ORIGIN', 'CALLER', 'TIMESTAMP', 'NUMBER', 'COINBASE', 'BLOCKHASH', 'GASPRICE', 'CHAINID', 'BASEFEE']);

export class MutabilityAnalyzer implements Observer {
  writes = false;
  reads = false;
  callvalue = false;

  step(_pc: number, op: OpInfo): void {
    if (WRITES.has(op.name)) this.writes = true;
    else if (READS.has(op.name)) this.reads = true;
    else if (op.name === 'CALLVALUE') this.callvalue = true;
  }

  /** Our own estimate (payable cannot be told from reachability alone: no-callvalue-check is the payable sign). */
  finish(): Mutability {
    return this.writes ? 'nonpayable' : this.reads ? 'view' : 'pure';
  }
}
