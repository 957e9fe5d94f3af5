/**
 * Turns a block's symbols (literals and length/distance pairs from the match finder) into the
 * cheapest of the three DEFLATE block types (RFC 1951 section 3.2.3): it builds length-limited
 * dynamic codes (15 bits for literal/length and distance codes, 7 for the code-length code),
 * computes the exact size in bits of a dynamic, a fixed and a stored block, and writes the
 * smallest. Stored is possible only when the block's raw bytes are still in the window.
 */
import type { BitWriter } from './bit-writer.ts'
import { buildCodeLengths, buildCodes } from './huffman.ts'
import {
  CODE_LENGTH_EXTRA,
  CODE_LENGTH_ORDER,
  CODE_LENGTH_SYMBOLS,
  DISTANCE_BASE,
  DISTANCE_EXTRA,
  DISTANCE_SYMBOLS,
  distanceSymbol,
  END_OF_BLOCK,
  FIXED_DISTANCE_LENGTHS,
  FIXED_LITERAL_LENGTHS,
  LENGTH_BASE,
  LENGTH_EXTRA,
  LENGTH_SYMBOL,
  LITERAL_LENGTH_SYMBOLS,
  MIN_MATCH,
} from './tables.ts'

const FIXED_LITERAL_CODES = /* @__PURE__ */ (() => {
  const codes = new Uint16Array(288)
  buildCodes(FIXED_LITERAL_LENGTHS, 288, codes)
  return codes
})()
const FIXED_DISTANCE_CODES = /* @__PURE__ */ (() => {
  const codes = new Uint16Array(32)
  buildCodes(FIXED_DISTANCE_LENGTHS, 32, codes)
  return codes
})()

/** The largest stored block (LEN is 16 bits). */
const MAX_STORED = 65535

/**
 * Where a block's symbols are: distance 0 marks a literal (value = the byte), else value =
 * length - 3. The match finder counts the symbols' codes as it adds them (the end-of-block code
 * once per block).
 */
export interface SymbolBuffer {
  distances: Uint16Array
  values: Uint8Array
  count: number
  literalFrequencies: Uint16Array
  distanceFrequencies: Uint16Array
}

export class BlockWriter {
  readonly #codeLengthFrequencies = new Uint16Array(CODE_LENGTH_SYMBOLS)
  readonly #literalLengths = new Uint8Array(LITERAL_LENGTH_SYMBOLS)
  readonly #distanceLengths = new Uint8Array(DISTANCE_SYMBOLS)
  readonly #codeLengthLengths = new Uint8Array(CODE_LENGTH_SYMBOLS)
  readonly #literalCodes = new Uint16Array(LITERAL_LENGTH_SYMBOLS)
  readonly #distanceCodes = new Uint16Array(DISTANCE_SYMBOLS)
  readonly #codeLengthCodes = new Uint16Array(CODE_LENGTH_SYMBOLS)
  /** The literal/length and distance code lengths, run-length encoded: symbol and extra value per run. */
  readonly #allLengths = new Uint8Array(LITERAL_LENGTH_SYMBOLS + DISTANCE_SYMBOLS)
  readonly #runSymbols = new Uint8Array(LITERAL_LENGTH_SYMBOLS + DISTANCE_SYMBOLS)
  readonly #runExtras = new Uint8Array(LITERAL_LENGTH_SYMBOLS + DISTANCE_SYMBOLS)
  #runCount = 0
  readonly #lengthCodes = new Int32Array(256)
  readonly #lengthBits = new Uint8Array(256)

