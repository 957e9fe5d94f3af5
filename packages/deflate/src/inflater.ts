/**
 * A streaming raw DEFLATE decompressor (RFC 1951) that accepts its input in any chunking.
 *
 * Resumable state: between calls the decoder keeps only a 32-bit bit buffer, a state number and
 * the few counters of the step it is in. Each step needs at most 25 bits (a block header, a
 * literal/length code with its extra bits, a distance code, the distance's extra bits, a
 * code-length code with its extra bits), and the bit buffer is refilled to at least 25 bits
 * whenever input remains. So a step that lacks bits means the input is exhausted: the decoder
 * keeps the bits it has and resumes at the same step on the next push, in every chunking down
 * to one byte at a time. Stored blocks are copied as far as the input goes.
 *
 * Output goes into one buffer of the window size plus working slack. When the slack is used up,
 * the new bytes are handed out as a copy and the last window's worth moves to the front, so the
 * returned chunks stay valid and memory stays fixed however much the input inflates to.
 */
import { DeflateError } from './errors.ts'
import {
  buildDecodeTable,
  CODE_LENGTH_ROOT_BITS,
  CODE_LENGTH_TABLE_SIZE,
  DISTANCE_ROOT_BITS,
  DISTANCE_TABLE_SIZE,
  ENTRY_KIND_MASK,
  KIND_BASE,
  KIND_END_OF_BLOCK,
  KIND_INVALID,
  KIND_LINK,
  KIND_LITERAL,
  LITERAL_ROOT_BITS,
  LITERAL_TABLE_SIZE,
  TABLE_CODE_LENGTHS,
  TABLE_DISTANCES,
  TABLE_LITERALS,
} from './huffman.ts'
import { assertBytes, concatenate, outputLimitOption, windowBitsOption } from './options.ts'
import {
  CODE_LENGTH_EXTRA,
  CODE_LENGTH_ORDER,
  CODE_LENGTH_SYMBOLS,
  END_OF_BLOCK,
  FIXED_DISTANCE_LENGTHS,
  FIXED_LITERAL_LENGTHS,
  MAX_MATCH,
} from './tables.ts'

export interface InflaterOptions {
  /** Base-2 logarithm of the window, 8..15 (default 15): distances beyond 2^windowBits are errors. */
  windowBits?: number
  /** Bytes the output may reach from the last reset (default Infinity). */
  maxOutput?: number
  /**
   * Ignore bytes after the end of the final block, as zlib does, instead of throwing
   * DEFLATE_DATA_AFTER_END (default false).
   */
  ignoreDataAfterEnd?: boolean
}

// Decoder states.
const HEADER = 0
const STORED_LENGTHS = 1
const STORED_COPY = 2
const TABLE_COUNTS = 3
const CODE_LENGTH_LENGTHS = 4
const CODE_LENGTHS = 5
const LENGTH = 6
const DISTANCE = 7
const DISTANCE_EXTRA = 8
const END = 9

/** Output slack beyond the window: the size of the chunks handed out while a long input inflates. */
const MINIMUM_SLACK = 4096
/** inflateRaw re-estimates its output size at this output position. */
const CHECKPOINT = 65536

/** Input bytes decodeFast needs at the start of a step: a step reads at most 12 (three 4-byte refills). */
const FAST_INPUT = 16
/** Bytes decodeFast may write past the end of a match. */
const FAST_OVERRUN = 16

const FIXED_LITERAL_TABLE = /* @__PURE__ */ (() => {
  const table = new Int32Array(1 << LITERAL_ROOT_BITS)
  buildDecodeTable(FIXED_LITERAL_LENGTHS, 0, 288, TABLE_LITERALS, table, LITERAL_ROOT_BITS)
  return table
})()
const FIXED_DISTANCE_TABLE = /* @__PURE__ */ (() => {
  const table = new Int32Array(32)
  buildDecodeTable(FIXED_DISTANCE_LENGTHS, 0, 32, TABLE_DISTANCES, table, 5)
  return table
})()

function distanceError(distance: number, windowSize: number): DeflateError {
  return new DeflateError(
    'DEFLATE_DISTANCE_TOO_FAR',
    distance > windowSize
      ? `distance ${distance} is beyond the ${windowSize}-byte window`
      : `distance ${distance} reaches before the start of the output`,
  )
}

