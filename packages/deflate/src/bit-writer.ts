/**
 * Writes bits least-significant first (RFC 1951 section 3.1.1) into a growable byte buffer.
 * The block writer keeps the hot loop's bit buffer in locals and syncs it back through the
 * public fields; `ensure` must be called with an upper bound before writing.
 */

const INITIAL_CAPACITY = 1024
/** After a flush, a buffer that grew beyond this is dropped so an idle instance stays small. */
const KEEP_CAPACITY = 64 * 1024

export class BitWriter {
  buffer: Uint8Array = new Uint8Array(0)
  /** Bytes completely written. */
  position = 0
  /** Pending bits (fewer than 8 between calls), least significant first. */
  bitBuffer = 0
  bitCount = 0

  /** Makes room for `bytes` more bytes after `position`. */
  ensure(bytes: number): void {
    const needed = this.position + bytes
    if (needed <= this.buffer.length) return
    let capacity = Math.max(this.buffer.length, INITIAL_CAPACITY)
    while (capacity < needed) capacity *= 2
    const grown = new Uint8Array(capacity)
    grown.set(this.buffer.subarray(0, this.position))
    this.buffer = grown
  }

  /** Replaces the empty buffer with one of exactly `bytes` bytes (a first size, when it is known). */
  reserve(bytes: number): void {
    if (this.position === 0) this.buffer = new Uint8Array(bytes)
  }

  /** Appends the low `count` (at most 16) bits of `value`. */
  writeBits(value: number, count: number): void {
    let bitBuffer = this.bitBuffer | (value << this.bitCount)
    let bitCount = this.bitCount + count
    while (bitCount >= 8) {
      this.buffer[this.position++] = bitBuffer
      bitBuffer >>>= 8
      bitCount -= 8
    }
    this.bitBuffer = bitBuffer
    this.bitCount = bitCount
  }

  /** Pads with zero bits to the next byte boundary. */
  alignToByte(): void {
    if (this.bitCount > 0) this.buffer[this.position++] = this.bitBuffer
    this.bitBuffer = 0
    this.bitCount = 0
  }

  /** Appends bytes; the writer must be byte-aligned. */
  writeBytes(source: Uint8Array, start: number, end: number): void {
    this.buffer.set(source.subarray(start, end), this.position)
    this.position += end - start
  }

  /**
   * Returns the whole bytes written so far and starts over. The bytes are a copy, or with
   * `handOut` (the buffer is not used again) a view when they fill at least half of the buffer.
   */
  take(handOut = false): Uint8Array {
    const buffer = this.buffer
    const out =
      handOut && 2 * this.position >= buffer.length
        ? buffer.subarray(0, this.position)
        : buffer.slice(0, this.position)
    this.position = 0
    if (handOut || buffer.length > KEEP_CAPACITY) this.buffer = new Uint8Array(0)
    return out
  }

  reset(): void {
    this.position = 0
    this.bitBuffer = 0
    this.bitCount = 0
  }
}
