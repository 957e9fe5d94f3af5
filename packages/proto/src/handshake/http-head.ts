/**
 * An incremental parser for the head of an HTTP/1.1 request or response (RFC 9112 sections 2-5):
 * the start line and the header fields, up to the blank line. Bytes are scanned once, as they
 * arrive, so any chunking gives the same result in linear time, and every limit fails as soon as
 * it is exceeded. Bytes are latin1: each byte becomes one character.
 *
 * Decisions: a bare LF ends a line like CRLF (RFC 9112 section 2.2); a CR not followed by LF is
 * rejected. Up to MAX_LEADING_EMPTY_LINES empty lines before the start line are ignored (RFC 9112
 * section 2.2 asks servers to ignore at least one); they count toward `maxHeadBytes`.
 */

import { resolveNumericLimits } from '../limits.ts'
import { isTokenChar } from './header-values.ts'

/** Size limits of a head; each is a non-negative integer or Infinity. */
export interface HttpHeadLimits {
  /** Longest start line or header line, in bytes, not counting its line end. */
  maxLineBytes: number
  /** Most header fields. */
  maxHeaders: number
  /** Largest head in bytes: every line and line end up to and including the blank line. */
  maxHeadBytes: number
}

export const DEFAULT_HTTP_HEAD_LIMITS: Readonly<HttpHeadLimits> = Object.freeze({
  maxLineBytes: 8192,
  maxHeaders: 100,
  maxHeadBytes: 16384,
})

/** Empty lines ignored before the start line; one more fails with EMPTY_START_LINE. */
export const MAX_LEADING_EMPTY_LINES = 4

export type HttpHeadErrorCode =
  | 'HEAD_TOO_LARGE'
  | 'LINE_TOO_LONG'
  | 'TOO_MANY_HEADERS'
  | 'MALFORMED_HEADER_LINE'
  | 'INVALID_HEADER_NAME'
  | 'INVALID_HEADER_VALUE'
  | 'OBSOLETE_LINE_FOLDING'
  | 'BARE_CR'
  | 'EMPTY_START_LINE'
  | 'MALFORMED_START_LINE'

/** The peer sent a head that is malformed or over a limit. */
export class HttpHeadError extends Error {
  readonly code: HttpHeadErrorCode
  constructor(code: HttpHeadErrorCode, message: string) {
    super(message)
    this.name = 'HttpHeadError'
    this.code = code
  }
}

/**
 * Header fields in the order received, names as written. Lookups are case-insensitive and O(1)
 * through a Map (never a plain object, so names like `__proto__` are ordinary names).
 */
export class HeaderList {
  readonly entries: readonly (readonly [name: string, value: string])[]
  /** Lower-cased name to the values of every field with that name, in order. */
  readonly #values = new Map<string, string[]>()

  constructor(entries: Iterable<readonly [string, string]> = []) {
    const list: (readonly [string, string])[] = []
    for (const [name, value] of entries) {
      const key = name.toLowerCase()
      const values = this.#values.get(key)
      if (values === undefined) this.#values.set(key, [value])
      else values.push(value)
      list.push(Object.freeze([name, value] as const))
    }
    this.entries = Object.freeze(list)
  }

  /** The field's value; repeated fields are joined with ', ' (RFC 9110 section 5.3). */
  get(name: string): string | undefined {
    return this.#values.get(name.toLowerCase())?.join(', ')
  }

  /** The value of every field with this name, in order. */
  getAll(name: string): string[] {
    return this.#values.get(name.toLowerCase())?.slice() ?? []
  }

  /** How many fields have this name. */
  count(name: string): number {
    return this.#values.get(name.toLowerCase())?.length ?? 0
  }

  has(name: string): boolean {
    return this.#values.has(name.toLowerCase())
  }
}

/**
 * `rest` holds the bytes of the last chunk after the blank line (a view of it, possibly empty):
 * they belong to whatever follows the head, e.g. the first WebSocket frames.
 */
export type HttpHeadResult =
  | { done: false }
  | { done: true; startLine: string; headers: HeaderList; rest: Uint8Array }

const HTAB = 0x09
const LF = 0x0a
const CR = 0x0d
const SP = 0x20
const COLON = 0x3a

/** 1 for the bytes allowed in a field value (RFC 9110 section 5.5): HTAB, SP, VCHAR, obs-text. */
const FIELD_VALUE_BYTES = /* @__PURE__ */ (() => {
  const table = new Uint8Array(256)
  table[HTAB] = 1
  table.fill(1, 0x20, 0x7f)
  table.fill(1, 0x80, 0x100)
  return table
})()

const PARSING = 0
const DONE = 1
const FAILED = 2

const NOT_DONE: HttpHeadResult = Object.freeze({ done: false })

