import { constants, deflateRawSync } from 'node:zlib'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import { Inflater, inflateRaw } from '../src/index.ts'
import { jsonCorpus, textCorpus } from './corpus.ts'
import {
  BitStream,
  byteByByte,
  bytes,
  concat,
  equalBytes,
  inflatePieces,
  SYNC_TRAILER,
  text,
  zlibSyncFlushed,
} from './streams.ts'

/** Decodes one permessage-deflate payload the RFC 7692 way: append 00 00 ff ff and inflate. */
const message = (inflater: Inflater, payload: Uint8Array): string =>
  text(concat(inflater.push(concat([payload, SYNC_TRAILER]))))

// RFC 7692 section 7.2.3: the worked examples.
test("RFC 7692 7.2.3.1: 'Hello' in one fixed-Huffman block", () => {
  assert.is(message(new Inflater(), bytes(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00)), 'Hello')
})

test('RFC 7692 7.2.3.2: the second message refers back into the first through the kept window', () => {
  const inflater = new Inflater()
  assert.is(message(inflater, bytes(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00)), 'Hello')
  assert.is(message(inflater, bytes(0xf2, 0x00, 0x11, 0x00, 0x00)), 'Hello')
  // Without the window the same payload is a distance before the start of the output.
  assert.throws(() => message(new Inflater(), bytes(0xf2, 0x00, 0x11, 0x00, 0x00)), /before the start/)
  // No context takeover: the same bytes for both messages, each decoded after a reset.
  const fresh = new Inflater()
  for (let i = 0; i < 2; i++) {
    assert.is(message(fresh, bytes(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00)), 'Hello')
    fresh.reset()
  }
})

test('RFC 7692 7.2.3.3: a stored block', () => {
  const payload = bytes(0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00)
  assert.is(message(new Inflater(), payload), 'Hello')
})

test('RFC 7692 7.2.3.4: a block with BFINAL set, then an empty stored block header', () => {
  const payload = bytes(0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00)
  const inflater = new Inflater({ ignoreDataAfterEnd: true })
  assert.is(message(inflater, payload), 'Hello')
  assert.ok(inflater.finished)
  // By default the bytes after the final block are an error.
  assert.throws(
    () => message(new Inflater(), payload),
    (error: Error) => /after the end/.test(error.message),
  )
  // The final block alone is a complete stream.
  assert.is(text(inflateRaw(payload.subarray(0, 7))), 'Hello')
})

test('RFC 7692 7.2.3.5: two blocks in one message', () => {
  const payload = bytes(0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00)
  assert.is(message(new Inflater(), payload), 'Hello')
})

test('RFC 7692 7.2.3.6: an empty message is the single byte 00', () => {
  const inflater = new Inflater()
  assert.is(message(inflater, bytes(0x00)), '')
  assert.is(message(inflater, bytes(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00)), 'Hello')
})

test('atBlockBoundary: true between sync-flushed messages and after the final block, false inside a block', () => {
  const inflater = new Inflater({ ignoreDataAfterEnd: true })
  assert.ok(inflater.atBlockBoundary, 'fresh')
  assert.is(message(inflater, bytes(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00)), 'Hello')
  assert.ok(inflater.atBlockBoundary, 'after a whole message')
  // Hello cut before its end-of-block code, then the trailer: still inside the block.
  const cut = new Inflater()
  cut.push(concat([bytes(0xf2, 0x48, 0xcd), SYNC_TRAILER]))
  assert.not.ok(cut.atBlockBoundary, 'inside a fixed block')
  // A block header's first bits only, and a stored block's length half read.
  const header = new Inflater()
  header.push(bytes(0x04))
  assert.not.ok(header.atBlockBoundary, 'a dynamic block header begun')
  const stored = new Inflater()
  stored.push(bytes(0x00, 0x05, 0x00))
  assert.not.ok(stored.atBlockBoundary, 'inside a stored block header')
  stored.push(bytes(0xfa, 0xff, 0x48))
  assert.not.ok(stored.atBlockBoundary, 'inside a stored block')
  stored.push(bytes(0x65, 0x6c, 0x6c, 0x6f))
  assert.ok(stored.atBlockBoundary, 'after the stored block')
  // BFINAL (RFC 7692 7.2.3.4): the stream has ended, which is a boundary too.
  const final = new Inflater({ ignoreDataAfterEnd: true })
  assert.is(message(final, bytes(0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00)), 'Hello')
  assert.ok(final.finished && final.atBlockBoundary, 'after the final block')
})

