/**
 * Our WebSockets over HTTP/2 and over TCP for the HTTP/2 scenarios: @ws/node-h2's connect()
 * (`requireHttp2`, h2c: streams of one session per pool) and @ws/node-tcp's connect(), both with
 * permessage-deflate off; and the load generator's EchoClient over them.
 */
import type { Connection } from '@ws/driver'
import { connect as connectTcp } from '@ws/node-tcp'
import { connect as connectH2, type H2SessionPool } from '../../node-h2/src/index.ts'
import type { EchoClient } from './load.ts'

export type TransportKind = 'h2' | 'tcp'

/** Opens one of our WebSockets over `kind`; over h2, a stream of `pool`'s session for the origin. */
export async function openOurs(
  kind: TransportKind,
  url: string,
  pool: H2SessionPool | undefined,
): Promise<Connection> {
  const connection =
    kind === 'h2'
      ? await connectH2(url, { requireHttp2: true, perMessageDeflate: false, ...(pool ? { pool } : {}) })
      : await connectTcp(url, { perMessageDeflate: false })
  connection.on('binary', () => {})
  return connection
}

/** Distinct HTTP/2 sessions the connections' streams belong to (0 over TCP). */
export function sessionsOf(connections: readonly Connection[]): number {
  const sessions = new Set<unknown>()
  for (const connection of connections) {
    const session = connection.transport.info?.session
    if (session !== undefined) sessions.add(session)
  }
  return sessions.size
}

/** One of ours as an EchoClient; wire bytes are not counted (a stream has no socket of its own). */
export function echoClient(connection: Connection): EchoClient {
  const client: EchoClient = {
    send: (message) =>
      typeof message === 'string' ? connection.sendText(message) : connection.sendBinary(message),
    listener: () => {},
    wireBytes: () => {
      throw new Error('wire bytes are not available for this client')
    },
    close: async () => {
      connection.close(1000)
      await connection.closed
    },
  }
  connection.on('text', (event) => client.listener(event.data))
  connection.on('binary', (event) => client.listener(event.data))
  // A pipeline in progress (it sets onError) fails when the connection ends under it.
  connection.on('closed', (event) =>
    client.onError?.(new Error(`a WebSocket closed unexpectedly (${event.code})`)),
  )
  return client
}

/** Opens `count` of ours over `kind`, 50 handshakes at a time (over h2, all on `pool`'s session). */
export async function openOursMany(
  kind: TransportKind,
  port: number,
  count: number,
  pool: H2SessionPool | undefined,
): Promise<Connection[]> {
  const url = `ws://127.0.0.1:${port}/`
  const opened: Connection[] = []
  try {
    while (opened.length < count) {
      const batch = Math.min(50, count - opened.length)
      opened.push(...(await Promise.all(Array.from({ length: batch }, () => openOurs(kind, url, pool)))))
    }
  } catch (error) {
    for (const connection of opened) connection.close(1000)
    await Promise.all(opened.map((connection) => connection.closed))
    throw error
  }
  return opened
}
