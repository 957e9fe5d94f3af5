/**
 * The driver: runs one @ws/proto connection over any byte transport (TCP, TLS, WHATWG streams,
 * an HTTP/2 stream, an in-memory pair). It feeds the transport's bytes in, writes what the core
 * returns (before any event reaches the application, so automatic pongs and close echoes never
 * wait on user code), ends or destroys the transport when the core says so, runs the close and
 * keep-alive timers, and hands events out as listeners or an async iterator.
 *
 * Backpressure both ways. Incoming: events wait in a bounded queue until the application takes
 * them; at `readHighWaterMark` the transport is paused (and the core keeps at most its own
 * bounded queue and pending input), at half of it reading resumes. Outgoing: `bufferedAmount` is
 * what the transport has not yet handed on; `send*()` returns false at `highWaterMark` and
 * throws beyond `maxBufferedAmount`; `drained()` resolves when the transport catches up.
 * Automatic pongs obey the same mark: while the transport is backed up, only the latest ping is
 * remembered and answered once it drains (RFC 6455 section 5.5.3), so a peer that pings without
 * reading cannot grow our buffer.
 */
import {
  type BinaryEvent,
  type ClosedEvent,
  type CloseEvent,
  type FragmentEvent,
  formatExtensions,
  type PingEvent,
  type PongEvent,
  type PreparedMessage,
  type TextEvent,
  type WebSocketConnection,
  WebSocketError,
  type WebSocketEvent,
} from '@ws/proto'
import { preferWasmMasking } from '@ws/proto/wasm-mask'
import { Emitter } from './emitter.ts'
import type { ResolvedSocketOptions } from './options.ts'
import {
  nextTurn,
  startInterval,
  startTimeout,
  stopInterval,
  stopTimeout,
  type TimerHandle,
} from './timers.ts'
import type { ByteTransport, TransportSink } from './transport.ts'
import { microtask } from './web.ts'

/**
 * Event names whose listeners make the connection deliver events as they arrive. 'closed' is
 * not one: waiting for the end (or using `closed`) should not drain events an iterator wants.
 */
const DATA_EVENTS: readonly string[] = ['event', 'text', 'binary', 'fragment', 'ping', 'pong', 'close']

/** The events a Connection emits, with their listener arguments. */
export interface ConnectionEvents {
  text: [event: TextEvent]
  binary: [event: BinaryEvent]
  fragment: [event: FragmentEvent]
  ping: [event: PingEvent]
  pong: [event: PongEvent]
  /** The peer's close frame. */
  close: [event: CloseEvent]
  /** The connection is over: exactly once, last. */
  closed: [event: ClosedEvent]
  /** Every event above, in order. */
  event: [event: WebSocketEvent]
  /** The transport's write buffer emptied. */
  drain: []
}

/** Events delivered per corked write (see deliver). */
const DELIVERY_BATCH = 4

export class Connection extends Emitter<ConnectionEvents> {
  readonly role: 'client' | 'server'
  /** The agreed subprotocol, '' when none. */
  readonly protocol: string
  /** The agreed Sec-WebSocket-Extensions value, '' when none. */
  readonly extensions: string
  /** The byte transport the connection runs over. */
  readonly transport: ByteTransport

  private readonly core: WebSocketConnection
  private readonly options: ResolvedSocketOptions
  /** Events waiting for the application; made when the first one arrives. */
  private queue: WebSocketEvent[] | null = null
  private queueHead = 0
  /** The `closed` promise, made on first use; its resolver; the event once it happened. */
  private closedPromise: Promise<ClosedEvent> | null = null
  private resolveClosed: ((event: ClosedEvent) => void) | null = null
  private closedEvent: ClosedEvent | null = null
  /** @internal A set that holds the connection while it is open (a server's); left on close. */
  tracker: Set<Connection> | null = null
  /** The async iterator's pending `next()`, if it is waiting. */
  private waiter: ((result: IteratorResult<WebSocketEvent>) => void) | null = null
  private iterating = false
  /** Events handed to the iterator since the transport was corked for it (0: not corked). */
  private iteratorBatch = 0
  private uncorkScheduled = false
  private writesHeld = false
  private iteratorDone = false
  private paused = false
  private ended = false
  private transportClosed = false
  private closeTimer: TimerHandle | null = null
  private keepAliveTimer: TimerHandle | null = null
  private pongTimer: TimerHandle | null = null
  private lastReceived = 0
  private delivering = false
  private unattended: TimerHandle | null = null
  /** The payload of the latest ping not yet answered because the transport was backed up. */
  private pendingPong: Uint8Array | null = null
  /** drained() promises waiting for the transport. */
  private drainWaiters: (() => void)[] | null = null
  private listening = 0