test('a hand-built stored block, final, with LEN and NLEN', () => {
  const data = bytes(0x01, 0x03, 0x00, 0xfc, 0xff, 0x61, 0x62, 0x63)
  assert.is(text(inflateRaw(data)), 'abc')
  assert.is(text(inflatePieces(byteByByte(data))), 'abc')
})

test('a hand-built fixed-Huffman block with a back-reference that overlaps its own output', () => {
  // 'ab', then length 7 at distance 2 ('ababab a'), then 'c': 'ababababac'.
  const stream = new BitStream().bits(1, 1).bits(1, 2)
  stream.fixedLiteral(0x61).fixedLiteral(0x62)
  stream.fixedLiteral(261) // length 7 (symbol 261, no extra bits)
  stream.code(1, 5) // distance symbol 1: distance 2
  stream.fixedLiteral(0x63).fixedLiteral(256)
  const data = stream.finish()
  assert.is(text(inflateRaw(data)), 'ababababac')
  assert.is(text(inflatePieces(byteByByte(data))), 'ababababac')
})

test('a hand-built dynamic block, including repeats that cross from literal to distance lengths', () => {
  // Literal/length code: 'a' (97), 'b' (98), 256 and 257 (length 3), two bits each; 258 and 259
  // unused. Distance code: symbol 0 unused, 1 and 2 one bit each. The zero run for 258, 259 and
  // distance 0 crosses from one code's lengths into the other's.
  const runs: Array<number | readonly [number, number]> = [
    [18, 97 - 11], // 0..96
    2, // 97
    2, // 98
    [18, 138 - 11], // 99..236
    [18, 19 - 11], // 237..255
    2, // 256
    2, // 257
    [17, 0], // 258, 259 and distance 0
    1, // distance 1
    1, // distance 2
  ]
  const stream = new BitStream().dynamicHeader(true, 260, 3, runs)
  // Canonical codes: 97 -> 00, 98 -> 01, 256 -> 10, 257 -> 11; distance 1 -> 0, distance 2 -> 1.
  stream.code(0, 2).code(1, 2) // 'ab'
  stream.code(3, 2).code(0, 1) // length 3, distance symbol 1 (distance 2): 'aba'
  stream.code(2, 2) // end of block
  assert.is(text(inflateRaw(stream.finish())), 'ababa')
})

const inputs: Array<[string, Uint8Array]> = [
  ['text', textCorpus(64 * 1024)],
  ['JSON', jsonCorpus(64 * 1024)],
  ['random', new Random(7).bytes(16 * 1024)],
  ['zeros', new Uint8Array(64 * 1024)],
  ['empty', new Uint8Array(0)],
  ['one byte', bytes(0x41)],
]

test('node:zlib output at every level 0..9 and windowBits 9..15 inflates back to the input', () => {
  for (const [name, input] of inputs) {
    for (let level = 0; level <= 9; level++) {
      for (let windowBits = 9; windowBits <= 15; windowBits++) {
        const compressed = deflateRawSync(input, { level, windowBits })
        const out = inflateRaw(compressed, { windowBits })
        assert.ok(equalBytes(out, input), `${name}, level ${level}, windowBits ${windowBits}`)
      }
    }
  }
})

test('node:zlib output fed one byte at a time, at every level (16 KiB inputs)', () => {
  for (const [name, input] of inputs) {
    const small = input.subarray(0, 16 * 1024)
    for (let level = 0; level <= 9; level++) {
      const compressed = deflateRawSync(small, { level })
      assert.ok(equalBytes(inflatePieces(byteByByte(compressed)), small), `${name}, level ${level}`)
    }
    for (let windowBits = 9; windowBits <= 15; windowBits++) {
      const compressed = deflateRawSync(small, { windowBits, memLevel: 9 })
      const out = inflatePieces(byteByByte(compressed), { windowBits })
      assert.ok(equalBytes(out, small), `${name}, windowBits ${windowBits}`)
    }
  }
})

test('the full matrix byte by byte: every level 0..9 and windowBits 9..15 on every input (4 KiB)', () => {
  for (const [name, input] of inputs) {
    const small = input.subarray(0, 4 * 1024)
    for (let level = 0; level <= 9; level++) {
      for (let windowBits = 9; windowBits <= 15; windowBits++) {
        const compressed = deflateRawSync(small, { level, windowBits })
        const out = inflatePieces(byteByByte(compressed), { windowBits })
        assert.ok(equalBytes(out, small), `${name}, level ${level}, windowBits ${windowBits}`)
      }
    }
  }
})

