/**
 * The state behind one WebSocketStream (the WebSocketStream draft): the opened and closed
 * promises, the readable and writable, and "close the WebSocket".
 *
 * Backpressure both ways. The readable pulls one event at a time from the connection's
 * iterator; while nobody reads, events wait in the driver, which stops reading the transport
 * once `readHighWaterMark` of them wait. A write resolves once the message was handed to the
 * connection below its high-water mark (send() returned true, or after `drained()`).
 */
import type { ClosedEvent, WebSocketEvent } from '@ws/proto'
import { closeFrameArgs, validateCloseCodeAndReason } from './close-args.ts'
import type { Connector, ConnectRequest, DriverConnection } from './driver-types.ts'
import {
  domException,
  type ReadableController,
  type WebAbortController,
  type WebAbortSignal,
  type WebReadableStream,
  type WebWritableStream,
  type WritableController,
  web,
} from './globals.ts'
import { connectInTurn } from './host-gate.ts'
import { queueTask } from './tasks.ts'
import { bufferSourceBytes, toUSVString } from './webidl.ts'
import { CLOSED, CLOSING, CONNECTING, OPEN } from './websocket-core.ts'
import { closedError, isWebSocketError } from './websocket-error.ts'

export interface WebSocketOpenInfo {
  extensions: string
  protocol: string
  readable: WebReadableStream<string | Uint8Array>
  writable: WebWritableStream<string | ArrayBuffer | ArrayBufferView>
}

export interface WebSocketCloseResult {
  closeCode: number
  reason: string
}

interface Deferred<T> {
  promise: Promise<T>
  resolve(value: T): void
  reject(reason: unknown): void
}

/** A promise whose rejection is not reported as unhandled: the application may never look at it. */
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((yes, no) => {
    resolve = yes
    reject = no
  })
  promise.catch(() => {})
  return { promise, resolve, reject }
}

export class StreamCore {
  readonly url: string
  readonly opened = deferred<WebSocketOpenInfo>()
  readonly closed = deferred<WebSocketCloseResult>()
  private readyState = CONNECTING
  private connection: DriverConnection | null = null
  private readonly abort: WebAbortController = new web.AbortController()
  private handshakeAborted = false
  private wasEverConnected = false
  private failed = false
  private finished = false
  /** Our close frame went out, or the peer's arrived. */
  private closingStarted = false
  private iterator: AsyncIterator<WebSocketEvent> | null = null
  private readableController: ReadableController<string | Uint8Array> | null = null
  private readableDone = false
  private writableController: WritableController | null = null
  /** Removes the abort steps from the constructor's signal once they no longer apply. */
  private forgetSignal: () => void = () => {}

  constructor(url: string) {
    this.url = url
  }

