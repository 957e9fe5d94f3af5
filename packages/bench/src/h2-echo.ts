/**
 * Loopback echo over HTTP/2 against over HTTP/1.1: our client against our server (the child of
 * h2-server-process.ts), permessage-deflate off, binary messages of the loopback echo's sizes,
 * 1 and 50 WebSockets, each keeping `window` messages in flight. Over HTTP/2 the N WebSockets
 * are streams of ONE h2c session (@ws/node-h2, `requireHttp2`); over HTTP/1.1 they are N TCP
 * connections (@ws/node-tcp). Before timing, the server must hold N of each and one session, all
 * the streams on it, and every WebSocket echoes two windows of distinct messages checked byte for
 * byte; timed rounds check each echo's type and length (echo.ts's `measure`).
 */

import { H2SessionPool } from '../../node-h2/src/index.ts'
import { withChildren } from './child.ts'
import { binaryMessages, ECHO_CONFIG, type EchoConfig, measure } from './echo.ts'
import { echoClient, openOursMany, sessionsOf } from './h2-clients.ts'
import { portFor, startH2Server } from './h2-memory.ts'
import type { Comparison, MeasureOptions } from './harness.ts'
import { closeClients, type EchoClient } from './load.ts'

/** `ours` is HTTP/2, `peer` HTTP/1.1: the ratio is h2 / HTTP/1.1 messages per second. */
export interface H2EchoRow extends Comparison {
  payloadBytes: number
  connections: number
  window: number
  /** Echoes checked byte for byte before timing, per side. */
  verified: number
}

export function benchH2Echo(options: MeasureOptions, config: EchoConfig = ECHO_CONFIG): Promise<H2EchoRow[]> {
  return withChildren(async (children) => {
    const server = await startH2Server()
    children.push(server)
    const rows: H2EchoRow[] = []
    for (const connections of config.connections) {
      const pool = new H2SessionPool()
      let h2: EchoClient[] = []
      let tcp: EchoClient[] = []
      try {
        const h2Connections = await openOursMany('h2', portFor(server, 'h2'), connections, pool)
        h2 = h2Connections.map(echoClient)
        tcp = (await openOursMany('tcp', portFor(server, 'tcp'), connections, undefined)).map(echoClient)
        const counts = await server.request('count')
        const expected = { h2: connections, tcp: connections, sessions: 1, streamSessions: 1 }
        const clientSessions = sessionsOf(h2Connections)
        if (JSON.stringify(counts) !== JSON.stringify(expected) || clientSessions !== 1) {
          throw new Error(
            `h2 echo: the server holds ${JSON.stringify(counts)} (the client ${clientSessions} sessions), expected ${JSON.stringify(expected)}`,
          )
        }
        for (const size of config.sizes) {
          const { comparison, verified } = await measure(
            h2,
            tcp,
            binaryMessages(size),
            config.window,
            options,
          )
          rows.push({ payloadBytes: size, connections, window: config.window, verified, ...comparison })
        }
      } finally {
        await closeClients([...h2, ...tcp])
        pool.close()
      }
    }
    return rows
  })
}