export class Inflater {
  readonly #windowSize: number
  #capacity: number
  /** Where the decoder calls makeRoom: the capacity, or in one-shot mode first a checkpoint before it. */
  #roomLimit = 0
  /** inflateRaw's mode: output buffers are handed out whole and replaced, never slid. */
  #oneShot = false
  #inputLength = 0
  readonly #defaultLimit: number
  readonly #ignoreDataAfterEnd: boolean

  /** Output buffer: the window followed by slack. Allocated on first use. */
  #window: Uint8Array | null = null
  #windowView: DataView | null = null
  #outPosition = 0
  /** Start of the bytes not yet handed out. */
  #emitStart = 0
  /** Bytes dropped from the front of the buffer since the last reset. */
  #droppedBytes = 0
  /** totalOut may not exceed this. */
  #limitTotal: number
  #output: Uint8Array[] = []

  #state = HEADER
  #lastBlock = false
  #bitBuffer = 0
  #bitCount = 0
  #failure: DeflateError | null = null

  #storedRemaining = 0
  #literalCount = 0
  #distanceCount = 0
  #codeLengthCount = 0
  #lengthIndex = 0
  #pendingLength = 0
  #pendingDistanceBase = 0
  #pendingDistanceExtra = 0

  readonly #codeLengthLengths = new Uint8Array(CODE_LENGTH_SYMBOLS)
  readonly #codeLengths = new Uint8Array(286 + 30)
  readonly #codeLengthTable = new Int32Array(CODE_LENGTH_TABLE_SIZE)
  #codeLengthRoot = 0
  readonly #dynamicLiteralTable = new Int32Array(LITERAL_TABLE_SIZE)
  readonly #dynamicDistanceTable = new Int32Array(DISTANCE_TABLE_SIZE)
  #literalTable: Int32Array = FIXED_LITERAL_TABLE
  #literalRoot = LITERAL_ROOT_BITS
  #distanceTable: Int32Array = FIXED_DISTANCE_TABLE
  #distanceRoot = 5

  constructor(options: InflaterOptions = {}) {
    this.#windowSize = 1 << windowBitsOption(options.windowBits)
    // Room for half a window of new output beyond the window (at least MINIMUM_SLACK): memory
    // per connection matters more than the extra copy each time that room fills.
    this.#capacity = this.#windowSize + Math.max(this.#windowSize >> 1, MINIMUM_SLACK)
    this.#defaultLimit = outputLimitOption(options.maxOutput)
    this.#limitTotal = this.#defaultLimit
    this.#ignoreDataAfterEnd = options.ignoreDataAfterEnd === true
  }

  /** Total bytes output since the last reset(). */
  get totalOut(): number {
    return this.#droppedBytes + this.#outPosition
  }

  /** True once the final block (BFINAL = 1) has ended. */
  get finished(): boolean {
    return this.#state === END
  }

  /**
   * True when the input so far ends exactly between blocks, with no bits of a next block read,
   * or after the final block. A permessage-deflate message (with 00 00 ff ff appended) always
   * ends this way; one that does not was cut inside a block.
   */
  get atBlockBoundary(): boolean {
    return this.#state === END || (this.#state === HEADER && this.#bitCount === 0)
  }

  /** Allows `maxOutput` more bytes from now (until the next reset, which restores the constructor's limit). */
  setOutputLimit(maxOutput: number): void {
    this.#limitTotal = this.totalOut + outputLimitOption(maxOutput)
  }

  /** Forgets the window and all state, as for a new stream (no context takeover). */
  reset(): void {
    this.#outPosition = 0
    this.#emitStart = 0
    this.#droppedBytes = 0
    this.#limitTotal = this.#defaultLimit
    this.#state = HEADER
    this.#lastBlock = false
    this.#bitBuffer = 0
    this.#bitCount = 0
    this.#failure = null
  }

