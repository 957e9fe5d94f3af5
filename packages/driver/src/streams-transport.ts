/**
 * A ByteTransport over a WHATWG byte socket `{ readable, writable }`: what Deno.connect gives,
 * Cloudflare Workers' connect(), Node's Duplex.toWeb(socket), or any pair of byte streams.
 *
 * Reading is a loop of `reader.read()` that stops while the driver has paused the transport: no
 * read() call is made while paused, so the stream's own queue fills and its source stops
 * pulling (for a socket, TCP flow control reaches the peer). A chunk that arrives just after
 * pause() is held and delivered on resume(). Writing goes through one writer: `bufferedAmount`
 * counts the bytes whose write() promise has not settled; `needsDrain` turns true when the
 * writer's `desiredSize` falls to 0 or below, or when `bufferedAmount` reaches `highWaterMark`
 * (a stream with a count strategy, like Node's Duplex.toWeb, lets desiredSize stay high while
 * megabytes wait), and `drain` fires when every write has settled.
 */
import type { ByteTransport, TransportSink } from './transport.ts'

/** The part of a ReadableStreamDefaultReader used here. */
export interface ByteStreamReader {
  read(): Promise<{ done: boolean; value?: unknown }>
  cancel(reason?: unknown): Promise<void>
}

/** The part of a WritableStreamDefaultWriter used here. */
export interface ByteStreamWriter {
  readonly desiredSize: number | null
  write(chunk: Uint8Array): Promise<void>
  close(): Promise<void>
  abort(reason?: unknown): Promise<void>
}

/** A byte socket as WHATWG streams. `close`, when present, releases it once the transport is done. */
export interface WebByteSocket {
  readable: { getReader(): ByteStreamReader }
  writable: { getWriter(): ByteStreamWriter }
  close?: () => unknown
}

export interface StreamsTransportOptions {
  /** `needsDrain` turns true at this many buffered bytes even if desiredSize says otherwise (default 64 KiB). */
  highWaterMark?: number
  /** Reported as the transport's `info` (default `{ transport: 'streams' }`). */
  info?: Readonly<Record<string, unknown>>
}

/** Writes batched by cork() are joined into one write when together they are at most this big. */
const JOIN_LIMIT = 64 * 1024

const NO_SINK: TransportSink = { data() {}, end() {}, closed() {}, drain() {} }

function ignore(): void {}

class StreamsTransport implements ByteTransport {
  readonly info: Readonly<Record<string, unknown>>
  private readonly socket: WebByteSocket
  private readonly reader: ByteStreamReader
  private readonly writer: ByteStreamWriter
  private readonly highWaterMark: number
  private sink: TransportSink = NO_SINK
  private attached = false
  private paused = false
  private reading = false
  /** A chunk that arrived while paused. */
  private held: Uint8Array | null = null
  private readDone = false
  private writeEnded = false
  private writeDone = false
  private finished = false
  /** Set once finished: the closed() call still to make (kept until a sink is attached). */
  private closing: { error: unknown } | null = null
  private buffered = 0
  private drainPending = false
  private corked = 0
  private corkedChunks: Uint8Array[] = []

  constructor(socket: WebByteSocket, options: StreamsTransportOptions) {
    const mark = options.highWaterMark ?? 64 * 1024
    if (typeof mark !== 'number' || !(mark >= 0)) {
      throw new RangeError(`highWaterMark must be a number >= 0, got ${String(mark)}`)
    }
    this.highWaterMark = mark
    this.socket = socket
    this.info = options.info ?? { transport: 'streams' }
    this.reader = socket.readable.getReader()
    this.writer = socket.writable.getWriter()
  }

  get bufferedAmount(): number {
    return this.buffered
  }

  get needsDrain(): boolean {
    return this.drainPending
  }

  attach(sink: TransportSink): void {
    this.sink = sink
    this.attached = true
    this.read()
    this.reportClosed()
  }

  write(chunk: Uint8Array): void {
    if (this.writeEnded) throw new Error('write after end() on a streams transport')
    if (this.finished || chunk.length === 0) return
    if (this.corked > 0) this.corkedChunks.push(chunk)
    else this.send(chunk)
  }

  cork(): void {
    this.corked++
  }

