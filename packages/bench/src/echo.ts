/**
 * Loopback echo over 127.0.0.1, permessage-deflate off on both sides: binary messages of 64 B
 * and 16 KiB, 1 and 50 connections, each keeping `window` messages in flight.
 *
 * (a) servers: our server against ws's WebSocketServer, both loaded by the same ws clients.
 * (b) clients: our client against ws's client, both against the same ws server.
 *
 * Each server runs in its own child process (server-process.ts); the clients, the load
 * generator, run in this process. Before timing, every connection echoes two windows of
 * distinct messages checked byte for byte; timed rounds check each echo's type and length.
 */
import { join } from 'node:path'
import { payload } from './building.ts'
import { type ChildHandle, spawnChild, withChildren } from './child.ts'
import { type Comparison, compareAsync, type MeasureOptions } from './harness.ts'
import {
  closeClients,
  type EchoClient,
  echoRound,
  type Implementation,
  type Message,
  openClients,
  pipeline,
} from './load.ts'

export const SERVER_SCRIPT = join(import.meta.dirname, 'server-process.ts')

export interface EchoConfig {
  sizes: readonly number[]
  connections: readonly number[]
  window: number
}

export const ECHO_CONFIG: EchoConfig = { sizes: [64, 16384], connections: [1, 50], window: 16 }
/** The smoke run's: 10 connections instead of 50 (each round waits for every message in flight). */
export const ECHO_QUICK: EchoConfig = { ...ECHO_CONFIG, connections: [1, 10] }
/** Network rounds are longer than the in-process ones: each must carry many round trips. */
export const ECHO_FULL: MeasureOptions = { rounds: 7, roundMs: 400 }

export interface EchoRow extends Comparison {
  /** What differs between the sides: the server (same ws clients) or the client (same ws server). */
  compared: 'server' | 'client'
  payloadBytes: number
  connections: number
  window: number
  /** Echoes checked byte for byte before timing, per side. */
  verified: number
}

export async function startServer(
  implementation: Implementation,
  deflate: boolean,
  gc = false,
): Promise<ChildHandle> {
  return spawnChild(SERVER_SCRIPT, [implementation, deflate ? 'deflate' : 'plain'], {
    execArgv: gc ? ['--expose-gc'] : [],
  })
}

/** Starts our server and ws's, each in its own child process (started side by side, before any timing). */
export async function startServers(
  children: ChildHandle[],
  deflate: boolean,
  gc = false,
): Promise<[ours: ChildHandle, ws: ChildHandle]> {
  const started = await Promise.allSettled([startServer('ours', deflate, gc), startServer('ws', deflate, gc)])
  for (const result of started) if (result.status === 'fulfilled') children.push(result.value)
  for (const result of started) if (result.status === 'rejected') throw result.reason
  return children.slice(-2) as [ChildHandle, ChildHandle]
}

export const portOf = (child: ChildHandle): number => {
  const port = child.hello.port
  if (typeof port !== 'number')
    throw new Error(`a server child did not report its port: ${JSON.stringify(child.hello)}`)
  return port
}

/** Distinct binary messages of one size. */
export const binaryMessages = (size: number): Message[] =>
  Array.from({ length: 64 }, (_, i) => payload(size, i + 1))

/** Checks both sides' echoes byte for byte (two windows per connection), then times them against each other. */
export async function measure(
  oursClients: readonly EchoClient[],
  peerClients: readonly EchoClient[],
  messages: readonly Message[],
  window: number,
  options: MeasureOptions,
): Promise<{ comparison: Comparison; verified: number }> {
  const checks = { window, limit: 2 * window, exact: true }
  const oursChecked = await pipeline(oursClients, messages, checks)
  const peerChecked = await pipeline(peerClients, messages, checks)
  if (oursChecked.completed !== peerChecked.completed)
    throw new Error('echo check: the sides echoed different counts')
  const comparison = await compareAsync(
    echoRound(oursClients, messages, window),
    echoRound(peerClients, messages, window),
    options,
  )
  return { comparison, verified: oursChecked.completed }
}

export function benchEcho(options: MeasureOptions, config: EchoConfig = ECHO_CONFIG): Promise<EchoRow[]> {
  return withChildren(async (children) => {
    const [oursServer, wsServer] = await startServers(children, false)
    const rows: EchoRow[] = []
    for (const compared of ['server', 'client'] as const) {
      for (const connections of config.connections) {
        // (a) the same ws clients against each server; (b) each client against the ws server.
        const [oursPort, peerPort] =
          compared === 'server'
            ? [portOf(oursServer), portOf(wsServer)]
            : [portOf(wsServer), portOf(wsServer)]
        const oursClients = await openClients(
          compared === 'server' ? 'ws' : 'ours',
          oursPort,
          false,
          connections,
        )
        let peerClients: EchoClient[] = []
        try {
          peerClients = await openClients('ws', peerPort, false, connections)
          for (const size of config.sizes) {
            const { comparison, verified } = await measure(
              oursClients,
              peerClients,
              binaryMessages(size),
              config.window,
              options,
            )
            rows.push({
              compared,
              payloadBytes: size,
              connections,
              window: config.window,
              verified,
              ...comparison,
            })
          }
        } finally {
          await closeClients([...oursClients, ...peerClients])
        }
      }
    }
    return rows
  })
}
