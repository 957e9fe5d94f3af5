/** Options of a connection (client and server), with their defaults and checks. */
import {
  type ExtensionFactory,
  type Limits,
  PerMessageDeflate,
  type PerMessageDeflateOptions,
} from '@ws/proto'

export interface SocketOptions {
  /** @ws/proto limits: maxMessageSize, maxFrameSize (16 MiB each by default), and the rest. */
  limits?: Partial<Limits>
  /** Answer pings automatically (default true). */
  autoPong?: boolean
  /** Split outgoing messages into frames of at most this many bytes (default: never). */
  fragmentSize?: number
  /**
   * Milliseconds to wait, once our close frame is sent (or the server has ended the socket),
   * for the peer to finish the close; then the socket is destroyed. Default 5000.
   */
  closeTimeout?: number
  /**
   * Ping when nothing has been received for `interval` ms; if nothing (pong or anything else)
   * arrives within `timeout` ms (default: `interval`), fail the connection with 1011.
   */
  keepAlive?: { interval: number; timeout?: number }
  /** `send*()` returns false once `bufferedAmount` reaches this many bytes (default 1 MiB). */
  highWaterMark?: number
  /** `send*()` throws `WS_ERR_SEND_BUFFER_FULL` while `bufferedAmount` is over this (default 64 MiB). */
  maxBufferedAmount?: number
  /** Undelivered events at which reading from the socket pauses (default 64); it resumes at half. */
  readHighWaterMark?: number
  /**
   * Makes the buffers for joined messages and large frames (default: zero-filled
   * `new Uint8Array(size)`). The core overwrites every byte it is given, so a Node adapter can
   * pass `Buffer.allocUnsafe` to skip the zero fill. Must return a Uint8Array of `size` bytes.
   */
  allocate?: (size: number) => Uint8Array
}

export interface ResolvedSocketOptions {
  limits: Partial<Limits>
  autoPong: boolean
  fragmentSize: number | undefined
  closeTimeout: number
  keepAliveInterval: number
  keepAliveTimeout: number
  highWaterMark: number
  maxBufferedAmount: number
  readHighWaterMark: number
  allocate: ((size: number) => Uint8Array) | undefined
}

/** A client's or server's `handshakeTimeout` option: a positive number of ms, 10000 by default. */
export function resolveHandshakeTimeout(value: number | undefined): number {
  return positive(value ?? undefined, 'handshakeTimeout', 10_000)
}

function positive(value: unknown, what: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(
      `${what} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}`,
    )
  }
  return value
}

function allocator(value: unknown): ((size: number) => Uint8Array) | undefined {
  if (value === undefined || typeof value === 'function')
    return value as ((size: number) => Uint8Array) | undefined
  throw new TypeError(`allocate must be a function, got ${typeof value}`)
}

export function resolveSocketOptions(options: SocketOptions): ResolvedSocketOptions {
  const keepAlive = options.keepAlive
  const interval = keepAlive === undefined ? 0 : positive(keepAlive.interval, 'keepAlive.interval', 0)
  return {
    limits: options.limits ?? {},
    autoPong: options.autoPong ?? true,
    fragmentSize: options.fragmentSize,
    closeTimeout: positive(options.closeTimeout, 'closeTimeout', 5000),
    keepAliveInterval: interval,
    keepAliveTimeout:
      keepAlive === undefined ? 0 : positive(keepAlive.timeout, 'keepAlive.timeout', interval),
    highWaterMark: positive(options.highWaterMark, 'highWaterMark', 1024 * 1024, true),
    maxBufferedAmount: positive(options.maxBufferedAmount, 'maxBufferedAmount', 64 * 1024 * 1024),
    readHighWaterMark: Math.max(1, Math.floor(positive(options.readHighWaterMark, 'readHighWaterMark', 64))),
    allocate: allocator(options.allocate),
  }
}

/** The @ws/proto connection options that come from socket options. */
export function coreOptions(options: ResolvedSocketOptions): {
  limits: Partial<Limits>
  autoPong: boolean
  deferCloseReply: boolean
  fragmentSize?: number
  allocate?: (size: number) => Uint8Array
} {
  return {
    limits: options.limits,
    // The pump answers pings itself, so that a peer that pings without reading cannot make pongs
    // pile up in the socket's buffer (see Connection.answerPing).
    autoPong: false,
    // The pump answers the peer's close once the application has seen the events before it.
    deferCloseReply: true,
    ...(options.fragmentSize === undefined ? {} : { fragmentSize: options.fragmentSize }),
    ...(options.allocate === undefined ? {} : { allocate: options.allocate }),
  }
}

/** permessage-deflate (on unless `false`), with its options when an object. */
export function deflateFactories(option: boolean | PerMessageDeflateOptions | undefined): ExtensionFactory[] {
  const deflate = option ?? true
  return deflate === false ? [] : [new PerMessageDeflate(deflate === true ? {} : deflate)]
}
