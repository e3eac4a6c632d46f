/**
 * Input facts: the concrete inputs of one call (calldata words, its size, caller, value, block fields) that an
 * exploration may use to decide branches, offsets and lengths instead of exploring every way. A run with facts
 * explores only what a call with those inputs can do, so a loop over a calldata array unrolls exactly as often as
 * the array is long. Every decision is recorded as an assumption; the footprint holds for any call whose inputs
 * satisfy all of them (src/hints reuses it across transactions that way).
 */
import { keccakWords } from '../chain/crypto.js';
import { evalOp, type Sym } from './sym.js';

/** What the caller of an exploration knows concretely; null where a value is not a fact (a stale or unknown word). */
export interface Inputs {
  /** The 32-byte calldata word at byte offset `off` (zero past the end), or null. */
  word(off: bigint): bigint | null;
  size: bigint | null;
  /** CALLER, CALLVALUE, ORIGIN, ADDRESS, TIMESTAMP, NUMBER, ... or null. */
  env(name: string): bigint | null;
  /**
   * The value of this contract's storage at a slot the inputs name (a fee rate, a pause flag, the caller's balance or
   * allowance), or null where the caller cannot vouch for it (src/hints reads it as a guard reads storage).
   */
  storage?(slot: bigint): bigint | null;
  /**
   * EXTCODESIZE or EXTCODEHASH of an address, where the caller can vouch that no earlier transaction changes it and
   * this one cannot either (an account with code keeps it until the transaction ends), else null.
   */
  code?(what: 'EXTCODESIZE' | 'EXTCODEHASH', addr: bigint): bigint | null;
  /** BLOCKHASH of a block number (fixed for the whole block: no transaction can change it), or null where unknown. */
  blockhash?(n: bigint): bigint | null;
}

/**
 * A decision an exploration took on the facts: `value` of `sym` (for a branch condition: 1 = taken, 0 = not); or,
 * with `open`, a value made of inputs alone that was not a fact (a stale or unknown word), so both ways were explored.
 * Open ones make reuse exact: a call that knows more of its inputs than the exploration did would explore less.
 */
export interface Assumption {
  sym: Sym;
  value: bigint;
  /** A branch condition: only its truth was assumed. */
  truth: boolean;
  open?: true;
}

/** Evaluates symbolic values over concrete inputs (memoized per node: nodes are hash-consed). */
export class Facts {
  private readonly memo = new Map<Sym, bigint | null>();
  constructor(private readonly inputs: Inputs) {}

  /** Is `s` made of inputs alone (calldata, its size, environment values, slots they name), so that some call could know it? */
  inputOnly(s: Sym): boolean {
    switch (s.k) {
      case 'const':
      case 'env':
      case 'cd':
        return true;
      // The value of a slot the inputs name is an input where the caller can vouch for it (`Inputs.storage`).
      case 'sload':
        return s.n === 0 && this.inputs.storage !== undefined && this.inputOnly(s.args[0]!);
      case 'ext':
        return this.inputs.code !== undefined && this.inputOnly(s.args[0]!);
      case 'blockhash':
        return this.inputs.blockhash !== undefined && this.inputOnly(s.args[0]!);
      case 'keccak':
      case 'cdx':
      case 'op': {
        const m = this.onlyMemo.get(s);
        if (m !== undefined) return m;
        const r = s.args.every((a) => this.inputOnly(a));
        this.onlyMemo.set(s, r);
        return r;
      }
      default:
        return false;
    }
  }
  private readonly onlyMemo = new Map<Sym, boolean>();

  value(s: Sym): bigint | null {
    if (s.isConst) return s.v;
    const m = this.memo.get(s);
    if (m !== undefined) return m;
    const r = this.compute(s);
    this.memo.set(s, r);
    return r;
  }

  private compute(s: Sym): bigint | null {
    switch (s.k) {
      case 'env':
        return s.name === 'CALLDATASIZE' ? this.inputs.size : this.inputs.env(s.name);
      case 'cd':
        return this.inputs.word(s.v);
      case 'sload': {
        if (s.n !== 0 || this.inputs.storage === undefined) return null;
        const v = this.value(s.args[0]!);
        return v === null ? null : this.inputs.storage(v);
      }
      case 'ext': {
        if (this.inputs.code === undefined) return null;
        const a = this.value(s.args[0]!);
        return a === null ? null : this.inputs.code(s.name as 'EXTCODESIZE' | 'EXTCODEHASH', a & ((1n << 160n) - 1n));
      }
      case 'blockhash': {
        if (this.inputs.blockhash === undefined) return null;
        const n = this.value(s.args[0]!);
        return n === null ? null : this.inputs.blockhash(n);
      }
      case 'keccak': {
        const words = this.values(s.args);
        return words === null ? null : keccakWords(words, s.n);
      }
      case 'cdx': {
        const off = this.value(s.args[0]!);
        if (off === null) return null;
        // Past 2^32 the EVM reads zeros, as the builder folds constant offsets.
        return off > 0xffffffffn ? 0n : this.inputs.word(off);
      }
      case 'op': {
        const vs = this.values(s.args);
        return vs === null ? null : evalOp(s.name, vs);
      }
      default:
        return null;
    }
  }

  /** Every one of `args`' values, or null when one is not a fact. */
  private values(args: readonly Sym[]): bigint[] | null {
    const vs: bigint[] = [];
    for (const a of args) {
      const v = this.value(a);
      if (v === null) return null;
      vs.push(v);
    }
    return vs;
  }
}
