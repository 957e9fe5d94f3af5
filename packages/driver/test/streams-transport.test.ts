/**
 * The streams transport over in-memory WHATWG streams. No Node APIs here: this file runs
 * unchanged in Deno, Bun and browsers (the tests over Node sockets are in
 * streams-transport-node.test.ts).
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { streamsTransport, type WebByteSocket } from '../src/streams-transport.ts'
import type { TransportSink } from '../src/transport.ts'

interface Recorder extends TransportSink {
  calls: unknown[][]
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
    bytes() {
      const chunks = calls.filter((c) => c[0] === 'data').map((c) => c[1] as Uint8Array)
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
const settle = (): Promise<void> => sleep(1)
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)

/** A readable we feed by hand, counting the reads asked of it (highWaterMark 0: a pull is a read). */
function source(): {
  readable: ReadableStream<Uint8Array>
  pulls: () => number
  push(chunk: unknown): void
  end(): void
  error(reason: unknown): void
} {
  let controller!: ReadableStreamDefaultController<unknown>
  let pulls = 0
  const readable = new ReadableStream<unknown>(
    {
      start(c) {
        controller = c
      },
      pull() {
        pulls++
      },
    },
    { highWaterMark: 0 },
  ) as ReadableStream<Uint8Array>
  return {
    readable,
    pulls: () => pulls,
    push: (chunk) => controller.enqueue(chunk),
    end: () => controller.close(),
    error: (reason) => controller.error(reason),
  }
}

/** A writable whose writes settle when the test says so. */
function sink(strategy?: QueuingStrategy<Uint8Array>): {
  writable: WritableStream<Uint8Array>
  written: Uint8Array[]
  /** Settles the oldest pending write (or fails it). */
  settleOne(error?: unknown): void
  pending: () => number
  closed: () => boolean
  aborted: () => unknown
} {
  const written: Uint8Array[] = []
  const waiting: { resolve(): void; reject(error: unknown): void }[] = []
  let closed = false
  let aborted: unknown
  const writable = new WritableStream<Uint8Array>(
    {
      write(chunk) {
        written.push(chunk)
        return new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }))
      },
      close() {
        closed = true
      },
      abort(reason) {
        aborted = reason ?? 'aborted'
      },
    },
    strategy,
  )
  return {
    writable,
    written,
    settleOne(error) {
      const next = waiting.shift()
      if (error === undefined) next?.resolve()
      else next?.reject(error)
    },
    pending: () => waiting.length,
    closed: () => closed,
    aborted: () => aborted,
  }
}

/** Two sockets joined by TransformStreams, as two ends of a connection. */
function streamPair(): [WebByteSocket, WebByteSocket] {
  const ab = new TransformStream<Uint8Array, Uint8Array>()
  const ba = new TransformStream<Uint8Array, Uint8Array>()
  return [
    { readable: ba.readable, writable: ab.writable },
    { readable: ab.readable, writable: ba.writable },
  ]
}

const basics = suite('streams transport: bytes both ways')

basics('two transports over TransformStreams carry bytes both ways, then close cleanly', async () => {
  const [a, b] = streamPair()
  const ta = streamsTransport(a)
  const tb = streamsTransport(b)
  const atA = recorder()
  const atB = recorder()
  ta.attach(atA)
  tb.attach(atB)
  ta.write(bytes(1, 2, 3))
  ta.write(bytes(4))
  tb.write(bytes(9, 8))
  await settle()
  assert.equal(atB.bytes(), bytes(1, 2, 3, 4))
  assert.equal(atA.bytes(), bytes(9, 8))
  assert.is(ta.bufferedAmount, 0)
  ta.end()
  await settle()
  // A TransformStream's writable has a count strategy of 1: each write makes desiredSize 0,
  // so each side saw needsDrain and one drain.
  assert.equal(atB.names(), ['data', 'data', 'drain', 'end'])
  assert.ok(!atA.names().includes('closed'), 'a is not closed before b ends')
  tb.write(bytes(7)) // half-close: b can still write
  tb.end()
  await settle()
  assert.equal(atA.names(), ['data', 'drain', 'data', 'end', 'closed'])
  assert.equal(atA.calls.at(-1), ['closed'])
  assert.equal(atB.calls.at(-1), ['closed'])
})

