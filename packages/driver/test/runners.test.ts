/**
 * The handshake runners and the pump's timers, over the in-memory pair: every way connectWith
 * can fail (each a ConnectError of its kind), every way the Acceptor refuses or gives up, and
 * keep-alive, the close timeout, drained() and the iterator. No Node APIs: runs in any runtime.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  Acceptor,
  ConnectError,
  type Connection,
  connectWith,
  coreOptions,
  createMemoryPair,
  type MemoryTransport,
  networkError,
  PreparedMessage,
  resolveSocketOptions,
  screenRequest,
} from '../src/index.ts'

// The driver's timers are unref'd (they never keep a process alive), and a memory pair holds no
// handle either: this ref'd interval keeps the test process alive while timers are pending.
const alive = globalThis.setInterval(() => {}, 1000)

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const sleep = (ms: number): Promise<void> => new Promise((resolve) => globalThis.setTimeout(resolve, ms))

async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise
  } catch (error) {
    assert.instance(error, ConnectError)
    return error as ConnectError
  }
  return assert.unreachable('expected the connection to fail') as never
}

/** The server side of a pair answers the client's request with `answer(requestText)`. */
function scriptedServer(end: MemoryTransport, answer: (request: string) => string | null): void {
  let text = ''
  end.attach({
    data(chunk) {
      text += decoder.decode(chunk)
      if (!text.includes('\r\n\r\n')) return
      const response = answer(text)
      if (response === null) end.destroy()
      else end.write(encoder.encode(response))
    },
    end() {},
    closed() {},
    drain() {},
  })
}

const client = suite('connectWith: failures')

client('a non-101 answer: kind handshake, its status and headers', async () => {
  const { client: c, server } = createMemoryPair()
  scriptedServer(server, () => 'HTTP/1.1 403 Forbidden\r\nX-Why: nope\r\nContent-Length: 0\r\n\r\n')
  const error = await failure(connectWith('ws://memory.test/', {}, async () => c))
  assert.is(error.kind, 'handshake')
  assert.is(error.code, 'WS_ERR_UNEXPECTED_STATUS')
  assert.is(error.status, 403)
  assert.ok(error.headers?.some(([name, value]) => name.toLowerCase() === 'x-why' && value === 'nope'))
  assert.match(error.message, 'the server answered 403 Forbidden')
})

client('a wrong Sec-WebSocket-Accept: kind handshake, WS_ERR_INVALID_ACCEPT', async () => {
  const { client: c, server } = createMemoryPair()
  scriptedServer(
    server,
    () =>
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n',
  )
  const error = await failure(connectWith('ws://memory.test/', {}, async () => c))
  assert.is(error.kind, 'handshake')
  assert.is(error.code, 'WS_ERR_INVALID_ACCEPT')
  assert.ok(c.destroyed, 'the transport is destroyed')
})

client('the server closes during the handshake, with or without an error', async () => {
  const first = createMemoryPair()
  scriptedServer(first.server, () => null)
  const closed = await failure(connectWith('ws://memory.test/', {}, async () => first.client))
  assert.is(closed.kind, 'network')
  assert.ok(['WS_ERR_CONNECTION_CLOSED', 'ECONNRESET'].includes(closed.code), closed.code)

  const second = createMemoryPair()
  second.server.attach({
    data() {
      second.server.end()
    },
    end() {},
    closed() {},
    drain() {},
  })
  const ended = await failure(connectWith('ws://memory.test/', {}, async () => second.client))
  assert.is(ended.code, 'WS_ERR_CONNECTION_CLOSED')
  assert.match(ended.message, 'closed the connection during the handshake')
})

client('no answer within handshakeTimeout: kind timeout', async () => {
  const { client: c, server } = createMemoryPair()
  scriptedServer(server, () => '')
  const error = await failure(connectWith('ws://memory.test/', { handshakeTimeout: 30 }, async () => c))
  assert.is(error.kind, 'timeout')
  assert.is(error.code, 'WS_ERR_HANDSHAKE_TIMEOUT')
})

