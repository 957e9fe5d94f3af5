/**
 * The part of @ws/driver's Connection these classes use, as a structural interface: the real
 * Connection satisfies it, and unit tests can pass a small fake.
 */
import type { ClosedEvent, WebSocketEvent } from '@ws/proto'
import type { WebAbortSignal } from './globals.ts'

export interface DriverConnection {
  readonly role?: 'client' | 'server'
  /** The agreed subprotocol, '' when none. */
  readonly protocol: string
  /** The agreed Sec-WebSocket-Extensions value, '' when none. */
  readonly extensions: string
  /** Bytes accepted and not yet handed to the transport's peer or operating system. */
  readonly bufferedAmount: number
  /** Resolves once, with the `closed` event, when the connection is over. */
  readonly closed: Promise<ClosedEvent>
  /** Return false at the high-water mark; throw (code WS_ERR_SEND_BUFFER_FULL) far beyond it. */
  sendText(text: string): boolean
  sendBinary(data: Uint8Array): boolean
  close(code?: number, reason?: string): void
  terminate(): void
  /** Batches this turn's writes into one (optional: fakes and older drivers may lack it). */
  holdWrites?(): void
  /** Resolves when bufferedAmount is below the high-water mark, or the connection is over. */
  drained(): Promise<void>
  on(name: 'event', listener: (event: WebSocketEvent) => void): unknown
  on(name: 'drain', listener: () => void): unknown
  off(name: 'event', listener: (event: WebSocketEvent) => void): unknown
  off(name: 'drain', listener: () => void): unknown
  /** Every event in order; reading pauses while events wait untaken. */
  [Symbol.asyncIterator](): AsyncIterator<WebSocketEvent>
}

/** What a WebSocket or WebSocketStream asks its connector for. */
export interface ConnectRequest {
  /** The serialized ws: or wss: URL. */
  url: string
  /** Subprotocols to offer (already checked: tokens, no duplicates). */
  protocols: string[]
  /** The options object given to the constructor (headers, TLS options...), or {}. */
  init: Readonly<Record<string, unknown>>
  /** Aborts the attempt (close() while connecting, or the stream's signal). */
  signal: WebAbortSignal
}

/**
 * Opens a client connection, handshake included; rejects on any failure. `check`, when
 * present, is called by the constructors with the options object and throws for bad options.
 */
export type Connector = ((request: ConnectRequest) => Promise<DriverConnection>) & {
  check?: (init: ConnectRequest['init']) => void
}

/** The code @ws/driver's send methods throw with when the send buffer is far over its limit. */
export const SEND_BUFFER_FULL = 'WS_ERR_SEND_BUFFER_FULL'

export function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
}
