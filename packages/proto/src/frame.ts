/** Frame-level constants (RFC 6455 section 5.2). */
export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const

export type DataOpcode = typeof Opcode.TEXT | typeof Opcode.BINARY

/** RSV1, RSV2 and RSV3 as they sit in the first header byte. */
export const RSV1 = 0x40
export const RSV2 = 0x20
export const RSV3 = 0x10
export const RSV_MASK = 0x70

/** Largest control frame payload. */
export const MAX_CONTROL_PAYLOAD = 125

/** The longest possible frame header: 2 + 8 length bytes + 4 mask bytes. */
export const MAX_HEADER_BYTES = 14
