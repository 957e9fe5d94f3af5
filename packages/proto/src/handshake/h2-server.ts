/**
 * The server's opening handshake over HTTP/2 (RFC 8441 sections 4 and 5): checks an extended
 * CONNECT request's field section and answers 200 (no key, no accept value) or an error status.
 * Subprotocol and extension negotiation are the HTTP/1.1 handshake's.
 *
 * Statuses: a malformed request (RFC 9113 section 8.1.1) and a bad WebSocket field get 400. A
 * wrong Sec-WebSocket-Version also gets 400 with `sec-websocket-version: 13`: the 426 of RFC 6455
 * needs an Upgrade field, which HTTP/2 forbids. A method other than CONNECT gets 405 with
 * `allow: CONNECT`; a CONNECT for a tunnel (no `:protocol`) or for a protocol other than
 * websocket gets 501, as RFC 9220 section 3 says for unknown protocols.
 */
import { type ConnectionOptions, WebSocketConnection } from '../connection.ts'
import { HandshakeError, InvalidStateError } from '../errors.ts'
import type { ExtensionFactory } from '../extension.ts'
import { checkH2Headers, type H2Fields, splitFields } from './h2-fields.ts'
import type { HeaderInput } from './http-write.ts'
import { agree, readOffers } from './negotiate.ts'
import type { AcceptOptions, UpgradeRequest } from './server.ts'

export interface H2ServerHandshakeOptions {
  /** Extensions the server supports, in order of preference. */
  extensions?: readonly ExtensionFactory[]
  /** Options for the connections this handshake opens. */
  connection?: Omit<ConnectionOptions, 'role' | 'extensions' | 'protocol'>
}

/**
 * A valid extended CONNECT request for a WebSocket. It has the shape of the HTTP/1.1
 * `UpgradeRequest`, so the same application hooks serve both: `method` is 'CONNECT', `target`
 * and `resource` are `:path`, `host` is `:authority`, `key` is '' (HTTP/2 has none), and
 * `headers` holds the regular fields.
 */
export interface H2UpgradeRequest extends UpgradeRequest {
  /** `:scheme`: 'https' (wss) or 'http' (ws). */
  readonly scheme: string
}

/** A response to send: the fields (`:status` first) and, for an error, a short text body. */
export interface H2Response {
  readonly status: number
  readonly headers: H2Fields
  readonly body: string
}

export type H2ServerHandshakeResult =
  | { readonly kind: 'request'; readonly request: H2UpgradeRequest }
  /** The request was invalid: send `response` (it carries the right status), then end the stream. */
  | { readonly kind: 'rejected'; readonly error: HandshakeError; readonly response: H2Response }

const RESERVED = new Set([
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'sec-websocket-version',
  'content-length',
])

const REQUEST_PSEUDO: ReadonlySet<string> = new Set(['method', 'scheme', 'path', 'authority', 'protocol'])

export class H2ServerHandshake {
  readonly #options: H2ServerHandshakeOptions
  #request: H2UpgradeRequest | undefined
  #finished = false

  constructor(options: H2ServerHandshakeOptions = {}) {
    this.#options = options
  }

