/**
 * A message encoded once for many connections (fan-out): the text is encoded to UTF-8 once, and
 * the frame is built once per kind of connection that encodes it identically. Unmasked server
 * connections without extensions share one frame; connections whose extensions encode the same
 * way (permessage-deflate without context takeover on our side, with the same settings) share
 * one compressed frame; the others (clients, which mask each frame with a fresh key, and
 * compressors with context takeover) encode it themselves. Send it with
 * `WebSocketConnection.sendPrepared()`.
 */
import { isBytes } from '@ws/crypto'
import { Opcode } from './frame.ts'
import { encodeUtf8 } from './web.ts'

export class PreparedMessage {
  /** Opcode.TEXT or Opcode.BINARY. */
  readonly opcode: number
  /** The message's bytes (UTF-8 for text). Do not modify them while the message is in use. */
  readonly payload: Uint8Array
  /** @internal The frames made so far, by encoding (see WebSocketConnection.sendPrepared). */
  readonly frames = new Map<string, readonly Uint8Array[]>()

  constructor(data: string | Uint8Array) {
    if (typeof data === 'string') {
      this.opcode = Opcode.TEXT
      this.payload = encodeUtf8(data)
    } else if (isBytes(data)) {
      this.opcode = Opcode.BINARY
      this.payload = data
    } else {
      throw new TypeError('PreparedMessage takes a string or a Uint8Array')
    }
  }

  /** How many distinct frames were built (1 for any number of plain server connections). */
  get encodings(): number {
    return this.frames.size
  }
}
