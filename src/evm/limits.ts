/**
 * Exploration limits of the abstract EVM. Every limit, when hit, widens the answer to "unknown" (with a diagnostic)
 * and marks the function incomplete: the safe direction. Tuned so a 24 KB contract analyzes in well under a second.
 */

/** Instructions executed across all paths of one function before exploration stops. */
export const MAX_STEPS_PER_FUNCTION = 40_000;
/** Instructions across all entries of one contract: bounds the worst case (a contract of many huge functions). */
export const MAX_STEPS_PER_CONTRACT = 160_000;
/**
 * Steps every entry may take even when the contract's budget is spent: a small `receive` or `fallback` explored last
 * must not come out empty because the large functions before it used everything.
 */
export const MIN_STEPS_PER_ENTRY = 1_500;
/** Steps all entries together may take past the contract's budget under MIN_STEPS_PER_ENTRY (bounds the worst case). */
export const MAX_FLOOR_STEPS_PER_CONTRACT = 30_000;
/** Distinct abstract states kept apart at one program point (same call context) before they are joined. */
export const MAX_STATES_PER_POINT = 3;
/**
 * With input facts (src/evm/facts.ts): program-point contexts per pc kept apart by the constants on the stack (loop
 * rounds unrolled); past it, states at that pc join as without facts.
 */
export const MAX_UNROLL_PER_POINT = 64;
/**
 * With input facts: loop rounds kept apart by constants at one pc (per call context) when the round that led there
 * forked on something the facts do not decide; a round's states share one point. Small, because such a loop
 * (clearing storage up to a stored length) would otherwise explore, and report the slots of, every possible count.
 * 2 -> 4 on the 31 mainnet blocks: recall 82.92% -> 83.05%, precision 83.23% -> 83.28%; binding time within the
 * machine's noise.
 */
export const MAX_UNDECIDED_UNROLL = 4;
/**
 * Path conditions walked back to decide a branch they imply (src/evm/implied.ts): `reserve > 0` checked by a
 * `require`, then SafeMath's `y == 0 ||` on the same value. Past it the branch forks as before (the safe direction).
 */
export const MAX_IMPLY_LOOKBACK = 256;
/** Path nodes walked back to find a loop round's start (past it, the round counts as decided). */
export const MAX_ROUND_LOOKBACK = 1_024;
/** Straight-line instructions followed to see whether a branch only reverts or meets the other side again. */
export const REVERT_PEEK_STEPS = 64;
/** Joins at one program point before the point is abandoned (a join only widens, so this is a safety net). */
export const MAX_JOINS_PER_POINT = 24;
/**
 * Deepest expression kept; deeper ones (hash chains grown in a loop) become unknown. With input facts, a deeper value
 * the facts decide becomes that constant instead, as an assumption (src/evm/sym.ts `onDeep`): a Uniswap V3 swap's
 * price arithmetic, round after round, names every tick it crosses.
 */
export const MAX_EXPR_DEPTH = 48;
/**
 * Largest expression written out (src/evm/sym.ts `toExpr`), counting shared parts each time they occur: hash-consed
 * values share subterms, so a shallow one can stand for an exponential tree (a Merkle tree's empty-subtree hashes,
 * keccak(z . z) 32 levels deep, is 2^33 nodes written out). Larger ones become unknown.
 */
export const MAX_EXPR_NODES = 4_096;
/** Longest memory region hashed or passed as call input that is kept word by word. */
export const MAX_REGION_WORDS = 24;
/**
 * The same for a call's input with input facts: a specialized exploration runs once per frame, and a batch call
 * forwarding a calldata array of structs (abi.encode of 5 heads and 15 three-word elements is 52 words) is bound
 * exactly instead of not at all.
 */
export const MAX_CALL_INPUT_WORDS_FACTS = 128;
/** Most distinct external calls recorded for one function. */
export const MAX_CALLS_PER_FUNCTION = 64;
/**
 * The same with input facts: a specialized exploration names each round's call targets exactly (a router's pairs),
 * so a multi-hop swap whose rounds fork on call results records more distinct calls than a generic one, which joined
 * them into one unknown target (SwapRouter02's V2 swap of 15752489 tx 78: past 64 once branches its path already
 * decided stopped forking, src/evm/implied.ts).
 */
export const MAX_CALLS_PER_FUNCTION_FACTS = 256;
/** Most distinct storage accesses recorded for one function (reads + writes). */
export const MAX_ACCESSES_PER_FUNCTION = 512;
/** Distinct call contexts (jump destinations on the stack) at one program point; more means runaway recursion. */
export const MAX_CONTEXTS_PER_POINT = 64;
/** Deepest stack explored; compiled code stays far below the EVM's 1024, a deeper abstract stack is a runaway path. */
export const MAX_STACK_EXPLORED = 160;
/** Absolute memory places merged one by one at a join; past it, the join forgets all memory written since. */
export const MAX_JOIN_PLACES = 64;
/** Memory writes since the common history examined at a join; past it, the join forgets all memory written since. */
export const MAX_JOIN_ENTRIES = 128;
/** Storage slots written since the common history that a join merges one by one; past it, every read is unknown. */
export const MAX_JOIN_STORE_SLOTS = 128;
/** Earlier writes to slots that may equal a read one folded into its value (`k ? x : y`); past it, unknown. */
export const MAX_STORE_ALIASES = 4;
/**
 * The same two limits with input facts: offsets the facts decide are absolute, so nearly all of memory is merged place
 * by place, and a router's path array copied to memory survives the joins of its checks.
 */
export const MAX_JOIN_PLACES_FACTS = 1_024;
export const MAX_JOIN_ENTRIES_FACTS = 2_048;
