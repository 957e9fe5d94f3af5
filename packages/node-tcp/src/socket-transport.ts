/**
 * A Node duplex socket (net.Socket, tls.TLSSocket, or any Duplex) as a @ws/driver byte
 * transport. Thin: it forwards the socket's events to the driver's sink and the driver's
 * commands to the socket.
 */
import type { Duplex } from 'node:stream'
import type { ByteTransport, TransportSink } from '@ws/driver'

const IGNORE: TransportSink = { data() {}, end() {}, closed() {}, drain() {} }

/** The transport of a socket, kept on the socket so that one set of shared listeners serves all. */
const TRANSPORT = Symbol('ws.transport')
type Owned = Duplex & { [TRANSPORT]: SocketTransport }

// One function per socket event for every socket (no closures per connection).
function onData(this: Owned, chunk: Uint8Array): void {
  this[TRANSPORT].sink.data(chunk)
}
function onEnd(this: Owned): void {
  this[TRANSPORT].sink.end()
}
// An error is reported at once (a socket that errs is destroyed; its 'close' follows), so that
// the driver sees the cause before anything else, e.g. a TLS alert during the handshake.
function onError(this: Owned, error: Error): void {
  this[TRANSPORT].closed(error)
}
function onClose(this: Owned): void {
  this[TRANSPORT].closed(undefined)
}
function onDrain(this: Owned): void {
  this[TRANSPORT].sink.drain()
}

export class SocketTransport implements ByteTransport {
  readonly socket: Duplex
  /** @internal */
  sink: TransportSink = IGNORE
  private reading = false
  private done = false

  constructor(socket: Duplex) {
    this.socket = socket
    ;(socket as Owned)[TRANSPORT] = this
    socket.on('end', onEnd)
    socket.on('error', onError)
    socket.on('close', onClose)
    socket.on('drain', onDrain)
  }

  /** @internal */
  closed(error: unknown): void {
    if (this.done) return
    this.done = true
    this.sink.closed(error)
  }

  attach(sink: TransportSink): void {
    this.sink = sink
    if (this.reading) return
    // Reading starts with the first sink, so that no byte arrives before someone takes it.
    this.reading = true
    this.socket.on('data', onData)
  }
  write(chunk: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(chunk)
  }

  cork(): void {
    this.socket.cork()
  }

  uncork(): void {
    this.socket.uncork()
  }

  get bufferedAmount(): number {
    return this.socket.writableLength
  }

  get needsDrain(): boolean {
    return this.socket.writableNeedDrain
  }

  pause(): void {
    this.socket.pause()
  }

  resume(): void {
    this.socket.resume()
  }

  end(): void {
    this.socket.end()
  }

  destroy(): void {
    this.socket.destroy()
  }

  get info(): Readonly<Record<string, unknown>> {
    const socket = this.socket as Duplex & { remoteAddress?: string; remotePort?: number }
    return { socket, remoteAddress: socket.remoteAddress, remotePort: socket.remotePort }
  }
}

/** Wraps a connected Node socket as a byte transport. */
export function socketTransport(socket: Duplex): SocketTransport {
  return new SocketTransport(socket)
}
