/**
 * LZ77 with hash chains, after zlib's deflate.c: a window buffer of two halves that slides by
 * one half, a hash of the next four bytes heading a chain of earlier positions with that hash
 * (`head` and `prev`), greedy matching for levels 1..3 and lazy matching (take a match only if
 * the next position does not start a longer one) for 4..9, with zlib's per-level limits. Unlike
 * zlib, `prev` holds the distance back to the next older position of the chain rather than the
 * position itself, so only `head` needs updating when the window slides.
 *
 * It produces symbols into a buffer and stops whenever the buffer is full (`run` returns true):
 * the caller writes the block `[blockStart, blockEnd)` and calls `startBlock`. Level 0 produces
 * no symbols, only stored-block ranges.
 *
 * Distances never exceed `maxDistance` = min(2^windowBits, half - 262): zlib's MAX_DIST at
 * windowBits 15, and the whole window at 8 and 9, where the half is larger than the window so
 * that the lookahead still fits (zlib instead raises windowBits 8 to 9).
 */
import type { SymbolBuffer } from './block-writer.ts'
import {
  DISTANCE_SYMBOLS,
  distanceSymbol,
  END_OF_BLOCK,
  LENGTH_SYMBOL,
  LITERAL_LENGTH_SYMBOLS,
  MAX_MATCH,
  MIN_MATCH,
} from './tables.ts'

/** Bytes of lookahead the match loop keeps: a whole match plus the next hash. */
const MIN_LOOKAHEAD = MAX_MATCH + MIN_MATCH + 1
/** A match of length 3 further back than this costs more than three literals (zlib's TOO_FAR). */
const TOO_FAR = 4096
/** The multiplier of the four-byte hash (2^32 divided by the golden ratio). */
const HASH_MULTIPLIER = 0x9e3779b1
/** The smallest half window, so that small windows still leave room for the lookahead. */
const MINIMUM_HALF = 1024
/** Bytes after the window that word reads past the last match position may touch. */
const WINDOW_PADDING = MAX_MATCH + 8

/**
 * Per level, as in zlib: good length, lazy length (max insert length for 1..3), nice length,
 * chain. Level 6 (the default) stops looking for a longer match after one of 12 bytes, where
 * zlib waits for 16: about a tenth less time on JSON for output about 0.3% larger.
 */
const CONFIGURATION: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 0, 0],
  [4, 4, 8, 4],
  [4, 5, 16, 8],
  [4, 6, 32, 32],
  [4, 4, 16, 16],
  [8, 16, 32, 32],
  [8, 12, 128, 128],
  [8, 32, 128, 256],
  [32, 128, 258, 1024],
  [32, 258, 258, 4096],
]

const EMPTY = new Uint8Array(0)

/**
 * Moves every position in `table` down by `half` (a power of two); those that fall out of the
 * window become 0 (none). Positions are below 2 * half, so a position at or above half is the
 * one with that bit set, and the bit cleared is the slid position. Two 16-bit entries at a time,
 * without branches.
 */
function slide(table: Uint16Array, half: number): void {
  const words = new Uint32Array(table.buffer, table.byteOffset, table.length >>> 1)
  const shift = 31 - Math.clz32(half)
  const bits = (half | (half << 16)) >>> 0
  for (let index = 0; index < words.length; index++) {
    const word = words[index]
    const set = word & bits
    words[index] = word & (set - (set >>> shift))
  }
}

export class MatchFinder {
  readonly window: Uint8Array
  private readonly view: DataView
  readonly half: number
  readonly maxDistance: number
  readonly symbols: SymbolBuffer
  /** Per hash, the latest position with that hash (0: none). */
  private readonly head: Uint16Array
  /** Per position (modulo half), how far back the chain goes on; reaching 0 or below ends it. */
  private readonly prev: Uint16Array
  /** 32 - hash bits: the hash is the top bits of a multiplicative hash of four bytes. */
  private readonly hashShift: number
  private readonly symbolLimit: number
  private readonly level: number
  private readonly goodLength: number
  private readonly maxLazy: number
  private readonly niceLength: number
  private readonly maxChain: number

  /** Next position to process; `lookahead` bytes from it are valid. */
  strstart = 0
  lookahead = 0
  /** The current block: positions [blockStart, blockEnd) once `run` returned true. */
  blockStart = 0
  blockEnd = 0
  private matchStart = 0
  private matchLength = MIN_MATCH - 1
  private matchAvailable = false
  /** Positions before strstart not yet inserted in the hash chains (their third byte was missing). */
  private insert = 0
  private input: Uint8Array = EMPTY
  private inputPosition = 0