client('aborted before, while opening, and during the handshake: kind aborted', async () => {
  const before = new AbortController()
  before.abort()
  let opened = 0
  const error = await failure(
    connectWith('ws://memory.test/', { signal: before.signal }, async () => {
      opened++
      return createMemoryPair().client
    }),
  )
  assert.is(error.kind, 'aborted')
  assert.is(opened, 0, 'no transport is opened once aborted')

  const during = new AbortController()
  const pair = createMemoryPair()
  scriptedServer(pair.server, () => '')
  const pending = connectWith('ws://memory.test/', { signal: during.signal }, async () => pair.client)
  await sleep(5)
  during.abort()
  assert.is((await failure(pending)).kind, 'aborted')
  assert.ok(pair.client.destroyed)

  // The signal aborts while the opener is still working: the late transport is destroyed.
  const opening = new AbortController()
  const late = createMemoryPair()
  const racing = connectWith('ws://memory.test/', { signal: opening.signal }, async () => {
    opening.abort()
    return late.client
  })
  assert.is((await failure(racing)).kind, 'aborted')
  assert.ok(late.client.destroyed)
})

client('the opener fails: kind network, with its code and words', async () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
  const error = await failure(
    connectWith('ws://memory.test:9/', {}, async () => {
      throw refused
    }),
  )
  assert.is(error.kind, 'network')
  assert.is(error.code, 'ECONNREFUSED')
  assert.is(error.message, 'cannot connect to ws://memory.test:9/: connection refused (ECONNREFUSED)')
  assert.is(error.cause, refused)
  // Errors without a code, or with an OpenSSL reason; a ConnectError passes through unchanged.
  assert.is(networkError('ws://x/', 'boom').code, 'ERR_NETWORK')
  assert.match(
    networkError('ws://x/', { code: 'ERR_SSL_X', reason: 'bad record mac' }).message,
    'bad record mac',
  )
  const own = new ConnectError('network', 'X', 'mine')
  assert.is(networkError('ws://x/', own), own)
})

client('bad arguments throw before any transport is opened', async () => {
  let opened = 0
  const open = async (): Promise<MemoryTransport> => {
    opened++
    return createMemoryPair().client
  }
  const rejection = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => null,
      (error) => error,
    )
  assert.instance(
    await rejection(connectWith('ws://memory.test/', { handshakeTimeout: -1 }, open)),
    RangeError,
  )
  assert.instance(await rejection(connectWith('ftp://memory.test/', {}, open)), Error)
  assert.is(opened, 0)
})

client.run()

const server = suite('Acceptor')

/** A raw client request, byte for byte. */
const REQUEST = (extra = ''): string =>
  `GET /room HTTP/1.1\r\nHost: memory.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`

function rawClient(end: MemoryTransport): { text: () => string; ended: () => boolean } {
  let text = ''
  let ended = false
  end.attach({
    data: (chunk) => {
      text += decoder.decode(chunk)
    },
    end: () => {
      ended = true
    },
    closed: () => {
      ended = true
    },
    drain() {},
  })
  return { text: () => text, ended: () => ended }
}

server('verifyClient refuses with 403, or with a status, headers and body of its own', async () => {
  const acceptor = new Acceptor({
    verifyClient: (request) =>
      request.headers.get('x-token') === 'ok'
        ? true
        : request.headers.has('x-token')
          ? { status: 401, headers: { 'WWW-Authenticate': 'Bearer' }, body: 'who are you?' }
          : false,
  })
  for (const [extra, status] of [
    ['', '403'],
    ['X-Token: bad\r\n', '401'],
  ] as const) {
    const { client: c, server: s } = createMemoryPair()
    const raw = rawClient(c)
    const result = acceptor.accept(s, () => assert.unreachable('accepted'))
    c.write(encoder.encode(REQUEST(extra)))
    assert.is(await result, null)
    await sleep(1)
    assert.ok(raw.text().startsWith(`HTTP/1.1 ${status} `), raw.text())
    if (status === '401') {
      assert.match(raw.text(), /www-authenticate: Bearer/i)
      assert.ok(raw.text().endsWith('who are you?'))
    }
    assert.ok(raw.ended(), 'the server ends the transport after the refusal')
  }
  assert.is(acceptor.connections.size, 0)
})

