// The fuzzing peer's own frame and handshake code. It shares nothing with @ws/proto on purpose:
// a suite that graded the stack with the stack's own parser could not catch the parser's bugs.
// It is deliberately permissive when writing (any opcode, any RSV bits, any length) and strict
// when reading what the implementation under test sends.
import { createHash, randomBytes } from 'node:crypto'
import { bytesOf, concat } from '../bytes.ts'

export { bytesOf, concat }

/** `pattern` repeated to exactly `length` bytes. */
export function repeatTo(pattern: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length)
  if (length === 0) return out
  if (pattern.length === 0) throw new RangeError('cannot repeat an empty pattern')
  let filled = Math.min(pattern.length, length)
  out.set(pattern.subarray(0, filled))
  while (filled < length) {
    const n = Math.min(filled, length - filled)
    out.copyWithin(filled, 0, n)
    filled += n
  }
  return out
}

/** XORs `data` in place with the 4-byte `key`, starting at key position `offset`. */
export function applyMask(data: Uint8Array, key: Uint8Array, offset = 0): void {
  const k0 = key[offset & 3] as number
  const k1 = key[(offset + 1) & 3] as number
  const k2 = key[(offset + 2) & 3] as number
  const k3 = key[(offset + 3) & 3] as number
  const n = data.length
  let i = 0
  if (data.byteOffset % 4 === 0 && n >= 16) {
    const words = new Uint32Array(data.buffer, data.byteOffset, n >>> 2)
    const bytes = new Uint8Array([k0, k1, k2, k3])
    const word = new Uint32Array(bytes.buffer)[0] as number
    for (let w = 0; w < words.length; w++) words[w] = (words[w] as number) ^ word
    i = words.length * 4
  }
  for (; i < n; i++) {
    const m = i & 3
    data[i] = (data[i] as number) ^ (m === 0 ? k0 : m === 1 ? k1 : m === 2 ? k2 : k3)
  }
}

export interface FrameSpec {
  opcode: number
  fin: boolean
  rsv: number
  payload: Uint8Array
  /** A 4-byte masking key, or null to send unmasked. */
  mask: Uint8Array | null
}

/** The frame header for a payload of `length` bytes (minimal length encoding). */
export function frameHeader(
  opcode: number,
  fin: boolean,
  rsv: number,
  length: number,
  mask: Uint8Array | null,
) {
  const extra = length < 126 ? 0 : length < 0x10000 ? 2 : 8
  const header = new Uint8Array(2 + extra + (mask === null ? 0 : 4))
  header[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)
  const maskBit = mask === null ? 0 : 0x80
  if (extra === 0) header[1] = maskBit | length
  else if (extra === 2) {
    header[1] = maskBit | 126
    header[2] = length >>> 8
    header[3] = length & 0xff
  } else {
    header[1] = maskBit | 127
    const view = new DataView(header.buffer)
    view.setUint32(2, Math.floor(length / 2 ** 32))
    view.setUint32(6, length >>> 0)
  }
  if (mask !== null) header.set(mask, 2 + extra)
  return header
}

/** One whole frame; the payload is copied, then masked when a key is given. */
export function encodeFrame(spec: FrameSpec): Uint8Array {
  const header = frameHeader(spec.opcode, spec.fin, spec.rsv, spec.payload.length, spec.mask)
  const out = new Uint8Array(header.length + spec.payload.length)
  out.set(header)
  out.set(spec.payload, header.length)
  if (spec.mask !== null) applyMask(out.subarray(header.length), spec.mask)
  return out
}

export function newMaskKey(): Uint8Array {
  return new Uint8Array(randomBytes(4))
}

export interface Frame {
  fin: boolean
  rsv: number
  opcode: number
  masked: boolean
  payload: Uint8Array
}

/**
 * Reads frames from a byte stream. The header is gathered in a small buffer and each payload
 * is copied once into a buffer of its announced size, so a large frame that arrives in many
 * pieces costs linear time.
 */
export class FrameReader {
  private readonly header = new Uint8Array(14)
  private headerLength = 0
  private payload: Uint8Array | null = null
  private payloadFilled = 0
  private current: Omit<Frame, 'payload'> | null = null
  private maskKey = new Uint8Array(4)

  constructor(private readonly maxPayload: number) {}

