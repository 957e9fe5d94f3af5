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

export class Inflater {
  private readonly windowSize: number
  private readonly capacity: number
  private readonly defaultLimit: number
  private readonly ignoreDataAfterEnd: boolean

  /** Output buffer: the window followed by slack. Allocated on first use. */
  private window: Uint8Array | null = null
  private outPosition = 0
  /** Start of the bytes not yet handed out. */
  private emitStart = 0
  /** Bytes dropped from the front of the buffer since the last reset. */
  private droppedBytes = 0
  /** totalOut may not exceed this. */
  private limitTotal: number
  private output: Uint8Array[] = []

  private state = HEADER
  private lastBlock = false
  private bitBuffer = 0
  private bitCount = 0
  private failure: DeflateError | null = null

  private storedRemaining = 0
  private literalCount = 0
  private distanceCount = 0
  private codeLengthCount = 0
  private lengthIndex = 0
  private pendingLength = 0
  private pendingDistanceBase = 0
  private pendingDistanceExtra = 0

  private readonly codeLengthLengths = new Uint8Array(CODE_LENGTH_SYMBOLS)
  private readonly codeLengths = new Uint8Array(286 + 30)
  private readonly codeLengthTable = new Int32Array(CODE_LENGTH_TABLE_SIZE)
  private codeLengthRoot = 0
  private readonly dynamicLiteralTable = new Int32Array(LITERAL_TABLE_SIZE)
  private readonly dynamicDistanceTable = new Int32Array(DISTANCE_TABLE_SIZE)
  private literalTable: Int32Array = FIXED_LITERAL_TABLE
  private literalRoot = LITERAL_ROOT_BITS
  private distanceTable: Int32Array = FIXED_DISTANCE_TABLE
  private distanceRoot = 5

  constructor(options: InflaterOptions = {}) {
    this.windowSize = 1 << windowBitsOption(options.windowBits)
    this.capacity = this.windowSize + Math.max(this.windowSize, MINIMUM_SLACK)
    this.defaultLimit = outputLimitOption(options.maxOutput)
    this.limitTotal = this.defaultLimit
    this.ignoreDataAfterEnd = options.ignoreDataAfterEnd === true
  }

  /** Total bytes output since the last reset(). */
  get totalOut(): number {
    return this.droppedBytes + this.outPosition
  }

  /** True once the final block (BFINAL = 1) has ended. */
  get finished(): boolean {
    return this.state === END
  }

  /** Allows `maxOutput` more bytes from now (until the next reset, which restores the constructor's limit). */
  setOutputLimit(maxOutput: number): void {
    this.limitTotal = this.totalOut + outputLimitOption(maxOutput)
  }

  /** Forgets the window and all state, as for a new stream (no context takeover). */
  reset(): void {
    this.outPosition = 0
    this.emitStart = 0
    this.droppedBytes = 0
    this.limitTotal = this.defaultLimit
    this.state = HEADER
    this.lastBlock = false
    this.bitBuffer = 0
    this.bitCount = 0
    this.failure = null
  }

  /**
   * Decompresses `chunk` and returns the output it completes, as chunks that the inflater never
   * touches again. With `final`, the input ends here and the final block must have ended.
   * Throws a DeflateError for malformed input; the inflater then rethrows it until reset().
   */
  push(chunk: Uint8Array, final = false): Uint8Array[] {
    assertBytes(chunk, 'Inflater.push: chunk')
    if (this.failure !== null) throw this.failure
    const output: Uint8Array[] = []
    this.output = output
    try {
      this.decode(chunk)
      if (final && this.state !== END) {
        throw new DeflateError('DEFLATE_TRUNCATED', 'the input ended before the final block did')
      }
    } catch (error) {
      if (error instanceof DeflateError) this.failure = error
      throw error
    } finally {
      this.output = []
    }
    if (this.outPosition > this.emitStart) output.push(this.takeOutput())
    return output
  }

  private takeOutput(): Uint8Array {
    const chunk = (this.window as Uint8Array).slice(this.emitStart, this.outPosition)
    this.emitStart = this.outPosition
    return chunk
  }

  /** Hands out the new bytes and keeps only the last window's worth at the front of the buffer. */
  private makeRoom(): void {
    const window = this.window as Uint8Array
    if (this.outPosition > this.emitStart) this.output.push(this.takeOutput())
    const keep = Math.min(this.outPosition, this.windowSize)
    window.copyWithin(0, this.outPosition - keep, this.outPosition)
    this.droppedBytes += this.outPosition - keep
    this.outPosition = keep
    this.emitStart = keep
  }

  private outputLimitError(): DeflateError {
    return new DeflateError(
      'DEFLATE_OUTPUT_LIMIT',
      `the output would exceed the limit of ${this.limitTotal} bytes`,
    )
  }

