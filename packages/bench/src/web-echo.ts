/**
 * WHATWG client echo over 127.0.0.1, no compression, against two echo servers (the plain server
 * children of the loopback echo), ws's and ours: our `WebSocket` against undici's `WebSocket`
 * and against ws's client, and our `WebSocketStream` against our `WebSocket`. ws's server costs
 * as much CPU per small echo as the clients and sets the pace for all of them; ours does not, so
 * the second set shows what the clients themselves cost. The same sizes, connection counts,
 * window and checks as the loopback echo rows (echo.ts): two windows per connection checked
 * byte for byte before timing, then type and length.
 */
import { withChildren } from './child.ts'
import { binaryMessages, ECHO_CONFIG, type EchoConfig, measure, portOf, startServer } from './echo.ts'
import type { Comparison, MeasureOptions } from './harness.ts'
import { type ClientKind, closeClients, type EchoClient, type Implementation, openClients } from './load.ts'

export interface WebEchoPair {
  /** The client measured (the "ours" side). */
  client: 'web' | 'stream'
  /** The client it is measured against (the "peer" side). */
  against: 'undici' | 'ws' | 'web'
  /** The ratio ours/peer aimed at. */
  target: number
}

export const WEB_ECHO_PAIRS: readonly WebEchoPair[] = [
  { client: 'web', against: 'undici', target: 1.5 },
  { client: 'web', against: 'ws', target: 1.0 },
  // WebSocketStream within 20% of our WebSocket.
  { client: 'stream', against: 'web', target: 0.8 },
]

/** The echo servers the clients are measured against, in this order. */
export const WEB_ECHO_SERVERS: readonly Implementation[] = ['ws', 'ours']

export interface WebEchoRow extends Comparison, WebEchoPair {
  /** The echo server both clients of the row talked to. */
  server: Implementation
  payloadBytes: number
  connections: number
  window: number
  /** Echoes checked byte for byte before timing, per side. */
  verified: number
}

const KINDS: readonly ClientKind[] = ['web', 'stream', 'undici', 'ws']

export function benchWebEcho(
  options: MeasureOptions,
  config: EchoConfig = ECHO_CONFIG,
  pairs: readonly WebEchoPair[] = WEB_ECHO_PAIRS,
  servers: readonly Implementation[] = WEB_ECHO_SERVERS,
): Promise<WebEchoRow[]> {
  return withChildren(async (children) => {
    const rows: WebEchoRow[] = []
    for (const server of servers) {
      const child = await startServer(server, false)
      children.push(child)
      const port = portOf(child)
      for (const connections of config.connections) {
        const open = new Map<ClientKind, EchoClient[]>()
        try {
          for (const kind of KINDS) open.set(kind, await openClients(kind, port, false, connections))
          const clientsOf = (kind: ClientKind): EchoClient[] => open.get(kind) as EchoClient[]
          for (const size of config.sizes) {
            for (const pair of pairs) {
              const { comparison, verified } = await measure(
                clientsOf(pair.client),
                clientsOf(pair.against),
                binaryMessages(size),
                config.window,
                options,
              )
              const { client, against, target } = pair
              rows.push({
                client,
                against,
                target,
                server,
                payloadBytes: size,
                connections,
                window: config.window,
                verified,
                ...comparison,
              })
            }
          }
        } finally {
          await closeClients([...open.values()].flat())
        }
      }
      await child.close()
    }
    // Grouped by pair, then server, connections and size, as the table reads (a stable sort).
    const order = (row: WebEchoRow): number =>
      pairs.findIndex((pair) => pair.client === row.client && pair.against === row.against)
    return rows.sort((a, b) => order(a) - order(b))
  })
}
