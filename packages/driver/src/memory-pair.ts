/**
 * An in-memory transport pair for tests: two ByteTransports wired to each other, like the two
 * ends of a TCP connection, with no randomness unless a seed is given, and with faults to
 * inject: small chunks (down to 1 byte), delivery delays, a write high-water mark, a reader that
 * stops reading, an abrupt end and a reset.
 *
 * Model. Each side has one outgoing queue: `bufferedAmount` is the bytes it has written that
 * the other side has not yet been handed. Bytes move only while the receiver is attached, not
 * paused and reading, so a stalled reader makes the writer's queue grow, `needsDrain` turn true
 * at the high-water mark, and `drain` fire once the reader has caught up (the queue is empty).
 * Every delivered chunk is a fresh copy, as from a socket (the receiver may modify it).
 */
import type { ByteTransport, TransportSink } from './transport.ts'

/** How one side's bytes travel to the other side. */
export interface MemoryLinkOptions {
  /**
   * The most bytes handed over per `data()` call (default: everything that is due, joined).
   * With `seed`, each chunk's size is drawn from 1 to `chunkSize` instead.
   */
  chunkSize?: number
  /**
   * When written bytes reach the peer: `undefined` (default) in a microtask; a number of
   * milliseconds (0 included) after a `setTimeout`, each write on its own timer, order kept.
   */
  delay?: number
  /** `needsDrain` turns true when `bufferedAmount` reaches this many bytes (default 16 KiB). */
  highWaterMark?: number
  /** Keep every byte written and delivered for `sent` / `received` (default true). */
  record?: boolean
}

export interface MemoryPairOptions extends MemoryLinkOptions {
  /** Seeds the chunk sizes (a deterministic generator): the same seed gives the same chunks. */
  seed?: number
  /** Overrides for the bytes the client side writes. */
  client?: MemoryLinkOptions
  /** Overrides for the bytes the server side writes. */
  server?: MemoryLinkOptions
}

/** One end of a memory pair: a ByteTransport, plus what a test needs to inspect and disturb it. */
export interface MemoryTransport extends ByteTransport {
  readonly side: 'client' | 'server'
  /** The other end. */
  readonly peer: MemoryTransport
  /** Every byte this side has written, joined (empty when `record` is false). */
  readonly sent: Uint8Array
  /** Every byte this side has been handed, joined (empty when `record` is false). */
  readonly received: Uint8Array
  /** How many `data()` calls this side has received. */
  readonly deliveries: number
  /** True while the driver has paused this side. */
  readonly paused: boolean
  /** True once this side's sink has had `closed()`, or is about to. */
  readonly destroyed: boolean
  /** Fault: this side stops reading (whatever its driver does) until startReading(). */
  stopReading(): void
  startReading(): void
  /** Fault: a reset. Like destroy(), and the peer's sink gets `closed(error)`. */
  reset(error?: Error): void
}

/** The error a reset peer reports, shaped like Node's. */
export class MemoryResetError extends Error {
  readonly code = 'ECONNRESET'
  constructor(message = 'the peer reset the connection') {
    super(message)
    this.name = 'MemoryResetError'
  }
}

interface TimerGlobals {
  setTimeout(callback: () => void, ms: number): unknown
}
const timers = globalThis as unknown as TimerGlobals

/** mulberry32: a small, well-mixed 32-bit generator (deterministic for a seed). */
function generator(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function checkCount(value: number | undefined, what: string, min: number): void {
  if (value === undefined) return
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || Math.floor(value) !== value) {
    throw new RangeError(`${what} must be an integer >= ${min}, got ${String(value)}`)
  }
}