  constructor(level: number, windowBits: number, memLevel: number) {
    const windowSize = 1 << windowBits
    this.half = Math.max(windowSize, MINIMUM_HALF)
    this.maxDistance = Math.min(windowSize, this.half - MIN_LOOKAHEAD)
    // Padding after the two halves lets the match loop read whole words near the end.
    this.window = new Uint8Array(2 * this.half + WINDOW_PADDING)
    this.view = new DataView(this.window.buffer)
    const hashBits = memLevel + 7
    this.head = new Uint16Array(level === 0 ? 0 : 1 << hashBits)
    this.prev = new Uint16Array(level === 0 ? 0 : this.half)
    this.hashShift = 32 - hashBits
    const symbolCapacity = level === 0 ? 0 : 1 << (memLevel + 6)
    this.symbols = {
      distances: new Uint16Array(symbolCapacity),
      values: new Uint8Array(symbolCapacity),
      count: 0,
      literalFrequencies: new Uint16Array(level === 0 ? 0 : LITERAL_LENGTH_SYMBOLS),
      distanceFrequencies: new Uint16Array(level === 0 ? 0 : DISTANCE_SYMBOLS),
    }
    this.symbolLimit = symbolCapacity - 1
    this.level = level
    this.#clearSymbols()
    const [goodLength, maxLazy, niceLength, maxChain] = CONFIGURATION[level] as readonly [
      number,
      number,
      number,
      number,
    ]
    this.goodLength = goodLength
    this.maxLazy = maxLazy
    this.niceLength = niceLength
    this.maxChain = maxChain
  }

  /** Forgets the window and the chains. */
  reset(): void {
    this.head.fill(0)
    this.strstart = 0
    this.lookahead = 0
    this.blockStart = 0
    this.blockEnd = 0
    this.matchStart = 0
    this.matchLength = MIN_MATCH - 1
    this.matchAvailable = false
    this.insert = 0
    this.#clearSymbols()
    this.input = EMPTY
    this.inputPosition = 0
  }

  /** Input for the following `run` calls; it must be consumed before the next `setInput`. */
  setInput(input: Uint8Array): void {
    this.input = input
    this.inputPosition = 0
  }

  /** After the caller wrote the block that `run` reported. */
  startBlock(): void {
    this.blockStart = this.blockEnd
    this.#clearSymbols()
  }

