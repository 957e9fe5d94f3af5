/**
 * Two families of errors. Misuse by the local caller throws at once (`InvalidStateError`,
 * `TypeError`, `RangeError`). Misbehaviour by the peer never throws out of the core: it becomes a
 * `ProtocolError` that fails the connection with its close code and is reported in the `closed`
 * event, or a `HandshakeError` returned by the handshake objects.
 */

/** Base class of the errors this package creates. */
export class WebSocketError extends Error {
  /** A stable string code, e.g. `WS_ERR_INVALID_OPCODE`. */
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.name = 'WebSocketError'
    this.code = code
  }
}

/** The peer broke the protocol after the handshake; `closeCode` is what went on the wire. */
export class ProtocolError extends WebSocketError {
  readonly closeCode: number
  constructor(code: string, closeCode: number, message: string) {
    super(code, message)
    this.name = 'ProtocolError'
    this.closeCode = closeCode
  }
}

/** The local caller did something the current state does not allow (e.g. send after close). */
export class InvalidStateError extends WebSocketError {
  constructor(message: string) {
    super('WS_ERR_INVALID_STATE', message)
    this.name = 'InvalidStateError'
  }
}

/** The status line and headers of an HTTP response the client received instead of a 101. */
export interface HttpResponseInfo {
  status: number
  statusText: string
  headers: readonly (readonly [string, string])[]
}

/**
 * The opening handshake failed. On the server, `httpStatus` is the status the response carries
 * (400, 405, 426, 431, 505); on the client, `response` holds what the server answered when the
 * response was a well-formed HTTP head.
 */
export class HandshakeError extends WebSocketError {
  readonly httpStatus: number | undefined
  readonly response: HttpResponseInfo | undefined
  constructor(
    code: string,
    message: string,
    options: { httpStatus?: number; response?: HttpResponseInfo } = {},
  ) {
    super(code, message)
    this.name = 'HandshakeError'
    this.httpStatus = options.httpStatus
    this.response = options.response
  }
}

/**
 * Thrown by an extension's codec for bad peer data (e.g. corrupt compressed data) or a size limit;
 * the connection turns it into a `ProtocolError` with the same close code.
 */
export class ExtensionError extends Error {
  readonly closeCode: number
  readonly code: string
  /**
   * Message bytes the extension decoded before it failed: the receiver takes them (checking
   * them as usual) before it fails the connection, so the close code does not depend on where
   * the input was cut into chunks.
   */
  readonly output: readonly Uint8Array[]
  constructor(code: string, closeCode: number, message: string, output: readonly Uint8Array[] = []) {
    super(message)
    this.name = 'ExtensionError'
    this.code = code
    this.closeCode = closeCode
    this.output = output
  }
}