  /**
   * Writes one block holding `symbols`, which encode `window[start .. start + length)`. `start`
   * is negative when those bytes have already left the window (then stored is not an option).
   * `storedOnly` is level 0.
   */
  writeBlock(
    writer: BitWriter,
    symbols: SymbolBuffer,
    window: Uint8Array,
    start: number,
    length: number,
    last: boolean,
    storedOnly: boolean,
  ): void {
    const header = last ? 1 : 0
    if (storedOnly) {
      this.#writeStored(writer, window, start, length, header)
      return
    }
    const { literalFrequencies, distanceFrequencies } = symbols
    const literalLengths = this.#literalLengths
    const distanceLengths = this.#distanceLengths
    const literalMax = buildCodeLengths(literalFrequencies, LITERAL_LENGTH_SYMBOLS, 15, literalLengths)
    const distanceMax = buildCodeLengths(distanceFrequencies, DISTANCE_SYMBOLS, 15, distanceLengths)
    const literalCount = Math.max(literalMax + 1, 257)
    const distanceCount = distanceMax + 1
    const codeLengthCount = this.#encodeLengths(literalCount, distanceCount)

    // Sizes in bits, after the 3-bit block header.
    let dataBits = 0
    let fixedBits = 0
    let extraBits = 0
    for (let symbol = 0; symbol < LITERAL_LENGTH_SYMBOLS; symbol++) {
      const frequency = literalFrequencies[symbol]
      if (frequency === 0) continue
      dataBits += frequency * literalLengths[symbol]
      fixedBits += frequency * FIXED_LITERAL_LENGTHS[symbol]
      if (symbol > END_OF_BLOCK) extraBits += frequency * LENGTH_EXTRA[symbol - 257]
    }
    for (let symbol = 0; symbol < DISTANCE_SYMBOLS; symbol++) {
      const frequency = distanceFrequencies[symbol]
      if (frequency === 0) continue
      dataBits += frequency * distanceLengths[symbol]
      fixedBits += frequency * 5
      extraBits += frequency * DISTANCE_EXTRA[symbol]
    }
    let headerBits = 14 + 3 * codeLengthCount
    for (let run = 0; run < this.#runCount; run++) {
      const symbol = this.#runSymbols[run]
      headerBits += this.#codeLengthLengths[symbol] + CODE_LENGTH_EXTRA[symbol]
    }
    const dynamicBits = headerBits + dataBits + extraBits
    fixedBits += extraBits
    const padding = (8 - ((writer.bitCount + 3) & 7)) & 7
    // Each further stored block costs a header, padding to the byte and LEN/NLEN: 40 bits.
    const moreStoredBlocks = length > MAX_STORED ? Math.ceil(length / MAX_STORED) - 1 : 0
    const storedBits =
      start >= 0 ? padding + 32 + 8 * length + 40 * moreStoredBlocks : Number.POSITIVE_INFINITY

    if (storedBits <= fixedBits && storedBits <= dynamicBits) {
      this.#writeStored(writer, window, start, length, header)
      return
    }
    writer.ensure(((Math.min(fixedBits, dynamicBits) + 3) >>> 3) + 16)
    if (fixedBits <= dynamicBits) {
      writer.writeBits(header | (1 << 1), 3)
      this.#writeSymbols(
        writer,
        symbols,
        FIXED_LITERAL_CODES,
        FIXED_LITERAL_LENGTHS,
        FIXED_DISTANCE_CODES,
        FIXED_DISTANCE_LENGTHS,
      )
      return
    }
    writer.writeBits(header | (2 << 1), 3)
    buildCodes(literalLengths, LITERAL_LENGTH_SYMBOLS, this.#literalCodes)
    buildCodes(distanceLengths, DISTANCE_SYMBOLS, this.#distanceCodes)
    this.#writeDynamicHeader(writer, literalCount, distanceCount, codeLengthCount)
    this.#writeSymbols(
      writer,
      symbols,
      this.#literalCodes,
      literalLengths,
      this.#distanceCodes,
      distanceLengths,
    )
  }