/**
 * Feed it the bytes of a connection with `push()` until it returns `done: true`. It throws
 * `HttpHeadError` for a malformed head; after that, or after `done`, `push()` throws an Error.
 * The start line is returned unvalidated: pass it to `parseRequestLine` or `parseStatusLine`.
 */
export class HttpHeadParser {
  readonly #limits: HttpHeadLimits
  /** The current line so far, without its line end. */
  #line: Uint8Array
  #lineLength = 0
  #headBytes = 0
  /** The previous byte was a CR, so the next one must be LF. */
  #afterCR = false
  #emptyLines = 0
  #startLine: string | undefined = undefined
  readonly #fields: [string, string][] = []
  #state = PARSING

  constructor(limits: Partial<HttpHeadLimits> = {}) {
    this.#limits = resolveHttpHeadLimits(limits)
    this.#line = new Uint8Array(Math.min(256, this.#limits.maxLineBytes))
  }

  /** Bytes of the head taken so far (all of it, once done). */
  get bytesBuffered(): number {
    return this.#headBytes
  }

  push(chunk: Uint8Array): HttpHeadResult {
    if (this.#state !== PARSING) {
      throw new Error(
        `HttpHeadParser.push() called after the head was ${this.#state === DONE ? 'complete' : 'rejected'}`,
      )
    }
    const { maxLineBytes, maxHeaders, maxHeadBytes } = this.#limits
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index]
      if (++this.#headBytes > maxHeadBytes) {
        throw this.#fail('HEAD_TOO_LARGE', `HTTP head is larger than ${maxHeadBytes} bytes`)
      }
      if (byte === LF) {
        if (this.#endLine()) {
          this.#state = DONE
          const startLine = this.#startLine as string
          return {
            done: true,
            startLine,
            headers: new HeaderList(this.#fields),
            rest: chunk.subarray(index + 1),
          }
        }
        continue
      }
      if (this.#afterCR) throw this.#fail('BARE_CR', 'CR not followed by LF in the HTTP head')
      if (byte === CR) {
        this.#afterCR = true
        continue
      }
      if (this.#lineLength === 0 && this.#startLine !== undefined) {
        // The first byte of a header line.
        if (byte === SP || byte === HTAB) {
          throw this.#fail(
            'OBSOLETE_LINE_FOLDING',
            'header line starts with whitespace (obsolete line folding)',
          )
        }
        if (this.#fields.length >= maxHeaders) {
          throw this.#fail('TOO_MANY_HEADERS', `more than ${maxHeaders} header fields`)
        }
      }
      if (this.#lineLength >= maxLineBytes) {
        throw this.#fail('LINE_TOO_LONG', `line of the HTTP head is longer than ${maxLineBytes} bytes`)
      }
      if (this.#lineLength === this.#line.length) this.#grow()
      this.#line[this.#lineLength++] = byte
    }
    return NOT_DONE
  }

