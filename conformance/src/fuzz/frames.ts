/**
 * Frame streams: a seeded generator of valid WebSocket frame sequences (text with multi-byte
 * characters, binary, fragmented messages with control frames in between, pings, pongs, close,
 * permessage-deflate messages compressed by @ws/deflate or node:zlib), structure-aware
 * mutations of them, and the four frame-parser targets (server and client role, each with and
 * without permessage-deflate).
 */
import { constants, deflateRawSync } from 'node:zlib'
import { Deflater } from '@ws/deflate'
import {
  type Extension,
  type ExtensionParam,
  PerMessageDeflate,
  type Role,
  WebSocketConnection,
} from '@ws/proto'
import type { FuzzTarget, Value } from './check.ts'
import { ConnectionDriver, connectionVariant, fixedRandomFill } from './drive.ts'
import { BOUNDARY_VALUES, concat, mutateBytesRepeatedly, utf8Bytes } from './mutate.ts'
import type { Rng } from './rng.ts'

export interface FrameSpec {
  fin: boolean
  /** RSV bits as they sit in the first byte (0x70 mask). */
  rsv: number
  opcode: number
  payload: Uint8Array
  /** The masking key the header carries, or null for an unmasked frame. */
  mask: Uint8Array | null
  /** The key the payload is really masked with, when it differs from `mask` (a mask error). */
  payloadMask?: Uint8Array
  /** A length field that differs from the payload: its form (7-bit, 16-bit, 64-bit) and value. */
  length?: { form: 7 | 16 | 64; value: bigint }
}

/** What the receiving side agreed in the handshake: compression and its window. */
export interface StreamOptions {
  /** Frames from a client are masked. */
  masked: boolean
  deflate: { windowBits: number; noContextTakeover: boolean } | null
}

const TEXT_PIECES = [
  'a',
  'hello ',
  'WebSocket',
  '{"k":1}',
  ' ',
  'é',
  'ß',
  '€',
  '中文',
  '😀',
  '\u0000',
  '\u{10ffff}',
]
const CLOSE_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1011, 1014, 3000, 4999]
const BAD_CLOSE_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 0xffff]

function randomText(rng: Rng, cap: number): Uint8Array {
  const parts: string[] = []
  let length = 0
  const target = rng.int(cap + 1)
  while (length < target) {
    const piece = rng.chance(0.3) ? rng.pick(TEXT_PIECES).repeat(rng.range(1, 64)) : rng.pick(TEXT_PIECES)
    parts.push(piece)
    length += piece.length
  }
  return utf8Bytes(parts.join(''))
}

function randomPayload(rng: Rng, cap: number): Uint8Array {
  const length = rng.int(cap + 1)
  if (rng.chance(0.5)) return rng.bytes(length)
  // Compressible: runs of a few byte values.
  const out = new Uint8Array(length)
  let index = 0
  while (index < length) {
    const run = Math.min(length - index, rng.range(1, 300))
    out.fill(rng.int(4) * 17, index, index + run)
    index += run
  }
  return out
}

/** Compresses the messages of one stream, as a peer would: one context, or one zlib call each. */
class MessageCompressor {
  private deflater: Deflater | null = null
  private readonly useZlib: boolean
  constructor(
    private readonly rng: Rng,
    private readonly windowBits: number,
    private readonly noContextTakeover: boolean,
  ) {
    this.useZlib = windowBits >= 9 && rng.chance(0.4)
  }

