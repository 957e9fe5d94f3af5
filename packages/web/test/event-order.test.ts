/**
 * Event order and timing (WebSockets Standard, "Feedback from the protocol"): every event is a
 * task (nothing synchronous from the constructor, send() or close()); readyState is what the
 * Standard says at each event; `error` comes before `close`; a message task checks OPEN;
 * event handler attributes keep their place among listeners. Over a fake connection.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CloseEventInstance } from '../src/close-event.ts'
import { FakeConnection, fakeClasses, record, sleep, until } from './fake.ts'

const { WebSocket, attempts } = fakeClasses()

let port = 1000
/** A WebSocket to a fresh host key, and its pending attempt. */
async function connecting(protocols?: string[]) {
  const count = attempts.length
  const socket = new WebSocket(`ws://127.0.0.1:${port++}/`, protocols)
  const log = record(socket)
  await until(() => attempts.length > count)
  return { socket, log, attempt: attempts[count] as (typeof attempts)[number] }
}

const timing = suite('timing')

timing('open is a task: not fired in the same turn as the connection opening', async () => {
  const { socket, log, attempt } = await connecting()
  const connection = new FakeConnection()
  connection.protocol = ''
  connection.extensions = 'permessage-deflate'
  attempt.resolve(connection)
  await Promise.resolve()
  await Promise.resolve()
  assert.is(log.length, 0)
  assert.is(socket.readyState, WebSocket.CONNECTING)
  assert.is(socket.extensions, '')
  await until(() => log.length === 1)
  assert.equal(
    log.map((entry) => [entry.type, entry.readyState]),
    [['open', WebSocket.OPEN]],
  )
  assert.is(socket.extensions, 'permessage-deflate')
  socket.close()
})

timing(
  'messages: each a task, after open, with the data and origin; nothing fires synchronously',
  async () => {
    const { socket, log, attempt } = await connecting()
    const connection = new FakeConnection()
    attempt.resolve(connection)
    await until(() => log.length === 1)
    socket.binaryType = 'arraybuffer'
    connection.emit({ type: 'text', data: 'one' })
    connection.emit({ type: 'binary', data: new Uint8Array([1, 2, 3]).subarray(1) })
    assert.is(log.length, 1, 'not synchronous')
    const microtasks: number[] = []
    socket.addEventListener('message', () => {
      queueMicrotask(() => microtasks.push(log.length))
    })
    await until(() => log.length === 3)
    // Each message is its own task: the microtask queued by the first ran before the second.
    assert.equal(microtasks, [2, 3])
    const [text, binary] = [log[1]?.event, log[2]?.event] as { data: unknown; origin: string }[]
    assert.is(text?.data, 'one')
    assert.is(text?.origin, `ws://127.0.0.1:${port - 1}`)
    assert.instance(binary?.data, ArrayBuffer)
    assert.equal([...new Uint8Array(binary?.data as ArrayBuffer)], [2, 3])
    assert.instance(log[1]?.event, MessageEvent)
    socket.close()
  },
)

timing('binary as Blob by default, decided when the task runs', async () => {
  const { socket, log, attempt } = await connecting()
  const connection = new FakeConnection()
  attempt.resolve(connection)
  await until(() => log.length === 1)
  // Changed after the second message arrived (in the first one's task), before its task runs:
  // that task uses the new value.
  socket.addEventListener('message', () => {
    socket.binaryType = 'arraybuffer'
  })
  connection.emit({ type: 'binary', data: new Uint8Array([9, 8]) })
  connection.emit({ type: 'binary', data: new Uint8Array([7]) })
  await until(() => log.length === 3)
  const first = log[1]?.event.data as Blob
  assert.instance(first, Blob)
  assert.equal([...new Uint8Array(await first.arrayBuffer())], [9, 8])
  assert.instance(log[2]?.event.data, ArrayBuffer)
  socket.close()
})

timing.run()

const closing = suite('closing')

closing(
  'close() while CONNECTING: CLOSING at once, then error and close 1006 (not clean), readyState CLOSED',
  async () => {
    const { socket, log } = await connecting()
    socket.close()
    assert.is(socket.readyState, WebSocket.CLOSING)
    assert.is(log.length, 0)
    await until(() => log.length === 2)
    assert.equal(
      log.map((entry) => [entry.type, entry.readyState]),
      [
        ['error', WebSocket.CLOSED],
        ['close', WebSocket.CLOSED],
      ],
    )
    const close = log[1]?.event as unknown as CloseEventInstance
    assert.equal([close.code, close.reason, close.wasClean], [1006, '', false])
    assert.is(Object.getPrototypeOf(log[0]?.event), Event.prototype, 'error is a plain Event')
  },
)

closing('close() after the connection opened but before `open` fired fails it: no open', async () => {
  const { socket, log, attempt } = await connecting()
  const connection = new FakeConnection()
  attempt.resolve(connection)
  await Promise.resolve()
  await Promise.resolve()
  socket.close()
  await until(() => log.length === 2)
  assert.equal(
    log.map((entry) => entry.type),
    ['error', 'close'],
  )
  assert.ok(connection.terminated)
})

closing('a failed attempt: error then close 1006; readyState stays CONNECTING until the task', async () => {
  const { socket, log, attempt } = await connecting()
  attempt.reject(new Error('ECONNREFUSED'))
  await Promise.resolve()
  assert.is(socket.readyState, WebSocket.CONNECTING)
  await until(() => log.length === 2)
  assert.equal(
    log.map((entry) => [entry.type, entry.readyState, (entry.event as { code?: number }).code]),
    [
      ['error', WebSocket.CLOSED, undefined],
      ['close', WebSocket.CLOSED, 1006],
    ],
  )
})

