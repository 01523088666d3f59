/**
 * A fixed-size set of small integers (node slots of one pool) in 32-bit words. Iterating `a & b`
 * word by word finds the lowest matching slot in O(slots / 32): the planner's candidate scans.
 */
export class Bitset {
  readonly words: Uint32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array((size + 31) >>> 5);
  }

  static full(size: number): Bitset {
    const b = new Bitset(size);
    for (let i = 0; i < size; i++) b.add(i);
    return b;
  }

  add(i: number): void {
    this.words[i >>> 5] |= 1 << (i & 31);
  }

  delete(i: number): void {
    this.words[i >>> 5] &= ~(1 << (i & 31));
  }

  has(i: number): boolean {
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  count(): number {
    let n = 0;
    for (let w = 0; w < this.words.length; w++) n += popcount(this.words[w]);
    return n;
  }

  /** Number of members in `[from, to)`. */
  countRange(from: number, to: number, and?: Bitset): number {
    let n = 0;
    for (let i = from; i < to; i++) if (this.has(i) && (!and || and.has(i))) n++;
    return n;
  }
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Index (0–31) of the lowest set bit of a non-zero word. */
export const lowestBit = (x: number): number => 31 - Math.clz32(x & -x);
