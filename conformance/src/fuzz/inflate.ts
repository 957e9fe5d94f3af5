/**
 * The inflater target: `@ws/deflate`'s `Inflater` with an output limit, fed raw DEFLATE streams
 * made by node:zlib and by our Deflater (stored, fixed and dynamic blocks, sync flushes, final
 * blocks, bombs), then mutated (block types, BFINAL, stored lengths, bytes, splices).
 */
import { constants, deflateRawSync } from 'node:zlib'
import { DeflateError, Deflater, Inflater } from '@ws/deflate'
import { type FuzzTarget, type Value, violation } from './check.ts'
import { concat, mutateBytesRepeatedly, utf8Bytes } from './mutate.ts'
import type { Rng } from './rng.ts'

export const INFLATE_CONFIG_BYTES = 1
const OUTPUT_LIMITS = [64 * 1024, 0, 1000, 64 * 1024] as const
const MINIMUM_SLACK = 4096

export interface InflateVariant {
  windowBits: number
  ignoreDataAfterEnd: boolean
  /** Push an empty final chunk at the end (the stream must have ended). */
  final: boolean
  maxOutput: number
}

export function inflateVariant(config: number): InflateVariant {
  return {
    windowBits: 8 + (config & 7),
    ignoreDataAfterEnd: (config & 8) !== 0,
    final: (config & 16) !== 0,
    maxOutput: OUTPUT_LIMITS[(config >> 5) & 3] as number,
  }
}

const WORDS = ['the ', 'quick ', 'brown ', 'fox ', '{"id":', '12345', '}, ', '\n', 'ws', 'deflate ']

function plainData(rng: Rng): Uint8Array {
  const size = rng.size([0, 100, 4000, 40000])
  switch (rng.int(3)) {
    case 0:
      return rng.bytes(size)
    case 1: {
      const parts: string[] = []
      for (let length = 0; length < size; ) {
        const word = rng.pick(WORDS)
        parts.push(word)
        length += word.length
      }
      return utf8Bytes(parts.join(''))
    }
    default:
      return new Uint8Array(size).fill(rng.int(256))
  }
}

let bombCache: Uint8Array | null = null
/** 1 MiB of zeros in about 1 KiB: inflates far past every output limit. */
function bomb(): Uint8Array {
  bombCache ??= new Uint8Array(deflateRawSync(new Uint8Array(1 << 20), { level: 9 }))
  return bombCache
}

/** A valid raw DEFLATE stream of some kind, for an inflater with `windowBits`. */
export function generateDeflateStream(rng: Rng, windowBits: number): Uint8Array {
  const kind = rng.int(10)
  if (kind === 0) return bomb()
  if (kind < 5) {
    const final = rng.chance(0.7)
    const out = deflateRawSync(plainData(rng), {
      level: rng.range(0, 9),
      windowBits: Math.max(9, rng.chance(0.8) ? windowBits : rng.range(9, 15)),
      memLevel: rng.range(1, 9),
      strategy: rng.pick([
        constants.Z_DEFAULT_STRATEGY,
        constants.Z_FILTERED,
        constants.Z_HUFFMAN_ONLY,
        constants.Z_RLE,
        constants.Z_FIXED,
      ]),
      finishFlush: final ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
    })
    return new Uint8Array(out)
  }
  // Our own compressor: several sync-flushed pieces of one stream, maybe a final block.
  const deflater = new Deflater({ level: rng.range(0, 9), windowBits, memLevel: rng.range(1, 9) })
  const parts: Uint8Array[] = []
  for (let count = rng.range(1, 3); count > 0; count--) {
    deflater.write(plainData(rng))
    if (count > 1 || rng.chance(0.7)) {
      parts.push(deflater.syncFlush())
    } else {
      parts.push(deflater.finish())
    }
  }
  return concat(parts)
}

export const DEFLATE_MUTATIONS = [
  'block-type',
  'bfinal',
  'stored-length',
  'trailing-garbage',
  'bytes',
] as const
export type DeflateMutation = (typeof DEFLATE_MUTATIONS)[number]

