/**
 * permessage-deflate echo over 127.0.0.1: our client and server against ws's client and server,
 * one connection each, `window` messages in flight, with context takeover (both defaults).
 * Both sides compress every message: `threshold: 0` on all four ends (ours defaults to 1 KiB,
 * ws to 1 KiB). Window bits are each stack's defaults: our server compresses with 14 bits and
 * lets the client use 13 (server defaults), ws uses 15 both ways.
 *
 * Messages: distinct, deterministic JSON events of about 200 B and 2 KiB, sent as text. Before
 * timing, a fresh connection on each side echoes the same sequence of messages, checked exactly,
 * and the bytes on its TCP socket (both directions, frame headers and masks included, the
 * handshake excluded) are the compressed size reported.
 */

import { withChildren } from './child.ts'
import { jsonMessages } from './corpus.ts'
import { portOf, startServers } from './echo.ts'
import { type Comparison, compareAsync, type MeasureOptions } from './harness.ts'
import {
  closeClients,
  type EchoClient,
  echoRound,
  type Implementation,
  openClient,
  pipeline,
} from './load.ts'

export interface DeflateEchoConfig {
  sizes: readonly number[]
  /** Distinct messages, echoed once in the size check and cycled through in the timed rounds. */
  messages: number
  window: number
}

export const DEFLATE_ECHO_CONFIG: DeflateEchoConfig = { sizes: [200, 2048], messages: 512, window: 16 }
/** The smoke run's: fewer distinct messages, so the size check is quick (and its sizes mean less). */
export const DEFLATE_ECHO_QUICK: DeflateEchoConfig = { ...DEFLATE_ECHO_CONFIG, messages: 64 }

export interface WireBytes {
  /** Client to server (compressed by the client). */
  up: number
  /** Server to client (compressed by the server). */
  down: number
}

export interface DeflateEchoRow extends Comparison {
  approxBytes: number
  /** Messages echoed in the size check, and their total uncompressed bytes (one way). */
  messages: number
  payloadBytes: number
  oursWire: WireBytes
  peerWire: WireBytes
  /** (up + down) ours / ws: below 1 means ours sent fewer bytes. */
  sizeRatio: number
}

const delta = (
  before: { read: number; written: number },
  after: { read: number; written: number },
): WireBytes => ({
  up: after.written - before.written,
  down: after.read - before.read,
})

async function wireCheck(
  client: EchoClient,
  messages: readonly string[],
  window: number,
): Promise<WireBytes> {
  const before = client.wireBytes()
  const { completed } = await pipeline([client], messages, { window, limit: messages.length, exact: true })
  if (completed !== messages.length) throw new Error('deflate echo: not every message came back')
  return delta(before, client.wireBytes())
}

export function benchDeflateEcho(
  options: MeasureOptions,
  config: DeflateEchoConfig = DEFLATE_ECHO_CONFIG,
): Promise<DeflateEchoRow[]> {
  return withChildren(async (children) => {
    const [oursServer, wsServer] = await startServers(children, true)
    const ports: Record<Implementation, number> = { ours: portOf(oursServer), ws: portOf(wsServer) }
    const rows: DeflateEchoRow[] = []
    for (const approxBytes of config.sizes) {
      const messages = jsonMessages(config.messages, approxBytes)
      const payloadBytes = messages.reduce((sum, message) => sum + Buffer.byteLength(message), 0)
      const clients: EchoClient[] = []
      try {
        const ours = await openClient('ours', ports.ours, true)
        clients.push(ours)
        const peer = await openClient('ws', ports.ws, true)
        clients.push(peer)
        const oursWire = await wireCheck(ours, messages, config.window)
        const peerWire = await wireCheck(peer, messages, config.window)
        for (const wire of [oursWire, peerWire]) {
          // Every message compressed: far fewer bytes than the text, yet some in each direction.
          if (!(wire.up > 0 && wire.down > 0 && wire.up < payloadBytes && wire.down < payloadBytes)) {
            throw new Error(
              `deflate echo: implausible wire bytes ${JSON.stringify(wire)} for ${payloadBytes} bytes`,
            )
          }
        }
        const comparison = await compareAsync(
          echoRound([ours], messages, config.window),
          echoRound([peer], messages, config.window),
          options,
        )
        rows.push({
          approxBytes,
          messages: messages.length,
          payloadBytes,
          oursWire,
          peerWire,
          sizeRatio: (oursWire.up + oursWire.down) / (peerWire.up + peerWire.down),
          ...comparison,
        })
      } finally {
        await closeClients(clients)
      }
    }
    return rows
  })
}
