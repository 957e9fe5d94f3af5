import { constants, deflateRawSync, inflateRawSync } from 'node:zlib'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import { Deflater, deflateRaw, Inflater, inflateRaw } from '../src/index.ts'
import { jsonCorpus, textCorpus } from './corpus.ts'
import { ascii, bytes, concat, equalBytes, SYNC_TRAILER, zlibInflateMessages } from './streams.ts'

const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex')
const zlibInflate = (data: Uint8Array, windowBits = 15): Buffer =>
  inflateRawSync(data, { windowBits: Math.max(windowBits, 9) })

const inputs: Array<[string, Uint8Array]> = [
  ['text', textCorpus(48 * 1024, 41)],
  ['JSON', jsonCorpus(48 * 1024, 42)],
  ['random', new Random(43).bytes(12 * 1024)],
  ['zeros', new Uint8Array(40 * 1024)],
  ['empty', new Uint8Array(0)],
  ['one byte', bytes(0x7a)],
]

test('RFC 7692 7.2.3.1 and 7.2.3.2: the same bytes as the RFC for Hello, and Hello again', () => {
  const deflater = new Deflater()
  deflater.write(ascii('Hello'))
  assert.is(hex(deflater.syncFlush()), 'f248cdc9c90700' + '0000ffff')
  deflater.write(ascii('Hello'))
  assert.is(hex(deflater.syncFlush()), 'f200110000' + '0000ffff')
  deflater.reset()
  deflater.write(ascii('Hello'))
  assert.is(hex(deflater.syncFlush()), 'f248cdc9c90700' + '0000ffff')
})

test('an empty flush is the empty stored block alone; an empty stream is one empty fixed block', () => {
  const deflater = new Deflater()
  assert.is(hex(deflater.syncFlush()), '000000ffff')
  assert.is(hex(deflater.syncFlush()), '000000ffff')
  assert.is(hex(deflater.finish()), '0300')
  assert.is(hex(deflateRaw(new Uint8Array(0))), '0300')
  assert.is(hex(deflateRaw(new Uint8Array(0), { level: 0 })), '010000ffff')
})

test('every level 0..9 and windowBits 8..15, in random write() chunkings: node:zlib and our inflater agree', () => {
  const random = new Random(44)
  for (const [name, input] of inputs) {
    for (let level = 0; level <= 9; level++) {
      for (let windowBits = 8; windowBits <= 15; windowBits++) {
        const deflater = new Deflater({ level, windowBits })
        for (const piece of random.chunks(input, 1 + random.below(9000))) deflater.write(piece)
        const compressed = deflater.finish()
        const what = `${name}, level ${level}, windowBits ${windowBits}`
        assert.ok(equalBytes(zlibInflate(compressed, windowBits), input), what)
        // Our inflater at the same windowBits rejects any distance beyond 2^windowBits.
        assert.ok(equalBytes(inflateRaw(compressed, { windowBits }), input), what)
      }
    }
  }
})

test('windowBits 8 never reaches further than 256 bytes, on data full of longer repeats', () => {
  const random = new Random(45)
  const phrase = textCorpus(300, 46)
  const parts: Uint8Array[] = []
  for (let i = 0; i < 400; i++) parts.push(random.below(2) ? phrase : random.bytes(random.below(300)))
  const input = concat(parts)
  for (const level of [1, 4, 6, 9]) {
    const compressed = deflateRaw(input, { level, windowBits: 8 })
    assert.ok(equalBytes(inflateRaw(compressed, { windowBits: 8 }), input))
    assert.ok(equalBytes(zlibInflate(compressed, 9), input))
    // The same data at windowBits 9 does reach further (so the test has teeth).
    const wider = deflateRaw(input, { level, windowBits: 9 })
    assert.throws(() => inflateRaw(wider, { windowBits: 8 }), /beyond the 256-byte window/)
  }
})

