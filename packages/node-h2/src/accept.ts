/**
 * The server side of RFC 8441 for one stream: runs @ws/proto's H2ServerHandshake on the
 * request's fields, asks the application's hooks (the same ServerOptions as @ws/driver's
 * Acceptor: verifyClient, handleProtocols, perMessageDeflate), and answers 200 with an open
 * Connection over the stream, or an error status.
 */
import { constants, type ServerHttp2Stream } from 'node:http2'
import {
  Connection,
  coreOptions,
  deflateFactories,
  type ResolvedSocketOptions,
  resolveHandshakeTimeout,
  resolveSocketOptions,
  type ServerOptions,
  screenRequest,
  type Verdict,
} from '@ws/driver'
import type { ExtensionFactory } from '@ws/proto'
import { type H2Response, H2ServerHandshake, type H2UpgradeRequest } from '@ws/proto/h2'
import { headersObject } from './fields.ts'
import { H2StreamTransport } from './stream-transport.ts'

/** Called with each connection whose handshake succeeded. */
export type OnH2Connection = (connection: Connection, request: H2UpgradeRequest) => void

export class H2Acceptor {
  private readonly options: ServerOptions
  private readonly socketOptions: ResolvedSocketOptions
  private readonly extensions: ExtensionFactory[]
  private readonly open = new Set<Connection>()
  /** Streams whose verifyClient promise is pending. */
  private readonly waiting = new Set<ServerHttp2Stream>()
  private readonly handshakeTimeout: number
  private closing = false

  constructor(options: ServerOptions = {}) {
    this.options = options
    this.socketOptions = resolveSocketOptions(options)
    this.extensions = deflateFactories(options.perMessageDeflate)
    this.handshakeTimeout = resolveHandshakeTimeout(options.handshakeTimeout)
  }

  /** Open connections. */
  get connections(): ReadonlySet<Connection> {
    return this.open
  }

  /**
   * Answers an extended CONNECT on `stream` (its fields as received, pseudo-header fields
   * first). Calls `onConnection` with the open connection, or answers the request with an error
   * status (the stream then ends). When `verifyClient` answers with a promise, the answer waits
   * for it, at most the handshake timeout (then the stream is reset with CANCEL); a stream that
   * the client resets meanwhile is dropped.
   */
  accept(
    stream: ServerHttp2Stream,
    fields: Iterable<readonly [string, string]>,
    onConnection: OnH2Connection,
  ): void {
    if (this.closing) {
      stream.close(constants.NGHTTP2_REFUSED_STREAM)
      return
    }
    const handshake = new H2ServerHandshake({
      extensions: this.extensions,
      connection: coreOptions(this.socketOptions),
    })
    const result = handshake.receive(fields)
    if (result.kind === 'rejected') {
      respondWith(stream, result.response)
      return
    }
    const request = result.request
    const verdict = screenRequest(this.options, request)
    if (!(verdict instanceof Promise)) {
      this.answer(stream, handshake, request, verdict, onConnection)
      return
    }
    // Data the client sends meanwhile stays in the stream's buffer (nothing reads it yet).
    this.waiting.add(stream)
    const drop = (): void => {
      clearTimeout(timer)
      this.waiting.delete(stream)
    }
    const timer = setTimeout(() => {
      drop()
      if (!stream.destroyed && !stream.closed) stream.close(constants.NGHTTP2_CANCEL)
    }, this.handshakeTimeout)
    stream.once('close', drop)
    void verdict.then((decided) => {
      // Timed out, reset by the client, or refused by close() meanwhile.
      if (!this.waiting.has(stream)) return
      stream.off('close', drop)
      drop()
      this.answer(stream, handshake, request, decided, onConnection)
    })
  }

  private answer(
    stream: ServerHttp2Stream,
    handshake: H2ServerHandshake,
    request: H2UpgradeRequest,
    verdict: Verdict,
    onConnection: OnH2Connection,
  ): void {
    if (!verdict.accept) {
      respondWith(
        stream,
        handshake.reject(verdict.status, {
          ...(verdict.headers === undefined ? {} : { headers: verdict.headers }),
          ...(verdict.body === undefined ? {} : { body: verdict.body }),
        }),
      )
      return
    }
    if (stream.destroyed || stream.closed) return
    const protocol = verdict.protocol
    const { headers, connection: core } = handshake.accept(protocol === undefined ? {} : { protocol })
    stream.respond(headersObject(headers))
    const connection = new Connection(new H2StreamTransport(stream), core, this.socketOptions)
    if (!connection.isFinished) {
      this.open.add(connection)
      connection.tracker = this.open
    }
    onConnection(connection, request)
  }

  /** Refuses new streams, closes every open connection with `code` (default 1001), waits for them. */
  async close(code = 1001, reason = ''): Promise<void> {
    this.closing = true
    for (const stream of this.waiting) {
      if (!stream.destroyed && !stream.closed) stream.close(constants.NGHTTP2_REFUSED_STREAM)
    }
    this.waiting.clear()
    for (const connection of this.open) {
      if (connection.state === 'open') connection.close(code, reason)
    }
    await Promise.all([...this.open].map((connection) => connection.closed))
  }
}

/** Sends an error response with its text body and ends the stream. */
export function respondWith(stream: ServerHttp2Stream, response: H2Response): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return
  stream.respond(headersObject(response.headers))
  stream.end(response.body)
}
