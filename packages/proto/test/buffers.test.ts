import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import { WebSocketConnection } from '../src/connection.ts'
import { MessageBuffer } from '../src/message-buffer.ts'
import { RandomPool, randomPoolFor } from '../src/random-pool.ts'
import { concat, parseFrames, seededFill, throwsKind } from './wire.ts'

const buffer = suite('MessageBuffer')

buffer('one piece comes back as the same view, without a copy', () => {
  const collector = new MessageBuffer()
  const piece = new Uint8Array(10)
  collector.push(piece)
  collector.push(new Uint8Array(0))
  assert.is(collector.length, 10)
  assert.is(collector.finish(), piece)
  assert.is(collector.length, 0)
  assert.is(collector.finish().length, 0)
})

buffer('any mix of small and large pieces joins to the concatenation', () => {
  const random = new Random(11)
  for (let round = 0; round < 300; round++) {
    const collector = new MessageBuffer()
    const pieces: Uint8Array[] = []
    for (let i = random.below(40); i > 0; i--) {
      const size = random.below(4) === 0 ? 1000 + random.below(3000) : random.below(700)
      const piece = random.bytes(size)
      pieces.push(piece)
      collector.push(piece)
    }
    const joined = collector.finish()
    assert.equal(joined, concat(...pieces))
  }
})

buffer('a million one-byte pieces are held in a few blocks, not a million objects', () => {
  const collector = new MessageBuffer()
  const byte = Uint8Array.of(7)
  for (let i = 0; i < 1_000_000; i++) collector.push(byte)
  assert.ok(collector.pieceCount < 40, `${collector.pieceCount} pieces`)
  const joined = collector.finish()
  assert.is(joined.length, 1_000_000)
  assert.ok(joined.every((value) => value === 7))
})

buffer('clear drops everything', () => {
  const collector = new MessageBuffer()
  collector.push(new Uint8Array(5))
  collector.push(new Uint8Array(5000))
  collector.clear()
  assert.is(collector.length, 0)
  assert.is(collector.finish().length, 0)
})

const pool = suite('RandomPool')

pool('keys are cut from one fill of 8 KiB, never handed out twice', () => {
  let fills = 0
  let counter = 0
  const source = (out: Uint8Array): void => {
    fills++
    for (let i = 0; i < out.length; i++) out[i] = counter++ & 0xff
  }
  const random = new RandomPool(source)
  const seen: number[] = []
  for (let i = 0; i < 2048; i++) seen.push(...random.bytes(4))
  assert.is(fills, 1)
  assert.equal(seen.slice(0, 8), [0, 1, 2, 3, 4, 5, 6, 7])
  random.bytes(4)
  assert.is(fills, 2)
  throwsKind(() => random.bytes(8193), RangeError)
})

pool('connections sharing a source share its pool', () => {
  const source = (out: Uint8Array): void => {
    out.fill(1)
  }
  assert.is(randomPoolFor(source), randomPoolFor(source))
  assert.is.not(
    randomPoolFor(source),
    randomPoolFor((out) => out.fill(2)),
  )
})

const slabs = suite('outgoing frames cut from shared slabs')

slabs('thousands of kept frames of every small size, from two connections, stay intact', () => {
  const random = new Random(21)
  const client = new WebSocketConnection({ role: 'client', randomFill: seededFill(1) })
  const server = new WebSocketConnection({ role: 'server' })
  const sent: [Uint8Array, Uint8Array][] = []
  const kept: [Uint8Array[], Uint8Array[]] = [[], []]
  for (let i = 0; i < 3000; i++) {
    // Sizes around the slab limits: tiny, the 125/126 length forms, and past 2 KiB.
    const size = i % 50 === 0 ? 2040 + random.below(20) : random.below(300)
    const data = random.bytes(size)
    client.sendBinary(data)
    server.sendBinary(data)
    sent.push([data, data.slice()])
    kept[0].push(...client.takeOutgoing())
    kept[1].push(...server.takeOutgoing())
  }
  for (const chunks of kept) {
    const frames = parseFrames(concat(...chunks))
    assert.is(frames.length, 3000)
    for (const [index, frame] of frames.entries())
      assert.equal(frame.payload, sent[index]?.[1], `frame ${index}`)
  }
  // The caller's payloads were never touched by masking.
  for (const [data, copy] of sent) assert.equal(data, copy)
})

buffer.run()
pool.run()
slabs.run()
