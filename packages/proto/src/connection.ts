/**
 * `WebSocketConnection`: one open WebSocket, either role, with no I/O. Feed it bytes with
 * `receive()` and `receiveEof()`; take events with `takeEvents()` and bytes to write with
 * `takeOutgoing()`; command it with `sendText()`, `sendBinary()`, `ping()`, `close()`.
 * It answers pings and echoes the peer's close by itself, and says when the transport may close.
 */
import { isBytes } from '@ws/crypto'
import { isValidWireCloseCode, MAX_CLOSE_REASON_BYTES } from './close-codes.ts'
import { InvalidStateError, ProtocolError } from './errors.ts'
import type { FragmentEvent, WebSocketEvent } from './events.ts'
import type { Extension } from './extension.ts'
import { MAX_CONTROL_PAYLOAD, Opcode, RSV_MASK } from './frame.ts'
import { encodeFrame } from './frame-encoder.ts'
import { type Limits, resolveLimits } from './limits.ts'
import { type Allocate, allocateZeroed } from './message-buffer.ts'
import type { PreparedMessage } from './prepared.ts'
import { type RandomFill, type RandomPool, randomPoolFor } from './random-pool.ts'
import { Receiver, type ReceiverSink } from './receiver.ts'
import { decodeUtf8Strict, encodeUtf8, secureRandomFill } from './web.ts'

export type Role = 'client' | 'server'

export interface ConnectionOptions {
  role: Role
  /** Source of masking keys (client role). Default: `globalThis.crypto.getRandomValues`. */
  randomFill?: RandomFill
  /**
   * Limits (DEFAULT_LIMITS for what is not given). Read once per limits object: connections
   * given the same object share one resolved copy, so change limits by passing a new object.
   */
  limits?: Partial<Limits>
  /** Extensions negotiated in the handshake, in the order they were agreed. */
  extensions?: readonly Extension[]
  /** Answer each ping with a pong of the same payload (default true). */
  autoPong?: boolean
  /** Split outgoing messages into frames of at most this many payload bytes (default: no split). */
  fragmentSize?: number
  /** Deliver data messages frame by frame as `fragment` events instead of whole (default false). */
  messageFragments?: boolean
  /** The subprotocol agreed in the handshake ('' for none). */
  protocol?: string
  /**
   * Do not answer the peer's close frame by itself: the `close` event comes, the state stays
   * 'open' (data may still be sent, RFC 6455 section 5.5.1), and the reply goes out when
   * `close()` is called (with no code it echoes the peer's). An adapter that hands events to
   * the application after parsing uses this so that replies to messages received just before
   * the close are not refused. Default false: the echo is queued at once.
   *
   * Protocol failures in the input are held the same way: parsing stops, `failurePending` is
   * true and the state stays 'open', so the application can still answer the messages that came
   * before the bad frame (as a peer that handles each frame as it reads it would); the failure's
   * close frame and the `closed` event follow on the next `close()` or `fail()` (whatever their
   * arguments) or when the transport ends.
   */
  deferCloseReply?: boolean
  /**
   * Makes the buffers for joined messages and for frames over 2 KiB; every byte of a buffer it
   * returns is written before the buffer is used. Default: `new Uint8Array(size)`. An adapter
   * may pass one that skips zero-filling, such as Node's `Buffer.allocUnsafe`. It must return a
   * Uint8Array of exactly `size` bytes.
   */
  allocate?: (size: number) => Uint8Array
}

export type ConnectionState = 'open' | 'closing' | 'closed'

const EMPTY = new Uint8Array(0)

export class WebSocketConnection {
  readonly role: Role
  /** The subprotocol agreed in the handshake, or ''. */
  readonly protocol: string
  /** The extensions in use. */
  readonly extensions: readonly Extension[]
  readonly limits: Readonly<Limits>

  readonly #receiver: Receiver
  readonly #autoPong: boolean
  readonly #fragmentSize: number
  readonly #random: RandomPool | null
  readonly #maskKey: Uint8Array | null
  readonly #allocate: Allocate
  #events: WebSocketEvent[] = []
  #outgoing: Uint8Array[] = []
  #pending: Uint8Array[] = []
  #pendingBytes = 0
  #closeSent = false
  #done = false
  /** Set when the connection failed (either side's doing): the transport ends at once. */
  #failed = false
  #eof = false
  /** Opcode of an outgoing message that is still open (sent with fin = false), else 0. */
  #sendingOpcode = 0
  readonly #deferCloseReply: boolean
  /** The peer's close, while its reply is deferred and not yet sent. */
  #peerClose: { code: number; reason: string; echo: Uint8Array } | null = null
  /** A failure in the input, held while `deferCloseReply` lets the application catch up. */
  #heldFailure: ProtocolError | null = null

