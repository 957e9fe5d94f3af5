/**
 * The one place that knows the adapters: ws:// is @ws/node-tcp, wss:// is @ws/node-tls, HTTP/2
 * (RFC 8441, both ways) is @ws/node-h2.
 */
import { createSecureContext } from 'node:tls'
import type { Connection } from '@ws/driver'
import { connect as connectH2, H2WebSocketServer } from '@ws/node-h2'
import { connect as connectTcp, type ServerOptions, WebSocketServer } from '@ws/node-tcp'
import { connect as connectTls } from '@ws/node-tls'
import type { Limits, UpgradeRequest } from '@ws/proto'

/** A connection of any adapter (its transport's `info` has the remote address and port). */
export type WsConnection = Connection

export interface ClientOptions {
  perMessageDeflate: boolean
  protocols: string[]
  headers: [string, string][]
  closeTimeout: number
  /** wss:// only: the CA certificate(s) to trust, PEM. */
  ca: Buffer | undefined
  /** wss:// only: do not verify the server's certificate. */
  insecure: boolean
  origin?: string | undefined
  /** Milliseconds for the whole handshake. */
  handshakeTimeout?: number
  /** Ping after this many milliseconds of silence; no answer in as long again fails with 1011. */
  keepAlive?: number | undefined
  limits?: Partial<Limits>
  /** An http:// or https:// proxy to tunnel through with CONNECT (not with `h2`). */
  proxy?: string | undefined
  /** RFC 8441 only: TLS with ALPN h2 for wss://, h2c with prior knowledge for ws://; no fallback. */
  h2?: boolean
}

/** Opens a ws:// or wss:// connection; rejects with the adapter's ConnectError. */
export function openClient(url: URL, options: ClientOptions): Promise<WsConnection> {
  const common = {
    perMessageDeflate: options.perMessageDeflate,
    protocols: options.protocols,
    headers: options.headers,
    closeTimeout: options.closeTimeout,
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    ...(options.handshakeTimeout === undefined ? {} : { handshakeTimeout: options.handshakeTimeout }),
    ...(options.keepAlive === undefined ? {} : { keepAlive: { interval: options.keepAlive } }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  }
  if (options.h2 === true) {
    const tls =
      url.protocol === 'wss:'
        ? {
            ...(options.ca === undefined ? {} : { ca: options.ca }),
            ...(options.insecure ? { rejectUnauthorized: false } : {}),
          }
        : undefined
    return connectH2(url, { ...common, requireHttp2: true, ...(tls === undefined ? {} : { tls }) })
  }
  const proxy = options.proxy === undefined ? {} : { proxy: options.proxy }
  if (url.protocol !== 'wss:') return connectTcp(url, { ...common, ...proxy })
  return connectTls(url, {
    ...common,
    ...proxy,
    insecure: options.insecure,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  })
}

export interface ServerStartOptions {
  host: string
  port: number
  /** PEM certificate (chain) and key: serve wss:// over HTTP/2 and HTTP/1.1 (ALPN). */
  tls: { cert: Buffer; key: Buffer } | undefined
  /** Cleartext: also accept HTTP/2 with prior knowledge (h2c). */
  h2c?: boolean
  perMessageDeflate: boolean
  limits: Partial<Limits>
  onConnection: (connection: WsConnection, request: UpgradeRequest) => void
  /** Subprotocols we speak: the first the client offers that is in this list is chosen. */
  protocols?: string[]
  /** Ping after this many milliseconds of silence. */
  keepAlive?: number | undefined
  /** Refuses a request with a status and a text body, or accepts it (undefined). */
  refuse?: () => { status: number; body: string } | undefined
}

export interface WsServer {
  /** Listens on the host and port given; resolves with the address really bound. */
  listen(): Promise<{ host: string; port: number }>
  /** Stops listening and closes every connection with `code`, waiting for them (bounded). */
  close(code: number, reason: string): Promise<void>
  /** The open connections. */
  readonly connections: ReadonlySet<WsConnection>
  /**
   * Sends one message, encoded once, to every open connection `filter` accepts; one that is
   * over its buffer limit misses it. Returns how many it was sent to.
   */
  broadcast(data: string | Uint8Array, filter: (connection: WsConnection) => boolean): number
}

/** Makes the server; throws when the TLS certificate and key do not load or do not match. */
export function createServer(options: ServerStartOptions): WsServer {
  const protocols = options.protocols ?? []
  const refuse = options.refuse
  const common: ServerOptions = {
    perMessageDeflate: options.perMessageDeflate,
    limits: options.limits,
    ...(protocols.length === 0
      ? {}
      : { handleProtocols: (offered) => offered.find((protocol) => protocols.includes(protocol)) }),
    ...(options.keepAlive === undefined ? {} : { keepAlive: { interval: options.keepAlive } }),
    ...(refuse === undefined
      ? {}
      : {
          verifyClient: () => {
            const refusal = refuse()
            if (refusal === undefined) return true
            // The handshakes add Content-Type: text/plain themselves (on HTTP/1.1 and HTTP/2; the
            // HTTP/2 one refuses a Content-Type given here).
            return { status: refusal.status, body: refusal.body }
          },
        }),
  }
  const tls = options.tls
  if (tls === undefined && options.h2c !== true) {
    const server = new WebSocketServer(common)
    server.on('connection', options.onConnection)
    return {
      listen: () => server.listen(options.port, options.host),
      close: (code, reason) => server.close(code, reason),
      get connections() {
        return server.connections
      },
      broadcast: (data, filter) => server.broadcast(data, { filter }),
    }
  }
  // Fails now (not at listen) when the key does not match the certificate, as @ws/node-tls does.
  if (tls !== undefined) createSecureContext({ cert: tls.cert, key: tls.key })
  const server = new H2WebSocketServer(common)
  server.on('connection', options.onConnection)
  return {
    listen: () =>
      server.listen({
        port: options.port,
        host: options.host,
        ...(tls === undefined ? { h2c: true } : { tls: { cert: tls.cert, key: tls.key } }),
      }),
    close: (code, reason) => server.close(code, reason),
    get connections() {
      return server.connections
    },
    broadcast: (data, filter) => server.broadcast(data, { filter: (connection) => filter(connection) }),
  }
}
