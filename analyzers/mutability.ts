/**
 * Mutability analysis: what the explored paths do to state, and whether the function rejects ETH (solc's
 * `if (callvalue) revert` check, seen as a branch on ISZERO(CALLVALUE)). evmole's stateMutability says the same but
 * costs up to seconds on large contracts, so this is the default.
 */
import type { Observer } from '../src/evm/machine.js';
import type { OpInfo } from '../src/evm/opcodes.js';
import type { Sym } from '../src/evm/sym.js';
import type { Mutability } from '../src/types.js';

const WRITES = new Set(['SSTORE', 'LOG0', 'LOG1', 'LOG2', 'LOG3', 'LOG4', 'CREATE', 'CREATE2', 'SELFDESTRUCT', 'CALL', 'CALLCODE', 'DELEGATECALL', 'TSTORE']);
const READS = new Set(['SLOAD', 'BALANCE', 'SELFBALANCE', 'STATICCALL', 'EXTCODESIZE', 'EXTCODEHASH', 'EXTCODECOPY', 'TLOAD', 'ADDRESS', 'ORIGIN', 'CALLER', 'TIMESTAMP', 'NUMBER', 'COINBASE', 'BLOCKHASH', 'GASPRICE', 'CHAINID', 'BASEFEE']);

export class MutabilityAnalyzer implements Observer {
  writes = false;
  reads = false;
  callvalue = false;

  /** A branch on msg.value being zero: the non-payable guard. */
  rejectsValue = false;

  branch(_pc: number, cond: Sym): void {
    if (cond.k === 'op' && cond.name === 'ISZERO' && cond.args[0]!.k === 'env' && cond.args[0]!.name === 'CALLVALUE') this.rejectsValue = true;
  }

  step(_pc: number, op: OpInfo): void {
    if (WRITES.has(op.name)) this.writes = true;
    else if (READS.has(op.name)) this.reads = true;
    else if (op.name === 'CALLVALUE') this.callvalue = true;
  }

  /** payable when nothing rejects ETH and the function changes state; else nonpayable, view or pure. */
  finish(): Mutability {
    if (!this.rejectsValue && (this.writes || this.callvalue)) return 'payable';
    return this.writes ? 'nonpayable' : this.reads ? 'view' : 'pure';
  }
}
