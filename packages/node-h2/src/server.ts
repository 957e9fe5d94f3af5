/**
 * The server: WebSockets over HTTP/2 (RFC 8441) and over HTTP/1.1 Upgrade on one port, with the
 * same options and hooks. With TLS, ALPN picks h2 or http/1.1; in cleartext, the first bytes
 * do (the HTTP/2 connection preface means prior-knowledge h2c). SETTINGS_ENABLE_CONNECT_PROTOCOL
 * is always advertised. Requests that are not WebSocket handshakes go to the application's
 * 'stream' (HTTP/2) and 'request' (HTTP/1.1) listeners, or get 426 Upgrade Required.
 */
import { EventEmitter } from 'node:events'
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import {
  createServer as createHttp2Server,
  type Http2SecureServer,
  type Http2Server,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
  type Settings,
} from 'node:http2'
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { createServer as createTlsServer, type TlsOptions } from 'node:tls'
import { broadcast, type Connection, type PreparedMessage, type ServerOptions } from '@ws/driver'
import { WebSocketServer } from '@ws/node-tcp'
import type { UpgradeRequest } from '@ws/proto'
import { H2Acceptor, respondWith } from './accept.ts'
import { fieldsFromRaw } from './fields.ts'

export interface H2ServerOptions extends ServerOptions {
  /** Extra HTTP/2 settings to advertise; enableConnectProtocol is always on. */
  settings?: Settings
}

export interface H2ListenOptions {
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Serve TLS (ALPN h2 and http/1.1) with these options (cert, key...). */
  tls?: TlsOptions
  /**
   * Cleartext only: also accept HTTP/2 with prior knowledge (h2c) next to HTTP/1.1. Default
   * true; false serves HTTP/1.1 alone.
   */
  h2c?: boolean
}

export interface H2ServerAddress {
  host: string
  port: number
}

/** The events an H2WebSocketServer emits. */
export interface H2ServerEvents {
  /** A handshake succeeded, over HTTP/2 (`request.method` is 'CONNECT') or HTTP/1.1 ('GET'). */
  connection: [connection: Connection, request: UpgradeRequest]
  /** An HTTP/2 request that is not a CONNECT: answer it on the stream. */
  stream: [stream: ServerHttp2Stream, headers: IncomingHttpHeaders]
  /** An HTTP/1.1 request that is not an upgrade. */
  request: [request: IncomingMessage, response: ServerResponse]
}

/** The HTTP/2 connection preface (RFC 9113 section 3.4). */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1')
const UPGRADE_REQUIRED = 'Upgrade Required: this is a WebSocket endpoint.\n'
const SNIFF_TIMEOUT = 10_000

export class H2WebSocketServer extends EventEmitter<H2ServerEvents> {
  /** The HTTP/2 server every HTTP/2 connection is handed to (TLS or not). */
  readonly http2: Http2Server
  /** The HTTP/1.1 server for HTTP/1.1 connections on the same port. */
  readonly http1: HttpServer
  private readonly acceptor: H2Acceptor
  private readonly upgrades: WebSocketServer
  private readonly servers: NetServer[] = []
  private readonly attached: { server: Http2Server | Http2SecureServer; listener: StreamListener }[] = []
  private readonly sessions = new Set<ServerHttp2Session>()
  private readonly sockets = new Set<Duplex>()
  private readonly onConnection = (connection: Connection, request: UpgradeRequest): void => {
    this.emit('connection', connection, request)
  }

