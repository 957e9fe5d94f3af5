/**
 * The server's opening handshake (RFC 6455 section 4.2): reads and validates the upgrade
 * request (or takes one an HTTP server already parsed), lets the application choose a
 * subprotocol, negotiates extensions and builds the 101 response or an error response.
 */
import { base64Decode } from '@ws/crypto'
import { type ConnectionOptions, WebSocketConnection } from '../connection.ts'
import { HandshakeError, InvalidStateError } from '../errors.ts'
import type { ExtensionFactory } from '../extension.ts'
import { encodeUtf8 } from '../web.ts'
import { acceptKey } from './accept-key.ts'
import { type ExtensionItem, listHasToken, parseProductList, parseTokenList } from './header-values.ts'
import {
  HeaderList,
  HttpHeadError,
  type HttpHeadLimits,
  HttpHeadParser,
  parseRequestLine,
} from './http-head.ts'
import { checkHeaders, formatHead, type HeaderInput } from './http-write.ts'
import { agree, readOffers } from './negotiate.ts'

export interface ServerHandshakeOptions {
  /** Extensions the server supports, in order of preference. */
  extensions?: readonly ExtensionFactory[]
  /** Limits on the request head (default 8 KiB lines, 100 fields, 16 KiB in all). */
  handshakeLimits?: Partial<HttpHeadLimits>
  /** Options for the connections this handshake opens. */
  connection?: Omit<ConnectionOptions, 'role' | 'extensions' | 'protocol'>
}

/** A valid WebSocket upgrade request. */
export interface UpgradeRequest {
  readonly method: string
  /** The request target as received. */
  readonly target: string
  /** Path and query of the target (the resource name). */
  readonly resource: string
  readonly host: string
  readonly origin: string | undefined
  readonly key: string
  /** Subprotocols the client offered, in its order of preference. */
  readonly protocols: readonly string[]
  /** Extension offers, parsed. */
  readonly extensions: readonly ExtensionItem[]
  readonly headers: HeaderList
}

/** A request head that an HTTP server has already parsed (e.g. node:http's upgrade event). */
export interface ParsedRequestHead {
  method: string
  target: string
  /** e.g. '1.1' */
  httpVersion: string
  headers: Iterable<readonly [string, string]> | HeaderList
}

export type ServerHandshakeResult =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'request'; readonly request: UpgradeRequest }
  /** The request was invalid: write `response` (it carries the right status) and close. */
  | { readonly kind: 'rejected'; readonly error: HandshakeError; readonly response: Uint8Array }

export interface AcceptOptions {
  /** The subprotocol chosen from `request.protocols`, if any. */
  protocol?: string
  /** Extra response headers. */
  headers?: HeaderInput
}

const RESERVED = new Set([
  'upgrade',
  'connection',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'sec-websocket-version',
  // The body's length is ours to say: a second, different one would desynchronise the peer.
  'content-length',
])

