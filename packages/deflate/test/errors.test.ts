import { constants, deflateRawSync, inflateRawSync } from 'node:zlib'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import { DeflateError, type DeflateErrorCode, Inflater, inflateRaw } from '../src/index.ts'
import { jsonCorpus, textCorpus } from './corpus.ts'
import { ascii, BitStream, byteByByte, bytes, concat, equalBytes, inflatePieces } from './streams.ts'

/** Asserts that inflating `data` (whole, and one byte at a time) throws a DeflateError with `code`. */
function rejects(data: Uint8Array, code: DeflateErrorCode, options = {}): void {
  for (const pieces of [[data], byteByByte(data)]) {
    try {
      inflatePieces(pieces, options)
    } catch (error) {
      assert.instance(error, DeflateError)
      assert.is((error as DeflateError).code, code, (error as Error).message)
      assert.is((error as Error).name, 'DeflateError')
      continue
    }
    assert.unreachable(`expected ${code}`)
  }
}

const fixedHeader = (final = true): BitStream => new BitStream().bits(final ? 1 : 0, 1).bits(1, 2)

/** Literal/length lengths 0..259 and distance lengths 0..2 as plain runs for BitStream.dynamicHeader. */
function lengths(literal: Record<number, number>, distance: number[], literalCount = 260): number[] {
  const out: number[] = new Array(literalCount).fill(0)
  for (const [symbol, length] of Object.entries(literal)) out[Number(symbol)] = length
  return out.concat(distance)
}

// Independent distance tables (RFC 1951 section 3.2.5), to write any distance with the fixed code.
const DISTANCE_BASES = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
]
function fixedDistance(stream: BitStream, distance: number): BitStream {
  let symbol = DISTANCE_BASES.length - 1
  while ((DISTANCE_BASES[symbol] as number) > distance) symbol--
  return stream
    .code(symbol, 5)
    .bits(distance - (DISTANCE_BASES[symbol] as number), symbol < 4 ? 0 : (symbol >> 1) - 1)
}

test('DEFLATE_INVALID_BLOCK_TYPE: BTYPE 3', () => {
  rejects(new BitStream().bits(1, 1).bits(3, 2).finish(), 'DEFLATE_INVALID_BLOCK_TYPE')
  // Also after a valid block.
  rejects(concat([bytes(0x00, 0x01, 0x00, 0xfe, 0xff, 0x41), bytes(0x07)]), 'DEFLATE_INVALID_BLOCK_TYPE')
})

test('DEFLATE_STORED_LENGTH_MISMATCH: NLEN is not the complement of LEN', () => {
  rejects(bytes(0x01, 0x05, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5), 'DEFLATE_STORED_LENGTH_MISMATCH')
  rejects(bytes(0x01, 0x05, 0x00, 0xfa, 0xfe, 1, 2, 3, 4, 5), 'DEFLATE_STORED_LENGTH_MISMATCH')
})

test('DEFLATE_INVALID_SYMBOL_COUNT: more than 286 literal/length or 30 distance codes', () => {
  rejects(
    new BitStream().bits(1, 1).bits(2, 2).bits(30, 5).bits(0, 5).bits(0, 4).finish(),
    'DEFLATE_INVALID_SYMBOL_COUNT',
  )
  rejects(
    new BitStream().bits(1, 1).bits(2, 2).bits(0, 5).bits(30, 5).bits(0, 4).finish(),
    'DEFLATE_INVALID_SYMBOL_COUNT',
  )
})

test('DEFLATE_INVALID_CODE_LENGTHS: over-subscribed, incomplete or empty codes', () => {
  const codeLengthCode = (values: number[]): Uint8Array => {
    const stream = new BitStream()
      .bits(1, 1)
      .bits(2, 2)
      .bits(0, 5)
      .bits(0, 5)
      .bits(values.length - 4, 4)
    for (const value of values) stream.bits(value, 3)
    return stream.bits(0, 32).finish()
  }
  rejects(codeLengthCode([1, 1, 1, 1]), 'DEFLATE_INVALID_CODE_LENGTHS') // over-subscribed
  rejects(codeLengthCode([0, 0, 0, 1]), 'DEFLATE_INVALID_CODE_LENGTHS') // one 1-bit code: incomplete
  rejects(codeLengthCode([0, 0, 0, 0]), 'DEFLATE_INVALID_CODE_LENGTHS') // no codes at all
  rejects(codeLengthCode([2, 2, 2, 0, 0, 0]), 'DEFLATE_INVALID_CODE_LENGTHS') // three 2-bit codes
  const dynamic = (literal: Record<number, number>, distance: number[]): Uint8Array =>
    new BitStream().dynamicHeader(true, 260, distance.length, lengths(literal, distance)).bits(0, 16).finish()
  rejects(dynamic({ 97: 1, 98: 1, 256: 1 }, [1]), 'DEFLATE_INVALID_CODE_LENGTHS') // literal, over-subscribed
  rejects(dynamic({ 97: 2, 256: 2 }, [1]), 'DEFLATE_INVALID_CODE_LENGTHS') // literal, incomplete
  rejects(dynamic({ 97: 1, 256: 1 }, [2, 2]), 'DEFLATE_INVALID_CODE_LENGTHS') // distance, incomplete
  rejects(dynamic({ 97: 1, 256: 1 }, [1, 1, 1]), 'DEFLATE_INVALID_CODE_LENGTHS') // distance, over-subscribed
})

