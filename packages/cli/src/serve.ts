/**
 * `wsx serve`: an echo server (or with --broadcast a chat room) over ws:// or wss://. With TLS
 * it serves HTTP/2 (RFC 8441) and HTTP/1.1 on one port (ALPN); with --h2c, cleartext HTTP/2
 * with prior knowledge next to HTTP/1.1. Other requests get 426 Upgrade Required.
 */
import type { Writable } from 'node:stream'
import type { ServeHttp, ServeOptions, ServeSettings } from './args.ts'
import { describeSystemError, formatListenUrl } from './format.ts'
import { readOptionFile } from './option-file.ts'
import { ConnectionLog } from './serve-log.ts'
import { createServer, type WsConnection, type WsServer } from './transport.ts'

export interface ServeIo {
  stdout: Writable
  stderr: Writable
  /** Aborted on SIGINT or SIGTERM: close every connection with 1001 and return 0. */
  shutdown: AbortSignal
}

const NO_SETTINGS: ServeSettings = {
  broadcast: false,
  protocols: [],
  keepalive: undefined,
  maxConnections: undefined,
  log: 'none',
}

/** Runs the server until `io.shutdown` is aborted; resolves with the exit status. */
export async function runServe(
  options: ServeOptions,
  io: ServeIo,
  settings: ServeSettings = NO_SETTINGS,
  http: ServeHttp = { h2c: false },
): Promise<number> {
  let tls: { cert: Buffer; key: Buffer } | undefined
  if (options.tlsCert !== undefined && options.tlsKey !== undefined) {
    const files = { cert: options.tlsCert, key: options.tlsKey }
    const read: Partial<Record<'cert' | 'key', Buffer>> = {}
    for (const which of ['cert', 'key'] as const) {
      const file = await readOptionFile(`--tls-${which}`, files[which], io.stderr)
      if (file === null) return 1
      read[which] = file
    }
    tls = read as { cert: Buffer; key: Buffer }
  }
  let server: WsServer | undefined
  let address: { port: number }
  const room = new Map<WsConnection, Counts>()
  const log = new ConnectionLog(settings.log, io.stderr)
  const { maxConnections } = settings
  try {
    server = createServer({
      host: options.host,
      port: options.port,
      tls,
      h2c: http.h2c,
      perMessageDeflate: options.deflate,
      // A frame may not be larger than the largest message either; the frame limit only grows.
      limits: {
        maxMessageSize: options.maxMessage,
        maxFrameSize: Math.max(options.maxMessage, 16 * 1024 * 1024),
      },
      protocols: settings.protocols,
      keepAlive: settings.keepalive,
      ...(maxConnections === undefined
        ? {}
        : {
            refuse: () =>
              (server?.connections.size ?? 0) < maxConnections
                ? undefined
                : {
                    status: 503,
                    body: `too many connections: this server takes at most ${maxConnections}\n`,
                  },
          }),
      onConnection: (connection, request) => {
        const counts = log.opened(connection, request)
        if (settings.broadcast) void relay(connection, server as WsServer, room, counts)
        else void echo(connection, counts)
      },
    })
  } catch (error) {
    const what = `cannot use --tls-cert ${options.tlsCert} with --tls-key ${options.tlsKey}`
    io.stderr.write(`${describeSystemError(what, error)}\n`)
    return 1
  }
  try {
    address = await server.listen()
  } catch (error) {
    io.stderr.write(`${describeSystemError(`cannot serve on ${options.host}:${options.port}`, error)}\n`)
    return 1
  }
  io.stdout.write(`listening on ${formatListenUrl(tls !== undefined, options.host, address.port)}\n`)
  await new Promise<void>((resolve) => {
    if (io.shutdown.aborted) resolve()
    else io.shutdown.addEventListener('abort', () => resolve(), { once: true })
  })
  await server.close(1001, 'server shutting down')
  return 0
}

/** Message and byte counts of one connection, for --log. */
export interface Counts {
  messagesIn: number
  bytesIn: number
  messagesOut: number
  bytesOut: number
}

const byteLength = (data: string | Uint8Array): number =>
  typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength

/**
 * Echoes every message with its type. Taking events through the iterator one at a time, and
 * waiting while the socket is over its high-water mark, makes a fast sender that does not read
 * its echoes slow down instead of filling our memory (the connection pauses its socket).
 */
async function echo(connection: WsConnection, counts: Counts): Promise<void> {
  try {
    for await (const event of connection) {
      if (event.type !== 'text' && event.type !== 'binary') continue
      const size = byteLength(event.data)
      counts.messagesIn++
      counts.bytesIn += size
      if (connection.state !== 'open') continue
      const ok = connection.send(event.data)
      counts.messagesOut++
      counts.bytesOut += size
      if (!ok) await connection.drained()
    }
  } catch {
    // Sending beyond the connection's buffer limit throws: drop that client, keep the others.
    connection.terminate()
  }
}

/** @ws/driver's default maxBufferedAmount: a send beyond it throws (wsx serve does not change it). */
const SEND_BUFFER_LIMIT = 64 * 1024 * 1024

/**
 * --broadcast: every message goes to every other client in the room, through the server's
 * fan-out (encoded once for all). A receiver too slow to keep up (over its connection's buffer
 * limit) is dropped rather than slowing everyone down.
 */
async function relay(
  connection: WsConnection,
  server: WsServer,
  room: Map<WsConnection, Counts>,
  counts: Counts,
): Promise<void> {
  room.set(connection, counts)
  try {
    for await (const event of connection) {
      if (event.type !== 'text' && event.type !== 'binary') continue
      const size = byteLength(event.data)
      counts.messagesIn++
      counts.bytesIn += size
      server.broadcast(event.data, (other) => {
        const theirs = room.get(other)
        if (other === connection || theirs === undefined) return false
        if (other.bufferedAmount > SEND_BUFFER_LIMIT) {
          other.terminate()
          return false
        }
        theirs.messagesOut++
        theirs.bytesOut += size
        return true
      })
    }
  } finally {
    room.delete(connection)
  }
}