  constructor(options: ConnectionOptions) {
    const { role } = options
    if (role !== 'client' && role !== 'server') throw new TypeError(`role must be 'client' or 'server'`)
    this.role = role
    this.protocol = options.protocol ?? ''
    this.extensions = [...(options.extensions ?? [])]
    this.limits = sharedLimits(options.limits)
    this.#autoPong = options.autoPong ?? true
    this.#deferCloseReply = options.deferCloseReply ?? false
    const fragmentSize = options.fragmentSize ?? Infinity
    if (!(fragmentSize === Infinity || (Number.isInteger(fragmentSize) && fragmentSize > 0))) {
      throw new RangeError(`fragmentSize must be a positive integer, got ${String(fragmentSize)}`)
    }
    this.#fragmentSize = fragmentSize
    this.#allocate = checkedAllocator(options.allocate)
    this.#random = role === 'client' ? randomPoolFor(options.randomFill ?? secureRandomFill) : null
    this.#maskKey = role === 'client' ? new Uint8Array(4) : null
    this.#receiver = new Receiver(
      new ConnectionSink(this),
      this.limits,
      role === 'server',
      this.extensions,
      options.messageFragments ?? false,
      this.#allocate,
    )
  }

  /** 'open', 'closing' (we sent a close and wait for the peer's), or 'closed'. */
  get state(): ConnectionState {
    return this.#done ? 'closed' : this.#closeSent ? 'closing' : 'open'
  }

  /**
   * True when the adapter should end the transport once the outgoing bytes are written: the
   * server after the close handshake (RFC 6455 section 7.1.1: the server closes TCP first), and
   * either role after a failure or once the peer's end of the stream arrived.
   */
  get shouldCloseTransport(): boolean {
    return this.#done && (this.role === 'server' || this.#failed || this.#eof)
  }

  /**
   * True while the adapter should run a close timer: we sent a close and wait for the peer's
   * close frame, or (client) for the server to end the transport. When the timer fires, the
   * adapter destroys the transport and calls `receiveEof()`.
   */
  get closeExpected(): boolean {
    return this.#closeSent && !this.#eof && !this.shouldCloseTransport
  }

  /** True when the adapter should stop reading: events are waiting to be taken. */
  get inputPaused(): boolean {
    return this.#pending.length > 0 || this.#events.length >= this.limits.maxQueuedEvents
  }

  /**
   * Feeds bytes from the transport, in any chunking. The connection takes ownership of `chunk`:
   * masked payload may be unmasked in place, and binary events may be views into it.
   */
  receive(chunk: Uint8Array): void {
    if (!isBytes(chunk)) throw new TypeError('receive() takes a Uint8Array')
    if (this.#receiver.stopped || chunk.length === 0) return
    if (this.#pending.length > 0) {
      this.#pending.push(chunk)
      this.#pendingBytes += chunk.length
      if (this.#pendingBytes > this.limits.maxPendingInput) {
        this.#failWith(
          new ProtocolError(
            'WS_ERR_INPUT_OVERFLOW',
            1008,
            `more than ${this.limits.maxPendingInput} bytes of input arrived while events were not taken`,
          ),
        )
      }
      return
    }
    this.#parse(chunk)
  }

  /**
   * The transport ended. Before a close handshake completes, this is an abnormal closure (1006);
   * after the peer's close whose reply was deferred, it ends with the peer's code, not cleanly.
   */
  receiveEof(): void {
    if (this.#eof) return
    this.#eof = true
    this.#pending = []
    this.#pendingBytes = 0
    if (this.#releaseFailure()) return
    const peer = this.#peerClose
    if (!this.#done) this.#finish(peer ? peer.code : 1006, peer ? peer.reason : '', false, undefined)
  }

  /** True when the peer's close arrived and its deferred reply has not been sent yet. */
  get closeReplyPending(): boolean {
    return this.#peerClose !== null && !this.#done
  }

  /** True while a failure in the input is held (`deferCloseReply`): `close()` sends it. */
  get failurePending(): boolean {
    return this.#heldFailure !== null
  }

  /** Returns the events so far and forgets them; then resumes parsing input held while paused. */
  takeEvents(): WebSocketEvent[] {
    const events = this.#events
    this.#events = []
    if (this.#pending.length > 0) {
      const pending = this.#pending
      this.#pending = []
      this.#pendingBytes = 0
      for (let index = 0; index < pending.length; index++) {
        if (this.#pending.length > 0) {
          for (let rest = index; rest < pending.length; rest++) {
            this.#pending.push(pending[rest])
            this.#pendingBytes += pending[rest].length
          }
          break
        }
        this.#parse(pending[index])
      }
    }
    return events
  }

  /** Returns the bytes to write, in order, and forgets them. */
  takeOutgoing(): Uint8Array[] {
    const outgoing = this.#outgoing
    this.#outgoing = []
    return outgoing
  }

  /** Sends a text message, or a fragment of one when `fin` is false (finish with `fin` true). */
  sendText(text: string, fin = true): void {
    if (typeof text !== 'string') throw new TypeError('sendText() takes a string')
    this.#sendData(Opcode.TEXT, encodeUtf8(text), fin)
  }

  /**
   * Sends a binary message, or a fragment of one when `fin` is false. Unmasked (server) payloads
   * over 4 KiB are not copied: do not modify `data` until the outgoing bytes are written.
   */
  sendBinary(data: Uint8Array, fin = true): void {
    if (!isBytes(data)) throw new TypeError('sendBinary() takes a Uint8Array')
    this.#sendData(Opcode.BINARY, data, fin)
  }

  /**
   * Sends a message prepared once for many connections (fan-out): the frame is built by the first
   * connection of each kind and reused by the others (see PreparedMessage). A client, or a
   * connection whose extensions encode per connection, encodes it as sendText/sendBinary would.
   * The result on the wire is the same as theirs.
   */
  sendPrepared(message: PreparedMessage): void {
    // Checked by shape, so that a client that never prepares messages does not carry the class.
    if (!((message as PreparedMessage | null)?.frames instanceof Map)) {
      throw new TypeError('sendPrepared() takes a PreparedMessage')
    }
    this.#checkCanSend()
    const payload = message.payload
    let key = ''
    let shared = this.#maskKey === null && this.#sendingOpcode === 0 && this.#fragmentSize === Infinity
    for (let index = 0; shared && index < this.extensions.length; index++) {
      const encoding = this.extensions[index]?.sharedEncoding?.() ?? null
      if (encoding === null) shared = false
      else key += `${encoding}\n`
    }
    if (!shared) {
      this.#sendData(message.opcode, payload, true)
      return
    }
    let frames = message.frames.get(key)
    if (frames === undefined) {
      let data = payload
      let rsv = 0
      for (const extension of this.extensions) {
        const encoded = extension.encode(data, true, true)
        // A codec may hand out a view of a buffer it reuses: the shared frame keeps its own copy.
        data = encoded.data === payload ? payload : encoded.data.slice()
        rsv |= encoded.rsv & RSV_MASK
      }
      const built: Uint8Array[] = []
      encodeFrame(built, true, message.opcode | rsv, data, null, this.#allocate)
      frames = built
      message.frames.set(key, frames)
    }
    for (const frame of frames) this.#outgoing.push(frame)
  }

  /** Sends a ping with up to 125 bytes of payload (a string is sent as UTF-8). */
  ping(data: Uint8Array | string = EMPTY): void {
    this.#sendControl(Opcode.PING, controlPayload(data, 'ping'))
  }

  /** Sends an unsolicited pong (or a manual reply when `autoPong` is off). */
  pong(data: Uint8Array | string = EMPTY): void {
    this.#sendControl(Opcode.PONG, controlPayload(data, 'pong'))
  }

  /**
   * Starts the close handshake. Without a code the close frame is empty (the peer sees 1005).
   * The code must be one an endpoint may send: 1000-1003, 1007-1014 or 3000-4999; the reason at
   * most 123 bytes of UTF-8. Does nothing if a close was already sent or the connection is closed.
   */
  close(code?: number, reason = ''): void {
    const payload = closePayload(code, reason)
    if (this.#closeSent || this.#done || this.#releaseFailure()) return
    const peer = this.#peerClose
    if (peer !== null) {
      // The deferred reply: the peer's code unless another was given; the handshake is complete.
      this.#queueClose(code === undefined ? peer.echo : payload)
      this.#finish(peer.code, peer.reason, true, undefined)
      return
    }
    this.#queueClose(payload)
  }

  /**
   * Fails the connection from the local side: sends a close frame with `code` (unless one was
   * sent), then the connection is closed at once, not cleanly.
   */
  fail(code: number, reason = ''): void {
    const payload = closePayload(code, reason)
    if (this.#done || this.#releaseFailure()) return
    if (!this.#closeSent) this.#queueClose(payload)
    this.#failed = true
    this.#finish(code, reason, false, undefined)
  }

  #sendData(opcode: number, data: Uint8Array, fin: boolean): void {
    this.#checkCanSend()
    const sending = this.#sendingOpcode
    if (sending !== 0 && sending !== opcode) {
      throw new InvalidStateError(
        `a ${sending === Opcode.TEXT ? 'text' : 'binary'} message is still open; finish it before starting another type`,
      )
    }
    const first = sending === 0
    let rsv = 0
    for (const extension of this.extensions) {
      const encoded = extension.encode(data, first, fin)
      data = encoded.data
      rsv |= encoded.rsv & RSV_MASK
    }
    this.#sendingOpcode = fin ? 0 : opcode
    let frameOpcode = first ? opcode | rsv : Opcode.CONTINUATION
    const size = this.#fragmentSize
    let offset = 0
    while (data.length - offset > size) {
      this.#writeFrame(false, frameOpcode, data.subarray(offset, offset + size))
      offset += size
      frameOpcode = Opcode.CONTINUATION
    }
    this.#writeFrame(fin, frameOpcode, offset === 0 ? data : data.subarray(offset))
  }

  #sendControl(opcode: number, payload: Uint8Array): void {
    this.#checkCanSend()
    this.#writeFrame(true, opcode, payload)
  }

  #checkCanSend(): void {
    if (this.#closeSent || this.#done) {
      throw new InvalidStateError(`cannot send: the connection is ${this.state}`)
    }
  }

  #writeFrame(fin: boolean, first: number, payload: Uint8Array): void {
    let key: Uint8Array | null = null
    if (this.#maskKey !== null) {
      key = this.#maskKey
      ;(this.#random as RandomPool).take(key)
    }
    encodeFrame(this.#outgoing, fin, first, payload, key, this.#allocate)
  }

  #queueClose(payload: Uint8Array): void {
    this.#closeSent = true
    this.#writeFrame(true, Opcode.CLOSE, payload)
  }

  #parse(chunk: Uint8Array): void {
    const stopped = this.#receiver.parse(chunk, 0)
    if (stopped < chunk.length && !this.#receiver.stopped) {
      this.#pending.push(chunk.subarray(stopped))
      this.#pendingBytes += chunk.length - stopped
    }
  }

  /** @internal */
  onControl(opcode: number, payload: Uint8Array): void {
    if (opcode === Opcode.PING) {
      this.#events.push({ type: 'ping', data: payload })
      if (this.#autoPong && !this.#closeSent) this.#writeFrame(true, Opcode.PONG, payload)
    } else if (opcode === Opcode.PONG) {
      this.#events.push({ type: 'pong', data: payload })
    } else {
      this.#onClose(payload)
    }
  }

  #onClose(payload: Uint8Array): void {
    let code = 1005
    let reason = ''
    if (payload.length === 1) {
      this.protocolFailure(1002, 'WS_ERR_INVALID_CLOSE_PAYLOAD', 'close frame with a 1-byte payload')
      return
    }
    if (payload.length >= 2) {
      code = (payload[0] << 8) | payload[1]
      if (!isValidWireCloseCode(code)) {
        this.protocolFailure(1002, 'WS_ERR_INVALID_CLOSE_CODE', `invalid close code ${code}`)
        return
      }
      const text = decodeUtf8Strict(payload.subarray(2))
      if (text === null) {
        this.protocolFailure(1007, 'WS_ERR_INVALID_UTF8', 'close reason is not valid UTF-8')
        return
      }
      reason = text
    }
    this.#receiver.stop()
    this.#events.push({ type: 'close', code, reason })
    const echo = code === 1005 ? EMPTY : payload.slice(0, 2)
    if (!this.#closeSent && this.#deferCloseReply) {
      this.#peerClose = { code, reason, echo }
      return
    }
    if (!this.#closeSent) this.#queueClose(echo)
    this.#finish(code, reason, true, undefined)
  }

  /** @internal */
  protocolFailure(closeCode: number, code: string, message: string): void {
    this.#failWith(new ProtocolError(code, closeCode, message))
  }

  #failWith(error: ProtocolError): void {
    if (this.#done || this.#heldFailure !== null) return
    this.#receiver.stop()
    this.#pending = []
    this.#pendingBytes = 0
    if (this.#deferCloseReply && !this.#closeSent) {
      this.#heldFailure = error
      return
    }
    this.#applyFailure(error)
  }

  /** Applies a held failure, if there is one; returns whether there was. */
  #releaseFailure(): boolean {
    const error = this.#heldFailure
    if (error === null) return false
    this.#heldFailure = null
    this.#applyFailure(error)
    return true
  }

  #applyFailure(error: ProtocolError): void {
    if (!this.#closeSent) {
      const payload = new Uint8Array(2)
      payload[0] = error.closeCode >>> 8
      payload[1] = error.closeCode & 0xff
      this.#queueClose(payload)
    }
    this.#finish(error.closeCode, '', false, error)
  }

  #finish(code: number, reason: string, wasClean: boolean, error: ProtocolError | undefined): void {
    this.#done = true
    this.#receiver.stop()
    this.#sendingOpcode = 0
    if (error) this.#failed = true
    this.#events.push(
      error ? { type: 'closed', code, reason, wasClean, error } : { type: 'closed', code, reason, wasClean },
    )
  }

  /** @internal The receiver's sink calls these (see ConnectionSink). */
  pushEvent(event: WebSocketEvent): void {
    this.#events.push(event)
  }

  /** @internal */
  get acceptsMoreEvents(): boolean {
    return this.#events.length < this.limits.maxQueuedEvents
  }
}

