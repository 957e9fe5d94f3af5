/** Close status codes (RFC 6455 section 7.4 and the IANA registry). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  /** Reserved: never on the wire; reported when a close frame carried no code. */
  NO_STATUS: 1005,
  /** Reserved: never on the wire; reported when the transport ended without a close frame. */
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  BAD_GATEWAY: 1014,
  /** Reserved: never on the wire; a TLS handshake failure. */
  TLS_HANDSHAKE: 1015,
} as const

/**
 * True for codes that may appear in a close frame: 1000-1003, 1007-1014 and 3000-4999.
 * 1012-1014 are registered with IANA (restart, try again later, bad gateway) and accepted, as
 * ws, undici and the current Autobahn suite do. 1004-1006, 1015, 0-999, 1016-2999 and 5000+ are
 * not: a peer that sends one fails with 1002.
 */
export function isValidWireCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)
}

/** Maximum bytes of a close reason: a control payload is at most 125 bytes, 2 of them the code. */
export const MAX_CLOSE_REASON_BYTES = 123
