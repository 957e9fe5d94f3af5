import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import { decodeUtf8Strict, Utf8StreamDecoder } from '../src/web.ts'
import { closedEvent, frame, fromHex, runAllChunkings } from './wire.ts'

// The receiver validates text with the runtime's fatal TextDecoder (whole, or streaming for
// messages in pieces and for fragment events). These tests hold it, in every runtime the suite
// runs in, to the well-formed sequences of RFC 3629 section 4 (Unicode Table 3-7), written out
// below independently of any decoder.
const isValid = (bytes: Uint8Array): boolean => decodeUtf8Strict(bytes) !== null

/** Independent truth: the well-formed UTF-8 byte sequences of RFC 3629 section 4. */
function wellFormed(bytes: Uint8Array): boolean {
  const within = (index: number, low: number, high: number): boolean =>
    index < bytes.length && bytes[index] >= low && bytes[index] <= high
  let i = 0
  while (i < bytes.length) {
    const lead = bytes[i]
    if (lead <= 0x7f) {
      i++
      continue
    }
    let trail: number
    let low = 0x80
    let high = 0xbf
    if (lead >= 0xc2 && lead <= 0xdf) trail = 1
    else if (lead >= 0xe0 && lead <= 0xef) {
      trail = 2
      if (lead === 0xe0) low = 0xa0 // no overlong 3-byte forms
      if (lead === 0xed) high = 0x9f // no surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      trail = 3
      if (lead === 0xf0) low = 0x90 // no overlong 4-byte forms
      if (lead === 0xf4) high = 0x8f // nothing above U+10FFFF
    } else return false
    if (!within(i + 1, low, high)) return false
    for (let k = 2; k <= trail; k++) if (!within(i + k, 0x80, 0xbf)) return false
    i += trail + 1
  }
  return true
}

/** Validates `pieces` as one message the way the receiver does for text in pieces. */
function validInPieces(pieces: Iterable<Uint8Array>): boolean {
  const decoder = new Utf8StreamDecoder(false)
  for (const piece of pieces) if (!decoder.push(piece)) return false
  return decoder.end() === ''
}

const bytesOf = (bytes: Uint8Array): Uint8Array[] => Array.from(bytes, (byte) => Uint8Array.of(byte))

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
    assert.ok(wellFormed(fromHex(text)), `the RFC 3629 reference disagrees on ${text}`)
    assert.ok(isValid(fromHex(text)), text)
    assert.ok(validInPieces(bytesOf(fromHex(text))), `byte by byte: ${text}`)
  }
})

cases('overlongs, surrogates, beyond U+10FFFF, bad lead bytes and truncations', () => {
  for (const text of INVALID) {
    assert.not.ok(wellFormed(fromHex(text)), `the RFC 3629 reference disagrees on ${text}`)
    assert.not.ok(isValid(fromHex(text)), text)
    assert.not.ok(validInPieces(bytesOf(fromHex(text))), `byte by byte: ${text}`)
  }
})

cases('every 1- and 2-byte sequence and every 3-byte sequence with a valid lead agrees with RFC 3629', () => {
  const buffer = new Uint8Array(3)
  for (let a = 0; a < 256; a++) {
    const one = buffer.subarray(0, 1).fill(a)
    assert.is(isValid(one), wellFormed(one), `${a}`)
    for (let b = 0; b < 256; b++) {
      const two = Uint8Array.of(a, b)
      assert.is(isValid(two), wellFormed(two), `${a} ${b}`)
    }
  }
  for (let a = 0xe0; a < 0xf5; a++) {
    for (let b = 0x70; b < 0xd0; b++) {
      for (let c = 0x70; c < 0xd0; c += 3) {
        const three = Uint8Array.of(a, b, c)
        assert.is(isValid(three), wellFormed(three), `${a} ${b} ${c}`)
      }
    }
  }
})

cases('every code point encodes to valid UTF-8; every surrogate does not', () => {
  for (let code = 0; code <= 0x10ffff; code += code < 0x10000 ? 1 : 17) {
    const bytes = Buffer.from(String.fromCodePoint(code), 'utf8')
    if (code >= 0xd800 && code <= 0xdfff) continue
    assert.ok(isValid(bytes), code.toString(16))
  }
  for (let code = 0xd800; code <= 0xdfff; code++) {
    const bytes = Uint8Array.of(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f))
    assert.not.ok(isValid(bytes), code.toString(16))
  }
})

const streaming = suite('streaming validation')

streaming('random byte strings (mostly near-valid) agree with RFC 3629, whole and in any split', () => {
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
    const expected = wellFormed(bytes)
    assert.is(isValid(bytes), expected, Buffer.from(bytes).toString('hex'))
    assert.is(validInPieces(random.chunks(bytes, 3)), expected, `split ${Buffer.from(bytes).toString('hex')}`)
  }
})

streaming('a bad byte fails the piece that holds it; the end finds a message cut inside a sequence', () => {
  const decoder = new Utf8StreamDecoder(false)
  assert.ok(decoder.push(fromHex('cebae1')))
  assert.ok(decoder.push(fromHex('bdb9 41')))
  assert.is(decoder.push(fromHex('41 ff 41')), false)
  decoder.reset()
  assert.ok(decoder.push(fromHex('41 e1 bd')))
  assert.is(decoder.end(), null)
  // Ready for the next message, which decodes in full when text is kept.
  const keeping = new Utf8StreamDecoder()
  assert.ok(keeping.push(fromHex('cebae1')) && keeping.push(fromHex('bdb9cf83cebcceb5')))
  assert.is(keeping.end(), '\u03ba\u1f79\u03c3\u03bc\u03b5') // κόσμε, the word of the Autobahn 6.x cases
  assert.ok(keeping.push(fromHex('41')))
  assert.is(keeping.end(), 'A')
})

streaming('long ASCII runs and multi-byte text', () => {
  assert.ok(isValid(new Uint8Array(100000).fill(0x41)))
  assert.ok(isValid(Buffer.from('żółć '.repeat(10000), 'utf8')))
  assert.ok(validInPieces([new Uint8Array(100000).fill(0x41), Buffer.from('żółć '.repeat(10000), 'utf8')]))
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
