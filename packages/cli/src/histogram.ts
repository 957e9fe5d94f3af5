/**
 * A latency histogram of fixed size: logarithmic buckets about 2% wide, from 1 µs to hours.
 * Counting is one array increment; histograms of several threads add up bucket by bucket.
 */

/** Buckets per doubling. */
const STEPS = 32
export const BUCKETS = 48 * STEPS

export class Histogram {
  readonly counts: Uint32Array
  count = 0
  /** The largest value recorded, exactly, in milliseconds. */
  max = 0

  constructor(counts: Uint32Array = new Uint32Array(BUCKETS)) {
    this.counts = counts
    for (const n of counts) this.count += n
  }

  /** Records a latency in milliseconds. */
  record(ms: number): void {
    const micros = ms * 1000
    const index = micros <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log2(micros) * STEPS))
    this.counts[index] = (this.counts[index] as number) + 1
    this.count++
    if (ms > this.max) this.max = ms
  }

  add(other: { counts: Uint32Array; max: number }): void {
    for (let i = 0; i < BUCKETS; i++) {
      const n = other.counts[i] as number
      this.counts[i] = (this.counts[i] as number) + n
      this.count += n
    }
    if (other.max > this.max) this.max = other.max
  }

  /** The value at quantile `q` (0.5 for the median), in milliseconds: the upper edge of its bucket. */
  quantile(q: number): number {
    if (this.count === 0) return 0
    const rank = Math.max(1, Math.ceil(q * this.count))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] as number
      if (seen >= rank) return Math.min(this.max, 2 ** (i / STEPS) / 1000)
    }
    /* c8 ignore next */
    return this.max
  }
}
