/**
 * Memory per connection at scale: 20,000 idle plain connections to one server, ours against
 * ws's, each server in a fresh child process of its own (server-process.ts with --expose-gc, the
 * memory scenario's servers). A process may hold only so many open files (20,000 here), so the
 * clients are raw idle clients (raw-clients.ts) spread over several child processes
 * (scale-clients.ts, `perProcess` each), and the server, which needs a descriptor per
 * connection besides its own few, gets at most what its limit leaves: when that is under the
 * count asked for, both servers get the smaller count and the row says so.
 *
 * Each server is read before any client connects and again once it counts every connection
 * open; reported: (after - before) / connections for RSS, V8 heap used and external memory. The
 * servers run one after the other (both at once would need 40,000 ephemeral ports); the clients
 * end with a TCP reset, which leaves no port in TIME_WAIT.
 */
import { join } from 'node:path'
import { type ChildHandle, spawnChild, withChildren } from './child.ts'
import { portOf, SERVER_SCRIPT } from './echo.ts'
import type { PerConnection } from './memory.ts'
import { readSnapshot } from './snapshot.ts'

export const SCALE_CLIENT_SCRIPT = join(import.meta.dirname, 'scale-clients.ts')

export interface ScaleConfig {
  /** Connections asked for, per server. */
  connections: number
  /** Clients per client process (each process has its own open-file limit). */
  perProcess: number
}

export const SCALE_FULL: ScaleConfig = { connections: 20_000, perProcess: 10_000 }
export const SCALE_QUICK: ScaleConfig = { connections: 300, perProcess: 150 }
/** Descriptors a server keeps free besides its connections and what it held at the start. */
export const FD_RESERVE = 16

export interface ScaleSide extends PerConnection {
  /** Time to open every connection, in ms. */
  openMs: number
}

export interface ScaleRow {
  requested: number
  /** Connections each server held when read (the same for both). */
  connections: number
  /** The servers' open-file limit, when it made `connections` smaller than `requested`. */
  fileLimit: number | undefined
  clientProcesses: number
  ours: ScaleSide
  peer: ScaleSide
  /** Per connection, ours / ws: below 1 means ours uses less. */
  rssRatio: number
  heapRatio: number
  /** The whole scenario, in ms. */
  elapsedMs: number
}

/** The connections a server can take: `requested`, or fewer when its open-file limit is lower. */
export function connectionsWithin(
  requested: number,
  files: Record<string, unknown>,
): { connections: number; limited: boolean } {
  const { limit, open } = files
  if (typeof limit !== 'number' || typeof open !== 'number') return { connections: requested, limited: false }
  const room = limit - open - FD_RESERVE
  return room < requested
    ? { connections: Math.max(room, 0), limited: true }
    : { connections: requested, limited: false }
}

/** Asks the server child for readings until it counts `connections` (bounded), and returns that reading. */
async function readingAt(server: ChildHandle, connections: number) {
  for (let tries = 0; ; tries++) {
    const reading = readSnapshot(await server.request('memory'))
    if (reading.connections === connections) return reading
    if (tries >= 50) {
      throw new Error(`scale: the server counts ${reading.connections} connections, expected ${connections}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** One server: read, open `connections` raw clients from several child processes, read again. */
async function measureServer(
  server: ChildHandle,
  connections: number,
  perProcess: number,
): Promise<ScaleSide> {
  return withChildren(async (clients) => {
    const shares: number[] = []
    for (let left = connections; left > 0; left -= perProcess) shares.push(Math.min(perProcess, left))
    const started = await Promise.allSettled(
      shares.map(() => spawnChild(SCALE_CLIENT_SCRIPT, [String(portOf(server))])),
    )
    for (const result of started) if (result.status === 'fulfilled') clients.push(result.value)
    for (const result of started) if (result.status === 'rejected') throw result.reason
    const before = readSnapshot(await server.request('memory'))
    if (before.connections !== 0) throw new Error(`scale: the server holds ${before.connections} before`)
    const start = performance.now()
    const answers = await Promise.all(
      shares.map((share, i) => (clients[i] as ChildHandle).request(`open ${share}`)),
    )
    const openMs = performance.now() - start
    for (const [i, answer] of answers.entries()) {
      if (answer.open !== shares[i]) {
        throw new Error(
          `scale: a client process opened ${String(answer.open)} of ${shares[i]}: ${String(answer.error)}`,
        )
      }
    }
    const after = await readingAt(server, connections)
    await Promise.all(clients.map((client) => client.request('close')))
    return {
      rss: (after.rss - before.rss) / connections,
      heapUsed: (after.heapUsed - before.heapUsed) / connections,
      external: (after.external - before.external) / connections,
      openMs,
    }
  })
}

export function benchScale(config: ScaleConfig): Promise<ScaleRow> {
  const start = performance.now()
  return withChildren(async (children) => {
    // Both servers start first (an idle child does not change the other's reading), so that
    // both get the same count; then each is loaded and read in turn.
    const started = await Promise.allSettled(
      (['ours', 'ws'] as const).map((implementation) =>
        spawnChild(SERVER_SCRIPT, [implementation, 'plain'], { execArgv: ['--expose-gc'] }),
      ),
    )
    for (const result of started) if (result.status === 'fulfilled') children.push(result.value)
    for (const result of started) if (result.status === 'rejected') throw result.reason
    const [ours, ws] = children as [ChildHandle, ChildHandle]
    let connections = config.connections
    let fileLimit: number | undefined
    for (const server of [ours, ws]) {
      const files = await server.request('files')
      const within = connectionsWithin(config.connections, files)
      if (within.limited && within.connections < connections) {
        connections = within.connections
        fileLimit = files.limit as number
      }
    }
    if (connections < 1)
      throw new Error(`scale: the servers cannot take a connection (open-file limit ${fileLimit})`)
    const oursSide = await measureServer(ours, connections, config.perProcess)
    await ours.close()
    const wsSide = await measureServer(ws, connections, config.perProcess)
    return {
      requested: config.connections,
      connections,
      fileLimit,
      clientProcesses: Math.ceil(connections / config.perProcess),
      ours: oursSide,
      peer: wsSide,
      rssRatio: oursSide.rss / wsSide.rss,
      heapRatio: oursSide.heapUsed / wsSide.heapUsed,
      elapsedMs: performance.now() - start,
    }
  })
}