test('long inputs: the window slides many times, blocks split, output matches', () => {
  const input = concat([
    textCorpus(400000, 47),
    new Uint8Array(150000),
    new Random(48).bytes(100000),
    jsonCorpus(300000, 49),
  ])
  for (const level of [0, 1, 3, 6, 9]) {
    for (const windowBits of [9, 15]) {
      const compressed = deflateRaw(input, { level, windowBits, memLevel: level === 3 ? 1 : 8 })
      assert.ok(
        equalBytes(zlibInflate(compressed, windowBits), input),
        `level ${level} windowBits ${windowBits}`,
      )
    }
  }
})

/** Messages of a chat-like session: JSON, text, repeats and some noise. */
function session(count: number, seed: number): Uint8Array[] {
  const random = new Random(seed)
  const messages: Uint8Array[] = []
  for (let i = 0; i < count; i++) {
    const kind = random.below(5)
    const size = random.below(2500)
    messages.push(
      kind === 0
        ? jsonCorpus(size, 50 + (i % 4))
        : kind === 1
          ? textCorpus(size, 60 + (i % 3))
          : kind === 2
            ? random.bytes(random.below(200))
            : kind === 3
              ? (messages[random.below(messages.length || 1)] ?? new Uint8Array(0))
              : new Uint8Array(0),
    )
  }
  return messages
}

test('sync-flushed messages form one stream that node:zlib inflates message by message', async () => {
  const messages = session(80, 61)
  for (const level of [0, 1, 6, 9]) {
    for (const windowBits of [8, 10, 15]) {
      const deflater = new Deflater({ level, windowBits })
      const random = new Random(level * 100 + windowBits)
      const flushes = messages.map((message) => {
        for (const piece of random.chunks(message, 1 + random.below(3000))) deflater.write(piece)
        const flush = deflater.syncFlush()
        assert.ok(equalBytes(flush.subarray(flush.length - 4), SYNC_TRAILER))
        return flush
      })
      const decoded = await zlibInflateMessages(flushes, Math.max(windowBits, 9))
      decoded.forEach((out, index) => {
        assert.ok(
          equalBytes(out, messages[index] as Uint8Array),
          `level ${level} windowBits ${windowBits} #${index}`,
        )
      })
      // The concatenation is one valid stream for a one-shot inflate too, and for ours.
      const all = concat(messages)
      assert.ok(equalBytes(inflateRawSync(concat(flushes), { finishFlush: constants.Z_SYNC_FLUSH }), all))
      const inflater = new Inflater({ windowBits })
      flushes.forEach((flush, index) => {
        const payload = flush.subarray(0, flush.length - 4)
        const out = concat(inflater.push(concat([payload, SYNC_TRAILER])))
        assert.ok(equalBytes(out, messages[index] as Uint8Array))
      })
    }
  }
})

test('with reset() between messages, each message decodes with a fresh inflater (no reference across)', () => {
  const messages = session(60, 62)
  for (const level of [1, 6, 9]) {
    const deflater = new Deflater({ level })
    for (const message of messages) {
      deflater.write(message)
      const flush = deflater.syncFlush()
      deflater.reset()
      // A fresh zlib inflater fails on any distance before its start, so this proves independence.
      assert.ok(equalBytes(inflateRawSync(flush, { finishFlush: constants.Z_SYNC_FLUSH }), message))
      assert.ok(equalBytes(concat(new Inflater().push(flush)), message))
    }
  }
})

test('with context kept, the same message a second time compresses smaller', () => {
  for (const message of [jsonCorpus(2000, 63), textCorpus(1000, 64), ascii('{"type":"ping","id":1}')]) {
    const deflater = new Deflater()
    deflater.write(message)
    const first = deflater.syncFlush()
    deflater.write(message)
    const second = deflater.syncFlush()
    assert.ok(second.length < first.length / 2, `${second.length} vs ${first.length}`)
    deflater.reset()
    deflater.write(message)
    assert.is(hex(deflater.syncFlush()), hex(first))
  }
})

test('compression ratio at the default level is within 5% of zlib level 6 on text and JSON', () => {
  for (const [name, corpus] of [
    ['text', textCorpus(1 << 20, 70)],
    ['JSON', jsonCorpus(1 << 20, 71)],
  ] as const) {
    const ours = deflateRaw(corpus).length
    const zlib = deflateRawSync(corpus, { level: 6 }).length
    assert.ok(ours <= zlib * 1.05, `${name}: ours ${ours}, zlib ${zlib}`)
  }
})

