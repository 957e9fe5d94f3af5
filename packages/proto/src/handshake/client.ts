/**
 * The client's opening handshake (RFC 6455 section 4.1): builds the upgrade request, then
 * checks the server's response piece by piece and hands over an open `WebSocketConnection`.
 */
import { base64Encode } from '@ws/crypto'
import { type ConnectionOptions, WebSocketConnection } from '../connection.ts'
import { HandshakeError, type HttpResponseInfo, InvalidStateError } from '../errors.ts'
import type { Extension, ExtensionFactory } from '../extension.ts'
import { type RandomFill, randomPoolFor } from '../random-pool.ts'
import { encodeUtf8, parseUrl, secureRandomFill } from '../web.ts'
import { acceptKey } from './accept-key.ts'
import { listHasToken, parseProductList, parseTokenList } from './header-values.ts'
import { HttpHeadError, type HttpHeadLimits, HttpHeadParser, parseStatusLine } from './http-head.ts'
import { checkHeaders, formatHead, type HeaderInput } from './http-write.ts'
import { checkAgreement, checkProtocolOffer, offerHeader } from './negotiate.ts'

export interface ClientHandshakeOptions {
  /** ws://, wss:// (or http://, https://) URL; a fragment is not allowed. */
  url: string
  /** Subprotocols to offer, in order of preference (each a token, no duplicates). */
  protocols?: readonly string[]
  /** Extensions to offer. */
  extensions?: readonly ExtensionFactory[]
  /** Extra request headers. `Host` may be overridden; the handshake's own fields may not. */
  headers?: HeaderInput
  /** Sent as the `Origin` header. */
  origin?: string
  /** Source of the key and of masking keys. Default: `globalThis.crypto.getRandomValues`. */
  randomFill?: RandomFill
  /** Limits on the response head (default 8 KiB lines, 100 fields, 16 KiB in all). */
  handshakeLimits?: Partial<HttpHeadLimits>
  /** Options for the connection this handshake opens. */
  connection?: Omit<ConnectionOptions, 'role' | 'extensions' | 'protocol' | 'randomFill'>
}

export type ClientHandshakeResult =
  | { readonly kind: 'incomplete' }
  | {
      readonly kind: 'open'
      /** The open connection; bytes that followed the response were already fed to it. */
      readonly connection: WebSocketConnection
      readonly response: HttpResponseInfo
    }
  | { readonly kind: 'failed'; readonly error: HandshakeError }

/** What the client connects to, derived from the URL. */
export interface ClientTarget {
  /** True for wss:// (and https://). */
  secure: boolean
  /** Host name without brackets, for DNS and TLS SNI. */
  hostname: string
  port: number
  /** The `Host` header value. */
  host: string
  /** Path and query: the request target. */
  resource: string
}

const RESERVED = new Set([
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
])

export class ClientHandshake {
  readonly target: ClientTarget
  /** The `Sec-WebSocket-Key` sent. */
  readonly key: string
  /** The request to write to the transport. */
  readonly request: Uint8Array
  readonly #protocols: readonly string[]
  readonly #factories: readonly ExtensionFactory[]
  readonly #parser: HttpHeadParser
  readonly #options: ClientHandshakeOptions
  #finished = false