test('random chunkings over many seeds give identical output', () => {
  const input = concat([textCorpus(40000, 3), jsonCorpus(40000, 4), new Random(5).bytes(3000)])
  for (const level of [0, 1, 6, 9]) {
    const compressed = deflateRawSync(input, { level })
    for (let seed = 1; seed <= 25; seed++) {
      const random = new Random(seed * 31 + level)
      const pieces = random.chunks(compressed, 1 + random.below(700))
      assert.ok(equalBytes(inflatePieces(pieces), input), `level ${level}, seed ${seed}`)
    }
  }
})

test('a long stream in large pushes: output chunks stay valid after later pushes', () => {
  const input = concat([textCorpus(300000, 9), new Uint8Array(200000), jsonCorpus(300000, 10)])
  const compressed = deflateRawSync(input)
  const inflater = new Inflater()
  const chunks: Uint8Array[] = []
  for (let offset = 0; offset < compressed.length; offset += 50000) {
    chunks.push(...inflater.push(compressed.subarray(offset, offset + 50000)))
  }
  chunks.push(...inflater.push(new Uint8Array(0), true))
  assert.ok(chunks.length > 10)
  assert.ok(equalBytes(concat(chunks), input))
  assert.is(inflater.totalOut, input.length)
  assert.ok(inflater.finished)
})

test('stored blocks larger than the output slack, one push and byte-wise', () => {
  const input = new Random(11).bytes(200000)
  const compressed = deflateRawSync(input, { level: 0 })
  assert.ok(equalBytes(inflateRaw(compressed), input))
  assert.ok(equalBytes(inflateRaw(compressed, { windowBits: 8 }), input))
  const random = new Random(12)
  assert.ok(equalBytes(inflatePieces(random.chunks(compressed, 5000), { windowBits: 8 }), input))
})

test('sync-flushed messages from one node:zlib stream decode message by message over a kept window', async () => {
  const random = new Random(21)
  const messages: Uint8Array[] = []
  for (let i = 0; i < 60; i++) {
    const kind = random.below(4)
    const size = random.below(3000)
    messages.push(
      kind === 0
        ? textCorpus(size, 100 + (i % 3))
        : kind === 1
          ? jsonCorpus(size, 200 + (i % 2))
          : kind === 2
            ? random.bytes(size)
            : new Uint8Array(0),
    )
  }
  for (const windowBits of [9, 12, 15]) {
    for (const level of [1, 6, 9]) {
      const flushes = await zlibSyncFlushed(messages, { level, windowBits })
      const inflater = new Inflater({ windowBits })
      flushes.forEach((flush, index) => {
        assert.ok(equalBytes(flush.subarray(flush.length - 4), SYNC_TRAILER))
        // As permessage-deflate sends it: trailer stripped, then appended again by the receiver.
        const payload = flush.subarray(0, flush.length - 4)
        const out = concat(inflater.push(concat([payload, SYNC_TRAILER])))
        assert.ok(
          equalBytes(out, messages[index] as Uint8Array),
          `windowBits ${windowBits} level ${level} #${index}`,
        )
        assert.not.ok(inflater.finished)
      })
      // The same stream byte by byte: every message's output is complete at its sync point.
      const bytewise = new Inflater({ windowBits })
      flushes.forEach((flush, index) => {
        const out = concat(byteByByte(flush).flatMap((piece) => bytewise.push(piece)))
        assert.ok(equalBytes(out, messages[index] as Uint8Array))
      })
    }
  }
})

test('no context takeover: messages from separate zlib streams decode after reset()', () => {
  const inflater = new Inflater()
  for (let i = 0; i < 20; i++) {
    const input = textCorpus(500 + i * 97, 300)
    const compressed = deflateRawSync(input, { finishFlush: constants.Z_SYNC_FLUSH })
    assert.ok(equalBytes(concat(inflater.push(compressed)), input))
    assert.is(inflater.totalOut, input.length)
    inflater.reset()
    assert.is(inflater.totalOut, 0)
  }
})

test('totalOut counts across pushes and messages; push returns nothing for input that completes nothing', () => {
  const inflater = new Inflater()
  assert.equal(inflater.push(new Uint8Array(0)), [])
  assert.equal(inflater.push(bytes(0xf2)), [])
  const out = inflater.push(bytes(0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff))
  assert.is(text(concat(out)), 'Hello')
  assert.is(inflater.totalOut, 5)
})

test.run()
