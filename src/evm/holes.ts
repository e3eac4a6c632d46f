/**
 * Holes in the code being explored (src/input `CodeHole`): bytes whose value is set after compilation (immutables,
 * library addresses) and which the code holds as zeros. The machine reads them as unknown, never as the constant 0.
 */

/** Structurally src/input's `CodeHole` (the abstract EVM does not depend on the input stage). */
export interface Hole {
  readonly start: number;
  readonly length: number;
  readonly what: string;
}

/** The holes of one code, indexed once per contract (not per step). */
export class HoleIndex {
  /** Per pc of a PUSH whose immediate overlaps a hole: that hole's `what`. */
  private readonly push = new Map<number, string>();

  constructor(
    code: Uint8Array,
    readonly holes: readonly Hole[],
  ) {
    // Byte -> index + 1 of the hole covering it, then one pass over the instructions.
    const cover = new Int32Array(code.length);
    holes.forEach((h, i) => cover.fill(i + 1, Math.max(0, h.start), Math.min(code.length, h.start + h.length)));
    for (let pc = 0; pc < code.length; pc++) {
      const op = code[pc]!;
      if (op < 0x60 || op > 0x7f) continue;
      const n = op - 0x5f;
      for (let i = pc + 1; i <= pc + n && i < code.length; i++) {
        if (cover[i] !== 0) {
          this.push.set(pc, holes[cover[i]! - 1]!.what);
          break;
        }
      }
      pc += n;
    }
  }

  /** The hole a PUSH at `pc` reads from, if any. */
  atPush(pc: number): string | undefined {
    return this.push.get(pc);
  }

  /** Holes overlapping code bytes [from, to). */
  overlapping(from: number, to: number): Hole[] {
    return this.holes.filter((h) => h.start < to && h.start + h.length > from);
  }
}

/** The index of `holes` in `code`, or null when there are none (the machine then pays nothing). */
export function holeIndex(code: Uint8Array, holes: readonly Hole[] | null | undefined): HoleIndex | null {
  return holes && holes.length > 0 ? new HoleIndex(code, holes) : null;
}

/**
 * The unknown a hole reads as: the same for every read of holes with the same `what` (one immutable pushed at two
 * places is one value), so a loop that pushes it each round is not widened for it.
 */
export const HOLE_KEY = 'code hole';
