/**
 * SHA-1 as specified in FIPS 180-4 (also RFC 3174).
 *
 * SHA-1 is here only because RFC 6455 mandates it for the `Sec-WebSocket-Accept` handshake
 * value, which proves that a server understood a WebSocket request; it protects no secret.
 * SHA-1 is broken for collision resistance, and this implementation is not constant-time.
 * Do not use it for signatures, passwords, MACs or anything else secret or adversarial.
 */
import { assertBytes } from './bytes.ts'

/** Size of a SHA-1 digest in bytes. */
export const SHA1_DIGEST_LENGTH = 20
/** Size of a SHA-1 input block in bytes. */
export const SHA1_BLOCK_LENGTH = 64

// The message schedule is scratch space used only inside one synchronous compress() call, so
// one module-level array serves every hasher without allocating per block.
const schedule = /* @__PURE__ */ new Int32Array(80)

/**
 * An incremental SHA-1 hasher: call `update` with the input in any chunking, then `digest` once.
 * The input is never modified or retained.
 */
export class Sha1 {
  static create(): Sha1 {
    return new Sha1()
  }

  #h0 = 0x67452301
  #h1 = 0xefcdab89 | 0
  #h2 = 0x98badcfe | 0
  #h3 = 0x10325476
  #h4 = 0xc3d2e1f0 | 0
  /** Bytes waiting for a whole block. */
  readonly #pending = new Uint8Array(SHA1_BLOCK_LENGTH)
  #pendingLength = 0
  /** Total bytes hashed; exact up to 2^53 - 1, far beyond anything a handshake sees. */
  #totalLength = 0
  #finished = false

  /** Adds `data` to the hash. Throws after `digest()` has been called. */
  update(data: Uint8Array): this {
    assertBytes(data, 'Sha1.update: data')
    if (this.#finished) throw new Error('Sha1.update: the digest was already taken')
    const length = data.length
    this.#totalLength += length
    let offset = 0
    const pending = this.#pending
    if (this.#pendingLength > 0) {
      let fill = this.#pendingLength
      while (fill < SHA1_BLOCK_LENGTH && offset < length) pending[fill++] = data[offset++]
      if (fill < SHA1_BLOCK_LENGTH) {
        this.#pendingLength = fill
        return this
      }
      this.#compress(pending, 0)
      this.#pendingLength = 0
    }
    // Whole blocks are hashed straight from the caller's bytes, without copying.
    while (length - offset >= SHA1_BLOCK_LENGTH) {
      this.#compress(data, offset)
      offset += SHA1_BLOCK_LENGTH
    }
    let fill = 0
    while (offset < length) pending[fill++] = data[offset++]
    this.#pendingLength = fill
    return this
  }

  /** Finishes the hash and returns the 20-byte digest. Can be called once. */
  digest(): Uint8Array {
    if (this.#finished) throw new Error('Sha1.digest: the digest was already taken')
    this.#finished = true
    const pending = this.#pending
    let fill = this.#pendingLength
    pending[fill++] = 0x80
    if (fill > SHA1_BLOCK_LENGTH - 8) {
      pending.fill(0, fill)
      this.#compress(pending, 0)
      fill = 0
    }
    pending.fill(0, fill, SHA1_BLOCK_LENGTH - 8)
    // The message length in bits, as a 64-bit big-endian number.
    const total = this.#totalLength
    writeUint32(pending, 56, Math.floor(total / 0x20000000))
    writeUint32(pending, 60, total << 3)
    this.#compress(pending, 0)
    const out = new Uint8Array(SHA1_DIGEST_LENGTH)
    writeUint32(out, 0, this.#h0)
    writeUint32(out, 4, this.#h1)
    writeUint32(out, 8, this.#h2)
    writeUint32(out, 12, this.#h3)
    writeUint32(out, 16, this.#h4)
    pending.fill(0)
    return out
  }

  /** Hashes the 64-byte block at `offset` in `bytes` into the state. */
  #compress(bytes: Uint8Array, offset: number): void {
    const w = schedule
    for (let i = 0; i < 16; i++, offset += 4) {
      w[i] = (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]
    }
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
      w[i] = (x << 1) | (x >>> 31)
    }
    // FIPS 180-4 section 6.1.2, step 3, with the equivalent forms of Ch and Maj that take one
    // operation fewer. A handshake hashes one or two blocks, so the loop stays rolled (small).
    let a = this.#h0
    let b = this.#h1
    let c = this.#h2
    let d = this.#h3
    let e = this.#h4
    for (let i = 0; i < 80; i++) {
      const f =
        i < 20
          ? (d ^ (b & (c ^ d))) + 0x5a827999
          : i < 40
            ? (b ^ c ^ d) + 0x6ed9eba1
            : i < 60
              ? ((b & c) | (d & (b | c))) + 0x8f1bbcdc
              : (b ^ c ^ d) + 0xca62c1d6
      const t = (((a << 5) | (a >>> 27)) + f + e + w[i]) | 0
      e = d
      d = c
      c = (b << 30) | (b >>> 2)
      b = a
      a = t
    }
    this.#h0 = (this.#h0 + a) | 0
    this.#h1 = (this.#h1 + b) | 0
    this.#h2 = (this.#h2 + c) | 0
    this.#h3 = (this.#h3 + d) | 0
    this.#h4 = (this.#h4 + e) | 0
  }
}

/** The SHA-1 digest (20 bytes) of `data`. See the module comment: not for anything secret. */
export function sha1(data: Uint8Array): Uint8Array {
  return new Sha1().update(data).digest()
}

function writeUint32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value >>> 24
  out[offset + 1] = value >>> 16
  out[offset + 2] = value >>> 8
  out[offset + 3] = value
}