  /**
   * @internal Transports and handshake runners create connections; applications get them from
   * a client's connect() or a server.
   */
  constructor(transport: ByteTransport, core: WebSocketConnection, options: ResolvedSocketOptions) {
    super()
    // Long payloads are masked by the WebAssembly kernel unless the application chose otherwise.
    preferWasmMasking()
    this.transport = transport
    this.core = core
    this.options = options
    this.role = core.role
    this.protocol = core.protocol
    this.extensions =
      core.extensions.length === 0
        ? ''
        : formatExtensions(core.extensions.map((e) => ({ name: e.name, params: [...e.params] })))
    transport.attach(new ConnectionSink(this))
    if (options.keepAliveInterval > 0) {
      this.lastReceived = Date.now()
      this.startKeepAlive()
    }
    // Bytes that followed the handshake were already parsed by the core.
    this.afterInput()
  }

  /** Resolves once, with the `closed` event, when the connection is over. */
  get closed(): Promise<ClosedEvent> {
    if (this.closedPromise === null) {
      const event = this.closedEvent
      this.closedPromise =
        event !== null
          ? Promise.resolve(event)
          : new Promise((resolve) => {
              this.resolveClosed = resolve
            })
    }
    return this.closedPromise
  }

  /** @internal True once the `closed` event has left the core. */
  get isFinished(): boolean {
    return this.closedEvent !== null
  }

  /** 'open', 'closing' (our close frame is sent) or 'closed'. */
  get state(): 'open' | 'closing' | 'closed' {
    return this.core.state
  }

  /** Bytes written to the connection that the transport has not yet handed on. */
  get bufferedAmount(): number {
    return this.transport.bufferedAmount
  }

  /** Sends a text message. Returns false once `bufferedAmount` reaches the high-water mark. */
  sendText(text: string): boolean {
    this.checkBuffer()
    this.core.sendText(text)
    return this.afterSend()
  }

  /** Sends a binary message (do not modify `data` until it is written). */
  sendBinary(data: Uint8Array): boolean {
    this.checkBuffer()
    this.core.sendBinary(data)
    return this.afterSend()
  }

  /**
   * Sends a message prepared once for many connections (@ws/proto's PreparedMessage): plain
   * server connections share its frame, permessage-deflate ones without context takeover share
   * its compressed frame. Returns false at the high-water mark, as send() does.
   */
  sendPrepared(message: PreparedMessage): boolean {
    this.checkBuffer()
    this.core.sendPrepared(message)
    return this.afterSend()
  }

  /** Sends a string as text and bytes as binary. */
  send(data: string | Uint8Array): boolean {
    return typeof data === 'string' ? this.sendText(data) : this.sendBinary(data)
  }

  ping(data?: Uint8Array | string): void {
    this.core.ping(data)
    this.flush()
  }

  pong(data?: Uint8Array | string): void {
    this.core.pong(data)
    this.flush()
  }

  /** Starts the close handshake; the transport is destroyed if it does not finish within closeTimeout. */
  close(code?: number, reason?: string): void {
    this.core.close(code, reason)
    this.flush()
    this.updateTimers()
  }

  /** Destroys the transport at once; the connection closes with 1006 unless it was already closed. */
  terminate(): void {
    this.transport.destroy()
  }

  /**
   * Holds what is written until the next turn of the event loop, then sends it in one write. For
   * senders that answer each message in a task of its own (the WHATWG API's event handlers),
   * whose replies to one read would otherwise each cost a system call. Does nothing on a
   * transport that cannot batch.
   */
  holdWrites(): void {
    const transport = this.transport
    if (this.writesHeld || transport.cork === undefined || this.transportClosed) return
    this.writesHeld = true
    transport.cork()
    nextTurn(() => {
      this.writesHeld = false
      transport.uncork?.()
    })
  }

