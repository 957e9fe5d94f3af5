/**
 * The header value grammars of the opening handshake: `#token` lists (RFC 9110 section 5.6.1),
 * Upgrade products (RFC 9110 section 7.8) and Sec-WebSocket-Extensions (RFC 6455 section 9.1).
 * Every parser scans the value once, character by character, with a lookup table: no regular
 * expressions and no backtracking, so hostile values (thousands of spaces, commas or escapes)
 * cost linear time. Names never become object keys.
 */

const HTAB = 0x09
const SP = 0x20
const QUOTE = 0x22
const COMMA = 0x2c
const SLASH = 0x2f
const SEMICOLON = 0x3b
const EQUALS = 0x3d
const BACKSLASH = 0x5c

/** RFC 9110 section 5.6.2 tchar: 1 for ALPHA, DIGIT and !#$%&'*+-.^_`|~, else 0. */
const TOKEN_CHARS = /* @__PURE__ */ (() => {
  const table = new Uint8Array(256)
  for (let code = 0x21; code < 0x7f; code++) table[code] = 1
  for (const separator of '"(),/:;<=>?@[\\]{}') table[separator.charCodeAt(0)] = 0
  return table
})()

/** True when `code` (a byte or UTF-16 code unit) is an RFC 9110 tchar. */
export function isTokenChar(code: number): boolean {
  return code < 256 && TOKEN_CHARS[code] === 1
}

/** True when `text` is a non-empty RFC 9110 token. */
export function isToken(text: string): boolean {
  if (typeof text !== 'string' || text.length === 0) return false
  for (let index = 0; index < text.length; index++) {
    if (!isTokenChar(text.charCodeAt(index))) return false
  }
  return true
}

/** Index of the first character at or after `index` that is not SP or HTAB. */
function skipWhitespace(text: string, index: number): number {
  while (index < text.length) {
    const code = text.charCodeAt(index)
    if (code !== SP && code !== HTAB) break
    index++
  }
  return index
}

/** Index just past the run of tchar starting at `index` (equal to `index` when there is none). */
function skipToken(text: string, index: number): number {
  while (index < text.length && isTokenChar(text.charCodeAt(index))) index++
  return index
}

/**
 * Scans a `#element` list (RFC 9110 section 5.6.1): elements separated by commas with optional
 * whitespace around them, empty elements ignored. `element` reads one element at `index` and
 * returns the index after it, or -1 when it is invalid.
 */
function parseList(value: string, element: (index: number) => number): boolean {
  let index = 0
  while (true) {
    index = skipWhitespace(value, index)
    if (index === value.length) return true
    if (value.charCodeAt(index) !== COMMA) {
      index = element(index)
      if (index < 0) return false
      index = skipWhitespace(value, index)
      if (index === value.length) return true
      if (value.charCodeAt(index) !== COMMA) return false
    }
    index++
  }
}

/**
 * RFC 9110 section 5.6.1 `#token` list: elements separated by commas with optional whitespace;
 * empty elements are ignored; returns null if any element is not a token (any stray character,
 * quotes, whitespace inside an element, ...). Used for Connection and Sec-WebSocket-Protocol.
 */
export function parseTokenList(value: string): string[] | null {
  const tokens: string[] = []
  const valid = parseList(value, (start) => {
    const end = skipToken(value, start)
    if (end === start) return -1
    tokens.push(value.slice(start, end))
    return end
  })
  return valid ? tokens : null
}

/**
 * Upgrade values are products, `token ["/" token]` (RFC 9110 section 7.8), in a `#` list;
 * returns them as written (e.g. `websocket`, `HTTP/2.0`), or null if the list is malformed.
 */
export function parseProductList(value: string): string[] | null {
  const products: string[] = []
  const valid = parseList(value, (start) => {
    let end = skipToken(value, start)
    if (end === start) return -1
    if (value.charCodeAt(end) === SLASH) {
      const versionStart = end + 1
      end = skipToken(value, versionStart)
      if (end === versionStart) return -1
    }
    products.push(value.slice(start, end))
    return end
  })
  return valid ? products : null
}

/** True when the list contains `token`, compared case-insensitively. */
export function listHasToken(list: readonly string[], token: string): boolean {
  const wanted = token.toLowerCase()
  for (const item of list) {
    if (item.length === wanted.length && item.toLowerCase() === wanted) return true
  }
  return false
}

