/**
 * Canonical Huffman codes (RFC 1951 section 3.2.2), both ways.
 *
 * Decoding: `buildDecodeTable` turns code lengths into a lookup table in the style of zlib's
 * inflate_table: a root table indexed by the next `rootBits` input bits (least significant bit
 * first, so codes are stored bit-reversed) and, for codes longer than the root, second-level
 * tables reached through a link entry. Each entry is one packed integer:
 *
 *   bits 0..3   the number of input bits the entry consumes (the whole code length; for a link,
 *               the root bits)
 *   bits 4..6   the kind: literal, base (a length or distance base), end of block, link, invalid
 *   bits 7..10  extra bits that follow the code (for a link: the index bits of its sub-table)
 *   bits 11..   the value: the literal or code-length symbol, the length or distance base, or
 *               the sub-table's offset
 *
 * so that the common case is one table read per symbol. The builder rejects over-subscribed
 * codes and incomplete ones (except the single one-bit code RFC 1951 allows), so the tables never
 * exceed the bounds that zlib's `enough` program proves: 852 entries for literal/length codes
 * at 9 root bits (zlib's ENOUGH_LENS) and 402 for distance codes at 8 (`enough 32 8 15`, the
 * size libdeflate uses; 8 root bits decode most distance codes without a second lookup).
 *
 * Encoding: `buildCodeLengths` computes length-limited code lengths from symbol frequencies
 * (Moffat and Katajainen's in-place minimum-redundancy algorithm, then the Kraft-sum repair that
 * miniz uses to cap the depth), and `buildCodes` assigns the canonical, bit-reversed codes.
 */
import { DeflateError } from './errors.ts'
import { DISTANCE_BASE, DISTANCE_EXTRA, END_OF_BLOCK, LENGTH_BASE, LENGTH_EXTRA } from './tables.ts'

export const MAX_CODE_BITS = 15

export const ENTRY_BITS_MASK = 0x0f
export const ENTRY_KIND_MASK = 0x70
export const KIND_LITERAL = 0x00
export const KIND_BASE = 0x10
export const KIND_END_OF_BLOCK = 0x20
export const KIND_LINK = 0x30
export const KIND_INVALID = 0x40
export const ENTRY_EXTRA_SHIFT = 7
export const ENTRY_VALUE_SHIFT = 11

/** Which alphabet a table decodes: it decides how symbols become entries and which gaps are allowed. */
export const TABLE_CODE_LENGTHS = 0
export const TABLE_LITERALS = 1
export const TABLE_DISTANCES = 2

/** Table sizes that always suffice for valid codes at the root sizes the inflater uses. */
export const LITERAL_ROOT_BITS = 9
export const LITERAL_TABLE_SIZE = 852
export const DISTANCE_ROOT_BITS = 8
export const DISTANCE_TABLE_SIZE = 402
export const CODE_LENGTH_ROOT_BITS = 7
export const CODE_LENGTH_TABLE_SIZE = 128

function pack(value: number, extra: number, kind: number, bits: number): number {
  return (value << ENTRY_VALUE_SHIFT) | (extra << ENTRY_EXTRA_SHIFT) | kind | bits
}

function entryFor(table: number, symbol: number, bits: number): number {
  if (table === TABLE_LITERALS) {
    if (symbol < END_OF_BLOCK) return pack(symbol, 0, KIND_LITERAL, bits)
    if (symbol === END_OF_BLOCK) return pack(0, 0, KIND_END_OF_BLOCK, bits)
    if (symbol < 286) return pack(LENGTH_BASE[symbol - 257], LENGTH_EXTRA[symbol - 257], KIND_BASE, bits)
    return pack(0, 0, KIND_INVALID, bits)
  }
  if (table === TABLE_DISTANCES) {
    if (symbol < 30) return pack(DISTANCE_BASE[symbol], DISTANCE_EXTRA[symbol], KIND_BASE, bits)
    return pack(0, 0, KIND_INVALID, bits)
  }
  return pack(symbol, 0, KIND_LITERAL, bits)
}

const TABLE_NAMES = ['code-length', 'literal/length', 'distance']

// Scratch space, reused by every build (the builders never run re-entrantly).
const lengthCounts = /* @__PURE__ */ new Uint16Array(MAX_CODE_BITS + 1)
const lengthOffsets = /* @__PURE__ */ new Uint16Array(MAX_CODE_BITS + 1)
const sortedSymbols = /* @__PURE__ */ new Uint16Array(320)