  /** Checks a request's fields (pseudo-header fields first), as the HTTP/2 library received them. */
  receive(fields: Iterable<readonly [string, string]>): H2ServerHandshakeResult {
    if (this.#request !== undefined || this.#finished)
      throw new InvalidStateError('the request was already read')
    const reject = (httpStatus: number, code: string, message: string): H2ServerHandshakeResult =>
      this.#rejectWith(new HandshakeError(code, message, { httpStatus }))
    const split = splitFields(fields, REQUEST_PSEUDO)
    if (typeof split === 'string') return reject(400, 'WS_ERR_INVALID_REQUEST', `malformed request: ${split}`)
    const { pseudo, headers } = split
    const method = pseudo.get('method')
    const protocol = pseudo.get('protocol')
    if (method === undefined || method === '') {
      return reject(400, 'WS_ERR_INVALID_REQUEST', 'malformed request: no :method')
    }
    if (method !== 'CONNECT') {
      if (protocol !== undefined) {
        return reject(400, 'WS_ERR_INVALID_REQUEST', `malformed request: :protocol on a ${method} request`)
      }
      return reject(405, 'WS_ERR_INVALID_METHOD', `method ${method} is not CONNECT`)
    }
    if (protocol === undefined) {
      return reject(501, 'WS_ERR_INVALID_PROTOCOL_PSEUDO', 'CONNECT tunnels are not implemented here')
    }
    if (protocol.toLowerCase() !== 'websocket') {
      return reject(501, 'WS_ERR_INVALID_PROTOCOL_PSEUDO', `protocol '${protocol}' is not supported`)
    }
    const scheme = pseudo.get('scheme')
    const path = pseudo.get('path')
    const authority = pseudo.get('authority')
    if (scheme === undefined || path === undefined || authority === undefined || authority === '') {
      return reject(
        400,
        'WS_ERR_INVALID_REQUEST',
        'malformed request: extended CONNECT needs :scheme, :path and :authority',
      )
    }
    if (scheme !== 'https' && scheme !== 'http') {
      return reject(400, 'WS_ERR_INVALID_TARGET', `:scheme must be https or http, got '${scheme}'`)
    }
    if (!path.startsWith('/')) return reject(400, 'WS_ERR_INVALID_TARGET', `invalid :path '${path}'`)
    const hosts = headers.getAll('host')
    if (hosts.length > 1 || (hosts.length === 1 && hosts[0].toLowerCase() !== authority.toLowerCase())) {
      return reject(400, 'WS_ERR_INVALID_HOST', 'the host field differs from :authority')
    }
    const versions = headers.getAll('sec-websocket-version')
    if (versions.length !== 1 || versions[0] !== '13') {
      return reject(400, 'WS_ERR_UNSUPPORTED_VERSION', 'only WebSocket version 13 is supported')
    }
    const offers = readOffers(headers)
    if ('code' in offers) return reject(400, offers.code, offers.message)
    const request: H2UpgradeRequest = {
      method,
      target: path,
      resource: path,
      host: authority,
      origin: headers.get('origin'),
      key: '',
      protocols: offers.protocols,
      extensions: offers.extensions,
      headers,
      scheme,
    }
    this.#request = request
    return { kind: 'request', request }
  }

  /** Accepts the request: the 200 response's fields, and the open connection. */
  accept(options: AcceptOptions = {}): { headers: H2Fields; connection: WebSocketConnection } {
    const request = this.#request
    if (request === undefined || this.#finished) {
      throw new InvalidStateError('accept() needs a valid request that was not yet answered')
    }
    const { protocol, extensionHeader, extensions } = agree(
      request,
      options.protocol,
      this.#options.extensions ?? [],
    )
    const extra = checkH2Headers(options.headers, RESERVED)
    const fields: [string, string][] = [[':status', '200']]
    if (protocol !== '') fields.push(['sec-websocket-protocol', protocol])
    if (extensionHeader !== '') fields.push(['sec-websocket-extensions', extensionHeader])
    fields.push(...extra)
    this.#finished = true
    const connection = new WebSocketConnection({
      ...this.#options.connection,
      role: 'server',
      protocol,
      extensions,
    })
    return { headers: fields, connection }
  }

  /** Declines a valid request (e.g. origin not allowed): the response to send before ending the stream. */
  reject(status: number, options: { headers?: HeaderInput; body?: string } = {}): H2Response {
    if (this.#finished) throw new InvalidStateError('the request was already answered')
    if (!Number.isInteger(status) || status < 300 || status > 599) {
      throw new RangeError(`reject() needs an error status 300-599, got ${String(status)}`)
    }
    const extra = checkH2Headers(options.headers, RESERVED)
    this.#finished = true
    return errorResponse(status, options.body ?? '', extra)
  }

  #rejectWith(error: HandshakeError): H2ServerHandshakeResult {
    this.#finished = true
    const status = error.httpStatus ?? 400
    const extra: [string, string][] = []
    if (error.code === 'WS_ERR_UNSUPPORTED_VERSION') extra.push(['sec-websocket-version', '13'])
    if (status === 405) extra.push(['allow', 'CONNECT'])
    return { kind: 'rejected', error, response: errorResponse(status, error.message, extra) }
  }
}

/** An error response with a short plain-text body. */
function errorResponse(
  status: number,
  body: string,
  fields: readonly (readonly [string, string])[],
): H2Response {
  // The caller's content-type, if it gave one, replaces the default (as over HTTP/1.1).
  const typed = fields.some(([name]) => name === 'content-type')
  return {
    status,
    headers: [
      [':status', String(status)],
      ...(typed ? [] : ([['content-type', 'text/plain; charset=utf-8']] as const)),
      ...fields,
    ],
    body,
  }
}