  /** Handles a complete line; returns true at the blank line that ends the head. */
  #endLine(): boolean {
    const length = this.#lineLength
    this.#lineLength = 0
    this.#afterCR = false
    if (this.#startLine === undefined) {
      if (length === 0) {
        if (++this.#emptyLines > MAX_LEADING_EMPTY_LINES) {
          throw this.#fail(
            'EMPTY_START_LINE',
            `more than ${MAX_LEADING_EMPTY_LINES} empty lines before the start line`,
          )
        }
        return false
      }
      this.#startLine = latin1(this.#line, 0, length)
      return false
    }
    if (length === 0) return true
    this.#fields.push(this.#parseField(length))
    return false
  }

  /** Parses `field-name ":" OWS field-value OWS` from the line buffer. */
  #parseField(length: number): [string, string] {
    const line = this.#line
    let nameEnd = 0
    while (nameEnd < length && isTokenChar(line[nameEnd])) nameEnd++
    if (nameEnd === length) throw this.#fail('MALFORMED_HEADER_LINE', 'header line has no colon')
    const stop = line[nameEnd]
    if (stop !== COLON) {
      if (stop === SP || stop === HTAB) {
        throw this.#fail('MALFORMED_HEADER_LINE', 'whitespace in a field name or between it and the colon')
      }
      throw this.#fail('INVALID_HEADER_NAME', `byte ${hex(stop)} is not allowed in a field name`)
    }
    if (nameEnd === 0) throw this.#fail('INVALID_HEADER_NAME', 'header line has an empty field name')
    const name = latin1(line, 0, nameEnd)
    let start = nameEnd + 1
    let end = length
    while (start < end && (line[start] === SP || line[start] === HTAB)) start++
    while (end > start && (line[end - 1] === SP || line[end - 1] === HTAB)) end--
    for (let index = start; index < end; index++) {
      if (FIELD_VALUE_BYTES[line[index]] === 0) {
        throw this.#fail(
          'INVALID_HEADER_VALUE',
          `byte ${hex(line[index])} is not allowed in the value of ${short(name)}`,
        )
      }
    }
    return [name, latin1(line, start, end)]
  }

  #grow(): void {
    const grown = new Uint8Array(Math.min(Math.max(256, this.#line.length * 2), this.#limits.maxLineBytes))
    grown.set(this.#line)
    this.#line = grown
  }

  #fail(code: HttpHeadErrorCode, message: string): HttpHeadError {
    this.#state = FAILED
    return new HttpHeadError(code, message)
  }
}

/** Fills in defaults and checks each limit (a non-negative integer or Infinity). */
function resolveHttpHeadLimits(limits: Partial<HttpHeadLimits>): HttpHeadLimits {
  return resolveNumericLimits(DEFAULT_HTTP_HEAD_LIMITS, limits)
}

/** Decodes bytes as latin1, in pieces small enough for a spread call. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = ''
  for (let offset = start; offset < end; offset += 4096) {
    text += String.fromCharCode(...bytes.subarray(offset, Math.min(end, offset + 4096)))
  }
  return text
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`
}

/** A field name or line quoted for an error message, shortened if long. */
function short(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}...` : text)
}

export interface RequestLine {
  method: string
  target: string
  versionMajor: number
  versionMinor: number
}

export interface StatusLine {
  versionMajor: number
  versionMinor: number
  status: number
  reason: string
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39
}

/** Reads `HTTP/d.d` at `index` (8 characters); undefined if it is not there. */
function parseVersion(line: string, index: number): [major: number, minor: number] | undefined {
  if (!line.startsWith('HTTP/', index)) return undefined
  const major = line.charCodeAt(index + 5)
  const minor = line.charCodeAt(index + 7)
  if (!isDigit(major) || line.charCodeAt(index + 6) !== 0x2e || !isDigit(minor)) return undefined
  return [major - 0x30, minor - 0x30]
}

function malformedStartLine(kind: string, line: string): HttpHeadError {
  return new HttpHeadError('MALFORMED_START_LINE', `malformed ${kind} line ${short(line)}`)
}

/**
 * Parses `method SP request-target SP HTTP/d.d` (RFC 9112 section 3) with exactly one space
 * between the parts. The method must be a token; the target non-empty, without controls, spaces
 * or DEL (obs-text bytes 0x80-0xFF pass; the caller checks the target's form).
 */
export function parseRequestLine(line: string): RequestLine {
  let index = 0
  while (index < line.length && isTokenChar(line.charCodeAt(index))) index++
  if (index === 0 || line.charCodeAt(index) !== SP) throw malformedStartLine('request', line)
  const method = line.slice(0, index)
  const targetStart = ++index
  while (index < line.length) {
    const code = line.charCodeAt(index)
    if (code <= SP || code === 0x7f || code > 0xff) break
    index++
  }
  if (index === targetStart || line.charCodeAt(index) !== SP) throw malformedStartLine('request', line)
  const target = line.slice(targetStart, index)
  const version = parseVersion(line, index + 1)
  if (version === undefined || line.length !== index + 9) throw malformedStartLine('request', line)
  return { method, target, versionMajor: version[0], versionMinor: version[1] }
}

/**
 * Parses `HTTP/d.d SP 3DIGIT SP reason-phrase` (RFC 9112 section 4). The reason may be empty,
 * and a line that ends right after the status code is accepted too. The status code's first
 * digit must not be 0 (RFC 9110 section 15: codes are 100-999 in practice).
 */
export function parseStatusLine(line: string): StatusLine {
  const version = parseVersion(line, 0)
  if (version === undefined || line.charCodeAt(8) !== SP) throw malformedStartLine('status', line)
  const hundreds = line.charCodeAt(9)
  const tens = line.charCodeAt(10)
  const units = line.charCodeAt(11)
  if (!isDigit(hundreds) || hundreds === 0x30 || !isDigit(tens) || !isDigit(units)) {
    throw malformedStartLine('status', line)
  }
  const status = (hundreds - 0x30) * 100 + (tens - 0x30) * 10 + (units - 0x30)
  if (line.length === 12) return { versionMajor: version[0], versionMinor: version[1], status, reason: '' }
  if (line.charCodeAt(12) !== SP) throw malformedStartLine('status', line)
  for (let index = 13; index < line.length; index++) {
    const code = line.charCodeAt(index)
    if (code > 0xff || FIELD_VALUE_BYTES[code] === 0) throw malformedStartLine('status', line)
  }
  return { versionMajor: version[0], versionMinor: version[1], status, reason: line.slice(13) }
}
