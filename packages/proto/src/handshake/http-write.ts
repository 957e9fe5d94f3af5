/** Writing HTTP/1.1 heads, and checking the header fields a caller adds to them. */
import { isToken } from './header-values.ts'

export type HeaderInput = Iterable<readonly [string, string]> | Readonly<Record<string, string>>

/** Turns caller-supplied headers into checked pairs; throws TypeError for a bad name or value. */
export function checkHeaders(
  input: HeaderInput | undefined,
  reserved: ReadonlySet<string>,
): [string, string][] {
  if (input === undefined) return []
  const pairs: [string, string][] = []
  const entries: Iterable<readonly [string, string]> =
    Symbol.iterator in input ? (input as Iterable<readonly [string, string]>) : Object.entries(input)
  for (const entry of entries) {
    const [name, value] = entry
    if (typeof name !== 'string' || !isToken(name))
      throw new TypeError(`invalid header name: ${String(name)}`)
    if (typeof value !== 'string' || !isFieldValue(value)) {
      throw new TypeError(
        `invalid value for header ${name}: it may not contain control characters or line breaks`,
      )
    }
    if (reserved.has(name.toLowerCase())) throw new TypeError(`header ${name} is set by the handshake itself`)
    pairs.push([name, value.trim()])
  }
  return pairs
}

/** A field value we are willing to send: HTAB, SP-~ and 0x80-0xFF (sent as single bytes). */
function isFieldValue(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index)
    if (code === 0x09) continue
    if (code < 0x20 || code === 0x7f || code > 0xff) return false
  }
  return true
}

/** The head as bytes: start line, fields, blank line. Every character must be below U+0100. */
export function formatHead(startLine: string, fields: readonly (readonly [string, string])[]): Uint8Array {
  let text = `${startLine}\r\n`
  for (const [name, value] of fields) text += `${name}: ${value}\r\n`
  text += '\r\n'
  const bytes = new Uint8Array(text.length)
  for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index)
  return bytes
}