/** One extension parameter; `value` is null for a parameter written without `=`. */
export interface ExtensionParam {
  name: string
  value: string | null
}

/** One element of Sec-WebSocket-Extensions. */
export interface ExtensionItem {
  name: string
  /** In order, duplicates kept: the extension decides (permessage-deflate rejects them). */
  params: ExtensionParam[]
}

/**
 * Reads a quoted-string (RFC 9110 section 5.6.4) whose opening quote is at `index - 1`. RFC 6455
 * section 9.1 requires the unquoted value to be a token, so every character after unescaping
 * must be a tchar. Returns the unquoted value and the index after the closing quote, or null.
 */
function readQuotedToken(value: string, index: number): { text: string; end: number } | null {
  let text = ''
  let segmentStart = index
  while (index < value.length) {
    const code = value.charCodeAt(index)
    if (code === QUOTE) {
      text += value.slice(segmentStart, index)
      return text.length > 0 ? { text, end: index + 1 } : null
    }
    if (code === BACKSLASH) {
      // quoted-pair: the escaped character stands for itself, and it must be a tchar too.
      if (!isTokenChar(value.charCodeAt(index + 1))) return null
      text += value.slice(segmentStart, index)
      segmentStart = index + 1
      index += 2
    } else {
      if (!isTokenChar(code)) return null
      index++
    }
  }
  return null
}

/**
 * RFC 6455 section 9.1 Sec-WebSocket-Extensions:
 * `1#( token *( OWS ";" OWS token [ OWS "=" OWS ( token | quoted-string ) ] ) )`.
 * Extension and parameter names are case-insensitive tokens and are returned lower-cased;
 * values are returned as written, unquoted (and unescaped) when quoted; a quoted value must be a
 * token after unquoting. Returns null for any syntax error (unterminated quote, empty name,
 * trailing ';', '=' without a value, characters outside the grammar, ...). An empty or
 * whitespace-only value returns [], and empty list elements (", ,") are ignored.
 */
export function parseExtensions(value: string): ExtensionItem[] | null {
  const items: ExtensionItem[] = []
  const valid = parseList(value, (start) => {
    let index = skipToken(value, start)
    if (index === start) return -1
    const item: ExtensionItem = { name: value.slice(start, index).toLowerCase(), params: [] }
    index = skipWhitespace(value, index)
    while (value.charCodeAt(index) === SEMICOLON) {
      const nameStart = skipWhitespace(value, index + 1)
      const nameEnd = skipToken(value, nameStart)
      if (nameEnd === nameStart) return -1
      const param: ExtensionParam = { name: value.slice(nameStart, nameEnd).toLowerCase(), value: null }
      index = skipWhitespace(value, nameEnd)
      if (value.charCodeAt(index) === EQUALS) {
        const valueStart = skipWhitespace(value, index + 1)
        if (value.charCodeAt(valueStart) === QUOTE) {
          const quoted = readQuotedToken(value, valueStart + 1)
          if (quoted === null) return -1
          param.value = quoted.text
          index = quoted.end
        } else {
          index = skipToken(value, valueStart)
          if (index === valueStart) return -1
          param.value = value.slice(valueStart, index)
        }
        index = skipWhitespace(value, index)
      }
      item.params.push(param)
    }
    items.push(item)
    return index
  })
  return valid ? items : null
}

/**
 * Serialises items as `name; param; param=value, name2`. Throws TypeError if a name or a value
 * is not a token (values are always written bare, so they must be tokens).
 */
export function formatExtensions(items: readonly ExtensionItem[]): string {
  const parts: string[] = []
  for (const item of items) {
    if (!isToken(item.name)) throw new TypeError(`extension name ${describe(item.name)} is not a token`)
    let part = item.name
    for (const param of item.params) {
      if (!isToken(param.name)) {
        throw new TypeError(`parameter name ${describe(param.name)} of ${item.name} is not a token`)
      }
      part += `; ${param.name}`
      if (param.value !== null) {
        if (!isToken(param.value)) {
          throw new TypeError(`value ${describe(param.value)} of ${item.name}; ${param.name} is not a token`)
        }
        part += `=${param.value}`
      }
    }
    parts.push(part)
  }
  return parts.join(', ')
}

/** A short printable form of a value for error messages. */
function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value)
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}...` : text)
}
