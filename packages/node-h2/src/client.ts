/**
 * The client: a WebSocket as one stream of the origin's shared HTTP/2 session (RFC 8441), or
 * over HTTP/1.1 when the server does not offer extended CONNECT (unless `requireHttp2`).
 */
import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2'
import { isIP } from 'node:net'
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls'
import {
  ConnectError,
  Connection,
  type ConnectOptions,
  type ConnectTarget,
  coreOptions,
  deflateFactories,
  networkError,
  resolveHandshakeTimeout,
  resolveSocketOptions,
} from '@ws/driver'
import { connectWith as connectHttp1, openTcp } from '@ws/node-tcp'
import { type HandshakeError, parseTarget } from '@ws/proto'
import { H2ClientHandshake } from '@ws/proto/h2'
import { fieldsFromRaw, headersObject } from './fields.ts'
import { defaultPool, type H2SessionPool, NoHttp2Error } from './session-pool.ts'
import { H2StreamTransport } from './stream-transport.ts'

export interface H2ConnectOptions extends ConnectOptions {
  /**
   * Fail (ConnectError code WS_ERR_H2_UNAVAILABLE) instead of falling back to HTTP/1.1 when the
   * server does not offer WebSockets over HTTP/2. Default false.
   */
  requireHttp2?: boolean
  /** Options for node:tls when connecting to wss:// (ca, cert, key, servername...). */
  tls?: ConnectionOptions
  /** The sessions to share (default: one pool for the process). */
  pool?: H2SessionPool
}

/**
 * Connects to a ws:// (h2c with prior knowledge) or wss:// (TLS, ALPN h2) URL with an
 * extended CONNECT on the origin's shared session. Rejects with a ConnectError.
 */
export async function connect(url: string | URL, options: H2ConnectOptions = {}): Promise<Connection> {
  const text = String(url)
  const target = parseTarget(text)
  const { requireHttp2, tls, pool = defaultPool, ...connectOptions } = options
  const socketOptions = resolveSocketOptions(connectOptions)
  const timeoutMs = resolveHandshakeTimeout(connectOptions.handshakeTimeout)
  const handshake = new H2ClientHandshake({
    url: text,
    extensions: deflateFactories(connectOptions.perMessageDeflate),
    connection: coreOptions(socketOptions),
    ...(connectOptions.protocols === undefined ? {} : { protocols: connectOptions.protocols }),
    ...(connectOptions.headers === undefined ? {} : { headers: connectOptions.headers }),
    ...(connectOptions.origin === undefined ? {} : { origin: connectOptions.origin }),
  })
  const connectTarget: ConnectTarget = { host: target.hostname, port: target.port, secure: target.secure }
  const key = pool.key(connectTarget, tls)
  const started = Date.now()
  const fallback = (reason: string, socket?: TLSSocket): Promise<Connection> => {
    if (requireHttp2) {
      socket?.destroy()
      throw new ConnectError(
        'handshake',
        'WS_ERR_H2_UNAVAILABLE',
        `cannot connect to ${text}: HTTP/2 extended CONNECT is not available (${reason})`,
      )
    }
    const remaining = Math.max(1, timeoutMs - (Date.now() - started))
    const open =
      socket !== undefined
        ? async () => socket
        : target.secure
          ? () => openTlsHttp1(connectTarget, tls)
          : openTcp
    return connectHttp1(text, { ...connectOptions, handshakeTimeout: remaining }, open)
  }
  if (!requireHttp2 && pool.knownHttp1(key)) return fallback('known')

  const controller = new AbortController()
  const timer = setTimeout(
    () =>
      controller.abort(
        new ConnectError(
          'timeout',
          'WS_ERR_HANDSHAKE_TIMEOUT',
          `cannot connect to ${text}: no WebSocket handshake within ${timeoutMs} ms`,
        ),
      ),
    timeoutMs,
  )
  timer.unref()
  const userSignal = connectOptions.signal
  const onUserAbort = (): void =>
    controller.abort(new ConnectError('aborted', 'ABORT_ERR', `connecting to ${text} was aborted`))
  if (userSignal?.aborted) onUserAbort()
  else userSignal?.addEventListener('abort', onUserAbort, { once: true })
  const cleanup = (): void => {
    clearTimeout(timer)
    userSignal?.removeEventListener('abort', onUserAbort)
  }

  let stream: ClientHttp2Stream
  try {
    const session = await pool.session(key, connectTarget, tls, controller.signal)
    if (session.remoteSettings.enableConnectProtocol !== true) {
      pool.markHttp1(key)
      cleanup()
      return fallback('the server did not send SETTINGS_ENABLE_CONNECT_PROTOCOL')
    }
    stream = pool.request(session, headersObject(handshake.headers))
  } catch (error) {
    cleanup()
    if (error instanceof NoHttp2Error) {
      pool.markHttp1(key)
      return fallback(error.message, error.takeSocket())
    }
    throw networkError(text, error)
  }

  return new Promise<Connection>((resolve, reject) => {
    let settled = false
    const fail = (error: ConnectError): void => {
      if (settled) return
      finish()
      stream.on('error', () => {})
      stream.destroy()
      reject(error)
    }
    const onAbort = (): void => fail(controller.signal.reason as ConnectError)
    const onClose = (): void =>
      fail(
        new ConnectError(
          'network',
          stream.rstCode ? 'ERR_HTTP2_STREAM_RESET' : 'WS_ERR_CONNECTION_CLOSED',
          `cannot connect to ${text}: the server ${stream.rstCode ? `reset the stream (code ${stream.rstCode})` : 'closed the stream'} during the handshake`,
        ),
      )
    const onError = (error: unknown): void => fail(networkError(text, error))
    const onResponse = (_headers: IncomingHttpHeaders, _flags: number, raw: string[]): void => {
      if (settled) return
      const result = handshake.receive(fieldsFromRaw(raw))
      if (result.kind === 'failed') {
        fail(handshakeError(text, result.error))
        return
      }
      finish()
      resolve(new Connection(new H2StreamTransport(stream), result.connection, socketOptions))
    }
    const finish = (): void => {
      settled = true
      cleanup()
      controller.signal.removeEventListener('abort', onAbort)
      stream.removeListener('response', onResponse)
      stream.removeListener('close', onClose)
      stream.removeListener('error', onError)
    }
    if (controller.signal.aborted) {
      onAbort()
      return
    }
    controller.signal.addEventListener('abort', onAbort, { once: true })
    stream.on('response', onResponse)
    stream.on('close', onClose)
    stream.on('error', onError)
  })
}

/** Opens TLS with ALPN http/1.1 only, for the fallback to an HTTP/1.1 handshake. */
function openTlsHttp1(target: ConnectTarget, options: ConnectionOptions | undefined): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      ...options,
      host: target.host,
      port: target.port,
      ALPNProtocols: ['http/1.1'],
      ...(options?.servername === undefined && isIP(target.host) === 0 ? { servername: target.host } : {}),
    })
    socket.once('error', reject)
    socket.once('secureConnect', () => {
      socket.removeListener('error', reject)
      resolve(socket)
    })
  })
}

function handshakeError(url: string, error: HandshakeError): ConnectError {
  const response = error.response
  const detail =
    error.code === 'WS_ERR_UNEXPECTED_STATUS' && response
      ? `the server answered ${response.status}`
      : error.message
  return new ConnectError('handshake', error.code, `WebSocket handshake with ${url} failed: ${detail}`, {
    cause: error,
    ...(response
      ? { status: response.status, headers: response.headers.map(([n, v]) => [n, v] as [string, string]) }
      : {}),
  })
}
