import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LineSplitter } from '../src/lines.ts'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

function split(chunks: Uint8Array[]): string[] {
  const splitter = new LineSplitter()
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()]
}

test('lines end at \\n or \\r\\n, keep empty lines, and the last line needs no newline', () => {
  assert.equal(split([bytes('a\nb\r\n\nc')]), ['a', 'b', '', 'c'])
  assert.equal(split([bytes('a\n')]), ['a'])
  assert.equal(split([bytes('')]), [])
  assert.equal(split([bytes('a\r')]), ['a'])
  assert.equal(split([bytes('a\rb\n')]), ['a\rb'])
})

test('any chunking gives the same lines, including UTF-8 split inside a character and \\r\\n split', () => {
  const input = bytes('héllo wörld\r\n€uro\n\n𝄞 clef\r\nlast')
  const whole = split([input])
  assert.equal(whole, ['héllo wörld', '€uro', '', '𝄞 clef', 'last'])
  for (let size = 1; size <= 7; size++) {
    const chunks: Uint8Array[] = []
    for (let i = 0; i < input.length; i += size) chunks.push(input.subarray(i, i + size))
    assert.equal(split(chunks), whole, `chunks of ${size}`)
  }
})

test('invalid UTF-8 becomes U+FFFD rather than failing', () => {
  assert.equal(split([new Uint8Array([0x61, 0xff, 0x0a, 0xe2, 0x82])]), ['a\ufffd', '\ufffd'])
})

test.run()