  private decode(input: Uint8Array): void {
    if (this.window === null) this.window = new Uint8Array(this.capacity)
    const window = this.window
    const windowSize = this.windowSize
    const roomEnd = this.capacity - MAX_MATCH
    const end = input.length
    let position = 0
    let bitBuffer = this.bitBuffer
    let bitCount = this.bitCount
    let outPosition = this.outPosition
    let limitPosition = this.limitTotal - this.droppedBytes
    let state = this.state

    main: for (;;) {
      switch (state) {
        case HEADER: {
          while (bitCount <= 24 && position < end) {
            bitBuffer |= input[position++] << bitCount
            bitCount += 8
          }
          if (bitCount < 3) break main
          this.lastBlock = (bitBuffer & 1) === 1
          const type = (bitBuffer >>> 1) & 3
          bitBuffer >>>= 3
          bitCount -= 3
          if (type === 0) {
            state = STORED_LENGTHS
          } else if (type === 1) {
            this.literalTable = FIXED_LITERAL_TABLE
            this.literalRoot = LITERAL_ROOT_BITS
            this.distanceTable = FIXED_DISTANCE_TABLE
            this.distanceRoot = 5
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
          this.storedRemaining = length
          state = STORED_COPY
          break
        }

        case STORED_COPY: {
          let remaining = this.storedRemaining
          while (remaining > 0) {
            if (outPosition > roomEnd) {
              this.outPosition = outPosition
              this.makeRoom()
              outPosition = this.outPosition
              limitPosition = this.limitTotal - this.droppedBytes
            }
            const count = Math.min(remaining, end - position, this.capacity - outPosition)
            if (count === 0) {
              this.storedRemaining = remaining
              break main
            }
            if (outPosition + count > limitPosition) throw this.outputLimitError()
            window.set(input.subarray(position, position + count), outPosition)
            outPosition += count
            position += count
            remaining -= count
          }
          this.storedRemaining = 0
          state = this.lastBlock ? END : HEADER
          break
        }

        case TABLE_COUNTS: {
          while (bitCount <= 24 && position < end) {
            bitBuffer |= input[position++] << bitCount
            bitCount += 8
          }
          if (bitCount < 14) break main
          this.literalCount = (bitBuffer & 31) + 257
          this.distanceCount = ((bitBuffer >>> 5) & 31) + 1
          this.codeLengthCount = ((bitBuffer >>> 10) & 15) + 4
          bitBuffer >>>= 14
          bitCount -= 14
          if (this.literalCount > 286 || this.distanceCount > 30) {
            throw new DeflateError(
              'DEFLATE_INVALID_SYMBOL_COUNT',
              `a dynamic block declares ${this.literalCount} literal/length and ${this.distanceCount} distance codes (at most 286 and 30)`,
            )
          }
          this.codeLengthLengths.fill(0)
          this.lengthIndex = 0
          state = CODE_LENGTH_LENGTHS
          break
        }

        case CODE_LENGTH_LENGTHS: {
          let index = this.lengthIndex
          while (index < this.codeLengthCount) {
            while (bitCount <= 24 && position < end) {
              bitBuffer |= input[position++] << bitCount
              bitCount += 8
            }
            if (bitCount < 3) {
              this.lengthIndex = index
              break main
            }
            this.codeLengthLengths[CODE_LENGTH_ORDER[index++]] = bitBuffer & 7
            bitBuffer >>>= 3
            bitCount -= 3
          }
          this.codeLengthRoot = buildDecodeTable(
            this.codeLengthLengths,
            0,
            CODE_LENGTH_SYMBOLS,
            TABLE_CODE_LENGTHS,
            this.codeLengthTable,
            CODE_LENGTH_ROOT_BITS,
          )
          this.lengthIndex = 0
          state = CODE_LENGTHS
          break
        }

        case CODE_LENGTHS: {
          const lengths = this.codeLengths
          const total = this.literalCount + this.distanceCount
          const table = this.codeLengthTable
          const mask = (1 << this.codeLengthRoot) - 1
          let index = this.lengthIndex
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
              this.lengthIndex = index
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
          this.literalRoot = buildDecodeTable(
            lengths,
            0,
            this.literalCount,
            TABLE_LITERALS,
            this.dynamicLiteralTable,
            LITERAL_ROOT_BITS,
          )
          this.distanceRoot = buildDecodeTable(
            lengths,
            this.literalCount,
            this.distanceCount,
            TABLE_DISTANCES,
            this.dynamicDistanceTable,
            DISTANCE_ROOT_BITS,
          )
          this.literalTable = this.dynamicLiteralTable
          this.distanceTable = this.dynamicDistanceTable
          state = LENGTH
          break
        }

        case LENGTH:
        case DISTANCE:
        case DISTANCE_EXTRA: {
          const literalTable = this.literalTable
          const literalRoot = this.literalRoot
          const literalMask = (1 << literalRoot) - 1
          const distanceTable = this.distanceTable
          const distanceRoot = this.distanceRoot
          const distanceMask = (1 << distanceRoot) - 1
          let length = this.pendingLength
          let distanceBase = this.pendingDistanceBase
          let distanceExtra = this.pendingDistanceExtra
          let phase: number = state
          for (;;) {
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
                this.outPosition = outPosition
                this.makeRoom()
                outPosition = this.outPosition
                limitPosition = this.limitTotal - this.droppedBytes
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
                if (outPosition >= limitPosition) throw this.outputLimitError()
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
                  phase = this.lastBlock ? END : HEADER
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
              throw new DeflateError(
                'DEFLATE_DISTANCE_TOO_FAR',
                distance > windowSize
                  ? `distance ${distance} is beyond the ${windowSize}-byte window`
                  : `distance ${distance} reaches before the start of the output`,
              )
            }
            if (outPosition + length > limitPosition) throw this.outputLimitError()
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
          this.pendingLength = length
          this.pendingDistanceBase = distanceBase
          this.pendingDistanceExtra = distanceExtra
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
            if (!this.ignoreDataAfterEnd) {
              throw new DeflateError('DEFLATE_DATA_AFTER_END', 'data after the end of the final block')
            }
            bitBuffer = 0
            bitCount = 0
          }
          break main
        }
      }
    }
    this.state = state
    this.bitBuffer = bitBuffer
    this.bitCount = bitCount
    this.outPosition = outPosition
  }
}

/** Decompresses a whole raw DEFLATE stream, which must end with its final block. */
export function inflateRaw(data: Uint8Array, options: InflaterOptions = {}): Uint8Array {
  return concatenate(new Inflater(options).push(data, true))
}
