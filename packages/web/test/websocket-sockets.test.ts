/**
 * WebSocket over real sockets, against our server and ws's: the bytes each send() type puts on
 * the wire (checked at the server), Blob order, bufferedAmount growing at once and shrinking in
 * later tasks, the closing handshake both ways, permessage-deflate offered by default, options
 * (headers, TLS), connection refused and a TLS failure, one connection at a time per host.
 */
import { once } from 'node:events'
import { createServer as createTlsServer } from 'node:tls'
import type { BinaryEvent, TextEvent } from '@ws/proto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { WebSocketServer as WsServer } from 'ws'
import type { Connection } from '../../node-tcp/src/index.ts'
import type { CloseEventInstance } from '../src/close-event.ts'
import { sleep, until } from './fake.ts'
import { deadline, fixture, nextEvent, nodeClasses, ourServer, rawServer, switching } from './servers.ts'

const { WebSocket } = nodeClasses()

/** A server that records every message (kind and exact bytes) and each close frame. */
async function recordingServer() {
  const received: { kind: 'text' | 'binary'; bytes: number[] }[] = []
  const closes: { code: number; reason: string }[] = []
  const connections: Connection[] = []
  const server = await ourServer((connection) => {
    connections.push(connection)
    connection.on('text', (event: TextEvent) =>
      received.push({ kind: 'text', bytes: [...Buffer.from(event.data)] }),
    )
    connection.on('binary', (event: BinaryEvent) => received.push({ kind: 'binary', bytes: [...event.data] }))
    connection.on('close', (event) => closes.push({ code: event.code, reason: event.reason }))
  })
  return { ...server, received, closes, connections }
}

const sending = suite('send() over a real socket, checked at our server')

