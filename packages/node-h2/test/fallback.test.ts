/**
 * The client falls back to HTTP/1.1 when the server does not offer WebSockets over HTTP/2:
 * no h2c (an HTTP/1.1-only server), ALPN without h2, or HTTP/2 without
 * SETTINGS_ENABLE_CONNECT_PROTOCOL. With requireHttp2 it fails with a clear error instead.
 */
import { once } from 'node:events'
import { createServer as createHttp2Server, createSecureServer } from 'node:http2'
import { createServer as createTlsServer } from 'node:tls'
import { ConnectError, type Connection } from '@ws/driver'
import { WebSocketServer } from '@ws/node-tcp'
import type { TextEvent } from '@ws/proto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { connect, H2StreamTransport } from '../src/index.ts'
import { deadline, echo, freshPool, PEM, rejection, TRUST } from './helpers.ts'

const test = suite('falling back to HTTP/1.1')

async function echoes(client: Connection): Promise<void> {
  const got = new Promise<TextEvent>((resolve) => client.once('text', resolve))
  client.sendText('over HTTP/1.1')
  assert.is((await deadline(got, 5000, 'the echo')).data, 'over HTTP/1.1')
}

function unavailable(error: unknown, reason: RegExp): void {
  assert.instance(error, ConnectError)
  const e = error as ConnectError
  assert.is(e.code, 'WS_ERR_H2_UNAVAILABLE')
  assert.match(e.message, /HTTP\/2 extended CONNECT is not available/)
  assert.match(e.message, reason)
}

test('ws:// to an HTTP/1.1-only server: no h2c, so HTTP/1.1', async () => {
  const server = new WebSocketServer()
  server.on('connection', echo)
  const { port } = await server.listen(0)
  const url = `ws://127.0.0.1:${port}/`
  const pool = freshPool()
  try {
    unavailable(await rejection(connect(url, { pool, requireHttp2: true })), /prior knowledge/)
    const client = await connect(url, { pool })
    assert.not.instance(client.transport, H2StreamTransport)
    await echoes(client)
    assert.ok(pool.knownHttp1(pool.key({ host: '127.0.0.1', port, secure: false }, undefined)))
    const again = await connect(url, { pool })
    await echoes(again)
  } finally {
    pool.close()
    await server.close()
  }
})

test('wss:// to a server whose ALPN has no h2: HTTP/1.1 on the same TLS connection', async () => {
  const server = new WebSocketServer()
  let sockets = 0
  server.on('connection', echo)
  const tls = createTlsServer({ cert: PEM.cert, key: PEM.key, ALPNProtocols: ['http/1.1'] })
  tls.on('secureConnection', () => sockets++)
  server.attach(tls, 'secureConnection')
  tls.listen(0, '127.0.0.1')
  await once(tls, 'listening')
  const port = (tls.address() as { port: number }).port
  const url = `wss://127.0.0.1:${port}/`
  const pool = freshPool()
  try {
    unavailable(await rejection(connect(url, { pool, tls: TRUST, requireHttp2: true })), /http\/1\.1 by ALPN/)
    sockets = 0
    const client = await connect(url, { pool: freshPool(), tls: TRUST })
    await echoes(client)
    assert.is(sockets, 1, 'one TLS connection: the one ALPN settled on http/1.1')
  } finally {
    pool.close()
    await server.close()
    tls.close()
  }
})

test('HTTP/2 without SETTINGS_ENABLE_CONNECT_PROTOCOL: HTTP/1.1 over a new connection', async () => {
  // An HTTP/2 server (ALPN h2 and http/1.1) that does not offer extended CONNECT, with
  // WebSockets over HTTP/1.1 upgrades.
  const h2 = createSecureServer({ cert: PEM.cert, key: PEM.key, allowHTTP1: true })
  const upgrades = new WebSocketServer()
  upgrades.on('connection', echo)
  h2.on('upgrade', (request, socket, head) => void upgrades.handleUpgrade(request, socket, head))
  h2.listen(0, '127.0.0.1')
  await once(h2, 'listening')
  const port = (h2.address() as { port: number }).port
  const url = `wss://127.0.0.1:${port}/`
  const pool = freshPool()
  try {
    unavailable(
      await rejection(connect(url, { pool, tls: TRUST, requireHttp2: true })),
      /did not send SETTINGS_ENABLE_CONNECT_PROTOCOL/,
    )
    const client = await connect(url, { pool, tls: TRUST })
    assert.not.instance(client.transport, H2StreamTransport)
    await echoes(client)
    client.close()
  } finally {
    pool.close()
    await upgrades.close()
    h2.close()
  }
})

test('h2c without the setting, required: the error says so', async () => {
  const h2 = createHttp2Server()
  h2.listen(0, '127.0.0.1')
  await once(h2, 'listening')
  const port = (h2.address() as { port: number }).port
  const pool = freshPool()
  try {
    unavailable(
      await rejection(connect(`ws://127.0.0.1:${port}/`, { pool, requireHttp2: true })),
      /SETTINGS_ENABLE_CONNECT_PROTOCOL/,
    )
  } finally {
    pool.close()
    h2.close()
  }
})

test.run()
