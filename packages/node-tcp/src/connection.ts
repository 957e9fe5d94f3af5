/**
 * The pump: runs one @ws/proto connection over a Node duplex socket (TCP or TLS). It feeds the
 * socket's bytes in, writes what the core returns (before any event reaches the application,
 * so automatic pongs and close echoes never wait on user code), ends or destroys the socket
 * when the core says so, runs the close and keep-alive timers, and hands events out as
 * listeners or an async iterator.
 *
 * Backpressure both ways. Incoming: events wait in a bounded queue until the application takes
 * them; at `readHighWaterMark` the socket is paused (and the core keeps at most its own bounded
 * queue and pending input), at half of it reading resumes. Outgoing: `bufferedAmount` is what the
 * socket has not yet handed to the kernel; `send*()` returns false at `highWaterMark` and
 * throws beyond `maxBufferedAmount`; `drained()` resolves when the socket catches up. Automatic
 * pongs obey the same mark: while the socket is backed up, only the latest ping is remembered
 * and answered once it drains (RFC 6455 section 5.5.3), so a peer that pings without reading
 * cannot grow the server's buffer.
 */
import { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import {
  type BinaryEvent,
  type ClosedEvent,
  type CloseEvent,
  type FragmentEvent,
  formatExtensions,
  type PingEvent,
  type PongEvent,
  type TextEvent,
  type WebSocketConnection,
  WebSocketError,
  type WebSocketEvent,
} from '@ws/proto'
import type { ResolvedSocketOptions } from './options.ts'

/**
 * Event names whose listeners make the connection deliver events as they arrive. 'closed' is
 * not one: waiting for the end (or using `closed`) should not drain events an iterator wants.
 */
const DATA_EVENTS = new Set(['event', 'text', 'binary', 'fragment', 'ping', 'pong', 'close'])

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
  /** The socket's write buffer emptied. */
  drain: []
}

/** Events delivered per corked write (see deliver). */
const DELIVERY_BATCH = 4

export class Connection extends EventEmitter<ConnectionEvents> {
  readonly role: 'client' | 'server'
  /** The agreed subprotocol, '' when none. */
  readonly protocol: string
  /** The agreed Sec-WebSocket-Extensions value, '' when none. */
  readonly extensions: string
  /** The transport: a net.Socket, or a tls.TLSSocket for wss://. */
  readonly socket: Duplex
  /** Resolves once, with the `closed` event, when the connection is over. */
  readonly closed: Promise<ClosedEvent>

  private readonly core: WebSocketConnection
  private readonly options: ResolvedSocketOptions
  private readonly queue: WebSocketEvent[] = []
  private queueHead = 0
  private resolveClosed!: (event: ClosedEvent) => void
  /** The async iterator's pending `next()`, if it is waiting. */
  private waiter: ((result: IteratorResult<WebSocketEvent>) => void) | null = null
  private iterating = false
  private iteratorDone = false
  private paused = false
  private ended = false
  private transportClosed = false
  private closeTimer: NodeJS.Timeout | null = null
  private keepAliveTimer: NodeJS.Timeout | null = null
  private pongTimer: NodeJS.Timeout | null = null
  private lastReceived = Date.now()
  private delivering = false
  private unattended: NodeJS.Immediate | null = null
  /** The payload of the latest ping not yet answered because the socket was backed up. */
  private pendingPong: Uint8Array | null = null