  /** Feeds bytes; returns the frames they completed. Throws on a malformed header. */
  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = []
    let at = 0
    while (
      at < chunk.length ||
      (this.current !== null && this.payload !== null && this.payload.length === 0)
    ) {
      if (this.current === null) {
        this.header[this.headerLength++] = chunk[at++] as number
        this.tryHeader()
        continue
      }
      const payload = this.payload as Uint8Array
      const take = Math.min(payload.length - this.payloadFilled, chunk.length - at)
      payload.set(chunk.subarray(at, at + take), this.payloadFilled)
      this.payloadFilled += take
      at += take
      if (this.payloadFilled === payload.length) {
        if (this.current.masked) applyMask(payload, this.maskKey)
        frames.push({ ...this.current, payload })
        this.current = null
        this.payload = null
        this.headerLength = 0
      }
    }
    return frames
  }

  private tryHeader(): void {
    const h = this.header
    const n = this.headerLength
    if (n < 2) return
    const masked = ((h[1] as number) & 0x80) !== 0
    const short = (h[1] as number) & 0x7f
    const extra = short === 126 ? 2 : short === 127 ? 8 : 0
    const need = 2 + extra + (masked ? 4 : 0)
    if (n < need) return
    let length = short
    if (extra === 2) length = ((h[2] as number) << 8) | (h[3] as number)
    else if (extra === 8) {
      const view = new DataView(h.buffer)
      const high = view.getUint32(2)
      if (high >= 0x200000) throw new Error('frame length beyond 2^53')
      length = high * 2 ** 32 + view.getUint32(6)
      if (length < 0x10000) throw new Error('64-bit frame length that fits in 16 bits')
    }
    if (extra === 2 && length < 126) throw new Error('16-bit frame length that fits in 7 bits')
    if (length > this.maxPayload) throw new Error(`frame of ${length} bytes is over the peer's limit`)
    if (masked) this.maskKey = h.slice(2 + extra, 6 + extra)
    this.current = {
      fin: ((h[0] as number) & 0x80) !== 0,
      rsv: ((h[0] as number) >> 4) & 7,
      opcode: (h[0] as number) & 0x0f,
      masked,
    }
    this.payload = new Uint8Array(length)
    this.payloadFilled = 0
  }
}

// --- Handshake -------------------------------------------------------------------------------

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

/** Sec-WebSocket-Accept for a key, computed with node:crypto (not our SHA-1). */
export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64')
}

export interface HttpHead {
  /** The request line or status line. */
  startLine: string
  /** Lower-case names; repeated fields joined with ", ". */
  headers: Map<string, string>
}

/**
 * Looks for the end of an HTTP head in `buffer`; returns the head and what followed it, or
 * null when the head is not complete yet.
 */
export function readHttpHead(buffer: Uint8Array): { head: HttpHead; rest: Uint8Array } | null {
  for (let i = 3; i < buffer.length; i++) {
    if (buffer[i] === 10 && buffer[i - 1] === 13 && buffer[i - 2] === 10 && buffer[i - 3] === 13) {
      const text = Buffer.from(buffer.buffer, buffer.byteOffset, i - 3).toString('latin1')
      const lines = text.split('\r\n')
      const headers = new Map<string, string>()
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':')
        if (colon <= 0) throw new Error(`malformed header line ${JSON.stringify(line)}`)
        const name = line.slice(0, colon).trim().toLowerCase()
        const value = line.slice(colon + 1).trim()
        const previous = headers.get(name)
        headers.set(name, previous === undefined ? value : `${previous}, ${value}`)
      }
      return { head: { startLine: lines[0] ?? '', headers }, rest: buffer.subarray(i + 1) }
    }
  }
  if (buffer.length > 64 * 1024) throw new Error('HTTP head over 64 KiB')
  return null
}

export interface ExtensionOffer {
  name: string
  /** Parameter name to value; `true` for a parameter without a value. */
  params: Map<string, string | true>
}

/** Splits a Sec-WebSocket-Extensions value (benign peers only: no quoted commas). */
export function parseExtensionsHeader(value: string): ExtensionOffer[] {
  const offers: ExtensionOffer[] = []
  for (const item of value.split(',')) {
    const parts = item.split(';').map((part) => part.trim())
    const name = parts[0] ?? ''
    if (name === '') continue
    const params = new Map<string, string | true>()
    for (const part of parts.slice(1)) {
      if (part === '') continue
      const eq = part.indexOf('=')
      if (eq < 0) params.set(part, true)
      else
        params.set(
          part.slice(0, eq).trim(),
          part
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1'),
        )
    }
    offers.push({ name, params })
  }
  return offers
}
