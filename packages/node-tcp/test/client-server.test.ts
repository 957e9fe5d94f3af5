import { once } from 'node:events'
import { createServer as createHttpServer } from 'node:http'
import { type AddressInfo, createServer as createNetServer } from 'node:net'
import { ClientHandshake, ServerHandshake, type WebSocketConnection, type WebSocketEvent } from '@ws/proto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ConnectError, type Connection, connect, WebSocketServer } from '../src/index.ts'
import { deadline, echoServer, nextEvent, rawSocket, readUntil, UPGRADE_REQUEST } from './helpers.ts'

/** Rejection of a promise, which must reject. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

const messages = suite('our client and our server over 127.0.0.1')

messages('text, binary, > 64 KiB and fragmented messages echo back, with permessage-deflate', async () => {
  const { server, url, accepted } = await echoServer({ fragmentSize: 16 * 1024 })
  try {
    const client = await connect(url, { fragmentSize: 1000 })
    assert.is(client.extensions, 'permessage-deflate; client_max_window_bits=13')
    assert.is(accepted[0]?.extensions, client.extensions)
    const big = 'lorem ipsum dolor sit amet '.repeat(10_000) // 270 KB, fragmented both ways
    const binary = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) & 0xff)
    const received: unknown[] = []
    client.on('text', (event) => received.push(event.data))
    client.on('binary', (event) => received.push(event.data))
    client.sendText('hello')
    client.sendBinary(binary)
    client.sendText(big)
    client.sendText('')
    await deadline(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (received.length === 4) resolve()
        }
        client.on('event', check)
      }),
    )
    assert.equal(received, ['hello', binary, big, ''])
    client.close(1000, 'bye')
    const [clientClosed, serverClosed] = await deadline(
      Promise.all([client.closed, (accepted[0] as Connection).closed]),
    )
    // The server echoes the code only, so the client's closed event has no reason.
    assert.equal([clientClosed.code, clientClosed.reason, clientClosed.wasClean], [1000, '', true])
    assert.equal([serverClosed.code, serverClosed.reason, serverClosed.wasClean], [1000, 'bye', true])
    assert.is(client.state, 'closed')
  } finally {
    await server.close()
  }
})

messages(
  'the server closes with a code and reason; the client sees them; no deflate when refused',
  async () => {
    const { server, url, accepted } = await echoServer({ perMessageDeflate: false })
    try {
      const client = await connect(url)
      assert.is(client.extensions, '')
      const closing = nextEvent(client, 'close')
      ;(accepted[0] as Connection).close(4001, 'go away')
      const close = await closing
      assert.equal([close.code, close.reason], [4001, 'go away'])
      const closed = await deadline(client.closed)
      assert.equal([closed.code, closed.wasClean], [4001, true])
    } finally {
      await server.close()
    }
  },
)

messages('a server ping is answered by our client automatically, with the same payload', async () => {
  const { server, url, accepted } = await echoServer()
  try {
    const client = await connect(url)
    const pinged = nextEvent(client, 'ping')
    const ponged = nextEvent(accepted[0] as Connection, 'pong')
    ;(accepted[0] as Connection).ping('are you there')
    assert.is(new TextDecoder().decode((await pinged).data), 'are you there')
    assert.is(new TextDecoder().decode((await ponged).data), 'are you there')
    client.close()
    await deadline(client.closed)
  } finally {
    await server.close()
  }
})

messages('events as an async iterator, ending after closed; server.close() sends 1001', async () => {
  const { server, url } = await echoServer()
  const client = await connect(url)
  client.sendText('one')
  client.sendText('two')
  const seen: string[] = []
  for await (const event of client) {
    seen.push(
      event.type === 'text' ? event.data : event.type === 'closed' ? `closed ${event.code}` : event.type,
    )
    if (seen.length === 2) await server.close()
  }
  assert.equal(seen, ['one', 'two', 'close', 'closed 1001'])
})

messages('subprotocols: handleProtocols chooses; verifyClient refuses with 403 or a status', async () => {
  const server = new WebSocketServer({
    handleProtocols: (offered) => offered.find((p) => p === 'chat.v2'),
    verifyClient: (request) =>
      request.origin === 'https://evil.example'
        ? false
        : request.origin === 'https://busy.example'
          ? { status: 503, headers: { 'Retry-After': '5' }, body: 'busy' }
          : true,
  })
  const { port } = await server.listen()
  try {
    const url = `ws://127.0.0.1:${port}/`
    const chosen = await connect(url, { protocols: ['chat.v1', 'chat.v2'] })
    assert.is(chosen.protocol, 'chat.v2')
    const none = await connect(url, { protocols: ['chat.v1'] })
    assert.is(none.protocol, '')
    const refused = (await rejection(connect(url, { origin: 'https://evil.example' }))) as ConnectError
    assert.instance(refused, ConnectError)
    assert.equal([refused.kind, refused.code, refused.status], ['handshake', 'WS_ERR_UNEXPECTED_STATUS', 403])
    assert.match(refused.message, /the server answered 403 Forbidden/)
    const busy = (await rejection(connect(url, { origin: 'https://busy.example' }))) as ConnectError
    assert.is(busy.status, 503)
    assert.ok(busy.headers?.some(([name, value]) => name.toLowerCase() === 'retry-after' && value === '5'))
    chosen.close()
    none.close()
    await deadline(Promise.all([chosen.closed, none.closed]))
  } finally {
    await server.close()
  }
})

messages(
  'attached to node:http with handleUpgrade; the HTTP server still answers plain requests',
  async () => {
    const wss = new WebSocketServer()
    const http = createHttpServer((_, response) => response.end('plain'))
    http.on('upgrade', (request, socket, head) => {
      wss.handleUpgrade(request, socket, head).then((connection) => {
        connection?.on('text', (event) => connection.sendText(`echo: ${event.data}`))
      })
    })
    http.listen(0, '127.0.0.1')
    await once(http, 'listening')
    const { port } = http.address() as AddressInfo
    try {
      const client = await connect(`ws://127.0.0.1:${port}/chat?room=1`)
      const reply = nextEvent(client, 'text')
      client.sendText('hi')
      assert.is((await reply).data, 'echo: hi')
      assert.is(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'plain')
      client.close(1000)
      await deadline(client.closed)
    } finally {
      await wss.close()
      http.close()
    }
  },
)

messages(
  'messages that arrive with the close, in one TCP segment, are still answered before the echo',
  async () => {
    const { server, port } = await echoServer({ perMessageDeflate: false })
    try {
      const socket = await rawSocket(port)
      const handshake = new ClientHandshake({ url: `ws://127.0.0.1:${port}/` })
      socket.write(handshake.request)
      const events: WebSocketEvent[] = []
      let client: WebSocketConnection | null = null
      const done = new Promise<void>((resolve) => {
        socket.on('data', (chunk: Uint8Array) => {
          if (client === null) {
            const result = handshake.receive(chunk)
            if (result.kind !== 'open') return
            client = result.connection
            for (const text of ['one', 'two', 'three']) client.sendText(text)
            client.close(1000, 'done')
            // Everything in one write: the server parses the close with the messages.
            socket.write(Buffer.concat(client.takeOutgoing()))
          } else client.receive(chunk)
          events.push(...client.takeEvents())
          if (events.some((event) => event.type === 'closed')) resolve()
        })
        socket.on('end', () => {
          client?.receiveEof()
          events.push(...(client?.takeEvents() ?? []))
          resolve()
        })
      })
      await deadline(done)
      assert.equal(
        events.map((event) => (event.type === 'text' ? event.data : event.type)),
        ['one', 'two', 'three', 'close', 'closed'],
      )
      socket.destroy()
    } finally {
      await server.close()
    }
  },
)

const failures = suite('connect() failures say what failed')

failures('refused, not found, wss:// and bad URLs', async () => {
  const probe = createNetServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  probe.close()
  await once(probe, 'close')
  const refused = (await rejection(connect(`ws://127.0.0.1:${port}/`))) as ConnectError
  assert.instance(refused, ConnectError)
  assert.equal([refused.kind, refused.code], ['network', 'ECONNREFUSED'])
  assert.match(refused.message, /connection refused \(ECONNREFUSED\)/)
  const unknown = (await rejection(connect('ws://no-such-host.invalid/'))) as ConnectError
  assert.is(unknown.kind, 'network')
  assert.ok(['ENOTFOUND', 'EAI_AGAIN'].includes(unknown.code), unknown.code)
  assert.instance(await rejection(connect('wss://127.0.0.1/')), TypeError)
  assert.instance(await rejection(connect('ftp://127.0.0.1/')), SyntaxError)
})

/** A TCP server that answers an upgrade with the given response head (and keeps the socket). */
async function fakeServer(answer: (key: string) => string | null) {
  const server = createNetServer((socket) => {
    socket.on('error', () => {})
    const handshake = new ServerHandshake()
    let answered = false
    socket.on('data', (chunk) => {
      if (answered) return // frames after the handshake are ignored
      const result = handshake.receive(chunk)
      if (result.kind !== 'request') return
      answered = true
      const response = answer(result.request.key)
      if (response !== null) socket.write(response)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/` }
}

failures('bad accept, unrequested subprotocol, non-101 status, handshake timeout, abort', async () => {
  const { server: wrongAccept, url: wrongUrl } = await fakeServer(
    () =>
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n',
  )
  const badAccept = (await rejection(connect(wrongUrl))) as ConnectError
  assert.equal([badAccept.kind, badAccept.code], ['handshake', 'WS_ERR_INVALID_ACCEPT'])
  wrongAccept.close()

  const { server: notFound, url: notFoundUrl } = await fakeServer(
    () => 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX-Reason: nothing here\r\n\r\n',
  )
  const status = (await rejection(connect(notFoundUrl))) as ConnectError
  assert.equal([status.kind, status.code, status.status], ['handshake', 'WS_ERR_UNEXPECTED_STATUS', 404])
  assert.ok(status.headers?.some(([name, value]) => name === 'X-Reason' && value === 'nothing here'))
  notFound.close()

  const { server: silent, url: silentUrl } = await fakeServer(() => null)
  const timeout = (await rejection(connect(silentUrl, { handshakeTimeout: 200 }))) as ConnectError
  assert.equal([timeout.kind, timeout.code], ['timeout', 'WS_ERR_HANDSHAKE_TIMEOUT'])
  const controller = new AbortController()
  const aborted = rejection(connect(silentUrl, { signal: controller.signal }))
  setTimeout(() => controller.abort(), 50)
  assert.equal(((await aborted) as ConnectError).kind, 'aborted')
  silent.close()

  const wss = new WebSocketServer({ handleProtocols: () => 'other' })
  const { port } = await wss.listen()
  // Our server only ever chooses an offered protocol, so a lying server is faked by hand.
  const { server: liar, url: liarUrl } = await fakeServer((key) => {
    const accept = new ServerHandshake()
    accept.receive(new TextEncoder().encode(UPGRADE_REQUEST.replace('dGhlIHNhbXBsZSBub25jZQ==', key)))
    const head = new TextDecoder().decode(accept.accept().response)
    return head.replace('\r\n\r\n', '\r\nSec-WebSocket-Protocol: other\r\n\r\n')
  })
  const unrequested = (await rejection(connect(liarUrl, { protocols: ['mine'] }))) as ConnectError
  assert.equal([unrequested.kind, unrequested.code], ['handshake', 'WS_ERR_UNREQUESTED_PROTOCOL'])
  liar.close()
  const { server: extender, url: extenderUrl } = await fakeServer((key) => {
    const accept = new ServerHandshake()
    accept.receive(new TextEncoder().encode(UPGRADE_REQUEST.replace('dGhlIHNhbXBsZSBub25jZQ==', key)))
    const head = new TextDecoder().decode(accept.accept().response)
    return head.replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: x-unasked\r\n\r\n')
  })
  const extension = (await rejection(connect(extenderUrl))) as ConnectError
  assert.equal([extension.kind, extension.code], ['handshake', 'WS_ERR_UNREQUESTED_EXTENSION'])
  assert.match(extension.message, /x-unasked/)
  extender.close()
  const honest = await connect(`ws://127.0.0.1:${port}/`, { protocols: ['mine'] })
  assert.is(honest.protocol, '')
  honest.close()
  await wss.close()
})

const timers = suite('timeouts and keep-alive')

timers('a client that never finishes its request is cut off; a bad request gets its status', async () => {
  const { server, port } = await echoServer({ handshakeTimeout: 150 })
  try {
    const slow = await rawSocket(port)
    slow.write('GET / HTTP/1.1\r\nHost: x\r\n')
    await deadline(once(slow, 'close'), 3000, 'the server cutting off a slow handshake')
    const bad = await rawSocket(port)
    bad.write(UPGRADE_REQUEST.replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 8'))
    const answer = await readUntil(bad, /\r\n\r\n/)
    assert.match(answer, /^HTTP\/1\.1 426 /)
    assert.match(answer, /Sec-WebSocket-Version: 13/i)
    bad.destroy()
  } finally {
    await server.close()
  }
})

timers('a close that is never answered: the socket is destroyed after closeTimeout (1006)', async () => {
  const { server, url } = await fakeServer((key) => {
    const accept = new ServerHandshake()
    accept.receive(new TextEncoder().encode(UPGRADE_REQUEST.replace('dGhlIHNhbXBsZSBub25jZQ==', key)))
    return new TextDecoder().decode(accept.accept().response)
  })
  try {
    const client = await connect(url, { closeTimeout: 150, perMessageDeflate: false })
    const started = Date.now()
    client.close(1000)
    assert.is(client.state, 'closing')
    const closed = await deadline(client.closed, 3000)
    assert.equal([closed.code, closed.wasClean], [1006, false])
    assert.ok(Date.now() - started >= 100)
  } finally {
    server.close()
  }
})

timers('keep-alive: a peer that stops answering pings is failed with 1011', async () => {
  const { server, url, accepted } = await echoServer({ keepAlive: { interval: 50, timeout: 100 } })
  try {
    const client = await connect(url, { autoPong: false })
    const pings: number[] = []
    client.on('ping', () => pings.push(Date.now()))
    const closed = await deadline(client.closed, 3000)
    assert.ok(pings.length >= 1, 'the server pinged')
    assert.is(closed.code, 1011)
    const serverClosed = await deadline((accepted[0] as Connection).closed)
    assert.is(serverClosed.code, 1011)
    // A client that answers is kept.
    const {
      server: second,
      url: secondUrl,
      accepted: secondAccepted,
    } = await echoServer({
      // A timeout of a few event-loop stalls on a busy machine: a pong can only be read after
      // the timers that came due during a stall, so a 60 ms timeout could fail an answering client.
      keepAlive: { interval: 40, timeout: 300 },
    })
    const live = await connect(secondUrl)
    await new Promise((resolve) => setTimeout(resolve, 800))
    assert.is(live.state, 'open')
    assert.is(secondAccepted[0]?.state, 'open')
    live.close()
    await deadline(live.closed)
    await second.close()
  } finally {
    await server.close()
  }
})

const limits = suite('limits and backpressure')

limits('a message over the limit gets 1009; the server keeps serving others', async () => {
  const { server, url } = await echoServer({ limits: { maxMessageSize: 1000 } })
  try {
    const offender = await connect(url)
    const other = await connect(url)
    offender.sendText('x'.repeat(1001))
    const closed = await deadline(offender.closed)
    assert.is(closed.code, 1009)
    const reply = nextEvent(other, 'text')
    other.sendText('still here')
    assert.is((await reply).data, 'still here')
    other.close()
    await deadline(other.closed)
  } finally {
    await server.close()
  }
})

limits(
  'a peer that stops reading: bufferedAmount grows, send reports it, then refuses past the maximum',
  async () => {
    const server = new WebSocketServer({ highWaterMark: 256 * 1024, maxBufferedAmount: 2 * 1024 * 1024 })
    const accepted = new Promise<Connection>((resolve) => server.once('connection', resolve))
    const { port } = await server.listen()
    try {
      const peer = await rawSocket(port)
      peer.write(UPGRADE_REQUEST)
      await readUntil(peer, /\r\n\r\n/)
      peer.pause() // never reads again
      const connection = await accepted
      const chunk = new Uint8Array(64 * 1024)
      let reported = false
      let refused: unknown
      for (let i = 0; i < 10_000 && refused === undefined; i++) {
        try {
          if (!connection.sendBinary(chunk)) reported = true
        } catch (error) {
          refused = error
        }
        if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve))
      }
      assert.ok(reported, 'send returned false at the high-water mark')
      assert.is((refused as { code?: string })?.code, 'WS_ERR_SEND_BUFFER_FULL')
      assert.ok(
        connection.bufferedAmount <= 2 * 1024 * 1024 + chunk.length + 16,
        `${connection.bufferedAmount}`,
      )
      let drained = false
      connection.drained().then(() => {
        drained = true
      })
      peer.resume()
      await deadline(
        new Promise<void>((resolve) => {
          const poll = setInterval(() => {
            if (drained) {
              clearInterval(poll)
              resolve()
            }
          }, 10)
        }),
        5000,
        'drained()',
      )
      peer.destroy()
    } finally {
      await server.close()
    }
  },
)

limits(
  'a peer that pings but never reads: pongs stop at highWaterMark; the latest ping is answered on drain',
  async () => {
    const highWaterMark = 64 * 1024
    const server = new WebSocketServer({ highWaterMark })
    const accepted = new Promise<Connection>((resolve) => server.once('connection', resolve))
    const { port } = await server.listen()
    try {
      const peer = await rawSocket(port)
      peer.write(UPGRADE_REQUEST)
      await readUntil(peer, /\r\n\r\n/)
      peer.pause()
      const connection = await accepted
      connection.on('ping', () => {}) // the application reads: the socket keeps reading
      // Masked (all-zero key) pings with 125-byte payloads numbered in their first 8 bytes.
      const ping = (n: number): Buffer => {
        const frame = Buffer.alloc(2 + 4 + 125, 0x2e)
        frame[0] = 0x89
        frame[1] = 0x80 | 125
        frame.fill(0, 2, 6) // the masking key
        frame.write(String(n).padStart(8, '0'), 6)
        return frame
      }
      const batch = Buffer.concat(Array.from({ length: 1000 }, (_, i) => ping(i)))
      let maxBuffered = 0
      for (let i = 0; i < 64; i++) {
        if (!peer.write(batch)) await deadline(once(peer, 'drain'), 5000, 'the server reading pings')
        maxBuffered = Math.max(maxBuffered, connection.bufferedAmount)
      }
      peer.write(ping(99_999_999))
      await deadline(
        (async () => {
          while (peer.writableLength > 0 || connection.bufferedAmount < highWaterMark)
            await new Promise((resolve) => setImmediate(resolve))
        })(),
        5000,
        'the server reading every ping',
      )
      maxBuffered = Math.max(maxBuffered, connection.bufferedAmount)
      // 8 MiB of pings; before the fix every pong was queued and this grew to megabytes.
      assert.ok(maxBuffered < highWaterMark + 64 * 1024, `buffered ${maxBuffered}`)
      peer.resume()
      await readUntil(peer, /99999999/, 5000)
      peer.destroy()
    } finally {
      await server.close()
    }
  },
)

limits(
  'an application that stops reading pauses the socket; reading again resumes it, nothing lost',
  async () => {
    const server = new WebSocketServer({ readHighWaterMark: 8 })
    const accepted = new Promise<Connection>((resolve) => server.once('connection', resolve))
    const { port } = await server.listen()
    try {
      const client = await connect(`ws://127.0.0.1:${port}/`)
      const connection = await accepted
      for (let i = 0; i < 500; i++) client.sendText(`message ${i}`)
      await deadline(
        new Promise<void>((resolve) => {
          const poll = setInterval(() => {
            if (connection.socket.isPaused()) {
              clearInterval(poll)
              resolve()
            }
          }, 5)
        }),
        3000,
        'the socket pausing',
      )
      const got: string[] = []
      for await (const event of connection) {
        if (event.type === 'text') got.push(event.data)
        if (got.length === 500) break
      }
      assert.equal(
        got,
        Array.from({ length: 500 }, (_, i) => `message ${i}`),
      )
      client.close()
      await deadline(client.closed)
    } finally {
      await server.close()
    }
  },
)

messages.run()
failures.run()
timers.run()
limits.run()
