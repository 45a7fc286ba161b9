/** mulberry32: a small seeded PRNG, so a seed reproduces a suite run exactly. */
export class Prng {
  private s: number
  constructor(seed: number) {
    this.s = seed >>> 0
  }
  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0
    let t = this.s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  /** Integer in [0, n). */
  below(n: number): number {
    return this.u32() % n
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)]
  }
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p
  }
}
