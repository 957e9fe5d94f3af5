/**
 * HTTP/2 field sections as lists of [name, value] pairs (RFC 9113 section 8): splitting off the
 * pseudo-header fields and the checks that make a section malformed (section 8.2). HPACK itself
 * is the HTTP/2 library's job; this checks what it hands over.
 */
import { isTokenChar } from './header-values.ts'
import { HeaderList } from './http-head.ts'
import { checkHeaders, type HeaderInput } from './http-write.ts'

/** A field section in order: pseudo-header fields first, names in lower case. */
export type H2Fields = readonly (readonly [name: string, value: string])[]

/** A field section, split: pseudo-header fields by name (without the colon), regular fields in order. */
export interface SplitFields {
  pseudo: Map<string, string>
  headers: HeaderList
}

/** Fields that are specific to an HTTP/1.1 connection and make an HTTP/2 message malformed. */
const CONNECTION_SPECIFIC = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
])

/**
 * Splits a received field section and checks it (RFC 9113 sections 8.2.1, 8.2.2 and 8.3): names
 * in lower case, pseudo-header fields known (`allowed`), once each and before every regular
 * field, no connection-specific field, `te` only as `trailers`, values without NUL, CR, LF or
 * surrounding whitespace. Returns a message saying what is malformed instead.
 */
export function splitFields(
  input: Iterable<readonly [string, string]>,
  allowed: ReadonlySet<string>,
): SplitFields | string {
  const pseudo = new Map<string, string>()
  const regular: [string, string][] = []
  for (const entry of input) {
    const [name, value] = entry
    if (typeof name !== 'string' || typeof value !== 'string') return 'a field name or value is not a string'
    if (name.startsWith(':')) {
      const key = name.slice(1)
      if (regular.length > 0) return `pseudo-header field ${name} after a regular field`
      if (!allowed.has(key)) return `pseudo-header field ${name} is not allowed here`
      if (pseudo.has(key)) return `pseudo-header field ${name} repeated`
      pseudo.set(key, value)
    } else {
      if (!isLowerCaseToken(name)) return `invalid field name '${name}' (HTTP/2 names are lower-case tokens)`
      if (CONNECTION_SPECIFIC.has(name)) return `connection-specific field ${name} is not allowed in HTTP/2`
      if (name === 'te' && value !== 'trailers') return `te may only be 'trailers' in HTTP/2`
      regular.push([name, value])
    }
    const problem = valueProblem(value)
    if (problem !== undefined) return `the value of ${name} ${problem}`
  }
  return { pseudo, headers: new HeaderList(regular) }
}

/**
 * Caller-supplied fields for an HTTP/2 section: the same checks as for HTTP/1.1 (`reserved`
 * names refused), names lowered, connection-specific fields refused. Throws TypeError.
 */
export function checkH2Headers(
  input: HeaderInput | undefined,
  reserved: ReadonlySet<string>,
): [string, string][] {
  const pairs = checkHeaders(input, reserved)
  for (const pair of pairs) {
    pair[0] = pair[0].toLowerCase()
    if (CONNECTION_SPECIFIC.has(pair[0]) || pair[0] === 'te') {
      throw new TypeError(`header ${pair[0]} is specific to HTTP/1.1 connections and not allowed in HTTP/2`)
    }
  }
  return pairs
}

function isLowerCaseToken(name: string): boolean {
  if (name.length === 0) return false
  for (let index = 0; index < name.length; index++) {
    const code = name.charCodeAt(index)
    if (!isTokenChar(code) || (code >= 0x41 && code <= 0x5a)) return false
  }
  return true
}

/** Why a field value is malformed in HTTP/2 (RFC 9113 section 8.2.1), or undefined. */
function valueProblem(value: string): string | undefined {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index)
    if (code === 0x00 || code === 0x0a || code === 0x0d) return 'contains NUL, CR or LF'
  }
  const first = value.charCodeAt(0)
  const last = value.charCodeAt(value.length - 1)
  if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09) {
    return 'starts or ends with whitespace'
  }
  return undefined
}