sending('every type of data arrives with exactly its bytes, in call order (a Blob included)', async () => {
  const server = await recordingServer()
  try {
    const socket = new WebSocket(server.url)
    await nextEvent(socket, 'open')
    const backing = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    socket.send('a\ud800b') // a lone surrogate becomes U+FFFD
    socket.send(null as unknown as string) // "null"
    socket.send(backing.buffer) // the whole ArrayBuffer
    socket.send(backing.subarray(2, 5)) // only the view's bytes
    socket.send(new DataView(backing.buffer, 7, 2))
    socket.send(new Blob(['blob', new Uint8Array([0xff])]))
    socket.send('after the blob')
    socket.send(new Uint16Array([0x0102]))
    await deadline(until(() => server.received.length === 8))
    assert.equal(server.received, [
      { kind: 'text', bytes: [0x61, 0xef, 0xbf, 0xbd, 0x62] },
      { kind: 'text', bytes: [...Buffer.from('null')] },
      { kind: 'binary', bytes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
      { kind: 'binary', bytes: [2, 3, 4] },
      { kind: 'binary', bytes: [7, 8] },
      { kind: 'binary', bytes: [...Buffer.from('blob'), 0xff] },
      { kind: 'text', bytes: [...Buffer.from('after the blob')] },
      { kind: 'binary', bytes: [...new Uint8Array(new Uint16Array([0x0102]).buffer)] },
    ])
    socket.close()
    await nextEvent(socket, 'close')
  } finally {
    await server.close()
  }
})

sending('an ArrayBuffer changed right after send() behind a Blob is sent as it was at the call', async () => {
  const server = await recordingServer()
  try {
    const socket = new WebSocket(server.url)
    await nextEvent(socket, 'open')
    const bytes = new Uint8Array([1, 2, 3])
    socket.send(new Blob(['x']))
    socket.send(bytes)
    bytes.fill(9)
    await deadline(until(() => server.received.length === 2))
    assert.equal(server.received[1], { kind: 'binary', bytes: [1, 2, 3] })
    socket.close()
    await nextEvent(socket, 'close')
  } finally {
    await server.close()
  }
})

sending(
  'bufferedAmount grows synchronously by UTF-8 and byte sizes, and shrinks only in a later task',
  async () => {
    const server = await recordingServer()
    try {
      const socket = new WebSocket(server.url)
      await nextEvent(socket, 'open')
      socket.send('é€😀') // 2 + 3 + 4 bytes
      assert.is(socket.bufferedAmount, 9)
      socket.send(new Uint8Array(1000).subarray(10, 20))
      assert.is(socket.bufferedAmount, 19)
      socket.send(new Blob([new Uint8Array(100)]))
      assert.is(socket.bufferedAmount, 119)
      await Promise.resolve()
      assert.is(socket.bufferedAmount, 119, 'unchanged within the task and its microtasks')
      await deadline(until(() => socket.bufferedAmount === 0))
      socket.close()
      // After close() data is dropped, but counted, for good.
      socket.send('abc')
      socket.send(new ArrayBuffer(7))
      assert.is(socket.bufferedAmount, 10)
      await nextEvent(socket, 'close')
      await sleep(10)
      assert.is(socket.bufferedAmount, 10)
      socket.send(new Blob(['12345']))
      assert.is(socket.bufferedAmount, 15)
      assert.is(server.received.length, 3)
    } finally {
      await server.close()
    }
  },
)

sending('bufferedAmount stays up while the peer does not read, and falls to 0 once it does', async () => {
  let peer: Connection | undefined
  const server = await ourServer((connection) => {
    peer = connection
  })
  try {
    const socket = new WebSocket(server.url, { perMessageDeflate: false })
    await nextEvent(socket, 'open')
    await until(() => peer !== undefined)
    const peerSocket = (peer as Connection).socket
    peerSocket.pause()
    const chunk = new Uint8Array(1024 * 1024)
    for (let index = 0; index < 8; index++) socket.send(chunk)
    assert.is(socket.bufferedAmount, 8 * 1024 * 1024)
    await sleep(50)
    // The kernel buffers take some, not 8 MiB.
    assert.ok(socket.bufferedAmount >= 4 * 1024 * 1024, `still buffered: ${socket.bufferedAmount}`)
    let messages = 0
    ;(peer as Connection).on('binary', () => messages++)
    peerSocket.resume()
    await deadline(until(() => socket.bufferedAmount === 0, 4000))
    await deadline(until(() => messages === 8))
    socket.close()
    await nextEvent(socket, 'close')
  } finally {
    await server.close()
  }
})

sending.run()

const closing = suite('closing handshake over a real socket')

closing('close(code, reason) reaches the server; close fires after the handshake, wasClean', async () => {
  const server = await recordingServer()
  try {
    const socket = new WebSocket(server.url)
    await nextEvent(socket, 'open')
    socket.close(4321, 'bye ✓')
    assert.is(socket.readyState, WebSocket.CLOSING)
    const event = await nextEvent<CloseEventInstance>(socket, 'close')
    // The event carries the server's close frame: our server echoes the code, without a reason.
    assert.equal(
      [event.code, event.reason, event.wasClean, socket.readyState],
      [4321, '', true, WebSocket.CLOSED],
    )
    assert.equal(server.closes, [{ code: 4321, reason: 'bye ✓' }])
  } finally {
    await server.close()
  }
})

closing('the server closes: with a code and reason, and with an empty close frame (1005)', async () => {
  const server = await ourServer((connection) => {
    connection.on('text', (event: TextEvent) => {
      if (event.data === 'empty') connection.close()
      else connection.close(4001, 'server says')
    })
  })
  try {
    for (const [ask, code, reason] of [
      ['coded', 4001, 'server says'],
      ['empty', 1005, ''],
    ] as const) {
      const socket = new WebSocket(server.url)
      await nextEvent(socket, 'open')
      const events: string[] = []
      socket.addEventListener('error', () => events.push('error'))
      socket.send(ask)
      const event = await nextEvent<CloseEventInstance>(socket, 'close')
      assert.equal([event.code, event.reason, event.wasClean, events], [code, reason, true, []])
    }
  } finally {
    await server.close()
  }
})

closing('the server drops the connection: close 1006, not clean', async () => {
  const server = await ourServer((connection) => connection.on('text', () => connection.terminate()))
  try {
    const socket = new WebSocket(server.url)
    await nextEvent(socket, 'open')
    socket.send('drop me')
    const event = await nextEvent<CloseEventInstance>(socket, 'close')
    assert.equal([event.code, event.wasClean], [1006, false])
  } finally {
    await server.close()
  }
})

closing.run()

const peers = suite("ws's server, options, TLS and failures")

peers(
  "echo with ws's WebSocketServer: text, ArrayBuffer and Blob, subprotocol and deflate agreed",
  async () => {
    const server = new WsServer({
      port: 0,
      host: '127.0.0.1',
      perMessageDeflate: true,
      handleProtocols: (offered) => [...offered][1] ?? false,
    })
    await once(server, 'listening')
    server.on('connection', (peer: import('ws').WebSocket) => {
      peer.on('message', (data: Buffer, isBinary: boolean) => peer.send(data, { binary: isBinary }))
    })
    try {
      const url = `ws://127.0.0.1:${server.address().port}/x`
      const socket = new WebSocket(url, ['one', 'two'])
      await nextEvent(socket, 'open')
      assert.is(socket.protocol, 'two')
      assert.match(socket.extensions, /^permessage-deflate/)
      const messages: unknown[] = []
      socket.onmessage = (event) => messages.push(event.data)
      socket.send('héllo')
      socket.send(new Uint8Array([1, 2, 3]))
      await deadline(until(() => messages.length === 2))
      socket.binaryType = 'arraybuffer'
      socket.send(new Uint8Array([4, 5]))
      await deadline(until(() => messages.length === 3))
      assert.is(messages[0], 'héllo')
      assert.instance(messages[1], Blob)
      assert.equal([...new Uint8Array(await (messages[1] as Blob).arrayBuffer())], [1, 2, 3])
      assert.instance(messages[2], ArrayBuffer)
      assert.equal([...new Uint8Array(messages[2] as ArrayBuffer)], [4, 5])
      socket.close(1000)
      const event = await nextEvent<CloseEventInstance>(socket, 'close')
      assert.equal([event.code, event.wasClean], [1000, true])
    } finally {
      for (const client of server.clients) client.terminate()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  },
)

peers('options: headers reach the server; perMessageDeflate false offers nothing', async () => {
  const heads: string[] = []
  const server = await rawServer((socket, request) => {
    heads.push(request.head)
    socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n')
  })
  try {
    const a = new WebSocket(server.url, { headers: { 'X-Token': 'abc' } })
    await nextEvent(a, 'close')
    const b = new WebSocket(server.url, { perMessageDeflate: false })
    await nextEvent(b, 'close')
    assert.match(heads[0] as string, /\r\nX-Token: abc\r\n/i)
    assert.match(heads[0] as string, /\r\nsec-websocket-extensions: permessage-deflate/i)
    assert.not.match(heads[1] as string, /sec-websocket-extensions/i)
  } finally {
    await server.close()
  }
})

peers('limits: a message over maxMessageSize fails the connection (error, then close 1006)', async () => {
  const server = await ourServer((connection) => connection.sendText('x'.repeat(11)))
  try {
    const socket = new WebSocket(server.url, { limits: { maxMessageSize: 10 } })
    const events: string[] = []
    socket.onopen = () => events.push('open')
    socket.onmessage = () => events.push('message')
    socket.onerror = () => events.push('error')
    const event = await nextEvent<CloseEventInstance>(socket, 'close')
    assert.equal([events, event.code, event.wasClean], [['open', 'error'], 1006, false])
  } finally {
    await server.close()
  }
})

peers('bad option values throw from the constructor', () => {
  assert.throws(() => new WebSocket('ws://127.0.0.1:1/', { handshakeTimeout: -1 }), RangeError)
  assert.throws(() => new WebSocket('ws://127.0.0.1:1/', { closeTimeout: 'x' }), RangeError)
})

peers('connection refused: error then close 1006, no exception, no unhandled rejection', async () => {
  const server = await rawServer(() => {})
  const url = server.url
  await server.close()
  const socket = new WebSocket(url)
  const events: string[] = []
  socket.onerror = () => events.push(`error ${socket.readyState}`)
  const event = await nextEvent<CloseEventInstance>(socket, 'close')
  assert.equal([events, event.code, event.wasClean], [['error 3'], 1006, false])
})

peers(
  'wss://: TLS options reach the opener (ca); an untrusted certificate fails with error and 1006',
  async () => {
    const tlsServer = createTlsServer({ cert: fixture('server.pem'), key: fixture('server-key.pem') })
    const server = await ourServer((connection) =>
      connection.on('text', (event: TextEvent) => connection.sendText(event.data)),
    )
    server.server.attach(tlsServer, 'secureConnection')
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve))
    const port = (tlsServer.address() as { port: number }).port
    try {
      const trusted = new WebSocket(`wss://localhost:${port}/`, { ca: fixture('ca.pem') })
      await nextEvent(trusted, 'open')
      trusted.send('over tls')
      const message = await nextEvent<MessageEvent>(trusted, 'message')
      assert.is(message.data, 'over tls')
      assert.is(message.origin, `wss://localhost:${port}`)
      trusted.close()
      await nextEvent(trusted, 'close')

      const untrusted = new WebSocket(`wss://localhost:${port}/`)
      const events: string[] = []
      untrusted.onerror = () => events.push('error')
      const event = await nextEvent<CloseEventInstance>(untrusted, 'close')
      assert.equal([events, event.code, event.wasClean], [['error'], 1006, false])

      const insecure = new WebSocket(`wss://localhost:${port}/`, { rejectUnauthorized: false })
      await nextEvent(insecure, 'open')
      insecure.close()
      await nextEvent(insecure, 'close')
    } finally {
      await server.close()
      await new Promise<void>((resolve) => tlsServer.close(() => resolve()))
    }
  },
)

peers('two WebSockets to one host and port: the second handshake starts after the first opened', async () => {
  const order: string[] = []
  let answerFirst: (() => void) | undefined
  let requests = 0
  const server = await rawServer((socket, request) => {
    const index = requests++
    order.push(`request ${index}`)
    const answer = (): void => {
      order.push(`answer ${index}`)
      socket.write(switching(request.key))
    }
    if (index === 0) answerFirst = answer
    else answer()
  })
  try {
    const first = new WebSocket(server.url, { perMessageDeflate: false })
    const second = new WebSocket(server.url, { perMessageDeflate: false })
    await until(() => answerFirst !== undefined)
    await sleep(30)
    assert.equal(order, ['request 0'])
    answerFirst?.()
    await nextEvent(first, 'open')
    await nextEvent(second, 'open')
    assert.equal(order, ['request 0', 'answer 0', 'request 1', 'answer 1'])
    first.close()
    second.close()
  } finally {
    await server.close()
  }
})

peers.run()