  /** Resolves when `bufferedAmount` is below the high-water mark (or the connection is closed). */
  drained(): Promise<void> {
    if (this.bufferedAmount < this.options.highWaterMark || this.transportClosed) return Promise.resolve()
    return new Promise((resolve) => {
      this.drainWaiters ??= []
      this.drainWaiters.push(resolve)
    })
  }

  /** Every event in order, ending after `closed`. Listeners still see events as they are taken. */
  [Symbol.asyncIterator](): AsyncIterableIterator<WebSocketEvent> {
    this.iterating = true
    const iterator: AsyncIterableIterator<WebSocketEvent> = {
      next: () => {
        if (this.iteratorDone) return Promise.resolve({ value: undefined, done: true })
        const event = this.takeOrRelease()
        if (event !== undefined) return Promise.resolve(this.yielded(event))
        // The application has handled everything there was: what it sent leaves now.
        this.uncorkIterator()
        return new Promise((resolve) => {
          this.waiter = resolve
        })
      },
      return: () => {
        this.uncorkIterator()
        this.iterating = false
        this.iteratorDone = true
        this.waiter = null
        microtask(() => this.deliver())
        return Promise.resolve({ value: undefined, done: true })
      },
      [Symbol.asyncIterator]: () => iterator,
    }
    return iterator
  }

  protected override listenerAdded(name: string | symbol): void {
    if (typeof name === 'string' && DATA_EVENTS.includes(name)) {
      this.listening++
      microtask(() => this.deliver())
    }
  }

  /**
   * What the application sends while it handles the events of one read through the iterator
   * leaves in one write, as with listeners (see deliver): the transport is corked when an event
   * is handed out and uncorked when the iterator runs dry, after a bounded batch, or on the
   * next turn of the event loop at the latest (an application that awaits something else in
   * its loop must not hold its own replies back).
   */
  private corkIterator(): void {
    const transport = this.transport
    if (transport.cork === undefined) return
    if (this.iteratorBatch === 0) {
      transport.cork()
      if (!this.uncorkScheduled) {
        this.uncorkScheduled = true
        nextTurn(() => {
          this.uncorkScheduled = false
          this.uncorkIterator()
        })
      }
    } else if (this.iteratorBatch % DELIVERY_BATCH === 0) {
      transport.uncork?.()
      transport.cork()
    }
    this.iteratorBatch++
  }

  private uncorkIterator(): void {
    if (this.iteratorBatch === 0) return
    this.iteratorBatch = 0
    this.transport.uncork?.()
  }

  private yielded(event: WebSocketEvent): IteratorResult<WebSocketEvent> {
    if (event.type === 'closed') this.uncorkIterator()
    else this.corkIterator()
    this.emitEvent(event)
    if (event.type === 'close') this.replyToClose()
    if (event.type === 'closed') {
      this.iteratorDone = true
      this.iterating = false
    }
    return { value: event, done: false }
  }

  private checkBuffer(): void {
    if (this.bufferedAmount > this.options.maxBufferedAmount) {
      throw new WebSocketError(
        'WS_ERR_SEND_BUFFER_FULL',
        `${this.bufferedAmount} bytes are waiting to be sent (limit ${this.options.maxBufferedAmount}): wait for drained()`,
      )
    }
  }

  private afterSend(): boolean {
    this.flush()
    return this.bufferedAmount < this.options.highWaterMark
  }

  private finished(event: ClosedEvent): void {
    this.stopTimers()
    this.closedEvent = event
    this.tracker?.delete(this)
    this.tracker = null
    this.resolveClosed?.(event)
    this.resolveClosed = null
  }

  /** @internal The transport's sink calls these (see ConnectionSink). */
  onData(chunk: Uint8Array): void {
    if (this.pongTimer !== null) {
      this.lastReceived = Date.now()
      stopTimeout(this.pongTimer)
      this.pongTimer = null
    } else if (this.keepAliveTimer !== null) {
      this.lastReceived = Date.now()
    }
    this.core.receive(chunk)
    this.afterInput()
  }

  /** @internal */
  onEnd(): void {
    this.core.receiveEof()
    this.afterInput()
  }

  /** @internal */
  onTransportClosed(): void {
    if (this.transportClosed) return
    this.transportClosed = true
    this.core.receiveEof()
    this.stopTimers()
    this.afterInput()
    this.releaseDrainWaiters()
  }