test('DEFLATE_INVALID_LENGTH_REPEAT: a repeat with nothing before it, or past the last code', () => {
  rejects(new BitStream().dynamicHeader(true, 257, 1, [[16, 0]]).finish(), 'DEFLATE_INVALID_LENGTH_REPEAT')
  const tooLong = new BitStream().dynamicHeader(true, 257, 1, [
    [18, 127],
    [18, 127],
    [18, 0],
  ])
  rejects(tooLong.finish(), 'DEFLATE_INVALID_LENGTH_REPEAT')
  const repeatPast = new BitStream().dynamicHeader(true, 257, 1, [...new Array(256).fill(0), 1, [16, 0]])
  rejects(repeatPast.finish(), 'DEFLATE_INVALID_LENGTH_REPEAT')
})

test('DEFLATE_MISSING_END_OF_BLOCK: a literal/length code without symbol 256', () => {
  const data = new BitStream()
    .dynamicHeader(true, 260, 1, lengths({ 97: 1, 98: 1 }, [1]))
    .bits(0, 8)
    .finish()
  rejects(data, 'DEFLATE_MISSING_END_OF_BLOCK')
})

test('DEFLATE_INVALID_SYMBOL: literal/length symbols 286 and 287, and an unused code', () => {
  rejects(fixedHeader().fixedLiteral(286).finish(), 'DEFLATE_INVALID_SYMBOL')
  rejects(fixedHeader().fixedLiteral(0x41).fixedLiteral(287).finish(), 'DEFLATE_INVALID_SYMBOL')
  // The only literal/length code is end-of-block, one bit ('0'); '1' decodes to nothing.
  const single = new BitStream()
    .dynamicHeader(true, 257, 1, lengths({ 256: 1 }, [1], 257))
    .code(1, 1)
    .finish()
  rejects(single, 'DEFLATE_INVALID_SYMBOL')
  const valid = new BitStream()
    .dynamicHeader(true, 257, 1, lengths({ 256: 1 }, [1], 257))
    .code(0, 1)
    .finish()
  assert.is(inflateRaw(valid).length, 0)
})

test('DEFLATE_INVALID_DISTANCE: distance symbols 30 and 31, no distance code, an unused code', () => {
  const start = (): BitStream => fixedHeader().fixedLiteral(0x61).fixedLiteral(257)
  rejects(start().code(30, 5).finish(), 'DEFLATE_INVALID_DISTANCE')
  rejects(start().code(31, 5).finish(), 'DEFLATE_INVALID_DISTANCE')
  // A dynamic block whose distance code is empty (literals only) that uses a length anyway.
  const noDistances = new BitStream().dynamicHeader(
    true,
    258,
    1,
    lengths({ 97: 2, 256: 2, 257: 1 }, [0], 258),
  )
  rejects(noDistances.code(2, 2).code(0, 1).code(0, 1).finish(), 'DEFLATE_INVALID_DISTANCE')
  // One distance code of one bit ('0' = distance 1): '1' is unused.
  const oneDistance = (bit: number): Uint8Array =>
    new BitStream()
      .dynamicHeader(true, 258, 1, lengths({ 97: 2, 256: 2, 257: 1 }, [1], 258))
      .code(2, 2)
      .code(0, 1)
      .code(bit, 1)
      .code(3, 2)
      .finish()
  rejects(oneDistance(1), 'DEFLATE_INVALID_DISTANCE')
  assert.equal(inflateRaw(oneDistance(0)), ascii('aaaa'))
})

