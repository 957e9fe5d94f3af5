import { createHash } from 'node:crypto'
import { runInNewContext } from 'node:vm'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { base64Encode, SHA1_BLOCK_LENGTH, SHA1_DIGEST_LENGTH, Sha1, sha1 } from '../src/index.ts'
import { Random } from './random.ts'

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text)
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
const nodeSha1 = (data: Uint8Array): string => createHash('sha1').update(data).digest('hex')

// Vectors from FIPS 180-4's examples (csrc.nist.gov "SHA1.pdf") and RFC 3174 section 7.3.
const vectors: Array<[string, Uint8Array, string]> = [
  ['empty input', new Uint8Array(0), 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ["one block, 'abc'", ascii('abc'), 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  [
    'two blocks, the 448-bit message',
    ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
  ],
  [
    'the 896-bit message',
    ascii(
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    ),
    'a49b2446a02c645bf419f995b67091253a04a259',
  ],
  ['RFC 3174 test 4', ascii('01234567'.repeat(80)), 'dea356a2cddd90c7a7ecedc5ebb563934f460452'],
  ["one million 'a'", new Uint8Array(1_000_000).fill(0x61), '34aa973cd4c4daa4f61eeb2bdbad27316534016f'],
]

for (const [name, input, expected] of vectors) {
  test(`FIPS 180-4 vector: ${name} (one-shot)`, () => {
    assert.is(hex(sha1(input)), expected)
  })
  test(`FIPS 180-4 vector: ${name} (one byte at a time)`, () => {
    const hasher = Sha1.create()
    for (let i = 0; i < input.length; i++) hasher.update(input.subarray(i, i + 1))
    assert.is(hex(hasher.digest()), expected)
  })
}

test("one million 'a' fed as 1,000 updates of 1,000 bytes, as RFC 3174 does", () => {
  const hasher = new Sha1()
  const thousand = new Uint8Array(1000).fill(0x61)
  for (let i = 0; i < 1000; i++) hasher.update(thousand)
  assert.is(hex(hasher.digest()), '34aa973cd4c4daa4f61eeb2bdbad27316534016f')
})

test('every length 0..300 matches node:crypto', () => {
  const random = new Random(300)
  for (let length = 0; length <= 300; length++) {
    const data = random.bytes(length)
    assert.is(hex(sha1(data)), nodeSha1(data), `length ${length}`)
  }
})

test('random inputs in random chunkings match node:crypto (seeded)', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const random = new Random(seed)
    const data = random.bytes(random.below(5000))
    const hasher = new Sha1()
    for (const piece of random.chunks(data, 1 + random.below(200))) hasher.update(piece)
    assert.is(hex(hasher.digest()), nodeSha1(data), `seed ${seed}, length ${data.length}`)
  }
})

test('every cut of a 3-block message into two updates gives the same digest', () => {
  const data = new Random(7).bytes(3 * SHA1_BLOCK_LENGTH + 5)
  const expected = nodeSha1(data)
  for (let cut = 0; cut <= data.length; cut++) {
    const digest = new Sha1().update(data.subarray(0, cut)).update(data.subarray(cut)).digest()
    assert.is(hex(digest), expected, `cut at ${cut}`)
  }
})

test('views with a non-zero byteOffset hash only the bytes they show', () => {
  const random = new Random(11)
  const backing = random.bytes(1000)
  for (let start = 0; start < 70; start++) {
    const view = backing.subarray(start, start + 200 + start)
    assert.is(hex(sha1(view)), nodeSha1(view), `offset ${start}`)
  }
})

test('input bytes are never modified', () => {
  const data = new Random(3).bytes(777)
  const copy = data.slice()
  const hasher = new Sha1()
  hasher.update(data.subarray(0, 10)).update(data.subarray(10))
  hasher.digest()
  sha1(data)
  assert.equal(data, copy)
})

test('message length above 2^32 bits (more than 512 MiB) is encoded correctly', () => {
  const chunk = new Uint8Array(1 << 20).fill(0x5a)
  const ours = new Sha1()
  const theirs = createHash('sha1')
  for (let i = 0; i < 513; i++) {
    ours.update(chunk)
    theirs.update(chunk)
  }
  const tail = new Uint8Array(3).fill(0x01)
  ours.update(tail)
  theirs.update(tail)
  assert.is(hex(ours.digest()), theirs.digest('hex'))
})

test('digest is 20 bytes and the block size is 64', () => {
  assert.is(SHA1_DIGEST_LENGTH, 20)
  assert.is(SHA1_BLOCK_LENGTH, 64)
  assert.is(sha1(ascii('x')).length, 20)
})

test('two hashers interleaved do not disturb each other', () => {
  const random = new Random(5)
  const a = random.bytes(1000)
  const b = random.bytes(1000)
  const ha = new Sha1()
  const hb = new Sha1()
  for (let i = 0; i < 1000; i += 100) {
    ha.update(a.subarray(i, i + 100))
    hb.update(b.subarray(i, i + 100))
  }
  assert.is(hex(ha.digest()), nodeSha1(a))
  assert.is(hex(hb.digest()), nodeSha1(b))
})

test('update or digest after digest throws a clear error', () => {
  const hasher = new Sha1().update(ascii('abc'))
  hasher.digest()
  assert.throws(() => hasher.update(ascii('more')), /digest was already taken/)
  assert.throws(() => hasher.digest(), /digest was already taken/)
})

test('anything but a Uint8Array is refused with a TypeError', () => {
  const bad: unknown[] = [16, '16', null, undefined, {}, [1, 2, 3], new Uint16Array(4), new ArrayBuffer(4)]
  for (const value of bad) {
    assert.throws(
      () => sha1(value as Uint8Array),
      (error: unknown) => error instanceof TypeError && /must be a Uint8Array/.test(String(error)),
      `sha1(${String(value)})`,
    )
  }
  assert.throws(() => sha1(Object.create(null) as Uint8Array), /got object/)
})

test('a Buffer and a Uint8Array from another realm are accepted', () => {
  const buffer = Buffer.from('abc')
  assert.is(hex(sha1(buffer)), 'a9993e364706816aba3e25717850c26c9cd0d89d')
  const foreign = runInNewContext('new Uint8Array([97, 98, 99])') as Uint8Array
  assert.not.ok(foreign instanceof Uint8Array)
  assert.is(hex(sha1(foreign)), 'a9993e364706816aba3e25717850c26c9cd0d89d')
})

test('RFC 6455 section 1.3: the example key gives the accept value the RFC prints', () => {
  const key = 'dGhlIHNhbXBsZSBub25jZQ=='
  const accept = base64Encode(sha1(ascii(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)))
  assert.is(accept, 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
})

test.run()
