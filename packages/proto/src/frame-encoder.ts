/**
 * Serialises frames (RFC 6455 section 5.2) with the minimal length encoding. Masked frames are
 * built in a fresh buffer (the caller's bytes are never changed). Unmasked payloads above
 * `COPY_THRESHOLD` are not copied: the header goes out as its own chunk, ready for a gathered
 * write, and the payload is the caller's view.
 */
import { applyMask } from './mask.ts'

/** Up to this payload size, header and payload are joined into one chunk. */
export const COPY_THRESHOLD = 4096

/** Bytes of the header of a frame with `length` payload bytes. */
export function headerLength(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 65536 ? 4 : 10) + (masked ? 4 : 0)
}

/**
 * Writes a frame header into `target` at `offset`; returns the offset after it. `first` is the
 * first header byte without FIN: RSV bits | opcode.
 */
export function writeHeader(
  target: Uint8Array,
  offset: number,
  fin: boolean,
  first: number,
  length: number,
  maskKey: Uint8Array | null,
): number {
  target[offset++] = (fin ? 0x80 : 0) | first
  const maskBit = maskKey ? 0x80 : 0
  if (length < 126) {
    target[offset++] = maskBit | length
  } else if (length < 65536) {
    target[offset++] = maskBit | 126
    target[offset++] = length >>> 8
    target[offset++] = length & 0xff
  } else {
    target[offset++] = maskBit | 127
    const high = Math.floor(length / 0x100000000)
    const low = length >>> 0
    target[offset++] = high >>> 24
    target[offset++] = (high >>> 16) & 0xff
    target[offset++] = (high >>> 8) & 0xff
    target[offset++] = high & 0xff
    target[offset++] = low >>> 24
    target[offset++] = (low >>> 16) & 0xff
    target[offset++] = (low >>> 8) & 0xff
    target[offset++] = low & 0xff
  }
  if (maskKey) {
    target[offset++] = maskKey[0]
    target[offset++] = maskKey[1]
    target[offset++] = maskKey[2]
    target[offset++] = maskKey[3]
  }
  return offset
}

/**
 * Appends the chunks of one frame to `out`: one chunk, or header and payload view for a large
 * unmasked payload. `first` is RSV bits | opcode.
 */
export function encodeFrame(
  out: Uint8Array[],
  fin: boolean,
  first: number,
  payload: Uint8Array,
  maskKey: Uint8Array | null,
): void {
  const length = payload.length
  const headerBytes = headerLength(length, maskKey !== null)
  if (maskKey === null && length > COPY_THRESHOLD) {
    const header = new Uint8Array(headerBytes)
    writeHeader(header, 0, fin, first, length, null)
    out.push(header, payload)
    return
  }
  const frame = new Uint8Array(headerBytes + length)
  const offset = writeHeader(frame, 0, fin, first, length, maskKey)
  frame.set(payload, offset)
  if (maskKey) applyMask(frame.subarray(offset), maskKey, 0)
  out.push(frame)
}