test('DEFLATE_DISTANCE_TOO_FAR: before the start of the output', () => {
  rejects(fixedHeader().fixedLiteral(0x61).fixedLiteral(257).code(1, 5).finish(), 'DEFLATE_DISTANCE_TOO_FAR')
  rejects(fixedHeader().fixedLiteral(257).code(0, 5).finish(), 'DEFLATE_DISTANCE_TOO_FAR')
})

test('DEFLATE_DISTANCE_TOO_FAR: beyond the window, for windowBits 8..15', () => {
  const random = new Random(99)
  for (let windowBits = 8; windowBits <= 15; windowBits++) {
    const window = 1 << windowBits
    const history = random.bytes(window + 1000)
    // A stored block with the history, then a fixed block with one match at `distance`.
    const stream = (distance: number): Uint8Array => {
      const stored = concat([
        bytes(0x00, history.length & 0xff, history.length >> 8),
        bytes(~history.length & 0xff, (~history.length >> 8) & 0xff),
        history,
      ])
      const match = fixedDistance(fixedHeader().fixedLiteral(257), distance).fixedLiteral(256).finish()
      return concat([stored, match])
    }
    const atWindow = inflateRaw(stream(window), { windowBits })
    const start = history.length - window
    assert.ok(equalBytes(atWindow.subarray(history.length), concat([history.subarray(start, start + 3)])))
    // 32768 is the largest distance DEFLATE can express, so windowBits 15 has nothing beyond.
    if (windowBits === 15) continue
    rejects(stream(window + 1), 'DEFLATE_DISTANCE_TOO_FAR', { windowBits })
    assert.is(inflateRaw(stream(window + 1), { windowBits: windowBits + 1 }).length, history.length + 3)
  }
})

test('DEFLATE_TRUNCATED: every proper prefix of a stream, and a sync-flushed stream, declared final', () => {
  const compressed = deflateRawSync(textCorpus(3000), { level: 9 })
  for (let cut = 0; cut < compressed.length; cut++) {
    try {
      inflateRaw(compressed.subarray(0, cut))
      assert.unreachable(`prefix of ${cut} bytes accepted`)
    } catch (error) {
      assert.is((error as DeflateError).code, 'DEFLATE_TRUNCATED', `cut at ${cut}`)
    }
  }
  const synced = deflateRawSync(ascii('no final block'), { finishFlush: constants.Z_SYNC_FLUSH })
  rejects(synced, 'DEFLATE_TRUNCATED')
  rejects(new Uint8Array(0), 'DEFLATE_TRUNCATED')
})

test('DEFLATE_DATA_AFTER_END: bytes after the final block, in the same push or a later one', () => {
  const compressed = deflateRawSync(ascii('the end'))
  rejects(concat([compressed, bytes(0x00)]), 'DEFLATE_DATA_AFTER_END')
  const inflater = new Inflater()
  assert.is(concat(inflater.push(compressed)).length, 7)
  assert.ok(inflater.finished)
  assert.equal(inflater.push(new Uint8Array(0), true), [])
  assert.throws(
    () => inflater.push(bytes(0x01)),
    (error: DeflateError) => error.code === 'DEFLATE_DATA_AFTER_END',
  )
  // With ignoreDataAfterEnd, as zlib does, the rest is skipped.
  const lenient = new Inflater({ ignoreDataAfterEnd: true })
  assert.is(concat(lenient.push(concat([compressed, bytes(1, 2, 3)]))).length, 7)
  assert.equal(lenient.push(bytes(4), true), [])
})

test('a failed inflater rethrows its error until reset()', () => {
  const inflater = new Inflater()
  let first: unknown
  try {
    inflater.push(bytes(0x07))
  } catch (error) {
    first = error
  }
  assert.instance(first, DeflateError)
  assert.throws(
    () => inflater.push(deflateRawSync(ascii('x'))),
    (error: unknown) => error === first,
  )
  inflater.reset()
  assert.is(concat(inflater.push(deflateRawSync(ascii('x')), true)).length, 1)
})

const limitCases: Array<[string, Uint8Array]> = [
  ['literals (fixed Huffman)', deflateRawSync(ascii('abcdefghijklmnopqrstuvwxyz'), { level: 1 })],
  ['matches (zeros)', deflateRawSync(new Uint8Array(100000))],
  ['stored', deflateRawSync(new Random(3).bytes(70000), { level: 0 })],
  ['dynamic JSON', deflateRawSync(jsonCorpus(50000))],
]

