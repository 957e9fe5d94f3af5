/**
 * The client handshake runner: opens a transport through the given function, runs @ws/proto's
 * ClientHandshake over it within a deadline, and resolves with an open Connection, or rejects
 * with a ConnectError that says what failed.
 */
import {
  ClientHandshake,
  type ExtensionFactory,
  type HandshakeError,
  type HeaderInput,
  PerMessageDeflate,
  type PerMessageDeflateOptions,
  parseTarget,
  type WebSocketConnection,
} from '@ws/proto'
import { Connection } from './connection.ts'
import {
  coreOptions,
  type ResolvedSocketOptions,
  resolveHandshakeTimeout,
  resolveSocketOptions,
  type SocketOptions,
} from './options.ts'
import { startTimeout, stopTimeout } from './timers.ts'
import type { ByteTransport, OpenTransport } from './transport.ts'
import { type AbortSignalLike, newAbortController } from './web.ts'

export interface ConnectOptions extends SocketOptions {
  /** Subprotocols to offer, in order of preference. */
  protocols?: string[]
  /** Extra request headers. */
  headers?: HeaderInput
  /** Sent as the Origin header. */
  origin?: string
  /** Offer permessage-deflate (default true), with these options when an object. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions
  /** Milliseconds for opening the transport and the whole handshake (default 10000). */
  handshakeTimeout?: number
  signal?: AbortSignalLike
}

export type ConnectErrorKind = 'network' | 'timeout' | 'handshake' | 'aborted'

/** Why connect() failed: `kind` says which stage, `code` the specific cause. */
export class ConnectError extends Error {
  readonly kind: ConnectErrorKind
  /** e.g. ECONNREFUSED, ENOTFOUND, a TLS code, WS_ERR_HANDSHAKE_TIMEOUT, or a HandshakeError code. */
  readonly code: string
  /** The HTTP status of a non-101 answer. */
  readonly status: number | undefined
  /** The response headers of a failed handshake. */
  readonly headers: [string, string][] | undefined
  constructor(
    kind: ConnectErrorKind,
    code: string,
    message: string,
    options: { cause?: unknown; status?: number; headers?: [string, string][] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ConnectError'
    this.kind = kind
    this.code = code
    this.status = options.status
    this.headers = options.headers
  }
}

/** Human words for the usual socket error codes. */
const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
}

/** Turns a transport error into a ConnectError (a ConnectError passes through unchanged). */
export function networkError(url: string, error: unknown): ConnectError {
  if (error instanceof ConnectError) return error
  const { code, reason } = (error ?? {}) as { code?: unknown; reason?: unknown }
  const codeText = typeof code === 'string' ? code : 'ERR_NETWORK'
  // OpenSSL errors carry a short `reason` beside a long multi-line message.
  const words =
    NETWORK_WORDS[codeText] ??
    (typeof reason === 'string' ? reason : error instanceof Error ? error.message : String(error))
  return new ConnectError('network', codeText, `cannot connect to ${url}: ${words} (${codeText})`, {
    cause: error,
  })
}

/** Makes the Connection object (a transport package may use a subclass of its own). */
export type MakeConnection = (
  transport: ByteTransport,
  core: WebSocketConnection,
  options: ResolvedSocketOptions,
) => Connection

const defaultMake: MakeConnection = (transport, core, options) => new Connection(transport, core, options)

/**
 * Connects over a transport that `open` makes (a TCP or TLS socket, WHATWG streams, an
 * in-memory pair...). Rejects with a ConnectError, or a TypeError/SyntaxError for bad arguments.
 */
export async function connectWith(
  url: string | { readonly href: string },
  options: ConnectOptions,
  open: OpenTransport,
  make: MakeConnection = defaultMake,
): Promise<Connection> {
  const text = String(url)
  const target = parseTarget(text)
  const socketOptions = resolveSocketOptions(options)
  const timeoutMs = resolveHandshakeTimeout(options.handshakeTimeout)
  const extensions: ExtensionFactory[] = []
  if (options.perMessageDeflate !== false) {
    extensions.push(
      new PerMessageDeflate(options.perMessageDeflate === true ? {} : (options.perMessageDeflate ?? {})),
    )
  }
  const handshake = new ClientHandshake({
    url: text,
    extensions,
    connection: coreOptions(socketOptions),
    ...(options.protocols === undefined ? {} : { protocols: options.protocols }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.origin === undefined ? {} : { origin: options.origin }),
  })

  const controller = newAbortController()
  const timeout = new ConnectError(
    'timeout',
    'WS_ERR_HANDSHAKE_TIMEOUT',
    `cannot connect to ${text}: no WebSocket handshake within ${timeoutMs} ms`,
  )
  const timer = startTimeout(() => controller.abort(timeout), timeoutMs)
  const userSignal = options.signal
  const onUserAbort = (): void =>
    controller.abort(new ConnectError('aborted', 'ABORT_ERR', `connecting to ${text} was aborted`))
  if (userSignal?.aborted) onUserAbort()
  else userSignal?.addEventListener('abort', onUserAbort, { once: true })
  const cleanup = (): void => {
    stopTimeout(timer)
    userSignal?.removeEventListener('abort', onUserAbort)
  }

  let transport: ByteTransport
  try {
    if (controller.signal.aborted) throw controller.signal.reason
    transport = await open(
      { host: target.hostname, port: target.port, secure: target.secure },
      controller.signal,
    )
  } catch (error) {
    cleanup()
    throw networkError(text, error)
  }
  if (controller.signal.aborted) {
    // Aborted (or timed out) just as the transport opened.
    cleanup()
    transport.destroy()
    throw controller.signal.reason
  }

  return new Promise<Connection>((resolve, reject) => {
    let settled = false
    const fail = (error: ConnectError): void => {
      if (settled) return
      finish()
      transport.destroy()
      reject(error)
    }
    const closedEarly = (error?: unknown): void =>
      fail(
        error === undefined
          ? new ConnectError(
              'network',
              'WS_ERR_CONNECTION_CLOSED',
              `cannot connect to ${text}: the server closed the connection during the handshake`,
            )
          : networkError(text, error),
      )
    const onAbort = (): void => fail(controller.signal.reason as ConnectError)
    const finish = (): void => {
      settled = true
      cleanup()
      controller.signal.removeEventListener('abort', onAbort)
    }
    controller.signal.addEventListener('abort', onAbort, { once: true })
    transport.attach({
      data(chunk) {
        if (settled) return
        const result = handshake.receive(chunk)
        if (result.kind === 'incomplete') return
        if (result.kind === 'failed') {
          fail(handshakeError(text, result.error))
          return
        }
        finish()
        resolve(make(transport, result.connection, socketOptions))
      },
      end: () => closedEarly(),
      closed: (error) => closedEarly(error),
      drain() {},
    })
    transport.write(handshake.request)
  })
}

function handshakeError(url: string, error: HandshakeError): ConnectError {
  const response = error.response
  const headers = response
    ? response.headers.map(([name, value]) => [name, value] as [string, string])
    : undefined
  const detail =
    error.code === 'WS_ERR_UNEXPECTED_STATUS' && response
      ? `the server answered ${response.status} ${response.statusText}`.trimEnd()
      : error.message
  return new ConnectError('handshake', error.code, `WebSocket handshake with ${url} failed: ${detail}`, {
    cause: error,
    ...(response ? { status: response.status } : {}),
    ...(headers ? { headers } : {}),
  })
}