test('incompressible data is stored, with only a few bytes of overhead', () => {
  const input = new Random(72).bytes(100000)
  for (const level of [1, 6, 9]) {
    const compressed = deflateRaw(input, { level })
    assert.ok(compressed.length < input.length + 100, `${compressed.length}`)
    assert.ok(equalBytes(zlibInflate(compressed), input))
  }
})

test('finish() ends the stream; afterwards only reset() is allowed', () => {
  const deflater = new Deflater()
  deflater.write(ascii('abc'))
  const stream = deflater.finish()
  assert.is(Buffer.from(zlibInflate(stream)).toString(), 'abc')
  assert.throws(() => deflater.write(ascii('x')), /finished/)
  assert.throws(() => deflater.syncFlush(), /finished/)
  assert.throws(() => deflater.finish(), /finished/)
  deflater.reset()
  deflater.write(ascii('again'))
  assert.is(Buffer.from(zlibInflate(deflater.finish())).toString(), 'again')
  // Empty writes change nothing.
  deflater.reset()
  deflater.write(new Uint8Array(0))
  assert.is(hex(deflater.finish()), '0300')
})

test('arguments: a non-Uint8Array chunk is a TypeError, bad options a RangeError', () => {
  const deflater = new Deflater()
  assert.throws(() => deflater.write('abc' as unknown as Uint8Array), TypeError)
  deflater.write(Buffer.from('a Buffer is a Uint8Array'))
  for (const options of [
    { level: -1 },
    { level: 10 },
    { level: 1.5 },
    { windowBits: 7 },
    { windowBits: 16 },
    { memLevel: 0 },
    { memLevel: 10 },
  ]) {
    assert.throws(() => new Deflater(options), RangeError)
  }
})

test('our compressor and our inflater round-trip every size 0..600 at every level', () => {
  const source = concat([textCorpus(300, 80), new Random(81).bytes(300)])
  for (let level = 0; level <= 9; level++) {
    for (let size = 0; size <= 600; size += level === 6 ? 1 : 7) {
      const input = source.subarray(0, size)
      assert.ok(equalBytes(inflateRaw(deflateRaw(input, { level })), input), `level ${level} size ${size}`)
    }
  }
})

test('zlib-compressed and our compressed data agree on content for every memLevel', () => {
  const input = concat([textCorpus(100000, 90), jsonCorpus(100000, 91)])
  for (let memLevel = 1; memLevel <= 9; memLevel++) {
    const compressed = deflateRaw(input, { memLevel })
    assert.ok(equalBytes(zlibInflate(compressed), input), `memLevel ${memLevel}`)
  }
})

test('compressors used in turn (they share one block writer) give what each gives alone', () => {
  const inputs = [textCorpus(200_000), jsonCorpus(200_000)]
  const alone = inputs.map((input) => {
    const deflater = new Deflater({ windowBits: 12 })
    const out: Uint8Array[] = []
    for (let at = 0; at < input.length; at += 7_000) {
      deflater.write(input.subarray(at, at + 7_000))
      out.push(deflater.syncFlush())
    }
    return concat(out)
  })
  const deflaters = inputs.map(() => new Deflater({ windowBits: 12 }))
  const outs: Uint8Array[][] = [[], []]
  for (let at = 0; at < 200_000; at += 7_000) {
    for (const [i, deflater] of deflaters.entries()) {
      deflater.write((inputs[i] as Uint8Array).subarray(at, at + 7_000))
      ;(outs[i] as Uint8Array[]).push(deflater.syncFlush())
    }
  }
  for (const [i, input] of inputs.entries()) {
    const together = concat(outs[i] as Uint8Array[])
    assert.ok(equalBytes(together, alone[i] as Uint8Array), `compressor ${i}`)
    assert.ok(
      equalBytes(new Uint8Array(inflateRawSync(together, { finishFlush: constants.Z_SYNC_FLUSH })), input),
    )
  }
})

test.run()
