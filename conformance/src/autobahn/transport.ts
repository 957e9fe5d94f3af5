// How the fuzzer reaches an implementation: over HTTP/1.1 (a TCP connection per case, opened
// with an Upgrade) or over HTTP/2 (a stream per case, opened with an extended CONNECT, RFC 8441).
// Everything after the opening handshake is the same: the peer's frames on a byte channel.
import type { Case } from './case.ts'
import type { Channel } from './channel.ts'
import type { DeflateSettings } from './peer.ts'
import { h1 } from './transport-h1.ts'
import { h2 } from './transport-h2.ts'

export type TransportName = 'h1' | 'h2'

/** The transports by name. */
export const TRANSPORTS: Record<TransportName, FuzzerTransport> = { h1, h2 }

/** How reports name them. */
export const TRANSPORT_NAMES: Record<TransportName, string> = { h1: 'HTTP/1.1', h2: 'HTTP/2' }

/** A connection whose opening handshake is done. */
export interface Opened {
  channel: Channel
  /** What permessage-deflate agreed, null for nothing. */
  deflate: DeflateSettings | null
  /** Bytes that came after the handshake in the same read. */
  leftover: Uint8Array
}

/** A WebSocket request the fuzzer (as a server) received from the client under test. */
export interface IncomingRequest {
  /** The request target: path and query. */
  target: string
  /** Answers 404 (no case is waiting for this target). */
  notFound(): void
  /** Answers the opening handshake as `kase` says; throws when it is not a WebSocket request. */
  accept(kase: Case): Opened
  /** After a failed `accept`: drops the connection (or resets the stream) unless it was answered. */
  destroy(): void
}

export interface Listening {
  port: number
  close(): Promise<void>
}

export interface FuzzerTransport {
  name: TransportName
  /** The fuzzer as a client: connects to 127.0.0.1:`port` and opens the WebSocket for `kase`. */
  open(port: number, kase: Case): Promise<Opened>
  /** The fuzzer as a server: listens on 127.0.0.1 and hands each WebSocket request on. */
  listen(onRequest: (request: IncomingRequest) => void): Promise<Listening>
}
