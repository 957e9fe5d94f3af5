/**
 * Fan-out: one 1 KiB text message to many connected clients. Our server's `broadcast()`
 * (encoded once for every connection) against ws's `wss.clients.forEach(c => c.send(text))`,
 * each server in a child process (fanout-server.ts), the same raw clients in this process.
 * The clients are bare TCP sockets that did the opening handshake and then only count the
 * bytes of the frames they receive (so that the clients cost the same for both servers, and
 * little): a round asks the server for `count` messages and ends when every client has every
 * byte. Messages per second are counted at the clients (messages x clients / elapsed).
 */
import { randomBytes } from 'node:crypto'
import { connect as netConnect, type Socket } from 'node:net'
import { join } from 'node:path'
import { type ChildHandle, spawnChild, withChildren } from './child.ts'
import { type Comparison, compareAsync, type MeasureOptions } from './harness.ts'

export const FANOUT_SCRIPT = join(import.meta.dirname, 'fanout-server.ts')

export interface FanoutConfig {
  clients: number
  size: number
  /** Messages per round (each to every client). */
  count: number
}

export const FANOUT_CONFIG: FanoutConfig = { clients: 1000, size: 1024, count: 20 }
export const FANOUT_QUICK: FanoutConfig = { clients: 20, size: 1024, count: 5 }
export const FANOUT_TARGET = 3

export interface FanoutRow extends Comparison {
  clients: number
  size: number
  count: number
  /** Bytes each client received in the check round, equal for both servers. */
  checkedBytes: number
}

interface RawClient {
  socket: Socket
  received: number
}

/** A raw WebSocket client: the opening handshake, then it only counts the bytes it receives. */
function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port })
    const key = randomBytes(16).toString('base64')
    let head = ''
    const client: RawClient = { socket, received: 0 }
    const onData = (chunk: Buffer): void => {
      if (head !== null && !head.includes('\r\n\r\n')) {
        head += chunk.toString('latin1')
        const end = head.indexOf('\r\n\r\n')
        if (end < 0) return
        if (!head.startsWith('HTTP/1.1 101')) {
          reject(new Error(`fan-out: the server answered ${head.split('\r\n')[0]}`))
          socket.destroy()
          return
        }
        client.received += Buffer.byteLength(head, 'latin1') - (end + 4)
        resolve(client)
        return
      }
      client.received += chunk.length
    }
    socket.on('data', onData)
    socket.once('error', reject)
    socket.once('connect', () =>
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    )
  })
}

async function openRawClients(port: number, count: number): Promise<RawClient[]> {
  const clients: RawClient[] = []
  while (clients.length < count) {
    const batch = Math.min(100, count - clients.length)
    clients.push(...(await Promise.all(Array.from({ length: batch }, () => rawClient(port)))))
  }
  return clients
}

/** Bytes of one unmasked text frame of `size` bytes. */
const frameBytes = (size: number): number => size + (size < 126 ? 2 : size < 65536 ? 4 : 10)

/** One round: `count` messages to every client; resolves with the elapsed ms once all arrived. */
async function round(server: ChildHandle, clients: RawClient[], config: FanoutConfig): Promise<number> {
  const expected = clients.map((client) => client.received + config.count * frameBytes(config.size))
  const start = performance.now()
  const answer = await server.request(`send ${config.count} ${config.size}`)
  if (answer.clients !== clients.length) {
    throw new Error(`fan-out: the server has ${String(answer.clients)} clients, expected ${clients.length}`)
  }
  const deadline = start + 60_000
  for (;;) {
    if (clients.every((client, index) => client.received >= (expected[index] as number))) break
    if (performance.now() > deadline) throw new Error('fan-out: messages missing after 60 s')
    await new Promise((resolve) => setImmediate(resolve))
  }
  const elapsed = performance.now() - start
  for (const [index, client] of clients.entries()) {
    if (client.received !== expected[index]) {
      throw new Error(
        `fan-out: client ${index} received ${client.received} bytes, expected ${expected[index]}`,
      )
    }
  }
  return elapsed
}

export function benchFanout(
  options: MeasureOptions,
  config: FanoutConfig = FANOUT_CONFIG,
): Promise<FanoutRow> {
  return withChildren(async (children) => {
    const ours = await spawnChild(FANOUT_SCRIPT, ['ours'])
    children.push(ours)
    const ws = await spawnChild(FANOUT_SCRIPT, ['ws'])
    children.push(ws)
    const oursClients = await openRawClients(ours.hello.port as number, config.clients)
    const wsClients = await openRawClients(ws.hello.port as number, config.clients)
    try {
      // Wait until both servers count every client, then check one round each.
      for (const server of [ours, ws]) {
        for (let tries = 0; (await server.request('clients')).clients !== config.clients; tries++) {
          if (tries > 500) throw new Error('fan-out: the clients did not all connect')
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
      }
      const before = oursClients[0]?.received ?? 0
      await round(ours, oursClients, config)
      await round(ws, wsClients, config)
      const checkedBytes = (oursClients[0]?.received ?? 0) - before
      const rate =
        (server: ChildHandle, clients: RawClient[]) =>
        async (ms: number): Promise<number> => {
          let messages = 0
          let elapsed = 0
          while (elapsed < ms) {
            elapsed += await round(server, clients, config)
            messages += config.count * config.clients
          }
          return (messages * 1000) / elapsed
        }
      const comparison = await compareAsync(rate(ours, oursClients), rate(ws, wsClients), options)
      return { clients: config.clients, size: config.size, count: config.count, checkedBytes, ...comparison }
    } finally {
      for (const client of [...oursClients, ...wsClients]) client.socket.destroy()
    }
  })
}
