/** Byte-level mutations, shared by every target, and small byte helpers. */
import { concat } from '../bytes.ts'
import type { Rng } from './rng.ts'

export { concat }

const latin1 = new TextDecoder('latin1')
const utf8 = new TextEncoder()

/** Each character becomes one byte (its low 8 bits): for HTTP heads, which are latin1. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let index = 0; index < text.length; index++) out[index] = text.charCodeAt(index)
  return out
}

export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text)
}

export function bytesToLatin1(bytes: Uint8Array): string {
  return latin1.decode(bytes)
}

/** Bytes that often sit on a boundary of some parser's decision. */
const INTERESTING_BYTES = [0x00, 0x01, 0x7e, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x0d, 0x0a, 0x20, 0x3a, 0x22, 0x3b]

/** Big-endian integers at the boundaries of WebSocket length fields (and of 32-bit arithmetic). */
export const BOUNDARY_VALUES: readonly bigint[] = [
  0n,
  1n,
  125n,
  126n,
  127n,
  128n,
  0xffffn,
  0x10000n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x1fffffffffffffn,
  0x20000000000000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  0xffffffffffffffffn,
]

/** Writes `value` big-endian into `width` bytes of `out` at `offset` (cut at the end of `out`). */
export function writeBigEndian(out: Uint8Array, offset: number, width: number, value: bigint): void {
  for (let index = 0; index < width; index++) {
    if (offset + index < out.length) {
      out[offset + index] = Number((value >> BigInt(8 * (width - 1 - index))) & 0xffn)
    }
  }
}

export const BYTE_MUTATIONS = [
  'bit-flip',
  'byte-replace',
  'byte-insert',
  'byte-delete',
  'range-duplicate',
  'truncate',
  'boundary-value',
  'splice',
] as const
export type ByteMutation = (typeof BYTE_MUTATIONS)[number]

/**
 * Applies one byte-level mutation to `input` from `start` on (bytes before it, e.g. a target's
 * configuration prefix, are kept) and returns a new array. `other` is the second stream for
 * `splice`.
 */
export function mutateBytes(
  rng: Rng,
  input: Uint8Array,
  start: number,
  other: Uint8Array,
  kind: ByteMutation = rng.pick(BYTE_MUTATIONS),
): Uint8Array {
  const body = input.length - start
  const at = start + rng.int(body + 1)
  switch (kind) {
    case 'bit-flip': {
      if (body === 0) return input.slice()
      const out = input.slice()
      for (let count = rng.range(1, 4); count > 0; count--) {
        out[start + rng.int(body)] ^= 1 << rng.int(8)
      }
      return out
    }
    case 'byte-replace': {
      if (body === 0) return input.slice()
      const out = input.slice()
      out[start + rng.int(body)] = rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.int(256)
      return out
    }
    case 'byte-insert': {
      const inserted = rng.chance(0.5)
        ? rng.bytes(rng.range(1, 16))
        : new Uint8Array(rng.range(1, 8)).fill(rng.pick(INTERESTING_BYTES))
      return concat([input.subarray(0, at), inserted, input.subarray(at)])
    }
    case 'byte-delete': {
      const end = Math.min(input.length, at + rng.range(1, 16))
      return concat([input.subarray(0, at), input.subarray(end)])
    }
    case 'range-duplicate': {
      const end = Math.min(input.length, at + rng.range(1, 64))
      const where = start + rng.int(body + 1)
      return concat([input.subarray(0, where), input.slice(at, end), input.subarray(where)])
    }
    case 'truncate':
      return input.slice(0, at)
    case 'boundary-value': {
      const out = input.slice()
      const width = rng.pick([1, 2, 4, 8])
      writeBigEndian(out, at, width, rng.pick(BOUNDARY_VALUES))
      return out
    }
    case 'splice': {
      const from = rng.int(other.length + 1)
      return concat([input.subarray(0, at), other.subarray(from)])
    }
  }
}

/** Applies 1..`most` random byte-level mutations. */
export function mutateBytesRepeatedly(
  rng: Rng,
  input: Uint8Array,
  start: number,
  other: Uint8Array,
  most = 4,
): Uint8Array {
  let out = input
  for (let count = rng.range(1, most); count > 0; count--) out = mutateBytes(rng, out, start, other)
  return out
}
