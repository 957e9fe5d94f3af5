/**
 * The Node socket as a byte transport, the unfilled allocator, and openTcp's abort: the small
 * pieces the client and server are made of.
 */
import { createServer as createNetServer, type Socket } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { allocateUnfilled, createServer, openTcp, openTcpTransport, socketTransport } from '../src/index.ts'

test('socketTransport: info names the socket and its peer; destroy reaches the sink once', async () => {
  const server = createNetServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  try {
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve))
    const socket = await openTcp({ host: '127.0.0.1', port, secure: false }, new AbortController().signal)
    const transport = socketTransport(socket)
    assert.is(transport.info.socket, socket)
    assert.is(transport.info.remoteAddress, '127.0.0.1')
    assert.is(transport.info.remotePort, port)
    const closed: unknown[] = []
    transport.attach({ data() {}, end() {}, closed: (error) => closed.push(error), drain() {} })
    ;(await accepted).destroy()
    await new Promise((resolve) => socket.once('close', resolve))
    assert.is(closed.length, 1, 'closed() is called once')
    const viaOpener = await openTcpTransport(
      { host: '127.0.0.1', port, secure: false },
      new AbortController().signal,
    )
    assert.is(viaOpener.bufferedAmount, 0)
    assert.not.ok(viaOpener.needsDrain)
    viaOpener.destroy()
  } finally {
    server.close()
  }
})

test('openTcp: an abort while connecting rejects with the reason and destroys the socket', async () => {
  const controller = new AbortController()
  // The abort comes synchronously after the connect call, before the connection can settle.
  const pending = openTcp({ host: '127.0.0.1', port: 9, secure: false }, controller.signal)
  const reason = new Error('stop')
  controller.abort(reason)
  const outcome = await pending.then(
    () => 'connected',
    (error: unknown) => error,
  )
  assert.is(outcome, reason)
})

test('allocateUnfilled: plain Uint8Arrays of the size asked, their own memory from 4 KiB', () => {
  for (const size of [0, 1, 4095, 4096, 100_000]) {
    const bytes = allocateUnfilled(size)
    assert.is(Object.getPrototypeOf(bytes), Uint8Array.prototype)
    assert.is(bytes.length, size)
    if (size >= 4096) assert.is(bytes.buffer.byteLength, size, 'not a slice of a shared pool')
  }
  assert.ok(
    allocateUnfilled(10).every((byte) => byte === 0),
    'small buffers are zero-filled',
  )
})

test('createServer attaches the connection listener', async () => {
  const seen: string[] = []
  const server = createServer({}, (_connection, request) => seen.push(request.resource))
  const { port } = await server.listen(0)
  const socket = await openTcp({ host: '127.0.0.1', port, secure: false }, new AbortController().signal)
  socket.write(
    'GET /here HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  )
  await new Promise((resolve) => socket.once('data', resolve))
  assert.equal(seen, ['/here'])
  socket.destroy()
  await server.close()
})

test.run()
