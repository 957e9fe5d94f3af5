import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import { isValidUtf8, Utf8Validator } from '../src/index.ts'
import { closedEvent, frame, fromHex, runAllChunkings } from './wire.ts'

/** Independent truth: the WHATWG decoder in fatal mode. */
const strict = new TextDecoder('utf-8', { fatal: true })
const reference = (bytes: Uint8Array): boolean => {
  try {
    strict.decode(bytes)
    return true
  } catch {
    return false
  }
}

const cases = suite('RFC 3629 cases (Autobahn 6.x families)')

const VALID = [
  '',
  '00',
  '7f',
  'c280',
  'dfbf',
  'e0a080',
  'efbfbf',
  'f0908080',
  'f48fbfbf',
  'ed9fbf',
  'ee8080',
  'efbfbd',
  'cebae1bdb9cf83cebcceb5',
  'efbfbe',
  'efbfbf',
  'f09fbfbe',
  'f48fbfbe',
  'efbbbf',
]
const INVALID = [
  '80',
  'bf',
  '80bf',
  'c0af',
  'c1bf',
  'e080af',
  'e09fbf',
  'f08080af',
  'f08fbfbf',
  'f4908080',
  'f5808080',
  'f7bfbfbf',
  'f888808080',
  'fc8480808080',
  'fe',
  'ff',
  'fefeffff',
  'eda080',
  'edbfbf',
  'eda080edb080',
  'c020',
  'e020',
  'f020',
  'c2',
  'e0a0',
  'f09080',
  'cebae1bd',
  'c080',
  'e08080',
]

cases('valid sequences, including non-characters and a BOM', () => {
  for (const text of VALID) {
    assert.ok(isValidUtf8(fromHex(text)), text)
    assert.ok(reference(fromHex(text)), `reference disagrees on ${text}`)
  }
})

cases('overlongs, surrogates, beyond U+10FFFF, bad lead bytes and truncations', () => {
  for (const text of INVALID) {
    assert.not.ok(isValidUtf8(fromHex(text)), text)
    assert.not.ok(reference(fromHex(text)), `reference disagrees on ${text}`)
  }
})

cases(
  'every 1- and 2-byte sequence and every 3-byte sequence with a valid lead agrees with TextDecoder',
  () => {
    const buffer = new Uint8Array(3)
    for (let a = 0; a < 256; a++) {
      assert.is(isValidUtf8(buffer.subarray(0, 1).fill(a)), reference(Uint8Array.of(a)), `${a}`)
      for (let b = 0; b < 256; b++) {
        const two = Uint8Array.of(a, b)
        assert.is(isValidUtf8(two), reference(two), `${a} ${b}`)
      }
    }
    for (let a = 0xe0; a < 0xf5; a++) {
      for (let b = 0x70; b < 0xd0; b++) {
        for (let c = 0x70; c < 0xd0; c += 3) {
          const three = Uint8Array.of(a, b, c)
          assert.is(isValidUtf8(three), reference(three), `${a} ${b} ${c}`)
        }
      }
    }
  },
)

cases('every code point encodes to valid UTF-8; every surrogate does not', () => {
  for (let code = 0; code <= 0x10ffff; code += code < 0x10000 ? 1 : 17) {
    const bytes = Buffer.from(String.fromCodePoint(code), 'utf8')
    if (code >= 0xd800 && code <= 0xdfff) continue
    assert.ok(isValidUtf8(bytes), code.toString(16))
  }
  for (let code = 0xd800; code <= 0xdfff; code++) {
    const bytes = Uint8Array.of(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f))
    assert.not.ok(isValidUtf8(bytes), code.toString(16))
  }
})

const streaming = suite('streaming validation')

streaming('random byte strings (mostly near-valid) agree with TextDecoder, in any split', () => {
  const random = new Random(2024)
  for (let round = 0; round < 3000; round++) {
    const text = String.fromCodePoint(
      ...Array.from({ length: random.below(12) }, () => {
        const kind = random.below(4)
        return kind === 0
          ? random.below(0x80)
          : kind === 1
            ? 0x80 + random.below(0x780)
            : kind === 2
              ? 0xe000 + random.below(0x1000)
              : 0x10000 + random.below(0x100000)
      }),
    )
    const bytes = new Uint8Array(Buffer.from(text, 'utf8'))
    // Corrupt a byte now and then.
    if (bytes.length > 0 && random.below(2) === 0) bytes[random.below(bytes.length)] = random.below(256)
    const expected = reference(bytes)
    assert.is(isValidUtf8(bytes), expected, Buffer.from(bytes).toString('hex'))
    const validator = new Utf8Validator()
    let ok = true
    for (const piece of random.chunks(bytes, 3)) if (validator.push(piece) >= 0) ok = false
    assert.is(ok && validator.complete(), expected, `split ${Buffer.from(bytes).toString('hex')}`)
  }
})

streaming('push reports the index of the first bad byte within the piece', () => {
  const validator = new Utf8Validator()
  assert.is(validator.push(fromHex('cebae1')), -1)
  assert.is(validator.complete(), false)
  assert.is(validator.push(fromHex('bdb9 41 ff 41')), 3)
  // Once rejected, it stays rejected.
  assert.is(validator.push(fromHex('41')), 0)
  validator.reset()
  assert.is(validator.push(fromHex('41')), -1)
  assert.is(validator.complete(), true)
})

streaming('long ASCII runs and multi-byte text', () => {
  assert.ok(isValidUtf8(new Uint8Array(100000).fill(0x41)))
  assert.ok(isValidUtf8(Buffer.from('żółć '.repeat(10000), 'utf8')))
})

const onTheWire = suite('text messages on the wire: every path to 1007')

onTheWire(
  'a message cut inside a sequence: 1007 whole, byte by byte, as fragments and as fragment events',
  () => {
    const mask = [9, 8, 7, 6]
    const cut = fromHex('48c3') // 'H' and the first byte of a two-byte sequence
    for (const messageFragments of [false, true]) {
      for (const stream of [
        frame({ opcode: 1, mask, payload: cut }),
        Uint8Array.from([
          ...frame({ opcode: 1, fin: false, mask, payload: cut.subarray(0, 1) }),
          ...frame({ opcode: 0, mask, payload: cut.subarray(1) }),
        ]),
      ]) {
        const { events } = runAllChunkings({ role: 'server', messageFragments }, stream)
        const closed = closedEvent(events)
        assert.is(closed.code, 1007)
        assert.is(closed.error?.code, 'WS_ERR_INVALID_UTF8')
      }
    }
    // The same bytes completed are fine, in every mode.
    for (const messageFragments of [false, true]) {
      const { events } = runAllChunkings(
        { role: 'server', messageFragments },
        frame({ opcode: 1, mask, payload: fromHex('48c3a9') }),
      )
      assert.is(events.length, 1)
    }
  },
)

onTheWire('a failure in the middle of a sequence drops the partial text: 1002, not 1007', () => {
  const mask = [1, 2, 3, 4]
  // A text fragment that ends inside a sequence, then a reserved opcode: 1002, not 1007.
  const { events } = runAllChunkings(
    { role: 'server' },
    Uint8Array.from([
      ...frame({ opcode: 1, fin: false, mask, payload: fromHex('41c3') }),
      ...frame({ opcode: 3, mask }),
    ]),
  )
  assert.is(closedEvent(events).code, 1002)
})

cases.run()
streaming.run()
onTheWire.run()
