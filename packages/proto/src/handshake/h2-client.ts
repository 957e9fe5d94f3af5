/**
 * The client's opening handshake over HTTP/2 (RFC 8441 sections 4 and 5): the extended CONNECT
 * request's field section, then the check of the response's fields. There is no key and no
 * accept value; subprotocol and extension negotiation are the HTTP/1.1 handshake's.
 */
import { type ConnectionOptions, WebSocketConnection } from '../connection.ts'
import { HandshakeError, type HttpResponseInfo, InvalidStateError } from '../errors.ts'
import type { ExtensionFactory } from '../extension.ts'
import type { RandomFill } from '../random-pool.ts'
import { secureRandomFill } from '../web.ts'
import { basicAuthorization, type ClientTarget, parseTarget } from './client.ts'
import { checkH2Headers, type H2Fields, splitFields } from './h2-fields.ts'
import type { HeaderInput } from './http-write.ts'
import { checkAgreement, checkProtocolOffer, offerHeader } from './negotiate.ts'

export interface H2ClientHandshakeOptions {
  /** ws://, wss:// (or http://, https://) URL; a fragment is not allowed. */
  url: string
  /** Subprotocols to offer, in order of preference (each a token, no duplicates). */
  protocols?: readonly string[]
  /** Extensions to offer. */
  extensions?: readonly ExtensionFactory[]
  /**
   * Extra request fields (names are sent in lower case). `host` sets `:authority`; the
   * handshake's own fields and HTTP/1.1 connection fields may not be given.
   */
  headers?: HeaderInput
  /** Sent as the `origin` field. */
  origin?: string
  /** Source of masking keys. Default: `globalThis.crypto.getRandomValues`. */
  randomFill?: RandomFill
  /** Options for the connection this handshake opens. */
  connection?: Omit<ConnectionOptions, 'role' | 'extensions' | 'protocol' | 'randomFill'>
}

export type H2ClientHandshakeResult =
  | {
      readonly kind: 'open'
      readonly connection: WebSocketConnection
      /** The response's status and regular fields. */
      readonly response: HttpResponseInfo
    }
  | { readonly kind: 'failed'; readonly error: HandshakeError }

const RESERVED = new Set([
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
])

const RESPONSE_PSEUDO: ReadonlySet<string> = new Set(['status'])

export class H2ClientHandshake {
  readonly target: ClientTarget
  /**
   * The request's fields, to send as one HEADERS frame on a new stream: `:method CONNECT`,
   * `:protocol websocket`, `:scheme`, `:path`, `:authority`, then the regular fields.
   */
  readonly headers: H2Fields
  readonly #protocols: readonly string[]
  readonly #factories: readonly ExtensionFactory[]
  readonly #options: H2ClientHandshakeOptions
  #finished = false

  constructor(options: H2ClientHandshakeOptions) {
    this.#options = options
    this.target = parseTarget(options.url)
    this.#protocols = checkProtocolOffer(options.protocols)
    this.#factories = [...(options.extensions ?? [])]
    const extra = checkH2Headers(options.headers, RESERVED)
    const hostOverride = extra.find(([name]) => name === 'host')
    const fields: [string, string][] = [
      [':method', 'CONNECT'],
      [':protocol', 'websocket'],
      [':scheme', this.target.secure ? 'https' : 'http'],
      [':path', this.target.resource],
      [':authority', hostOverride ? hostOverride[1] : this.target.host],
      ['sec-websocket-version', '13'],
    ]
    if (options.origin !== undefined) fields.push(...checkH2Headers([['origin', options.origin]], RESERVED))
    if (this.#protocols.length > 0) fields.push(['sec-websocket-protocol', this.#protocols.join(', ')])
    const offer = offerHeader(this.#factories)
    if (offer !== '') fields.push(['sec-websocket-extensions', offer])
    const authorization = basicAuthorization(options.url)
    if (authorization && !extra.some(([name]) => name === 'authorization')) {
      fields.push(['authorization', authorization])
    }
    for (const field of extra) if (field !== hostOverride) fields.push(field)
    this.headers = fields
  }

  /**
   * Checks the response's fields (with `:status`); on success, the stream carries the
   * connection's bytes both ways from now on.
   */
  receive(response: Iterable<readonly [string, string]>): H2ClientHandshakeResult {
    if (this.#finished) throw new InvalidStateError('the handshake is already over')
    this.#finished = true
    const fields = splitFields(response, RESPONSE_PSEUDO)
    if (typeof fields === 'string') {
      return fail(new HandshakeError('WS_ERR_INVALID_RESPONSE', `malformed HTTP/2 response: ${fields}`))
    }
    const statusText = fields.pseudo.get('status') ?? ''
    if (!/^[1-5][0-9][0-9]$/.test(statusText)) {
      return fail(
        new HandshakeError('WS_ERR_INVALID_RESPONSE', `malformed HTTP/2 response: :status '${statusText}'`),
      )
    }
    const info: HttpResponseInfo = {
      status: Number(statusText),
      statusText: '',
      headers: fields.headers.entries,
    }
    if (info.status !== 200) {
      return fail(
        new HandshakeError('WS_ERR_UNEXPECTED_STATUS', `expected status 200, got ${info.status}`, {
          response: info,
        }),
      )
    }
    let agreement: ReturnType<typeof checkAgreement>
    try {
      agreement = checkAgreement(fields.headers, this.#protocols, this.#factories)
    } catch (error) {
      const { code, message } = error as HandshakeError
      return fail(new HandshakeError(code, message, { response: info }))
    }
    const connection = new WebSocketConnection({
      ...this.#options.connection,
      role: 'client',
      protocol: agreement.protocol,
      extensions: agreement.extensions,
      randomFill: this.#options.randomFill ?? secureRandomFill,
    })
    return { kind: 'open', connection, response: info }
  }
}

function fail(error: HandshakeError): H2ClientHandshakeResult {
  return { kind: 'failed', error }
}
