/**
 * server.broadcast(): one message to many connections, encoded once, over real sockets; plain
 * and permessage-deflate clients (with and without server context takeover) all get exactly
 * the message; a filter picks connections; a closing connection is skipped.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type Connection, connect, PreparedMessage, WebSocketServer } from '../src/index.ts'

const fanout = suite('WebSocketServer.broadcast')

function nextText(connection: Connection): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message within 5 s')), 5000)
    connection.once('text', (event) => {
      clearTimeout(timer)
      resolve(event.data)
    })
  })
}

fanout('every client gets the message: plain, deflate with and without context takeover', async () => {
  const server = new WebSocketServer({ perMessageDeflate: { threshold: 0 } })
  const { port } = await server.listen(0)
  const url = `ws://127.0.0.1:${port}/`
  const clients = await Promise.all([
    connect(url, { perMessageDeflate: false }),
    connect(url, { perMessageDeflate: false }),
    connect(url, { perMessageDeflate: { threshold: 0 } }),
    connect(url, { perMessageDeflate: { threshold: 0, serverNoContextTakeover: true } }),
    connect(url, { perMessageDeflate: { threshold: 0, serverNoContextTakeover: true } }),
  ])
  try {
    while (server.connections.size < clients.length) await new Promise((resolve) => setTimeout(resolve, 5))
    const text = JSON.stringify({ news: 'x'.repeat(1000), n: 1 })
    const message = new PreparedMessage(text)
    const received = Promise.all(clients.map(nextText))
    assert.is(server.broadcast(message), 5)
    assert.equal(await received, Array(5).fill(text))
    // Plain clients share one frame; no-context-takeover ones one compressed frame; the
    // context-takeover one compresses its own.
    assert.is(message.encodings, 2)
    // A filter: only the plain clients.
    const plain = new Set([...server.connections].filter((c) => c.extensions === ''))
    const second = Promise.all(clients.slice(0, 2).map(nextText))
    assert.is(server.broadcast('only plain', { filter: (c) => plain.has(c) }), 2)
    assert.equal(await second, ['only plain', 'only plain'])
    // A connection that is closing is skipped.
    const [first] = server.connections
    first?.close(1000)
    assert.is(server.broadcast(new Uint8Array([1])), 4)
  } finally {
    for (const client of clients) client.terminate()
    await server.close()
  }
})

fanout.run()
