/**
 * The seam for WebSocket extensions (RFC 6455 section 9). Negotiation (`ExtensionFactory`) is
 * separate from the per-connection codec (`Extension`). permessage-deflate is the first user.
 */
import type { ExtensionParam } from './handshake/header-values.ts'

export type { ExtensionParam }

/** A negotiated extension, as one connection uses it. */
export interface Extension {
  /** The extension's registered name, e.g. `permessage-deflate`. */
  readonly name: string
  /** The parameters agreed in the handshake. */
  readonly params: readonly ExtensionParam[]
  /**
   * The RSV bits (RSV1 = 0x40, RSV2 = 0x20, RSV3 = 0x10) this extension may set on the first
   * frame of a data message. A set bit that no extension claims is a protocol error (1002), as is
   * any RSV bit on a continuation or control frame.
   */
  readonly rsvBits: number
  /**
   * An incoming data message starts; `rsv` holds the RSV bits of its first frame. Returns true
   * when this extension decodes the message.
   */
  startMessage(rsv: number): boolean
  /**
   * Decodes the next piece of a message this extension claimed. `budget` is how many more
   * decoded bytes the message may have; the extension must never produce more than that and
   * throws an `ExtensionError` with close code 1009 instead (so a small bomb never expands in
   * memory). Corrupt input throws an `ExtensionError` with the close code to send.
   */
  decode(data: Uint8Array, budget: number): Uint8Array[]
  /** The message's last frame has ended; returns any remaining decoded bytes (same rules). */
  endMessage(budget: number): Uint8Array[]
  /**
   * Encodes an outgoing message, or one fragment of it (`first`/`last` say which). Returns the
   * bytes to send and the RSV bits for the frame; RSV bits are only honoured on a first frame.
   */
  encode(data: Uint8Array, first: boolean, last: boolean): { data: Uint8Array; rsv: number }
  /**
   * Optional, for fan-out (see PreparedMessage): a string naming how this extension would encode
   * a whole message right now, equal for every connection whose encoding of the same message is
   * byte-identical (e.g. a compressor without context takeover and with the same settings), or
   * null when the encoding depends on this connection's state. Without it, messages are encoded
   * per connection.
   */
  sharedEncoding?(): string | null
}

/** Negotiates one extension in the opening handshake. */
export interface ExtensionFactory {
  /** The extension's registered name. */
  readonly name: string
  /** Client: the offers to send, in order of preference (each a list of parameters). */
  offer(): ExtensionParam[][]
  /**
   * Client: the server accepted with `params`; returns the configured extension, or throws an
   * Error whose message says why the response is unacceptable (the handshake then fails).
   */
  acceptResponse(params: readonly ExtensionParam[]): Extension
  /**
   * Server: every offer the client made for this extension, in the client's order. Returns the
   * response parameters and the configured extension, or null to decline.
   */
  acceptOffer(
    offers: readonly (readonly ExtensionParam[])[],
  ): { params: ExtensionParam[]; extension: Extension } | null
}
