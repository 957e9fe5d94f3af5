/**
 * Memory per open idle client: our WHATWG `WebSocket` against our plain `Connection`, each set
 * of clients in a fresh child process of its own (client-process.ts, run with --expose-gc),
 * connected to the plain ws echo server (a child too). The client child is read before any of
 * its clients opens and again once `connections` of them are open and idle; reported:
 * (after - before) / connections for RSS, V8 heap used and external memory. Each kind runs
 * `repeats` times in alternating order; the median is reported.
 */
import { join } from 'node:path'
import { spawnChild, withChildren } from './child.ts'
import type { IdleClientKind } from './client-process.ts'
import { portOf, startServer } from './echo.ts'
import { type MemoryConfig, type MemorySide, memorySide, type PerConnection } from './memory.ts'
import { readSnapshot } from './snapshot.ts'

export const CLIENT_SCRIPT = join(import.meta.dirname, 'client-process.ts')

/** The WebSocket's memory per connection aimed at, as a multiple of the Connection's. */
export const CLIENT_MEMORY_TARGET = 1.2

export interface ClientMemoryRow {
  connections: number
  /** Our WHATWG WebSocket. */
  web: MemorySide
  /** Our plain Connection. */
  connection: MemorySide
  /** RSS per client, WebSocket / Connection: below 1 means the WebSocket uses less. */
  rssRatio: number
  heapRatio: number
  target: number
}

/** One reading: a fresh child holding `connections` idle clients of one kind, the difference per client. */
export async function measureIdleClients(
  kind: IdleClientKind,
  port: number,
  connections: number,
): Promise<PerConnection> {
  return withChildren(async (children) => {
    const child = await spawnChild(CLIENT_SCRIPT, [kind, String(port)], { execArgv: ['--expose-gc'] })
    children.push(child)
    const before = readSnapshot(await child.request('memory'))
    const after = readSnapshot(await child.request(`open ${connections}`))
    if (after.connections !== connections) {
      throw new Error(`client memory: ${after.connections} ${kind} clients open, expected ${connections}`)
    }
    const { closed } = await child.request('close')
    if (closed !== connections) {
      throw new Error(`client memory: closed ${String(closed)} ${kind} clients, expected ${connections}`)
    }
    return {
      rss: (after.rss - before.rss) / connections,
      heapUsed: (after.heapUsed - before.heapUsed) / connections,
      external: (after.external - before.external) / connections,
    }
  })
}

/**
 * Readings of two kinds of idle clients against one plain ws echo server: `repeats` of each, in
 * alternating order (first, second; then second, first; ...), each in a fresh child.
 */
export function measureIdleClientPair<A extends IdleClientKind, B extends IdleClientKind>(
  first: A,
  second: B,
  config: MemoryConfig,
): Promise<Record<A | B, PerConnection[]>> {
  return withChildren(async (children) => {
    const server = await startServer('ws', false)
    children.push(server)
    const port = portOf(server)
    const samples = { [first]: [], [second]: [] } as unknown as Record<A | B, PerConnection[]>
    for (let repeat = 0; repeat < config.repeats; repeat++) {
      const order: (A | B)[] = repeat % 2 === 0 ? [first, second] : [second, first]
      for (const kind of order) samples[kind].push(await measureIdleClients(kind, port, config.connections))
    }
    return samples
  })
}

export async function benchClientMemory(config: MemoryConfig): Promise<ClientMemoryRow> {
  const samples = await measureIdleClientPair('web', 'connection', config)
  const web = memorySide(samples.web)
  const connection = memorySide(samples.connection)
  return {
    connections: config.connections,
    web,
    connection,
    rssRatio: web.rss / connection.rss,
    heapRatio: web.heapUsed / connection.heapUsed,
    target: CLIENT_MEMORY_TARGET,
  }
}
