/**
 * The byte-transport interface: all a transport does is move bytes. The driver (Connection,
 * and the handshake runners) does everything else: the core, timers, events, backpressure.
 *
 * A transport is anything that can carry an ordered, reliable byte stream both ways: a TCP or
 * TLS socket, a WHATWG `{ readable, writable }` pair, an HTTP/2 stream, an in-memory pair.
 */
import type { AbortSignalLike } from './web.ts'

/** What a transport tells the driver. The driver replaces the sink when the handshake ends. */
export interface TransportSink {
  /** Bytes from the peer. The driver may keep a view of `chunk`: do not reuse its memory. */
  data(chunk: Uint8Array): void
  /** The peer ended its side (no more data will come); writing may still work. */
  end(): void
  /** The transport is gone both ways (after end(), an error or destroy()); last call, once. */
  closed(error?: unknown): void
  /** The write buffer fell from over the high-water mark (needsDrain) to empty. */
  drain(): void
}

export interface ByteTransport {
  /** Starts delivering to `sink` (or switches to a new one); calls made before go nowhere. */
  attach(sink: TransportSink): void
  /** Queues bytes for the peer. The transport must not modify `chunk`; the caller won't either. */
  write(chunk: Uint8Array): void
  /** Optional: batch the writes until uncork() (one system call for several frames). */
  cork?(): void
  uncork?(): void
  /** Bytes accepted by write() and not yet handed to the operating system or the peer. */
  readonly bufferedAmount: number
  /** True when the transport is over its own high-water mark and will call sink.drain(). */
  readonly needsDrain: boolean
  /** Stop calling sink.data() until resume() (the driver's read backpressure). */
  pause(): void
  resume(): void
  /** Flushes what is queued, then ends our side (TCP FIN). */
  end(): void
  /** Closes both ways at once, dropping what is queued. sink.closed() follows. */
  destroy(): void
  /** Optional transport-specific details (the remote address, the Node socket...). */
  readonly info?: Readonly<Record<string, unknown>>
}

/** Where a client connects: what an OpenTransport receives. */
export interface ConnectTarget {
  host: string
  port: number
  /** wss:// (TLS) rather than ws:// */
  secure: boolean
}

/**
 * Opens a byte transport to the target (a TCP or TLS connection). Rejects with an error that
 * has a string `code` (ECONNREFUSED, a TLS code...) when it cannot; rejects with
 * `signal.reason` when the signal aborts first.
 */
export type OpenTransport = (target: ConnectTarget, signal: AbortSignalLike) => Promise<ByteTransport>