  /** @internal */
  onDrain(): void {
    this.sendPendingPong()
    this.releaseDrainWaiters()
    this.emit('drain')
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters
    if (waiters === null) return
    if (this.bufferedAmount >= this.options.highWaterMark && !this.transportClosed) return
    this.drainWaiters = null
    for (const resolve of waiters) resolve()
  }

  /** After input or a timer: write, end the transport if due, take events, deliver, pause or resume. */
  private afterInput(): void {
    this.flush()
    this.pull()
    this.flush()
    this.updateTimers()
    this.deliver()
  }

  /** Writes what the core has for the wire; ends the transport once the core says so. */
  private flush(): void {
    const outgoing = this.core.takeOutgoing()
    const transport = this.transport
    if (outgoing.length > 0 && !this.ended && !this.transportClosed) {
      if (outgoing.length === 1) transport.write(outgoing[0] as Uint8Array)
      else {
        transport.cork?.()
        for (const chunk of outgoing) transport.write(chunk)
        transport.uncork?.()
      }
    }
    if (this.core.shouldCloseTransport && !this.ended) {
      this.ended = true
      if (!this.transportClosed) transport.end()
    }
  }

  /** Moves events from the core into the queue while it has room (always, once the transport is gone). */
  private pull(): void {
    while (this.transportClosed || this.queued() < this.options.readHighWaterMark) {
      const events = this.core.takeEvents()
      if (events.length === 0) break
      for (const event of events) {
        // Nobody is taking events now: answer the peer's close without waiting for them.
        if (event.type === 'close' && !this.iterating && !this.hasListeners()) this.replyIfUnattended()
        if (event.type === 'closed') this.finished(event)
        if (event.type === 'ping' && this.options.autoPong) this.answerPing(event.data)
        if (this.queue === null) this.queue = [event]
        else this.queue.push(event)
      }
    }
    // The same for a failure held in the input.
    if (this.core.failurePending && !this.iterating && !this.hasListeners()) this.replyIfUnattended()
    const shouldPause =
      !this.transportClosed && (this.queued() >= this.options.readHighWaterMark || this.core.inputPaused)
    if (shouldPause && !this.paused) {
      this.paused = true
      this.transport.pause()
    }
  }

  /**
   * The peer's close (or a failure held in the input) is waiting for the application, which has
   * no listener and no iterator. It gets until the next turn of the event loop to attach one (a
   * client attaches its listeners after `await connect()`, and data may have come with the
   * handshake); after that the reply goes out without it.
   */
  private replyIfUnattended(): void {
    if (this.unattended !== null) return
    this.unattended = nextTurn(() => {
      this.unattended = null
      if (this.iterating || this.hasListeners()) return
      this.replyToClose()
    })
  }

  /**
   * Answers a ping as soon as it is parsed, unless the transport is backed up (over the
   * high-water mark and waiting for 'drain'): then only the latest payload is kept, for the drain.
   */
  private answerPing(data: Uint8Array): void {
    if (this.core.state !== 'open') return
    if (this.transport.needsDrain && this.bufferedAmount >= this.options.highWaterMark) {
      this.pendingPong = data.slice()
      return
    }
    this.pendingPong = null
    this.core.pong(data)
  }

  private sendPendingPong(): void {
    const payload = this.pendingPong
    this.pendingPong = null
    if (payload === null || this.core.state !== 'open' || this.ended) return
    this.core.pong(payload)
    this.flush()
  }

  private queued(): number {
    return this.queue === null ? 0 : this.queue.length - this.queueHead
  }

  private take(): WebSocketEvent | undefined {
    const queue = this.queue
    if (queue === null || this.queueHead === queue.length) return undefined
    const event = queue[this.queueHead] as WebSocketEvent
    this.queueHead++
    if (this.queueHead === queue.length) {
      queue.length = 0
      this.queueHead = 0
    } else if (this.queueHead > 1024) {
      queue.splice(0, this.queueHead)
      this.queueHead = 0
    }
    this.afterTake()
    return event
  }

  /**
   * The next event; when there is none and the core holds a failure in the input, the
   * application has now had every message before it: the failure goes out, and its `closed`
   * event is next.
   */
  private takeOrRelease(): WebSocketEvent | undefined {
    const event = this.take()
    if (event !== undefined || !this.core.failurePending) return event
    this.replyToClose()
    return this.take()
  }

