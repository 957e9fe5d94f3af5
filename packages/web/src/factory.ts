/**
 * Binds the classes to a way of opening transports. A runtime's entry package calls
 * createWebSocketClasses once with its TCP/TLS opener and exports what it returns.
 *
 * Options: the object given to a constructor (`new WebSocket(url, { headers, ca, ... })`,
 * `new WebSocketStream(url, { signal, headers, ... })`) is merged over `defaults`; the driver
 * takes what it knows (headers, origin, perMessageDeflate, limits, handshakeTimeout,
 * closeTimeout, keepAlive, highWaterMark, readHighWaterMark, maxBufferedAmount...), and the
 * opener receives the whole merged object as its third argument, for what only it knows: TLS
 * options such as ca, cert, key, servername, rejectUnauthorized.
 */
import {
  type ByteTransport,
  type ConnectOptions,
  type ConnectTarget,
  connectWith,
  resolveSocketOptions,
} from '@ws/driver'
import type { Connector, DriverConnection } from './driver-types.ts'
import type { WebAbortSignal } from './globals.ts'
import { ADOPT, defineWebSocket, type WebSocketConstructor, type WebSocketInstance } from './websocket.ts'
import {
  ADOPT_STREAM,
  defineWebSocketStream,
  type WebSocketStreamConstructor,
  type WebSocketStreamInstance,
} from './websocket-stream.ts'

/** Opens a transport to `target`; `options` is the constructor's options object over the defaults. */
export type WebOpenTransport = (
  target: ConnectTarget,
  signal: WebAbortSignal,
  options: Readonly<Record<string, unknown>>,
) => Promise<ByteTransport>

/** Driver options plus anything the opener understands (TLS options...). */
export type WebSocketDefaults = Omit<ConnectOptions, 'protocols' | 'signal'> & Record<string, unknown>

/**
 * Opens a whole connection another way (e.g. over HTTP/2), or returns null to let the driver
 * run the HTTP/1.1 handshake over `open`. `options` is the merged options object with
 * `protocols` and `signal` added.
 */
export type WebConnect = (
  url: string,
  options: Readonly<Record<string, unknown>>,
) => Promise<DriverConnection> | null

export interface WebSocketClassesOptions {
  open: WebOpenTransport
  defaults?: WebSocketDefaults
  connect?: WebConnect
}

export interface WebSocketClasses {
  WebSocket: WebSocketConstructor
  WebSocketStream: WebSocketStreamConstructor
  /** Wraps an accepted (server) connection as one of this WebSocket class's objects. */
  websocketFromConnection(connection: DriverConnection, options?: { url?: string }): WebSocketInstance
  /** Wraps an accepted (server) connection as one of this WebSocketStream class's objects. */
  streamFromConnection(connection: DriverConnection, options?: { url?: string }): WebSocketStreamInstance
}

export function createWebSocketClasses(options: WebSocketClassesOptions): WebSocketClasses {
  const { open } = options
  const defaults = options.defaults ?? {}
  const connector: Connector = ({ url, protocols, init, signal }) => {
    const merged: Record<string, unknown> = { ...defaults, ...init }
    const connectOptions = { ...merged, protocols, signal } as ConnectOptions
    const custom = options.connect?.(url, connectOptions as Readonly<Record<string, unknown>>)
    if (custom) return custom
    return connectWith(url, connectOptions, (target, transportSignal) =>
      open(target, transportSignal as WebAbortSignal, merged),
    ) as Promise<DriverConnection>
  }
  // Bad option values throw from the constructor (a TypeError or RangeError).
  connector.check = (init) => {
    const merged: Record<string, unknown> = { ...defaults, ...init }
    resolveSocketOptions(merged)
    const timeout = merged.handshakeTimeout
    if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) {
      throw new RangeError(`handshakeTimeout must be a positive number, got ${String(timeout)}`)
    }
  }
  const WebSocket = defineWebSocket(connector)
  const WebSocketStream = defineWebSocketStream(connector)
  return {
    WebSocket,
    WebSocketStream,
    websocketFromConnection: (connection, adoptOptions = {}) =>
      new (WebSocket as unknown as new (...args: unknown[]) => WebSocketInstance)(
        ADOPT,
        connection,
        adoptOptions.url,
      ),
    streamFromConnection: (connection, adoptOptions = {}) =>
      new (WebSocketStream as unknown as new (...args: unknown[]) => WebSocketStreamInstance)(
        ADOPT_STREAM,
        connection,
        adoptOptions.url,
      ),
  }
}

let serverClasses: WebSocketClasses | undefined

/** Classes for wrapping accepted connections only: their constructors cannot open connections. */
function forServers(): WebSocketClasses {
  serverClasses ??= createWebSocketClasses({
    open: () => Promise.reject(new TypeError('these WebSocket classes only wrap accepted connections')),
  })
  return serverClasses
}

/**
 * Takes an accepted (server-side) connection as a WHATWG WebSocket. As with Deno's
 * upgradeWebSocket, the object starts CONNECTING and `open` fires in a task (so listeners added
 * right after this call see it); messages that arrived before follow it. `url` (the request's
 * URL, ws: or wss:) is what `url` returns and the origin of messages; without it `url` is ''
 * and the origin "null".
 */
export function websocketFromConnection(
  connection: DriverConnection,
  options: { url?: string } = {},
): WebSocketInstance {
  return forServers().websocketFromConnection(connection, options)
}

/** Takes an accepted (server-side) connection as a WebSocketStream whose `opened` is resolved. */
export function streamFromConnection(
  connection: DriverConnection,
  options: { url?: string } = {},
): WebSocketStreamInstance {
  return forServers().streamFromConnection(connection, options)
}
