/**
 * A child process serving our echo over both transports: `h2-server-process.ts`. Our
 * H2WebSocketServer (@ws/node-h2) listens for h2c (HTTP/2 with prior knowledge) on one port, and
 * our HTTP/1.1 server (@ws/node-tcp's WebSocketServer, the loopback echo's) on another, both on
 * 127.0.0.1, permessage-deflate off; both echo every message with its type. It prints
 * `{"h2Port": N, "tcpPort": M}`; then each stdin line is a command:
 * - `memory`: a reading (after global.gc when Node runs with --expose-gc) with the counts below;
 * - `count`: the counts alone, without collecting garbage;
 * - `mark`: the monotonic clock in microseconds (to find a span in a --cpu-prof profile).
 * Counts: `h2` and `tcp` open WebSockets, `sessions` open HTTP/2 sessions (from the HTTP/2
 * server's 'session' and 'close' events), `streamSessions` distinct sessions that the open
 * HTTP/2 WebSockets' streams belong to. It exits when stdin ends.
 */
import { WebSocketServer } from '@ws/node-tcp'
import { createH2Server } from '../../node-h2/src/index.ts'
import { serveCommands } from './child.ts'
import { memorySnapshot } from './snapshot.ts'

type EchoServer = { on(event: 'connection', listener: (connection: EchoConnection) => void): unknown }
interface EchoConnection {
  on(event: 'text', listener: (event: { data: string }) => void): unknown
  on(event: 'binary', listener: (event: { data: Uint8Array }) => void): unknown
  sendText(data: string): boolean
  sendBinary(data: Uint8Array): boolean
}

function echo(server: EchoServer): void {
  server.on('connection', (connection) => {
    connection.on('text', (event) => connection.sendText(event.data))
    connection.on('binary', (event) => connection.sendBinary(event.data))
  })
}

// Node's HTTP/2 defaults: its server allows far more than a thousand concurrent streams.
const h2 = createH2Server({ perMessageDeflate: false })
echo(h2)
const sessions = new Set<unknown>()
h2.http2.on('session', (session) => {
  sessions.add(session)
  session.once('close', () => sessions.delete(session))
})
const tcp = new WebSocketServer({ perMessageDeflate: false })
echo(tcp)
const { port: h2Port } = await h2.listen({ h2c: true })
const { port: tcpPort } = await tcp.listen(0, '127.0.0.1')

export interface ServerCounts {
  h2: number
  tcp: number
  sessions: number
  streamSessions: number
}

function counts(): ServerCounts {
  const streamSessions = new Set<unknown>()
  let h2Open = 0
  for (const connection of h2.connections) {
    // H2WebSocketServer's connections include those it took over HTTP/1.1: none here.
    const session = connection.transport.info?.session
    if (session === undefined) continue
    h2Open++
    streamSessions.add(session)
  }
  return {
    h2: h2Open,
    tcp: tcp.connections.size,
    sessions: sessions.size,
    streamSessions: streamSessions.size,
  }
}

/** Waits (up to 2 s) until no open session is without a WebSocket: a client's closed warm-up session is gone. */
async function settled(): Promise<void> {
  const deadline = Date.now() + 2000
  while (Date.now() < deadline && counts().sessions > counts().streamSessions) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

serveCommands(async (command) => {
  if (command === 'count') return counts()
  // The monotonic clock in microseconds, the clock of V8's CPU profiles on Linux and macOS.
  if (command === 'mark') return { now: Number(process.hrtime.bigint() / 1000n) }
  if (command === 'memory') {
    await settled()
    const now = counts()
    return { ...memorySnapshot(now.h2 + now.tcp), ...now }
  }
  return { error: `unknown command ${command}` }
})
process.stdout.write(`${JSON.stringify({ h2Port, tcpPort })}\n`)