const STATUS_TEXT: ReadonlyMap<number, string> = new Map([
  [400, 'Bad Request'],
  [401, 'Unauthorized'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [405, 'Method Not Allowed'],
  [426, 'Upgrade Required'],
  [429, 'Too Many Requests'],
  [431, 'Request Header Fields Too Large'],
  [500, 'Internal Server Error'],
  [503, 'Service Unavailable'],
  [505, 'HTTP Version Not Supported'],
])

export class ServerHandshake {
  readonly #options: ServerHandshakeOptions
  readonly #parser: HttpHeadParser
  #request: UpgradeRequest | undefined
  #rest: Uint8Array | undefined
  #finished = false

  constructor(options: ServerHandshakeOptions = {}) {
    this.#options = options
    this.#parser = new HttpHeadParser(options.handshakeLimits)
  }

  /** Feeds request bytes in any chunking, until the result is 'request' or 'rejected'. */
  receive(chunk: Uint8Array): ServerHandshakeResult {
    if (this.#request !== undefined || this.#finished)
      throw new InvalidStateError('the request was already read')
    let head: ReturnType<HttpHeadParser['push']>
    try {
      head = this.#parser.push(chunk)
    } catch (error) {
      if (!(error instanceof HttpHeadError)) throw error
      const tooLarge =
        error.code === 'HEAD_TOO_LARGE' || error.code === 'TOO_MANY_HEADERS' || error.code === 'LINE_TOO_LONG'
      return this.#rejectWith(
        new HandshakeError('WS_ERR_INVALID_REQUEST', error.message, { httpStatus: tooLarge ? 431 : 400 }),
      )
    }
    if (!head.done) return { kind: 'incomplete' }
    let line: ReturnType<typeof parseRequestLine>
    try {
      line = parseRequestLine(head.startLine)
    } catch {
      return this.#rejectWith(
        new HandshakeError('WS_ERR_INVALID_REQUEST', 'malformed request line', { httpStatus: 400 }),
      )
    }
    return this.#validate(
      line.method,
      line.target,
      line.versionMajor,
      line.versionMinor,
      head.headers,
      head.rest,
    )
  }

  /**
   * Takes a request an HTTP server already parsed. `rest` is any bytes that arrived after the
   * head (node:http's `head` argument).
   */
  receiveParsed(head: ParsedRequestHead, rest?: Uint8Array): ServerHandshakeResult {
    if (this.#request !== undefined || this.#finished)
      throw new InvalidStateError('the request was already read')
    const version = head.httpVersion
    const digits = version.length === 3 && version[1] === '.' && isDigit(version[0]) && isDigit(version[2])
    const headers = head.headers instanceof HeaderList ? head.headers : new HeaderList(head.headers)
    return this.#validate(
      head.method,
      head.target,
      digits ? Number(version[0]) : 0,
      digits ? Number(version[2]) : 0,
      headers,
      rest ?? new Uint8Array(0),
    )
  }

  /**
   * Accepts the request: negotiates extensions and returns the 101 response to write, and the
   * open connection (already fed with any bytes that followed the request).
   */
  accept(options: AcceptOptions = {}): { response: Uint8Array; connection: WebSocketConnection } {
    const request = this.#request
    if (request === undefined || this.#finished) {
      throw new InvalidStateError('accept() needs a valid request that was not yet answered')
    }
    const { protocol, extensionHeader, extensions } = agree(
      request,
      options.protocol,
      this.#options.extensions ?? [],
    )
    const extra = checkHeaders(options.headers, RESERVED)
    const fields: [string, string][] = [
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Accept', acceptKey(request.key)],
    ]
    if (protocol !== '') fields.push(['Sec-WebSocket-Protocol', protocol])
    if (extensionHeader !== '') fields.push(['Sec-WebSocket-Extensions', extensionHeader])
    fields.push(...extra)
    this.#finished = true
    const connection = new WebSocketConnection({
      ...this.#options.connection,
      role: 'server',
      protocol,
      extensions,
    })
    const rest = this.#rest
    this.#rest = undefined
    if (rest !== undefined && rest.length > 0) connection.receive(rest)
    return { response: formatHead('HTTP/1.1 101 Switching Protocols', fields), connection }
  }

  /** Declines a valid request (e.g. origin not allowed): the response to write before closing. */
  reject(status: number, options: { headers?: HeaderInput; body?: string } = {}): Uint8Array {
    if (this.#finished) throw new InvalidStateError('the request was already answered')
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`reject() needs a final status 200-599, got ${String(status)}`)
    }
    this.#finished = true
    return errorResponse(status, options.body ?? '', checkHeaders(options.headers, RESERVED))
  }

  #validate(
    method: string,
    target: string,
    versionMajor: number,
    versionMinor: number,
    headers: HeaderList,
    rest: Uint8Array,
  ): ServerHandshakeResult {
    const reject = (httpStatus: number, code: string, message: string): ServerHandshakeResult =>
      this.#rejectWith(new HandshakeError(code, message, { httpStatus }))
    if (method !== 'GET') return reject(405, 'WS_ERR_INVALID_METHOD', `method ${method} is not GET`)
    if (versionMajor !== 1 || versionMinor < 1) {
      return reject(505, 'WS_ERR_INVALID_HTTP_VERSION', 'the request must be HTTP/1.1')
    }
    const resource = resourceOf(target)
    if (resource === undefined)
      return reject(400, 'WS_ERR_INVALID_TARGET', `invalid request target ${target}`)
    const hosts = headers.getAll('host')
    if (hosts.length !== 1 || hosts[0] === '') {
      return reject(400, 'WS_ERR_INVALID_HOST', 'the request needs exactly one Host header')
    }
    const upgrade = parseProductList(headers.get('upgrade') ?? '')
    if (upgrade === null || !listHasToken(upgrade, 'websocket')) {
      return reject(400, 'WS_ERR_INVALID_UPGRADE', 'the Upgrade header must include websocket')
    }
    const connection = parseTokenList(headers.get('connection') ?? '')
    if (connection === null || !listHasToken(connection, 'upgrade')) {
      return reject(400, 'WS_ERR_INVALID_CONNECTION', 'the Connection header must include Upgrade')
    }
    const versions = headers.getAll('sec-websocket-version')
    if (versions.length !== 1 || versions[0] !== '13') {
      return reject(426, 'WS_ERR_UNSUPPORTED_VERSION', 'only WebSocket version 13 is supported')
    }
    const keys = headers.getAll('sec-websocket-key')
    if (keys.length !== 1 || !isValidKey(keys[0])) {
      return reject(400, 'WS_ERR_INVALID_KEY', 'Sec-WebSocket-Key must be the base64 encoding of 16 bytes')
    }
    const offers = readOffers(headers)
    if ('code' in offers) return reject(400, offers.code, offers.message)
    const request: UpgradeRequest = {
      method,
      target,
      resource,
      host: hosts[0],
      origin: headers.get('origin'),
      key: keys[0],
      protocols: offers.protocols,
      extensions: offers.extensions,
      headers,
    }
    this.#request = request
    this.#rest = rest
    return { kind: 'request', request }
  }

  #rejectWith(error: HandshakeError): ServerHandshakeResult {
    this.#finished = true
    const status = error.httpStatus ?? 400
    const extra: [string, string][] = []
    if (status === 426) extra.push(['Sec-WebSocket-Version', '13'])
    if (status === 405) extra.push(['Allow', 'GET'])
    return { kind: 'rejected', error, response: errorResponse(status, error.message, extra) }
  }
}

