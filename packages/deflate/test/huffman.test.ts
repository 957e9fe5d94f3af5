import { inflateRawSync } from 'node:zlib'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import { BitWriter } from '../src/bit-writer.ts'
import { BlockWriter } from '../src/block-writer.ts'
import { buildCodeLengths, buildCodes } from '../src/huffman.ts'
import { equalBytes } from './streams.ts'

/** Sum of 2^-length over the codes, times 2^limit: 2^limit for a complete code. */
function kraft(lengths: Uint8Array, limit: number): number {
  let total = 0
  for (const length of lengths) if (length > 0) total += 2 ** (limit - length)
  return total
}

test('code lengths respect the limit and form a complete code, even for Fibonacci frequencies', () => {
  const fibonacci = new Uint32Array(30)
  fibonacci[0] = 1
  fibonacci[1] = 1
  for (let i = 2; i < 30; i++) fibonacci[i] = (fibonacci[i - 1] as number) + (fibonacci[i - 2] as number)
  for (const limit of [7, 9, 15]) {
    const lengths = new Uint8Array(30)
    buildCodeLengths(fibonacci, 30, limit, lengths)
    assert.ok(Math.max(...lengths) <= limit, `limit ${limit}: ${lengths}`)
    assert.is(kraft(lengths, limit), 2 ** limit)
  }
  // Unlimited by the cap, a Fibonacci code is as deep as the number of symbols.
  const deep = new Uint8Array(30)
  buildCodeLengths(fibonacci.subarray(0, 16), 16, 15, deep)
  assert.is(Math.max(...deep), 15)
})

test('random frequencies: complete codes, rarer symbols never get shorter codes', () => {
  const random = new Random(5)
  for (let round = 0; round < 300; round++) {
    const count = 2 + random.below(285)
    const frequencies = new Uint16Array(count)
    for (let i = 0; i < count; i++)
      frequencies[i] = random.below(4) === 0 ? 0 : 1 + random.below(random.below(2) ? 30 : 30000)
    const lengths = new Uint8Array(count)
    const largest = buildCodeLengths(frequencies, count, 15, lengths)
    const used = lengths.filter((length) => length > 0).length
    assert.ok(used >= 2)
    assert.is(kraft(lengths, 15), 2 ** 15)
    let last = count - 1
    while (lengths[last] === 0) last--
    assert.is(largest, last)
    for (let a = 0; a < count; a++) {
      for (let b = 0; b < count; b++) {
        if ((frequencies[a] as number) > (frequencies[b] as number) && frequencies[b] !== 0) {
          assert.ok((lengths[a] as number) <= (lengths[b] as number))
        }
      }
    }
  }
})

test('zero or one used symbol still gives two one-bit codes', () => {
  const lengths = new Uint8Array(30)
  assert.is(buildCodeLengths(new Uint16Array(30), 30, 15, lengths), 1)
  assert.equal([...lengths.subarray(0, 3)], [1, 1, 0])
  const one = new Uint16Array(30)
  one[0] = 7
  assert.is(buildCodeLengths(one, 30, 15, lengths), 1)
  assert.equal([...lengths.subarray(0, 3)], [1, 1, 0])
  one[0] = 0
  one[9] = 3
  assert.is(buildCodeLengths(one, 30, 15, lengths), 9)
  assert.is(lengths[0], 1)
  assert.is(lengths[9], 1)
})

test('canonical codes are bit-reversed, in symbol order within a length (RFC 1951 3.2.2 example)', () => {
  // The RFC's example: lengths (3, 3, 3, 3, 3, 2, 4, 4) give F=00, A=010 ... G=1110, H=1111.
  const lengths = Uint8Array.of(3, 3, 3, 3, 3, 2, 4, 4)
  const codes = new Uint16Array(8)
  buildCodes(lengths, 8, codes)
  const reverse = (code: number, length: number): string =>
    code.toString(2).padStart(length, '0').split('').reverse().join('')
  assert.equal(
    [...codes].map((code, i) => reverse(code, lengths[i] as number)),
    ['010', '011', '100', '101', '110', '00', '1110', '1111'],
  )
})

test('a stored block range longer than 65535 bytes is split into several stored blocks', () => {
  const data = new Random(6).bytes(150000)
  const writer = new BitWriter()
  new BlockWriter().writeBlock(
    writer,
    {
      distances: new Uint16Array(0),
      values: new Uint8Array(0),
      count: 0,
      literalFrequencies: new Uint16Array(286),
      distanceFrequencies: new Uint16Array(30),
    },
    data,
    0,
    data.length,
    true,
    true,
  )
  writer.alignToByte()
  const stream = writer.take()
  assert.is(stream.length, data.length + 3 * 5)
  assert.ok(equalBytes(inflateRawSync(stream), data))
})

test.run()
