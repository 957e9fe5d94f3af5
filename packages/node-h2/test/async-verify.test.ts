/**
 * A verifyClient that answers with a promise, over HTTP/2 (RFC 8441) and HTTP/1.1 on the same
 * server: the answer waits for it, a refusal or a failed hook gets its status, the handshake
 * timeout covers the wait, and close() refuses the streams still waiting.
 */
import { ConnectError, type Connection } from '@ws/driver'
import { connect as connectTcp } from '@ws/node-tcp'
import type { TextEvent, UpgradeRequest } from '@ws/proto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { connect, H2StreamTransport } from '../src/index.ts'
import { deadline, echoH2Server, freshPool, rejection } from './helpers.ts'

const test = suite('async verifyClient over HTTP/2')

async function echoes(client: Connection, text = 'hi'): Promise<void> {
  const got = new Promise<TextEvent>((resolve) => client.once('text', resolve))
  client.sendText(text)
  assert.is((await deadline(got, 5000, 'the echo')).data, text)
}

const later = <T>(value: T, ms: number): Promise<T> =>
  new Promise((resolve) => setTimeout(() => resolve(value), ms))

test('the answer waits for the promise: accepted, or refused with its status, on both protocols', async () => {
  const asked: UpgradeRequest[] = []
  const { server, url } = await echoH2Server(false, {
    verifyClient: (request) => {
      asked.push(request)
      return later(
        request.origin === 'https://evil.example' ? { status: 401, body: 'who are you' } : true,
        30,
      )
    },
  })
  const pool = freshPool()
  try {
    const overH2 = await connect(url, { pool, requireHttp2: true })
    assert.instance(overH2.transport, H2StreamTransport)
    await echoes(overH2)
    const overH1 = await connectTcp(url)
    await echoes(overH1)
    const refused = await rejection(
      connect(url, { pool, requireHttp2: true, origin: 'https://evil.example' }),
    )
    assert.instance(refused, ConnectError)
    assert.is((refused as ConnectError).status, 401)
    assert.equal(
      asked.map((request) => request.method),
      ['CONNECT', 'GET', 'CONNECT'],
    )
    assert.is(server.connections.size, 2)
    overH2.close()
    overH1.close()
    await deadline(Promise.all([overH2.closed, overH1.closed]), 5000, 'closed')
  } finally {
    pool.close()
    await server.close()
  }
})

test('a hook that rejects or throws refuses with 500', async () => {
  let calls = 0
  const { server, url } = await echoH2Server(false, {
    verifyClient: () => {
      calls += 1
      if (calls === 1) return Promise.reject(new Error('database down'))
      throw new Error('bug in the hook')
    },
  })
  const pool = freshPool()
  try {
    for (let round = 0; round < 2; round++) {
      const refused = await rejection(connect(url, { pool, requireHttp2: true }))
      assert.instance(refused, ConnectError)
      assert.is((refused as ConnectError).status, 500)
    }
    assert.is(calls, 2)
    assert.is(server.connections.size, 0)
  } finally {
    pool.close()
    await server.close()
  }
})

test('a promise that never settles: the stream is reset after the handshake timeout', async () => {
  const { server, url } = await echoH2Server(false, {
    handshakeTimeout: 100,
    verifyClient: () => new Promise<boolean>(() => {}),
  })
  const pool = freshPool()
  try {
    const started = Date.now()
    const failed = await rejection(connect(url, { pool, requireHttp2: true, handshakeTimeout: 5000 }))
    assert.instance(failed, Error)
    // The server's timeout ended it, not the client's (5 s).
    assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`)
    assert.is(server.connections.size, 0)
  } finally {
    pool.close()
    await server.close()
  }
})

test('close() while a promise is pending refuses the stream; the late answer changes nothing', async () => {
  let allow: (value: boolean) => void = () => {}
  let asked: () => void = () => {}
  const waiting = new Promise<void>((resolve) => {
    asked = resolve
  })
  const { server, url } = await echoH2Server(false, {
    verifyClient: () =>
      new Promise<boolean>((resolve) => {
        allow = resolve
        asked()
      }),
  })
  const pool = freshPool()
  try {
    const attempt = rejection(connect(url, { pool, requireHttp2: true }))
    await deadline(waiting, 5000, 'the hook called')
    await deadline(server.close(), 5000, 'server close')
    allow(true)
    assert.instance(await attempt, Error)
    await later(null, 20)
    assert.is(server.connections.size, 0)
  } finally {
    pool.close()
    await server.close()
  }
})

test.run()