/** A complete error response with a short plain-text body; the connection closes after it. */
function errorResponse(
  status: number,
  body: string,
  fields: readonly (readonly [string, string])[],
): Uint8Array {
  const bodyBytes = encodeUtf8(body)
  // The caller's Content-Type, if it gave one, replaces the default (as over HTTP/2).
  const typed = fields.some(([name]) => name.toLowerCase() === 'content-type')
  const head = formatHead(`HTTP/1.1 ${status} ${STATUS_TEXT.get(status) ?? 'Error'}`, [
    ['Connection', 'close'],
    ...(typed ? [] : ([['Content-Type', 'text/plain; charset=utf-8']] as const)),
    ['Content-Length', String(bodyBytes.length)],
    ...fields,
  ])
  const response = new Uint8Array(head.length + bodyBytes.length)
  response.set(head)
  response.set(bodyBytes, head.length)
  return response
}

/** The resource name of an origin-form or absolute-form request target, or undefined. */
function resourceOf(target: string): string | undefined {
  if (target.startsWith('/')) return target
  const lower = target.toLowerCase()
  for (const scheme of ['http://', 'https://', 'ws://', 'wss://']) {
    if (lower.startsWith(scheme)) {
      const slash = target.indexOf('/', scheme.length)
      const query = target.indexOf('?', scheme.length)
      if (slash === scheme.length || query === scheme.length) return undefined
      if (slash >= 0 && (query < 0 || slash < query)) return target.slice(slash)
      return query >= 0 ? `/${target.slice(query)}` : '/'
    }
  }
  return undefined
}

/** True when `key` is base64 of exactly 16 bytes (RFC 6455 section 4.2.1, item 5). */
function isValidKey(key: string): boolean {
  if (key.length !== 24) return false
  try {
    return base64Decode(key).length === 16
  } catch {
    return false
  }
}

function isDigit(character: string | undefined): boolean {
  return character !== undefined && character >= '0' && character <= '9'
}
