/**
 * The inflater's fast inner loop (while enough input and output room remain) and its slow,
 * resumable loop must agree: the same streams whole, byte by byte, in random chunks and under
 * output limits that stop the fast loop early. Also inflateRaw's one-shot buffers.
 */
import { deflateRawSync } from 'node:zlib'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import { DeflateError, type DeflateErrorCode, Inflater, inflateRaw } from '../src/index.ts'
import { jsonCorpus, textCorpus } from './corpus.ts'
import { BitStream, byteByByte, concat, equalBytes, inflatePieces } from './streams.ts'

/** Data with short and long repeats at every distance class, including overlapping ones. */
function mixed(size: number, seed: number): Uint8Array {
  const random = new Random(seed)
  const out = new Uint8Array(size)
  let at = 0
  while (at < size) {
    const kind = random.below(6)
    if (kind === 0 || at < 8) {
      out[at++] = random.below(256)
      continue
    }
    const distance =
      kind === 1 ? 1 + random.below(3) : kind === 2 ? 4 + random.below(8) : 1 + random.below(at)
    const length = Math.min(size - at, 3 + random.below(kind === 3 ? 300 : 40))
    for (let i = 0; i < length; i++, at++) out[at] = out[at - distance] as number
  }
  return out
}

const inputs: Array<[string, Uint8Array]> = [
  ['text', textCorpus(200000, 41)],
  ['JSON', jsonCorpus(200000, 42)],
  ['mixed', mixed(150000, 43)],
  ['runs', concat([textCorpus(3000, 44), new Uint8Array(50000).fill(0x61), textCorpus(3000, 45)])],
]

test('whole, byte by byte and in random chunks at levels 1, 6 and 9 and several windows: identical output', () => {
  for (const [name, input] of inputs) {
    for (const level of [1, 6, 9]) {
      for (const windowBits of [8, 10, 15]) {
        const compressed = deflateRawSync(input, { level, windowBits, memLevel: 9 })
        const label = `${name} level ${level} windowBits ${windowBits}`
        assert.ok(equalBytes(inflateRaw(compressed, { windowBits }), input), label)
        const random = new Random(level * 100 + windowBits)
        assert.ok(
          equalBytes(inflatePieces(random.chunks(compressed, 1 + random.below(300)), { windowBits }), input),
          label,
        )
      }
    }
    const compressed = deflateRawSync(input.subarray(0, 40000))
    assert.ok(equalBytes(inflatePieces(byteByByte(compressed)), input.subarray(0, 40000)), name)
  }
})

test('output limits at and around every size stop exactly, whatever the chunking', () => {
  const random = new Random(77)
  for (const [name, input] of inputs) {
    const compressed = deflateRawSync(input)
    for (const limit of [input.length, input.length - 1, random.below(input.length), 300, 0]) {
      const chunkings = [[compressed], random.chunks(compressed, 2000), random.chunks(compressed, 37)]
      for (const pieces of chunkings) {
        try {
          const out = inflatePieces(pieces, { maxOutput: limit })
          assert.ok(limit >= input.length && equalBytes(out, input), `${name} limit ${limit}`)
        } catch (error) {
          assert.is((error as DeflateError).code, 'DEFLATE_OUTPUT_LIMIT', `${name} limit ${limit}`)
          assert.ok(limit < input.length)
        }
      }
      // inflateRaw sizes its buffers from the limit: the same answer.
      if (limit >= input.length) assert.ok(equalBytes(inflateRaw(compressed, { maxOutput: limit }), input))
      else assert.throws(() => inflateRaw(compressed, { maxOutput: limit }), /limit/)
    }
  }
})

test('setOutputLimit per message over one stream, with the fast loop stopping at each limit', () => {
  const inflater = new Inflater()
  const input = jsonCorpus(100000, 46)
  const compressed = deflateRawSync(input)
  const out: Uint8Array[] = []
  const random = new Random(47)
  for (const piece of random.chunks(compressed, 5000)) {
    inflater.setOutputLimit(Number.POSITIVE_INFINITY)
    out.push(...inflater.push(piece))
  }
  assert.ok(equalBytes(concat(out), input))
  const limited = new Inflater()
  limited.setOutputLimit(50000)
  assert.throws(
    () => limited.push(compressed),
    (error: DeflateError) => error.code === 'DEFLATE_OUTPUT_LIMIT',
  )
  assert.is(limited.totalOut <= 50000, true)
})

test('inflateRaw: highly compressible input grows its buffers and still returns the exact output', () => {
  const input = concat([jsonCorpus(300000, 48), new Uint8Array(2000000).fill(7), textCorpus(300000, 49)])
  const compressed = deflateRawSync(input)
  assert.ok(equalBytes(inflateRaw(compressed), input))
  // Incompressible input: the buffer, sized at the checkpoint from the ratio so far, is handed
  // out nearly full (one mostly unused would be copied to the output's size instead).
  const random = new Random(50).bytes(100000)
  const stored = inflateRaw(deflateRawSync(random))
  assert.ok(equalBytes(stored, random))
  assert.ok(stored.buffer.byteLength <= stored.length * 1.1, `${stored.buffer.byteLength}`)
  assert.throws(
    () => inflateRaw('x' as unknown as Uint8Array),
    (error: Error) => error instanceof TypeError && /inflateRaw: data/.test(error.message),
  )
})

/** Asserts that `data` fails with `code` whole (fast loop) and byte by byte (slow loop). */
function rejectsBoth(data: Uint8Array, code: DeflateErrorCode, options = {}): void {
  for (const pieces of [[data], byteByByte(data)]) {
    try {
      inflatePieces(pieces, options)
      assert.unreachable(`expected ${code}`)
    } catch (error) {
      assert.instance(error, DeflateError)
      assert.is((error as DeflateError).code, code)
    }
  }
}

test('errors inside the fast loop: invalid symbols and distances, with plenty of input after them', () => {
  const padding = new Uint8Array(64)
  const fixed = (): BitStream => new BitStream().bits(1, 1).bits(1, 2)
  // Literal/length symbol 286 (fixed code 11000110).
  rejectsBoth(
    concat([fixed().fixedLiteral(0x61).fixedLiteral(286).finish(), padding]),
    'DEFLATE_INVALID_SYMBOL',
  )
  // Distance symbol 30.
  rejectsBoth(
    concat([fixed().fixedLiteral(0x61).fixedLiteral(257).code(30, 5).finish(), padding]),
    'DEFLATE_INVALID_DISTANCE',
  )
  // Distance 2 with one byte of output, and distance 300 beyond a 256-byte window.
  rejectsBoth(
    concat([fixed().fixedLiteral(0x61).fixedLiteral(257).code(1, 5).finish(), padding]),
    'DEFLATE_DISTANCE_TOO_FAR',
  )
  const history = fixed()
  for (let i = 0; i < 400; i++) history.fixedLiteral(0x61 + (i % 26))
  // Distance symbol 16 is 257..384 with 7 extra bits: 300.
  history
    .fixedLiteral(257)
    .code(16, 5)
    .bits(300 - 257, 7)
  rejectsBoth(concat([history.finish(), padding]), 'DEFLATE_DISTANCE_TOO_FAR', { windowBits: 8 })
})

test.run()