test('DEFLATE_OUTPUT_LIMIT: exactly at the limit passes, one byte over fails, in any chunking', () => {
  for (const [name, compressed] of limitCases) {
    const size = inflateRaw(compressed).length
    assert.is(inflateRaw(compressed, { maxOutput: size }).length, size, name)
    assert.is(inflatePieces(byteByByte(compressed), { maxOutput: size }).length, size, name)
    rejects(compressed, 'DEFLATE_OUTPUT_LIMIT', { maxOutput: size - 1 })
  }
  assert.is(inflateRaw(deflateRawSync(new Uint8Array(0)), { maxOutput: 0 }).length, 0)
  rejects(deflateRawSync(ascii('a')), 'DEFLATE_OUTPUT_LIMIT', { maxOutput: 0 })
})

test('setOutputLimit allows that many more bytes, per message; reset() restores the constructor limit', () => {
  const inflater = new Inflater({ maxOutput: 10 })
  const hello = bytes(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff)
  const again = bytes(0xf2, 0x00, 0x11, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff)
  for (let i = 0; i < 5; i++) {
    inflater.setOutputLimit(5)
    assert.is(concat(inflater.push(i === 0 ? hello : again)).length, 5)
  }
  assert.is(inflater.totalOut, 25)
  inflater.setOutputLimit(4)
  assert.throws(
    () => inflater.push(again),
    (error: DeflateError) => error.code === 'DEFLATE_OUTPUT_LIMIT',
  )
  inflater.reset()
  assert.is(concat(inflater.push(hello)).length, 5)
  assert.is(concat(inflater.push(again)).length, 5)
  assert.throws(() => inflater.push(again), /limit of 10 bytes/)
})

/**
 * A bomb: a dynamic block whose code gives length 258 ('0') and distance 1 ('0') one bit each,
 * so that every zero byte of input is four 258-byte matches. One KiB of zeros is about 1 MiB.
 */
function bombHeader(): Uint8Array {
  // Literal 0 -> '10', end of block -> '11', length 258 (symbol 285) -> '0'; distance 1 -> '0'.
  const stream = new BitStream().dynamicHeader(false, 286, 1, lengths({ 0: 2, 256: 2, 285: 1 }, [1], 286))
  stream.code(2, 2) // one literal zero, so that distance 1 is valid
  return stream.finish() // the zero padding bits are already (258, 1) pairs
}

test('a bomb stops at the limit with bounded memory; without a limit it streams in fixed memory', () => {
  const header = bombHeader()
  const kilobyteOfZeros = new Uint8Array(1024)
  const limit = 4 * 1024 * 1024
  const inflater = new Inflater({ maxOutput: limit })
  const before = process.memoryUsage().arrayBuffers
  let returned = inflater.push(header).reduce((sum, chunk) => sum + chunk.length, 0)
  let failure: unknown
  for (let i = 0; i < 100 && failure === undefined; i++) {
    try {
      for (const chunk of inflater.push(kilobyteOfZeros)) returned += chunk.length
    } catch (error) {
      failure = error
    }
  }
  assert.is((failure as DeflateError).code, 'DEFLATE_OUTPUT_LIMIT')
  assert.ok(returned <= limit, `${returned} bytes handed out`)
  assert.ok(inflater.totalOut <= limit)
  assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 1024 * 1024)

  // No limit: 100 KiB of input inflates to about 100 MiB, handed out as it goes.
  const streaming = new Inflater()
  let total = streaming.push(header).reduce((sum, chunk) => sum + chunk.length, 0)
  let largest = 0
  for (let i = 0; i < 100; i++) {
    for (const chunk of streaming.push(kilobyteOfZeros)) {
      total += chunk.length
      largest = Math.max(largest, chunk.length)
    }
  }
  assert.ok(total > 100 * 1000 * 1000, `${total}`)
  assert.is(total, streaming.totalOut)
  assert.ok(largest <= 64 * 1024, `chunks are at most the buffer: ${largest}`)
})

