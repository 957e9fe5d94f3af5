/**
 * The ws:// client: opens a TCP socket and runs @ws/driver's client handshake over it.
 */
import { connect as netConnect } from 'node:net'
import type { Duplex } from 'node:stream'
import {
  type ConnectOptions,
  type ConnectTarget,
  connectWith as driverConnectWith,
  type OpenTransport as OpenByteTransport,
} from '@ws/driver'
import { allocateUnfilled } from './allocate.ts'
import { type Connection, makeConnection } from './connection.ts'
import { openProxyTunnel } from './proxy.ts'
import { SocketTransport } from './socket-transport.ts'

export {
  ConnectError,
  type ConnectErrorKind,
  type ConnectOptions,
  type ConnectTarget,
  networkError,
} from '@ws/driver'

/** Opens a Node duplex stream (a socket) to the target; see `connectWith`. */
export type OpenTransport = (target: ConnectTarget, signal: AbortSignal) => Promise<Duplex>

/** Opens a plain TCP connection. */
export const openTcp: OpenTransport = (target, signal) =>
  new Promise((resolve, reject) => {
    const socket = netConnect({ host: target.host, port: target.port })
    const onAbort = (): void => {
      socket.removeListener('error', onError)
      socket.destroy()
      reject(signal.reason)
    }
    // Removed once connected: a listener left on the socket would keep the signal (and its
    // controller) alive for as long as the connection lives.
    const onError = (error: Error): void => {
      signal.removeEventListener('abort', onAbort)
      reject(error)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort)
      socket.removeListener('error', onError)
      resolve(socket)
    })
    socket.once('error', onError)
  })

/** Turns a Node-socket opener into a @ws/driver byte-transport opener. */
export function socketOpener(open: OpenTransport): OpenByteTransport {
  return async (target, signal) => new SocketTransport(await open(target, signal as AbortSignal))
}

/** Opens a TCP connection as a @ws/driver byte transport. */
export const openTcpTransport: OpenByteTransport = socketOpener(openTcp)

/** Options of connect(): the driver's, and a proxy. */
export interface TcpConnectOptions extends ConnectOptions {
  /**
   * An http:// or https:// proxy to tunnel through with CONNECT (credentials in the URL are
   * sent as Proxy-Authorization: Basic). Environment variables are not read here; see
   * proxyForUrl() to honour HTTP_PROXY and NO_PROXY.
   */
  proxy?: string | URL
}

/** A Node-socket opener that goes through `proxy` when one is given. */
export function proxiedOpener(proxy: string | URL | undefined): OpenTransport {
  if (proxy === undefined) return openTcp
  return (target, signal) => openProxyTunnel(proxy, target, { signal })
}

/** Connects to a ws:// URL (through `options.proxy` when given). For wss:// use @ws/node-tls. */
export function connect(url: string | URL, options: TcpConnectOptions = {}): Promise<Connection> {
  const text = String(url)
  if (/^(wss|https):/i.test(text)) {
    return Promise.reject(new TypeError(`@ws/node-tcp connects to ws:// only; use @ws/node-tls for ${text}`))
  }
  const { proxy, ...rest } = options
  return connectWith(text, rest, proxiedOpener(proxy))
}

/**
 * Connects over a Node duplex stream that `open` makes (a TCP or TLS socket, or any duplex
 * stream for tests). Rejects with a ConnectError, or a TypeError/SyntaxError for bad arguments.
 */
export function connectWith(
  url: string | URL,
  options: ConnectOptions,
  open: OpenTransport,
): Promise<Connection> {
  return driverConnectWith(
    String(url),
    { allocate: allocateUnfilled, ...options },
    socketOpener(open),
    makeConnection,
  ) as Promise<Connection>
}