  /** @internal Adapters create connections; applications get them from connect() or a server. */
  constructor(socket: Duplex, core: WebSocketConnection, options: ResolvedSocketOptions) {
    super()
    this.socket = socket
    this.core = core
    this.options = options
    this.role = core.role
    this.protocol = core.protocol
    this.extensions = formatExtensions(core.extensions.map((e) => ({ name: e.name, params: [...e.params] })))
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve
    })
    ;(this as EventEmitter).on('newListener', (name: string | symbol) => {
      if (typeof name === 'string' && DATA_EVENTS.has(name)) queueMicrotask(() => this.deliver())
    })
    socket.on('data', (chunk: Uint8Array) => this.onData(chunk))
    socket.on('end', () => this.onEnd())
    socket.on('close', () => this.onTransportClosed())
    socket.on('error', () => {
      // The 'close' that follows ends the connection (1006 unless the close handshake finished).
    })
    socket.on('drain', () => {
      this.sendPendingPong()
      this.emit('drain')
    })
    if (options.keepAliveInterval > 0) this.startKeepAlive()
    // Bytes that followed the handshake were already parsed by the core.
    this.afterInput()
  }

  /** 'open', 'closing' (our close frame is sent) or 'closed'. */
  get state(): 'open' | 'closing' | 'closed' {
    return this.core.state
  }

  /** Bytes written to the connection that the socket has not yet passed to the operating system. */
  get bufferedAmount(): number {
    return this.socket.writableLength
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

  /** Starts the close handshake; the socket is destroyed if it does not finish within closeTimeout. */
  close(code?: number, reason?: string): void {
    this.core.close(code, reason)
    this.flush()
    this.updateTimers()
  }

  /** Destroys the socket at once; the connection closes with 1006 unless it was already closed. */
  terminate(): void {
    this.socket.destroy()
  }

  /** Resolves when `bufferedAmount` is below the high-water mark (or the connection is closed). */
  drained(): Promise<void> {
    if (this.bufferedAmount < this.options.highWaterMark || this.transportClosed) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        if (this.bufferedAmount >= this.options.highWaterMark && !this.transportClosed) return
        this.socket.off('drain', done)
        this.socket.off('close', done)
        resolve()
      }
      this.socket.on('drain', done)
      this.socket.on('close', done)
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
        return new Promise((resolve) => {
          this.waiter = resolve
        })
      },
      return: () => {
        this.iterating = false
        this.iteratorDone = true
        this.waiter = null
        queueMicrotask(() => this.deliver())
        return Promise.resolve({ value: undefined, done: true })
      },
      [Symbol.asyncIterator]: () => iterator,
    }
    return iterator
  }

  private yielded(event: WebSocketEvent): IteratorResult<WebSocketEvent> {
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

  private onData(chunk: Uint8Array): void {
    this.lastReceived = Date.now()
    if (this.pongTimer !== null) {
      clearTimeout(this.pongTimer)
      this.pongTimer = null
    }
    this.core.receive(chunk)
    this.afterInput()
  }

  private onEnd(): void {
    this.core.receiveEof()
    this.afterInput()
  }

  private onTransportClosed(): void {
    this.transportClosed = true
    this.core.receiveEof()
    this.stopTimers()
    this.afterInput()
  }

  /** After input or a timer: write, end the socket if due, take events, deliver, pause or resume. */
  private afterInput(): void {
    this.flush()
    this.pull()
    this.flush()
    this.updateTimers()
    this.deliver()
  }

  /** Writes what the core has for the wire; ends the socket once the core says so. */
  private flush(): void {
    const outgoing = this.core.takeOutgoing()
    const socket = this.socket
    if (outgoing.length > 0 && !this.ended && !socket.destroyed) {
      socket.cork()
      for (const chunk of outgoing) socket.write(chunk)
      socket.uncork()
    }
    if (this.core.shouldCloseTransport && !this.ended) {
      this.ended = true
      socket.end()
    }
  }

  /** Moves events from the core into the queue while it has room (always, once the socket is gone). */
  private pull(): void {
    while (this.transportClosed || this.queued() < this.options.readHighWaterMark) {
      const events = this.core.takeEvents()
      if (events.length === 0) break
      for (const event of events) {
        // Nobody is taking events now: answer the peer's close without waiting for them.
        if (event.type === 'close' && !this.iterating && !this.hasListeners()) this.replyIfUnattended()
        if (event.type === 'closed') {
          this.stopTimers()
          this.resolveClosed(event)
        }
        if (event.type === 'ping' && this.options.autoPong) this.answerPing(event.data)
        this.queue.push(event)
      }
    }
    // The same for a failure held in the input.
    if (this.core.failurePending && !this.iterating && !this.hasListeners()) this.replyIfUnattended()
    const shouldPause =
      !this.transportClosed && (this.queued() >= this.options.readHighWaterMark || this.core.inputPaused)
    if (shouldPause && !this.paused) {
      this.paused = true
      this.socket.pause()
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
    this.unattended = setImmediate(() => {
      this.unattended = null
      if (this.iterating || this.hasListeners()) return
      this.replyToClose()
    })
  }

  /**
   * Answers a ping as soon as it is parsed, unless the socket is backed up (over the high-water
   * mark and waiting for 'drain'): then only the latest payload is kept, for the drain.
   */
  private answerPing(data: Uint8Array): void {
    if (this.core.state !== 'open') return
    if (this.socket.writableNeedDrain && this.bufferedAmount >= this.options.highWaterMark) {
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
    return this.queue.length - this.queueHead
  }

  private take(): WebSocketEvent | undefined {
    if (this.queueHead === this.queue.length) return undefined
    const event = this.queue[this.queueHead] as WebSocketEvent
    this.queueHead++
    if (this.queueHead === this.queue.length) {
      this.queue.length = 0
      this.queueHead = 0
    } else if (this.queueHead > 1024) {
      this.queue.splice(0, this.queueHead)
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
    if (!this.paused && !this.transportClosed) this.socket.resume()
  }

  private hasListeners(): boolean {
    for (const name of DATA_EVENTS) if ((this as EventEmitter).listenerCount(name) > 0) return true
    return false
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
      const socket = this.socket
      socket.cork()
      let batch = 0
      try {
        for (; event !== undefined; event = this.takeOrRelease()) {
          this.emitEvent(event)
          if (event.type === 'close') this.replyToClose()
          if (++batch === DELIVERY_BATCH) {
            batch = 0
            socket.uncork()
            socket.cork()
          }
        }
      } finally {
        socket.uncork()
      }
    } finally {
      this.delivering = false
    }
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
    ;(this as EventEmitter).emit(event.type, event)
    this.emit('event', event)
  }

  private updateTimers(): void {
    const waiting = this.core.closeExpected || (this.ended && !this.transportClosed)
    if (waiting && this.closeTimer === null && !this.transportClosed) {
      this.closeTimer = setTimeout(() => {
        this.closeTimer = null
        this.socket.destroy()
      }, this.options.closeTimeout)
      this.closeTimer.unref()
    }
  }

  private startKeepAlive(): void {
    const interval = this.options.keepAliveInterval
    this.keepAliveTimer = setInterval(() => {
      if (this.core.state !== 'open' || this.pongTimer !== null) return
      if (Date.now() - this.lastReceived < interval) return
      this.core.ping()
      this.flush()
      this.pongTimer = setTimeout(() => {
        this.pongTimer = null
        if (Date.now() - this.lastReceived < this.options.keepAliveTimeout) return
        this.core.fail(1011, 'keepalive ping timeout')
        this.afterInput()
      }, this.options.keepAliveTimeout)
      this.pongTimer.unref()
    }, interval)
    this.keepAliveTimer.unref()
  }

  private stopTimers(): void {
    if (this.keepAliveTimer !== null) clearInterval(this.keepAliveTimer)
    if (this.pongTimer !== null) clearTimeout(this.pongTimer)
    this.keepAliveTimer = null
    this.pongTimer = null
    if (this.transportClosed && this.closeTimer !== null) {
      clearTimeout(this.closeTimer)
      this.closeTimer = null
    }
  }
}