server('handleProtocols: its choice counts only if the client offered it', async () => {
  const picks = ['b', 'not-offered']
  for (const pick of picks) {
    const acceptor = new Acceptor({ handleProtocols: () => pick })
    const { client: c, server: s } = createMemoryPair()
    const raw = rawClient(c)
    const accepted = acceptor.accept(s, () => {})
    c.write(encoder.encode(REQUEST('Sec-WebSocket-Protocol: a, b\r\n')))
    const connection = (await accepted) as Connection
    await sleep(1)
    assert.is(connection.protocol, pick === 'b' ? 'b' : '')
    assert.is(/sec-websocket-protocol: b/i.test(raw.text()), pick === 'b')
    connection.terminate()
  }
})

server('a bad request gets its error response; a silent client is dropped at handshakeTimeout', async () => {
  const acceptor = new Acceptor({ handshakeTimeout: 30 })
  const bad = createMemoryPair()
  const raw = rawClient(bad.client)
  const refused = acceptor.accept(bad.server, () => {})
  bad.client.write(encoder.encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
  assert.is(await refused, null)
  await sleep(1)
  assert.ok(raw.text().startsWith('HTTP/1.1 400 '), raw.text())

  const silent = createMemoryPair()
  rawClient(silent.client)
  assert.is(await acceptor.accept(silent.server, () => {}), null)
  assert.ok(silent.server.destroyed, 'dropped at the deadline')
})

server('a client that goes away mid-request; close() refuses new transports and ends open ones', async () => {
  const acceptor = new Acceptor()
  const gone = createMemoryPair()
  const pending = acceptor.accept(gone.server, () => {})
  gone.client.write(encoder.encode('GET / HTTP/1.1\r\n'))
  gone.client.destroy()
  assert.is(await pending, null)

  const open = createMemoryPair()
  const accepted = acceptor.accept(open.server, () => {})
  const peer = connectWith('ws://memory.test/', {}, async () => open.client)
  const [serverSide, clientSide] = await Promise.all([accepted, peer])
  assert.ok(serverSide)
  assert.is(acceptor.connections.size, 1)
  clientSide.on('close', () => {})
  const halfway = createMemoryPair()
  const handshaking = acceptor.accept(halfway.server, () => {})
  await Promise.all([acceptor.close(1001, 'going'), clientSide.closed])
  assert.is(await handshaking, null, 'a transport still handshaking is dropped')
  assert.is((await clientSide.closed).code, 1001)
  assert.is(acceptor.connections.size, 0)
  assert.ok(acceptor.isClosing)
  const late = createMemoryPair()
  assert.is(await acceptor.accept(late.server, () => {}), null)
  assert.ok(late.server.destroyed)
})

server('a request head parsed elsewhere (an HTTP server) is accepted with the bytes after it', async () => {
  const acceptor = new Acceptor()
  const { client: c, server: s } = createMemoryPair()
  const raw = rawClient(c)
  // A masked text frame "hi" that came with the request.
  const frame = new Uint8Array([0x81, 0x82, 1, 2, 3, 4, 0x68 ^ 1, 0x69 ^ 2])
  const texts: string[] = []
  const connection = await acceptor.accept(
    s,
    (accepted) => accepted.on('text', (event) => texts.push(event.data)),
    {
      head: {
        method: 'GET',
        target: '/x',
        httpVersion: '1.1',
        headers: [
          ['Host', 'memory.test'],
          ['Upgrade', 'websocket'],
          ['Connection', 'Upgrade'],
          ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
          ['Sec-WebSocket-Version', '13'],
        ],
      },
      rest: frame,
    },
  )
  assert.ok(connection)
  await sleep(1)
  assert.match(raw.text(), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
  assert.equal(texts, ['hi'])
  connection?.terminate()
})

server('options are checked: a bad allocate is a TypeError, a bad number a RangeError', () => {
  assert.throws(() => resolveSocketOptions({ allocate: 5 as never }), /allocate must be a function/)
  assert.throws(() => resolveSocketOptions({ highWaterMark: -1 }), RangeError)
  const allocate = (size: number): Uint8Array => new Uint8Array(size)
  assert.is(resolveSocketOptions({ allocate }).allocate, allocate)
  assert.is(coreOptions(resolveSocketOptions({ allocate })).allocate, allocate)
})

server('screenRequest: verifyClient first, then handleProtocols limited to what was offered', async () => {
  const request = { protocols: ['a', 'b'] } as unknown as Parameters<typeof screenRequest>[1]
  assert.equal(screenRequest({}, request), { accept: true, protocol: undefined })
  assert.equal(screenRequest({ handleProtocols: () => 'b' }, request), { accept: true, protocol: 'b' })
  assert.equal(screenRequest({ handleProtocols: () => 'c' }, request), { accept: true, protocol: undefined })
  assert.equal(screenRequest({ verifyClient: () => false, handleProtocols: () => 'a' }, request), {
    accept: false,
    status: 403,
  })
  assert.equal(screenRequest({ verifyClient: () => ({ status: 429, body: 'slow down' }) }, request), {
    accept: false,
    status: 429,
    body: 'slow down',
  })
  // A promise only when the hook answered with one.
  const later = screenRequest({ verifyClient: async () => true, handleProtocols: () => 'a' }, request)
  assert.instance(later, Promise)
  assert.equal(await later, { accept: true, protocol: 'a' })
  assert.equal(await screenRequest({ verifyClient: async () => ({ status: 401 }) }, request), {
    accept: false,
    status: 401,
  })
})

/** A promise and the functions that settle it. */
function deferred<T>(): {
  promise: Promise<T>
  resolve: (value: T) => void
  reject: (error: unknown) => void
} {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok
    reject = fail
  })
  return { promise, resolve, reject }
}

