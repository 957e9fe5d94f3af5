/**
 * One port, two protocols: the server takes WebSockets over HTTP/2 (RFC 8441) and over
 * HTTP/1.1 Upgrade with the same hooks; TLS picks by ALPN, cleartext by the connection preface.
 */
import { once } from 'node:events'
import { request as httpRequest } from 'node:http'
import { createSecureServer, connect as http2Connect } from 'node:http2'
import { request as httpsRequest } from 'node:https'
import { connect as netConnect } from 'node:net'
import { type TLSSocket, connect as tlsConnect } from 'node:tls'
import { ConnectError, type Connection } from '@ws/driver'
import { connect as connectTcp, connectWith } from '@ws/node-tcp'
import type { TextEvent, UpgradeRequest } from '@ws/proto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { connect, createH2Server, H2StreamTransport, H2WebSocketServer } from '../src/index.ts'
import { deadline, echo, echoH2Server, freshPool, PEM, rejection, TRUST } from './helpers.ts'

const test = suite('one port for HTTP/2 and HTTP/1.1')

async function echoes(client: Connection, text = 'hi'): Promise<void> {
  const got = new Promise<TextEvent>((resolve) => client.once('text', resolve))
  client.sendText(text)
  assert.is((await deadline(got, 5000, 'the echo')).data, text)
}

/** A TLS socket that offers only http/1.1 by ALPN, for HTTP/1.1 clients. */
function openHttp1Tls(port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: PEM.ca, ALPNProtocols: ['http/1.1'] })
    socket.once('secureConnect', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** An HTTP/1.1 GET; resolves with the status, headers and body. */
function get(port: number, secure: boolean) {
  return deadline(
    new Promise<{ status: number; upgrade: string | undefined; body: string }>((resolve, reject) => {
      const options = {
        host: '127.0.0.1',
        port,
        path: '/',
        ca: PEM.ca,
        ALPNProtocols: ['http/1.1'],
        agent: false,
      }
      const request = (secure ? httpsRequest : httpRequest)(options, (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          body += chunk
        })
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, upgrade: response.headers.upgrade, body }),
        )
      })
      request.on('error', reject)
      request.end()
    }),
    5000,
    'GET',
  )
}

test('TLS: HTTP/2 and HTTP/1.1 WebSockets on one port, with the same hooks', async () => {
  const requests: UpgradeRequest[] = []
  const server = createH2Server({
    handleProtocols: (offered) => (offered.includes('chat') ? 'chat' : undefined),
    verifyClient: (request) => request.origin !== 'https://evil.example',
  })
  server.on('connection', (connection, request) => {
    requests.push(request)
    echo(connection)
  })
  const { port } = await server.listen({ tls: { cert: PEM.cert, key: PEM.key } })
  const url = `wss://127.0.0.1:${port}/both`
  const pool = freshPool()
  try {
    const overH2 = await connect(url, { pool, tls: TRUST, protocols: ['chat'], requireHttp2: true })
    assert.instance(overH2.transport, H2StreamTransport)
    assert.is(overH2.protocol, 'chat')
    await echoes(overH2)
    const overH1 = await connectWith(url, { protocols: ['chat'] }, () => openHttp1Tls(port))
    assert.is(overH1.protocol, 'chat')
    await echoes(overH1)
    assert.equal(
      requests.map((request) => request.method),
      ['CONNECT', 'GET'],
    )
    // verifyClient applies to both.
    const refusedH2 = await rejection(connect(url, { pool, tls: TRUST, origin: 'https://evil.example' }))
    assert.instance(refusedH2, ConnectError)
    assert.is((refusedH2 as ConnectError).status, 403)
    const refusedH1 = await rejection(
      connectWith(url, { origin: 'https://evil.example' }, () => openHttp1Tls(port)),
    )
    assert.is((refusedH1 as ConnectError).status, 403)
    // close() ends both kinds with 1001.
    const closing = Promise.all([overH2.closed, overH1.closed])
    await deadline(server.close(), 5000, 'server close')
    const [h2Closed, h1Closed] = await deadline(closing, 5000, 'clients closed')
    assert.is(h2Closed.code, 1001)
    assert.is(h1Closed.code, 1001)
  } finally {
    pool.close()
    await server.close()
  }
})

