/**
 * The close code and reason rules shared by WebSocket.close(), WebSocketStream.close() and
 * WebSocketError: a code must be 1000 or 3000-4999 (else "InvalidAccessError"), a reason at
 * most 123 bytes of UTF-8 (else "SyntaxError"), checked in that order, before any state.
 */
import { domException, utf8Length } from './globals.ts'

export const MAX_REASON_BYTES = 123

export function validateCloseCodeAndReason(code: number | null, reason: string): void {
  if (code !== null && code !== 1000 && !(code >= 3000 && code <= 4999)) {
    throw domException(
      `The close code must be either 1000, or between 3000 and 4999. ${code} is neither.`,
      'InvalidAccessError',
    )
  }
  const bytes = utf8Length(reason)
  if (bytes > MAX_REASON_BYTES) {
    throw domException(
      `The close reason must not be greater than ${MAX_REASON_BYTES} UTF-8 bytes (it is ${bytes}).`,
      'SyntaxError',
    )
  }
}

/** What goes in the close frame: a reason without a code is sent with 1000; neither, no body. */
export function closeFrameArgs(code: number | null, reason: string): [code?: number, reason?: string] {
  if (code === null) return reason === '' ? [] : [1000, reason]
  return reason === '' ? [code] : [code, reason]
}
