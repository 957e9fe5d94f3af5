/**
 * A small, fast, seeded pseudo-random generator (sfc32) for the fuzzer. Every input is made from
 * its own generator, derived from (seed, target, iteration), so one input can be rebuilt alone.
 */

/** splitmix32 step: spreads a 32-bit value over all bits. */
function mix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad)
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97)
  return (z ^ (z >>> 15)) >>> 0
}

export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    this.a = mix32(seed)
    this.b = mix32(this.a ^ 0x51ed270b)
    this.c = mix32(this.b ^ 0x2545f491)
    this.d = 1
    for (let index = 0; index < 12; index++) this.next()
  }

  /** The generator of input `iteration` of target number `target` in a run seeded with `seed`. */
  static derive(seed: number, target: number, iteration: number): Rng {
    return new Rng(mix32(mix32(mix32(seed >>> 0) ^ Math.imul(target + 1, 0x27d4eb2f)) ^ iteration))
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.next() / 0x100000000) * n)
  }

  /** An integer in [low, high]. */
  range(low: number, high: number): number {
    return low + this.int(high - low + 1)
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p * 0x100000000
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }

  /** A size that is usually small: uniform below a cap picked from `caps`. */
  size(caps: readonly number[]): number {
    return this.int(this.pick(caps) + 1)
  }

  /** Fills `out` with random bytes, four at a time. */
  fill(out: Uint8Array): Uint8Array {
    const length = out.length
    let index = 0
    for (; index + 4 <= length; index += 4) {
      const value = this.next()
      out[index] = value
      out[index + 1] = value >>> 8
      out[index + 2] = value >>> 16
      out[index + 3] = value >>> 24
    }
    if (index < length) {
      let value = this.next()
      for (; index < length; index++, value >>>= 8) out[index] = value
    }
    return out
  }

  bytes(length: number): Uint8Array {
    return this.fill(new Uint8Array(length))
  }
}
