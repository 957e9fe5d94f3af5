/** `wsx serve`: an echo server over ws:// or wss://. */
import { readFile } from 'node:fs/promises'
import type { Writable } from 'node:stream'
import type { ServeOptions } from './args.ts'
import { describeSystemError, formatListenUrl } from './format.ts'
import { createServer, type WsConnection, type WsServer } from './transport.ts'

export interface ServeIo {
  stdout: Writable
  stderr: Writable
  /** Aborted on SIGINT or SIGTERM: close every connection with 1001 and return 0. */
  shutdown: AbortSignal
}

/** Runs the server until `io.shutdown` is aborted; resolves with the exit status. */
export async function runServe(options: ServeOptions, io: ServeIo): Promise<number> {
  let tls: { cert: Buffer; key: Buffer } | undefined
  if (options.tlsCert !== undefined && options.tlsKey !== undefined) {
    const files = { cert: options.tlsCert, key: options.tlsKey }
    const read: Partial<Record<'cert' | 'key', Buffer>> = {}
    for (const which of ['cert', 'key'] as const) {
      try {
        read[which] = await readFile(files[which])
      } catch (error) {
        io.stderr.write(`${describeSystemError(`cannot read --tls-${which} ${files[which]}`, error)}\n`)
        return 1
      }
    }
    tls = read as { cert: Buffer; key: Buffer }
  }
  let server: WsServer
  let address: { port: number }
  try {
    server = createServer({
      host: options.host,
      port: options.port,
      tls,
      perMessageDeflate: options.deflate,
      // A frame may not be larger than the largest message either; the frame limit only grows.
      limits: {
        maxMessageSize: options.maxMessage,
        maxFrameSize: Math.max(options.maxMessage, 16 * 1024 * 1024),
      },
      onConnection: (connection) => void echo(connection),
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

/**
 * Echoes every message with its type. Taking events through the iterator one at a time, and
 * waiting while the socket is over its high-water mark, makes a fast sender that does not read
 * its echoes slow down instead of filling our memory (the connection pauses its socket).
 */
async function echo(connection: WsConnection): Promise<void> {
  try {
    for await (const event of connection) {
      if (connection.state !== 'open') continue
      let ok = true
      if (event.type === 'text') ok = connection.sendText(event.data)
      else if (event.type === 'binary') ok = connection.sendBinary(event.data)
      if (!ok) await connection.drained()
    }
  } catch {
    // Sending beyond the connection's buffer limit throws: drop that client, keep the others.
    connection.terminate()
  }
}
