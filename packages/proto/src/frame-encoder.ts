/**
 * Serialises frames (RFC 6455 section 5.2) with the minimal length encoding. Masked frames are
 * built in a fresh buffer (the caller's bytes are never changed). Unmasked payloads above
 * `COPY_THRESHOLD` are not copied: the header goes out as its own chunk, ready for a gathered
 * write, and the payload is the caller's view.
 */
import { maskCopy, maskWord } from './mask.ts'
import type { Allocate } from './message-buffer.ts'

/** Up to this payload size, header and payload are joined into one chunk. */
export const COPY_THRESHOLD = 4096

/**
 * Small frames are cut from shared 64 KiB slabs instead of each getting an ArrayBuffer of its
 * own (an allocation per frame was most of the cost of sending small messages). A slab region
 * is handed out once and never reused, and every byte of it is written, so frames stay valid
 * for as long as the caller keeps them and never show stale bytes (a slab starts zero-filled).
 * An ArrayBuffer costs about the same to create at 16 and 64 KiB, so 64 KiB slabs make 1 KiB
 * frames about a fifth cheaper to build; the price is that one kept frame keeps 64 KiB alive.
 */
const SLAB_BYTES = 64 * 1024
const SLAB_MAX_FRAME = 2048
let slab: Uint8Array | null = null
let slabOffset = SLAB_BYTES

/**
 * A buffer for a frame of `size` bytes. A slab frame starts where its payload (after
 * `headerBytes`) has the alignment `payloadAlign` (0-3), the alignment of the payload it will
 * carry, so masking can copy it a word at a time; the skipped bytes are never part of a frame.
 */
function allocateFrame(
  size: number,
  headerBytes: number,
  payloadAlign: number,
  allocate: Allocate,
): Uint8Array {
  if (size > SLAB_MAX_FRAME) return allocate(size)
  let start = slabOffset + ((payloadAlign - slabOffset - headerBytes) & 3)
  if (start + size > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES)
    start = (payloadAlign - headerBytes) & 3
  }
  slabOffset = start + size
  return (slab as Uint8Array).subarray(start, slabOffset)
}

/** Below this many payload bytes, copying and masking in one byte loop beats maskCopy(). */
const FUSED_MASK_MAX = 64

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
 * unmasked payload. `first` is RSV bits | opcode. Frames over 2 KiB come from `allocate`.
 */
export function encodeFrame(
  out: Uint8Array[],
  fin: boolean,
  first: number,
  payload: Uint8Array,
  maskKey: Uint8Array | null,
  allocate: Allocate,
): void {
  const length = payload.length
  const headerBytes = headerLength(length, maskKey !== null)
  if (maskKey === null && length > COPY_THRESHOLD) {
    const header = new Uint8Array(headerBytes)
    writeHeader(header, 0, fin, first, length, null)
    out.push(header, payload)
    return
  }
  const frame = allocateFrame(headerBytes + length, headerBytes, payload.byteOffset & 3, allocate)
  const offset = writeHeader(frame, 0, fin, first, length, maskKey)
  if (maskKey === null) {
    frame.set(payload, offset)
  } else if (length <= FUSED_MASK_MAX) {
    for (let index = 0; index < length; index++) frame[offset + index] = payload[index] ^ maskKey[index & 3]
  } else {
    maskCopy(payload, maskWord(maskKey, 0), frame, offset)
  }
  out.push(frame)
}
