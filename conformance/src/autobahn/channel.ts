// The byte channel a fuzzing peer runs its frames on: a TCP socket (HTTP/1.1 Upgrade) or an
// HTTP/2 stream (RFC 8441). The peer only writes bytes, reads bytes and closes; how each close
// looks on the wire is decided here.
//
// The mapping for HTTP/2 follows RFC 8441 section 6 (END_STREAM is a TCP FIN, RST_STREAM with
// CANCEL a TCP RST):
// - the fuzzer's orderly close (a server closing TCP after the closing handshake) sends
//   END_STREAM;
// - the fuzzer's drop (failing by drop, a close handshake or server close that timed out, the
//   runner giving up) resets the stream with CANCEL;
// - END_STREAM from the implementation is its TCP FIN: the fuzzer ends its side in turn, as a
//   TCP socket without half-open does, and the connection is gone once both sides have ended;
// - RST_STREAM from the implementation, or the end of its whole session, is a TCP RST: gone.
// The close verdicts then read exactly as over TCP: "dropped by me" means the fuzzer sent
// END_STREAM or RST_STREAM first, and "clean" still means close frames went both ways.
import type { Http2Stream } from 'node:http2'
import type { Socket } from 'node:net'
import { addAbortSignal } from 'node:stream'

export interface Channel {
  write(bytes: Uint8Array): void
  /** The orderly close of the fuzzer's side: TCP FIN, or END_STREAM. */
  end(): void
  /** The drop: TCP closed at once, or RST_STREAM with CANCEL. */
  destroy(): void
  readonly destroyed: boolean
  onData(listener: (chunk: Uint8Array) => void): void
  /** Called once, when the connection (or stream) is gone in both directions. */
  onClose(listener: () => void): void
}

/** A TCP socket whose opening handshake is done. */
export function tcpChannel(socket: Socket): Channel {
  socket.setNoDelay(true)
  socket.on('error', () => {})
  return {
    write: (bytes) => {
      socket.write(bytes)
    },
    end: () => {
      socket.end()
    },
    destroy: () => {
      socket.destroy()
    },
    get destroyed() {
      return socket.destroyed
    },
    onData: (listener) => {
      socket.on('data', listener)
    },
    onClose: (listener) => {
      socket.once('close', listener)
    },
  }
}

/** An HTTP/2 stream whose extended CONNECT got its 200. */
export function h2Channel(stream: Http2Stream): Channel {
  stream.on('error', () => {})
  // The implementation's END_STREAM is its FIN: end ours too, as TCP without half-open does.
  // (After a reset, node:http2 ends the readable side too, on a stream already closed.)
  stream.on('end', () => {
    if (!stream.closed && !stream.writableEnded) stream.end()
  })
  return {
    write: (bytes) => {
      if (!stream.destroyed && !stream.writableEnded) stream.write(bytes)
    },
    end: () => {
      if (!stream.destroyed && !stream.writableEnded) stream.end()
    },
    destroy: () => resetStream(stream),
    get destroyed() {
      return stream.destroyed
    },
    onData: (listener) => {
      stream.on('data', listener)
    },
    onClose: (listener) => {
      stream.once('close', listener)
    },
  }
}

/**
 * Resets a stream with CANCEL at once. node:http2 sends CANCEL for a stream destroyed by an
 * abort; `close(CANCEL)` would end the writable side (END_STREAM) first.
 */
export function resetStream(stream: Http2Stream): void {
  if (stream.destroyed) return
  const controller = new AbortController()
  addAbortSignal(controller.signal, stream)
  controller.abort()
}
