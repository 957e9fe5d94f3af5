/**
 * The server: accepts sockets (from its own listener, any net.Server such as a tls.Server, or
 * node:http's 'upgrade' event), runs @ws/proto's ServerHandshake on each within a deadline,
 * asks the application's hooks, and emits 'connection' with an open Connection.
 */
import { EventEmitter } from 'node:events'
import type { IncomingMessage } from 'node:http'
import { createServer as createNetServer, type Server as NetServer } from 'node:net'
import type { Duplex } from 'node:stream'
import {
  Acceptor,
  type Connection as DriverConnection,
  type PreparedMessage,
  type ServerOptions,
} from '@ws/driver'
import type { UpgradeRequest } from '@ws/proto'
import { allocateUnfilled } from './allocate.ts'
import { type Connection, makeConnection } from './connection.ts'
import { SocketTransport } from './socket-transport.ts'

export type { ServerOptions, VerifyClientResult } from '@ws/driver'

export interface ServerAddress {
  host: string
  port: number
}

/** The events a WebSocketServer emits. */
export interface ServerEvents {
  /** A handshake succeeded: the open connection and the request it answered. */
  connection: [connection: Connection, request: UpgradeRequest]
}

export class WebSocketServer extends EventEmitter<ServerEvents> {
  private readonly acceptor: Acceptor
  private readonly attached: { server: NetServer; event: string; listener: (socket: Duplex) => void }[] = []
  private readonly onConnection = (connection: DriverConnection, request: UpgradeRequest): void => {
    this.emit('connection', connection as Connection, request)
  }

  constructor(options: ServerOptions = {}) {
    super()
    this.acceptor = new Acceptor({ allocate: allocateUnfilled, ...options }, makeConnection)
  }

  /** Open connections. */
  get connections(): ReadonlySet<Connection> {
    return this.acceptor.connections as ReadonlySet<Connection>
  }

  /** Listens on TCP (default 127.0.0.1, port 0 for an ephemeral port); resolves with the address. */
  listen(port = 0, host = '127.0.0.1'): Promise<ServerAddress> {
    return this.listenOn(createNetServer(), 'connection', port, host)
  }

  /** Listens with a server made elsewhere (used for TLS); resolves with the address. */
  protected listenOn(server: NetServer, event: string, port: number, host: string): Promise<ServerAddress> {
    this.attach(server, event)
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.removeListener('error', reject)
        resolve(this.address() as ServerAddress)
      })
    })
  }

  /** Serves the sockets `server` emits under `event` ('connection'; 'secureConnection' for TLS). */
  attach(server: NetServer, event = 'connection'): this {
    const listener = (socket: Duplex): void => this.handleSocket(socket)
    server.on(event, listener)
    this.attached.push({ server, event, listener })
    return this
  }

  /** The first listening address, or null. */
  address(): ServerAddress | null {
    for (const { server } of this.attached) {
      const address = server.address()
      if (address !== null && typeof address === 'object')
        return { host: address.address, port: address.port }
    }
    return null
  }

  /** Takes over a raw socket: reads and answers the HTTP upgrade with @ws/proto's parser. */
  handleSocket(socket: Duplex): void {
    if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true)
    void this.acceptor.accept(new SocketTransport(socket), this.onConnection)
  }

  /**
   * Takes over a request node:http parsed (its 'upgrade' event). Resolves with the connection,
   * or null when the request was refused (the socket then carries the error response).
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Uint8Array): Promise<Connection | null> {
    const headers: [string, string][] = []
    const raw = request.rawHeaders
    for (let index = 0; index + 1 < raw.length; index += 2)
      headers.push([raw[index] as string, raw[index + 1] as string])
    const parsed = {
      head: {
        method: request.method ?? '',
        target: request.url ?? '',
        httpVersion: request.httpVersion,
        headers,
      },
      rest: head,
    }
    return this.acceptor.accept(
      new SocketTransport(socket),
      this.onConnection,
      parsed,
    ) as Promise<Connection | null>
  }

  /**
   * Sends one message to every open connection (or those `filter` accepts), encoding it once
   * (see @ws/driver's Acceptor.broadcast). Returns how many connections it was sent to.
   */
  broadcast(
    data: string | Uint8Array | PreparedMessage,
    options: { filter?: (connection: Connection) => boolean } = {},
  ): number {
    const filter = options.filter
    return this.acceptor.broadcast(
      data,
      filter === undefined ? {} : { filter: (connection) => filter(connection as Connection) },
    )
  }

  /** Stops listening, closes every connection with `code` (default 1001), waits for them to end. */
  async close(code = 1001, reason = ''): Promise<void> {
    const stopped = this.attached.map(
      ({ server, event, listener }) =>
        new Promise<void>((resolve) => {
          server.removeListener(event, listener)
          if (!server.listening) resolve()
          else server.close(() => resolve())
        }),
    )
    await Promise.all([this.acceptor.close(code, reason), ...stopped])
  }
}

/** A WebSocketServer, with an optional 'connection' listener. */
export function createServer(
  options: ServerOptions = {},
  onConnection?: (connection: Connection, request: UpgradeRequest) => void,
): WebSocketServer {
  const server = new WebSocketServer(options)
  if (onConnection) server.on('connection', onConnection)
  return server
}