function join(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

const EMPTY = new Uint8Array(0)

/** A sink that drops everything (before attach). */
const NO_SINK: TransportSink = { data() {}, end() {}, closed() {}, drain() {} }

class MemoryEnd implements MemoryTransport {
  readonly side: 'client' | 'server'
  peer!: MemoryEnd
  deliveries = 0
  paused = false
  destroyed = false
  readonly info: Readonly<Record<string, unknown>>

  private sink: TransportSink = NO_SINK
  private attached = false
  private reading = true
  private readonly chunkSize: number
  private readonly delay: number | undefined
  private readonly highWaterMark: number
  private readonly record: boolean
  private readonly nextSize: (() => number) | null
  /** Written, not yet delivered: chunks from `head`, the first one from `offset`. */
  private readonly queue: Uint8Array[] = []
  private head = 0
  private offset = 0
  private queued = 0
  /** Bytes of the queue that are due (their delay has passed). */
  private due = 0
  private drainPending = false
  /** end() was called; `endDue` once its delay has passed; `endDelivered` once the peer has it. */
  private ended = false
  private endDue = false
  private endDelivered = false
  /** Why this side closes: undefined for a clean close. */
  private closeError: unknown
  private closeSent = false
  private readonly sentChunks: Uint8Array[] = []
  private sentBytes = 0
  private readonly receivedChunks: Uint8Array[] = []
  private receivedBytes = 0
  private scheduled = false

  constructor(side: 'client' | 'server', link: MemoryLinkOptions, random: (() => number) | null) {
    this.side = side
    checkCount(link.chunkSize, 'chunkSize', 1)
    checkCount(link.highWaterMark, 'highWaterMark', 0)
    if (link.delay !== undefined && !(typeof link.delay === 'number' && link.delay >= 0)) {
      throw new RangeError(`delay must be a number of milliseconds >= 0, got ${String(link.delay)}`)
    }
    this.chunkSize = link.chunkSize ?? Number.POSITIVE_INFINITY
    this.delay = link.delay
    this.highWaterMark = link.highWaterMark ?? 16 * 1024
    this.record = link.record ?? true
    const max = this.chunkSize
    this.nextSize =
      random === null || max === Number.POSITIVE_INFINITY ? null : () => 1 + Math.floor(random() * max)
    this.info = { transport: 'memory', side }
  }

  get bufferedAmount(): number {
    return this.queued
  }

  get needsDrain(): boolean {
    return this.drainPending
  }

  get sent(): Uint8Array {
    return join(this.sentChunks, this.sentBytes)
  }

  get received(): Uint8Array {
    return join(this.receivedChunks, this.receivedBytes)
  }

  attach(sink: TransportSink): void {
    this.sink = sink
    this.attached = true
    this.schedule()
    this.peer.schedule()
  }

  write(chunk: Uint8Array): void {
    if (this.ended) throw new Error(`write after end() on the ${this.side} side of a memory pair`)
    if (this.destroyed || chunk.length === 0) return
    if (this.record) {
      this.sentChunks.push(chunk)
      this.sentBytes += chunk.length
    }
    this.queue.push(chunk)
    this.queued += chunk.length
    if (this.queued >= this.highWaterMark) this.drainPending = true
    this.whenDue(() => {
      this.due += chunk.length
    })
  }

  pause(): void {
    this.paused = true
  }

  resume(): void {
    this.paused = false
    this.peer.schedule()
  }

  stopReading(): void {
    this.reading = false
  }

  startReading(): void {
    this.reading = true
    this.peer.schedule()
  }

  end(): void {
    if (this.ended || this.destroyed) return
    this.ended = true
    this.whenDue(() => {
      this.endDue = true
    })
  }

  destroy(): void {
    this.reset(new MemoryResetError())
  }

  reset(error: Error = new MemoryResetError()): void {
    if (this.destroyed) return
    this.drop(undefined)
    const peer = this.peer
    // The reset travels like data: the peer learns of it after the same delay.
    this.whenDue(() => {
      if (!peer.destroyed) peer.drop(error)
      peer.schedule()
    })
  }

  /** Closes this side at once: its queue is dropped, its sink gets closed(error) soon. */
  private drop(error: unknown): void {
    this.destroyed = true
    this.closeError = error
    this.queue.length = 0
    this.head = 0
    this.offset = 0
    this.queued = 0
    this.due = 0
    this.drainPending = false
    this.schedule()
  }

  /** Runs `mark` when written bytes (or an end, or a reset) become due, then moves bytes. */
  private whenDue(mark: () => void): void {
    const run = (): void => {
      mark()
      this.schedule()
    }
    if (this.delay === undefined) run()
    else timers.setTimeout(run, this.delay)
  }

  /** Delivers in a microtask: this side's queue to the peer, and this side's own end of life. */
  schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    Promise.resolve().then(() => {
      this.scheduled = false
      this.pump()
    })
  }

  private pump(): void {
    const peer = this.peer
    while (this.due > 0 && !this.destroyed && !peer.destroyed && peer.canRead()) {
      const size = Math.min(this.due, this.nextSize === null ? this.chunkSize : this.nextSize())
      peer.take(this.takeBytes(size))
    }
    if (this.queued === 0 && this.drainPending && !this.destroyed) {
      this.drainPending = false
      this.sink.drain()
    }
    if (this.endDue && !this.endDelivered && this.queued === 0 && !peer.destroyed && peer.canRead()) {
      this.endDelivered = true
      peer.sink.end()
      peer.schedule()
    }
    this.settle()
  }

  private canRead(): boolean {
    return this.attached && !this.paused && this.reading
  }

  private take(chunk: Uint8Array): void {
    this.deliveries++
    if (this.record) {
      this.receivedChunks.push(chunk)
      this.receivedBytes += chunk.length
    }
    this.sink.data(chunk)
  }

  /** The next `size` due bytes as a new array, joined across writes. */
  private takeBytes(size: number): Uint8Array {
    const out = new Uint8Array(size)
    let filled = 0
    while (filled < size) {
      const chunk = this.queue[this.head] as Uint8Array
      const n = Math.min(size - filled, chunk.length - this.offset)
      out.set(chunk.subarray(this.offset, this.offset + n), filled)
      filled += n
      this.offset += n
      if (this.offset === chunk.length) {
        this.queue[this.head] = EMPTY
        this.head++
        this.offset = 0
      }
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0
      this.head = 0
    } else if (this.head > 1024) {
      this.queue.splice(0, this.head)
      this.head = 0
    }
    this.queued -= size
    this.due -= size
    return out
  }

  /** Calls closed() once: at a reset or destroy, or when both ends have reached their peers. */
  private settle(): void {
    if (this.closeSent || !this.attached) return
    const clean = this.endDelivered && this.peer.endDelivered
    if (!this.destroyed && !clean) return
    this.closeSent = true
    this.destroyed = true
    this.drainPending = false
    const error = this.closeError
    if (error === undefined) this.sink.closed()
    else this.sink.closed(error)
  }
}

/** Two transports connected in memory: what `client` writes, `server` receives, and back. */
export function createMemoryPair(options: MemoryPairOptions = {}): {
  client: MemoryTransport
  server: MemoryTransport
} {
  if (options.seed !== undefined && !Number.isFinite(options.seed)) {
    throw new RangeError(`seed must be a finite number, got ${String(options.seed)}`)
  }
  const random = options.seed === undefined ? null : generator(options.seed)
  const shared: MemoryLinkOptions = {}
  if (options.chunkSize !== undefined) shared.chunkSize = options.chunkSize
  if (options.delay !== undefined) shared.delay = options.delay
  if (options.highWaterMark !== undefined) shared.highWaterMark = options.highWaterMark
  if (options.record !== undefined) shared.record = options.record
  const client = new MemoryEnd('client', { ...shared, ...options.client }, random)
  const server = new MemoryEnd('server', { ...shared, ...options.server }, random)
  client.peer = server
  server.peer = client
  return { client, server }
}