/** The receiver's sink: one small object per connection instead of six closures. */
class ConnectionSink implements ReceiverSink {
  readonly #connection: WebSocketConnection
  constructor(connection: WebSocketConnection) {
    this.#connection = connection
  }
  text(data: string): void {
    this.#connection.pushEvent({ type: 'text', data })
  }
  binary(data: Uint8Array): void {
    this.#connection.pushEvent({ type: 'binary', data })
  }
  fragment(event: FragmentEvent): void {
    this.#connection.pushEvent(event)
  }
  control(opcode: number, payload: Uint8Array): void {
    this.#connection.onControl(opcode, payload)
  }
  fail(closeCode: number, code: string, message: string): void {
    this.#connection.protocolFailure(closeCode, code, message)
  }
  get acceptsMore(): boolean {
    return this.#connection.acceptsMoreEvents
  }
}

/** Resolved limits, frozen, one per limits object given (the driver passes one per server). */
const resolvedLimits = new WeakMap<object, Readonly<Limits>>()
const defaultLimits: Readonly<Limits> = Object.freeze(resolveLimits(undefined))

function sharedLimits(limits: Partial<Limits> | undefined): Readonly<Limits> {
  if (limits === undefined) return defaultLimits
  let resolved = resolvedLimits.get(limits)
  if (resolved === undefined) {
    resolved = Object.freeze(resolveLimits(limits))
    resolvedLimits.set(limits, resolved)
  }
  return resolved
}