  /**
   * Decompresses `chunk` and returns the output it completes, as chunks that the inflater never
   * touches again. With `final`, the input ends here and the final block must have ended.
   * Throws a DeflateError for malformed input, carrying in `output` what this call had decoded
   * before the error; the inflater then rethrows it (with no output) until reset().
   */
  push(chunk: Uint8Array, final = false): Uint8Array[] {
    assertBytes(chunk, 'Inflater.push: chunk')
    if (this.#failure !== null) {
      this.#failure.output = []
      throw this.#failure
    }
    const output: Uint8Array[] = []
    this.#output = output
    try {
      this.#decode(chunk)
      if (final && this.#state !== END) {
        throw new DeflateError('DEFLATE_TRUNCATED', 'the input ended before the final block did')
      }
    } catch (error) {
      if (error instanceof DeflateError) {
        // The bytes decoded before the error go with it (never past the output limit).
        if (this.#outPosition > this.#emitStart) output.push(this.#takeOutput())
        error.output = output
        this.#failure = error
      }
      throw error
    } finally {
      this.#output = []
    }
    if (this.#outPosition > this.#emitStart) output.push(this.#takeOutput())
    return output
  }

  #takeOutput(): Uint8Array {
    const window = this.#window as Uint8Array
    // In one-shot mode the buffer is never touched again: a view will do, unless it wastes most of it.
    const chunk =
      this.#oneShot && 2 * (this.#outPosition - this.#emitStart) >= window.length
        ? window.subarray(this.#emitStart, this.#outPosition)
        : window.slice(this.#emitStart, this.#outPosition)
    this.#emitStart = this.#outPosition
    return chunk
  }

  /**
   * Streaming: hands out the new bytes and keeps only the last window's worth at the front of
   * the buffer. One-shot: the output stays in one buffer, so that it is handed out without
   * copies; at the checkpoint (early, while little is decoded) and whenever the buffer is full,
   * the rest of the output is estimated from the ratio so far and the buffer grows to hold it.
   */
  #makeRoom(inputLeft: number): void {
    const window = this.#window as Uint8Array
    const outPosition = this.#outPosition
    if (this.#oneShot) {
      const full = this.#roomLimit === this.#capacity
      const used = this.#inputLength - inputLeft
      const estimate = Math.ceil(((this.totalOut / Math.max(used, 1)) * inputLeft * 9) / 8)
      const allowed = this.#limitTotal - this.totalOut + 1024
      // At least half again when full (so the copies add up to about twice the output), at
      // most 8 times the buffer and input at once (if the ratio drops later, that is the most
      // memory it wastes).
      const wanted = full ? Math.max(estimate, outPosition >> 1) : estimate
      const rest = Math.max(
        MINIMUM_SLACK,
        Math.min(wanted, allowed, 8 * (this.#capacity + this.#inputLength)),
      )
      if (outPosition + rest <= this.#capacity) {
        this.#roomLimit = this.#capacity
        return
      }
      this.#allocate(outPosition + rest)
      ;(this.#window as Uint8Array).set(window.subarray(0, outPosition))
      return
    }
    const keep = Math.min(outPosition, this.#windowSize)
    if (outPosition > this.#emitStart) this.#output.push(this.#takeOutput())
    window.copyWithin(0, outPosition - keep, outPosition)
    this.#droppedBytes += outPosition - keep
    this.#outPosition = keep
    this.#emitStart = keep
  }

  #allocate(capacity: number): void {
    this.#capacity = capacity
    this.#roomLimit = capacity
    this.#window = new Uint8Array(capacity)
    this.#windowView = new DataView(this.#window.buffer)
  }

  /**
   * Switches to inflateRaw's one-shot mode for an input of `inputLength` bytes: a first buffer
   * sized for a typical compression ratio (within the output limit), and no copies of output
   * that the inflater will not touch again.
   */
  protected startOneShot(inputLength: number): void {
    this.#oneShot = true
    this.#inputLength = inputLength
    // Room for a typical ratio, but only up to the checkpoint: there (64 KiB out) the ratio so
    // far sizes the buffer for the rest, while a copy is cheap.
    const slack = Math.min(4 * inputLength, CHECKPOINT, this.#limitTotal + 1024)
    this.#allocate(this.#windowSize + Math.max(MINIMUM_SLACK, slack))
    this.#roomLimit = Math.min(this.#capacity, CHECKPOINT)
  }

  #outputLimitError(): DeflateError {
    return new DeflateError(
      'DEFLATE_OUTPUT_LIMIT',
      `the output would exceed the limit of ${this.#limitTotal} bytes`,
    )
  }

  /** The last output position where decodeFast may start a step: an integer, for a fast compare. */
  #fastOutputLast(roomEnd: number): number {
    const limitLast = this.#limitTotal - this.#droppedBytes - MAX_MATCH
    return limitLast < roomEnd ? limitLast | 0 : roomEnd
  }

  /**
   * The inner loop for blocks of codes while at least FAST_INPUT input bytes and MAX_MATCH bytes
   * of output (under the limit) remain: no per-symbol state or bounds checks, 4-byte refills.
   * Decodes whole symbols only, so the slow loop resumes in LENGTH. Takes and leaves bitBuffer,
   * bitCount and outPosition in the fields; sets state when the block ends; returns the new input
   * position.
   */
  #decodeFast(input: Uint8Array, start: number, end: number): number {
    const window = this.#window as Uint8Array
    const windowSize = this.#windowSize
    const view = this.#windowView as DataView
    const inView = new DataView(input.buffer, input.byteOffset, input.byteLength)
    const roomEnd = this.#roomLimit - MAX_MATCH - FAST_OVERRUN
    const inputLast = end - FAST_INPUT
    const literalTable = this.#literalTable
    const literalRoot = this.#literalRoot
    const literalMask = (1 << literalRoot) - 1
    const distanceTable = this.#distanceTable
    const distanceRoot = this.#distanceRoot
    const distanceMask = (1 << distanceRoot) - 1
    let position = start
    let bitBuffer = this.#bitBuffer
    let bitCount = this.#bitCount
    let outPosition = this.#outPosition
    const outLast = this.#fastOutputLast(roomEnd)
    this.#state = LENGTH
    try {
      for (;;) {
        if (position > inputLast) break
        // Out of room (or near the output limit): the slow loop makes room, one symbol at a time
        // up to its own bound, and comes back. makeRoom is not called here, so that it is not
        // compiled into this loop.
        if (outPosition > outLast) break
        // Refill to at least 24 bits, taking whole bytes only; bits above bitCount may hold the
        // next stream bits (ORed in again, unchanged, by the next refill) and are cleared on exit.
        bitBuffer |= inView.getInt32(position, true) << bitCount
        position += (31 - bitCount) >>> 3
        bitCount |= 24
        let entry = literalTable[bitBuffer & literalMask]
        if ((entry & ENTRY_KIND_MASK) === KIND_LINK) {
          entry =
            literalTable[(entry >>> 11) + ((bitBuffer >>> literalRoot) & ((1 << ((entry >>> 7) & 15)) - 1))]
        }
        let bits = entry & 15
        const kind = entry & ENTRY_KIND_MASK
        if (kind === KIND_LITERAL) {
          bitBuffer >>>= bits
          bitCount -= bits
          window[outPosition++] = entry >>> 11
          // More literals from the same refill while their root-table codes fit in the bits left
          // (fewer than 32, so far fewer bytes than the MAX_MATCH of room a step has).
          entry = literalTable[bitBuffer & literalMask]
          while ((entry & ENTRY_KIND_MASK) === KIND_LITERAL && (entry & 15) <= bitCount) {
            bits = entry & 15
            bitBuffer >>>= bits
            bitCount -= bits
            window[outPosition++] = entry >>> 11
            entry = literalTable[bitBuffer & literalMask]
          }
          continue
        }
        if (kind === KIND_BASE) {
          // A length code and its extra bits: at most 20 bits.
          let extra = (entry >>> 7) & 15
          const length = (entry >>> 11) + ((bitBuffer >>> bits) & ((1 << extra) - 1))
          bits += extra
          bitBuffer >>>= bits
          bitCount -= bits
          bitBuffer |= inView.getInt32(position, true) << bitCount
          position += (31 - bitCount) >>> 3
          bitCount |= 24
          entry = distanceTable[bitBuffer & distanceMask]
          if ((entry & ENTRY_KIND_MASK) === KIND_LINK) {
            entry =
              distanceTable[
                (entry >>> 11) + ((bitBuffer >>> distanceRoot) & ((1 << ((entry >>> 7) & 15)) - 1))
              ]
          }
          if ((entry & ENTRY_KIND_MASK) === KIND_INVALID) {
            throw new DeflateError('DEFLATE_INVALID_DISTANCE', 'invalid distance code')
          }
          bits = entry & 15
          bitBuffer >>>= bits
          bitCount -= bits
          extra = (entry >>> 7) & 15
          if (bitCount < extra) {
            bitBuffer |= inView.getInt32(position, true) << bitCount
            position += (31 - bitCount) >>> 3
            bitCount |= 24
          }
          const distance = (entry >>> 11) + (bitBuffer & ((1 << extra) - 1))
          bitBuffer >>>= extra
          bitCount -= extra
          if (distance > outPosition || distance > windowSize) {
            throw distanceError(distance, windowSize)
          }
          let from = outPosition - distance
          const stop = outPosition + length
          if (distance >= 16) {
            do {
              view.setInt32(outPosition, view.getInt32(from, true), true)
              view.setInt32(outPosition + 4, view.getInt32(from + 4, true), true)
              view.setInt32(outPosition + 8, view.getInt32(from + 8, true), true)
              view.setInt32(outPosition + 12, view.getInt32(from + 12, true), true)
              outPosition += 16
              from += 16
            } while (outPosition < stop)
            outPosition = stop
          } else if (distance >= 8) {
            do {
              view.setInt32(outPosition, view.getInt32(from, true), true)
              view.setInt32(outPosition + 4, view.getInt32(from + 4, true), true)
              outPosition += 8
              from += 8
            } while (outPosition < stop)
            outPosition = stop
          } else if (distance >= 4) {
            // Four bytes at a time, up to three past the match (there is room: see roomEnd); a
            // distance of at least 4 means each read is of bytes already written.
            do {
              view.setInt32(outPosition, view.getInt32(from, true), true)
              outPosition += 4
              from += 4
            } while (outPosition < stop)
            outPosition = stop
          } else {
            window[outPosition] = window[from]
            window[outPosition + 1] = window[from + 1]
            window[outPosition + 2] = window[from + 2]
            outPosition += 3
            from += 3
            while (outPosition < stop) window[outPosition++] = window[from++]
          }
          continue
        }
        bitBuffer >>>= bits
        bitCount -= bits
        if (kind === KIND_END_OF_BLOCK) {
          this.#state = this.#lastBlock ? END : HEADER
          break
        }
        throw new DeflateError('DEFLATE_INVALID_SYMBOL', 'invalid literal/length code')
      }
    } catch (error) {
      this.#outPosition = outPosition
      throw error
    }
    // Leave no bits above bitCount (at most 31 here), as the slow loop expects.
    this.#bitBuffer = bitBuffer & ((1 << bitCount) - 1)
    this.#bitCount = bitCount
    this.#outPosition = outPosition
    return position
  }

  #decode(input: Uint8Array): void {
    if (this.#window === null) this.#allocate(this.#capacity)
    let window = this.#window as Uint8Array
    const windowSize = this.#windowSize
    let roomEnd = this.#roomLimit - MAX_MATCH
    const end = input.length
    let position = 0
    let bitBuffer = this.#bitBuffer
    let bitCount = this.#bitCount
    let outPosition = this.#outPosition
    let limitPosition = this.#limitTotal - this.#droppedBytes
    let state = this.#state

    // On an error, what was decoded so far stays readable (push hands it out with the error);
    // while the fast loop runs, the fields hold the position (outPosition is -1 here).
    try {
      main: for (;;) {
        switch (state) {
          case HEADER: {
            while (bitCount <= 24 && position < end) {
              bitBuffer |= input[position++] << bitCount
              bitCount += 8
            }
            if (bitCount < 3) break main
            this.#lastBlock = (bitBuffer & 1) === 1
            const type = (bitBuffer >>> 1) & 3
            bitBuffer >>>= 3
            bitCount -= 3
            if (type === 0) {
              state = STORED_LENGTHS
            } else if (type === 1) {
              this.#literalTable = FIXED_LITERAL_TABLE
              this.#literalRoot = LITERAL_ROOT_BITS
              this.#distanceTable = FIXED_DISTANCE_TABLE
              this.#distanceRoot = 5
              state = LENGTH
            } else if (type === 2) {
              state = TABLE_COUNTS
            } else {
              throw new DeflateError('DEFLATE_INVALID_BLOCK_TYPE', 'invalid block type 3 (reserved)')
            }
            break
          }

          case STORED_LENGTHS: {
            // Skip to the byte boundary; bits enter whole bytes at a time, so this is bitCount & 7.
            const skip = bitCount & 7
            bitBuffer >>>= skip
            bitCount -= skip
            while (bitCount <= 24 && position < end) {
              bitBuffer |= input[position++] << bitCount
              bitCount += 8
            }
            if (bitCount < 32) break main
            const length = bitBuffer & 0xffff
            if ((length ^ 0xffff) !== bitBuffer >>> 16) {
              throw new DeflateError(
                'DEFLATE_STORED_LENGTH_MISMATCH',
                'stored block length does not match its complement',
              )
            }
            bitBuffer = 0
            bitCount = 0
            this.#storedRemaining = length
            state = STORED_COPY
            break
          }

          case STORED_COPY: {
            let remaining = this.#storedRemaining
            while (remaining > 0) {
              if (outPosition > roomEnd) {
                this.#outPosition = outPosition
                this.#makeRoom(end - position)
                outPosition = this.#outPosition
                window = this.#window as Uint8Array
                roomEnd = this.#roomLimit - MAX_MATCH
                limitPosition = this.#limitTotal - this.#droppedBytes
              }
              const count = Math.min(remaining, end - position, this.#capacity - outPosition)
              if (count === 0) {
                this.#storedRemaining = remaining
                break main
              }
              if (outPosition + count > limitPosition) throw this.#outputLimitError()
              window.set(input.subarray(position, position + count), outPosition)
              outPosition += count
              position += count
              remaining -= count
            }
            this.#storedRemaining = 0
            state = this.#lastBlock ? END : HEADER
            break
          }

          case TABLE_COUNTS: {
            while (bitCount <= 24 && position < end) {
              bitBuffer |= input[position++] << bitCount
              bitCount += 8
            }
            if (bitCount < 14) break main
            this.#literalCount = (bitBuffer & 31) + 257
            this.#distanceCount = ((bitBuffer >>> 5) & 31) + 1
            this.#codeLengthCount = ((bitBuffer >>> 10) & 15) + 4
            bitBuffer >>>= 14
            bitCount -= 14
            if (this.#literalCount > 286 || this.#distanceCount > 30) {
              throw new DeflateError(
                'DEFLATE_INVALID_SYMBOL_COUNT',
                `a dynamic block declares ${this.#literalCount} literal/length and ${this.#distanceCount} distance codes (at most 286 and 30)`,
              )
            }
            this.#codeLengthLengths.fill(0)
            this.#lengthIndex = 0
            state = CODE_LENGTH_LENGTHS
            break
          }

          case CODE_LENGTH_LENGTHS: {
            let index = this.#lengthIndex
            while (index < this.#codeLengthCount) {
              while (bitCount <= 24 && position < end) {
                bitBuffer |= input[position++] << bitCount
                bitCount += 8
              }
              if (bitCount < 3) {
                this.#lengthIndex = index
                break main
              }
              this.#codeLengthLengths[CODE_LENGTH_ORDER[index++]] = bitBuffer & 7
              bitBuffer >>>= 3
              bitCount -= 3
            }
            this.#codeLengthRoot = buildDecodeTable(
              this.#codeLengthLengths,
              0,
              CODE_LENGTH_SYMBOLS,
              TABLE_CODE_LENGTHS,
              this.#codeLengthTable,
              CODE_LENGTH_ROOT_BITS,
            )
            this.#lengthIndex = 0
            state = CODE_LENGTHS
            break
          }

          case CODE_LENGTHS: {
            const lengths = this.#codeLengths
            const total = this.#literalCount + this.#distanceCount
            const table = this.#codeLengthTable
            const mask = (1 << this.#codeLengthRoot) - 1
            let index = this.#lengthIndex
            while (index < total) {
              while (bitCount <= 24 && position < end) {
                bitBuffer |= input[position++] << bitCount
                bitCount += 8
              }
              // The code-length code is complete and at most 7 bits long: no links, no gaps.
              const entry = table[bitBuffer & mask]
              const bits = entry & 15
              const symbol = entry >>> 11
              const extraBits = CODE_LENGTH_EXTRA[symbol]
              if (bits + extraBits > bitCount) {
                this.#lengthIndex = index
                break main
              }
              const extra = (bitBuffer >>> bits) & ((1 << extraBits) - 1)
              bitBuffer >>>= bits + extraBits
              bitCount -= bits + extraBits
              if (symbol < 16) {
                lengths[index++] = symbol
                continue
              }
              let value = 0
              let repeat = 0
              if (symbol === 16) {
                if (index === 0) {
                  throw new DeflateError(
                    'DEFLATE_INVALID_LENGTH_REPEAT',
                    'a length repeat with no previous length',
                  )
                }
                value = lengths[index - 1]
                repeat = 3 + extra
              } else {
                repeat = (symbol === 17 ? 3 : 11) + extra
              }
              if (index + repeat > total) {
                throw new DeflateError(
                  'DEFLATE_INVALID_LENGTH_REPEAT',
                  'a length repeat runs past the last code',
                )
              }
              lengths.fill(value, index, index + repeat)
              index += repeat
            }
            if (lengths[END_OF_BLOCK] === 0) {
              throw new DeflateError(
                'DEFLATE_MISSING_END_OF_BLOCK',
                'the literal/length code has no end-of-block code',
              )
            }
            this.#literalRoot = buildDecodeTable(
              lengths,
              0,
              this.#literalCount,
              TABLE_LITERALS,
              this.#dynamicLiteralTable,
              LITERAL_ROOT_BITS,
            )
            this.#distanceRoot = buildDecodeTable(
              lengths,
              this.#literalCount,
              this.#distanceCount,
              TABLE_DISTANCES,
              this.#dynamicDistanceTable,
              DISTANCE_ROOT_BITS,
            )
            this.#literalTable = this.#dynamicLiteralTable
            this.#distanceTable = this.#dynamicDistanceTable
            state = LENGTH
            break
          }

          case LENGTH:
          case DISTANCE:
          case DISTANCE_EXTRA: {
            const literalTable = this.#literalTable
            const literalRoot = this.#literalRoot
            const literalMask = (1 << literalRoot) - 1
            const distanceTable = this.#distanceTable
            const distanceRoot = this.#distanceRoot
            const distanceMask = (1 << distanceRoot) - 1
            let length = this.#pendingLength
            let distanceBase = this.#pendingDistanceBase
            let distanceExtra = this.#pendingDistanceExtra
            let phase: number = state
            for (;;) {
              // decodeFast needs bitCount below 32 (a match with no distance extra bits may leave 32).
              if (
                phase === LENGTH &&
                bitCount < 32 &&
                end - position >= FAST_INPUT &&
                outPosition <= limitPosition - MAX_MATCH
              ) {
                this.#bitBuffer = bitBuffer
                this.#bitCount = bitCount
                this.#outPosition = outPosition
                outPosition = -1
                position = this.#decodeFast(input, position, end)
                bitBuffer = this.#bitBuffer
                bitCount = this.#bitCount
                outPosition = this.#outPosition
                window = this.#window as Uint8Array
                roomEnd = this.#roomLimit - MAX_MATCH
                limitPosition = this.#limitTotal - this.#droppedBytes
                if (this.#state !== LENGTH) {
                  phase = this.#state
                  break
                }
              }
              if (bitCount <= 16 && position + 1 < end) {
                bitBuffer |= (input[position] | (input[position + 1] << 8)) << bitCount
                position += 2
                bitCount += 16
              }
              while (bitCount <= 24 && position < end) {
                bitBuffer |= input[position++] << bitCount
                bitCount += 8
              }
              if (phase === LENGTH) {
                if (outPosition > roomEnd) {
                  this.#outPosition = outPosition
                  this.#makeRoom(end - position)
                  outPosition = this.#outPosition
                  window = this.#window as Uint8Array
                  roomEnd = this.#roomLimit - MAX_MATCH
                  limitPosition = this.#limitTotal - this.#droppedBytes
                }
                let entry = literalTable[bitBuffer & literalMask]
                if ((entry & ENTRY_KIND_MASK) === KIND_LINK) {
                  entry =
                    literalTable[
                      (entry >>> 11) + ((bitBuffer >>> literalRoot) & ((1 << ((entry >>> 7) & 15)) - 1))
                    ]
                }
                const bits = entry & 15
                const kind = entry & ENTRY_KIND_MASK
                if (kind === KIND_LITERAL) {
                  if (bits > bitCount) break
                  bitBuffer >>>= bits
                  bitCount -= bits
                  if (outPosition >= limitPosition) throw this.#outputLimitError()
                  window[outPosition++] = entry >>> 11
                  continue
                }
                if (kind === KIND_BASE) {
                  const extraBits = (entry >>> 7) & 15
                  if (bits + extraBits > bitCount) break
                  length = (entry >>> 11) + ((bitBuffer >>> bits) & ((1 << extraBits) - 1))
                  bitBuffer >>>= bits + extraBits
                  bitCount -= bits + extraBits
                  phase = DISTANCE
                  while (bitCount <= 24 && position < end) {
                    bitBuffer |= input[position++] << bitCount
                    bitCount += 8
                  }
                } else {
                  if (bits > bitCount) break
                  if (kind === KIND_END_OF_BLOCK) {
                    bitBuffer >>>= bits
                    bitCount -= bits
                    phase = this.#lastBlock ? END : HEADER
                    break
                  }
                  throw new DeflateError('DEFLATE_INVALID_SYMBOL', 'invalid literal/length code')
                }
              }
              if (phase === DISTANCE) {
                let entry = distanceTable[bitBuffer & distanceMask]
                if ((entry & ENTRY_KIND_MASK) === KIND_LINK) {
                  entry =
                    distanceTable[
                      (entry >>> 11) + ((bitBuffer >>> distanceRoot) & ((1 << ((entry >>> 7) & 15)) - 1))
                    ]
                }
                const bits = entry & 15
                if (bits > bitCount) break
                if ((entry & ENTRY_KIND_MASK) === KIND_INVALID) {
                  throw new DeflateError('DEFLATE_INVALID_DISTANCE', 'invalid distance code')
                }
                bitBuffer >>>= bits
                bitCount -= bits
                distanceBase = entry >>> 11
                distanceExtra = (entry >>> 7) & 15
                phase = DISTANCE_EXTRA
                while (bitCount <= 24 && position < end) {
                  bitBuffer |= input[position++] << bitCount
                  bitCount += 8
                }
              }
              if (distanceExtra > bitCount) break
              const distance = distanceBase + (bitBuffer & ((1 << distanceExtra) - 1))
              bitBuffer >>>= distanceExtra
              bitCount -= distanceExtra
              phase = LENGTH
              if (distance > outPosition || distance > windowSize) {
                throw distanceError(distance, windowSize)
              }
              if (outPosition + length > limitPosition) throw this.#outputLimitError()
              let from = outPosition - distance
              if (length >= 32 && distance >= length) {
                window.copyWithin(outPosition, from, from + length)
                outPosition += length
              } else {
                // Every match is at least 3 bytes; byte by byte keeps overlapping copies right.
                const stop = outPosition + length
                window[outPosition] = window[from]
                window[outPosition + 1] = window[from + 1]
                window[outPosition + 2] = window[from + 2]
                outPosition += 3
                from += 3
                while (outPosition < stop) window[outPosition++] = window[from++]
              }
            }
            this.#pendingLength = length
            this.#pendingDistanceBase = distanceBase
            this.#pendingDistanceExtra = distanceExtra
            state = phase
            // The loop ends at a block's end (go on) or when the input is exhausted (wait for more).
            if (phase === LENGTH || phase === DISTANCE || phase === DISTANCE_EXTRA) break main
            break
          }

          default: {
            // END: padding bits of the last byte are ignored; any further byte is an error.
            const skip = bitCount & 7
            bitBuffer >>>= skip
            bitCount -= skip
            if (bitCount > 0 || position < end) {
              if (!this.#ignoreDataAfterEnd) {
                throw new DeflateError('DEFLATE_DATA_AFTER_END', 'data after the end of the final block')
              }
              bitBuffer = 0
              bitCount = 0
            }
            break main
          }
        }
      }
    } catch (error) {
      if (outPosition >= 0) this.#outPosition = outPosition
      throw error
    }
    this.#state = state
    this.#bitBuffer = bitBuffer
    this.#bitCount = bitCount
    this.#outPosition = outPosition
  }
}

/** Decompresses a whole raw DEFLATE stream, which must end with its final block. */
export function inflateRaw(data: Uint8Array, options: InflaterOptions = {}): Uint8Array {
  assertBytes(data, 'inflateRaw: data')
  return concatenate(new OneShotInflater(options, data.length).push(data, true))
}

/** The inflater behind inflateRaw: one push, so its output may be handed out without copies. */
class OneShotInflater extends Inflater {
  constructor(options: InflaterOptions, inputLength: number) {
    super(options)
    this.startOneShot(inputLength)
  }
}
