/**
 * Memory per open idle client, plain: our `Connection` (@ws/node-tcp's connect()) against ws's
 * client `WebSocket`, both connected to the same plain ws echo server (a child process). Each set
 * of clients lives in a fresh child process of its own (client-process.ts, run with
 * --expose-gc), read before its clients open and again once `connections` of them are open and
 * idle; reported: (after - before) / connections for RSS, V8 heap used and external memory. Each
 * kind runs `repeats` times in alternating order; the median is reported.
 */
import { spawnChild, withChildren } from './child.ts'
import { CLIENT_SCRIPT } from './client-memory.ts'
import type { IdleClientKind } from './client-process.ts'
import { portOf, startServer } from './echo.ts'
import { type MemoryConfig, type MemorySide, memorySide, type PerConnection } from './memory.ts'
import { readSnapshot } from './snapshot.ts'

/** Our Connection's memory per client aimed at, as a multiple of ws's client. */
export const CLIENT_WS_MEMORY_TARGET = 1

export interface ClientWsMemoryRow {
  connections: number
  /** Our plain Connection. */
  ours: MemorySide
  /** ws's client WebSocket. */
  peer: MemorySide
  /** Per client, ours / ws: below 1 means ours uses less. */
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

export function benchClientWsMemory(config: MemoryConfig): Promise<ClientWsMemoryRow> {
  return withChildren(async (children) => {
    const server = await startServer('ws', false)
    children.push(server)
    const port = portOf(server)
    const samples: Record<'connection' | 'ws', PerConnection[]> = { connection: [], ws: [] }
    for (let repeat = 0; repeat < config.repeats; repeat++) {
      const order = repeat % 2 === 0 ? (['connection', 'ws'] as const) : (['ws', 'connection'] as const)
      for (const kind of order) samples[kind].push(await measureIdleClients(kind, port, config.connections))
    }
    const ours = memorySide(samples.connection)
    const peer = memorySide(samples.ws)
    return {
      connections: config.connections,
      ours,
      peer,
      rssRatio: ours.rss / peer.rss,
      heapRatio: ours.heapUsed / peer.heapUsed,
      target: CLIENT_WS_MEMORY_TARGET,
    }
  })
}
