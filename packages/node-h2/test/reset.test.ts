/**
 * A reset stream (RST_STREAM, RFC 8441 section 6: the TCP RST of a WebSocket over HTTP/2) ends
 * that WebSocket abnormally (1006) on both sides; its neighbours on the session carry on.
 */
import { constants } from 'node:http2'
import type { Connection } from '@ws/driver'
import type { TextEvent } from '@ws/proto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { connect, type H2StreamTransport } from '../src/index.ts'
import { deadline, echoH2Server, freshPool, TRUST } from './helpers.ts'

const test = suite('a reset stream')

async function echoes(client: Connection, text: string): Promise<void> {
  const got = new Promise<TextEvent>((resolve) => client.once('text', resolve))
  client.sendText(text)
  assert.is((await deadline(got, 5000, `echo of ${text}`)).data, text)
}

const stream = (connection: Connection) => (connection.transport as H2StreamTransport).stream

/** Resolves with the stream's RST_STREAM code when it closes (0 when it was not reset). */
function rstCodeAtClose(connection: Connection): Promise<number | undefined> {
  const target = stream(connection)
  return deadline(
    new Promise((resolve) => target.once('close', () => resolve(target.rstCode))),
    5000,
    'the stream closing',
  )
}

test('reset by the client: 1006 on both sides for that WebSocket only', async () => {
  const { server, url, accepted } = await echoH2Server(false)
  const pool = freshPool()
  try {
    const clients = await Promise.all([0, 1, 2].map((n) => connect(`${url}?${n}`, { pool })))
    const victim = clients[1] as Connection
    const victimServer = accepted.find((connection) => stream(connection).id === stream(victim).id)
    assert.ok(victimServer !== undefined)
    const serverCode = rstCodeAtClose(victimServer)
    stream(victim).close(constants.NGHTTP2_INTERNAL_ERROR)
    const [clientSide, serverSide] = await deadline(
      Promise.all([victim.closed, victimServer.closed]),
      5000,
      'the reset',
    )
    assert.is(clientSide.code, 1006)
    assert.is(clientSide.wasClean, false)
    assert.is(serverSide.code, 1006)
    assert.is(serverSide.wasClean, false)
    assert.is(await serverCode, constants.NGHTTP2_INTERNAL_ERROR, 'the server saw the code the client sent')
    for (const client of [clients[0], clients[2]] as Connection[]) {
      assert.is(client.state, 'open')
      await echoes(client, 'still open')
    }
    // A new WebSocket on the same session still works.
    const later = await connect(`${url}?later`, { pool })
    assert.is(stream(later).session, stream(clients[0] as Connection).session)
    await echoes(later, 'new stream')
  } finally {
    pool.close()
    await server.close()
  }
})

test('terminate() resets with CANCEL; the peer sees 1006', async () => {
  const { server, url, accepted } = await echoH2Server(true)
  const pool = freshPool()
  try {
    const [a, b] = await Promise.all([
      connect(url, { pool, tls: TRUST }),
      connect(`${url}?b`, { pool, tls: TRUST }),
    ])
    assert.ok(a !== undefined && b !== undefined)
    const serverA = accepted.find((connection) => stream(connection).id === stream(a).id) as Connection
    const serverCode = rstCodeAtClose(serverA)
    a.terminate()
    const [closed, serverClosed] = await deadline(Promise.all([a.closed, serverA.closed]), 5000, 'terminated')
    assert.is(closed.code, 1006)
    assert.is(serverClosed.code, 1006)
    assert.is(await serverCode, constants.NGHTTP2_CANCEL, 'RST_STREAM with CANCEL')
    await echoes(b, 'unaffected')
  } finally {
    pool.close()
    await server.close()
  }
})

test('reset by the server: the client sees 1006, its neighbour does not', async () => {
  const { server, url, accepted } = await echoH2Server(false)
  const pool = freshPool()
  try {
    const [a, b] = await Promise.all([connect(url, { pool }), connect(`${url}?b`, { pool })])
    assert.ok(a !== undefined && b !== undefined)
    const serverA = accepted.find((connection) => stream(connection).id === stream(a).id) as Connection
    const clientCode = rstCodeAtClose(a)
    serverA.transport.destroy()
    const closed = await deadline(a.closed, 5000, 'reset by the server')
    assert.is(closed.code, 1006)
    assert.is(await clientCode, constants.NGHTTP2_CANCEL)
    await echoes(b, 'unaffected')
  } finally {
    pool.close()
    await server.close()
  }
})

test.run()
