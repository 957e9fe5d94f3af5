/**
 * bufferedAmount and the send queue over a fake connection whose buffer the test controls:
 * it shrinks message by message as the connection's buffer empties (never within a task),
 * Blobs keep their place, a full buffer fails the connection (error, close 1006), and data
 * the connection refuses because its closing handshake started is dropped silently.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CloseEventInstance } from '../src/close-event.ts'
import { FakeConnection, fakeClasses, record, sleep, until } from './fake.ts'

const { WebSocket, attempts } = fakeClasses()
let port = 2000

async function openSocket() {
  const count = attempts.length
  const socket = new WebSocket(`ws://127.0.0.1:${port++}/`)
  const log = record(socket)
  await until(() => attempts.length > count)
  const connection = new FakeConnection()
  attempts[count]?.resolve(connection)
  await until(() => socket.readyState === WebSocket.OPEN)
  return { socket, connection, log }
}

/** The fake buffers what is sent: each send adds `wire` bytes to its bufferedAmount. */
function buffering(connection: FakeConnection, overhead: number): void {
  const text = connection.sendText.bind(connection)
  const binary = connection.sendBinary.bind(connection)
  connection.sendText = (data) => {
    connection.bufferedAmount += new TextEncoder().encode(data).length + overhead
    return text(data)
  }
  connection.sendBinary = (data) => {
    connection.bufferedAmount += data.byteLength + overhead
    return binary(data)
  }
}

const amount = suite('bufferedAmount')
const refusals = suite('refused sends')

amount('falls message by message as the connection hands bytes on, and only between tasks', async () => {
  const { socket, connection } = await openSocket()
  buffering(connection, 2)
  socket.send('abcd') // 4 bytes, 6 on the wire
  socket.send(new Uint8Array(10)) // 10 bytes, 12 on the wire
  assert.is(socket.bufferedAmount, 14)
  await sleep(5)
  assert.is(socket.bufferedAmount, 14, 'nothing left the connection yet')
  // The first message's 6 wire bytes and 1 of the second's have left.
  connection.bufferedAmount = 11
  connection.emitDrain()
  await until(() => socket.bufferedAmount === 10)
  connection.bufferedAmount = 0
  // Synchronously, nothing changes: the value is updated in a later task.
  assert.is(socket.bufferedAmount, 10)
  await until(() => socket.bufferedAmount === 0)
  socket.close()
})

amount('a failing Blob read sends nothing but keeps the order of what follows', async () => {
  const { socket, connection } = await openSocket()
  const broken = new Blob(['x'])
  broken.arrayBuffer = () => Promise.reject(new Error('unreadable'))
  socket.send(broken)
  socket.send('after')
  socket.send(new Blob(['blob']))
  socket.close(1000)
  assert.equal(connection.sent, [])
  assert.is(socket.bufferedAmount, 1 + 5 + 4)
  await until(() => connection.sent.length === 3)
  assert.equal(connection.sent, ['after', new TextEncoder().encode('blob'), { close: [1000] }])
  await until(() => socket.bufferedAmount === 0)
})

amount.run()

refusals('a full send buffer flags the WebSocket as full: error, then close 1006', async () => {
  const { socket, connection, log } = await openSocket()
  connection.sendError = Object.assign(new Error('full'), { code: 'WS_ERR_SEND_BUFFER_FULL' })
  socket.send('x')
  assert.ok(connection.terminated)
  await until(() => log.length === 3)
  assert.equal(
    log.map((entry) => [entry.type, entry.readyState]),
    [
      ['open', 1],
      ['error', 3],
      ['close', 3],
    ],
  )
  assert.equal((log[2]?.event as unknown as CloseEventInstance | undefined)?.code, 1006)
})

refusals("data refused because the peer's close arrived is dropped silently (still counted)", async () => {
  const { socket, connection, log } = await openSocket()
  connection.sendError = Object.assign(new Error('closing'), { name: 'InvalidStateError' })
  socket.send('abc')
  assert.is(socket.bufferedAmount, 3)
  await sleep(5)
  assert.is(log.length, 1)
  assert.is(socket.bufferedAmount, 3)
  assert.not.ok(connection.terminated)
  socket.close()
})

refusals.run()