  /** Below half the read high-water mark: resume reading and parse what the core held back. */
  private afterTake(): void {
    if (!this.paused || this.queued() > this.options.readHighWaterMark / 2) return
    this.paused = false
    this.pull()
    this.flush()
    if (!this.paused && !this.transportClosed) this.transport.resume()
  }

  /** Hands queued events to the iterator's waiting `next()`, or to listeners. */
  private deliver(): void {
    if (this.delivering) return
    this.delivering = true
    try {
      if (this.iterating) {
        const waiter = this.waiter
        if (waiter === null) return
        const event = this.takeOrRelease()
        if (event === undefined) return
        this.waiter = null
        waiter(this.yielded(event))
        return
      }
      if (!this.hasListeners()) return
      let event = this.takeOrRelease()
      if (event === undefined) return
      // What the listeners send while a few events are delivered leaves in one write. The
      // batch is bounded so that a peer that pipelines gets the first replies while the rest
      // are still being made (two ends that each answered a whole read at once would take
      // turns, each idle while the other works).
      const transport = this.transport
      transport.cork?.()
      let batch = 0
      try {
        for (; event !== undefined; event = this.takeOrRelease()) {
          this.emitEvent(event)
          if (event.type === 'close') this.replyToClose()
          if (++batch === DELIVERY_BATCH) {
            batch = 0
            transport.uncork?.()
            transport.cork?.()
          }
        }
      } finally {
        transport.uncork?.()
      }
    } finally {
      this.delivering = false
    }
  }

  /** Whether any data listener is still attached (they may have been removed since). */
  private hasListeners(): boolean {
    if (this.listening === 0) return false
    for (const name of DATA_EVENTS) if (this.listenerCount(name as keyof ConnectionEvents) > 0) return true
    this.listening = 0
    return false
  }

  /**
   * The application has seen the peer's close and every event before it (and answered them, if
   * it wanted to): now the close reply goes out, echoing the peer's code unless the application
   * already closed with its own.
   */
  private replyToClose(): void {
    if (!this.core.closeReplyPending && !this.core.failurePending) return
    this.core.close()
    this.flush()
    this.pull()
    this.updateTimers()
  }

  private emitEvent(event: WebSocketEvent): void {
    this.emit(event.type, event as never)
    this.emit('event', event)
  }

  private updateTimers(): void {
    const waiting = this.core.closeExpected || (this.ended && !this.transportClosed)
    if (waiting && this.closeTimer === null && !this.transportClosed) {
      this.closeTimer = startTimeout(() => {
        this.closeTimer = null
        this.transport.destroy()
      }, this.options.closeTimeout)
    }
  }

  private startKeepAlive(): void {
    const interval = this.options.keepAliveInterval
    this.keepAliveTimer = startInterval(() => {
      if (this.core.state !== 'open' || this.pongTimer !== null) return
      if (Date.now() - this.lastReceived < interval) return
      this.core.ping()
      this.flush()
      this.pongTimer = startTimeout(() => {
        this.pongTimer = null
        if (Date.now() - this.lastReceived < this.options.keepAliveTimeout) return
        this.core.fail(1011, 'keepalive ping timeout')
        this.afterInput()
      }, this.options.keepAliveTimeout)
    }, interval)
  }

  private stopTimers(): void {
    if (this.keepAliveTimer !== null) stopInterval(this.keepAliveTimer)
    if (this.pongTimer !== null) stopTimeout(this.pongTimer)
    this.keepAliveTimer = null
    this.pongTimer = null
    if (this.transportClosed && this.closeTimer !== null) {
      stopTimeout(this.closeTimer)
      this.closeTimer = null
    }
  }
}

/** The transport's sink: one small object per connection instead of four closures. */
class ConnectionSink implements TransportSink {
  private readonly connection: Connection
  constructor(connection: Connection) {
    this.connection = connection
  }
  data(chunk: Uint8Array): void {
    this.connection.onData(chunk)
  }
  end(): void {
    this.connection.onEnd()
  }
  closed(): void {
    this.connection.onTransportClosed()
  }
  drain(): void {
    this.connection.onDrain()
  }
}
