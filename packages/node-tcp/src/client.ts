/**
 * The client: opens the transport, runs @ws/proto's ClientHandshake over it within a deadline,
 * and resolves with an open Connection, or rejects with a ConnectError that says what failed.
 */
import { connect as netConnect } from 'node:net'
import type { Duplex } from 'node:stream'
import {
  ClientHandshake,
  type ExtensionFactory,
  type HandshakeError,
  type HeaderInput,
  PerMessageDeflate,
  type PerMessageDeflateOptions,
  parseTarget,
} from '@ws/proto'
import { Connection } from './connection.ts'
import { coreOptions, resolveSocketOptions, type SocketOptions } from './options.ts'

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
  signal?: AbortSignal
}

/** Where a client connects: what `open` in `connectWith` receives. */
export interface ConnectTarget {
  host: string
  port: number
  secure: boolean
}

export type OpenTransport = (target: ConnectTarget, signal: AbortSignal) => Promise<Duplex>

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

/** Turns a transport error into a ConnectError (used by @ws/node-tls as well). */
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

/** Opens a plain TCP connection. */
const openTcp: OpenTransport = (target, signal) =>
  new Promise((resolve, reject) => {
    const socket = netConnect({ host: target.host, port: target.port })
    const onAbort = (): void => {
      socket.destroy()
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort)
      socket.removeListener('error', reject)
      resolve(socket)
    })
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort)
      reject(error)
    })
  })

/** Connects to a ws:// URL. For wss:// use @ws/node-tls. */
export function connect(url: string | URL, options: ConnectOptions = {}): Promise<Connection> {
  const text = String(url)
  if (/^(wss|https):/i.test(text)) {
    return Promise.reject(new TypeError(`@ws/node-tcp connects to ws:// only; use @ws/node-tls for ${text}`))
  }
  return connectWith(text, options, openTcp)
}

/**
 * Connects over a transport that `open` makes (a TCP or TLS socket, or any duplex stream for
 * tests). Rejects with a ConnectError, or a TypeError/SyntaxError for bad arguments.
 */
export async function connectWith(
  url: string | URL,
  options: ConnectOptions,
  open: OpenTransport,
): Promise<Connection> {
  const text = String(url)
  const target = parseTarget(text)
  const socketOptions = resolveSocketOptions(options)
  const timeoutMs = options.handshakeTimeout ?? 10_000
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new RangeError(`handshakeTimeout must be a positive number, got ${String(timeoutMs)}`)
  }
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

  const controller = new AbortController()
  const timeout = new ConnectError(
    'timeout',
    'WS_ERR_HANDSHAKE_TIMEOUT',
    `cannot connect to ${text}: no WebSocket handshake within ${timeoutMs} ms`,
  )
  const timer = setTimeout(() => controller.abort(timeout), timeoutMs)
  const userSignal = options.signal
  const onUserAbort = (): void =>
    controller.abort(new ConnectError('aborted', 'ABORT_ERR', `connecting to ${text} was aborted`))
  if (userSignal?.aborted) onUserAbort()
  else userSignal?.addEventListener('abort', onUserAbort, { once: true })
  const cleanup = (): void => {
    clearTimeout(timer)
    userSignal?.removeEventListener('abort', onUserAbort)
  }

  let socket: Duplex
  try {
    if (controller.signal.aborted) throw controller.signal.reason
    socket = await open(
      { host: target.hostname, port: target.port, secure: target.secure },
      controller.signal,
    )
  } catch (error) {
    cleanup()
    throw networkError(text, error)
  }

  return new Promise<Connection>((resolve, reject) => {
    const fail = (error: ConnectError): void => {
      finish()
      socket.destroy()
      reject(error)
    }
    const onData = (chunk: Uint8Array): void => {
      const result = handshake.receive(chunk)
      if (result.kind === 'incomplete') return
      if (result.kind === 'failed') {
        fail(handshakeError(text, result.error))
        return
      }
      finish()
      resolve(new Connection(socket, result.connection, socketOptions))
    }
    const onError = (error: Error): void => fail(networkError(text, error))
    const onClose = (): void =>
      fail(
        new ConnectError(
          'network',
          'WS_ERR_CONNECTION_CLOSED',
          `cannot connect to ${text}: the server closed the connection during the handshake`,
        ),
      )
    const onAbort = (): void => fail(controller.signal.reason as ConnectError)
    const finish = (): void => {
      cleanup()
      controller.signal.removeEventListener('abort', onAbort)
      socket.removeListener('data', onData)
      socket.removeListener('error', onError)
      socket.removeListener('close', onClose)
      socket.removeListener('end', onClose)
    }
    controller.signal.addEventListener('abort', onAbort, { once: true })
    socket.on('data', onData)
    socket.on('error', onError)
    socket.on('close', onClose)
    socket.on('end', onClose)
    socket.write(handshake.request)
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
