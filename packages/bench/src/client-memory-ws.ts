/**
 * Memory per open idle client, plain: our `Connection` (@ws/node-tcp's connect()) against ws's
 * client `WebSocket`, both connected to the same plain ws echo server (a child process). Each set
 * of clients lives in a fresh child process of its own (client-process.ts, run with
 * --expose-gc), read before its clients open and again once `connections` of them are open and
 * idle; reported: (after - before) / connections for RSS, V8 heap used and external memory. Each
 * kind runs `repeats` times in alternating order; the median is reported.
 */
import { measureIdleClientPair } from './client-memory.ts'
import { type MemoryConfig, type MemorySide, memorySide } from './memory.ts'

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

export async function benchClientWsMemory(config: MemoryConfig): Promise<ClientWsMemoryRow> {
  const samples = await measureIdleClientPair('connection', 'ws', config)
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
}
