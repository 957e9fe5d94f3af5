/**
 * The in-memory transport pair on its own. No Node APIs here: this file runs unchanged in Deno,
 * Bun and browsers.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createMemoryPair, MemoryResetError, type MemoryTransport } from '../src/memory-pair.ts'
import type { TransportSink } from '../src/transport.ts'

interface Recorder extends TransportSink {
  /** Every call, in order: ['data', bytes] | ['end'] | ['closed', error] | ['drain']. */
  calls: unknown[][]
  chunks(): Uint8Array[]
  bytes(): Uint8Array
  names(): string[]
}

function recorder(onData?: (chunk: Uint8Array) => void): Recorder {
  const calls: unknown[][] = []
  return {
    calls,
    data(chunk) {
      calls.push(['data', chunk])
      onData?.(chunk)
    },
    end: () => calls.push(['end']),
    closed: (...args) => calls.push(['closed', ...args]),
    drain: () => calls.push(['drain']),
    chunks: () => calls.filter((c) => c[0] === 'data').map((c) => c[1] as Uint8Array),
    bytes() {
      const chunks = this.chunks()
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
      let offset = 0
      for (const c of chunks) {
        out.set(c, offset)
        offset += c.length
      }
      return out
    },
    names: () => calls.map((c) => c[0] as string),
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => globalThis.setTimeout(resolve, ms))
/** Lets every queued microtask (and the microtasks they queue) run. */
const settle = (): Promise<void> => sleep(0)

function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 17 + (i >> 8)) & 0xff
  return out
}

function attached(options: Parameters<typeof createMemoryPair>[0] = {}): {
  client: MemoryTransport
  server: MemoryTransport
  atClient: Recorder
  atServer: Recorder
} {
  const { client, server } = createMemoryPair(options)
  const atClient = recorder()
  const atServer = recorder()
  client.attach(atClient)
  server.attach(atServer)
  return { client, server, atClient, atServer }
}

const flow = suite('memory pair: bytes both ways')

flow('what one side writes the other receives, in order, both ways, never during write()', async () => {
  const { client, server, atClient, atServer } = attached()
  const a = pattern(1000, 1)
  const b = pattern(500, 2)
  client.write(a.subarray(0, 300))
  client.write(a.subarray(300))
  server.write(b)
  assert.equal(atServer.calls.length, 0, 'nothing is delivered synchronously')
  await settle()
  assert.equal(atServer.bytes(), a)
  assert.equal(atClient.bytes(), b)
  assert.equal(client.sent, a)
  assert.equal(server.received, a)
  assert.equal(server.sent, b)
  assert.equal(client.received, b)
  // Writes of one turn arrive joined, in one data() call, as from a socket.
  assert.is(server.deliveries, 1)
  assert.is(client.bufferedAmount, 0)
})

flow(
  'delivered chunks are copies: the receiver may modify them, the writer’s bytes stay intact',
  async () => {
    const { client, atServer } = attached()
    const data = pattern(64)
    const original = data.slice()
    client.write(data)
    await settle()
    const [chunk] = atServer.chunks()
    assert.ok(chunk !== undefined && chunk.buffer !== data.buffer)
    chunk.fill(0)
    assert.equal(data, original)
    assert.equal(client.sent, original)
  },
)

flow('the default delivery is a microtask: it comes before the next timer', async () => {
  const { client, atServer } = attached()
  let seenByTimer = -1
  globalThis.setTimeout(() => {
    seenByTimer = atServer.calls.length
  }, 0)
  client.write(pattern(10))
  await sleep(5)
  assert.is(seenByTimer, 1)
})

flow('bytes written before attach() wait for the sink, then arrive', async () => {
  const { client, server } = createMemoryPair()
  client.attach(recorder())
  client.write(pattern(100))
  await settle()
  assert.is(client.bufferedAmount, 100)
  const atServer = recorder()
  server.attach(atServer)
  await settle()
  assert.equal(atServer.bytes(), pattern(100))
  assert.is(client.bufferedAmount, 0)
})

flow('a new sink takes over from the old one', async () => {
  const { client, server } = createMemoryPair()
  const first = recorder()
  const second = recorder()
  server.attach(first)
  client.attach(recorder())
  client.write(pattern(3))
  await settle()
  server.attach(second)
  client.write(pattern(4))
  await settle()
  assert.equal(first.bytes(), pattern(3))
  assert.equal(second.bytes(), pattern(4))
})