closing('offered subprotocols and none chosen: the connection fails (the Standard)', async () => {
  const { log, attempt } = await connecting(['chat'])
  assert.equal(attempt.protocols, ['chat'])
  const connection = new FakeConnection()
  attempt.resolve(connection)
  await until(() => log.length === 2)
  assert.equal(
    log.map((entry) => entry.type),
    ['error', 'close'],
  )
  assert.ok(connection.terminated)
})

closing(
  'the closing handshake: CLOSING from close(), close event only when the connection is closed',
  async () => {
    const { socket, log, attempt } = await connecting(['chat'])
    const connection = new FakeConnection()
    connection.protocol = 'chat'
    attempt.resolve(connection)
    await until(() => log.length === 1)
    assert.is(socket.protocol, 'chat')
    socket.close(3001, 'done')
    assert.is(socket.readyState, WebSocket.CLOSING)
    assert.equal(connection.sent, [{ close: [3001, 'done'] }])
    // A message that arrives now is not dispatched: readyState is not OPEN.
    connection.emit({ type: 'text', data: 'late' })
    connection.emit({ type: 'close', code: 3001, reason: 'done' })
    await sleep(5)
    assert.is(log.length, 1)
    connection.finish({ type: 'closed', code: 3001, reason: 'done', wasClean: true })
    await until(() => log.length === 2)
    const close = log[1]?.event as unknown as CloseEventInstance
    assert.equal(
      [log[1]?.type, log[1]?.readyState, close.code, close.reason, close.wasClean],
      ['close', 3, 3001, 'done', true],
    )
    assert.instance(close, Event)
  },
)

closing(
  "the peer's close: messages before it are dispatched, then CLOSING, then close with its code",
  async () => {
    const { socket, log, attempt } = await connecting()
    const connection = new FakeConnection()
    attempt.resolve(connection)
    await until(() => log.length === 1)
    const states: number[] = []
    connection.emit({ type: 'text', data: 'before' })
    connection.emit({ type: 'close', code: 1005, reason: '' })
    socket.addEventListener('message', () => states.push(socket.readyState))
    await sleep(5)
    assert.is(socket.readyState, WebSocket.CLOSING)
    assert.equal(states, [WebSocket.OPEN])
    connection.finish({ type: 'closed', code: 1005, reason: '', wasClean: true })
    await until(() => log.length === 3)
    const close = log[2]?.event as unknown as CloseEventInstance
    assert.equal([close.code, close.reason, close.wasClean], [1005, '', true])
  },
)

closing(
  'a failed connection (a protocol error) fires error, then close 1006, whatever code was sent',
  async () => {
    const { log, attempt } = await connecting()
    const connection = new FakeConnection()
    attempt.resolve(connection)
    await until(() => log.length === 1)
    connection.finish({
      type: 'closed',
      code: 1002,
      reason: 'bad frame',
      wasClean: false,
      error: new Error('x') as never,
    })
    await until(() => log.length === 3)
    assert.equal(
      log.map((entry) => entry.type),
      ['open', 'error', 'close'],
    )
    assert.equal((log[2]?.event as unknown as CloseEventInstance | undefined)?.code, 1006)
  },
)

closing('the transport ending without a close frame: close 1006, no error event', async () => {
  const { log, attempt } = await connecting()
  const connection = new FakeConnection()
  attempt.resolve(connection)
  await until(() => log.length === 1)
  connection.finish({ type: 'closed', code: 1006, reason: '', wasClean: false })
  await until(() => log.length === 2)
  assert.equal(
    log.map((entry) => [entry.type, (entry.event as { code?: number }).code]),
    [
      ['open', undefined],
      ['close', 1006],
    ],
  )
})

closing.run()

const handlers = suite('event handler attributes')

handlers('onX keeps its place from the first assignment; null or a non-callable removes it', async () => {
  const { socket, attempt } = await connecting()
  const order: string[] = []
  socket.addEventListener('message', () => order.push('listener 1'))
  socket.onmessage = () => order.push('handler A')
  socket.addEventListener('message', () => order.push('listener 2'))
  socket.onmessage = () => order.push('handler B')
  assert.type(socket.onmessage, 'function')
  const connection = new FakeConnection()
  attempt.resolve(connection)
  await until(() => socket.readyState === WebSocket.OPEN)
  connection.emit({ type: 'text', data: 'x' })
  await until(() => order.length === 3)
  assert.equal(order, ['listener 1', 'handler B', 'listener 2'])
  // Removed, then set again: now last.
  socket.onmessage = { handleEvent() {} } as never
  assert.is(socket.onmessage, null)
  socket.onmessage = () => order.push('handler C')
  connection.emit({ type: 'text', data: 'y' })
  await until(() => order.length === 6)
  assert.equal(order.slice(3), ['listener 1', 'listener 2', 'handler C'])
  socket.onmessage = 5 as never
  assert.is(socket.onmessage, null)
  socket.close()
})

handlers('handlers run with the WebSocket as this and get the event', async () => {
  const { socket, attempt } = await connecting()
  let seen: unknown[] = []
  socket.onopen = function (this: unknown, event: Event) {
    seen = [this, event.type]
  }
  attempt.resolve(new FakeConnection())
  await until(() => seen.length === 2)
  assert.is(seen[0], socket)
  assert.is(seen[1], 'open')
  socket.close()
})

handlers.run()
