// The implementations under test, each as an echo server and an echo client: every text or
// binary message goes back with the same type, as in the harnesses ws and undici use for
// Autobahn. Ours runs with its defaults (permessage-deflate on in both roles, 16 MiB limits),
// over HTTP/1.1 (@ws/node-tcp) and over HTTP/2 (@ws/node-h2); ws runs with permessage-deflate
// enabled on its server (its client offers it by default) and speaks HTTP/1.1 only.
import { createRequire } from 'node:module'
import { connect as connectH2, createH2Server } from '@ws/node-h2'
import { connect, WebSocketServer } from '@ws/node-tcp'
import type { Implementation } from './runner.ts'

// ws ships no types and @types/ws is not a dependency here: the little we use, typed by hand.
interface WsSocket {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void
  on(event: 'close' | 'error' | 'unexpected-response', listener: () => void): void
  send(data: Buffer, options: { binary: boolean }): void
  terminate(): void
}
interface WsServerInstance {
  clients: Set<WsSocket>
  on(event: 'connection', listener: (socket: WsSocket) => void): void
  once(event: 'listening', listener: () => void): void
  address(): { port: number }
  close(callback: () => void): void
}
const wsModule = createRequire(import.meta.url)('ws') as {
  WebSocket: new (url: string, options: { maxFragments: number; maxBufferedChunks: number }) => WsSocket
  WebSocketServer: new (options: {
    host: string
    port: number
    perMessageDeflate: boolean
    maxFragments: number
    maxBufferedChunks: number
  }) => WsServerInstance
}
const WebSocket = wsModule.WebSocket
const WsServer = wsModule.WebSocketServer

export const ours: Implementation = {
  name: 'ours',
  async startServer() {
    const server = new WebSocketServer()
    server.on('connection', (connection) => {
      connection.on('text', (event) => connection.sendText(event.data))
      connection.on('binary', (event) => connection.sendBinary(event.data))
    })
    const { port } = await server.listen(0, '127.0.0.1')
    return { port, stop: () => server.close() }
  },
  async runClient(url) {
    const connection = await connect(url)
    connection.on('text', (event) => connection.sendText(event.data))
    connection.on('binary', (event) => connection.sendBinary(event.data))
    await connection.closed
  },
}

/** A connection of @ws/node-h2 (@ws/driver's, which this package does not import itself). */
type H2Connection = Awaited<ReturnType<typeof connectH2>>

function echo(connection: H2Connection): void {
  connection.on('text', (event) => connection.sendText(event.data))
  connection.on('binary', (event) => connection.sendBinary(event.data))
}

/** Ours over HTTP/2: an H2WebSocketServer on h2c, and a client that requires HTTP/2. */
export const oursH2: Implementation = {
  name: 'ours',
  async startServer() {
    const server = createH2Server({}, echo)
    const { port } = await server.listen({ h2c: true })
    return { port, stop: () => server.close() }
  },
  async runClient(url) {
    const connection = await connectH2(url, { requireHttp2: true })
    echo(connection)
    await connection.closed
  },
}

export const ws: Implementation = {
  name: 'ws',
  async startServer() {
    // ws 8.21 added caps on fragments (16,384) and buffered chunks; the published ws score is of
    // 8.18.3, which had neither, so they are turned off to reproduce it (see docs/conformance.md).
    const server = new WsServer({
      host: '127.0.0.1',
      port: 0,
      perMessageDeflate: true,
      maxFragments: 0,
      maxBufferedChunks: 0,
    })
    server.on('connection', (socket) => {
      socket.on('error', () => {})
      socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }))
    })
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    const port = server.address().port
    return {
      port,
      stop: () =>
        new Promise<void>((resolve) => {
          for (const client of server.clients) client.terminate()
          server.close(() => resolve())
        }),
    }
  },
  runClient(url) {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { maxFragments: 0, maxBufferedChunks: 0 })
      socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }))
      socket.on('error', () => {})
      socket.on('close', () => resolve())
      socket.on('unexpected-response', () => reject(new Error('unexpected response')))
    })
  },
}
