import type { TLSSocket } from 'node:tls'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type Connection, connect, createSecureServer } from '../src/index.ts'
import { deadline, nextEvent, PEM, secureEchoServer } from './helpers.ts'

const tls = (connection: Connection): TLSSocket => connection.socket as TLSSocket

const messages = suite('our client and our server over TLS, trusting the shipped CA')

messages('text, binary and a > 64 KiB message echo back over TLS 1.3 with permessage-deflate', async () => {
  const { server, url, accepted } = await secureEchoServer()
  try {
    const client = await connect(url, { ca: PEM.ca })
    const serverSide = accepted[0] as Connection
    assert.ok(serverSide, 'the server emitted connection')
    assert.is(tls(client).getProtocol(), 'TLSv1.3')
    assert.is(tls(serverSide).getProtocol(), 'TLSv1.3')
    assert.is(tls(client).authorized, true)
    assert.is(tls(client).alpnProtocol, 'http/1.1')
    assert.is(tls(serverSide).alpnProtocol, 'http/1.1')
    assert.match(client.extensions, /^permessage-deflate/)
    assert.is(serverSide.extensions, client.extensions)

    const big = 'the quick brown fox jumps over the lazy dog '.repeat(3000) // 132 KB
    const binary = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) & 0xff)
    const received: unknown[] = []
    const all = deadline(
      new Promise<void>((resolve) => {
        const take = (event: { data: unknown }): void => {
          received.push(event.data)
          if (received.length === 3) resolve()
        }
        client.on('text', take)
        client.on('binary', take)
      }),
    )
    client.sendText('hello')
    client.sendBinary(binary)
    client.sendText(big)
    await all
    assert.equal(received, ['hello', binary, big])
  } finally {
    await server.close()
  }
})

messages('the client closes with 1000: both ends see a clean close with that code', async () => {
  const { server, url, accepted } = await secureEchoServer()
  try {
    const client = await connect(url, { ca: PEM.ca })
    const serverSide = accepted[0] as Connection
    client.close(1000, 'client done')
    const [clientClosed, serverClosed] = await deadline(Promise.all([client.closed, serverSide.closed]))
    assert.equal([clientClosed.code, clientClosed.wasClean], [1000, true])
    assert.equal([serverClosed.code, serverClosed.reason, serverClosed.wasClean], [1000, 'client done', true])
    assert.is(server.connections.size, 0)
  } finally {
    await server.close()
  }
})

messages('the server closes with 1000: both ends see a clean close with that code', async () => {
  const { server, url, accepted } = await secureEchoServer()
  try {
    const client = await connect(url, { ca: PEM.ca })
    const closing = nextEvent(client, 'close')
    ;(accepted[0] as Connection).close(1000, 'server done')
    const close = await closing
    assert.equal([close.code, close.reason], [1000, 'server done'])
    const [clientClosed, serverClosed] = await deadline(
      Promise.all([client.closed, (accepted[0] as Connection).closed]),
    )
    assert.equal([clientClosed.code, clientClosed.reason, clientClosed.wasClean], [1000, 'server done', true])
    assert.equal([serverClosed.code, serverClosed.wasClean], [1000, true])
  } finally {
    await server.close()
  }
})

messages('createSecureServer with a listener; closing it closes its TLS clients with 1001', async () => {
  const accepted: Connection[] = []
  const server = createSecureServer({ key: PEM.serverKey, cert: PEM.server }, (connection, request) => {
    assert.is(request.resource, '/path?q=1')
    accepted.push(connection)
  })
  const { port } = await server.listen()
  assert.equal(server.address(), { host: '127.0.0.1', port })
  const client = await connect(`wss://127.0.0.1:${port}/path?q=1`, { ca: PEM.ca })
  assert.is(accepted.length, 1)
  await server.close()
  const closed = await deadline(client.closed)
  assert.equal([closed.code, closed.wasClean], [1001, true])
  assert.is(server.address(), null)
})

messages.run()

const options = suite('TLS options that change what is negotiated')

options(
  'no SNI for an IP address; `servername` sets it and the certificate is checked against it',
  async () => {
    const { server, url, accepted } = await secureEchoServer()
    try {
      const byIp = await connect(url, { ca: PEM.ca })
      assert.is(tls(accepted[0] as Connection).servername, false)
      const byName = await connect(url, { ca: PEM.ca, servername: 'localhost' })
      assert.is(tls(accepted[1] as Connection).servername, 'localhost')
      assert.is(tls(byName).authorized, true)
      byIp.close(1000)
      byName.close(1000)
      await deadline(Promise.all([byIp.closed, byName.closed]))
    } finally {
      await server.close()
    }
  },
)

options('ca as a Buffer or an array; permessage-deflate off; a subprotocol; TLS 1.3 minimum', async () => {
  const { server, url, accepted } = await secureEchoServer({
    ca: Buffer.from(PEM.ca),
    minVersion: 'TLSv1.3',
    perMessageDeflate: false,
    handleProtocols: (offered) => offered[0],
  })
  try {
    const client = await connect(url, {
      ca: [PEM.otherCa, Buffer.from(PEM.ca)],
      minVersion: 'TLSv1.3',
      protocols: ['chat'],
    })
    assert.is(client.protocol, 'chat')
    assert.is(client.extensions, '')
    assert.is(tls(client).getProtocol(), 'TLSv1.3')
    client.sendText('still works')
    assert.is((await nextEvent(client, 'text')).data, 'still works')
    client.close(1000)
    await deadline(Promise.all([client.closed, (accepted[0] as Connection).closed]))
  } finally {
    await server.close()
  }
})

options.run()