/** One mutation that knows the DEFLATE format a little (returns a new array). */
export function mutateDeflate(
  rng: Rng,
  stream: Uint8Array,
  other: Uint8Array,
  kind: DeflateMutation = rng.pick(DEFLATE_MUTATIONS),
): Uint8Array {
  const out = stream.slice()
  switch (kind) {
    case 'block-type':
      // The first block header: BTYPE is bits 1-2 of the first byte.
      if (out.length > 0) out[0] = ((out[0] as number) & ~6) | (rng.int(4) << 1)
      return out
    case 'bfinal':
      if (out.length > 0) out[0] = (out[0] as number) ^ 1
      return out
    case 'stored-length': {
      // A stored block with LEN and NLEN that may not match, and fewer bytes than LEN.
      const length = rng.int(0x10000)
      const nlen = rng.chance(0.5) ? ~length & 0xffff : rng.int(0x10000)
      const block = Uint8Array.of(rng.int(2), length & 0xff, length >> 8, nlen & 0xff, nlen >> 8)
      return concat([out, block, rng.bytes(rng.size([0, 64, 1024]))])
    }
    case 'trailing-garbage':
      return concat([out, rng.bytes(rng.range(1, 32))])
    case 'bytes':
      return mutateBytesRepeatedly(rng, out, 0, other)
  }
}

/** The part of `Inflater` the target uses (a test passes a faulty one to see the checks fail). */
export type InflaterLike = Pick<Inflater, 'push' | 'totalOut' | 'finished' | 'atBlockBoundary' | 'reset'>

export function createInflaterTarget(
  makeInflater: (options: ConstructorParameters<typeof Inflater>[0] & object) => InflaterLike = (options) =>
    new Inflater(options),
): FuzzTarget {
  return {
    name: 'inflater',
    generate(rng: Rng): Uint8Array {
      const config = rng.bytes(INFLATE_CONFIG_BYTES)
      if (rng.chance(0.1)) return concat([config, rng.bytes(rng.size([16, 256, 4096]))])
      const { windowBits } = inflateVariant(config[0] as number)
      let stream = generateDeflateStream(rng, windowBits)
      if (rng.chance(0.7)) {
        const other = generateDeflateStream(rng, windowBits)
        for (let count = rng.range(1, 3); count > 0; count--) stream = mutateDeflate(rng, stream, other)
      }
      return concat([config, stream])
    },
    run(input: Uint8Array, cuts: readonly number[]): Value {
      const variant = inflateVariant(input[0] ?? 0)
      const inflater = makeInflater({
        windowBits: variant.windowBits,
        maxOutput: variant.maxOutput,
        ignoreDataAfterEnd: variant.ignoreDataAfterEnd,
      })
      // Output is handed out in chunks of at most the window plus its slack.
      const window = 1 << variant.windowBits
      const maxChunk = window + Math.max(window, MINIMUM_SLACK)
      const output: Uint8Array[] = []
      let total = 0
      const push = (chunk: Uint8Array, final: boolean): void => {
        for (const piece of inflater.push(chunk, final)) {
          if (piece.length > maxChunk)
            violation(`an output chunk of ${piece.length} bytes (bound ${maxChunk})`)
          total += piece.length
          output.push(piece)
        }
        if (total > variant.maxOutput)
          violation(`${total} bytes of output over the ${variant.maxOutput}-byte limit`)
      }
      let error: DeflateError | null = null
      try {
        let start = Math.min(INFLATE_CONFIG_BYTES, input.length)
        for (const cut of cuts) {
          if (cut > start) {
            push(input.subarray(start, cut), false)
            start = cut
          }
        }
        push(input.subarray(start), false)
        if (variant.final) push(new Uint8Array(0), true)
      } catch (caught) {
        if (!(caught instanceof DeflateError)) throw caught
        error = caught
      }
      if (error === null) {
        if (inflater.totalOut !== total) violation(`totalOut ${inflater.totalOut}, ${total} bytes handed out`)
        return {
          output: concat(output),
          finished: inflater.finished,
          atBlockBoundary: inflater.atBlockBoundary,
        }
      }
      // Output handed out before the failing push depends on the chunking; what failed does not.
      if (inflater.totalOut > variant.maxOutput) violation(`totalOut ${inflater.totalOut} over the limit`)
      let again: unknown = null
      try {
        inflater.push(new Uint8Array(0))
      } catch (caught) {
        again = caught
      }
      if (again !== error) violation('a failed inflater did not throw the same error again')
      inflater.reset()
      if (variant.maxOutput < 5) return { error: error.code }
      const hello = inflater.push(HELLO, true)
      if (hello.length !== 1 || Buffer.from(hello[0] as Uint8Array).toString() !== 'hello') {
        violation('the inflater does not decode after reset()')
      }
      return { error: error.code }
    },
  }
}

export const inflaterTarget: FuzzTarget = createInflaterTarget()

const HELLO = /* @__PURE__ */ new Uint8Array(deflateRawSync(Buffer.from('hello')))