  /** The constructor's last steps: the signal, then the opening handshake. */
  connect(
    connector: Connector,
    hostKey: string,
    protocols: string[],
    init: ConnectRequest['init'],
    signal: WebAbortSignal | undefined,
  ): void {
    if (signal !== undefined) {
      if (signal.aborted) {
        this.opened.reject(signal.reason)
        this.closed.reject(signal.reason)
        return
      }
      const onAbort = (): void => {
        if (this.readyState !== CONNECTING) return
        this.failConnection()
        this.readyState = CLOSING
        this.opened.reject(signal.reason)
        this.closed.reject(signal.reason)
        this.handshakeAborted = true
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.forgetSignal = () => signal.removeEventListener('abort', onAbort)
    }
    const request = { url: this.url, protocols, init, signal: this.abort.signal }
    connectInTurn(connector, hostKey, request).then(
      (connection) => {
        if (this.readyState !== CONNECTING) {
          // Aborted or closed meanwhile.
          connection.terminate()
          this.failed = true
          this.connectionClosed(null)
          return
        }
        this.established(connection)
      },
      () => {
        this.failed = true
        this.connectionClosed(null)
      },
    )
  }

  /** The connection is open: make the streams and resolve `opened`. */
  established(connection: DriverConnection): void {
    this.forgetSignal()
    this.connection = connection
    this.readyState = OPEN
    this.wasEverConnected = true
    const iterator = connection[Symbol.asyncIterator]()
    this.iterator = iterator
    const readable = new web.ReadableStream<string | Uint8Array>({
      start: (controller) => {
        this.readableController = controller
      },
      pull: (controller) => this.pull(controller, iterator),
      cancel: (reason) => {
        this.readableDone = true
        this.closeUsingReason(reason)
        this.stopReading()
      },
    })
    const writable = new web.WritableStream<unknown>({
      start: (controller) => {
        this.writableController = controller
      },
      write: (chunk) => this.write(chunk),
      close: () => this.closeWebSocket(null, ''),
      abort: (reason) => this.closeUsingReason(reason),
    })
    this.opened.resolve({
      extensions: connection.extensions,
      protocol: connection.protocol,
      readable,
      writable: writable as WebWritableStream<string | ArrayBuffer | ArrayBufferView>,
    })
    connection.closed.then((event) => this.connectionClosed(event))
  }

  /** Takes events until one is a message for the readable (or the end). */
  private async pull(
    controller: ReadableController<string | Uint8Array>,
    iterator: AsyncIterator<WebSocketEvent>,
  ): Promise<void> {
    for (;;) {
      const result = await iterator.next()
      if (this.readableDone) return
      if (result.done === true) return
      const event = result.value
      if (event.type === 'text') {
        controller.enqueue(event.data)
        return
      }
      if (event.type === 'binary') {
        const data = event.data
        // A plain Uint8Array of its own buffer (the driver's may be a view into a larger chunk,
        // or a Node Buffer from a pool).
        const own =
          data.constructor === Uint8Array &&
          data.byteOffset === 0 &&
          data.byteLength === data.buffer.byteLength
        controller.enqueue(own ? data : new Uint8Array(data))
        return
      }
      if (event.type === 'close') {
        this.closingStarted = true
        if (this.readyState === OPEN) this.readyState = CLOSING
      }
      if (event.type === 'closed') {
        // Closed cleanly (an unclean close has errored the readable already): the end.
        if (event.error === undefined && event.wasClean && !this.failed) {
          this.readableDone = true
          controller.close()
        }
        return
      }
    }
  }

  private async write(chunk: unknown): Promise<void> {
    // The client masks into a new buffer at once; a server's connection may keep a view: copy.
    const bytes = bufferSourceBytes(chunk)
    const text = bytes === null ? toUSVString(chunk) : ''
    const connection = this.connection as DriverConnection
    if (this.readyState === OPEN && !this.closingStarted) {
      try {
        connection.holdWrites?.()
        const below =
          bytes === null
            ? connection.sendText(text)
            : connection.sendBinary(connection.role === 'client' ? bytes : bytes.slice())
        if (!below) await connection.drained()
      } catch {
        // The closing handshake started under us: the message is dropped, as the draft says.
      }
    }
  }

  /** WebSocketStream.close() after its argument was converted. */
  close(code: number | null, reason: string): void {
    this.closeWebSocket(code, reason)
  }

  /** "Close the WebSocket" (throws for a bad code or reason). */
  private closeWebSocket(code: number | null, reason: string): void {
    validateCloseCodeAndReason(code, reason)
    if (this.readyState === CLOSING || this.readyState === CLOSED) return
    if (this.readyState === CONNECTING) {
      this.failConnection()
      this.readyState = CLOSING
      return
    }
    this.readyState = CLOSING
    if (this.closingStarted) return
    this.closingStarted = true
    try {
      ;(this.connection as DriverConnection).close(...closeFrameArgs(code, reason))
    } catch {
      // The peer's close arrived first: the driver answers it.
    }
  }

  /** "Close using reason": a WebSocketError's code and reason, else a close without a code. */
  private closeUsingReason(reason: unknown): void {
    let code: number | null = null
    let text = ''
    if (isWebSocketError(reason)) {
      code = reason.closeCode
      text = reason.reason
    }
    try {
      this.closeWebSocket(code, text)
    } catch {
      this.closeWebSocket(null, '')
    }
  }

  /** The readable is gone: keep taking events, so that the closing handshake can finish. */
  private stopReading(): void {
    const connection = this.connection
    if (connection === null) return
    void this.iterator?.return?.()
    connection.on('event', () => {})
  }

  private failConnection(): void {
    this.failed = true
    if (this.connection !== null) this.connection.terminate()
    else this.abort.abort(domException('The WebSocketStream was closed before it opened', 'AbortError'))
  }

  /** "The WebSocket connection is closed", as a task. */
  private connectionClosed(event: ClosedEvent | null): void {
    if (this.finished) return
    this.finished = true
    this.forgetSignal()
    queueTask(() => {
      this.readyState = CLOSED
      if (this.handshakeAborted) return
      if (!this.wasEverConnected)
        this.opened.reject(closedError('The WebSocket connection could not be established', null, ''))
      const clean = event !== null && event.error === undefined && event.wasClean && !this.failed
      if (clean) {
        this.writableController?.error(
          domException('A closed WebSocketStream cannot be written to', 'InvalidStateError'),
        )
        this.closed.resolve({ closeCode: event.code, reason: event.reason })
        return
      }
      const code = event === null || event.error !== undefined || this.failed ? 1006 : event.code
      const reason = code === 1006 ? '' : (event as ClosedEvent).reason
      const error = closedError('The WebSocket connection closed uncleanly', code, reason)
      if (!this.readableDone) {
        this.readableDone = true
        this.readableController?.error(error)
      }
      this.writableController?.error(error)
      this.closed.reject(error)
      if (this.connection !== null) this.stopReading()
    })
  }
}
