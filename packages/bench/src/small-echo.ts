/**
 * Small-message echo: 64 B binary messages over 127.0.0.1, 1 and 50 connections, each keeping
 * `window` in flight, permessage-deflate off. Four servers, each loaded by its own set of the
 * same bare clients (raw-echo.ts: ws's client costs as much CPU per echo as the servers, and set
 * the pace for both): ws's WebSocketServer, ours taking events through listeners
 * (`connection.on('text' | 'binary')`), ours taking them through the async iterator
 * (`for await (const event of connection)`), the three in server-process.ts children, and
 * `wsx serve --no-deflate` as spawned by its users (wsx-server.ts). Before timing, every
 * connection echoes two windows of distinct messages checked byte for byte; then the four run
 * in rotating rounds (rotation.ts), and each pair of interest is the ratio of their medians.
 */
import { type ChildHandle, spawnChild, withChildren } from './child.ts'
import { binaryMessages, ECHO_CONFIG, portOf, SERVER_SCRIPT } from './echo.ts'
import type { Comparison, MeasureOptions, SideResult } from './harness.ts'
import { closeClients, type EchoClient, echoRound, openClients, pipeline } from './load.ts'
import { compareRotating, pair } from './rotation.ts'
import { startWsxServe, type WsxServer } from './wsx-server.ts'

export interface SmallEchoConfig {
  size: number
  connections: readonly number[]
  window: number
}

export const SMALL_ECHO_CONFIG: SmallEchoConfig = {
  size: 64,
  connections: [1, 50],
  window: ECHO_CONFIG.window,
}
export const SMALL_ECHO_QUICK: SmallEchoConfig = { ...SMALL_ECHO_CONFIG, connections: [1, 10] }

/** The servers, in the order they are started and measured. */
export const SMALL_ECHO_SERVERS = ['ws', 'listeners', 'iterator', 'wsx'] as const
export type SmallEchoServer = (typeof SMALL_ECHO_SERVERS)[number]

/** What each row compares, and its target (the ratio must be at least this). */
export const SMALL_ECHO_PAIRS: readonly {
  ours: SmallEchoServer
  against: SmallEchoServer
  target: number
}[] = [
  { ours: 'listeners', against: 'ws', target: 1.2 },
  { ours: 'iterator', against: 'ws', target: 1.2 },
  { ours: 'iterator', against: 'listeners', target: 0.95 },
  { ours: 'wsx', against: 'ws', target: 1.2 },
]

export interface SmallEchoRow extends Comparison {
  ours: SideResult
  peer: SideResult
  server: SmallEchoServer
  against: SmallEchoServer
  target: number
  payloadBytes: number
  connections: number
  window: number
  /** Echoes checked byte for byte before timing, per server. */
  verified: number
}

/** Starts the four servers side by side (before any timing); their ports, in SMALL_ECHO_SERVERS order. */
async function startSmallEchoServers(children: ChildHandle[], wsx: WsxServer[]): Promise<number[]> {
  const started = await Promise.allSettled([
    spawnChild(SERVER_SCRIPT, ['ws', 'plain']),
    spawnChild(SERVER_SCRIPT, ['ours', 'plain', 'listeners']),
    spawnChild(SERVER_SCRIPT, ['ours', 'plain', 'iterator']),
  ])
  for (const result of started) if (result.status === 'fulfilled') children.push(result.value)
  for (const result of started) if (result.status === 'rejected') throw result.reason
  wsx.push(await startWsxServe())
  return [...children.map(portOf), (wsx[0] as WsxServer).port]
}

export async function benchSmallEcho(
  options: MeasureOptions,
  config: SmallEchoConfig = SMALL_ECHO_CONFIG,
): Promise<SmallEchoRow[]> {
  const wsx: WsxServer[] = []
  try {
    return await withChildren(async (children) => {
      const ports = await startSmallEchoServers(children, wsx)
      const messages = binaryMessages(config.size)
      const rows: SmallEchoRow[] = []
      for (const connections of config.connections) {
        const clients: EchoClient[][] = []
        try {
          for (const port of ports) clients.push(await openClients('raw', port, false, connections))
          const checks = { window: config.window, limit: 2 * config.window, exact: true }
          const verified: number[] = []
          for (const set of clients) verified.push((await pipeline(set, messages, checks)).completed)
          if (verified.some((count) => count !== connections * 2 * config.window)) {
            throw new Error(
              `small echo: the servers echoed ${verified.join(', ')} of ${connections * 2 * config.window}`,
            )
          }
          const results = await compareRotating(
            clients.map((set) => echoRound(set, messages, config.window)),
            options,
          )
          const of = (server: SmallEchoServer): SideResult =>
            results[SMALL_ECHO_SERVERS.indexOf(server)] as SideResult
          for (const { ours, against, target } of SMALL_ECHO_PAIRS) {
            rows.push({
              server: ours,
              against,
              target,
              payloadBytes: config.size,
              connections,
              window: config.window,
              verified: verified[0] as number,
              ...pair(of(ours), of(against)),
            })
          }
        } finally {
          await closeClients(clients.flat())
        }
      }
      return rows
    })
  } finally {
    await Promise.all(wsx.map((server) => server.close()))
  }
}
