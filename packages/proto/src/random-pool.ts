/**
 * Masking keys and handshake nonces come from an injectable random source. Asking the source
 * for 4 bytes per frame is slow (a native call each time), so keys are cut from a pooled block.
 * Connections that share a source share one pool, so an idle connection costs no pool memory.
 */

export type RandomFill = (out: Uint8Array) => void

const POOL_BYTES = 8192

export class RandomPool {
  #pool: Uint8Array | undefined
  #offset = POOL_BYTES

  readonly #fill: RandomFill

  constructor(fill: RandomFill) {
    this.#fill = fill
  }

  /** Writes `target.length` (at most 8192) fresh random bytes into `target`. */
  take(target: Uint8Array): void {
    const length = target.length
    if (length > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} random bytes per call`)
    let pool = this.#pool
    if (!pool || this.#offset + length > POOL_BYTES) {
      pool ??= this.#pool = new Uint8Array(POOL_BYTES)
      this.#fill(pool)
      this.#offset = 0
    }
    for (let index = 0; index < length; index++) target[index] = pool[this.#offset + index]
    this.#offset += length
  }

  /** A new array of `length` (at most 8192) random bytes. */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length)
    this.take(out)
    return out
  }
}

const pools = /* @__PURE__ */ new WeakMap<RandomFill, RandomPool>()

/** The pool shared by everything that draws from `fill`. */
export function randomPoolFor(fill: RandomFill): RandomPool {
  let pool = pools.get(fill)
  if (!pool) {
    pool = new RandomPool(fill)
    pools.set(fill, pool)
  }
  return pool
}
