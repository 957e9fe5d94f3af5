/**
 * Frame building and masking, client role: one binary message per operation, through
 * @ws/proto's WebSocketConnection (`sendBinary` then `takeOutgoing`) and through ws's
 * `Sender.frame` (what `WebSocket#send` calls). Payloads 16 B, 125 B, 1 KiB, 64 KiB and 1 MiB.
 *
 * ws has two paths. `readOnly: true` is what `ws.send(buffer)` does with a caller's Buffer: the
 * frame is built in a fresh buffer and the caller's bytes are left alone, as ours always does.
 * `readOnly: false` is the path for bytes ws owns (a string it encoded): it masks the payload in
 * place and allocates only the header. Both are reported; the first is the like-for-like one.
 *
 * Our connection gets the allocator our Node adapters (@ws/node-tcp) give the core,
 * `allocateUnfilled`: frames over 2 KiB in memory that is not zero-filled first (every byte is
 * written), as ws's `Buffer.allocUnsafe` is. The core's default zero-fills.
 */
import { createRequire } from 'node:module'
import { allocateUnfilled } from '@ws/node-tcp'
import { WebSocketConnection } from '@ws/proto'
import { preferWasmMasking } from '@ws/proto/wasm-mask'
import { type Comparison, compare, type MeasureOptions } from './harness.ts'

interface FrameOptions {
  fin: boolean
  opcode: number
  mask: boolean
  readOnly: boolean
  rsv1: boolean
}
const { Sender } = createRequire(import.meta.url)('ws') as {
  Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] }
}

export type WsBuildPath = 'readOnly: true' | 'readOnly: false'

export interface BuildRow extends Comparison {
  payloadBytes: number
  wsPath: WsBuildPath
}

export const BUILD_SIZES = [16, 125, 1024, 65536, 1 << 20] as const

/** Deterministic payload bytes. */
export function payload(size: number, seed = 0x1234567): Buffer {
  const bytes = Buffer.alloc(size)
  let x = seed
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    bytes[i] = x >>> 24
  }
  return bytes
}

/** Undoes the masking of one client frame: the payload it carries. */
export function unmaskFrame(frame: Uint8Array): Uint8Array {
  const code = (frame[1] as number) & 0x7f
  const offset = code < 126 ? 2 : code === 126 ? 4 : 10
  const key = frame.subarray(offset, offset + 4)
  const body = frame.slice(offset + 4)
  for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (key[i & 3] as number)
  return body
}

const concat = (chunks: readonly Uint8Array[]): Uint8Array => Buffer.concat(chunks)

export function oursBuild(data: Uint8Array): () => Uint8Array[] {
  // The masking kernel every transport of ours uses (through @ws/driver).
  preferWasmMasking()
  const connection = new WebSocketConnection({ role: 'client', allocate: allocateUnfilled })
  return () => {
    connection.sendBinary(data)
    return connection.takeOutgoing()
  }
}

export function wsBuild(data: Buffer, readOnly: boolean): () => Buffer[] {
  const options: FrameOptions = { fin: true, opcode: 0x02, mask: true, readOnly, rsv1: false }
  return () => Sender.frame(data, options)
}

export function benchBuilding(options: MeasureOptions, sizes: readonly number[] = BUILD_SIZES): BuildRow[] {
  const rows: BuildRow[] = []
  for (const size of sizes) {
    const data = payload(size)
    const ours = oursBuild(data)
    // Correctness: each side's frame, unmasked, carries the payload; ws's in-place path gets
    // its own copy, which it scrambles on every call.
    const oursFrame = concat(ours())
    if (oursFrame[0] !== 0x82 || !Buffer.from(unmaskFrame(oursFrame)).equals(data)) {
      throw new Error(`frame building of ${size} bytes: our frame does not carry the payload`)
    }
    for (const readOnly of [true, false]) {
      const input = readOnly ? data : Buffer.from(data)
      const peer = wsBuild(input, readOnly)
      const wsFrame = concat(peer())
      if (wsFrame[0] !== 0x82 || !Buffer.from(unmaskFrame(wsFrame)).equals(data)) {
        throw new Error(`frame building of ${size} bytes: ws's frame does not carry the payload`)
      }
      if (readOnly && !input.equals(payload(size))) throw new Error('ws changed a read-only payload')
      const comparison = compare({ run: () => ours().length }, { run: () => peer().length }, options)
      rows.push({
        payloadBytes: size,
        wsPath: readOnly ? 'readOnly: true' : 'readOnly: false',
        ...comparison,
      })
    }
  }
  return rows
}
