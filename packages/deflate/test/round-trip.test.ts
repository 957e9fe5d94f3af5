/**
 * Round trips against node:zlib in both directions for the compressor's and the inflater's
 * fast paths: every window size 8..15 on varied corpora, sync-flushed messages as
 * permessage-deflate sends them (with the wire size compared to zlib's), input cut into pieces
 * of every size down to one byte, and deflateRaw's one-shot output buffer.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import { Deflater, deflateRaw, Inflater, inflateRaw } from '../src/index.ts'
import { jsonCorpus, textCorpus } from './corpus.ts'
import {
  concat,
  equalBytes,
  inflatePieces,
  SYNC_TRAILER,
  zlibInflateMessages,
  zlibSyncFlushed,
} from './streams.ts'

/** Repeats at every distance (overlapping ones too), runs, and stretches of noise. */
function mixed(size: number, seed: number): Uint8Array {
  const random = new Random(seed)
  const out = new Uint8Array(size)
  let at = 0
  while (at < size) {
    const kind = random.below(7)
    if (kind === 0 || at < 8) {
      out[at++] = random.below(256)
      continue
    }
    const distance =
      kind === 1 ? 1 + random.below(3) : kind === 2 ? 4 + random.below(12) : 1 + random.below(at)
    const length = Math.min(size - at, 3 + random.below(kind === 3 ? 400 : 60))
    for (let i = 0; i < length; i++, at++) out[at] = out[at - distance] as number
  }
  return out
}

const corpora: Array<[string, Uint8Array]> = [
  ['text', textCorpus(70000, 101)],
  ['JSON', jsonCorpus(70000, 102)],
  ['mixed', mixed(70000, 103)],
  ['random', new Random(104).bytes(20000)],
  ['runs', concat([new Uint8Array(30000), new Uint8Array(5000).fill(0xab), textCorpus(2000, 105)])],
]

/** zlib raises windowBits 8 to 9 for raw deflate; its inflater then needs 9 as well. */
const zlibBits = (windowBits: number): number => Math.max(windowBits, 9)

test('every windowBits 8..15: ours deflates what zlib inflates, and inflates what zlib deflates', () => {
  for (const [name, input] of corpora) {
    for (let windowBits = 8; windowBits <= 15; windowBits++) {
      for (const [level, memLevel] of [
        [1, 8],
        [6, 4],
        [6, 8],
        [9, 9],
      ] as const) {
        const label = `${name} windowBits ${windowBits} level ${level} memLevel ${memLevel}`
        const ours = deflateRaw(input, { level, windowBits, memLevel })
        assert.ok(equalBytes(inflateRawSync(ours, { windowBits: zlibBits(windowBits) }), input), label)
        assert.ok(equalBytes(inflateRaw(ours, { windowBits }), input), label)
        const theirs = deflateRawSync(input, { level, windowBits: zlibBits(windowBits), memLevel })
        assert.ok(equalBytes(inflateRaw(theirs, { windowBits: zlibBits(windowBits) }), input), label)
      }
    }
  }
})

test('at level 6 the compressed size stays within 1% of zlib level 6 at the same window and memLevel', () => {
  for (const [name, input] of corpora) {
    for (const [windowBits, memLevel] of [
      [15, 8],
      [14, 4],
      [12, 8],
      [9, 8],
    ] as const) {
      const ours = deflateRaw(input, { level: 6, windowBits, memLevel }).length
      const zlib = deflateRawSync(input, { level: 6, windowBits, memLevel }).length
      assert.ok(ours <= zlib * 1.01 + 8, `${name} windowBits ${windowBits}: ours ${ours}, zlib ${zlib}`)
    }
  }
})

/** Distinct JSON messages of about 2 KiB, as a chatty application sends them. */
function jsonMessages(count: number, seed: number): Uint8Array[] {
  const random = new Random(seed)
  return Array.from({ length: count }, (_, index) => jsonCorpus(1500 + random.below(1100), 200 + index))
}

