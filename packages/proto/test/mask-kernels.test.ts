/**
 * Both masking kernels (WebAssembly SIMD and TypeScript), in place and while copying, against a
 * byte-by-byte XOR written here from RFC 6455 section 5.3, at every alignment of source and
 * target, every key phase, and lengths around each threshold (64, 512) and the kernel's tile size.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import {
  applyMask,
  type MaskingKernel,
  maskCopy,
  maskInPlace,
  maskWord,
  setMaskingKernel,
} from '../src/mask.ts'
import { TILE_BYTES } from '../src/mask-wasm.ts'
import { MessageBuffer } from '../src/message-buffer.ts'
import { concat, throwsKind } from './wire.ts'

/** RFC 6455 section 5.3: octet i of the result is octet i of the input XOR octet (i mod 4) of the key. */
function reference(data: Uint8Array, key: Uint8Array, phase: number): Uint8Array {
  const out = new Uint8Array(data.length)
  for (let i = 0; i < data.length; i++) out[i] = data[i] ^ key[(phase + i) % 4]
  return out
}

const LENGTHS = [
  ...Array.from({ length: 140 }, (_, i) => i),
  255,
  256,
  257,
  511,
  512,
  513,
  515,
  1000,
  1023,
  1024,
  1029,
  4099,
  40003,
  TILE_BYTES - 1,
  TILE_BYTES,
  TILE_BYTES + 1,
  TILE_BYTES + 63,
  2 * TILE_BYTES + 3,
]

const kernels = suite('masking kernels')

kernels('WebAssembly is available here, so both kernels are really tested', () => {
  assert.is(setMaskingKernel('wasm'), 'wasm')
  assert.is(setMaskingKernel('typescript'), 'typescript')
  assert.is(setMaskingKernel('wasm'), 'wasm')
  throwsKind(() => setMaskingKernel('simd' as MaskingKernel), TypeError, /unknown masking kernel/)
})

kernels('maskWord packs the key from the phase on, little-endian', () => {
  const key = Uint8Array.of(0x11, 0x22, 0x33, 0x44)
  assert.is(maskWord(key, 0) >>> 0, 0x44332211)
  assert.is(maskWord(key, 1) >>> 0, 0x11443322)
  assert.is(maskWord(key, 3) >>> 0, 0x33221144)
})

for (const kind of ['wasm', 'typescript'] as const) {
  kernels(`${kind}: in place, every listed length, byte offset 0-3 and key phase 0-3`, () => {
    setMaskingKernel(kind)
    const random = new Random(21)
    const key = random.bytes(4)
    for (const length of LENGTHS) {
      const original = random.bytes(length + 3)
      for (let offset = 0; offset < 4; offset++) {
        for (let phase = 0; phase < 4; phase++) {
          const data = original.slice(0, length + 3).subarray(offset, offset + length)
          const before = data.slice()
          const around = data.buffer.slice(0)
          applyMask(data, key, phase)
          assert.equal(
            data,
            reference(before, key, phase),
            `${kind} length ${length} offset ${offset} phase ${phase}`,
          )
          // Nothing outside the view changed.
          const all = new Uint8Array(data.buffer)
          const was = new Uint8Array(around)
          for (let i = 0; i < all.length; i++) {
            if (i < offset || i >= offset + length) assert.is(all[i], was[i], `byte ${i} outside the view`)
          }
        }
      }
    }
    setMaskingKernel('wasm')
  })

  kernels(`${kind}: copying, every source and target alignment, key phase 0-3`, () => {
    setMaskingKernel(kind)
    const random = new Random(22)
    const key = random.bytes(4)
    for (const length of LENGTHS) {
      const source = random.bytes(length + 3)
      for (let from = 0; from < 4; from++) {
        for (let to = 0; to < 4; to++) {
          const phase = (from + to + length) & 3
          const input = source.subarray(from, from + length)
          const untouched = input.slice()
          const target = random.bytes(length + 8)
          const expected = target.slice()
          expected.set(reference(input, key, phase), to + 1)
          maskCopy(input, maskWord(key, phase), target.subarray(1), to)
          assert.equal(target, expected, `${kind} length ${length} from ${from} to ${to}`)
          assert.equal(input, untouched, 'the source is left alone')
        }
      }
    }
    setMaskingKernel('wasm')
  })

  kernels(`${kind}: a 1 MiB payload in random pieces, phase carried, equals one pass`, () => {
    setMaskingKernel(kind)
    const random = new Random(23)
    const original = random.bytes((1 << 20) + 5)
    const key = random.bytes(4)
    const expected = reference(original, key, 2)
    const inPlace = original.slice()
    const copied = new Uint8Array(original.length)
    let phase = 2
    let offset = 0
    for (const piece of random.chunks(inPlace, 70000)) {
      maskCopy(piece, maskWord(key, phase), copied, offset)
      maskInPlace(piece, maskWord(key, phase))
      phase = (phase + piece.length) & 3
      offset += piece.length
    }
    assert.equal(inPlace, expected)
    assert.equal(copied, expected)
    setMaskingKernel('wasm')
  })
}

