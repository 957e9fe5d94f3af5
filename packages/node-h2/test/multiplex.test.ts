/**
 * Our HTTP/2 client against our HTTP/2 server: many WebSockets share one session, each echoes
 * text and binary with permessage-deflate and closes on its own.
 */
import { randomBytes } from 'node:crypto'
import type { ClientHttp2Session } from 'node:http2'
import type { Connection } from '@ws/driver'
import type { BinaryEvent, TextEvent } from '@ws/proto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { connect, H2StreamTransport } from '../src/index.ts'
import { deadline, echoH2Server, freshPool, TRUST } from './helpers.ts'

const test = suite('100 WebSockets on one HTTP/2 session')

for (const secure of [false, true]) {
  test(`${secure ? 'wss:// (TLS, ALPN h2)' : 'ws:// (h2c)'}: echo text and binary, close one by one`, async () => {
    const { server, url, accepted } = await echoH2Server(secure)
    const pool = freshPool()
    try {
      const count = 100
      const clients = await deadline(
        Promise.all(
          Array.from({ length: count }, (_, index) =>
            connect(`${url}?n=${index}`, { pool, tls: TRUST, perMessageDeflate: { threshold: 0 } }),
          ),
        ),
        20_000,
        'opening 100 WebSockets',
      )
      const sessions = new Set<ClientHttp2Session>()
      for (const client of clients) {
        assert.instance(client.transport, H2StreamTransport)
        sessions.add((client.transport as H2StreamTransport).stream.session as ClientHttp2Session)
        assert.match(client.extensions, /^permessage-deflate/)
      }
      assert.is(sessions.size, 1, 'every WebSocket is a stream of the same session')
      assert.is(accepted.length, count)
      for (const connection of accepted) assert.match(connection.extensions, /^permessage-deflate/)
      const streamIds = new Set(clients.map((client) => (client.transport as H2StreamTransport).stream.id))
      assert.is(streamIds.size, count)
      const first = clients[0] as Connection
      const info = first.transport.info ?? {}
      assert.is(info.remoteAddress, '127.0.0.1')
      assert.is(info.streamId, (first.transport as H2StreamTransport).stream.id)
      assert.is(first.transport.needsDrain, false)

      await deadline(
        Promise.all(
          clients.map(async (client, index) => {
            const text = `message ${index} `.repeat(50)
            const binary = randomBytes(1000 + index)
            const gotText = new Promise<TextEvent>((resolve) => client.once('text', resolve))
            client.sendText(text)
            assert.is((await gotText).data, text)
            const gotBinary = new Promise<BinaryEvent>((resolve) => client.once('binary', resolve))
            client.sendBinary(binary)
            assert.equal(Buffer.from((await gotBinary).data), binary)
          }),
        ),
        20_000,
        'the echoes',
      )

      // Close them one at a time: the others keep working.
      for (let index = 0; index < count; index++) {
        const client = clients[index]
        if (client === undefined) continue
        client.close(1000, `bye ${index}`)
        const closed = await deadline(client.closed, 5000, `closing ${index}`)
        assert.is(closed.code, 1000)
        assert.is(closed.wasClean, true)
        const next = clients[index + 1]
        if (next !== undefined && index % 10 === 0) {
          const echoed = new Promise<TextEvent>((resolve) => next.once('text', resolve))
          next.sendText('still here')
          assert.is((await deadline(echoed, 5000, 'a neighbour echo')).data, 'still here')
        }
      }
      const serverSide = await deadline(
        Promise.all(accepted.map((connection) => connection.closed)),
        5000,
        'server side closed',
      )
      assert.ok(serverSide.every((event) => event.code === 1000 && event.wasClean))
      assert.is([...sessions][0]?.destroyed, false, 'the session outlives its WebSockets')
    } finally {
      pool.close()
      await server.close()
    }
  })
}

test.run()