test('malformed input (random corruption) is always a DeflateError or valid output, never a hang', () => {
  const random = new Random(1234)
  const sources = [
    deflateRawSync(textCorpus(4000, 5)),
    deflateRawSync(jsonCorpus(4000, 6), { level: 1 }),
    deflateRawSync(new Random(8).bytes(500), { level: 0 }),
    deflateRawSync(new Uint8Array(5000)),
  ]
  const seen = new Set<string>()
  for (let round = 0; round < 3000; round++) {
    const source = sources[round % sources.length] as Uint8Array
    const data = source.slice()
    const flips = 1 + random.below(4)
    for (let i = 0; i < flips; i++) data[random.below(data.length)] ^= 1 << random.below(8)
    try {
      inflateRaw(data, { maxOutput: 1 << 20 })
      seen.add('ok')
    } catch (error) {
      assert.instance(error, DeflateError)
      seen.add((error as DeflateError).code)
    }
  }
  assert.ok(seen.size >= 6, [...seen].join(', '))
})

test('arguments: a non-Uint8Array chunk is a TypeError, bad options a RangeError', () => {
  const inflater = new Inflater()
  assert.throws(() => inflater.push('abc' as unknown as Uint8Array), TypeError)
  assert.throws(() => inflater.push(new Uint16Array(2) as unknown as Uint8Array), /got Uint16Array/)
  assert.throws(() => inflater.push(null as unknown as Uint8Array), /got null/)
  assert.throws(() => inflater.push(5 as unknown as Uint8Array), /got number/)
  inflater.push(Buffer.from(bytes(0x03, 0x00)), true)
  for (const windowBits of [7, 16, 9.5, '15']) {
    assert.throws(() => new Inflater({ windowBits: windowBits as number }), RangeError)
  }
  for (const maxOutput of [-1, Number.NaN, 1.5, '10']) {
    assert.throws(() => new Inflater({ maxOutput: maxOutput as number }), RangeError)
    assert.throws(() => inflater.setOutputLimit(maxOutput as number), RangeError)
  }
  new Inflater({ maxOutput: Number.POSITIVE_INFINITY, windowBits: 8 })
})

/** Everything an inflater hands out for `pieces`: the chunks it returned, then what its error carried. */
function outputAndError(pieces: Uint8Array[]): { bytes: Uint8Array; code: string | null } {
  const inflater = new Inflater()
  const out: Uint8Array[] = []
  for (const piece of pieces) {
    try {
      out.push(...inflater.push(piece))
    } catch (error) {
      assert.instance(error, DeflateError)
      out.push(...(error as DeflateError).output)
      // Thrown again until reset(), with nothing more to hand out.
      try {
        inflater.push(new Uint8Array(1))
      } catch (again) {
        assert.is(again, error)
        assert.equal((again as DeflateError).output, [])
      }
      return { bytes: concat(out), code: (error as DeflateError).code }
    }
  }
  return { bytes: concat(out), code: null }
}

test('a DeflateError carries the bytes decoded before it, the same whatever the chunking', () => {
  // Found by the fuzzer: 24 bytes of fixed-code output, then a distance beyond them. The fast
  // loop used to lose its output when it threw, so a whole push handed out nothing while a push
  // cut early handed out the 24 bytes. zlib decodes the same 24 bytes first.
  const tooFar = Uint8Array.from(
    Buffer.from(
      '3a3cfff0fcc32bd161461f24d7851f24d7851f24d7851f17e4b62c17e4b62ccbba83581bca7aa7ff722ebe4bbf7cba7cd37cba7cd37cba7cd37cba7cd37c',
      'hex',
    ),
  )
  const truth = inflateRawSyncPrefix(tooFar, 13)
  assert.is(truth.length, 24)
  // A stored block of text, then a block of the reserved type 3.
  const stored = concat([bytes(0x00, 0x05, 0x00, 0xfa, 0xff), ascii('hello'), bytes(0x07)])
  for (const [data, code, expected] of [
    [tooFar, 'DEFLATE_DISTANCE_TOO_FAR', truth],
    [stored, 'DEFLATE_INVALID_BLOCK_TYPE', ascii('hello')],
  ] as const) {
    const chunkings = [[data], byteByByte(data)]
    for (let cut = 1; cut < data.length; cut++) chunkings.push([data.subarray(0, cut), data.subarray(cut)])
    for (const pieces of chunkings) {
      const result = outputAndError(pieces.map((piece) => piece.slice()))
      assert.is(result.code, code)
      assert.ok(equalBytes(result.bytes, expected), `${pieces.length} pieces`)
    }
  }
})

/** What zlib decodes from the first `n` bytes of a raw stream (a sync flush, no error). */
function inflateRawSyncPrefix(data: Uint8Array, n: number): Uint8Array {
  return new Uint8Array(inflateRawSync(data.subarray(0, n), { finishFlush: constants.Z_SYNC_FLUSH }))
}

test.run()
