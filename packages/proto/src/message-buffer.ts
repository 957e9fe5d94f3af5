/**
 * Collects the pieces of one message. A message that arrives as one piece is returned as that
 * very view (no copy). Otherwise small pieces are copied into blocks, so a message sent as
 * thousands of tiny fragments or TCP segments costs its bytes, not an object per piece, and
 * large pieces are kept as views. `finish()` joins everything with one copy.
 */

/** Pieces smaller than this are copied into a block instead of kept as views. */
const SMALL_PIECE = 1024
const MIN_BLOCK = 4096
const MAX_BLOCK = 65536

export class MessageBuffer {
  /** The only piece so far, kept as a view until a second one arrives. */
  private single: Uint8Array | null = null
  private pieces: Uint8Array[] = []
  private block: Uint8Array | null = null
  private blockUsed = 0
  /** Bytes copied into blocks so far: blocks grow with them, not with the large pieces. */
  private copied = 0
  /** Bytes collected so far. */
  length = 0

  push(piece: Uint8Array): void {
    if (piece.length === 0) return
    if (this.length === 0) {
      this.single = piece
      this.length = piece.length
      return
    }
    const single = this.single
    if (single !== null) {
      this.single = null
      this.append(single)
    }
    this.append(piece)
    this.length += piece.length
  }

  /** Returns the whole message and empties the buffer. */
  finish(): Uint8Array {
    const single = this.single
    if (single !== null) {
      this.single = null
      this.length = 0
      return single
    }
    this.sealBlock()
    const pieces = this.pieces
    const length = this.length
    this.clear()
    if (pieces.length === 1) return pieces[0]
    const joined = new Uint8Array(length)
    let offset = 0
    for (const piece of pieces) {
      joined.set(piece, offset)
      offset += piece.length
    }
    return joined
  }

  /** Drops everything collected. */
  clear(): void {
    this.single = null
    this.pieces = []
    this.block = null
    this.blockUsed = 0
    this.copied = 0
    this.length = 0
  }

  private append(piece: Uint8Array): void {
    const size = piece.length
    if (size >= SMALL_PIECE) {
      this.sealBlock()
      this.pieces.push(piece)
      return
    }
    let block = this.block
    if (block === null || block.length - this.blockUsed < size) {
      this.sealBlock()
      block = this.block = new Uint8Array(Math.min(MAX_BLOCK, Math.max(MIN_BLOCK, this.copied)))
    }
    block.set(piece, this.blockUsed)
    this.blockUsed += size
    this.copied += size
  }

  private sealBlock(): void {
    const block = this.block
    if (block !== null && this.blockUsed > 0) {
      this.pieces.push(block.subarray(0, this.blockUsed))
      this.block = this.blockUsed < block.length ? block.subarray(this.blockUsed) : null
      this.blockUsed = 0
    }
  }
}
