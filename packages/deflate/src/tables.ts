/**
 * The fixed tables of RFC 1951: length and distance bases with their extra bits (section
 * 3.2.5), the order of the code-length code lengths and the fixed Huffman code lengths (section
 * 3.2.6), and the reverse maps the compressor uses to turn a length or distance into its symbol.
 * All are built once, at module load.
 */

export const MIN_MATCH = 3
export const MAX_MATCH = 258
/** The largest distance DEFLATE can express (windowBits 15). */
export const MAX_DISTANCE = 32768

/** Literal/length symbols a block can use (0..285) and distance symbols (0..29). */
export const LITERAL_LENGTH_SYMBOLS = 286
export const DISTANCE_SYMBOLS = 30
export const CODE_LENGTH_SYMBOLS = 19
export const END_OF_BLOCK = 256

/** Base length of length symbols 257..285 (index = symbol - 257). */
export const LENGTH_BASE = /* @__PURE__ */ Uint16Array.of(
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  13,
  15,
  17,
  19,
  23,
  27,
  31,
  35,
  43,
  51,
  59,
  67,
  83,
  99,
  115,
  131,
  163,
  195,
  227,
  258,
)
/** Extra bits of length symbols 257..285. */
export const LENGTH_EXTRA = /* @__PURE__ */ Uint8Array.of(
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
  1,
  1,
  1,
  2,
  2,
  2,
  2,
  3,
  3,
  3,
  3,
  4,
  4,
  4,
  4,
  5,
  5,
  5,
  5,
  0,
)
/** Base distance of distance symbols 0..29. */
export const DISTANCE_BASE = /* @__PURE__ */ Uint16Array.of(
  1,
  2,
  3,
  4,
  5,
  7,
  9,
  13,
  17,
  25,
  33,
  49,
  65,
  97,
  129,
  193,
  257,
  385,
  513,
  769,
  1025,
  1537,
  2049,
  3073,
  4097,
  6145,
  8193,
  12289,
  16385,
  24577,
)
/** Extra bits of distance symbols 0..29. */
export const DISTANCE_EXTRA = /* @__PURE__ */ Uint8Array.of(
  0,
  0,
  0,
  0,
  1,
  1,
  2,
  2,
  3,
  3,
  4,
  4,
  5,
  5,
  6,
  6,
  7,
  7,
  8,
  8,
  9,
  9,
  10,
  10,
  11,
  11,
  12,
  12,
  13,
  13,
)
/** Extra bits of the code-length symbols 16, 17 and 18 (index = symbol). */
export const CODE_LENGTH_EXTRA = /* @__PURE__ */ Uint8Array.of(
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  2,
  3,
  7,
)
/** The order in which a dynamic header sends the code-length code lengths. */
export const CODE_LENGTH_ORDER = /* @__PURE__ */ Uint8Array.of(
  16,
  17,
  18,
  0,
  8,
  7,
  9,
  6,
  10,
  5,
  11,
  4,
  12,
  3,
  13,
  2,
  14,
  1,
  15,
)

/** Code lengths of the fixed literal/length code: 288 symbols (286 and 287 never occur). */
export const FIXED_LITERAL_LENGTHS = /* @__PURE__ */ (() => {
  const lengths = new Uint8Array(288)
  lengths.fill(8, 0, 144)
  lengths.fill(9, 144, 256)
  lengths.fill(7, 256, 280)
  lengths.fill(8, 280, 288)
  return lengths
})()

/** Code lengths of the fixed distance code: 32 symbols of 5 bits (30 and 31 never occur). */
export const FIXED_DISTANCE_LENGTHS = /* @__PURE__ */ new Uint8Array(32).fill(5)

/** Length symbol index (0..28, that is symbol - 257) of each match length 3..258, indexed by length - 3. */
export const LENGTH_SYMBOL = /* @__PURE__ */ (() => {
  const table = new Uint8Array(256)
  for (let index = 0; index < 29; index++) {
    const end = index === 28 ? 256 : LENGTH_BASE[index + 1] - MIN_MATCH
    for (let length = LENGTH_BASE[index] - MIN_MATCH; length < end; length++) table[length] = index
  }
  return table
})()

/**
 * Distance symbol of distance d (1..32768): DISTANCE_SYMBOL[d - 1] for d <= 256, otherwise
 * DISTANCE_SYMBOL[256 + ((d - 1) >>> 7)]. The same two-part table as zlib's _dist_code.
 */
export const DISTANCE_SYMBOL = /* @__PURE__ */ (() => {
  const table = new Uint8Array(512)
  for (let symbol = 0; symbol < DISTANCE_SYMBOLS; symbol++) {
    const first = DISTANCE_BASE[symbol] - 1
    const last = first + (1 << DISTANCE_EXTRA[symbol])
    for (let distance = first; distance < last; distance++) {
      if (distance < 256) table[distance] = symbol
      else table[256 + (distance >>> 7)] = symbol
    }
  }
  return table
})()

/** The distance symbol (0..29) of a distance 1..32768. */
export function distanceSymbol(distance: number): number {
  const zeroBased = distance - 1
  return zeroBased < 256 ? DISTANCE_SYMBOL[zeroBased] : DISTANCE_SYMBOL[256 + (zeroBased >>> 7)]
}
