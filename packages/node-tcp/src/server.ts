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
  type ExtensionFactory,
  type HeaderInput,
  type HttpHeadLimits,
  PerMessageDeflate,
  type PerMessageDeflateOptions,
  ServerHandshake,
  type ServerHandshakeResult,
  type UpgradeRequest,
  type WebSocketConnection,
} from '@ws/proto'
import { Connection } from './connection.ts'
import {
  coreOptions,
  type ResolvedSocketOptions,
  resolveSocketOptions,
  type SocketOptions,
} from './options.ts'

export type VerifyClientResult = boolean | { status: number; headers?: HeaderInput; body?: string }

export interface ServerOptions extends SocketOptions {
  /** Accept permessage-deflate when offered (default true), with these options when an object. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions
  /** Picks a subprotocol from the client's offer; by default none is chosen. */
  handleProtocols?: (offered: readonly string[], request: UpgradeRequest) => string | undefined
  /** Accept (true) or refuse (false: 403, or the status given) a request, e.g. by its Origin. */
  verifyClient?: (request: UpgradeRequest) => VerifyClientResult
  /** Milliseconds a client has to send its whole request (default 10000). */
  handshakeTimeout?: number
  /** Limits on the request head (default 8 KiB lines, 100 fields, 16 KiB in all). */
  handshakeLimits?: Partial<HttpHeadLimits>
}

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
  private readonly options: ServerOptions
  private readonly socketOptions: ResolvedSocketOptions
  private readonly extensions: ExtensionFactory[]
  private readonly handshakeTimeout: number
  private readonly attached: { server: NetServer; event: string; listener: (socket: Duplex) => void }[] = []
  private readonly open = new Set<Connection>()
  private readonly handshaking = new Set<Duplex>()
  private closing = false

  constructor(options: ServerOptions = {}) {
    super()
    this.options = options
    this.socketOptions = resolveSocketOptions(options)
    this.handshakeTimeout = options.handshakeTimeout ?? 10_000
    if (!(Number.isFinite(this.handshakeTimeout) && this.handshakeTimeout > 0)) {
      throw new RangeError(
        `handshakeTimeout must be a positive number, got ${String(options.handshakeTimeout)}`,
      )
    }
    const deflate = options.perMessageDeflate ?? true
    this.extensions = deflate === false ? [] : [new PerMessageDeflate(deflate === true ? {} : deflate)]
  }

  /** Open connections. */
  get connections(): ReadonlySet<Connection> {
    return this.open
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
    const handshake = this.newHandshake()
    if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true)
    this.run(socket, handshake, (onResult) => {
      socket.on('data', (chunk: Uint8Array) => onResult(handshake.receive(chunk)))
    })
  }

  /**
   * Takes over a request node:http parsed (its 'upgrade' event). Resolves with the connection,
   * or null when the request was refused (the socket then carries the error response).
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Uint8Array): Promise<Connection | null> {
    const handshake = this.newHandshake()
    const pairs: [string, string][] = []
    const raw = request.rawHeaders
    for (let index = 0; index + 1 < raw.length; index += 2)
      pairs.push([raw[index] as string, raw[index + 1] as string])
    return new Promise((resolve) => {
      this.run(
        socket,
        handshake,
        (onResult) =>
          onResult(
            handshake.receiveParsed(
              {
                method: request.method ?? '',
                target: request.url ?? '',
                httpVersion: request.httpVersion,
                headers: pairs,
              },
              head,
            ),
          ),
        resolve,
      )
    })
  }

  /** Stops listening, closes every connection with `code` (default 1001), waits for them to end. */
  async close(code = 1001, reason = ''): Promise<void> {
    this.closing = true
    const stopped = this.attached.map(
      ({ server, event, listener }) =>
        new Promise<void>((resolve) => {
          server.removeListener(event, listener)
          if (!server.listening) resolve()
          else server.close(() => resolve())
        }),
    )
    for (const socket of this.handshaking) socket.destroy()
    for (const connection of this.open) {
      if (connection.state === 'open') connection.close(code, reason)
    }
    await Promise.all([...[...this.open].map((connection) => connection.closed), ...stopped])
  }

  /**
   * The open connection, tracked until it closes. A method of its own so that what the
   * tracking keeps alive is the connection only, not the handshake's scope (its parser, header
   * strings, timer and closures would otherwise live as long as the connection).
   */
  private adopt(socket: Duplex, core: WebSocketConnection): Connection {
    const connection = new Connection(socket, core, this.socketOptions)
    this.open.add(connection)
    connection.closed.then(() => this.open.delete(connection))
    return connection
  }

  private newHandshake(): ServerHandshake {
    return new ServerHandshake({
      extensions: this.extensions,
      connection: coreOptions(this.socketOptions),
      ...(this.options.handshakeLimits === undefined
        ? {}
        : { handshakeLimits: this.options.handshakeLimits }),
    })
  }

  /** The handshake on one socket: deadline, hooks, 101 or error response, then a Connection. */
  private run(
    socket: Duplex,
    handshake: ServerHandshake,
    start: (onResult: (result: ServerHandshakeResult) => void) => void,
    done: (connection: Connection | null) => void = () => {},
  ): void {
    if (this.closing) {
      socket.destroy()
      done(null)
      return
    }
    this.handshaking.add(socket)
    let settled = false
    const timer = setTimeout(() => finish(null, true), this.handshakeTimeout)
    timer.unref()
    const onGone = (): void => finish(null, true)
    socket.on('error', onGone)
    socket.on('close', onGone)
    socket.on('end', onGone)
    const finish = (connection: Connection | null, destroy: boolean): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      this.handshaking.delete(socket)
      socket.removeListener('error', onGone)
      socket.removeListener('close', onGone)
      socket.removeListener('end', onGone)
      if (destroy) socket.destroy()
      done(connection)
    }
    const refuse = (response: Uint8Array): void => {
      socket.removeAllListeners('data')
      socket.on('error', () => {})
      socket.end(response)
      // A client that never closes its side is cut off after the close timeout.
      setTimeout(() => socket.destroy(), this.socketOptions.closeTimeout).unref()
      finish(null, false)
    }
    start((result) => {
      if (settled || result.kind === 'incomplete') return
      if (result.kind === 'rejected') {
        refuse(result.response)
        return
      }
      const request = result.request
      const verdict = this.options.verifyClient ? this.options.verifyClient(request) : true
      if (verdict !== true) {
        const refusal = verdict === false ? { status: 403 } : verdict
        refuse(
          handshake.reject(refusal.status, {
            ...(refusal.headers === undefined ? {} : { headers: refusal.headers }),
            ...(refusal.body === undefined ? {} : { body: refusal.body }),
          }),
        )
        return
      }
      const chosen = this.options.handleProtocols?.(request.protocols, request)
      const protocol = chosen !== undefined && request.protocols.includes(chosen) ? chosen : undefined
      const { response, connection: core } = handshake.accept(protocol === undefined ? {} : { protocol })
      socket.removeAllListeners('data')
      socket.write(response)
      const connection = this.adopt(socket, core)
      finish(connection, false)
      this.emit('connection', connection, request)
    })
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
