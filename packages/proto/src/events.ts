import type { ProtocolError } from './errors.ts'

/** A complete text message. */
export interface TextEvent {
  readonly type: 'text'
  readonly data: string
}

/** A complete binary message. The bytes may be a view into input passed to `receive()`. */
export interface BinaryEvent {
  readonly type: 'binary'
  readonly data: Uint8Array
}

/**
 * One frame of a data message, when the connection was created with `messageFragments: true`.
 * Text fragments are valid UTF-8 so far (a character may be split between fragments).
 */
export interface FragmentEvent {
  readonly type: 'fragment'
  readonly kind: 'text' | 'binary'
  readonly data: Uint8Array
  /** The first fragment of its message. */
  readonly first: boolean
  /** The last fragment of its message. */
  readonly last: boolean
}

export interface PingEvent {
  readonly type: 'ping'
  readonly data: Uint8Array
}

export interface PongEvent {
  readonly type: 'pong'
  readonly data: Uint8Array
}

/** The peer's close frame. `code` is 1005 when the frame carried no code. */
export interface CloseEvent {
  readonly type: 'close'
  readonly code: number
  readonly reason: string
}

/**
 * The connection is over; emitted exactly once, always last. `wasClean` is true when both
 * close frames were exchanged. `code` and `reason` are the peer's close frame, or, when the
 * connection failed, the code we sent (`error` says why), or 1006 when the transport ended first.
 */
export interface ClosedEvent {
  readonly type: 'closed'
  readonly code: number
  readonly reason: string
  readonly wasClean: boolean
  readonly error?: ProtocolError
}

export type WebSocketEvent =
  | TextEvent
  | BinaryEvent
  | FragmentEvent
  | PingEvent
  | PongEvent
  | CloseEvent
  | ClosedEvent
