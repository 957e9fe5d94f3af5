/**
 * Collects the pieces of one message. A message that arrives as one piece is returned as that
 * very view (no copy). Otherwise small pieces are copied into blocks, so a message sent as
 * thousands of tiny fragments or TCP segments costs its bytes, not an object per piece, and
 * large pieces are kept as views. `finish()` joins everything with one copy.
 *
 * Pieces may be pushed still masked, with their mask word (see mask.ts): they are unmasked as
 * they are copied (into a block, or into the joined message), so each byte is touched once.
 */
import { maskCopy, maskInPlace } from './mask.ts'

/** Makes the buffer for a joined message; every byte of it is written before it is returned. */
export type Allocate = (size: number) => Uint8Array

/** Pieces smaller than this are copied into a block instead of kept as views... */
const SMALL_PIECE = 1024
/** ...once the message has this many pieces (a frame split across chunks has two or three). */
const FEW_PIECES = 8
const MIN_BLOCK = 4096
const MAX_BLOCK = 65536

/** The default allocator: a new, zero-filled array. */
export const allocateZeroed: Allocate = (size) => new Uint8Array(size)

export class MessageBuffer {
  /** The only piece so far, kept as a view until a second one arrives. */
  #single: Uint8Array | null = null
  #singleWord = 0
  #pieces: Uint8Array[] = []
  /** The mask word of each piece still masked, 0 for the others (XOR with 0 changes nothing). */
  #words: number[] = []
  #block: Uint8Array | null = null
  #blockUsed = 0
  /** Bytes copied into blocks so far: blocks grow with them, not with the large pieces. */
  #copied = 0
  /** Bytes collected so far. */
  length = 0

  readonly #allocate: Allocate

  constructor(allocate: Allocate = allocateZeroed) {
    this.#allocate = allocate
  }

  /** @internal How many pieces are held (blocks of small pieces count once); for tests. */
  get pieceCount(): number {
    return this.#pieces.length
  }

  /** Adds an unmasked piece. */
  push(piece: Uint8Array): void {
    this.pushMasked(piece, 0)
  }

  /** Adds a piece still masked with the mask word `word`; the piece's bytes are never changed. */
  pushMasked(piece: Uint8Array, word: number): void {
    if (piece.length === 0) return
    if (this.length === 0) {
      this.#single = piece
      this.#singleWord = word
      this.length = piece.length
      return
    }
    const single = this.#single
    if (single !== null) {
      this.#single = null
      this.#append(single, this.#singleWord)
    }
    this.#append(piece, word)
    this.length += piece.length
  }

  /**
   * Returns the whole message and empties the buffer. A message of one masked piece is unmasked
   * in place and returned as that view.
   */
  finish(): Uint8Array {
    const single = this.#single
    if (single !== null) {
      this.#single = null
      this.length = 0
      if (this.#singleWord !== 0) maskInPlace(single, this.#singleWord)
      return single
    }
    if (this.length === 0) return new Uint8Array(0)
    this.#sealBlock()
    const pieces = this.#pieces
    const words = this.#words
    const length = this.length
    this.clear()
    const joined = this.#allocate(length)
    let offset = 0
    for (let index = 0; index < pieces.length; index++) {
      const piece = pieces[index]
      const word = words[index]
      if (word === 0) joined.set(piece, offset)
      else maskCopy(piece, word, joined, offset)
      offset += piece.length
    }
    return joined
  }

  /** Drops everything collected. */
  clear(): void {
    this.#single = null
    this.#pieces = []
    this.#words = []
    this.#block = null
    this.#blockUsed = 0
    this.#copied = 0
    this.length = 0
  }

  #append(piece: Uint8Array, word: number): void {
    const size = piece.length
    if (size >= SMALL_PIECE || (this.#block === null && this.#pieces.length < FEW_PIECES)) {
      this.#sealBlock()
      this.#pieces.push(piece)
      this.#words.push(word)
      return
    }
    let block = this.#block
    if (block === null || block.length - this.#blockUsed < size) {
      this.#sealBlock()
      block = this.#block = new Uint8Array(Math.min(MAX_BLOCK, Math.max(MIN_BLOCK, this.#copied)))
    }
    if (word === 0) block.set(piece, this.#blockUsed)
    else maskCopy(piece, word, block, this.#blockUsed)
    this.#blockUsed += size
    this.#copied += size
  }

  #sealBlock(): void {
    const block = this.#block
    if (block !== null && this.#blockUsed > 0) {
      this.#pieces.push(block.subarray(0, this.#blockUsed))
      this.#words.push(0)
      this.#block = this.#blockUsed < block.length ? block.subarray(this.#blockUsed) : null
      this.#blockUsed = 0
    }
  }
}