flow('record: false keeps nothing for sent / received, and the bytes still flow', async () => {
  const { client, atServer } = attached({ record: false })
  client.write(pattern(10))
  await settle()
  assert.equal(atServer.bytes(), pattern(10))
  assert.is(client.sent.length, 0)
})

flow('an empty write is a no-op', async () => {
  const { client, server } = attached()
  client.write(new Uint8Array(0))
  await settle()
  assert.is(server.deliveries, 0)
})

flow.run()

const chunks = suite('memory pair: chunking')

chunks('chunkSize 1 hands over one byte per data() call, across writes', async () => {
  const { client, atServer } = attached({ chunkSize: 1 })
  const data = pattern(300)
  client.write(data.subarray(0, 100))
  client.write(data.subarray(100))
  await settle()
  const got = atServer.chunks()
  assert.is(got.length, 300)
  assert.ok(got.every((c) => c.length === 1))
  assert.equal(atServer.bytes(), data)
})

chunks('chunkSize 7 cuts the joined writes into 7-byte pieces and a tail', async () => {
  const { client, atServer } = attached({ chunkSize: 7 })
  client.write(pattern(10))
  client.write(pattern(12, 3))
  await settle()
  assert.equal(
    atServer.chunks().map((c) => c.length),
    [7, 7, 7, 1],
  )
  const expected = new Uint8Array(22)
  expected.set(pattern(10))
  expected.set(pattern(12, 3), 10)
  assert.equal(atServer.bytes(), expected)
})

function seededSizes(seed: number, max: number): number[] {
  const { client, server } = createMemoryPair({ seed, chunkSize: max })
  const sizes: number[] = []
  server.attach({ ...recorder(), data: (chunk) => sizes.push(chunk.length) })
  client.attach(recorder())
  client.write(pattern(2000))
  return sizes
}

chunks('with a seed, sizes vary from 1 to chunkSize, the same seed gives the same sizes', async () => {
  const sizesA = seededSizes(42, 16)
  const sizesB = seededSizes(42, 16)
  const sizesC = seededSizes(43, 16)
  await settle()
  assert.equal(sizesA, sizesB)
  assert.not.equal(sizesA, sizesC)
  assert.is(
    sizesA.reduce((n, s) => n + s, 0),
    2000,
  )
  assert.ok(sizesA.every((s) => s >= 1 && s <= 16))
  assert.ok(new Set(sizesA).size > 8, 'sizes spread over the range')
  assert.ok(sizesA.includes(1) && sizesA.includes(16))
})

chunks('per-side options: the client’s bytes in 1-byte chunks, the server’s whole', async () => {
  const { client, server, atClient, atServer } = attached({ client: { chunkSize: 1 } })
  client.write(pattern(5))
  server.write(pattern(5))
  await settle()
  assert.is(atServer.chunks().length, 5)
  assert.is(atClient.chunks().length, 1)
})

