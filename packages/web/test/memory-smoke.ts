/**
 * A runtime-neutral round trip, with no Node API: a WebSocket and a WebSocketStream whose
 * opener hands out one end of @ws/driver's in-memory pair, and the driver's Acceptor on the
 * other end wrapped by websocketFromConnection. Run by memory.test.ts under Node, and by hand
 * under Deno or Bun (see the README of this folder's package).
 */
import { Acceptor, createMemoryPair } from '@ws/driver'
import { createWebSocketClasses, websocketFromConnection } from '../src/index.ts'

/** Resolves with a log of what happened; throws on a mismatch. */
export async function memorySmoke(): Promise<string[]> {
  const log: string[] = []
  const acceptor = new Acceptor({ handleProtocols: (offered) => offered[0] })
  const { WebSocket, WebSocketStream } = createWebSocketClasses({
    open: async () => {
      const { client, server } = createMemoryPair()
      void acceptor.accept(server, (connection) => {
        const peer = websocketFromConnection(connection, { url: 'ws://memory.test/' })
        peer.onmessage = (event) => peer.send(event.data as string)
      })
      return client
    },
  })
  const socket = new WebSocket('ws://memory.test/', ['echo'])
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => {
      log.push(`open ${socket.protocol}`)
      socket.send('hello')
    }
    socket.onmessage = (event) => {
      log.push(`message ${String(event.data)}`)
      socket.close(1000, 'done')
    }
    socket.onerror = () => reject(new Error('WebSocket failed'))
    socket.onclose = (event) => {
      log.push(`close ${event.code} ${event.wasClean}`)
      resolve()
    }
  })
  const stream = new WebSocketStream('ws://memory.test/')
  const { readable, writable } = await stream.opened
  const writer = writable.getWriter()
  const reader = readable.getReader()
  await writer.write(new Uint8Array([1, 2, 3]))
  const { value } = await reader.read()
  log.push(`stream ${[...(value as Uint8Array)].join(',')}`)
  stream.close({ closeCode: 3000 })
  const closed = await stream.closed
  log.push(`stream closed ${closed.closeCode}`)
  const expected = ['open echo', 'message hello', 'close 1000 true', 'stream 1,2,3', 'stream closed 3000']
  if (log.join('|') !== expected.join('|')) throw new Error(`unexpected: ${log.join(' | ')}`)
  return log
}
