/** The one place that knows the adapters: ws:// is @ws/node-tcp, wss:// is @ws/node-tls. */
import { type Connection, connect as connectTcp, type ServerOptions, WebSocketServer } from '@ws/node-tcp'
import { connect as connectTls, SecureWebSocketServer } from '@ws/node-tls'
import type { Limits, UpgradeRequest } from '@ws/proto'

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
  if (url.protocol !== 'wss:') return connectTcp(url, common)
  return connectTls(url, {
    ...common,
    insecure: options.insecure,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  })
}

export interface ServerStartOptions {
  host: string
  port: number
  /** PEM certificate (chain) and key: serve wss://. */
  tls: { cert: Buffer; key: Buffer } | undefined
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
            return {
              status: refusal.status,
              headers: [['Content-Type', 'text/plain; charset=utf-8']],
              body: refusal.body,
            }
          },
        }),
  }
  const server =
    options.tls === undefined
      ? new WebSocketServer(common)
      : new SecureWebSocketServer({ ...common, cert: options.tls.cert, key: options.tls.key })
  server.on('connection', options.onConnection)
  return {
    listen: () => server.listen(options.port, options.host),
    close: (code, reason) => server.close(code, reason),
    connections: server.connections,
  }
}