test('sync-flushed ~2 KiB JSON messages with context takeover: zlib inflates each, wire bytes within 5% of zlib', async () => {
  const messages = jsonMessages(60, 106)
  for (let windowBits = 8; windowBits <= 15; windowBits++) {
    for (const memLevel of [4, 8]) {
      const label = `windowBits ${windowBits} memLevel ${memLevel}`
      const deflater = new Deflater({ windowBits, memLevel })
      const flushes = messages.map((message) => {
        deflater.write(message)
        return deflater.syncFlush()
      })
      const decoded = await zlibInflateMessages(flushes, zlibBits(windowBits))
      decoded.forEach((out, index) => {
        assert.ok(equalBytes(out, messages[index] as Uint8Array), `${label} #${index}`)
      })
      // Our inflater, one message per push as permessage-deflate feeds it (trailer removed and added back).
      const inflater = new Inflater({ windowBits })
      flushes.forEach((flush, index) => {
        const payload = flush.subarray(0, flush.length - 4)
        const out = concat(inflater.push(concat([payload, SYNC_TRAILER])))
        assert.ok(equalBytes(out, messages[index] as Uint8Array), `${label} #${index}`)
        assert.ok(inflater.atBlockBoundary)
      })
      const zlibFlushes = await zlibSyncFlushed(messages, {
        level: 6,
        windowBits: zlibBits(windowBits),
        memLevel,
      })
      const ours = flushes.reduce((sum, flush) => sum + flush.length, 0)
      const zlib = zlibFlushes.reduce((sum, flush) => sum + flush.length, 0)
      assert.ok(ours <= zlib * 1.05, `${label}: ours ${ours}, zlib ${zlib}`)
      // And zlib's messages decode with our inflater, one by one over the kept window.
      const ourInflater = new Inflater({ windowBits: zlibBits(windowBits) })
      zlibFlushes.forEach((flush, index) => {
        assert.ok(equalBytes(concat(ourInflater.push(flush)), messages[index] as Uint8Array), label)
      })
    }
  }
})

test('write() in pieces of every size 1..64 (and larger) gives the same stream as one write', () => {
  const input = concat([jsonCorpus(3000, 107), mixed(3000, 108), textCorpus(2000, 109)])
  for (const [level, windowBits] of [
    [1, 9],
    [6, 8],
    [6, 15],
    [9, 12],
  ] as const) {
    const whole = deflateRaw(input, { level, windowBits })
    const sizes = [...Array.from({ length: 64 }, (_, i) => i + 1), 100, 257, 258, 259, 262, 1000, 4096]
    for (const size of sizes) {
      const deflater = new Deflater({ level, windowBits })
      for (let at = 0; at < input.length; at += size) deflater.write(input.subarray(at, at + size))
      const stream = deflater.finish()
      assert.ok(equalBytes(stream, whole), `level ${level} windowBits ${windowBits} pieces of ${size}`)
    }
    assert.ok(equalBytes(inflateRawSync(whole, { windowBits: zlibBits(windowBits) }), input))
  }
})

test('sync flushes at every offset of a message, written in small pieces: zlib inflates each part', () => {
  const message = concat([jsonCorpus(700, 110), mixed(300, 111)])
  for (const windowBits of [8, 15]) {
    for (let cut = 0; cut <= message.length; cut += 13) {
      const deflater = new Deflater({ windowBits })
      const parts = [message.subarray(0, cut), message.subarray(cut), message]
      const flushes = parts.map((part) => {
        for (let at = 0; at < part.length; at += 1 + (at % 5))
          deflater.write(part.subarray(at, at + 1 + (at % 5)))
        return deflater.syncFlush()
      })
      const all = inflateRawSync(concat(flushes), {
        windowBits: zlibBits(windowBits),
        finishFlush: constants.Z_SYNC_FLUSH,
      })
      assert.ok(equalBytes(all, concat(parts)), `windowBits ${windowBits} cut ${cut}`)
    }
  }
})

test('the inflater fed zlib streams in pieces of every size 1..64 gives the same output', () => {
  const input = concat([mixed(6000, 112), jsonCorpus(4000, 113)])
  for (const [level, windowBits] of [
    [1, 9],
    [6, 15],
    [0, 15],
  ] as const) {
    // Level 0 gives stored blocks; the others dynamic and, at the end, fixed ones.
    const compressed = deflateRawSync(input, { level, windowBits })
    for (let size = 1; size <= 64; size++) {
      const pieces: Uint8Array[] = []
      for (let at = 0; at < compressed.length; at += size) pieces.push(compressed.subarray(at, at + size))
      assert.ok(equalBytes(inflatePieces(pieces, { windowBits }), input), `level ${level} pieces of ${size}`)
    }
  }
})

test('deflateRaw: outputs from later calls never change earlier ones, for every kind of input', () => {
  // Zeros compress far below the first buffer (copied out); JSON fills most of it (handed out
  // whole); random bytes outgrow it (grown).
  const inputs = [new Uint8Array(200000), jsonCorpus(200000, 114), new Random(115).bytes(200000)]
  const outputs = inputs.map((input) => deflateRaw(input))
  const again = inputs.map((input) => deflateRaw(input))
  inputs.forEach((input, index) => {
    assert.ok(equalBytes(outputs[index] as Uint8Array, again[index] as Uint8Array))
    assert.ok(equalBytes(inflateRawSync(outputs[index] as Uint8Array), input))
  })
  assert.ok((outputs[0] as Uint8Array).length < 1000)
  assert.ok((outputs[2] as Uint8Array).length > 200000)
  assert.throws(
    () => deflateRaw([1, 2, 3] as unknown as Uint8Array),
    (error: Error) => error instanceof TypeError && /deflateRaw: data/.test(error.message),
  )
})

test.run()
