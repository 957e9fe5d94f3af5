/** A small seeded PRNG (xorshift32) so that random tests are reproducible from their seed. */
export class Random {
  private state: number
  constructor(readonly seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9
  }
  /** A uniformly distributed 32-bit unsigned integer. */
  next(): number {
    let x = this.state
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.state = x >>> 0
    return this.state
  }
  /** An integer in [0, bound). */
  below(bound: number): number {
    return this.next() % bound
  }
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff
    return out
  }
  /** Cuts `data` into random pieces (empty pieces included) that concatenate back to it. */
  chunks(data: Uint8Array, maxPiece: number): Uint8Array[] {
    const pieces: Uint8Array[] = []
    let offset = 0
    while (offset < data.length) {
      const size = this.below(maxPiece + 1)
      pieces.push(data.subarray(offset, offset + size))
      offset += size
    }
    return pieces
  }
}
