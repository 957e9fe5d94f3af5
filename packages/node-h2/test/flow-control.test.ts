/**
 * HTTP/2 flow control is the backpressure: a WebSocket whose reader stops stops its sender
 * (through the stream's window), memory stays bounded, and the other streams keep flowing.
 */
import type { Connection } from '@ws/driver'
import type { TextEvent } from '@ws/proto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { connect } from '../src/index.ts'
import { deadline, echoH2Server, freshPool } from './helpers.ts'

const test = suite('flow control')

const MESSAGE = 64 * 1024
const TOTAL = 1024 // 64 MiB if nothing pushed back

/** Sends TOTAL messages as fast as backpressure allows; reports how many went. */
function flood(connection: Connection) {
  const state = { sent: 0, done: false, stalled: false }
  const payload = new Uint8Array(MESSAGE).fill(7)
  const run = async (): Promise<void> => {
    while (state.sent < TOTAL && connection.state === 'open') {
      if (!connection.sendBinary(payload)) {
        state.stalled = true
        await connection.drained()
      }
      state.sent++
    }
    state.done = true
  }
  return { state, finished: run() }
}

test('a reader that stops reading stops the sender; memory stays bounded', async () => {
  const { server, url, accepted } = await echoH2Server(false, { perMessageDeflate: false })
  const pool = freshPool()
  try {
    // A client that reads nothing: no listener, and a small event queue.
    const slow = await connect(`${url}?slow`, { pool, perMessageDeflate: false, readHighWaterMark: 2 })
    const neighbour = await connect(`${url}?neighbour`, { pool, perMessageDeflate: false })
    const serverSlow = accepted[0] as Connection
    global.gc?.()
    const before = process.memoryUsage().arrayBuffers
    const sender = flood(serverSlow)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const grown = process.memoryUsage().arrayBuffers - before
    assert.is(sender.state.done, false, 'the sender is held back')
    assert.ok(sender.state.stalled, 'send() returned false')
    assert.ok(
      sender.state.sent * MESSAGE < 16 * 1024 * 1024,
      `only what the windows and buffers allow went out (${sender.state.sent} messages)`,
    )
    assert.ok(serverSlow.bufferedAmount <= 2 * 1024 * 1024, `server buffer ${serverSlow.bufferedAmount}`)
    assert.ok(grown < 24 * 1024 * 1024, `memory grew by ${grown} bytes while 64 MiB were pending`)
    if (process.env.H2_VERBOSE)
      console.log({ sent: sender.state.sent, buffered: serverSlow.bufferedAmount, grown })

    // The neighbour on the same session is not blocked.
    const echoed = new Promise<TextEvent>((resolve) => neighbour.once('text', resolve))
    neighbour.sendText('not blocked')
    assert.is((await deadline(echoed, 5000, 'the neighbour echo')).data, 'not blocked')

    // Reading again lets everything through.
    let received = 0
    let bytes = 0
    const all = new Promise<void>((resolve) => {
      slow.on('binary', (event) => {
        received++
        bytes += event.data.length
        if (received === TOTAL) resolve()
      })
    })
    await deadline(all, 30_000, 'the rest of the messages')
    await deadline(sender.finished, 5000, 'the sender')
    assert.is(bytes, TOTAL * MESSAGE)
  } finally {
    pool.close()
    await server.close()
  }
})

test('a sender that ignores backpressure gets an error, not unbounded memory', async () => {
  const { server, url, accepted } = await echoH2Server(false, {
    perMessageDeflate: false,
    maxBufferedAmount: 4 * 1024 * 1024,
  })
  const pool = freshPool()
  try {
    const client = await connect(url, { pool, perMessageDeflate: false, readHighWaterMark: 1 })
    const serverSide = accepted[0] as Connection
    const payload = new Uint8Array(MESSAGE)
    let error: unknown
    try {
      for (let index = 0; index < TOTAL; index++) serverSide.sendBinary(payload)
    } catch (caught) {
      error = caught
    }
    assert.ok(error instanceof Error, 'send threw')
    assert.is((error as Error & { code?: string }).code, 'WS_ERR_SEND_BUFFER_FULL')
    assert.ok(serverSide.bufferedAmount < 5 * 1024 * 1024)
    client.terminate()
  } finally {
    pool.close()
    await server.close()
  }
})

test.run()