  /** Stored blocks for the bytes; an empty range gives one empty stored block. */
  #writeStored(writer: BitWriter, window: Uint8Array, start: number, length: number, header: number): void {
    writer.ensure(length + 5 * (Math.ceil(length / MAX_STORED) + 1) + 2)
    let offset = start
    let remaining = length
    do {
      const size = Math.min(remaining, MAX_STORED)
      remaining -= size
      writer.writeBits(remaining === 0 ? header : 0, 3)
      writer.alignToByte()
      writer.writeBits(size, 16)
      writer.writeBits(size ^ 0xffff, 16)
      writer.writeBytes(window, offset, offset + size)
      offset += size
    } while (remaining > 0)
  }

  /**
   * Run-length encodes the code lengths of the two codes as one sequence (RFC 1951 lets repeats
   * cross from one to the other), builds the code-length code and returns HCLEN + 4.
   */
  #encodeLengths(literalCount: number, distanceCount: number): number {
    const lengths = this.#allLengths
    lengths.set(this.#literalLengths.subarray(0, literalCount))
    lengths.set(this.#distanceLengths.subarray(0, distanceCount), literalCount)
    const total = literalCount + distanceCount
    const frequencies = this.#codeLengthFrequencies
    frequencies.fill(0)
    let runs = 0
    let index = 0
    while (index < total) {
      const value = lengths[index]
      let end = index + 1
      while (end < total && lengths[end] === value) end++
      let count = end - index
      index = end
      if (value === 0) {
        while (count >= 11) {
          const take = Math.min(count, 138)
          this.#runSymbols[runs] = 18
          this.#runExtras[runs++] = take - 11
          count -= take
        }
        if (count >= 3) {
          this.#runSymbols[runs] = 17
          this.#runExtras[runs++] = count - 3
          count = 0
        }
      } else {
        this.#runSymbols[runs] = value
        this.#runExtras[runs++] = 0
        count--
        while (count >= 3) {
          const take = Math.min(count, 6)
          this.#runSymbols[runs] = 16
          this.#runExtras[runs++] = take - 3
          count -= take
        }
      }
      for (; count > 0; count--) {
        this.#runSymbols[runs] = value
        this.#runExtras[runs++] = 0
      }
    }
    this.#runCount = runs
    for (let run = 0; run < runs; run++) frequencies[this.#runSymbols[run]]++
    buildCodeLengths(frequencies, CODE_LENGTH_SYMBOLS, 7, this.#codeLengthLengths)
    let codeLengthCount = CODE_LENGTH_SYMBOLS
    while (codeLengthCount > 4 && this.#codeLengthLengths[CODE_LENGTH_ORDER[codeLengthCount - 1]] === 0) {
      codeLengthCount--
    }
    return codeLengthCount
  }

  #writeDynamicHeader(
    writer: BitWriter,
    literalCount: number,
    distanceCount: number,
    codeLengthCount: number,
  ): void {
    writer.writeBits(literalCount - 257, 5)
    writer.writeBits(distanceCount - 1, 5)
    writer.writeBits(codeLengthCount - 4, 4)
    for (let index = 0; index < codeLengthCount; index++) {
      writer.writeBits(this.#codeLengthLengths[CODE_LENGTH_ORDER[index]], 3)
    }
    buildCodes(this.#codeLengthLengths, CODE_LENGTH_SYMBOLS, this.#codeLengthCodes)
    for (let run = 0; run < this.#runCount; run++) {
      const symbol = this.#runSymbols[run]
      writer.writeBits(this.#codeLengthCodes[symbol], this.#codeLengthLengths[symbol])
      if (symbol >= 16) writer.writeBits(this.#runExtras[run], CODE_LENGTH_EXTRA[symbol])
    }
  }

  /** The block's symbols and its end-of-block code, with the bit buffer kept in locals. */
  #writeSymbols(
    writer: BitWriter,
    symbols: SymbolBuffer,
    literalCodes: Uint16Array,
    literalLengths: Uint8Array,
    distanceCodes: Uint16Array,
    distanceLengths: Uint8Array,
  ): void {
    // Per match length: its code and extra bits as one bit string (at most 15 + 5 bits).
    const lengthCodes = this.#lengthCodes
    const lengthBits = this.#lengthBits
    for (let value = 0; value < 256; value++) {
      const index = LENGTH_SYMBOL[value]
      const bits = literalLengths[257 + index]
      lengthCodes[value] = literalCodes[257 + index] | ((value + MIN_MATCH - LENGTH_BASE[index]) << bits)
      lengthBits[value] = bits + LENGTH_EXTRA[index]
    }
    const out = writer.buffer
    let position = writer.position
    let bitBuffer = writer.bitBuffer
    let bitCount = writer.bitCount
    const { distances, values, count } = symbols
    for (let index = 0; index < count; index++) {
      const distance = distances[index]
      const value = values[index]
      if (distance === 0) {
        bitBuffer |= literalCodes[value] << bitCount
        bitCount += literalLengths[value]
      } else {
        // Whole bytes out first, so that the 20 bits of the length fit.
        if (bitCount >= 8) {
          out[position++] = bitBuffer
          bitBuffer >>>= 8
          bitCount -= 8
        }
        bitBuffer |= lengthCodes[value] << bitCount
        bitCount += lengthBits[value]
        if (bitCount >= 16) {
          out[position++] = bitBuffer
          out[position++] = bitBuffer >>> 8
          bitBuffer >>>= 16
          bitCount -= 16
        }
        const symbol = distanceSymbol(distance)
        bitBuffer |= distanceCodes[symbol] << bitCount
        bitCount += distanceLengths[symbol]
        if (bitCount >= 16) {
          out[position++] = bitBuffer
          out[position++] = bitBuffer >>> 8
          bitBuffer >>>= 16
          bitCount -= 16
        }
        bitBuffer |= (distance - DISTANCE_BASE[symbol]) << bitCount
        bitCount += DISTANCE_EXTRA[symbol]
      }
      if (bitCount >= 16) {
        out[position++] = bitBuffer
        out[position++] = bitBuffer >>> 8
        bitBuffer >>>= 16
        bitCount -= 16
      }
    }
    // Only a call after the loop: V8 may enter this loop through on-stack replacement before
    // the code after it ever ran, and deoptimize at each property access there on every call.
    endSymbols(writer, position, bitBuffer, bitCount, literalCodes, literalLengths)
  }
}

function endSymbols(
  writer: BitWriter,
  position: number,
  bitBuffer: number,
  bitCount: number,
  literalCodes: Uint16Array,
  literalLengths: Uint8Array,
): void {
  writer.position = position
  writer.bitBuffer = bitBuffer
  writer.bitCount = bitCount
  writer.writeBits(literalCodes[END_OF_BLOCK], literalLengths[END_OF_BLOCK])
}
