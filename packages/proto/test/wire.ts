/**
 * Test-only wire helpers, written independently of src/: a plain frame builder and parser
 * (so tests never grade the encoder with itself), and drivers that feed a byte stream to a
 * connection in many chunkings and check that the events do not depend on the chunking.
 */
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import { type ConnectionOptions, WebSocketConnection, type WebSocketEvent } from '../src/index.ts'

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
export const fromHex = (text: string): Uint8Array =>
  new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'))

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

export interface FrameSpec {
  opcode: number
  payload?: Uint8Array | string
  fin?: boolean
  /** RSV bits as a 3-bit number: 4 = RSV1, 2 = RSV2, 1 = RSV3. */
  rsv?: number
  /** A masking key; omit for an unmasked frame. */
  mask?: readonly number[]
  /** Force a length encoding (non-minimal encodings are protocol errors). */
  lengthForm?: 7 | 16 | 64
}

/** Builds one frame byte by byte, straight from RFC 6455 section 5.2. */
export function frame(spec: FrameSpec): Uint8Array {
  const payload = typeof spec.payload === 'string' ? utf8(spec.payload) : (spec.payload ?? new Uint8Array(0))
  const bytes: number[] = []
  bytes.push(((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode)
  const maskBit = spec.mask ? 0x80 : 0
  const length = payload.length
  const form = spec.lengthForm ?? (length <= 125 ? 7 : length <= 0xffff ? 16 : 64)
  if (form === 7) bytes.push(maskBit | length)
  else if (form === 16) bytes.push(maskBit | 126, (length >> 8) & 0xff, length & 0xff)
  else {
    bytes.push(maskBit | 127)
    const big = BigInt(length)
    for (let shift = 56n; shift >= 0n; shift -= 8n) bytes.push(Number((big >> shift) & 0xffn))
  }
  if (spec.mask) bytes.push(...spec.mask)
  const out = new Uint8Array(bytes.length + length)
  out.set(bytes)
  for (let i = 0; i < length; i++) out[bytes.length + i] = payload[i] ^ (spec.mask ? spec.mask[i % 4] : 0)
  return out
}

export interface ParsedFrame {
  fin: boolean
  rsv: number
  opcode: number
  masked: boolean
  payload: Uint8Array
}

/** Parses complete frames (throws on a truncated stream), unmasking a copy of each payload. */
export function parseFrames(stream: Uint8Array): ParsedFrame[] {
  const frames: ParsedFrame[] = []
  let offset = 0
  while (offset < stream.length) {
    const first = stream[offset]
    const second = stream[offset + 1]
    offset += 2
    let length = second & 0x7f
    if (length === 126) {
      length = stream[offset] * 256 + stream[offset + 1]
      offset += 2
    } else if (length === 127) {
      length = 0
      for (let i = 0; i < 8; i++) length = length * 256 + stream[offset + i]
      offset += 8
    }
    const masked = (second & 0x80) !== 0
    const key = masked ? stream.slice(offset, offset + 4) : undefined
    if (masked) offset += 4
    if (offset + length > stream.length) throw new Error('truncated frame')
    const payload = stream.slice(offset, offset + length)
    if (key) for (let i = 0; i < length; i++) payload[i] ^= key[i % 4]
    offset += length
    frames.push({ fin: (first & 0x80) !== 0, rsv: (first >> 4) & 7, opcode: first & 0x0f, masked, payload })
  }
  return frames
}

/** A seeded random source for masking keys, so runs are reproducible. */
export function seededFill(seed: number): (out: Uint8Array) => void {
  const random = new Random(seed)
  return (out) => {
    for (let i = 0; i < out.length; i++) out[i] = random.next() & 0xff
  }
}

/** Events in a form `assert.equal` can compare: bytes as hex, errors as their codes. */
export function plain(events: readonly WebSocketEvent[]): unknown[] {
  return events.map((event) => {
    const copy: Record<string, unknown> = { ...event }
    if ('data' in event && event.data instanceof Uint8Array) copy.data = hex(event.data)
    if ('error' in event && event.error) copy.error = `${event.error.code}/${event.error.closeCode}`
    return copy
  })
}

export interface RunResult {
  events: WebSocketEvent[]
  /** Every outgoing byte, concatenated. */
  output: Uint8Array
  connection: WebSocketConnection
}

/** Feeds `pieces` (copied first: receive() unmasks in place) and collects events and output. */
export function run(options: ConnectionOptions, pieces: readonly Uint8Array[], eof = false): RunResult {
  const connection = new WebSocketConnection({ randomFill: seededFill(7), ...options })
  const events: WebSocketEvent[] = []
  const output: Uint8Array[] = []
  for (const piece of pieces) {
    connection.receive(piece.slice())
    events.push(...connection.takeEvents())
    output.push(...connection.takeOutgoing())
  }
  if (eof) connection.receiveEof()
  events.push(...connection.takeEvents())
  output.push(...connection.takeOutgoing())
  return { events, output: concat(...output), connection }
}

/** The ways every stream is fed: whole, byte by byte, random chunkings, and at an odd byteOffset. */
export function chunkings(stream: Uint8Array, seeds = 6): Uint8Array[][] {
  const variants: Uint8Array[][] = [[stream], Array.from(stream, (_, i) => stream.subarray(i, i + 1))]
  for (let seed = 1; seed <= seeds; seed++)
    variants.push(new Random(seed).chunks(stream, 1 + (seed % 3) * 40))
  const shifted = new Uint8Array(stream.length + 3)
  shifted.set(stream, 3)
  variants.push([shifted.subarray(3)])
  return variants
}

/**
 * Feeds `stream` in every chunking of `chunkings()`; asserts that events and output are the same
 * every time, and returns the result of the whole feed.
 */
export function runAllChunkings(options: ConnectionOptions, stream: Uint8Array, eof = false): RunResult {
  const variants = chunkings(stream)
  const reference = run(options, variants[0], eof)
  const expected = plain(reference.events)
  for (const [index, pieces] of variants.entries()) {
    const result = run(options, pieces, eof)
    assert.equal(plain(result.events), expected, `events differ in chunking #${index}`)
    assert.equal(hex(result.output), hex(reference.output), `output differs in chunking #${index}`)
  }
  return reference
}

/** The `closed` event of a run (there must be exactly one, and it must be last). */
export function closedEvent(events: readonly WebSocketEvent[]): Extract<WebSocketEvent, { type: 'closed' }> {
  const closed = events.filter((event) => event.type === 'closed')
  assert.is(closed.length, 1, 'exactly one closed event')
  assert.is(events[events.length - 1], closed[0], 'closed is the last event')
  return closed[0] as Extract<WebSocketEvent, { type: 'closed' }>
}

/** Masks for client frames in tests. */
export const MASK = [0x37, 0xfa, 0x21, 0x3d] as const
export const SERVER: ConnectionOptions = { role: 'server' }
export const CLIENT: ConnectionOptions = { role: 'client' }

/**
 * Asserts that `fn` throws an instance of `kind` (uvu's `assert.throws` would call a built-in
 * error class as a function, which always "passes").
 */
export function throwsKind(
  fn: () => unknown,
  kind: abstract new (...args: never[]) => Error,
  message?: RegExp,
): void {
  let thrown: unknown
  try {
    fn()
  } catch (error) {
    thrown = error
  }
  assert.ok(thrown !== undefined, `expected a ${kind.name}, nothing was thrown`)
  assert.ok(thrown instanceof kind, `expected a ${kind.name}, got ${String(thrown)}`)
  if (message) assert.match((thrown as Error).message, message)
}