// A masked text frame "hi", as a client might send it right behind its request.
const HI = new Uint8Array([0x81, 0x82, 1, 2, 3, 4, 0x68 ^ 1, 0x69 ^ 2])

server(
  'verifyClient may answer with a promise: nothing is answered before it settles; frames behind the request are kept',
  async () => {
    let decide = deferred<boolean>()
    const seen: string[] = []
    const acceptor = new Acceptor({
      verifyClient: (request) => {
        seen.push(request.resource)
        return decide.promise
      },
    })
    const { client: c, server: s } = createMemoryPair()
    const raw = rawClient(c)
    const texts: string[] = []
    const accepted = acceptor.accept(s, (connection) =>
      connection.on('text', (event) => texts.push(event.data)),
    )
    const request = encoder.encode(REQUEST())
    const both = new Uint8Array(request.length + HI.length)
    both.set(request)
    both.set(HI, request.length)
    c.write(both)
    await sleep(20)
    assert.equal(seen, ['/room'])
    assert.is(raw.text(), '', 'no answer while the hook is pending')
    decide.resolve(true)
    const connection = (await accepted) as Connection
    assert.ok(connection)
    await sleep(1)
    assert.ok(raw.text().startsWith('HTTP/1.1 101 '), raw.text())
    assert.equal(texts, ['hi'], 'the frame sent behind the request reached the connection')
    assert.is(acceptor.connections.size, 1)
    connection.terminate()

    // A refusal that comes later is the same refusal.
    decide = deferred<boolean>()
    const later = createMemoryPair()
    const refusedRaw = rawClient(later.client)
    const refused = acceptor.accept(later.server, () => assert.unreachable('accepted'))
    later.client.write(encoder.encode(REQUEST()))
    await sleep(5)
    decide.resolve(false)
    assert.is(await refused, null)
    await sleep(1)
    assert.ok(refusedRaw.text().startsWith('HTTP/1.1 403 '), refusedRaw.text())
    assert.ok(refusedRaw.ended(), 'the server ends the transport after the refusal')
  },
)

