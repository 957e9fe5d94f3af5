/**
 * Base64 with the standard alphabet and padding (RFC 4648 section 4).
 *
 * Decoding is strict, so that every accepted string has exactly one meaning: the length must be
 * a multiple of 4, only the 64 alphabet characters may appear, `=` may appear only as the one or
 * two final characters, and the unused low bits before the padding must be zero (RFC 4648
 * section 3.5). Whitespace, the URL-safe alphabet and missing padding are all refused.
 */
import { assertBytes } from './bytes.ts'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const PAD = 0x3d // '='

/** Character code for each 6-bit value. */
const ENCODE = /* @__PURE__ */ Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0))

/** 6-bit value for each character code below 128, or 0xff for characters outside the alphabet. */
const DECODE = /* @__PURE__ */ (() => {
  const table = new Uint8Array(128).fill(0xff)
  for (let i = 0; i < 64; i++) table[ALPHABET.charCodeAt(i)] = i
  return table
})()

export type Base64ErrorCode = 'BASE64_INVALID_LENGTH' | 'BASE64_INVALID_CHARACTER' | 'BASE64_INVALID_PADDING'

/** Thrown by `base64Decode` for input that is not strict base64. */
export class Base64Error extends Error {
  override readonly name = 'Base64Error'
  constructor(
    readonly code: Base64ErrorCode,
    /** Index of the offending character, or the input length for a length error. */
    readonly position: number,
    message: string,
  ) {
    super(message)
  }
}

// String.fromCharCode takes its arguments on the stack; convert in slices well below any limit.
const STRING_CHUNK = 0x2000

/** Encodes `data` as padded standard base64. */
export function base64Encode(data: Uint8Array): string {
  assertBytes(data, 'base64Encode: data')
  const length = data.length
  const out = new Uint8Array(Math.ceil(length / 3) * 4)
  const whole = length - (length % 3)
  let o = 0
  for (let i = 0; i < whole; i += 3) {
    const n = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2]
    out[o++] = ENCODE[n >>> 18]
    out[o++] = ENCODE[(n >>> 12) & 63]
    out[o++] = ENCODE[(n >>> 6) & 63]
    out[o++] = ENCODE[n & 63]
  }
  const rest = length - whole
  if (rest === 1) {
    const n = data[whole]
    out[o++] = ENCODE[n >>> 2]
    out[o++] = ENCODE[(n & 3) << 4]
    out[o++] = PAD
    out[o++] = PAD
  } else if (rest === 2) {
    const n = (data[whole] << 8) | data[whole + 1]
    out[o++] = ENCODE[n >>> 10]
    out[o++] = ENCODE[(n >>> 4) & 63]
    out[o++] = ENCODE[(n & 15) << 2]
    out[o++] = PAD
  }
  let text = ''
  for (let i = 0; i < out.length; i += STRING_CHUNK) {
    text += String.fromCharCode.apply(null, out.subarray(i, i + STRING_CHUNK) as unknown as number[])
  }
  return text
}

/** Decodes strict padded standard base64; throws a `Base64Error` saying what is wrong otherwise. */
export function base64Decode(text: string): Uint8Array {
  if (typeof text !== 'string') {
    throw new TypeError(`base64Decode: text must be a string, got ${text === null ? 'null' : typeof text}`)
  }
  const length = text.length
  if (length % 4 !== 0) {
    throw new Base64Error('BASE64_INVALID_LENGTH', length, `base64: length ${length} is not a multiple of 4`)
  }
  if (length === 0) return new Uint8Array(0)
  const padding = text.charCodeAt(length - 1) !== PAD ? 0 : text.charCodeAt(length - 2) !== PAD ? 1 : 2
  const out = new Uint8Array((length / 4) * 3 - padding)
  const end = length - padding
  let o = 0
  let n = 0
  let i = 0
  for (; i < end; i++) {
    const code = text.charCodeAt(i)
    const value = code < 128 ? DECODE[code] : 0xff
    if (value === 0xff) throw invalidCharacter(text, i)
    n = (n << 6) | value
    if ((i & 3) === 3) {
      out[o++] = n >>> 16
      out[o++] = n >>> 8
      out[o++] = n
      n = 0
    }
  }
  if (padding === 1) {
    // Three characters carry 18 bits: two bytes and two bits that must be zero.
    if ((n & 3) !== 0) throw nonZeroPadBits(end - 1)
    out[o++] = n >>> 10
    out[o] = n >>> 2
  } else if (padding === 2) {
    // Two characters carry 12 bits: one byte and four bits that must be zero.
    if ((n & 15) !== 0) throw nonZeroPadBits(end - 1)
    out[o] = n >>> 4
  }
  return out
}

function invalidCharacter(text: string, index: number): Base64Error {
  const code = text.charCodeAt(index)
  if (code === PAD) {
    return new Base64Error(
      'BASE64_INVALID_PADDING',
      index,
      `base64: '=' at index ${index} is not part of the final padding`,
    )
  }
  const shown =
    code >= 0x21 && code <= 0x7e
      ? `'${text[index]}'`
      : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  return new Base64Error(
    'BASE64_INVALID_CHARACTER',
    index,
    `base64: character ${shown} at index ${index} is not in the standard alphabet`,
  )
}

function nonZeroPadBits(index: number): Base64Error {
  return new Base64Error(
    'BASE64_INVALID_PADDING',
    index,
    `base64: the character at index ${index} before the padding has non-zero unused bits`,
  )
}
