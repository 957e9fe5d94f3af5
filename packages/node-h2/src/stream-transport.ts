/**
 * An HTTP/2 stream (RFC 8441) as a @ws/driver byte transport. HTTP/2 flow control is the
 * backpressure: pause() stops reading, so node:http2 stops returning window to the peer, and
 * bytes the peer's window does not yet allow stay in the stream's write buffer (needsDrain).
 * end() sends END_STREAM (a TCP FIN, RFC 8441 section 6); destroy() resets the stream with
 * CANCEL (a TCP RST). A stream the peer resets ends the connection abnormally (1006); the
 * session and its other streams carry on.
 */
import { constants, type Http2Stream } from 'node:http2'
import { addAbortSignal } from 'node:stream'
import type { ByteTransport, TransportSink } from '@ws/driver'

const IGNORE: TransportSink = { data() {}, end() {}, closed() {}, drain() {} }

/** The stream was reset (RST_STREAM) with `code`, by the peer or by us. */
export class StreamResetError extends Error {
  readonly code = 'ERR_HTTP2_STREAM_RESET'
  readonly rstCode: number
  constructor(rstCode: number) {
    super(`the HTTP/2 stream was reset (error code ${rstCode})`)
    this.name = 'StreamResetError'
    this.rstCode = rstCode
  }
}

export class H2StreamTransport implements ByteTransport {
  readonly stream: Http2Stream
  private sink: TransportSink = IGNORE
  private reading = false
  private done = false
  private reset = false

  constructor(stream: Http2Stream) {
    this.stream = stream
    // A reset from the peer: nothing more goes out (ending the stream now would report it as
    // closed without error).
    stream.on('aborted', () => {
      this.reset = true
    })
    stream.on('end', () => this.sink.end())
    stream.on('error', (error) => this.closed(error))
    stream.on('close', () => {
      const code = stream.rstCode
      this.closed(
        code === undefined || code === constants.NGHTTP2_NO_ERROR ? undefined : new StreamResetError(code),
      )
    })
    stream.on('drain', () => this.sink.drain())
  }

  private closed(error: unknown): void {
    if (this.done) return
    this.done = true
    this.sink.closed(error)
  }

  attach(sink: TransportSink): void {
    this.sink = sink
    if (this.reading) return
    // Reading starts with the first sink, so that no byte arrives before someone takes it.
    this.reading = true
    this.stream.on('data', (chunk: Uint8Array) => this.sink.data(chunk))
  }

  write(chunk: Uint8Array): void {
    const stream = this.stream
    if (!this.reset && !stream.destroyed && !stream.writableEnded) stream.write(chunk)
  }

  cork(): void {
    this.stream.cork()
  }

  uncork(): void {
    this.stream.uncork()
  }

  get bufferedAmount(): number {
    return this.stream.writableLength
  }

  get needsDrain(): boolean {
    return this.stream.writableNeedDrain
  }

  pause(): void {
    this.stream.pause()
  }

  resume(): void {
    this.stream.resume()
  }

  end(): void {
    const stream = this.stream
    if (!this.reset && !stream.destroyed && !stream.writableEnded) stream.end()
  }

  destroy(): void {
    if (this.stream.destroyed) return
    // Destroying with an abort is what makes node:http2 send RST_STREAM with CANCEL straight
    // away; close(CANCEL) would first end the writable side (END_STREAM), and a peer that
    // answers END_STREAM with its own would see an orderly close.
    const controller = new AbortController()
    addAbortSignal(controller.signal, this.stream)
    controller.abort()
  }

  get info(): Readonly<Record<string, unknown>> {
    const stream = this.stream
    const socket = stream.session?.socket
    return {
      stream,
      session: stream.session,
      streamId: stream.id,
      remoteAddress: socket?.remoteAddress,
      remotePort: socket?.remotePort,
    }
  }
}
