import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Base64Error, type Base64ErrorCode, base64Decode, base64Encode } from '../src/index.ts'
import { Random } from './random.ts'

/** Buffer's decoding as a plain Uint8Array, so deep equality compares bytes only. */
const nodeDecode = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'))

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

function expectError(text: string, code: Base64ErrorCode, position: number): void {
  try {
    base64Decode(text)
  } catch (error) {
    assert.instance(error, Base64Error, JSON.stringify(text))
    const e = error as Base64Error
    assert.is(e.code, code, JSON.stringify(text))
    assert.is(e.position, position, JSON.stringify(text))
    assert.is(e.name, 'Base64Error')
    assert.ok(e.message.startsWith('base64: '))
    return
  }
  assert.unreachable(`${JSON.stringify(text)} was accepted`)
}

test('RFC 4648 section 10 test vectors', () => {
  const vectors: Array<[string, string]> = [
    ['', ''],
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='],
    ['foobar', 'Zm9vYmFy'],
  ]
  for (const [plain, encoded] of vectors) {
    const bytes = new TextEncoder().encode(plain)
    assert.is(base64Encode(bytes), encoded)
    assert.equal(base64Decode(encoded), bytes)
  }
})

test("every length 0..300 round-trips and matches Buffer's encoding", () => {
  const random = new Random(42)
  for (let length = 0; length <= 300; length++) {
    const data = random.bytes(length)
    const encoded = base64Encode(data)
    assert.is(encoded, Buffer.from(data).toString('base64'), `length ${length}`)
    assert.equal(base64Decode(encoded), data, `length ${length}`)
  }
})

test('every byte value in every position of a 3-byte group encodes as Buffer does', () => {
  for (let value = 0; value < 256; value++) {
    for (const data of [[value], [0, value], [0, 0, value], [value, 255, value]]) {
      const bytes = Uint8Array.from(data)
      const encoded = base64Encode(bytes)
      assert.is(encoded, Buffer.from(bytes).toString('base64'))
      assert.equal(base64Decode(encoded), bytes)
    }
  }
})

test('a 1 MiB input (several string slices) matches Buffer both ways', () => {
  const data = new Random(9).bytes((1 << 20) + 1)
  const encoded = base64Encode(data)
  assert.is(encoded, Buffer.from(data).toString('base64'))
  assert.equal(base64Decode(encoded), data)
})

test('views with a non-zero byteOffset encode only the bytes they show', () => {
  const backing = new Random(1).bytes(100)
  const view = backing.subarray(7, 50)
  assert.is(base64Encode(view), Buffer.from(view).toString('base64'))
})

test('a length that is not a multiple of 4 is refused', () => {
  for (const text of ['A', 'AB', 'ABC', 'ABCDE', 'Zm9vYg=', 'Zm9vYg', 'Zm9v=', 'dGhlIHNhbXBsZSBub25jZQ=']) {
    expectError(text, 'BASE64_INVALID_LENGTH', text.length)
  }
})

test('characters outside the standard alphabet are refused with their position', () => {
  const cases: Array<[string, number]> = [
    ['Zm9-', 3],
    ['Zm9_', 3],
    ['Zm 9', 2],
    ['Zm9v\nYmF', 4],
    ['Zm9v\r\nYg', 4],
    ['\u0000AAA', 0],
    ['AAA\u00e9', 3],
    ['AA\u{1F600}', 2],
    ['AAAA.AAA', 4],
  ]
  for (const [text, position] of cases) expectError(text, 'BASE64_INVALID_CHARACTER', position)
})

test('the error message names the character, printable or not', () => {
  assert.throws(() => base64Decode('Zm9-'), /character '-' at index 3/)
  assert.throws(() => base64Decode('Zm9\u00e9'), /character U\+00E9 at index 3/)
  assert.throws(() => base64Decode('Zm9\t'), /character U\+0009 at index 3/)
})

test('every single character code below 0x300 is accepted exactly when it is in the alphabet', () => {
  for (let code = 0; code < 0x300; code++) {
    const character = String.fromCharCode(code)
    const text = `${character}AAA`
    if (ALPHABET.includes(character)) {
      assert.equal(base64Decode(text), nodeDecode(text))
    } else if (character === '=') {
      expectError(text, 'BASE64_INVALID_PADDING', 0)
    } else {
      expectError(text, 'BASE64_INVALID_CHARACTER', 0)
    }
  }
})

test("'=' anywhere but the final one or two characters is refused", () => {
  const cases: Array<[string, number]> = [
    ['====', 0],
    ['A===', 1],
    ['AB=C', 2],
    ['=ABC', 0],
    ['Zg==Zg==', 2],
    ['Zm8=Zm8=', 3],
  ]
  for (const [text, position] of cases) expectError(text, 'BASE64_INVALID_PADDING', position)
})

test('padding is refused when its unused bits are not zero (every final group checked)', () => {
  // A final group decodes when, and only when, re-encoding what Buffer makes of it gives it back.
  let accepted = 0
  for (const first of ALPHABET) {
    for (const second of ALPHABET) {
      const two = `AAAA${first}${second}==`
      if (Buffer.from(Buffer.from(two, 'base64')).toString('base64') === two) {
        assert.equal(base64Decode(two), nodeDecode(two))
        accepted++
      } else {
        expectError(two, 'BASE64_INVALID_PADDING', 5)
      }
      for (const third of ALPHABET) {
        const three = `${first}${second}${third}=`
        if (Buffer.from(Buffer.from(three, 'base64')).toString('base64') === three) {
          assert.equal(base64Decode(three), nodeDecode(three))
          accepted++
        } else {
          expectError(three, 'BASE64_INVALID_PADDING', 2)
        }
      }
    }
  }
  // 64 * 4 two-character groups and 64 * 64 * 16 three-character groups are canonical.
  assert.is(accepted, 64 * 4 + 64 * 64 * 16)
})

test('a WebSocket key decodes to 16 bytes', () => {
  assert.is(base64Decode('dGhlIHNhbXBsZSBub25jZQ==').length, 16)
  assert.is(new TextDecoder().decode(base64Decode('dGhlIHNhbXBsZSBub25jZQ==')), 'the sample nonce')
})

test('wrong argument types are refused with a TypeError', () => {
  assert.throws(() => base64Encode(3 as unknown as Uint8Array), TypeError)
  assert.throws(() => base64Encode('abc' as unknown as Uint8Array), /must be a Uint8Array, got string/)
  assert.throws(() => base64Encode(new Uint16Array(2) as unknown as Uint8Array), /got Uint16Array/)
  assert.throws(() => base64Decode(null as unknown as string), /text must be a string, got null/)
  assert.throws(() => base64Decode(new Uint8Array(4) as unknown as string), /got object/)
})

test.run()