  compress(data: Uint8Array): Uint8Array {
    const rng = this.rng
    if (this.useZlib) {
      const final = rng.chance(0.2)
      const out = deflateRawSync(data, {
        level: rng.range(0, 9),
        windowBits: this.windowBits,
        memLevel: rng.range(1, 9),
        strategy: rng.pick([
          constants.Z_DEFAULT_STRATEGY,
          constants.Z_HUFFMAN_ONLY,
          constants.Z_RLE,
          constants.Z_FIXED,
        ]),
        finishFlush: final ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      })
      return final ? new Uint8Array(out) : new Uint8Array(out.subarray(0, out.length - 4))
    }
    this.deflater ??= new Deflater({ level: rng.range(0, 9), windowBits: this.windowBits, memLevel: 8 })
    this.deflater.write(data)
    const out = this.deflater.syncFlush()
    if (this.noContextTakeover || rng.chance(0.1)) this.deflater.reset()
    return out.subarray(0, out.length - 4)
  }
}

function frame(
  options: StreamOptions,
  rng: Rng,
  fin: boolean,
  opcode: number,
  payload: Uint8Array,
  rsv = 0,
): FrameSpec {
  return { fin, rsv, opcode, payload, mask: options.masked ? rng.bytes(4) : null }
}

function controlFrame(rng: Rng, options: StreamOptions): FrameSpec {
  return frame(options, rng, true, rng.chance(0.5) ? 0x9 : 0xa, randomPayload(rng, rng.pick([0, 8, 125])))
}

function closeFrame(rng: Rng, options: StreamOptions): FrameSpec {
  if (rng.chance(0.2)) return frame(options, rng, true, 0x8, new Uint8Array(0))
  const reason = randomText(rng, rng.pick([0, 10, 100]))
  const payload = new Uint8Array(2 + Math.min(reason.length, 123))
  const code = rng.pick(CLOSE_CODES)
  payload[0] = code >> 8
  payload[1] = code & 0xff
  payload.set(reason.subarray(0, payload.length - 2), 2)
  return frame(options, rng, true, 0x8, payload)
}

/** A valid frame stream: a few messages, some fragmented, control frames, maybe a close. */
export function generateFrames(rng: Rng, options: StreamOptions): FrameSpec[] {
  const frames: FrameSpec[] = []
  const deflate = options.deflate
  const compressor = deflate
    ? new MessageCompressor(rng, deflate.windowBits, deflate.noContextTakeover)
    : null
  for (let count = rng.range(1, 6); count > 0; count--) {
    const kind = rng.int(10)
    if (kind < 2) {
      frames.push(controlFrame(rng, options))
      continue
    }
    const text = kind < 6
    const cap = rng.pick([0, 16, 125, 1000, 20000, 70000])
    let data = text ? randomText(rng, cap) : randomPayload(rng, cap)
    let rsv = 0
    if (compressor !== null && rng.chance(0.7)) {
      data = compressor.compress(data)
      rsv = 0x40
    }
    const pieces = rng.chance(0.3) ? rng.range(2, 5) : 1
    let start = 0
    for (let piece = 1; piece <= pieces; piece++) {
      const end = piece === pieces ? data.length : start + rng.int(data.length - start + 1)
      const opcode = piece === 1 ? (text ? 0x1 : 0x2) : 0x0
      frames.push(
        frame(options, rng, piece === pieces, opcode, data.subarray(start, end), piece === 1 ? rsv : 0),
      )
      start = end
      if (piece < pieces && rng.chance(0.3)) frames.push(controlFrame(rng, options))
    }
  }
  if (rng.chance(0.5)) frames.push(closeFrame(rng, options))
  return frames
}

export const FRAME_MUTATIONS = [
  'flip-fin',
  'rsv-bits',
  'opcode',
  'toggle-mask',
  'length-field',
  'non-minimal-length',
  'duplicate-frame',
  'drop-frame',
  'truncate-frame',
  'swap-frames',
  'wrong-mask-key',
  'oversize-control',
  'bad-utf8',
  'corrupt-payload',
  'bad-close',
] as const
export type FrameMutation = (typeof FRAME_MUTATIONS)[number]