basics('nothing is read before attach(); a zero-length write is a no-op', async () => {
  const input = source()
  const output = sink()
  const transport = streamsTransport({ readable: input.readable, writable: output.writable })
  await settle()
  assert.is(input.pulls(), 0)
  transport.write(new Uint8Array(0))
  assert.is(output.written.length, 0)
  const at = recorder()
  transport.attach(at)
  await settle()
  assert.is(input.pulls(), 1)
  input.push(bytes(5))
  await settle()
  assert.equal(at.bytes(), bytes(5))
})

basics('a chunk that is not a Uint8Array fails the transport with a TypeError', async () => {
  const input = source()
  const output = sink()
  const at = recorder()
  streamsTransport({ readable: input.readable, writable: output.writable }).attach(at)
  input.push('text')
  await settle()
  assert.equal(at.names(), ['closed'])
  const error = at.calls[0]?.[1]
  assert.instance(error, TypeError)
  assert.match(String(error), /gave a string, not a Uint8Array/)
  assert.ok(output.aborted() !== undefined, 'the writable is aborted')
})

basics('a bad highWaterMark is refused', () => {
  const [a] = streamPair()
  assert.throws(
    () => streamsTransport(a, { highWaterMark: -1 }),
    /highWaterMark must be a number >= 0, got -1/,
  )
})

basics.run()

const reading = suite('streams transport: read backpressure')

reading('no read() while paused; a chunk that arrives after pause() waits for resume()', async () => {
  const input = source()
  const output = sink()
  const transport = streamsTransport({ readable: input.readable, writable: output.writable })
  const at = recorder()
  transport.attach(at)
  await settle()
  assert.is(input.pulls(), 1, 'one read outstanding')
  transport.pause()
  input.push(bytes(1)) // answers the read already made
  await settle()
  assert.equal(at.calls, [], 'held while paused')
  assert.is(input.pulls(), 1, 'and no new read')
  input.push(bytes(2))
  input.push(bytes(3))
  await sleep(10)
  assert.is(input.pulls(), 1)
  assert.equal(at.calls, [])
  transport.resume()
  await settle()
  assert.equal(at.bytes(), bytes(1, 2, 3))
  assert.is(input.pulls(), 2, 'reading again, waiting for more')
})

reading('pause() inside data() stops the loop after that chunk', async () => {
  const input = source()
  const output = sink()
  const transport = streamsTransport({ readable: input.readable, writable: output.writable })
  const at = recorder(() => transport.pause())
  transport.attach(at)
  input.push(bytes(1))
  input.push(bytes(2))
  await settle()
  assert.equal(at.bytes(), bytes(1))
  transport.resume()
  await settle()
  assert.equal(at.bytes(), bytes(1, 2))
})

reading('a read error closes the transport with that error and aborts the writable', async () => {
  const input = source()
  const output = sink()
  const at = recorder()
  streamsTransport({ readable: input.readable, writable: output.writable }).attach(at)
  const reason = new Error('connection reset')
  input.error(reason)
  await settle()
  assert.equal(at.calls, [['closed', reason]])
  assert.is(output.aborted(), reason)
})

reading.run()

const writing = suite('streams transport: write backpressure')

writing('needsDrain when desiredSize reaches 0; one drain when every write has settled', async () => {
  const input = source()
  const output = sink(new ByteLengthQueuingStrategy({ highWaterMark: 10 }))
  const transport = streamsTransport({ readable: input.readable, writable: output.writable })
  const at = recorder()
  transport.attach(at)
  transport.write(new Uint8Array(4))
  assert.is(transport.needsDrain, false)
  assert.is(transport.bufferedAmount, 4)
  transport.write(new Uint8Array(6))
  assert.is(transport.needsDrain, true, 'desiredSize is 0')
  transport.write(new Uint8Array(5))
  assert.is(transport.bufferedAmount, 15)
  await settle()
  assert.is(output.pending(), 1, 'the writable has one write in hand')
  output.settleOne()
  await settle()
  assert.is(transport.bufferedAmount, 11)
  assert.is(transport.needsDrain, true)
  assert.equal(at.names(), [])
  output.settleOne()
  await settle()
  assert.equal(at.names(), [])
  output.settleOne()
  await settle()
  assert.is(transport.bufferedAmount, 0)
  assert.is(transport.needsDrain, false)
  assert.equal(at.names(), ['drain'])
  assert.equal(
    output.written.map((c) => c.length),
    [4, 6, 5],
  )
})