  uncork(): void {
    if (this.corked === 0 || --this.corked > 0) return
    this.flushCorked()
  }

  pause(): void {
    this.paused = true
  }

  resume(): void {
    if (!this.paused) return
    this.paused = false
    const held = this.held
    if (held !== null && !this.finished) {
      this.held = null
      this.sink.data(held)
    }
    this.read()
  }

  end(): void {
    if (this.writeEnded || this.finished) return
    this.flushCorked()
    this.writeEnded = true
    this.writer.close().then(
      () => {
        this.writeDone = true
        this.settle()
      },
      (error: unknown) => this.fail(error),
    )
  }

  destroy(): void {
    if (this.finished) return
    this.finish(undefined, true)
  }

  private flushCorked(): void {
    const chunks = this.corkedChunks
    this.corked = 0
    if (chunks.length === 0) return
    this.corkedChunks = []
    if (this.finished) return
    if (chunks.length === 1) {
      this.send(chunks[0] as Uint8Array)
      return
    }
    let total = 0
    for (const chunk of chunks) total += chunk.length
    if (total > JOIN_LIMIT) {
      for (const chunk of chunks) this.send(chunk)
      return
    }
    const joined = new Uint8Array(total)
    let offset = 0
    for (const chunk of chunks) {
      joined.set(chunk, offset)
      offset += chunk.length
    }
    this.send(joined)
  }

  private send(chunk: Uint8Array): void {
    const length = chunk.length
    this.buffered += length
    this.writer.write(chunk).then(
      () => {
        if (this.finished) return
        this.buffered -= length
        if (this.buffered === 0 && this.drainPending) {
          this.drainPending = false
          this.sink.drain()
        }
      },
      (error: unknown) => this.fail(error),
    )
    const desired = this.writer.desiredSize
    if ((desired !== null && desired <= 0) || this.buffered >= this.highWaterMark) this.drainPending = true
  }

  /** Starts one read() unless paused, reading already, attached to nothing, or done. */
  private read(): void {
    if (this.reading || this.paused || !this.attached || this.readDone || this.finished) return
    this.reading = true
    this.reader.read().then(
      (result) => {
        this.reading = false
        if (this.finished) return
        if (result.done) {
          this.readDone = true
          this.sink.end()
          this.settle()
          return
        }
        const value = result.value
        if (!(value instanceof Uint8Array)) {
          this.fail(new TypeError(`the readable stream gave a ${typeOf(value)}, not a Uint8Array`))
          return
        }
        if (this.paused) this.held = value
        else if (value.length > 0) this.sink.data(value)
        this.read()
      },
      (error: unknown) => {
        this.reading = false
        this.fail(error)
      },
    )
  }

  /** Closed cleanly once both ways are done: the peer's end came and our end was written. */
  private settle(): void {
    if (this.readDone && this.writeDone && !this.finished) this.finish(undefined, false)
  }

  private fail(error: unknown): void {
    if (!this.finished) this.finish(error ?? new Error('the stream failed'), true)
  }

  private finish(error: unknown, abort: boolean): void {
    this.finished = true
    this.held = null
    this.buffered = 0
    this.drainPending = false
    if (abort) {
      const reason = error ?? new Error('the transport was destroyed')
      this.writer.abort(reason).then(ignore, ignore)
      this.reader.cancel(reason).then(ignore, ignore)
    }
    try {
      const closing = this.socket.close?.()
      if (closing instanceof Promise) closing.then(ignore, ignore)
    } catch {
      // Already closed: nothing to release.
    }
    this.closing = { error }
    this.reportClosed()
  }

  /** closed() is the last call, made after whatever the caller of destroy() is still doing. */
  private reportClosed(): void {
    if (this.closing === null || !this.attached) return
    const { error } = this.closing
    this.closing = null
    Promise.resolve().then(() => {
      if (error === undefined) this.sink.closed()
      else this.sink.closed(error)
    })
  }
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object'
  return typeof value
}

/** Adapts a WHATWG byte socket `{ readable, writable }` to a ByteTransport (it locks both streams). */
export function streamsTransport(
  socket: WebByteSocket,
  options: StreamsTransportOptions = {},
): ByteTransport {
  return new StreamsTransport(socket, options)
}