chunks('8 MiB in 64 KiB chunks moves in bounded time (no quadratic buffering)', async () => {
  const { client, server } = createMemoryPair({ chunkSize: 65536, record: false, highWaterMark: 1 << 30 })
  let total = 0
  let sum = 0
  server.attach({
    ...recorder(),
    data(chunk) {
      total += chunk.length
      sum = (sum + (chunk[0] as number)) | 0
    },
  })
  client.attach(recorder())
  const piece = pattern(1024)
  const started = Date.now()
  for (let i = 0; i < 8192; i++) client.write(piece)
  await settle()
  assert.is(total, 8 * 1024 * 1024)
  assert.is(server.deliveries, 128)
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`)
})

chunks.run()

const timing = suite('memory pair: delays')

timing('delay: 30 ms delays each write by 30 ms, order kept', async () => {
  const { client, server } = createMemoryPair({ delay: 30 })
  const arrivals: number[] = []
  const sink = recorder(() => arrivals.push(Date.now()))
  server.attach(sink)
  client.attach(recorder())
  const first = Date.now()
  client.write(pattern(10, 1))
  await sleep(10)
  const second = Date.now()
  client.write(pattern(10, 2))
  await sleep(100)
  // Timers never fire early (they may fire late on a loaded machine).
  assert.is(arrivals.length, 2, 'each write on its own timer')
  assert.ok((arrivals[0] as number) - first >= 29, `first after ${(arrivals[0] as number) - first} ms`)
  assert.ok((arrivals[1] as number) - second >= 29, `second after ${(arrivals[1] as number) - second} ms`)
  const expected = new Uint8Array(20)
  expected.set(pattern(10, 1))
  expected.set(pattern(10, 2), 10)
  assert.equal(sink.bytes(), expected)
})

timing('delay: 0 waits for a timer turn, not a microtask', async () => {
  const { client, atServer } = attached({ delay: 0 })
  client.write(pattern(4))
  for (let i = 0; i < 10; i++) await Promise.resolve()
  assert.is(atServer.calls.length, 0)
  await sleep(5)
  assert.equal(atServer.bytes(), pattern(4))
})

timing('delay applies to end and reset too', async () => {
  const times: Record<string, number> = {}
  const timed = (): TransportSink => ({
    data: () => {
      times.data ??= Date.now()
    },
    end: () => {
      times.end = Date.now()
    },
    closed: () => {
      times.closed = Date.now()
    },
    drain() {},
  })
  const ending = createMemoryPair({ delay: 20 })
  ending.server.attach(timed())
  ending.client.attach(recorder())
  const started = Date.now()
  ending.client.write(pattern(4))
  ending.client.end()
  const resetting = createMemoryPair({ delay: 20 })
  const resetTimes: Record<string, number> = {}
  resetting.server.attach({ ...recorder(), closed: () => (resetTimes.closed = Date.now()) })
  resetting.client.attach(recorder())
  const resetAt = Date.now()
  resetting.client.reset()
  await sleep(80)
  assert.ok((times.data as number) - started >= 19, 'data after the delay')
  assert.ok((times.end as number) >= (times.data as number), 'end after the data')
  assert.ok((resetTimes.closed as number) - resetAt >= 19, 'the reset after the delay')
})

timing.run()

const backpressure = suite('memory pair: pause, stalled readers, high-water mark')

backpressure(
  'pause() stops delivery for as long as it lasts; resume() delivers the rest in order',
  async () => {
    const { client, server, atServer } = attached({ chunkSize: 100 })
    server.pause()
    client.write(pattern(1000))
    await sleep(10)
    assert.is(atServer.calls.length, 0)
    assert.is(client.bufferedAmount, 1000)
    assert.ok(server.paused)
    server.resume()
    await settle()
    assert.equal(atServer.bytes(), pattern(1000))
  },
)

backpressure('a pause() inside data() takes effect before the next chunk', async () => {
  const { client, server } = createMemoryPair({ chunkSize: 1 })
  const sink = recorder(() => {
    if (sink.calls.length === 3) server.pause()
  })
  server.attach(sink)
  client.attach(recorder())
  client.write(pattern(10))
  await settle()
  assert.is(sink.calls.length, 3)
  assert.is(client.bufferedAmount, 7)
  server.resume()
  await settle()
  assert.equal(sink.bytes(), pattern(10))
})

backpressure(
  'a stalled reader: the writer’s buffer grows, needsDrain at the mark, one drain once caught up',
  async () => {
    const { client, server, atClient, atServer } = attached({ highWaterMark: 1000 })
    server.stopReading()
    client.write(pattern(600))
    assert.is(client.needsDrain, false)
    client.write(pattern(399))
    assert.is(client.needsDrain, false, '999 bytes: below the mark')
    client.write(pattern(1))
    assert.is(client.needsDrain, true, '1000 bytes: at the mark')
    client.write(pattern(5000))
    await sleep(10)
    assert.is(client.bufferedAmount, 6000)
    assert.is(client.needsDrain, true)
    assert.equal(atClient.names(), [], 'no drain while the reader is stalled')
    // The driver's resume() does not undo a stalled reader.
    server.pause()
    server.resume()
    await settle()
    assert.is(atServer.calls.length, 0)
    server.startReading()
    await settle()
    assert.is(client.bufferedAmount, 0)
    assert.is(client.needsDrain, false)
    assert.equal(atClient.names(), ['drain'])
    assert.is(atServer.bytes().length, 6000)
  },
)

backpressure('no drain when the mark was never reached', async () => {
  const { client, atClient, atServer } = attached({ highWaterMark: 1000 })
  client.write(pattern(999))
  await settle()
  assert.is(atServer.bytes().length, 999)
  assert.equal(atClient.names(), [])
})

backpressure(
  'drain comes only when the queue is empty, not when it merely falls below the mark',
  async () => {
    const { client, server } = createMemoryPair({ highWaterMark: 10, chunkSize: 4 })
    const atClient = recorder()
    client.attach(atClient)
    const atServer = recorder(() => {
      if (atServer.calls.length === 2) server.pause()
    })
    server.attach(atServer)
    client.write(pattern(12))
    assert.ok(client.needsDrain)
    await settle()
    assert.is(client.bufferedAmount, 4)
    assert.equal(atClient.names(), [])
    server.resume()
    await settle()
    assert.equal(atClient.names(), ['drain'])
  },
)

backpressure.run()

const ending = suite('memory pair: end, destroy, reset')

ending('end(): the peer gets every byte, then end(); writing back still works (half-close)', async () => {
  const { client, server, atClient, atServer } = attached()
  client.write(pattern(10))
  client.end()
  await settle()
  assert.equal(atServer.names(), ['data', 'end'])
  assert.equal(atClient.names(), [], 'no closed() while the server may still write')
  server.write(pattern(5))
  await settle()
  assert.equal(atClient.bytes(), pattern(5))
  server.end()
  await settle()
  assert.equal(atClient.names(), ['data', 'end', 'closed'])
  assert.equal(atServer.names(), ['data', 'end', 'closed'])
  assert.equal(atClient.calls.at(-1), ['closed'], 'a clean close has no error')
  assert.ok(client.destroyed && server.destroyed)
})

ending('write() after our own end() throws; end() twice is a no-op', () => {
  const { client } = attached()
  client.end()
  client.end()
  assert.throws(() => client.write(pattern(1)), /write after end\(\) on the client side/)
})

ending('the end waits for a paused reader, behind the data', async () => {
  const { client, server, atServer } = attached()
  server.pause()
  client.write(pattern(10))
  client.end()
  await settle()
  assert.equal(atServer.names(), [])
  server.resume()
  await settle()
  assert.equal(atServer.names(), ['data', 'end'])
})

ending(
  'destroy(): own side closed() without error, the peer closed(ECONNRESET), queued bytes dropped',
  async () => {
    const { client, server, atClient, atServer } = attached()
    server.pause()
    client.write(pattern(100))
    server.write(pattern(50))
    client.destroy()
    assert.is(client.bufferedAmount, 0)
    client.write(pattern(10)) // ignored: the socket is gone
    await settle()
    assert.equal(atClient.calls, [['closed']])
    assert.is(atServer.names().join(), 'closed')
    const error = atServer.calls[0]?.[1]
    assert.instance(error, MemoryResetError)
    assert.is((error as MemoryResetError).code, 'ECONNRESET')
    assert.is(server.bufferedAmount, 0, 'the peer’s queue is dropped too')
    server.resume()
    await settle()
    assert.is(atServer.calls.length, 1, 'closed() is the last call')
    assert.is(atClient.calls.length, 1)
  },
)

ending('reset(error) hands that error to the peer; a reset reaches a stalled reader', async () => {
  const { client, server, atServer } = attached()
  server.stopReading()
  const reason = new Error('cable cut')
  client.reset(reason)
  await settle()
  assert.equal(atServer.calls, [['closed', reason]])
  assert.ok(server.destroyed)
  client.reset() // twice: nothing more
  server.destroy()
  await settle()
  assert.is(atServer.calls.length, 1)
})

ending('destroyed before attach: closed() on attach', async () => {
  const { client, server } = createMemoryPair()
  client.destroy()
  await settle()
  const atServer = recorder()
  server.attach(atServer)
  await settle()
  assert.is(atServer.names().join(), 'closed')
})

ending('bad options are refused with a RangeError that names them', () => {
  assert.throws(() => createMemoryPair({ chunkSize: 0 }), /chunkSize must be an integer >= 1, got 0/)
  assert.throws(() => createMemoryPair({ chunkSize: 1.5 }), /chunkSize/)
  assert.throws(() => createMemoryPair({ chunkSize: Number.NaN }), /chunkSize/)
  assert.throws(() => createMemoryPair({ server: { highWaterMark: -1 } }), /highWaterMark/)
  assert.throws(() => createMemoryPair({ delay: -1 }), /delay must be a number of milliseconds >= 0/)
  assert.throws(() => createMemoryPair({ seed: Number.POSITIVE_INFINITY }), /seed must be a finite number/)
})

ending.run()
