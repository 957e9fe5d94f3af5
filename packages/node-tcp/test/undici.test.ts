/** undici's WebSocket client (a real, independent peer) against our server. */
import type { UpgradeRequest } from '@ws/proto'
import { WebSocket as UndiciWebSocket } from 'undici'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type Connection, WebSocketServer } from '../src/index.ts'
import { deadline } from './helpers.ts'

interface Received {
  kind: 'text' | 'binary'
  data: string | Uint8Array
}

/** Opens an undici WebSocket and collects what it receives. */
async function openUndici(url: string) {
  const socket = new UndiciWebSocket(url)
  socket.binaryType = 'arraybuffer'
  const received: Received[] = []
  const waiters: (() => void)[] = []
  socket.addEventListener('message', (event) => {
    const data = event.data as string | ArrayBuffer
    received.push(
      typeof data === 'string' ? { kind: 'text', data } : { kind: 'binary', data: new Uint8Array(data) },
    )
    for (const wake of waiters.splice(0)) wake()
  })
  const closed = new Promise<{ code: number; reason: string; wasClean: boolean }>((resolve) =>
    socket.addEventListener('close', (event) =>
      resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean }),
    ),
  )
  await deadline(
    new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve())
      socket.addEventListener('error', () => reject(new Error('undici could not connect')))
    }),
  )
  const count = (n: number): Promise<void> =>
    deadline(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (received.length >= n) resolve()
          else waiters.push(check)
        }
        check()
      }),
      5000,
      `undici receiving ${n} messages`,
    )
  return { socket, received, closed, count }
}

async function ourServer() {
  const server = new WebSocketServer({ fragmentSize: 1000 })
  const connections: { connection: Connection; request: UpgradeRequest }[] = []
  server.on('connection', (connection: Connection, request: UpgradeRequest) => {
    connections.push({ connection, request })
    connection.on('text', (event) => connection.state === 'open' && connection.sendText(event.data))
    connection.on('binary', (event) => connection.state === 'open' && connection.sendBinary(event.data))
  })
  const { port } = await server.listen()
  return { server, url: `ws://127.0.0.1:${port}/`, connections }
}

const undici = suite('undici WebSocket -> our server')

undici(
  'text, binary and > 64 KiB messages echo back, fragmented by us; permessage-deflate when offered',
  async () => {
    const { server, url, connections } = await ourServer()
    try {
      const peer = await openUndici(url)
      const big = 'The quick brown fox jumps over the lazy dog. '.repeat(3000) // 135 KB
      const binary = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31 + 7) & 0xff)
      peer.socket.send('hello')
      peer.socket.send(binary)
      peer.socket.send(big)
      await peer.count(3)
      assert.equal(peer.received, [
        { kind: 'text', data: 'hello' },
        { kind: 'binary', data: binary },
        { kind: 'text', data: big },
      ])
      const { connection, request } = connections[0] as (typeof connections)[number]
      // undici 7 offers permessage-deflate; both sides must agree on what our server answered.
      assert.match(request.headers.get('sec-websocket-extensions') ?? '', /permessage-deflate/)
      assert.is(connection.extensions, 'permessage-deflate; client_max_window_bits=13')
      assert.is(peer.socket.extensions, connection.extensions)
      peer.socket.close(4000, 'client done')
      const [theirs, ours] = await deadline(Promise.all([peer.closed, connection.closed]))
      assert.equal([ours.code, ours.reason, ours.wasClean], [4000, 'client done', true])
      assert.equal([theirs.code, theirs.wasClean], [4000, true])
    } finally {
      await server.close()
    }
  },
)

undici('the server closes with its code and reason; undici reports them', async () => {
  const { server, url, connections } = await ourServer()
  try {
    const peer = await openUndici(url)
    peer.socket.send('ping me')
    await peer.count(1)
    const { connection } = connections[0] as (typeof connections)[number]
    connection.close(4002, 'server says bye')
    const theirs = await deadline(peer.closed)
    assert.equal([theirs.code, theirs.reason, theirs.wasClean], [4002, 'server says bye', true])
    const ours = await deadline(connection.closed)
    assert.equal([ours.code, ours.wasClean], [4002, true])
  } finally {
    await server.close()
  }
})

undici('a message over our limit: undici sees 1009', async () => {
  const server = new WebSocketServer({ limits: { maxMessageSize: 10_000 } })
  const { port } = await server.listen()
  try {
    const peer = await openUndici(`ws://127.0.0.1:${port}/`)
    peer.socket.send('x'.repeat(10_001))
    const theirs = await deadline(peer.closed)
    assert.is(theirs.code, 1009)
  } finally {
    await server.close()
  }
})

undici.run()
