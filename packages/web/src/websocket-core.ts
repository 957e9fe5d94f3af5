/**
 * The state behind one WebSocket object: ready state, the connection, and the Standard's
 * "feedback from the protocol" turned into queued tasks that fire events.
 *
 *   CONNECTING --established--> (task) OPEN, `open`
 *   CONNECTING --close()------> CLOSING at once, the attempt is aborted -> failure below
 *   CONNECTING --failure------> (task) CLOSED, `error`, `close` 1006 (wasClean false)
 *   OPEN --close()------------> CLOSING at once, close frame after what was sent before
 *   OPEN --peer's close frame-> (task) CLOSING
 *   any --connection closed---> (task) CLOSED, [`error` if it failed], `close` code/reason
 *
 * Every event is dispatched from a task (never synchronously from a method), and a message
 * task does nothing unless the ready state is still OPEN.
 */
import type { ClosedEvent, WebSocketEvent } from '@ws/proto'
import { CloseEvent } from './close-event.ts'
import type { Connector, ConnectRequest, DriverConnection } from './driver-types.ts'
import { type WebAbortController, type WebEvent, type WebEventTarget, web } from './globals.ts'
import { connectInTurn } from './host-gate.ts'
import { Outbox } from './outbox.ts'
import { queueTask } from './tasks.ts'

export const CONNECTING = 0
export const OPEN = 1
export const CLOSING = 2
export const CLOSED = 3

export type BinaryType = 'blob' | 'arraybuffer'

/** Fallback for runtimes without MessageEvent: an Event with `data` and `origin`. */
let MessageEventClass: new (type: string, init: { data: unknown; origin: string }) => WebEvent

function messageEvent(data: unknown, origin: string): WebEvent {
  if (MessageEventClass === undefined) {
    MessageEventClass =
      web.MessageEvent ??
      class MessageEvent extends web.Event {
        readonly data: unknown
        readonly origin: string
        constructor(type: string, init: { data: unknown; origin: string }) {
          super(type)
          this.data = init.data
          this.origin = init.origin
        }
      }
  }
  return new MessageEventClass('message', { data, origin })
}

export class WebSocketCore {
  readyState = CONNECTING
  protocol = ''
  extensions = ''
  binaryType: BinaryType = 'blob'
  /** Binary data must be copied before it is handed over (the connection may keep a view of it). */
  copiesBinary = false
  readonly url: string
  /** What send() and close() queue; made on first use (an idle WebSocket has none). */
  private box: Outbox | null = null
  private outboxFrozen = false
  private readonly origin: string
  private readonly target: WebEventTarget
  private connection: DriverConnection | null = null
  /** Aborts the opening handshake; dropped once the connection is established or failed. */
  private abort: WebAbortController | null = null
  /** "Fail the WebSocket connection" happened, or the WebSocket was flagged as full. */
  private failed = false
  private finished = false

  constructor(target: WebEventTarget, url: string, origin: string) {
    this.target = target
    this.url = url
    this.origin = origin
  }

  get outbox(): Outbox {
    if (this.box === null) {
      const box = new Outbox(() => this.failConnection())
      if (this.connection !== null) box.attach(this.connection)
      if (this.outboxFrozen) box.freeze()
      this.box = box
    }
    return this.box
  }

  /** The Standard's bufferedAmount. */
  get bufferedAmount(): number {
    return this.box === null ? 0 : this.box.amount
  }

  /** Starts the opening handshake, one connection at a time per host and port. */
  connect(connector: Connector, hostKey: string, protocols: string[], init: ConnectRequest['init']): void {
    this.abort = new web.AbortController()
    const request = { url: this.url, protocols, init, signal: this.abort.signal }
    connectInTurn(connector, hostKey, request).then(
      (connection) => {
        this.abort = null
        if (this.readyState !== CONNECTING) {
          // close() was called while the handshake finished: it is a failed attempt.
          connection.terminate()
          this.connectionClosed(null)
          return
        }
        this.established(connection)
      },
      () => {
        this.abort = null
        this.failed = true
        this.connectionClosed(null)
      },
    )
  }

  /** The connection is open (client after the handshake, or a server's accepted connection). */
  established(connection: DriverConnection): void {
    this.connection = connection
    this.copiesBinary = connection.role !== 'client'
    this.box?.attach(connection)
    connection.on('event', (event) => this.onEvent(event))
    queueTask(() => {
      if (this.readyState !== CONNECTING) return
      this.readyState = OPEN
      this.extensions = connection.extensions
      this.protocol = connection.protocol
      this.fire(new web.Event('open'))
    })
  }

  private onEvent(event: WebSocketEvent): void {
    switch (event.type) {
      case 'text':
        this.message(event.data)
        break
      case 'binary':
        this.message(event.data)
        break
      case 'close':
        // The closing handshake has started (the peer's close frame).
        queueTask(() => {
          if (this.readyState === OPEN) this.readyState = CLOSING
        })
        break
      case 'closed':
        this.connectionClosed(event)
        break
      default:
        // ping, pong (answered by the driver) and fragments are not exposed.
        break
    }
  }

  private message(data: string | Uint8Array): void {
    queueTask(() => {
      if (this.readyState !== OPEN) return
      let value: unknown = data
      if (typeof data !== 'string') {
        const Blob = web.Blob
        // A copy: the driver's bytes may be a view into a larger chunk or a pooled Node Buffer.
        value =
          this.binaryType === 'blob' && Blob !== undefined ? new Blob([data]) : new Uint8Array(data).buffer
      }
      this.fire(messageEvent(value, this.origin))
    })
  }

  /** "The WebSocket connection is closed": a task sets CLOSED and fires `error` (if failed) and `close`. */
  private connectionClosed(event: ClosedEvent | null): void {
    if (this.finished) return
    this.finished = true
    this.outboxFrozen = true
    this.box?.freeze()
    const failed = this.failed || event === null || event.error !== undefined
    // A failed connection reports 1006 (no close frame was received), whatever we sent.
    const code = failed ? 1006 : event.code
    const reason = failed ? '' : event.reason
    const wasClean = failed ? false : event.wasClean
    queueTask(() => {
      this.readyState = CLOSED
      if (failed) this.fire(new web.Event('error'))
      this.fire(new CloseEvent('close', { wasClean, code, reason }))
    })
  }

  /** Flag as full / fail the connection: drop the transport; `closed` follows. */
  private failConnection(): void {
    this.failed = true
    this.connection?.terminate()
  }

  /** close() after its arguments were checked; `args` is what the close frame carries. */
  close(args: [code?: number, reason?: string]): void {
    if (this.readyState === CLOSING || this.readyState === CLOSED) return
    if (this.readyState === CONNECTING) {
      this.failed = true
      this.readyState = CLOSING
      if (this.connection !== null) {
        // Established, but `open` not yet fired: fail it.
        this.connection.terminate()
      } else {
        this.abort?.abort(new Error('WebSocket was closed before the connection was established'))
      }
      return
    }
    this.readyState = CLOSING
    this.outbox.close(args)
  }

  private fire(event: WebEvent): void {
    this.target.dispatchEvent(event)
  }
}
