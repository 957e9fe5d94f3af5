/**
 * A child process running one echo server under test:
 * `server-process.ts ours|ws plain|deflate [listeners|iterator]`. It listens on 127.0.0.1 with
 * an ephemeral port and prints `{"port": N}`; then each stdin line is a command: `memory` (after
 * global.gc when Node runs with --expose-gc) answers the process's memory and the number of open
 * connections; `files` answers its open-file limit and the descriptors it holds (fd-limit.ts).
 * It exits when stdin ends.
 *
 * Both servers echo every message with its type. Compression: `deflate` makes both compress
 * every message (threshold 0) with their default windows; `plain` turns permessage-deflate off.
 * Our server takes events through listeners (`connection.on('text' | 'binary')`, the default)
 * or, with `iterator`, through `for await (const event of connection)`.
 */
import { createRequire } from 'node:module'
import { type Connection, WebSocketServer as OurServer } from '@ws/node-tcp'
import { serveCommands } from './child.ts'
import { openFiles } from './fd-limit.ts'
import { memorySnapshot } from './snapshot.ts'

interface WsSocket {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void
  on(event: 'close', listener: () => void): void
  send(data: Buffer, options: { binary: boolean }): void
}
interface WsServer {
  on(event: 'connection', listener: (socket: WsSocket) => void): void
  on(event: 'listening', listener: () => void): void
  address(): { port: number }
}
type WsServerClass = new (options: {
  port: number
  host: string
  perMessageDeflate: false | { threshold: number }
  maxPayload: number
}) => WsServer

/** How our server takes each connection's events. */
export type EventMode = 'listeners' | 'iterator'

/** Echoes every message taken through the connection's async iterator. */
async function echoByIterator(connection: Connection): Promise<void> {
  for await (const event of connection) {
    if (event.type === 'text') connection.sendText(event.data)
    else if (event.type === 'binary') connection.sendBinary(event.data)
  }
}

export async function startEchoServer(
  implementation: 'ours' | 'ws',
  deflate: boolean,
  events: EventMode = 'listeners',
): Promise<{ port: number; connections: () => number }> {
  if (implementation === 'ours') {
    const server = new OurServer({
      perMessageDeflate: deflate ? { threshold: 0 } : false,
    })
    server.on('connection', (connection) => {
      if (events === 'iterator') {
        echoByIterator(connection).catch(() => connection.terminate())
        return
      }
      connection.on('text', (event) => connection.sendText(event.data))
      connection.on('binary', (event) => connection.sendBinary(event.data))
    })
    const { port } = await server.listen(0, '127.0.0.1')
    return { port, connections: () => server.connections.size }
  }
  const { WebSocketServer } = createRequire(import.meta.url)('ws') as { WebSocketServer: WsServerClass }
  const server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    perMessageDeflate: deflate ? { threshold: 0 } : false,
    maxPayload: 16 * 1024 * 1024,
  })
  let open = 0
  server.on('connection', (socket) => {
    open++
    socket.on('close', () => open--)
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }))
  })
  await new Promise<void>((resolve) => server.on('listening', resolve))
  return { port: server.address().port, connections: () => open }
}

const [implementation, mode, events = 'listeners'] = process.argv.slice(2)
if (
  (implementation !== 'ours' && implementation !== 'ws') ||
  (events !== 'listeners' && events !== 'iterator')
) {
  throw new Error('usage: ours|ws plain|deflate [listeners|iterator]')
}
const server = await startEchoServer(implementation, mode === 'deflate', events)
serveCommands((command) => {
  if (command === 'memory') return memorySnapshot(server.connections())
  if (command === 'files') return openFiles()
  return { error: `unknown command ${command}` }
})
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`)