/**
 * Fills `table` for the code given by `lengths[start .. start + symbolCount)` and returns the
 * root bits actually used (at most `rootBits`; fewer when no code is that long).
 * Throws DEFLATE_INVALID_CODE_LENGTHS for an over-subscribed or a disallowed incomplete code.
 */
export function buildDecodeTable(
  lengths: Uint8Array,
  start: number,
  symbolCount: number,
  tableKind: number,
  table: Int32Array,
  rootBits: number,
): number {
  const counts = lengthCounts
  counts.fill(0)
  for (let symbol = 0; symbol < symbolCount; symbol++) counts[lengths[start + symbol]]++
  let longest = MAX_CODE_BITS
  while (longest >= 1 && counts[longest] === 0) longest--
  if (longest === 0) {
    if (tableKind === TABLE_CODE_LENGTHS) {
      throw new DeflateError('DEFLATE_INVALID_CODE_LENGTHS', 'the code-length code has no codes')
    }
    // No codes at all (allowed for distances: a block of literals only). Any use is invalid.
    table[0] = pack(0, 0, KIND_INVALID, 1)
    table[1] = table[0]
    return 1
  }
  let shortest = 1
  while (shortest < longest && counts[shortest] === 0) shortest++
  const root = Math.min(Math.max(rootBits, shortest), longest)

  let left = 1
  for (let length = 1; length <= MAX_CODE_BITS; length++) {
    left = (left << 1) - counts[length]
    if (left < 0) {
      throw new DeflateError(
        'DEFLATE_INVALID_CODE_LENGTHS',
        `over-subscribed ${TABLE_NAMES[tableKind]} code lengths`,
      )
    }
  }
  // RFC 1951 allows one incomplete code: a single code of one bit (one distance code in use).
  if (left > 0 && (tableKind === TABLE_CODE_LENGTHS || longest !== 1)) {
    throw new DeflateError(
      'DEFLATE_INVALID_CODE_LENGTHS',
      `incomplete ${TABLE_NAMES[tableKind]} code lengths`,
    )
  }

  const offsets = lengthOffsets
  offsets[1] = 0
  for (let length = 1; length < MAX_CODE_BITS; length++)
    offsets[length + 1] = offsets[length] + counts[length]
  for (let symbol = 0; symbol < symbolCount; symbol++) {
    const length = lengths[start + symbol]
    if (length !== 0) sortedSymbols[offsets[length]++] = symbol
  }

  // Walk the codes in canonical order, keeping `code` bit-reversed so it indexes the table.
  const rootMask = (1 << root) - 1
  let code = 0
  let index = 0
  let length = shortest
  let subTable = 0 // where the current (sub-)table starts in `table`
  let currentBits = root // index bits of the current (sub-)table
  let drop = 0 // code bits the current table's index skips (0 for the root)
  let low = -1 // root index of the current sub-table
  let used = 1 << root
  for (;;) {
    const entry = entryFor(tableKind, sortedSymbols[index], length)
    const step = 1 << (length - drop)
    let fill = 1 << currentBits
    const tableSize = fill
    do {
      fill -= step
      table[subTable + (code >>> drop) + fill] = entry
    } while (fill !== 0)

    // Increment the bit-reversed code.
    let increment = 1 << (length - 1)
    while (code & increment) increment >>>= 1
    code = increment !== 0 ? (code & (increment - 1)) + increment : 0

    index++
    if (--counts[length] === 0) {
      if (length === longest) break
      length = lengths[start + sortedSymbols[index]]
    }

    if (length > root && (code & rootMask) !== low) {
      // A new sub-table: size it for the codes that share this root prefix.
      if (drop === 0) drop = root
      subTable += tableSize
      currentBits = length - drop
      let room = 1 << currentBits
      while (currentBits + drop < longest) {
        room -= counts[currentBits + drop]
        if (room <= 0) break
        currentBits++
        room <<= 1
      }
      used += 1 << currentBits
      /* c8 ignore next 3 -- the bounds above make this impossible; it guards the typed array */
      if (used > table.length) {
        throw new DeflateError('DEFLATE_INVALID_CODE_LENGTHS', 'decoding table overflow')
      }
      low = code & rootMask
      table[low] = pack(subTable, currentBits, KIND_LINK, root)
    }
  }
  // The one allowed incomplete code (a single one-bit code) leaves one root entry unused.
  if (code !== 0) table[code] = pack(0, 0, KIND_INVALID, length)
  return root
}

// Scratch for the encoder side.
const sortKeys = /* @__PURE__ */ new Int32Array(320)
const depths = /* @__PURE__ */ new Int32Array(320)
const depthCounts = /* @__PURE__ */ new Int32Array(MAX_CODE_BITS + 1)

