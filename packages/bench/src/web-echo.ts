/**
 * WHATWG client echo over 127.0.0.1, no compression, against the ws echo server (the plain
 * server child of the loopback echo): our `WebSocket` against undici's `WebSocket` and against
 * ws's client, and our `WebSocketStream` against our `WebSocket`. The same sizes, connection
 * counts, window and checks as the loopback echo rows (echo.ts): two windows per connection
 * checked byte for byte before timing, then type and length.
 */
import { withChildren } from './child.ts'
import { binaryMessages, ECHO_CONFIG, type EchoConfig, measure, portOf, startServer } from './echo.ts'
import type { Comparison, MeasureOptions } from './harness.ts'
import { type ClientKind, closeClients, type EchoClient, openClients } from './load.ts'

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

export interface WebEchoRow extends Comparison, WebEchoPair {
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
): Promise<WebEchoRow[]> {
  return withChildren(async (children) => {
    const server = await startServer('ws', false)
    children.push(server)
    const port = portOf(server)
    const rows: WebEchoRow[] = []
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
    // Grouped by pair, then connections and size, as the table reads.
    const order = (row: WebEchoRow): number =>
      pairs.findIndex((pair) => pair.client === row.client && pair.against === row.against)
    return rows.sort((a, b) => order(a) - order(b))
  })
}