for (const secure of [false, true]) {
  test(`${secure ? 'TLS' : 'cleartext'}: other requests get 426 on both protocols, or go to the application`, async () => {
    const { server, port } = await echoH2Server(secure)
    try {
      const h1 = await get(port, secure)
      assert.is(h1.status, 426)
      assert.is(h1.upgrade, 'websocket')
      assert.match(h1.body, /WebSocket endpoint/)
      const session = http2Connect(`${secure ? 'https' : 'http'}://127.0.0.1:${port}`, { ca: PEM.ca })
      const stream = session.request({ ':path': '/' })
      const [headers] = (await deadline(once(stream, 'response'), 5000, 'h2 response')) as [
        Record<string, unknown>,
      ]
      assert.is(headers[':status'], 426)
      stream.resume()
      await deadline(once(stream, 'end'), 5000, 'h2 body')
      session.close()

      server.on('request', (_request, response) => {
        response.writeHead(200, { 'Content-Type': 'text/plain' })
        response.end('page')
      })
      const handled = await get(port, secure)
      assert.is(handled.status, 200)
      assert.is(handled.body, 'page')
    } finally {
      await server.close()
    }
  })
}

test('cleartext: HTTP/1.1 WebSockets and prior-knowledge h2c on one port', async () => {
  const { server, url } = await echoH2Server(false)
  const pool = freshPool()
  try {
    const overH1 = await connectTcp(url)
    await echoes(overH1)
    const overH2 = await connect(url, { pool, requireHttp2: true })
    assert.instance(overH2.transport, H2StreamTransport)
    await echoes(overH2)
    overH1.close()
    overH2.close()
  } finally {
    pool.close()
    await server.close()
  }
})

test('cleartext with h2c: false serves HTTP/1.1 only', async () => {
  const server = createH2Server({}, echo)
  const { port } = await server.listen({ h2c: false })
  const pool = freshPool()
  try {
    const error = await rejection(connect(`ws://127.0.0.1:${port}/`, { pool, requireHttp2: true }))
    assert.is((error as ConnectError).code, 'WS_ERR_H2_UNAVAILABLE')
    const client = await connect(`ws://127.0.0.1:${port}/`, { pool })
    await echoes(client)
    client.close()
  } finally {
    pool.close()
    await server.close()
  }
})

test('cleartext: a connection that sends nothing useful is dropped', async () => {
  const { server, port } = await echoH2Server(false)
  try {
    // Half of the preface, then the end of the stream.
    const socket = netConnect({ host: '127.0.0.1', port })
    await once(socket, 'connect')
    socket.end('PRI * HTTP/2.0\r\n')
    await deadline(once(socket, 'close'), 5000, 'the server closing')
  } finally {
    await server.close()
  }
})

test('attach(): WebSockets on an HTTP/2 server of your own', async () => {
  const own = createSecureServer({ cert: PEM.cert, key: PEM.key, settings: { enableConnectProtocol: true } })
  const server = new H2WebSocketServer()
  server.on('connection', echo)
  server.attach(own)
  own.listen(0, '127.0.0.1')
  await once(own, 'listening')
  const port = (own.address() as { port: number }).port
  const pool = freshPool()
  try {
    const client = await connect(`wss://127.0.0.1:${port}/own`, { pool, tls: TRUST, requireHttp2: true })
    await echoes(client)
    assert.is(server.connections.size, 1)
    client.close()
    await deadline(client.closed, 5000, 'closed')
  } finally {
    pool.close()
    await server.close()
    own.close()
  }
})

test('handleStream() without raw headers (called from your own stream listener)', async () => {
  const own = createSecureServer({ cert: PEM.cert, key: PEM.key, settings: { enableConnectProtocol: true } })
  const server = new H2WebSocketServer()
  server.on('connection', echo)
  own.on('stream', (stream, headers) => server.handleStream(stream, headers))
  own.listen(0, '127.0.0.1')
  await once(own, 'listening')
  const port = (own.address() as { port: number }).port
  const pool = freshPool()
  try {
    const client = await connect(`wss://127.0.0.1:${port}/own`, {
      pool,
      tls: TRUST,
      requireHttp2: true,
      protocols: ['a'],
      headers: { 'x-one': '1' },
    })
    await echoes(client)
    client.close()
    await deadline(client.closed, 5000, 'closed')
  } finally {
    pool.close()
    await server.close()
    own.close()
  }
})

test.run()