  #clearSymbols(): void {
    const symbols = this.symbols
    symbols.count = 0
    symbols.literalFrequencies.fill(0)
    symbols.distanceFrequencies.fill(0)
    // (At level 0 the arrays are empty and this does nothing.)
    symbols.literalFrequencies[END_OF_BLOCK] = 1
  }

  /**
   * Consumes input. Returns true when a block is ready (then `blockEnd` is set); false when all
   * input is in the window and, if `flushing`, every byte of it has become a symbol (the partial
   * block [blockStart, strstart) is then the caller's to write).
   */
  run(flushing: boolean): boolean {
    if (this.level === 0) return this.#runStored()
    return this.level <= 3 ? this.#runGreedy(flushing) : this.#runLazy(flushing)
  }

  #runStored(): boolean {
    const maxBlock = Math.min(65535, this.maxDistance)
    for (;;) {
      if (this.lookahead === 0) {
        this.#fillWindow()
        if (this.lookahead === 0) return false
      }
      const take = Math.min(maxBlock - (this.strstart - this.blockStart), this.lookahead)
      this.strstart += take
      this.lookahead -= take
      if (this.strstart - this.blockStart >= maxBlock) {
        this.blockEnd = this.strstart
        return true
      }
    }
  }

  /** Reads input into the window, sliding it by one half first when the position is far enough in. */
  #fillWindow(): void {
    const window = this.window
    const half = this.half
    const input = this.input
    do {
      let more = 2 * half - this.lookahead - this.strstart
      if (this.strstart >= half + this.maxDistance) {
        window.copyWithin(0, half, this.strstart + this.lookahead)
        this.matchStart -= half
        this.strstart -= half
        this.blockStart -= half
        if (this.insert > this.strstart) this.insert = this.strstart
        this.#slideHash()
        more += half
      }
      if (this.inputPosition >= input.length) break
      const count = Math.min(more, input.length - this.inputPosition)
      window.set(
        input.subarray(this.inputPosition, this.inputPosition + count),
        this.strstart + this.lookahead,
      )
      this.inputPosition += count
      this.lookahead += count
      if (this.level !== 0 && this.lookahead + this.insert >= MIN_MATCH) this.#insertPending()
    } while (this.lookahead < MIN_LOOKAHEAD && this.inputPosition < input.length)
  }

  /** Inserts the positions whose following bytes have just arrived. */
  #insertPending(): void {
    let position = this.strstart - this.insert
    while (this.insert > 0) {
      this.#insertString(position)
      position++
      this.insert--
      if (this.lookahead + this.insert < MIN_MATCH) break
    }
  }

  #slideHash(): void {
    slide(this.head, this.half)
  }

  #tally(distance: number, value: number): boolean {
    const symbols = this.symbols
    symbols.distances[symbols.count] = distance
    symbols.values[symbols.count] = value
    if (distance === 0) symbols.literalFrequencies[value]++
    else {
      symbols.literalFrequencies[257 + LENGTH_SYMBOL[value]]++
      symbols.distanceFrequencies[distanceSymbol(distance)]++
    }
    return ++symbols.count === this.symbolLimit
  }

  /**
   * The longest match at `strstart` (at most `lookahead` bytes) among the chain from
   * `chainStart`, if longer than `prevLength`; sets matchStart when it finds one.
   */
  #longestMatch(strstart: number, chainStart: number, prevLength: number, lookahead: number): number {
    const view = this.view
    const prev = this.prev
    const windowMask = this.half - 1
    const limit = strstart > this.maxDistance ? strstart - this.maxDistance : 0
    let chainLength = prevLength >= this.goodLength ? this.maxChain >>> 2 : this.maxChain
    let bestLength = prevLength
    const niceLength = Math.min(this.niceLength, lookahead)
    // The two bytes that end the best match so far: a candidate must match them to be longer.
    let scanEnd = view.getUint16(strstart + bestLength - 1, true)
    const startWord = view.getInt32(strstart, true)
    let candidate = chainStart
    for (;;) {
      if (view.getUint16(candidate + bestLength - 1, true) === scanEnd) {
        // Four bytes at a time (the hash covers the first four, so they rarely differ); the
        // lowest differing byte of the first unequal word ends the match.
        let length = 0
        let difference = view.getInt32(candidate, true) ^ startWord
        while (difference === 0) {
          length += 4
          if (length >= MAX_MATCH) break
          difference = view.getInt32(strstart + length, true) ^ view.getInt32(candidate + length, true)
        }
        if (difference !== 0) length += (31 - Math.clz32(difference & -difference)) >>> 3
        if (length > MAX_MATCH) length = MAX_MATCH
        if (length > bestLength) {
          this.matchStart = candidate
          bestLength = length
          if (length >= niceLength) break
          scanEnd = view.getUint16(strstart + bestLength - 1, true)
        }
      }
      candidate -= prev[candidate & windowMask]
      if (candidate <= limit || --chainLength === 0) break
    }
    return Math.min(bestLength, lookahead)
  }

  /**
   * Inserts `position` in the chain of its hash and returns the previous head of that chain. The
   * hash covers four bytes, as in Chromium's zlib (the one Node uses): chains hold fewer
   * candidates that match only three bytes. A byte past the lookahead may be stale; that only
   * costs a missed candidate, since every match is verified byte by byte.
   */
  #insertString(position: number): number {
    const window = this.window
    const hash =
      Math.imul(
        window[position] |
          (window[position + 1] << 8) |
          (window[position + 2] << 16) |
          (window[position + 3] << 24),
        HASH_MULTIPLIER,
      ) >>> this.hashShift
    const chainHead = this.head[hash]
    this.prev[position & (this.half - 1)] = position - chainHead
    this.head[hash] = position
    return chainHead
  }

  /** Levels 1..3: take the longest match at each position (zlib's deflate_fast). */
  #runGreedy(flushing: boolean): boolean {
    const window = this.window
    for (;;) {
      if (this.lookahead < MIN_LOOKAHEAD) {
        this.#fillWindow()
        if (this.lookahead < MIN_LOOKAHEAD && !flushing) return false
        if (this.lookahead === 0) break
      }
      let chainHead = 0
      if (this.lookahead >= MIN_MATCH) chainHead = this.#insertString(this.strstart)
      if (chainHead !== 0 && this.strstart - chainHead <= this.maxDistance) {
        this.matchLength = this.#longestMatch(this.strstart, chainHead, MIN_MATCH - 1, this.lookahead)
      }
      let full: boolean
      if (this.matchLength >= MIN_MATCH) {
        full = this.#tally(this.strstart - this.matchStart, this.matchLength - MIN_MATCH)
        this.lookahead -= this.matchLength
        if (this.matchLength <= this.maxLazy && this.lookahead >= MIN_MATCH) {
          // Insert every position of a short match.
          this.matchLength--
          do {
            this.strstart++
            this.#insertString(this.strstart)
          } while (--this.matchLength !== 0)
          this.strstart++
        } else {
          this.strstart += this.matchLength
          this.matchLength = 0
        }
      } else {
        full = this.#tally(0, window[this.strstart])
        this.lookahead--
        this.strstart++
      }
      if (full) {
        this.blockEnd = this.strstart
        return true
      }
    }
    this.insert = Math.min(this.strstart, MIN_MATCH - 1)
    this.matchLength = MIN_MATCH - 1
    return false
  }

  /**
   * Levels 4..9: defer each match by one position in case a longer one starts there (zlib's
   * deflate_slow). The hot state lives in locals and goes back to the fields before any call
   * that reads them and on return.
   */
  #runLazy(flushing: boolean): boolean {
    const window = this.window
    const view = this.view
    const head = this.head
    const prev = this.prev
    const windowMask = this.half - 1
    const hashShift = this.hashShift
    const maxDistance = this.maxDistance
    const maxLazy = this.maxLazy
    const symbols = this.symbols
    const distances = symbols.distances
    const values = symbols.values
    const literalFrequencies = symbols.literalFrequencies
    const distanceFrequencies = symbols.distanceFrequencies
    const symbolLimit = this.symbolLimit
    let count = symbols.count
    let strstart = this.strstart
    let lookahead = this.lookahead
    let matchLength = this.matchLength
    let matchAvailable = this.matchAvailable
    let full = false
    let ended = false
    for (;;) {
      if (lookahead < MIN_LOOKAHEAD) {
        this.strstart = strstart
        this.lookahead = lookahead
        this.#fillWindow()
        strstart = this.strstart
        lookahead = this.lookahead
        if (lookahead < MIN_LOOKAHEAD && !flushing) break
        if (lookahead === 0) {
          ended = true
          break
        }
      }
      let chainHead = 0
      if (lookahead >= MIN_MATCH) {
        const hash = Math.imul(view.getInt32(strstart, true), HASH_MULTIPLIER) >>> hashShift
        chainHead = head[hash]
        prev[strstart & windowMask] = strstart - chainHead
        head[hash] = strstart
      }
      const prevLength = matchLength
      const prevMatch = this.matchStart
      matchLength = MIN_MATCH - 1
      if (chainHead !== 0 && prevLength < maxLazy && strstart - chainHead <= maxDistance) {
        matchLength = this.#longestMatch(strstart, chainHead, prevLength, lookahead)
        if (matchLength === MIN_MATCH && strstart - this.matchStart > TOO_FAR) matchLength = MIN_MATCH - 1
      }
      if (prevLength >= MIN_MATCH && matchLength <= prevLength) {
        // The previous match is at least as long: emit it and insert every position it covers.
        const maxInsert = strstart + lookahead - MIN_MATCH
        const distance = strstart - 1 - prevMatch
        distances[count] = distance
        values[count] = prevLength - MIN_MATCH
        literalFrequencies[257 + LENGTH_SYMBOL[prevLength - MIN_MATCH]]++
        distanceFrequencies[distanceSymbol(distance)]++
        full = ++count === symbolLimit
        lookahead -= prevLength - 1
        const stop = strstart + prevLength - 1
        const insertStop = Math.min(stop - 1, maxInsert)
        for (let position = strstart + 1; position <= insertStop; position++) {
          const hash = Math.imul(view.getInt32(position, true), HASH_MULTIPLIER) >>> hashShift
          prev[position & windowMask] = position - head[hash]
          head[hash] = position
        }
        strstart = stop
        matchAvailable = false
        matchLength = MIN_MATCH - 1
        if (full) {
          this.blockEnd = strstart
          break
        }
      } else if (matchAvailable) {
        // No better match: the byte before becomes a literal.
        const literal = window[strstart - 1]
        distances[count] = 0
        values[count] = literal
        literalFrequencies[literal]++
        full = ++count === symbolLimit
        if (full) {
          this.blockEnd = strstart
          strstart++
          lookahead--
          break
        }
        strstart++
        lookahead--
      } else {
        matchAvailable = true
        strstart++
        lookahead--
      }
    }
    if (ended) {
      if (matchAvailable) {
        const literal = window[strstart - 1]
        distances[count] = 0
        values[count++] = literal
        literalFrequencies[literal]++
        matchAvailable = false
      }
      this.insert = Math.min(strstart, MIN_MATCH - 1)
      matchLength = MIN_MATCH - 1
    }
    symbols.count = count
    this.strstart = strstart
    this.lookahead = lookahead
    this.matchLength = matchLength
    this.matchAvailable = matchAvailable
    return full
  }
}
