/**
 * Adapters from what src/chain loads (a block, its pre-state) to what the binder reads, and the analysis cache
 * (footprints by code hash: a block calls the same few contracts many times).
 */
import type { ChainBlock, Prestate } from '../chain/load.js';
import { mainnetHardfork } from '../chain/fork.js';
import { keccak256 } from '../chain/crypto.js';
import { PrescientError } from '../errors.js';
import type { ContractAnalysis, Hex } from '../types.js';
import { DiskAnalysisCache } from './cache.js';
import { Unbound, type AnalysisProvider, type BlockEnv, type SpecializationStore, type StateView, type TxInput } from './bind.js';

const EMPTY = new Uint8Array(0);
const EMPTY_CODE_HASH = ('0x' + Buffer.from(keccak256(EMPTY)).toString('hex')) as Hex;

export function stateView(pre: Prestate): StateView & { codeHash(addr: Hex): Hex } {
  const hashes = new Map<string, Hex>();
  return {
    storage: (addr, slot) => pre.get(addr)?.storage.get(slot) ?? 0n,
    balance: (addr) => pre.get(addr)?.balance ?? 0n,
    nonce: (addr) => pre.get(addr)?.nonce ?? 0n,
    code: (addr) => pre.get(addr)?.code ?? EMPTY,
    exists: (addr) => pre.has(addr),
    codeHash(addr) {
      let h = hashes.get(addr);
      if (!h) {
        const code = pre.get(addr)?.code ?? EMPTY;
        h = code.length === 0 ? EMPTY_CODE_HASH : (('0x' + Buffer.from(keccak256(code)).toString('hex')) as Hex);
        hashes.set(addr, h);
      }
      return h;
    },
  };
}

const q = (v: unknown): bigint => (v === undefined || v === null || v === '0x' ? 0n : BigInt(v as string));

export function blockEnv(block: ChainBlock, chainId = 1n): BlockEnv {
  const h = block.header;
  const hardfork = mainnetHardfork(block.number, block.timestamp);
  const postMerge = ['paris', 'mergeNetsplitBlock', 'shanghai', 'cancun', 'prague', 'osaka'].includes(hardfork);
  return {
    number: block.number,
    timestamp: block.timestamp,
    coinbase: BigInt(h.miner),
    gasLimit: q(h.gasLimit),
    baseFee: h.baseFeePerGas === undefined || h.baseFeePerGas === null ? null : q(h.baseFeePerGas),
    difficulty: postMerge ? q(h.mixHash ?? h.prevRandao) : q(h.difficulty),
    chainId,
    hardfork,
  };
}

const HEX_RE = /^0x[0-9a-fA-F]*$/;

/** An RPC transaction object (eth_getBlockByNumber(n, true)) -> what the binder needs; errors name the field. */
export function txInput(t: any, index: number, baseFee: bigint | null, where: string): TxInput {
  const str = (name: string, re: RegExp, optional = false): string | undefined => {
    const v = t?.[name];
    if ((v === undefined || v === null) && optional) return undefined;
    if (typeof v !== 'string' || !re.test(v)) {
      throw new PrescientError('BAD_BLOCK', `${where}.${name}`, `expected 0x-hex, got ${JSON.stringify(v)?.slice(0, 60)}`);
    }
    return v.toLowerCase();
  };
  const from = str('from', /^0x[0-9a-fA-F]{40}$/)!;
  const to = str('to', /^0x[0-9a-fA-F]{40}$/, true) ?? null;
  // What decides the prediction is required, as the executor requires it: a missing input is not empty calldata.
  const required = (name: string, alias?: string): string => {
    const v = str(name, HEX_RE, true) ?? (alias === undefined ? undefined : str(alias, HEX_RE, true));
    if (v === undefined) throw new PrescientError('BAD_BLOCK', `${where}.${name}`, 'missing field');
    return v;
  };
  const input = required('input', 'data');
  if (input.length % 2) throw new PrescientError('BAD_BLOCK', `${where}.input`, 'odd-length hex');
  const hash = (str('hash', /^0x[0-9a-fA-F]{64}$/, true) ?? '0x' + '0'.repeat(64)) as Hex;
  const value = q(required('value'));
  const nonce = q(required('nonce'));
  const gas = str('gas', HEX_RE, true);
  let gasPrice: bigint;
  const maxFee = str('maxFeePerGas', HEX_RE, true);
  if (maxFee !== undefined && baseFee !== null) {
    const tip = q(str('maxPriorityFeePerGas', HEX_RE, true));
    const mf = q(maxFee);
    gasPrice = mf < baseFee + tip ? mf : baseFee + tip;
  } else gasPrice = q(str('gasPrice', HEX_RE, true));
  return {
    index,
    hash,
    from: from as Hex,
    to: to as Hex | null,
    value,
    input: Uint8Array.from(Buffer.from(input.slice(2), 'hex')),
    nonce,
    gasPrice,
    ...(gas !== undefined ? { gas: q(gas) } : {}),
  };
}

/** The default analyzer (src/analyze), loaded on first use so hints can run on fixtures without it. */
type Analyze = (code: Uint8Array, opts?: { abi?: any[]; name?: string }) => ContractAnalysis;
let defaultAnalyze: Analyze | null | undefined;
function loadAnalyzer(): Analyze | null {
  if (defaultAnalyze === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      defaultAnalyze = (require('../analyze/index.js') as { analyzeCode: Analyze }).analyzeCode ?? null;
    } catch {
      defaultAnalyze = null;
    }
  }
  return defaultAnalyze;
}

/** Footprints by code hash; `fixtures` take precedence (tests), then the analyzer. Failures are cached too. */
export class AnalysisCache {
  readonly map = new Map<Hex, ContractAnalysis | Unbound>();
  /** Total analysis time, ms (for the "< 1 s once analyzed" measurement). */
  analyzeMs = 0;
  analyzed = 0;
  /** With a folder: the binder's specialized footprints kept there too. */
  readonly specializations: SpecializationStore | undefined;
  /** What the binder reads from this cache (HintsOptions): both, so that no caller keeps one and forgets the other. */
  get sources(): { analysis: AnalysisProvider; specializations: SpecializationStore | undefined } {
    return { analysis: this.provider, specializations: this.specializations };
  }
  constructor(
    private readonly analyze: Analyze | null = loadAnalyzer(),
    private readonly disk?: DiskAnalysisCache,
  ) {
    this.specializations = disk?.specializations();
  }
  /** The default analyzer, keeping its analyses in `dir` between processes when given (the commands' `--cache`). */
  static inDir(dir: string | undefined): AnalysisCache {
    return new AnalysisCache(undefined, dir ? new DiskAnalysisCache(dir) : undefined);
  }
  add(a: ContractAnalysis): this {
    this.map.set(a.codeHash.toLowerCase() as Hex, a);
    return this;
  }
  readonly provider: AnalysisProvider = (code, codeHash) => {
    let a = this.map.get(codeHash);
    if (a === undefined) {
      const cached = this.disk?.get(codeHash);
      if (cached) a = cached;
      else if (!this.analyze) a = new Unbound('no analyzer available (src/analyze) and no fixture for this code');
      else {
        const t0 = performance.now();
        try {
          a = this.analyze(code);
        } catch (e) {
          a = new Unbound(`analysis failed: ${(e as Error).message}`);
        }
        this.analyzeMs += performance.now() - t0;
        this.analyzed++;
        if (this.disk && !(a instanceof Unbound)) this.disk.put(codeHash, a);
      }
      this.map.set(codeHash, a);
    }
    return a;
  };
}
