/**
 * Drives an open `WebSocketConnection` the way an adapter does: feed a chunk, take every event
 * (which resumes parsing held input), take the outgoing bytes; at the end answer a deferred
 * close and signal EOF. Every event is checked against the limits and the documented event
 * order, and recorded in a form that compares by value.
 */
import {
  type ConnectionOptions,
  isValidWireCloseCode,
  type Limits,
  ProtocolError,
  type RandomFill,
  type WebSocketConnection,
  type WebSocketEvent,
} from '@ws/proto'
import { type Value, violation } from './check.ts'
import { concat } from './mutate.ts'

/** Small limits, so that the fuzzer reaches them. */
export const FUZZ_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameSize: 64 * 1024,
  maxMessageSize: 64 * 1024,
  maxFragments: 64,
  maxQueuedEvents: 1024,
  maxPendingInput: 64 * 1024,
})

const QUEUED_EVENTS = [1, 3, 16, 1024] as const
/** Close codes a connection may report as its failure code. */
const FAILURE_CLOSE_CODES = new Set([1002, 1007, 1008, 1009, 1011])

/** takeEvents() rounds after one chunk before the driver calls it a livelock. */
const MAX_PUMP_ROUNDS = 1_000_000

const PATTERN = /* @__PURE__ */ (() => {
  const bytes = new Uint8Array(8192)
  for (let index = 0; index < bytes.length; index++) bytes[index] = (index * 167 + 13) & 0xff
  return bytes
})()

/**
 * A deterministic random source: each call returns a fresh function (the core pools random
 * bytes per function), which always produces the same bytes, so masking keys and handshake keys
 * do not differ between two runs of one input.
 */
export function fixedRandomFill(): RandomFill {
  return (out: Uint8Array) => {
    for (let offset = 0; offset < out.length; offset += PATTERN.length) {
      out.set(PATTERN.subarray(0, Math.min(PATTERN.length, out.length - offset)), offset)
    }
  }
}

/** The connection options one configuration byte selects. */
export type ConnectionVariant = Omit<ConnectionOptions, 'role' | 'extensions' | 'protocol' | 'randomFill'> & {
  limits: Limits
  messageFragments: boolean
}

export function connectionVariant(config: number): ConnectionVariant {
  return {
    limits: { ...FUZZ_LIMITS, maxQueuedEvents: QUEUED_EVENTS[(config >> 3) & 3] as number },
    messageFragments: (config & 1) !== 0,
    autoPong: (config & 2) === 0,
    deferCloseReply: (config & 4) !== 0,
  }
}

function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed()
}

export class ConnectionDriver {
  private readonly events: Value[] = []
  private readonly outgoing: Uint8Array[] = []
  private outgoingBytes = 0
  private closeSeen = false
  private closedSeen = false
  /** The kind of the fragmented message being delivered, and its bytes so far. */
  private fragmentKind: 'text' | 'binary' | null = null
  private fragmentBytes = 0
  private readonly limits: Readonly<Limits>

  constructor(
    private readonly connection: WebSocketConnection,
    private readonly messageFragments: boolean,
    /** Bytes the connection was fed before the driver took over (by the handshake). */
    private inputBytes = 0,
  ) {
    this.limits = connection.limits
    this.pump()
  }

  receive(chunk: Uint8Array): void {
    this.inputBytes += chunk.length
    this.connection.receive(chunk)
    this.pump()
  }

  /** Ends the input: answers a deferred close, signals EOF and returns the normalised outcome. */
  finish(): Value {
    const connection = this.connection
    if (connection.closeReplyPending) {
      connection.close()
      this.pump()
    }
    connection.receiveEof()
    this.pump()
    if (!this.closedSeen) violation('no closed event after receiveEof()')
    if (connection.state !== 'closed') violation(`state is ${connection.state} after the closed event`)
    const outgoing = concat(this.outgoing)
    return {
      events: this.events,
      outgoing,
      shouldCloseTransport: connection.shouldCloseTransport,
    }
  }

  private pump(): void {
    const connection = this.connection
    for (let round = 0; ; round++) {
      if (round > MAX_PUMP_ROUNDS) violation('takeEvents() keeps producing events without new input')
      const events = connection.takeEvents()
      if (events.length > this.limits.maxQueuedEvents + 1) {
        violation(`${events.length} events queued; maxQueuedEvents is ${this.limits.maxQueuedEvents}`)
      }
      for (const event of events) this.record(event)
      if (events.length === 0 && !connection.inputPaused) break
    }
    for (const chunk of connection.takeOutgoing()) {
      this.outgoingBytes += chunk.length
      this.outgoing.push(chunk)
    }
    // Pongs echo pings (at most 125 bytes each, plus a header and a mask), and one close frame.
    if (this.outgoingBytes > 3 * this.inputBytes + 256) {
      violation(`${this.outgoingBytes} bytes to write after ${this.inputBytes} bytes of input`)
    }
  }

  private record(event: WebSocketEvent): void {
    const limits = this.limits
    if (this.closedSeen) violation(`a ${event.type} event after the closed event`)
    switch (event.type) {
      case 'text': {
        if (this.messageFragments) violation('a text event with messageFragments on')
        const size = Buffer.byteLength(event.data)
        if (size > limits.maxMessageSize) violation(`text message of ${size} bytes over the limit`)
        if (!isWellFormed(event.data)) violation('text message with a lone surrogate')
        this.events.push(['text', event.data])
        return
      }
      case 'binary':
        if (this.messageFragments) violation('a binary event with messageFragments on')
        if (event.data.length > limits.maxMessageSize) {
          violation(`binary message of ${event.data.length} bytes over the limit`)
        }
        this.events.push(['binary', event.data])
        return
      case 'fragment': {
        if (!this.messageFragments) violation('a fragment event with messageFragments off')
        if (event.first !== (this.fragmentKind === null))
          violation(`fragment first=${event.first} out of order`)
        if (!event.first && event.kind !== this.fragmentKind)
          violation('fragment kind changed inside a message')
        this.fragmentBytes = (event.first ? 0 : this.fragmentBytes) + event.data.length
        if (this.fragmentBytes > limits.maxMessageSize) {
          violation(`fragmented message of ${this.fragmentBytes} bytes over the limit`)
        }
        this.fragmentKind = event.last ? null : event.kind
        this.events.push(['fragment', event.kind, event.data, event.first, event.last])
        return
      }
      case 'ping':
      case 'pong':
        if (event.data.length > 125) violation(`${event.type} payload of ${event.data.length} bytes`)
        this.events.push([event.type, event.data])
        return
      case 'close':
        if (this.closeSeen) violation('two close events')
        this.closeSeen = true
        if (event.code !== 1005 && !isValidWireCloseCode(event.code)) {
          violation(`close event with code ${event.code}`)
        }
        if (Buffer.byteLength(event.reason) > 123) violation('close reason over 123 bytes')
        this.events.push(['close', event.code, event.reason])
        return
      case 'closed': {
        this.closedSeen = true
        const error = event.error
        if (error !== undefined) {
          if (!(error instanceof ProtocolError)) violation('closed.error is not a ProtocolError')
          if (!FAILURE_CLOSE_CODES.has(error.closeCode) || error.closeCode !== event.code) {
            violation(`closed with code ${event.code}, error close code ${error.closeCode}`)
          }
          if (!error.code.startsWith('WS_ERR_')) violation(`error code ${error.code}`)
        }
        this.events.push(['closed', event.code, event.reason, event.wasClean, error?.code ?? null])
      }
    }
  }
}