/** Applies one structure-aware mutation to a frame list (in place) and returns it. */
export function mutateFrames(
  rng: Rng,
  frames: FrameSpec[],
  kind: FrameMutation = rng.pick(FRAME_MUTATIONS),
): FrameSpec[] {
  if (frames.length === 0) return frames
  const index = rng.int(frames.length)
  const target = frames[index] as FrameSpec
  switch (kind) {
    case 'flip-fin':
      target.fin = !target.fin
      break
    case 'rsv-bits':
      target.rsv = rng.int(8) << 4
      break
    case 'opcode':
      target.opcode = rng.int(16)
      break
    case 'toggle-mask':
      target.mask = target.mask === null ? rng.bytes(4) : null
      break
    case 'length-field': {
      const form = rng.pick([7, 16, 64] as const)
      const value = rng.chance(0.7)
        ? rng.pick(BOUNDARY_VALUES)
        : BigInt(target.payload.length + rng.range(-2, 2))
      target.length = { form, value: form === 7 ? value & 0x7fn : form === 16 ? value & 0xffffn : value }
      break
    }
    case 'non-minimal-length':
      target.length = { form: rng.chance(0.5) ? 16 : 64, value: BigInt(target.payload.length) }
      break
    case 'duplicate-frame':
      frames.splice(index, 0, { ...target })
      break
    case 'drop-frame':
      frames.splice(index, 1)
      break
    case 'truncate-frame':
      target.length = { form: lengthForm(target.payload.length), value: BigInt(target.payload.length) }
      target.payload = target.payload.subarray(0, rng.int(target.payload.length + 1))
      break
    case 'swap-frames': {
      const other = rng.int(frames.length)
      frames[index] = frames[other] as FrameSpec
      frames[other] = target
      break
    }
    case 'wrong-mask-key':
      target.payloadMask = rng.bytes(4)
      break
    case 'oversize-control':
      target.opcode = rng.pick([0x8, 0x9, 0xa])
      target.payload = rng.bytes(rng.range(126, 300))
      break
    case 'bad-utf8': {
      const bad = rng.pick([[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]])
      const at = rng.int(target.payload.length + 1)
      target.payload = concat([
        target.payload.subarray(0, at),
        Uint8Array.from(bad),
        target.payload.subarray(at),
      ])
      break
    }
    case 'corrupt-payload':
      target.payload = mutateBytesRepeatedly(rng, target.payload, 0, target.payload, 3)
      break
    case 'bad-close': {
      const code = rng.pick(BAD_CLOSE_CODES)
      const payloads = [
        Uint8Array.of(0x03),
        Uint8Array.of(code >> 8, code & 0xff),
        Uint8Array.of(0x03, 0xe8, 0xc3),
      ]
      frames.splice(index, 0, {
        fin: true,
        rsv: 0,
        opcode: 0x8,
        payload: rng.pick(payloads),
        mask: target.mask,
      })
      break
    }
  }
  return frames
}

function lengthForm(length: number): 7 | 16 | 64 {
  return length < 126 ? 7 : length < 65536 ? 16 : 64
}

/** The wire bytes of a frame list. */
export function encodeFrames(frames: readonly FrameSpec[]): Uint8Array {
  const parts: Uint8Array[] = []
  for (const spec of frames) {
    const form = spec.length?.form ?? lengthForm(spec.payload.length)
    const declared = spec.length?.value ?? BigInt(spec.payload.length)
    const lengthBytes = form === 7 ? 0 : form === 16 ? 2 : 8
    const header = new Uint8Array(2 + lengthBytes + (spec.mask ? 4 : 0))
    header[0] = (spec.fin ? 0x80 : 0) | (spec.rsv & 0x70) | (spec.opcode & 0x0f)
    header[1] = (spec.mask ? 0x80 : 0) | (form === 7 ? Number(declared & 0x7fn) : form === 16 ? 126 : 127)
    for (let index = 0; index < lengthBytes; index++) {
      header[2 + index] = Number((declared >> BigInt(8 * (lengthBytes - 1 - index))) & 0xffn)
    }
    let payload = spec.payload
    if (spec.mask) {
      header.set(spec.mask, 2 + lengthBytes)
      const key = spec.payloadMask ?? spec.mask
      payload = payload.slice()
      for (let index = 0; index < payload.length; index++) payload[index] ^= key[index & 3] as number
    }
    parts.push(header, payload)
  }
  return concat(parts)
}

