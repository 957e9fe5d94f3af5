/**
 * Memory per idle WebSocket over HTTP/2 against over TCP, client and server: `connections` of
 * our WebSockets as streams of ONE h2c session (@ws/node-h2, `requireHttp2`) or as that many TCP
 * connections (@ws/node-tcp), permessage-deflate off. The server (h2-server-process.ts: our
 * H2WebSocketServer and our HTTP/1.1 server) and the clients (h2-client-process.ts) each run in
 * a fresh child process with --expose-gc, read (after two collections) before the clients open
 * and again once all are open and idle; reported: (after - before) / connections for RSS, V8
 * heap used and external memory, each side separately. Before the reading counts, the server
 * must hold exactly `connections` WebSockets of the kind (and, over h2, one session, which all
 * their streams belong to), and the client must see every one of them open (and, over h2, on one
 * session). Each kind runs `repeats` times in alternating order; medians reported.
 */
import { join } from 'node:path'
import { type ChildHandle, spawnChild, withChildren } from './child.ts'
import type { TransportKind } from './h2-clients.ts'
import { type MemorySide, memorySide, type PerConnection } from './memory.ts'
import { type MemorySnapshot, readSnapshot } from './snapshot.ts'

export const H2_SERVER_SCRIPT = join(import.meta.dirname, 'h2-server-process.ts')
export const H2_CLIENT_SCRIPT = join(import.meta.dirname, 'h2-client-process.ts')

export interface H2MemoryConfig {
  connections: number
  repeats: number
}

export const H2_MEMORY_FULL: H2MemoryConfig = { connections: 1000, repeats: 3 }
export const H2_MEMORY_QUICK: H2MemoryConfig = { connections: 50, repeats: 1 }

export interface H2MemorySides {
  client: MemorySide
  server: MemorySide
}

export interface H2MemoryRow {
  connections: number
  h2: H2MemorySides
  tcp: H2MemorySides
  /** Per WebSocket, h2 / TCP: below 1 means a WebSocket over HTTP/2 costs less. */
  clientRssRatio: number
  clientHeapRatio: number
  serverRssRatio: number
  serverHeapRatio: number
}

/** Starts the server child (both servers); `execArgv` adds Node flags (--expose-gc, --cpu-prof). */
export async function startH2Server(execArgv: readonly string[] = []): Promise<ChildHandle> {
  return spawnChild(H2_SERVER_SCRIPT, [], { execArgv })
}

export function portFor(server: ChildHandle, kind: TransportKind): number {
  const port = server.hello[kind === 'h2' ? 'h2Port' : 'tcpPort']
  if (typeof port !== 'number')
    throw new Error(`the h2 server child did not report its ports: ${JSON.stringify(server.hello)}`)
  return port
}

const perConnection = (
  before: MemorySnapshot,
  after: MemorySnapshot,
  connections: number,
): PerConnection => ({
  rss: (after.rss - before.rss) / connections,
  heapUsed: (after.heapUsed - before.heapUsed) / connections,
  external: (after.external - before.external) / connections,
})

/** Throws unless `reading[key]` is `expected`. */
function expect(reading: Record<string, unknown>, key: string, expected: number, what: string): void {
  if (reading[key] !== expected) {
    throw new Error(`h2 memory, ${what}: ${key} is ${String(reading[key])}, expected ${expected}`)
  }
}

/** One reading of each side: fresh server and client children, `connections` idle WebSockets of `kind`. */
export function measureKind(
  kind: TransportKind,
  connections: number,
): Promise<{ client: PerConnection; server: PerConnection }> {
  return withChildren(async (children) => {
    const server = await startH2Server(['--expose-gc'])
    children.push(server)
    const client = await spawnChild(H2_CLIENT_SCRIPT, [kind, String(portFor(server, kind))], {
      execArgv: ['--expose-gc'],
    })
    children.push(client)
    const serverBefore = await server.request('memory')
    expect(serverBefore, 'sessions', 0, `${kind} server before`)
    const clientBefore = readSnapshot(await client.request('memory'))
    const clientAfterRaw = await client.request(`open ${connections}`)
    const clientAfter = readSnapshot(clientAfterRaw)
    expect(clientAfterRaw, 'connections', connections, `${kind} client (open WebSockets)`)
    expect(clientAfterRaw, 'sessions', kind === 'h2' ? 1 : 0, `${kind} client`)
    const serverAfter = await server.request('memory')
    expect(serverAfter, kind, connections, `${kind} server (open WebSockets)`)
    expect(serverAfter, kind === 'h2' ? 'tcp' : 'h2', 0, `${kind} server`)
    expect(serverAfter, 'sessions', kind === 'h2' ? 1 : 0, `${kind} server`)
    expect(serverAfter, 'streamSessions', kind === 'h2' ? 1 : 0, `${kind} server`)
    const { closed } = await client.request('close')
    if (closed !== connections)
      throw new Error(`h2 memory: closed ${String(closed)}, expected ${connections}`)
    return {
      client: perConnection(clientBefore, clientAfter, connections),
      server: perConnection(readSnapshot(serverBefore), readSnapshot(serverAfter), connections),
    }
  })
}

export async function benchH2Memory(config: H2MemoryConfig): Promise<H2MemoryRow> {
  const samples: Record<TransportKind, { client: PerConnection[]; server: PerConnection[] }> = {
    h2: { client: [], server: [] },
    tcp: { client: [], server: [] },
  }
  for (let repeat = 0; repeat < config.repeats; repeat++) {
    const order: TransportKind[] = repeat % 2 === 0 ? ['h2', 'tcp'] : ['tcp', 'h2']
    for (const kind of order) {
      const { client, server } = await measureKind(kind, config.connections)
      samples[kind].client.push(client)
      samples[kind].server.push(server)
    }
  }
  const sides = (kind: TransportKind): H2MemorySides => ({
    client: memorySide(samples[kind].client),
    server: memorySide(samples[kind].server),
  })
  const h2 = sides('h2')
  const tcp = sides('tcp')
  return {
    connections: config.connections,
    h2,
    tcp,
    clientRssRatio: h2.client.rss / tcp.client.rss,
    clientHeapRatio: h2.client.heapUsed / tcp.client.heapUsed,
    serverRssRatio: h2.server.rss / tcp.server.rss,
    serverHeapRatio: h2.server.heapUsed / tcp.server.heapUsed,
  }
}
