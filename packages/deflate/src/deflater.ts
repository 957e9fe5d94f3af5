/**
 * A streaming raw DEFLATE compressor (RFC 1951) for permessage-deflate (RFC 7692).
 *
 * `write` feeds input in any chunking; `syncFlush` ends everything written so far with an empty
 * stored block (00 00 ff ff) on a byte boundary and keeps the window and hash chains, so the
 * next message can refer back into this one (context takeover); `reset` forgets them (no
 * context takeover). `finish` ends the stream with a final block.
 */
import { BitWriter } from './bit-writer.ts'
import { BlockWriter } from './block-writer.ts'
import { MatchFinder } from './match-finder.ts'
import { assertBytes, levelOption, memLevelOption, windowBitsOption } from './options.ts'

export interface DeflaterOptions {
  /** 0 (stored only) to 9 (slowest, smallest), with zlib's per-level search limits. Default 6. */
  level?: number
  /** Base-2 logarithm of the window, 8..15 (default 15): no distance exceeds 2^windowBits. */
  windowBits?: number
  /** 1..9 (default 8): hash table of 2^(memLevel+7) entries, blocks of up to 2^(memLevel+6) symbols. */
  memLevel?: number
}

const EMPTY = new Uint8Array(0)

/**
 * One block writer for every compressor: it holds only the scratch tables of the block being
 * written, and a block is written in one synchronous call, so sharing it saves each compressor
 * (each compressing connection) about 5 KB.
 */
let sharedBlockWriter: BlockWriter | null = null

function blockWriter(): BlockWriter {
  if (sharedBlockWriter === null) sharedBlockWriter = new BlockWriter()
  return sharedBlockWriter
}

export class Deflater {
  readonly #matchFinder: MatchFinder
  readonly #blockWriter = blockWriter()
  protected readonly writer = new BitWriter()
  /** deflateRaw's mode: the output buffer is handed out at the end, not reused. */
  protected oneShot = false
  readonly #storedOnly: boolean
  #finished = false

  constructor(options: DeflaterOptions = {}) {
    const level = levelOption(options.level)
    this.#matchFinder = new MatchFinder(
      level,
      windowBitsOption(options.windowBits),
      memLevelOption(options.memLevel),
    )
    this.#storedOnly = level === 0
  }

  /** Compresses `chunk` (buffered until the next flush); the chunk is not kept. */
  write(chunk: Uint8Array): void {
    assertBytes(chunk, 'Deflater.write: chunk')
    this.#assertOpen('write')
    if (chunk.length === 0) return
    const matchFinder = this.#matchFinder
    matchFinder.setInput(chunk)
    while (matchFinder.run(false)) this.#writeBlock(false)
    matchFinder.setInput(EMPTY)
  }

  /**
   * Returns the compressed form of everything written since the last flush, ending with an
   * empty stored block (00 00 ff ff) on a byte boundary. The window and hash chains survive.
   */
  syncFlush(): Uint8Array {
    this.#assertOpen('syncFlush')
    this.#flushPending(false)
    const writer = this.writer
    writer.ensure(8)
    writer.writeBits(0, 3)
    writer.alignToByte()
    writer.writeBits(0, 16)
    writer.writeBits(0xffff, 16)
    return writer.take()
  }

  /** Returns the rest of the stream, ending with a final block. Afterwards only reset() is allowed. */
  finish(): Uint8Array {
    this.#assertOpen('finish')
    this.#flushPending(true)
    this.writer.ensure(1)
    this.writer.alignToByte()
    this.#finished = true
    return this.writer.take(this.oneShot)
  }

  /** Drops the window, the hash chains and any output not yet returned: a fresh stream. */
  reset(): void {
    this.#matchFinder.reset()
    this.writer.reset()
    this.#finished = false
  }

  #assertOpen(method: string): void {
    if (this.#finished) throw new Error(`Deflater.${method}: the stream was finished; call reset() first`)
  }

  #flushPending(last: boolean): void {
    const matchFinder = this.#matchFinder
    while (matchFinder.run(true)) this.#writeBlock(false)
    if (last || matchFinder.symbols.count > 0 || matchFinder.strstart > matchFinder.blockStart) {
      matchFinder.blockEnd = matchFinder.strstart
      this.#writeBlock(last)
    }
  }

  #writeBlock(last: boolean): void {
    const matchFinder = this.#matchFinder
    this.#blockWriter.writeBlock(
      this.writer,
      matchFinder.symbols,
      matchFinder.window,
      matchFinder.blockStart,
      matchFinder.blockEnd - matchFinder.blockStart,
      last,
      this.#storedOnly,
    )
    matchFinder.startBlock()
  }
}

/** Compresses `data` into one complete raw DEFLATE stream. */
export function deflateRaw(data: Uint8Array, options: DeflaterOptions = {}): Uint8Array {
  assertBytes(data, 'deflateRaw: data')
  const deflater = new OneShotDeflater(options, data.length)
  deflater.write(data)
  return deflater.finish()
}

/**
 * The compressor behind deflateRaw: its output buffer starts at a third of the input (typical
 * text and JSON fit) and is handed out as it is, when that wastes less than half of it.
 */
class OneShotDeflater extends Deflater {
  constructor(options: DeflaterOptions, inputLength: number) {
    super(options)
    this.oneShot = true
    this.writer.reserve(Math.floor(inputLength / 3) + 1024)
  }
}
