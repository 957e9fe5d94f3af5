/** The one place that knows the adapters: ws:// is @ws/node-tcp, wss:// is @ws/node-tls. */
import { type Connection, connect as connectTcp, WebSocketServer } from '@ws/node-tcp'
import { connect as connectTls, SecureWebSocketServer } from '@ws/node-tls'
import type { Limits } from '@ws/proto'

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
}

/** Opens a ws:// or wss:// connection; rejects with the adapter's ConnectError. */
export function openClient(url: URL, options: ClientOptions): Promise<WsConnection> {
  const common = {
    perMessageDeflate: options.perMessageDeflate,
    protocols: options.protocols,
    headers: options.headers,
    closeTimeout: options.closeTimeout,
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
  onConnection: (connection: WsConnection) => void
}

export interface WsServer {
  /** Listens on the host and port given; resolves with the address really bound. */
  listen(): Promise<{ host: string; port: number }>
  /** Stops listening and closes every connection with `code`, waiting for them (bounded). */
  close(code: number, reason: string): Promise<void>
}

/** Makes the server; throws when the TLS certificate and key do not load or do not match. */
export function createServer(options: ServerStartOptions): WsServer {
  const common = { perMessageDeflate: options.perMessageDeflate, limits: options.limits }
  const server =
    options.tls === undefined
      ? new WebSocketServer(common)
      : new SecureWebSocketServer({ ...common, cert: options.tls.cert, key: options.tls.key })
  server.on('connection', options.onConnection)
  return {
    listen: () => server.listen(options.port, options.host),
    close: (code, reason) => server.close(code, reason),
  }
}