server('a hook that throws or rejects refuses the request with 500', async () => {
  const hooks = [
    { verifyClient: () => Promise.reject(new Error('database down')) },
    {
      verifyClient: (): boolean => {
        throw new Error('bug')
      },
    },
    {
      handleProtocols: (): string => {
        throw new Error('bug')
      },
    },
  ]
  for (const hook of hooks) {
    const acceptor = new Acceptor(hook)
    const { client: c, server: s } = createMemoryPair()
    const raw = rawClient(c)
    const result = acceptor.accept(s, () => assert.unreachable('accepted'))
    c.write(encoder.encode(REQUEST('Sec-WebSocket-Protocol: a\r\n')))
    assert.is(await result, null)
    await sleep(1)
    assert.ok(raw.text().startsWith('HTTP/1.1 500 '), raw.text())
    assert.ok(raw.ended())
  }
})

server(
  'a pending verifyClient: the handshake timeout still runs; a client that leaves or close() drops it',
  async () => {
    const never = deferred<boolean>()
    let asked = 0
    const acceptor = new Acceptor({
      handshakeTimeout: 50,
      verifyClient: () => {
        asked++
        return never.promise
      },
    })
    const slow = createMemoryPair()
    const slowRaw = rawClient(slow.client)
    const timedOut = acceptor.accept(slow.server, () => assert.unreachable('accepted'))
    slow.client.write(encoder.encode(REQUEST()))
    assert.is(await timedOut, null)
    assert.ok(slow.server.destroyed, 'dropped at the deadline')
    assert.is(slowRaw.text(), '')

    const leaving = createMemoryPair()
    const left = acceptor.accept(leaving.server, () => assert.unreachable('accepted'))
    leaving.client.write(encoder.encode(REQUEST()))
    await sleep(5)
    leaving.client.destroy()
    assert.is(await left, null)

    const closing = createMemoryPair()
    const dropped = acceptor.accept(closing.server, () => assert.unreachable('accepted'))
    closing.client.write(encoder.encode(REQUEST()))
    await sleep(5)
    await acceptor.close()
    assert.is(await dropped, null)
    assert.ok(closing.server.destroyed)
    assert.is(asked, 3)
    // The hook answering after all that changes nothing.
    never.resolve(true)
    await sleep(5)
    assert.is(acceptor.connections.size, 0)
  },
)

server.run()

const timers = suite('the pump: keep-alive, close timeout, drained, iterator')

async function pair(
  clientOptions = {},
  serverOptions = {},
  pairOptions = {},
): Promise<{ client: Connection; server: Connection; ends: ReturnType<typeof createMemoryPair> }> {
  const ends = createMemoryPair(pairOptions)
  const acceptor = new Acceptor(serverOptions)
  const accepted = acceptor.accept(ends.server, () => {})
  const client = await connectWith('ws://memory.test/', clientOptions, async () => ends.client)
  const server = (await accepted) as Connection
  return { client, server, ends }
}

timers('keep-alive pings after silence; a peer that stops answering is failed with 1011', async () => {
  const { client, server, ends } = await pair({ keepAlive: { interval: 20, timeout: 40 } })
  const pings: number[] = []
  server.on('ping', () => pings.push(1))
  await sleep(70)
  assert.ok(pings.length >= 1, 'the server saw keep-alive pings')
  assert.is(client.state, 'open', 'answered pings keep it open')
  ends.server.stopReading()
  const closed = await client.closed
  assert.is(closed.code, 1011)
  assert.is(closed.reason, 'keepalive ping timeout')
})

