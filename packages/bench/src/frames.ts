/**
 * Frame parsing, server role: a pre-built stream of masked binary frames fed in 64 KiB chunks
 * (what a socket delivers) to @ws/proto's WebSocketConnection and to ws's Receiver, both
 * delivering every message. Payload sizes 16 B, 1 KiB, 64 KiB and 1 MiB.
 */
import { createRequire } from 'node:module'
import { allocateUnfilled } from '@ws/node-tcp'
import { WebSocketConnection } from '@ws/proto'
import { preferWasmMasking } from '@ws/proto/wasm-mask'
import { assertSameOutput, type Comparison, compare, type MeasureOptions } from './harness.ts'

export interface WsReceiver {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void
  on(event: 'error', listener: (error: Error) => void): void
  write(chunk: Buffer): boolean
}
/** ws's Receiver (its frame parser), loaded the way ws itself loads it. */
export const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: {
    isServer: boolean
    maxPayload: number
    allowSynchronousEvents: boolean
  }) => WsReceiver
}

export interface FrameRow extends Comparison {
  payloadBytes: number
  framesPerOp: number
}

export const FRAME_SIZES = [16, 1024, 65536, 1 << 20] as const
const CHUNK = 65536

/**
 * `count` masked frames (FIN set, `opcode`) of `payload`, or of `size` pseudo-random bytes when
 * `payload` is null, each with its own pseudo-random key, cut into 64 KiB chunks as a socket
 * would deliver them. Deterministic: the same arguments give the same bytes.
 */
export function maskedFrameStream(
  opcode: number,
  count: number,
  size: number,
  payload: Uint8Array | null,
): Buffer[] {
  const header = size < 126 ? 2 : size < 65536 ? 4 : 10
  const frameBytes = header + 4 + size
  const stream = Buffer.alloc(count * frameBytes)
  let x = 0x2545f491
  const next = (): number => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x & 0xff
  }
  for (let f = 0; f < count; f++) {
    let offset = f * frameBytes
    stream[offset++] = 0x80 | opcode
    if (size < 126) stream[offset++] = 0x80 | size
    else if (size < 65536) {
      stream[offset++] = 0x80 | 126
      stream.writeUInt16BE(size, offset)
      offset += 2
    } else {
      stream[offset++] = 0x80 | 127
      stream.writeUInt32BE(0, offset)
      stream.writeUInt32BE(size, offset + 4)
      offset += 8
    }
    const key = offset
    for (let i = 0; i < 4; i++) stream[offset++] = next() | 1
    for (let i = 0; i < size; i++) {
      const byte = payload === null ? next() : (payload[i] as number)
      stream[offset + i] = byte ^ (stream[key + (i & 3)] as number)
    }
  }
  const chunks: Buffer[] = []
  for (let offset = 0; offset < stream.length; offset += CHUNK)
    chunks.push(stream.subarray(offset, offset + CHUNK))
  return chunks
}

/** Masked binary frames of `size` bytes, enough of them to make about 256 KiB, cut into 64 KiB chunks. */
export function maskedStream(size: number): { chunks: Buffer[]; frames: number } {
  const frames = Math.max(1, Math.floor((256 * 1024) / (size + 14)))
  return { chunks: maskedFrameStream(0x2, frames, size, null), frames }
}

/** Both parsers unmask in place, so each gets its own copy of the stream. */
const copyOf = (chunks: readonly Buffer[]): Buffer[] => chunks.map((chunk) => Buffer.from(chunk))

function oursParser(): { feed(chunks: readonly Buffer[]): number; last: () => Uint8Array } {
  // The masking kernel every transport of ours uses (through @ws/driver).
  preferWasmMasking()
  // Configured as @ws/node-tcp and @ws/node-tls configure it in Node: joined messages in buffers
  // that are not zero-filled first (the core writes every byte of them).
  const connection = new WebSocketConnection({
    role: 'server',
    limits: { maxMessageSize: 2 << 20 },
    allocate: allocateUnfilled,
  })
  let last: Uint8Array = new Uint8Array(0)
  return {
    // As an adapter does: after each chunk, take events until none are left (parsing pauses
    // when maxQueuedEvents are waiting and resumes as they are taken).
    feed(chunks) {
      let count = 0
      for (const chunk of chunks) {
        connection.receive(chunk)
        for (let events = connection.takeEvents(); events.length > 0; events = connection.takeEvents()) {
          for (const event of events) {
            if (event.type === 'binary') {
              last = event.data
              count++
            }
          }
        }
      }
      return count
    },
    last: () => last,
  }
}

function wsParser(): { feed(chunks: readonly Buffer[]): number; last: () => Uint8Array } {
  const receiver = new Receiver({ isServer: true, maxPayload: 2 << 20, allowSynchronousEvents: true })
  let count = 0
  let last: Uint8Array = new Uint8Array(0)
  receiver.on('message', (data) => {
    last = data
    count++
  })
  receiver.on('error', (error) => {
    throw error
  })
  return {
    feed(chunks) {
      count = 0
      for (const chunk of chunks) receiver.write(chunk)
      return count
    },
    last: () => last,
  }
}

export function benchFrames(options: MeasureOptions, sizes: readonly number[] = FRAME_SIZES): FrameRow[] {
  return sizes.map((size) => {
    const { chunks, frames } = maskedStream(size)
    // Correctness first, on fresh copies: both deliver every frame with the same last payload.
    const ours = oursParser()
    const peer = wsParser()
    if (ours.feed(copyOf(chunks)) !== frames || peer.feed(copyOf(chunks)) !== frames) {
      throw new Error(`frame parsing of ${size}-byte frames: a parser lost frames`)
    }
    assertSameOutput(`last ${size}-byte frame`, ours.last(), peer.last())
    // Timing: the payload is unmasked in place on every pass, so later passes parse other bytes
    // of the same shape (binary frames have no content rules); both sides get the same treatment.
    const oursChunks = copyOf(chunks)
    const peerChunks = copyOf(chunks)
    const comparison = compare(
      { run: () => ours.feed(oursChunks) },
      { run: () => peer.feed(peerChunks) },
      options,
    )
    return { payloadBytes: size, framesPerOp: frames, ...comparison }
  })
}