  constructor(options: ClientHandshakeOptions) {
    this.#options = options
    this.target = parseTarget(options.url)
    const protocols = checkProtocolOffer(options.protocols)
    this.#protocols = protocols
    this.#factories = [...(options.extensions ?? [])]
    this.#parser = new HttpHeadParser(options.handshakeLimits)
    const random = randomPoolFor(options.randomFill ?? secureRandomFill)
    this.key = base64Encode(random.bytes(16))

    const extra = checkHeaders(options.headers, RESERVED)
    const hostOverride = extra.find(([name]) => name.toLowerCase() === 'host')
    const fields: [string, string][] = [
      ['Host', hostOverride ? hostOverride[1] : this.target.host],
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Key', this.key],
      ['Sec-WebSocket-Version', '13'],
    ]
    if (options.origin !== undefined) fields.push(...checkHeaders([['Origin', options.origin]], RESERVED))
    if (protocols.length > 0) fields.push(['Sec-WebSocket-Protocol', protocols.join(', ')])
    const offer = offerHeader(this.#factories)
    if (offer !== '') fields.push(['Sec-WebSocket-Extensions', offer])
    const authorization = basicAuthorization(options.url)
    if (authorization && !extra.some(([name]) => name.toLowerCase() === 'authorization')) {
      fields.push(['Authorization', authorization])
    }
    for (const field of extra) if (field !== hostOverride) fields.push(field)
    this.request = formatHead(`GET ${this.target.resource} HTTP/1.1`, fields)
  }

  /** Feeds response bytes in any chunking, until the result is 'open' or 'failed'. */
  receive(chunk: Uint8Array): ClientHandshakeResult {
    if (this.#finished) throw new InvalidStateError('the handshake is already over')
    let head: ReturnType<HttpHeadParser['push']>
    try {
      head = this.#parser.push(chunk)
    } catch (error) {
      return this.#fail(
        new HandshakeError(
          'WS_ERR_INVALID_RESPONSE',
          `malformed HTTP response: ${error instanceof HttpHeadError ? error.message : String(error)}`,
        ),
      )
    }
    if (!head.done) return { kind: 'incomplete' }
    this.#finished = true
    let status: ReturnType<typeof parseStatusLine>
    try {
      status = parseStatusLine(head.startLine)
    } catch {
      return this.#fail(
        new HandshakeError('WS_ERR_INVALID_RESPONSE', `malformed status line: ${head.startLine}`),
      )
    }
    const response: HttpResponseInfo = {
      status: status.status,
      statusText: status.reason,
      headers: head.headers.entries,
    }
    const failure = (code: string, message: string): ClientHandshakeResult =>
      this.#fail(new HandshakeError(code, message, { response }))
    if (status.versionMajor !== 1 || status.versionMinor < 1) {
      return failure(
        'WS_ERR_INVALID_RESPONSE',
        `response is HTTP/${status.versionMajor}.${status.versionMinor}, not 1.1`,
      )
    }
    if (status.status !== 101) {
      return failure(
        'WS_ERR_UNEXPECTED_STATUS',
        `expected status 101, got ${status.status}${status.reason ? ` ${status.reason}` : ''}`,
      )
    }
    const headers = head.headers
    const upgrade = parseProductList(headers.get('upgrade') ?? '')
    if (upgrade === null || !listHasToken(upgrade, 'websocket')) {
      return failure(
        'WS_ERR_INVALID_UPGRADE',
        `Upgrade header is '${headers.get('upgrade') ?? ''}', not websocket`,
      )
    }
    const connection = parseTokenList(headers.get('connection') ?? '')
    if (connection === null || !listHasToken(connection, 'upgrade')) {
      return failure(
        'WS_ERR_INVALID_CONNECTION',
        `Connection header is '${headers.get('connection') ?? ''}', without the Upgrade token`,
      )
    }
    const accept = headers.getAll('sec-websocket-accept')
    if (accept.length !== 1) {
      return failure(
        'WS_ERR_INVALID_ACCEPT',
        accept.length === 0 ? 'Sec-WebSocket-Accept header missing' : 'Sec-WebSocket-Accept header repeated',
      )
    }
    if (accept[0] !== acceptKey(this.key)) {
      return failure(
        'WS_ERR_INVALID_ACCEPT',
        `Sec-WebSocket-Accept '${accept[0]}' does not match the key sent`,
      )
    }
    let agreement: { protocol: string; extensions: Extension[] }
    try {
      agreement = checkAgreement(headers, this.#protocols, this.#factories)
    } catch (error) {
      const { code, message } = error as HandshakeError
      return failure(code, message)
    }
    const { protocol, extensions } = agreement
    const open = new WebSocketConnection({
      ...this.#options.connection,
      role: 'client',
      protocol,
      extensions,
      randomFill: this.#options.randomFill ?? secureRandomFill,
    })
    if (head.rest.length > 0) open.receive(head.rest)
    return { kind: 'open', connection: open, response }
  }

  #fail(error: HandshakeError): ClientHandshakeResult {
    this.#finished = true
    return { kind: 'failed', error }
  }
}

/** Parses and checks a WebSocket URL (RFC 6455 section 3). Throws SyntaxError when unusable. */
export function parseTarget(input: string): ClientTarget {
  if (typeof input !== 'string') throw new TypeError('url must be a string')
  let url: ReturnType<typeof parseUrl>
  try {
    url = parseUrl(input)
  } catch {
    throw new SyntaxError(`invalid URL: ${input}`)
  }
  const scheme = url.protocol
  if (scheme !== 'ws:' && scheme !== 'wss:' && scheme !== 'http:' && scheme !== 'https:') {
    throw new SyntaxError(`URL scheme must be ws: or wss:, got ${scheme}`)
  }
  if (url.hash !== '' || input.includes('#')) throw new SyntaxError('a WebSocket URL may not have a fragment')
  if (url.hostname === '') throw new SyntaxError(`URL has no host: ${input}`)
  const secure = scheme === 'wss:' || scheme === 'https:'
  const hostname =
    url.hostname.startsWith('[') && url.hostname.endsWith(']') ? url.hostname.slice(1, -1) : url.hostname
  return {
    secure,
    hostname,
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    host: url.host,
    resource: `${url.pathname || '/'}${url.search}`,
  }
}

/** `Basic` credentials (UTF-8) from the URL's user information, if any. */
export function basicAuthorization(input: string): string | undefined {
  const url = parseUrl(input)
  if (url.username === '' && url.password === '') return undefined
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
  return `Basic ${base64Encode(encodeUtf8(credentials))}`
}