writing('needsDrain at highWaterMark bytes when a count strategy keeps desiredSize high', async () => {
  const input = source()
  const output = sink(new CountQueuingStrategy({ highWaterMark: 1000 }))
  const transport = streamsTransport(
    { readable: input.readable, writable: output.writable },
    { highWaterMark: 100 },
  )
  transport.attach(recorder())
  transport.write(new Uint8Array(99))
  assert.is(transport.needsDrain, false)
  transport.write(new Uint8Array(1))
  assert.is(transport.needsDrain, true)
})

writing('cork() batches small writes into one; large batches are written piece by piece', async () => {
  const input = source()
  const output = sink(new CountQueuingStrategy({ highWaterMark: 100 }))
  const transport = streamsTransport({ readable: input.readable, writable: output.writable })
  transport.attach(recorder())
  transport.cork?.()
  transport.write(bytes(1))
  transport.cork?.()
  transport.write(bytes(2, 3))
  transport.uncork?.()
  transport.write(bytes(4))
  assert.is(transport.bufferedAmount, 0, 'nothing handed over while corked')
  transport.uncork?.()
  await settle()
  assert.equal(output.written, [bytes(1, 2, 3, 4)])
  transport.cork?.()
  transport.write(new Uint8Array(40_000))
  transport.write(new Uint8Array(40_000))
  transport.uncork?.()
  for (let i = 0; i < 3; i++) {
    output.settleOne()
    await settle()
  }
  assert.equal(
    output.written.map((c) => c.length),
    [4, 40_000, 40_000],
  )
})

writing('a failed write closes the transport with its error', async () => {
  const input = source()
  const output = sink()
  const transport = streamsTransport({ readable: input.readable, writable: output.writable })
  const at = recorder()
  transport.attach(at)
  transport.write(bytes(1))
  await settle()
  const reason = new Error('broken pipe')
  output.settleOne(reason)
  await settle()
  assert.equal(at.calls, [['closed', reason]])
  assert.is(transport.bufferedAmount, 0)
  transport.write(bytes(2)) // ignored once closed
  assert.is(output.written.length, 1)
})

writing.run()

const ending = suite('streams transport: end and destroy')

ending('end() flushes corked bytes, closes the writable; write() after end() throws', async () => {
  const input = source()
  const output = sink(new CountQueuingStrategy({ highWaterMark: 100 }))
  const transport = streamsTransport({ readable: input.readable, writable: output.writable })
  transport.attach(recorder())
  transport.cork?.()
  transport.write(bytes(1))
  transport.end()
  transport.end()
  assert.throws(() => transport.write(bytes(2)), /write after end\(\) on a streams transport/)
  await settle()
  output.settleOne()
  await settle()
  assert.equal(output.written, [bytes(1)])
  assert.ok(output.closed())
})

ending('destroy(): both streams aborted, close() called once, closed() without error, last', async () => {
  const input = source()
  const output = sink()
  let closes = 0
  const transport = streamsTransport({
    readable: input.readable,
    writable: output.writable,
    close: () => {
      closes++
    },
  })
  const at = recorder()
  transport.attach(at)
  transport.write(bytes(1))
  transport.destroy()
  transport.destroy()
  assert.is(transport.bufferedAmount, 0)
  await settle()
  assert.equal(at.calls, [['closed']])
  assert.is(closes, 1)
  assert.ok(output.aborted() !== undefined)
  // The reader was cancelled, so the stream is closed: enqueue() throws a TypeError (Streams standard).
  assert.throws(
    () => input.push(bytes(9)),
    (error: unknown) => error instanceof TypeError,
  )
  output.settleOne()
  await settle()
  assert.equal(at.calls, [['closed']])
})

ending('a clean close releases the socket through close() once', async () => {
  const [a, b] = streamPair()
  let closes = 0
  const ta = streamsTransport({ ...a, close: () => closes++ })
  const tb = streamsTransport(b)
  ta.attach(recorder())
  tb.attach(recorder())
  ta.end()
  tb.end()
  await settle()
  assert.is(closes, 1)
})

ending('closed before attach: reported to the sink that attaches', async () => {
  const input = source()
  const output = sink()
  const transport = streamsTransport({ readable: input.readable, writable: output.writable })
  transport.destroy()
  await settle()
  const at = recorder()
  transport.attach(at)
  await settle()
  assert.equal(at.calls, [['closed']])
})

ending.run()