timers('a peer that never answers our close is cut off at closeTimeout (1006)', async () => {
  const { client, server, ends } = await pair({ closeTimeout: 30 })
  server.on('text', () => {})
  ends.server.stopReading()
  client.close(1000)
  const closed = await client.closed
  assert.is(closed.code, 1006)
  assert.not.ok(closed.wasClean)
})

timers('drained() waits for a reader that stopped; terminate() ends both sides with 1006', async () => {
  const { client, server, ends } = await pair({ highWaterMark: 1024 }, {}, { highWaterMark: 1024 })
  ends.server.stopReading()
  let full = false
  for (let i = 0; i < 64 && !full; i++) full = !client.sendBinary(new Uint8Array(512))
  assert.ok(full, 'send returns false at the high-water mark')
  let drained = false
  const waiting = client.drained().then(() => {
    drained = true
  })
  await sleep(5)
  assert.not.ok(drained)
  server.on('binary', () => {})
  ends.server.startReading()
  await waiting
  assert.ok(client.bufferedAmount < 1024)
  await client.drained()
  client.terminate()
  assert.is((await server.closed).code, 1006)
  await client.drained()
})

timers(
  'the async iterator yields every event and ends after closed; return() hands back to listeners',
  async () => {
    const { client, server } = await pair()
    client.sendText('one')
    client.sendText('two')
    const seen: string[] = []
    for await (const event of server) {
      seen.push(event.type === 'text' ? event.data : event.type)
      if (seen.length === 2) break
    }
    assert.equal(seen, ['one', 'two'])
    const rest: string[] = []
    server.on('text', (event) => rest.push(event.data))
    client.sendText('three')
    client.close(1000)
    const iterator = client[Symbol.asyncIterator]()
    const events: string[] = []
    for (let result = await iterator.next(); !result.done; result = await iterator.next())
      events.push(result.value.type)
    assert.equal(events, ['close', 'closed'])
    assert.equal(rest, ['three'])
    assert.equal(await iterator.next(), { value: undefined, done: true })
  },
)

timers(
  'broadcast: one message to every open connection (a filter picks), encoded once; holdWrites batches',
  async () => {
    const acceptor = new Acceptor({ perMessageDeflate: false })
    const clients: Connection[] = []
    const ends: MemoryTransport[] = []
    for (let i = 0; i < 3; i++) {
      const pairEnds = createMemoryPair()
      ends.push(pairEnds.client)
      const accepted = acceptor.accept(pairEnds.server, () => {})
      clients.push(
        await connectWith('ws://memory.test/', { perMessageDeflate: false }, async () => pairEnds.client),
      )
      await accepted
    }
    const got: string[][] = clients.map(() => [])
    for (const [index, client] of clients.entries())
      client.on('text', (event) => got[index]?.push(event.data))
    const message = new PreparedMessage('to all')
    assert.is(acceptor.broadcast(message), 3)
    assert.is(message.encodings, 1, 'three plain server connections share one frame')
    const [first] = acceptor.connections
    assert.is(acceptor.broadcast('some', { filter: (connection) => connection === first }), 1)
    await sleep(5)
    assert.equal(got, [['to all', 'some'], ['to all'], ['to all']])
    // sendPrepared on a client (masked: encoded by the connection itself) reaches the server.
    const serverGot: string[] = []
    first?.on('text', (event) => serverGot.push(event.data))
    assert.ok(clients[0]?.sendPrepared(new PreparedMessage('up')))
    await sleep(5)
    assert.equal(serverGot, ['up'])
    // A closing connection is skipped.
    first?.close(1000)
    assert.is(acceptor.broadcast(new Uint8Array([1])), 2)
    await acceptor.close()
    for (const end of ends) end.destroy()
  },
)

timers.after(() => globalThis.clearInterval(alive))

timers.run()
