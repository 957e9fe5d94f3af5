/**
 * Property: for random streams of frames, valid and invalid, the events and the output do not
 * depend on how the input is cut into chunks.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import type { ConnectionOptions } from '../src/index.ts'
import { chunkings, concat, frame, hex, plain, run } from './wire.ts'

function randomStream(random: Random, masked: boolean): Uint8Array {
  const frames: Uint8Array[] = []
  let open = false
  const count = 1 + random.below(12)
  for (let i = 0; i < count; i++) {
    const roll = random.below(100)
    const mask = masked
      ? { mask: [random.below(256), random.below(256), random.below(256), random.below(256)] }
      : {}
    const payload = (length: number): Uint8Array => {
      // Mostly text-like bytes, sometimes anything.
      const bytes = random.bytes(length)
      if (random.below(4) !== 0) for (let j = 0; j < length; j++) bytes[j] = 0x20 + (bytes[j] % 0x5f)
      return bytes
    }
    if (roll < 55) {
      const fin = random.below(3) !== 0
      const opcode = open ? 0 : 1 + random.below(2)
      frames.push(frame({ opcode, fin, payload: payload(random.below(300)), ...mask }))
      open = !fin
    } else if (roll < 75) {
      frames.push(frame({ opcode: 9 + random.below(2), payload: payload(random.below(126)), ...mask }))
    } else if (roll < 80) {
      const code = [1000, 1001, 1005, 3000, 999, 4999][random.below(6)] as number
      frames.push(
        frame({
          opcode: 8,
          payload: code === 1005 ? new Uint8Array(0) : Uint8Array.of(code >> 8, code & 0xff),
          ...mask,
        }),
      )
    } else if (roll < 90) {
      // Something invalid: a reserved opcode, an RSV bit, a stray continuation, a bad UTF-8 byte.
      const kind = random.below(4)
      if (kind === 0) frames.push(frame({ opcode: 3 + random.below(5), ...mask }))
      else if (kind === 1) frames.push(frame({ opcode: 2, rsv: 1 + random.below(7), ...mask }))
      else if (kind === 2) frames.push(frame({ opcode: 0, payload: payload(3), ...mask }))
      else frames.push(frame({ opcode: open ? 0 : 1, payload: Uint8Array.of(0x41, 0xc0, 0x41), ...mask }))
    } else {
      // Random garbage bytes.
      frames.push(random.bytes(1 + random.below(20)))
    }
  }
  return concat(...frames)
}

const property = suite('chunking invariance')

for (const [name, options, masked] of [
  ['server', { role: 'server' }, true],
  ['client', { role: 'client' }, false],
  ['server with fragment events', { role: 'server', messageFragments: true }, true],
] as [string, ConnectionOptions, boolean][]) {
  property(`${name}: 300 random streams give the same events in every chunking, with and without EOF`, () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = new Random(seed)
      const stream = randomStream(random, masked)
      const eof = seed % 2 === 0
      const variants = chunkings(stream, 3)
      const reference = run(options, variants[0] as Uint8Array[], eof)
      for (const pieces of variants) {
        const result = run(options, pieces, eof)
        assert.equal(plain(result.events), plain(reference.events), `seed ${seed}`)
        assert.is(hex(result.output), hex(reference.output), `seed ${seed}`)
      }
      // Exactly one closed event, last, whenever the connection ended.
      const closed = reference.events.filter((event) => event.type === 'closed')
      assert.ok(closed.length <= 1)
      if (eof) assert.is(closed.length, 1, `seed ${seed}`)
      if (closed.length === 1) assert.is(reference.events[reference.events.length - 1]?.type, 'closed')
    }
  })
}

property.run()