/**
 * Sets `lengths[0 .. symbolCount)` to code lengths of at most `maxLength` bits for the given
 * frequencies; symbols of frequency 0 get length 0. At least two symbols always get a code (as
 * zlib does), so every code is complete and decodable by any inflater. Returns the largest
 * symbol with a code.
 */
export function buildCodeLengths(
  frequencies: Uint16Array | Uint32Array,
  symbolCount: number,
  maxLength: number,
  lengths: Uint8Array,
): number {
  lengths.fill(0, 0, symbolCount)
  let used = 0
  for (let symbol = 0; symbol < symbolCount; symbol++) {
    const frequency = frequencies[symbol]
    if (frequency !== 0) sortKeys[used++] = frequency * 512 + symbol
  }
  if (used < 2) {
    // zlib's rule: force a second code so that the code is complete.
    const only = used === 1 ? sortKeys[0] & 511 : 0
    lengths[only] = 1
    lengths[only === 0 ? 1 : 0] = 1
    return Math.max(only, 1)
  }
  const keys = sortKeys.subarray(0, used)
  keys.sort()
  for (let index = 0; index < used; index++) depths[index] = keys[index] >>> 9
  minimumRedundancy(depths, used)

  depthCounts.fill(0)
  for (let index = 0; index < used; index++) depthCounts[Math.min(depths[index], maxLength)]++
  // Repair the Kraft sum after capping: move codes down from the cap and split shorter ones.
  let total = 0
  for (let length = maxLength; length > 0; length--) total += depthCounts[length] << (maxLength - length)
  while (total > 1 << maxLength) {
    depthCounts[maxLength]--
    for (let length = maxLength - 1; length > 0; length--) {
      if (depthCounts[length] !== 0) {
        depthCounts[length]--
        depthCounts[length + 1] += 2
        break
      }
    }
    total--
  }
  // The rarest symbols (first in `keys`) get the longest codes.
  let index = 0
  let largest = 0
  for (let length = maxLength; length > 0; length--) {
    for (let count = depthCounts[length]; count > 0; count--) {
      const symbol = keys[index++] & 511
      lengths[symbol] = length
      if (symbol > largest) largest = symbol
    }
  }
  return largest
}

/**
 * In-place minimum-redundancy code lengths (Moffat and Katajainen, 1995): `weights` holds `count`
 * (at least two) frequencies in ascending order and receives the code length of each.
 */
function minimumRedundancy(weights: Int32Array, count: number): void {
  weights[0] += weights[1]
  let root = 0
  let leaf = 2
  for (let next = 1; next < count - 1; next++) {
    if (leaf >= count || weights[root] < weights[leaf]) {
      weights[next] = weights[root]
      weights[root++] = next
    } else {
      weights[next] = weights[leaf++]
    }
    if (leaf >= count || (root < next && weights[root] < weights[leaf])) {
      weights[next] += weights[root]
      weights[root++] = next
    } else {
      weights[next] += weights[leaf++]
    }
  }
  weights[count - 2] = 0
  for (let next = count - 3; next >= 0; next--) weights[next] = weights[weights[next]] + 1
  let available = 1
  let usedNodes = 0
  let depth = 0
  root = count - 2
  let next = count - 1
  while (available > 0) {
    while (root >= 0 && weights[root] === depth) {
      usedNodes++
      root--
    }
    while (available > usedNodes) {
      weights[next--] = depth
      available--
    }
    available = 2 * usedNodes
    depth++
    usedNodes = 0
  }
}

const nextCodes = /* @__PURE__ */ new Uint16Array(MAX_CODE_BITS + 2)

/** Assigns canonical codes to `lengths[0 .. symbolCount)`, bit-reversed for LSB-first output. */
export function buildCodes(lengths: Uint8Array, symbolCount: number, codes: Uint16Array): void {
  const counts = lengthCounts
  counts.fill(0)
  for (let symbol = 0; symbol < symbolCount; symbol++) counts[lengths[symbol]]++
  counts[0] = 0
  let code = 0
  for (let length = 1; length <= MAX_CODE_BITS; length++) {
    code = (code + counts[length - 1]) << 1
    nextCodes[length] = code
  }
  for (let symbol = 0; symbol < symbolCount; symbol++) {
    const length = lengths[symbol]
    if (length === 0) continue
    let forward = nextCodes[length]++
    let reversed = 0
    for (let bit = 0; bit < length; bit++) {
      reversed = (reversed << 1) | (forward & 1)
      forward >>>= 1
    }
    codes[symbol] = reversed
  }
}
