/**
 * WebSocketStream (the draft) over real sockets: echo both ways (strings and Uint8Array out,
 * strings and BufferSource in), close codes through close(), the writable and the readable,
 * closes from the server clean and unclean, abort signals, failures as WebSocketError, and
 * backpressure: while nobody reads, the socket is not read and the server's sends back up.
 */
import type { BinaryEvent, TextEvent } from '@ws/proto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Connection } from '../../node-tcp/src/index.ts'
import { WebSocketError } from '../src/index.ts'
import { sleep, until } from './fake.ts'
import { deadline, nodeClasses, ourServer, rawServer } from './servers.ts'

const { WebSocketStream } = nodeClasses()

/** Our server: echoes messages, records close frames; 'close me <code>' makes it close. */
async function echoServer() {
  const closes: { code: number; reason: string }[] = []
  const connections: Connection[] = []
  const server = await ourServer((connection) => {
    connections.push(connection)
    connection.on('text', (event: TextEvent) => {
      const order = /^close me (\d+)$/.exec(event.data)
      if (order) connection.close(Number(order[1]), 'as asked')
      else if (event.data === 'drop me') connection.terminate()
      else connection.sendText(event.data)
    })
    connection.on('binary', (event: BinaryEvent) => connection.sendBinary(event.data))
    connection.on('close', (event) => closes.push({ code: event.code, reason: event.reason }))
  })
  return { ...server, closes, connections }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await deadline(promise)
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

const named = (name: string) => (error: Error) => error instanceof DOMException && error.name === name

const echo = suite('echo and closing')

echo(
  'opened gives readable, writable, extensions, protocol; messages echo as string and Uint8Array',
  async () => {
    const server = await echoServer()
    try {
      const stream = new WebSocketStream(`${server.url}path?q=1`, { protocols: [] })
      assert.is(stream.url, `${server.url}path?q=1`)
      const { readable, writable, extensions, protocol } = await deadline(stream.opened)
      assert.equal(Object.keys(await stream.opened), ['extensions', 'protocol', 'readable', 'writable'])
      assert.match(extensions, /^permessage-deflate/)
      assert.is(protocol, '')
      const writer = writable.getWriter()
      const reader = readable.getReader()
      const backing = new Uint8Array([0, 1, 2, 3, 4, 5])
      await writer.write('héllo \ud800')
      await writer.write(backing.subarray(1, 3))
      await writer.write(backing.buffer)
      await writer.write(new DataView(backing.buffer, 4, 2))
      await writer.write(42 as unknown as string) // converted to a USVString
      const got: unknown[] = []
      for (let index = 0; index < 5; index++) got.push((await deadline(reader.read())).value)
      assert.is(got[0], 'héllo \ufffd')
      assert.instance(got[1], Uint8Array)
      assert.equal(
        got.slice(1, 4).map((bytes) => [...(bytes as Uint8Array)]),
        [
          [1, 2],
          [0, 1, 2, 3, 4, 5],
          [4, 5],
        ],
      )
      assert.is((got[1] as Uint8Array).buffer.byteLength, 2, 'a Uint8Array of its own buffer')
      assert.is(got[4], '42')
      stream.close({ closeCode: 4000, reason: 'bye' })
      assert.equal(await deadline(stream.closed), { closeCode: 4000, reason: '' })
      assert.equal(server.closes, [{ code: 4000, reason: 'bye' }])
      assert.equal(await deadline(reader.read()), { done: true, value: undefined })
      assert.instance(await rejection(writer.write('late')), DOMException)
    } finally {
      await server.close()
    }
  },
)

echo('close() arguments: [EnforceRange] code, then the WebSocket.close() rules', async () => {
  const server = await echoServer()
  try {
    const stream = new WebSocketStream(server.url)
    await deadline(stream.opened)
    assert.throws(() => stream.close({ closeCode: Number.NaN }), TypeError)
    assert.throws(() => stream.close({ closeCode: 70000 }), TypeError)
    assert.throws(() => stream.close({ closeCode: 1001 }), named('InvalidAccessError'))
    assert.throws(() => stream.close({ closeCode: 1000, reason: 'x'.repeat(124) }), named('SyntaxError'))
    assert.throws(() => stream.close(5 as never), TypeError)
    // A reason without a code closes with 1000.
    stream.close({ reason: 'only a reason' })
    await deadline(stream.closed)
    assert.equal(server.closes, [{ code: 1000, reason: 'only a reason' }])
  } finally {
    await server.close()
  }
})

echo('closing the writable closes without a code; the server sees 1005', async () => {
  const server = await echoServer()
  try {
    const stream = new WebSocketStream(server.url)
    const { writable } = await deadline(stream.opened)
    await writable.close()
    assert.equal(await deadline(stream.closed), { closeCode: 1005, reason: '' })
    assert.equal(server.closes, [{ code: 1005, reason: '' }])
  } finally {
    await server.close()
  }
})

echo("aborting the writable or cancelling the readable uses a WebSocketError's code and reason", async () => {
  const server = await echoServer()
  try {
    const first = new WebSocketStream(server.url)
    const opened = await deadline(first.opened)
    await opened.writable.abort(new WebSocketError('stop', { closeCode: 4001, reason: 'abort' }))
    await deadline(first.closed)
    const second = new WebSocketStream(server.url)
    await (await deadline(second.opened)).readable.cancel(
      new WebSocketError('', { closeCode: 4002, reason: 'cancel' }),
    )
    await deadline(second.closed)
    const third = new WebSocketStream(server.url)
    await (await deadline(third.opened)).readable.cancel(new Error('not a WebSocketError'))
    await deadline(third.closed)
    assert.equal(server.closes, [
      { code: 4001, reason: 'abort' },
      { code: 4002, reason: 'cancel' },
      { code: 1005, reason: '' },
    ])
  } finally {
    await server.close()
  }
})

echo(
  'the server closes cleanly: the messages before it, then the readable ends; closed resolves',
  async () => {
    const server = await echoServer()
    try {
      const stream = new WebSocketStream(server.url)
      const { readable, writable } = await deadline(stream.opened)
      const writer = writable.getWriter()
      await writer.write('one')
      await writer.write('close me 4100')
      // The close frame comes after 'one': it is taken (and answered) once 'one' has been read.
      const reader = readable.getReader()
      assert.equal(await deadline(reader.read()), { done: false, value: 'one' })
      assert.equal(await deadline(reader.read()), { done: true, value: undefined })
      assert.equal(await deadline(stream.closed), { closeCode: 4100, reason: 'as asked' })
      const error = await rejection(writer.write('x'))
      assert.ok(named('InvalidStateError')(error as Error))
    } finally {
      await server.close()
    }
  },
)

echo(
  'the server drops the connection: closed, the readable and the writable reject with WebSocketError 1006',
  async () => {
    const server = await echoServer()
    try {
      const stream = new WebSocketStream(server.url)
      const { readable, writable } = await deadline(stream.opened)
      const writer = writable.getWriter()
      await writer.write('drop me')
      const error = (await rejection(stream.closed)) as InstanceType<typeof WebSocketError>
      assert.instance(error, WebSocketError)
      assert.instance(error, DOMException)
      assert.equal([error.name, error.closeCode, error.reason], ['WebSocketError', 1006, ''])
      assert.is(await rejection(readable.getReader().read()), error)
      assert.is(await rejection(writer.write('x')), error)
    } finally {
      await server.close()
    }
  },
)

echo.run()

const failing = suite('failures and abort signals')

failing(
  'an aborted signal rejects opened and closed with its reason; no connection is attempted',
  async () => {
    let connections = 0
    const server = await rawServer(() => connections++)
    try {
      const reason = new Error('never mind')
      const stream = new WebSocketStream(server.url, { signal: AbortSignal.abort(reason) })
      assert.is(await rejection(stream.opened), reason)
      assert.is(await rejection(stream.closed), reason)
      await sleep(20)
      assert.is(connections, 0)
    } finally {
      await server.close()
    }
  },
)

failing('aborting while connecting rejects both with the reason and drops the attempt', async () => {
  let dropped = false
  const server = await rawServer((socket) => socket.on('close', () => (dropped = true)))
  try {
    const controller = new AbortController()
    const stream = new WebSocketStream(server.url, { signal: controller.signal })
    await sleep(30)
    controller.abort()
    const error = (await rejection(stream.opened)) as Error
    assert.is(error.name, 'AbortError')
    assert.is(await rejection(stream.closed), error)
    await deadline(until(() => dropped))
  } finally {
    await server.close()
  }
})

failing('close() while connecting fails it: opened rejects (no code), closed rejects with 1006', async () => {
  const server = await rawServer(() => {})
  try {
    const stream = new WebSocketStream(server.url)
    await sleep(20)
    stream.close()
    const opened = (await rejection(stream.opened)) as InstanceType<typeof WebSocketError>
    const closed = (await rejection(stream.closed)) as InstanceType<typeof WebSocketError>
    assert.instance(opened, WebSocketError)
    assert.is(opened.closeCode, null)
    assert.is(closed.closeCode, 1006)
  } finally {
    await server.close()
  }
})

failing('connection refused and a non-101 answer reject opened and closed with WebSocketErrors', async () => {
  const server = await rawServer((socket) =>
    socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'),
  )
  const refused = await rawServer(() => {})
  await refused.close()
  try {
    for (const url of [server.url, refused.url]) {
      const stream = new WebSocketStream(url)
      const opened = await rejection(stream.opened)
      const closed = (await rejection(stream.closed)) as InstanceType<typeof WebSocketError>
      assert.instance(opened, WebSocketError)
      assert.equal([closed.name, closed.closeCode], ['WebSocketError', 1006])
    }
  } finally {
    await server.close()
  }
})

failing('argument checks: options dictionary, protocols sequence, signal type, URL and protocols', () => {
  assert.throws(() => new WebSocketStream('ws://127.0.0.1:1/', 5 as never), TypeError)
  assert.throws(() => new WebSocketStream('ws://127.0.0.1:1/', { protocols: 'chat' as never }), TypeError)
  assert.throws(() => new WebSocketStream('ws://127.0.0.1:1/', { signal: {} as never }), TypeError)
  assert.throws(() => new WebSocketStream('ftp://127.0.0.1:1/'), named('SyntaxError'))
  assert.throws(
    () => new WebSocketStream('ws://127.0.0.1:1/', { protocols: ['a', 'A'] }),
    named('SyntaxError'),
  )
})

failing.run()

const pressure = suite('backpressure')

pressure(
  'nobody reads: the socket is not read, the server backs up, memory stays bounded; then all arrives',
  async () => {
    const chunk = new Uint8Array(64 * 1024).fill(7)
    let sent = 0
    let stalled = false
    let stop = false
    const server = await ourServer(async (connection) => {
      while (!stop && connection.state === 'open') {
        sent++
        if (connection.sendBinary(chunk)) continue
        const drained = await Promise.race([
          connection.drained().then(() => true),
          sleep(300).then(() => false),
        ])
        if (!drained) stalled = true
        if (stalled) break
      }
      connection.sendText('end')
    })
    try {
      const stream = new WebSocketStream(server.url, { perMessageDeflate: false })
      const { readable } = await deadline(stream.opened)
      const before = process.memoryUsage().arrayBuffers
      await deadline(
        until(() => stalled, 4000),
        5000,
        'the server stalling',
      )
      const held = process.memoryUsage().arrayBuffers - before
      // Kernel buffers, the driver's bounded queue and the server's own buffer: megabytes, not more.
      assert.ok(sent * chunk.length < 48 * 1024 * 1024, `sent ${sent} chunks before stalling`)
      assert.ok(held < 64 * 1024 * 1024, `held ${held} bytes`)
      // Now read everything: every chunk, intact, then 'end'.
      const reader = readable.getReader()
      let received = 0
      for (;;) {
        const { value } = await deadline(reader.read())
        if (value === 'end') break
        assert.is((value as Uint8Array).length, chunk.length)
        received++
      }
      assert.is(received, sent)
      stream.close()
      await deadline(stream.closed)
    } finally {
      stop = true
      await server.close()
    }
  },
)

pressure('a write settles only once the connection is below its high-water mark', async () => {
  let peer: Connection | undefined
  const server = await ourServer((connection) => {
    peer = connection
  })
  try {
    const stream = new WebSocketStream(server.url, { perMessageDeflate: false, highWaterMark: 64 * 1024 })
    const { writable } = await deadline(stream.opened)
    await until(() => peer !== undefined)
    ;(peer as Connection).socket.pause()
    const writer = writable.getWriter()
    const big = new Uint8Array(1024 * 1024)
    let settled = 0
    const writes: Promise<void>[] = []
    for (let index = 0; index < 16; index++) writes.push(writer.write(big).then(() => void settled++))
    await sleep(200)
    assert.ok(settled < 16, `only some writes settle while the peer does not read (${settled})`)
    ;(peer as Connection).socket.resume()
    await deadline(Promise.all(writes))
    assert.is(settled, 16)
    stream.close()
    await deadline(stream.closed)
  } finally {
    await server.close()
  }
})

pressure.run()
