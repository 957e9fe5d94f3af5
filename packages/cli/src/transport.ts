/** The one place that knows the adapters: ws:// is @ws/node-tcp, wss:// is @ws/node-tls. */
import { once } from 'node:events'
import { createServer as createTlsServer } from 'node:tls'
import { type Connection, connect as connectTcp, WebSocketServer } from '@ws/node-tcp'
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

export function openClient(url: URL, options: ClientOptions): Promise<WsConnection> {
  const common = {
    perMessageDeflate: options.perMessageDeflate,
    protocols: options.protocols,
    headers: options.headers,
    closeTimeout: options.closeTimeout,
  }
  if (url.protocol === 'wss:') return Promise.reject(new Error('wss:// is not available yet'))
  return connectTcp(url, common)
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
  host: string
  port: number
  /** Stops listening and closes every connection with `code`, waiting for them (bounded). */
  close(code: number, reason: string): Promise<void>
}

export async function startServer(options: ServerStartOptions): Promise<WsServer> {
  const server = new WebSocketServer({ perMessageDeflate: options.perMessageDeflate, limits: options.limits })
  server.on('connection', options.onConnection)
  if (options.tls === undefined) {
    const address = await server.listen(options.port, options.host)
    return { ...address, close: (code, reason) => server.close(code, reason) }
  }
  const secure = createTlsServer({ cert: options.tls.cert, key: options.tls.key })
  server.attach(secure, 'secureConnection')
  secure.listen(options.port, options.host)
  await once(secure, 'listening')
  const address = secure.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  return {
    host: options.host,
    port,
    close: async (code, reason) => {
      await server.close(code, reason)
      secure.close()
    },
  }
}