  constructor(options: H2ServerOptions = {}) {
    super()
    const { settings, ...serverOptions } = options
    this.acceptor = new H2Acceptor(serverOptions)
    this.upgrades = new WebSocketServer(serverOptions)
    this.upgrades.on('connection', this.onConnection)
    this.http2 = createHttp2Server({ settings: { ...settings, enableConnectProtocol: true } })
    this.http2.on('session', (session) => {
      this.sessions.add(session)
      session.once('close', () => this.sessions.delete(session))
    })
    this.attach(this.http2)
    this.http1 = createHttpServer()
    this.http1.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrades.handleUpgrade(request, socket, head)
    })
    this.http1.on('request', (request: IncomingMessage, response: ServerResponse) => {
      if (this.listenerCount('request') > 0) {
        this.emit('request', request, response)
        return
      }
      response.writeHead(426, {
        Upgrade: 'websocket',
        Connection: 'Upgrade, close',
        'Content-Type': 'text/plain; charset=utf-8',
      })
      response.end(UPGRADE_REQUIRED)
    })
  }

  /** Open WebSocket connections, both protocols. */
  get connections(): ReadonlySet<Connection> {
    return new Set<Connection>([...this.acceptor.connections, ...this.upgrades.connections])
  }

  /**
   * Sends one message to every open WebSocket of both protocols (or those `filter` accepts),
   * encoded once (see @ws/driver's broadcast). Returns how many it was sent to.
   */
  broadcast(
    data: string | Uint8Array | PreparedMessage,
    options: { filter?: (connection: Connection) => boolean } = {},
  ): number {
    return broadcast(this.connections, data, options)
  }

  /** Listens on TLS (with `tls`) or cleartext; resolves with the address. */
  listen(options: H2ListenOptions = {}): Promise<H2ServerAddress> {
    const tls = options.tls
    let server: NetServer
    if (tls !== undefined) {
      server = createTlsServer({ ...tls, ALPNProtocols: ['h2', 'http/1.1'] })
      server.on('secureConnection', (socket: Socket & { alpnProtocol?: string | false }) => {
        this.track(socket)
        if (socket.alpnProtocol === 'h2') this.http2.emit('connection', socket)
        else this.http1.emit('connection', socket)
      })
    } else {
      const h2c = options.h2c ?? true
      server = createNetServer((socket) => {
        this.track(socket)
        if (h2c) this.sniff(socket)
        else this.http1.emit('connection', socket)
      })
    }
    this.servers.push(server)
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.removeListener('error', reject)
        const address = server.address() as { address: string; port: number }
        resolve({ host: address.address, port: address.port })
      })
    })
  }

  /**
   * Serves the streams of an HTTP/2 server made elsewhere (created with
   * `settings: { enableConnectProtocol: true }`): CONNECT requests become WebSockets, other
   * requests are emitted as 'stream' (or answered 426).
   */
  attach(server: Http2Server | Http2SecureServer): this {
    const listener: StreamListener = (stream, headers, _flags, raw) => this.handleStream(stream, headers, raw)
    server.on('stream', listener)
    this.attached.push({ server, listener })
    return this
  }

  /**
   * Handles one HTTP/2 request: a CONNECT (extended or not) goes through the RFC 8441
   * handshake; anything else to the 'stream' listeners, or 426.
   */
  handleStream(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    rawHeaders?: readonly string[],
  ): void {
    if (headers[':method'] === 'CONNECT') {
      // A peer's reset is reported to the connection (1006), never thrown.
      stream.on('error', ignore)
      const fields = rawHeaders === undefined ? fieldsFromHeaders(headers) : fieldsFromRaw(rawHeaders)
      this.acceptor.accept(stream, fields, this.onConnection)
      return
    }
    if (this.listenerCount('stream') > 0) {
      this.emit('stream', stream, headers)
      return
    }
    stream.on('error', ignore)
    respondWith(stream, {
      status: 426,
      headers: [
        [':status', '426'],
        ['content-type', 'text/plain; charset=utf-8'],
      ],
      body: UPGRADE_REQUIRED,
    })
  }

  /** Stops listening, closes every WebSocket with `code` (default 1001), then the sessions. */
  async close(code = 1001, reason = ''): Promise<void> {
    const stopped = this.servers.map(
      (server) =>
        new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
    )
    for (const { server, listener } of this.attached) server.removeListener('stream', listener)
    await Promise.all([this.acceptor.close(code, reason), this.upgrades.close(code, reason)])
    for (const session of this.sessions) session.close()
    for (const socket of this.sockets) socket.destroy()
    await Promise.all(stopped)
  }

  private track(socket: Duplex): void {
    this.sockets.add(socket)
    socket.once('close', () => this.sockets.delete(socket))
  }

  /** Reads until the bytes are, or cannot be, the HTTP/2 preface, then hands the socket on. */
  private sniff(socket: Socket): void {
    let seen: Buffer = Buffer.alloc(0)
    const timer = setTimeout(() => socket.destroy(), SNIFF_TIMEOUT)
    timer.unref()
    const onData = (chunk: Buffer): void => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk])
      const length = Math.min(seen.length, PREFACE.length)
      const isPreface = seen.subarray(0, length).equals(PREFACE.subarray(0, length))
      if (isPreface && length < PREFACE.length) return
      clearTimeout(timer)
      socket.removeListener('data', onData)
      socket.removeListener('end', onEnd)
      socket.pause()
      socket.unshift(seen)
      if (isPreface) this.http2.emit('connection', socket)
      else {
        // node:http reads the unshifted bytes through its 'data' listener once flowing.
        this.http1.emit('connection', socket)
        socket.resume()
      }
    }
    const onEnd = (): void => {
      clearTimeout(timer)
      socket.destroy()
    }
    socket.on('data', onData)
    socket.once('end', onEnd)
    socket.on('error', () => clearTimeout(timer))
  }
}

function ignore(): void {}

type StreamListener = (
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  flags: number,
  rawHeaders: string[],
) => void

/** The fields of a header object (when raw headers are not at hand): pseudo-header fields first. */
function fieldsFromHeaders(headers: IncomingHttpHeaders): [string, string][] {
  const pseudo: [string, string][] = []
  const regular: [string, string][] = []
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const list = name.startsWith(':') ? pseudo : regular
    for (const one of Array.isArray(value) ? value : [value]) list.push([name, String(one)])
  }
  return [...pseudo, ...regular]
}

/** An H2WebSocketServer, with an optional 'connection' listener. */
export function createH2Server(
  options: H2ServerOptions = {},
  onConnection?: (connection: Connection, request: UpgradeRequest) => void,
): H2WebSocketServer {
  const server = new H2WebSocketServer(options)
  if (onConnection) server.on('connection', onConnection)
  return server
}