/** Valid frames, then (usually) structure-aware and byte-level mutations: the body of an input. */
export function generateFrameStream(rng: Rng, options: StreamOptions): Uint8Array {
  let frames = generateFrames(rng, options)
  if (rng.chance(0.7)) {
    for (let count = rng.range(1, 3); count > 0; count--) frames = mutateFrames(rng, frames)
  }
  let bytes = encodeFrames(frames)
  if (rng.chance(0.3)) {
    const other = encodeFrames(generateFrames(rng, options))
    bytes = mutateBytesRepeatedly(rng, bytes, 0, other)
  }
  return bytes
}

/** Configuration bytes at the start of every frames input: connection options, then deflate. */
export const FRAME_CONFIG_BYTES = 2

const serverDeflate = new Map<string, PerMessageDeflate>()
const clientDeflate = new PerMessageDeflate()

/** The deflate settings one configuration byte selects: window bits 8..15, context takeover. */
export function deflateVariant(config: number): { windowBits: number; noContextTakeover: boolean } {
  return { windowBits: 8 + (config & 7), noContextTakeover: (config & 8) !== 0 }
}

/** permessage-deflate as negotiated for `role`, receiving with the given window. */
export function negotiatedDeflate(role: Role, windowBits: number, noContextTakeover: boolean): Extension {
  if (role === 'client') {
    const params: ExtensionParam[] = [{ name: 'server_max_window_bits', value: String(windowBits) }]
    if (noContextTakeover) params.push({ name: 'server_no_context_takeover', value: null })
    return clientDeflate.acceptResponse(params)
  }
  const key = `${windowBits}/${noContextTakeover}`
  let factory = serverDeflate.get(key)
  if (factory === undefined) {
    factory = new PerMessageDeflate({
      clientMaxWindowBits: windowBits,
      clientNoContextTakeover: noContextTakeover,
    })
    serverDeflate.set(key, factory)
  }
  const accepted = factory.acceptOffer([[{ name: 'client_max_window_bits', value: null }]])
  if (accepted === null) throw new Error('the server declined its own offer')
  return accepted.extension
}

/** A frame-parser target: an open connection in `role`, with or without permessage-deflate. */
export function framesTarget(role: Role, deflate: boolean): FuzzTarget {
  return {
    name: `frames-${role}${deflate ? '-deflate' : ''}`,
    generate(rng: Rng): Uint8Array {
      const config = rng.bytes(FRAME_CONFIG_BYTES)
      if (rng.chance(0.1)) return concat([config, rng.bytes(rng.size([16, 256, 4096]))])
      const body = generateFrameStream(rng, {
        masked: role === 'server',
        deflate: deflate ? deflateVariant(config[1] as number) : null,
      })
      return concat([config, body])
    },
    run(input: Uint8Array, cuts: readonly number[]): Value {
      const variant = connectionVariant(input[0] ?? 0)
      const settings = deflateVariant(input[1] ?? 0)
      const connection = new WebSocketConnection({
        ...variant,
        role,
        randomFill: fixedRandomFill(),
        extensions: deflate ? [negotiatedDeflate(role, settings.windowBits, settings.noContextTakeover)] : [],
      })
      const driver = new ConnectionDriver(connection, variant.messageFragments, 0)
      let start = Math.min(FRAME_CONFIG_BYTES, input.length)
      for (const cut of cuts) {
        if (cut > start) {
          driver.receive(input.subarray(start, cut))
          start = cut
        }
      }
      driver.receive(input.subarray(start))
      return driver.finish()
    },
  }
}
