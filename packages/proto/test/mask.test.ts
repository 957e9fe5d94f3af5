import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import { applyMask } from '../src/mask.ts'

const naive = (data: Uint8Array, key: Uint8Array, phase: number): Uint8Array =>
  data.map((byte, i) => byte ^ key[(phase + i) & 3])

const mask = suite('5.3 masking')

mask('every length 0..300, every byte alignment and every key phase matches a plain XOR', () => {
  const random = new Random(5)
  const key = random.bytes(4)
  const backing = random.bytes(320)
  for (let length = 0; length <= 300; length++) {
    for (let offset = 0; offset < 4; offset++) {
      for (let phase = 0; phase < 4; phase++) {
        const data = backing.slice().subarray(offset, offset + length)
        const expected = naive(data, key, phase)
        applyMask(data, key, phase)
        assert.equal(data, expected, `length ${length} offset ${offset} phase ${phase}`)
      }
    }
  }
})

mask('masking twice restores the data (round trip), for large buffers too', () => {
  const random = new Random(6)
  for (const length of [1 << 16, (1 << 20) + 3]) {
    const original = random.bytes(length)
    const data = original.slice()
    const key = random.bytes(4)
    applyMask(data, key, 1)
    assert.not.equal(data.subarray(0, 64), original.subarray(0, 64))
    assert.equal(data, naive(original, key, 1))
    applyMask(data, key, 1)
    assert.equal(data, original)
  }
})

mask('a payload unmasked piece by piece, carrying the phase, equals one pass', () => {
  const random = new Random(7)
  for (let round = 0; round < 200; round++) {
    const original = random.bytes(random.below(500))
    const key = random.bytes(4)
    const whole = original.slice()
    applyMask(whole, key, 0)
    const pieces = original.slice()
    let phase = 0
    for (const piece of random.chunks(pieces, 70)) {
      applyMask(piece, key, phase)
      phase = (phase + piece.length) & 3
    }
    assert.equal(pieces, whole)
  }
})

mask.run()