kernels('without WebAssembly, or when it refuses to compile, the TypeScript kernel does the work', () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebAssembly') as PropertyDescriptor
  const key = Uint8Array.of(1, 2, 3, 4)
  const data = new Random(24).bytes(5000)
  try {
    for (const replacement of [
      undefined,
      {
        Module: class {
          constructor() {
            throw new Error('refused by policy')
          }
        },
      },
    ]) {
      Object.defineProperty(globalThis, 'WebAssembly', {
        value: replacement,
        configurable: true,
        writable: true,
      })
      setMaskingKernel('typescript')
      assert.is(setMaskingKernel('wasm'), 'typescript')
      const masked = data.slice()
      applyMask(masked, key, 1)
      assert.equal(masked, reference(data, key, 1))
    }
  } finally {
    Object.defineProperty(globalThis, 'WebAssembly', saved)
    setMaskingKernel('typescript')
  }
  assert.is(setMaskingKernel('wasm'), 'wasm')
})

const buffer = suite('MessageBuffer with masked pieces')

for (const kind of ['wasm', 'typescript'] as const) {
  buffer(`${kind}: any mix of masked and plain pieces joins to the unmasked concatenation`, () => {
    setMaskingKernel(kind)
    const random = new Random(31)
    for (let round = 0; round < 300; round++) {
      const allocated: Uint8Array[] = []
      const collector = new MessageBuffer((size) => {
        const bytes = new Uint8Array(size + 3).fill(0xee).subarray(random.below(4)).subarray(0, size)
        allocated.push(bytes)
        return bytes
      })
      const plain: Uint8Array[] = []
      const pieces: [Uint8Array, Uint8Array][] = []
      for (let i = random.below(25); i > 0; i--) {
        const size = [
          random.below(40),
          random.below(700),
          1000 + random.below(3000),
          16000 + random.below(3000),
        ][random.below(4)] as number
        const data = random.bytes(size)
        plain.push(data)
        const key = random.bytes(4)
        const phase = random.below(4)
        const onWire = random.below(4) === 0 ? data : reference(data, key, phase)
        const piece = onWire.slice()
        pieces.push([piece, onWire])
        if (onWire === data) collector.push(piece)
        else collector.pushMasked(piece, maskWord(key, phase))
      }
      const joined = collector.finish()
      assert.equal(joined, concat(...plain), `round ${round}`)
      if (pieces.length >= 2) {
        // Every piece was copied and unmasked on the way; none was changed.
        for (const [piece, onWire] of pieces) assert.equal(piece, onWire)
        assert.is(allocated.length, 1)
        assert.is(joined, allocated[0])
      } else assert.is(allocated.length, 0)
    }
    setMaskingKernel('wasm')
  })
}

buffer('one masked piece is unmasked in place and comes back as the same view', () => {
  const collector = new MessageBuffer(() => {
    throw new Error('no allocation for one piece')
  })
  const key = Uint8Array.of(9, 8, 7, 6)
  const data = new Random(32).bytes(3000)
  const piece = reference(data, key, 3)
  collector.pushMasked(piece, maskWord(key, 3))
  const out = collector.finish()
  assert.is(out, piece)
  assert.equal(out, data)
})

kernels.run()
buffer.run()
