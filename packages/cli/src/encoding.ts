/** Hex and base64 for `wsx connect --hex` / `--base64` and `/binary HEX`. */

export type Encoding = 'hex' | 'base64'

const bufferOf = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength)

export function encode(data: Uint8Array, encoding: Encoding): string {
  return bufferOf(data).toString(encoding)
}

/**
 * Decodes one line. Hex: pairs of digits, either case, spaces allowed between bytes. Base64:
 * the standard alphabet with its padding (RFC 4648 section 4). Returns undefined when the text is
 * not valid, so the caller can say so.
 */
export function decode(text: string, encoding: Encoding): Uint8Array | undefined {
  if (encoding === 'hex') {
    const digits = text.replace(/[ \t]+/g, '')
    if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) return undefined
    return Buffer.from(digits, 'hex')
  }
  const trimmed = text.trim()
  if (trimmed.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(trimmed)) return undefined
  return Buffer.from(trimmed, 'base64')
}

/** What each encoding expects, for error messages. */
export const ENCODING_WORDS: Record<Encoding, string> = {
  hex: 'hex (pairs of 0-9a-f digits)',
  base64: 'base64 (RFC 4648, with padding)',
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** A ping, pong or close payload for people: the text when it is printable UTF-8, else hex:... */
export function describePayload(data: Uint8Array): string {
  if (data.byteLength === 0) return ''
  try {
    const text = strictUtf8.decode(data)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
    if (!/[\u0000-\u001f\u007f]/.test(text)) return text
  } catch {
    // Not UTF-8: hex below.
  }
  return `hex:${encode(data, 'hex')}`
}
