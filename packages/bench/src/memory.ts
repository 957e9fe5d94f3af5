/**
 * Memory per open idle connection: each server in a child process of its own (run with
 * --expose-gc; it collects garbage twice before each reading) is read before any client
 * connects and again once `connections` ws clients from this process are open and idle. With
 * permessage-deflate, every client first sends one ~200 B JSON message and gets its echo, so
 * the server holds an inflater and a compressor per connection (context takeover, threshold 0).
 * Reported: (after - before) / connections for RSS, V8 heap used and external memory (which
 * includes array buffers). Each (server, mode) runs `repeats` times in fresh children, in
 * alternating order; the median is reported.
 */

import { type ChildHandle, withChildren } from './child.ts'
import { jsonMessages } from './corpus.ts'
import { portOf, startServers } from './echo.ts'
import { median } from './harness.ts'
import { closeClients, type Implementation, openClients, pipeline } from './load.ts'
import { readSnapshot } from './snapshot.ts'

export interface MemoryConfig {
  connections: number
  repeats: number
}

export const MEMORY_FULL: MemoryConfig = { connections: 2000, repeats: 3 }
export const MEMORY_QUICK: MemoryConfig = { connections: 50, repeats: 1 }

export interface MemorySide {
  /** Bytes per connection, medians over the repeats. */
  rss: number
  heapUsed: number
  external: number
  /** Every repeat's RSS per connection. */
  rssSamples: number[]
}

export interface MemoryRow {
  deflate: boolean
  connections: number
  ours: MemorySide
  peer: MemorySide
  /** RSS per connection ours / ws: below 1 means ours uses less. */
  rssRatio: number
  heapRatio: number
}

export type PerConnection = { rss: number; heapUsed: number; external: number }

/** Medians over the repeats of per-connection readings. */
export function memorySide(list: readonly PerConnection[]): MemorySide {
  return {
    rss: median(list.map((sample) => sample.rss)),
    heapUsed: median(list.map((sample) => sample.heapUsed)),
    external: median(list.map((sample) => sample.external)),
    rssSamples: list.map((sample) => sample.rss),
  }
}

/** One reading: a fresh server child, `connections` idle clients, the difference per connection. */
export async function measureOnce(
  server: ChildHandle,
  deflate: boolean,
  connections: number,
): Promise<PerConnection> {
  const before = readSnapshot(await server.request('memory'))
  const clients = await openClients('ws', portOf(server), deflate, connections)
  try {
    if (deflate) {
      const messages = jsonMessages(1, 200)
      const { completed } = await pipeline(clients, messages, { window: 1, limit: 1, exact: true })
      if (completed !== connections) throw new Error('memory: not every client got its echo')
    }
    const after = readSnapshot(await server.request('memory'))
    if (after.connections !== connections) {
      throw new Error(`memory: the server holds ${after.connections} connections, expected ${connections}`)
    }
    return {
      rss: (after.rss - before.rss) / connections,
      heapUsed: (after.heapUsed - before.heapUsed) / connections,
      external: (after.external - before.external) / connections,
    }
  } finally {
    await closeClients(clients)
  }
}

export async function benchMemory(config: MemoryConfig): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = []
  for (const deflate of [false, true]) {
    const samples: Record<Implementation, PerConnection[]> = { ours: [], ws: [] }
    for (let repeat = 0; repeat < config.repeats; repeat++) {
      // Fresh children for each repeat, started together (an idle child does not change the
      // other's reading), then read one after the other.
      await withChildren(async (children) => {
        const [ours, ws] = await startServers(children, deflate, true)
        const order: [Implementation, ChildHandle][] =
          repeat % 2 === 0
            ? [
                ['ours', ours],
                ['ws', ws],
              ]
            : [
                ['ws', ws],
                ['ours', ours],
              ]
        for (const [implementation, server] of order) {
          samples[implementation].push(await measureOnce(server, deflate, config.connections))
        }
      })
    }
    const ours = memorySide(samples.ours)
    const peer = memorySide(samples.ws)
    rows.push({
      deflate,
      connections: config.connections,
      ours,
      peer,
      rssRatio: ours.rss / peer.rss,
      heapRatio: ours.heapUsed / peer.heapUsed,
    })
  }
  return rows
}