/** The `allocate` option, wrapped so that a wrong result is a clear error, not corrupt data. */
function checkedAllocator(allocate: ((size: number) => Uint8Array) | undefined): Allocate {
  if (allocate === undefined) return allocateZeroed
  if (typeof allocate !== 'function') throw new TypeError('allocate must be a function')
  return (size) => {
    const bytes = allocate(size)
    if (!isBytes(bytes) || bytes.length !== size) {
      throw new TypeError(`allocate(${size}) must return a Uint8Array of ${size} bytes`)
    }
    return bytes
  }
}

function controlPayload(data: Uint8Array | string, what: string): Uint8Array {
  const bytes = typeof data === 'string' ? encodeUtf8(data) : data
  if (!isBytes(bytes)) throw new TypeError(`${what}() takes a Uint8Array or a string`)
  if (bytes.length > MAX_CONTROL_PAYLOAD) {
    throw new RangeError(`${what} payload is ${bytes.length} bytes; the limit is ${MAX_CONTROL_PAYLOAD}`)
  }
  return bytes
}

/** Builds the payload of a close frame the local side sends, checking code and reason. */
function closePayload(code: number | undefined, reason: string): Uint8Array {
  if (typeof reason !== 'string') throw new TypeError('the close reason must be a string')
  if (code === undefined) {
    if (reason !== '') throw new TypeError('a close reason needs a close code')
    return EMPTY
  }
  if (typeof code !== 'number' || !Number.isInteger(code) || !isValidWireCloseCode(code)) {
    throw new RangeError(`close code ${String(code)} may not be sent: use 1000-1003, 1007-1014 or 3000-4999`)
  }
  const reasonBytes = encodeUtf8(reason)
  if (reasonBytes.length > MAX_CLOSE_REASON_BYTES) {
    throw new RangeError(
      `close reason is ${reasonBytes.length} bytes of UTF-8; the limit is ${MAX_CLOSE_REASON_BYTES}`,
    )
  }
  const payload = new Uint8Array(2 + reasonBytes.length)
  payload[0] = code >>> 8
  payload[1] = code & 0xff
  payload.set(reasonBytes, 2)
  return payload
}
