/**
 * A child process holding idle clients for the client memory reading:
 * `client-process.ts web|connection|ws PORT`. `web` opens our WHATWG `WebSocket`s (@ws/node,
 * binaryType 'arraybuffer', one `message` listener); `connection` opens our plain `Connection`s
 * (@ws/node-tcp's connect(), one `binary` listener); `ws` opens ws's client `WebSocket`s (one
 * `message` listener). All with permessage-deflate off, to the echo server on 127.0.0.1:PORT. Before its greeting it opens and closes one client, so that
 * code and shared state are in place before the first reading. Commands, one per stdin line:
 * `memory` (a reading), `open N` (opens N more clients, 50 at a time, then a reading), `close`
 * (closes them all). It exits when stdin ends.
 */
import { createRequire } from 'node:module'
import { WebSocket } from '@ws/node'
import { connect } from '@ws/node-tcp'
import { serveCommands } from './child.ts'
import { memorySnapshot } from './snapshot.ts'

export type IdleClientKind = 'web' | 'connection' | 'ws'

interface IdleClient {
  /** Still open (not closing or closed). */
  open(): boolean
  close(): Promise<void>
}

async function openWeb(url: string): Promise<IdleClient> {
  const socket = new WebSocket(url, { perMessageDeflate: false })
  socket.binaryType = 'arraybuffer'
  socket.addEventListener('message', () => {})
  await new Promise<void>((resolve, reject) => {
    const failed = (): void => reject(new Error(`WebSocket: the connection to ${url} failed`))
    socket.addEventListener('error', failed, { once: true })
    socket.addEventListener(
      'open',
      () => {
        // What is measured is the WebSocket with its one message listener, as for the others:
        // the harness keeps no listener or promise of its own on an idle client.
        socket.removeEventListener('error', failed)
        resolve()
      },
      { once: true },
    )
  })
  return {
    open: () => socket.readyState === WebSocket.OPEN,
    close: async () => {
      if (socket.readyState === WebSocket.CLOSED) return
      const closed = new Promise<void>((resolve) =>
        socket.addEventListener('close', () => resolve(), { once: true }),
      )
      socket.close(1000)
      await closed
    },
  }
}

async function openConnection(url: string): Promise<IdleClient> {
  const connection = await connect(url, { perMessageDeflate: false })
  connection.on('binary', () => {})
  let closing = false
  return {
    open: () => !closing,
    close: async () => {
      closing = true
      connection.close(1000)
      await connection.closed
    },
  }
}

interface WsClient {
  on(event: 'message', listener: () => void): void
  once(event: 'open' | 'close', listener: () => void): void
  once(event: 'error', listener: (error: Error) => void): void
  removeListener(event: 'error', listener: (error: Error) => void): void
  close(code: number): void
  readyState: number
}
type WsClientClass = new (url: string, options: { perMessageDeflate: false }) => WsClient
const Ws = createRequire(import.meta.url)('ws') as WsClientClass

async function openWs(url: string): Promise<IdleClient> {
  const ws = new Ws(url, { perMessageDeflate: false })
  ws.on('message', () => {})
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject)
    ws.once('open', () => {
      // As for ours: no harness listener or promise stays on an idle client.
      ws.removeListener('error', reject)
      resolve()
    })
  })
  return {
    open: () => ws.readyState === 1,
    close: async () => {
      if (ws.readyState === 3) return
      const closed = new Promise<void>((resolve) => ws.once('close', resolve))
      ws.close(1000)
      await closed
    },
  }
}

const OPENERS: Record<IdleClientKind, (url: string) => Promise<IdleClient>> = {
  web: openWeb,
  connection: openConnection,
  ws: openWs,
}

const [kind, port] = process.argv.slice(2)
if (!(kind === 'web' || kind === 'connection' || kind === 'ws') || !/^\d+$/.test(port ?? '')) {
  throw new Error('usage: client-process.ts web|connection|ws PORT')
}
const url = `ws://127.0.0.1:${port}/`
const openOne = OPENERS[kind]
const clients: IdleClient[] = []
const count = (): number => clients.filter((client) => client.open()).length

await (await openOne(url)).close()
serveCommands(async (command) => {
  const [name, argument] = command.split(' ')
  if (name === 'memory') return memorySnapshot(count())
  if (name === 'open' && /^\d+$/.test(argument ?? '')) {
    const target = clients.length + Number(argument)
    while (clients.length < target) {
      const batch = Math.min(50, target - clients.length)
      clients.push(...(await Promise.all(Array.from({ length: batch }, () => openOne(url)))))
    }
    return memorySnapshot(count())
  }
  if (name === 'close') {
    const closed = clients.length
    await Promise.all(clients.splice(0).map((client) => client.close()))
    return { closed }
  }
  return { error: `unknown command ${command}` }
})
process.stdout.write(`${JSON.stringify({ kind })}\n`)
