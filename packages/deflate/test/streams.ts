/** Test helpers: a bit stream for hand-crafted DEFLATE data, and node:zlib as independent truth. */
import { constants, createDeflateRaw, createInflateRaw, type ZlibOptions } from 'node:zlib'
import type { Random } from '../../crypto/test/random.ts'
import { Inflater, type InflaterOptions } from '../src/index.ts'

/** Writes bits least significant first, as RFC 1951 packs everything but Huffman codes. */
export class BitStream {
  private readonly bytes: number[] = []
  private buffer = 0
  private count = 0

  bits(value: number, count: number): this {
    for (let i = 0; i < count; i++) {
      this.buffer |= ((value >>> i) & 1) << this.count
      if (++this.count === 8) this.flushByte()
    }
    return this
  }

  /** A Huffman code: most significant bit first. */
  code(value: number, length: number): this {
    for (let i = length - 1; i >= 0; i--) this.bits((value >>> i) & 1, 1)
    return this
  }

  /** A symbol of the fixed literal/length code (RFC 1951 section 3.2.6). */
  fixedLiteral(symbol: number): this {
    if (symbol < 144) return this.code(0x30 + symbol, 8)
    if (symbol < 256) return this.code(0x190 + symbol - 144, 9)
    if (symbol < 280) return this.code(symbol - 256, 7)
    return this.code(0xc0 + symbol - 280, 8)
  }

  /**
   * A dynamic block header with the given code lengths. The code-length code gives symbols
   * 0..12, 16, 17 and 18 four bits each (a complete code): `runs` may hold repeat symbols as
   * [symbol, extra] pairs; otherwise each length is sent as is.
   */
  dynamicHeader(
    final: boolean,
    literalCount: number,
    distanceCount: number,
    runs: ReadonlyArray<number | readonly [number, number]>,
  ): this {
    this.bits(final ? 1 : 0, 1).bits(2, 2)
    this.bits(literalCount - 257, 5)
      .bits(distanceCount - 1, 5)
      .bits(18 - 4, 4)
    const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1]
    for (const symbol of order) this.bits(symbol <= 12 || symbol >= 16 ? 4 : 0, 3)
    const codeOf = (symbol: number): number => (symbol <= 12 ? symbol : symbol - 3)
    for (const run of runs) {
      if (typeof run === 'number') {
        this.code(codeOf(run), 4)
      } else {
        const [symbol, extra] = run
        this.code(codeOf(symbol), 4).bits(extra, symbol === 16 ? 2 : symbol === 17 ? 3 : 7)
      }
    }
    return this
  }

  private flushByte(): void {
    this.bytes.push(this.buffer)
    this.buffer = 0
    this.count = 0
  }

  /** The bytes, the last one padded with zero bits. */
  finish(): Uint8Array {
    if (this.count > 0) this.flushByte()
    return Uint8Array.from(this.bytes)
  }
}

export const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)
export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text)
export const text = (data: Uint8Array): string => new TextDecoder().decode(data)
export const SYNC_TRAILER = bytes(0x00, 0x00, 0xff, 0xff)

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks.map((chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)))
}

export function equalBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(actual), Buffer.from(expected)) === 0
}

/** Our inflater fed `data` in the given pieces; the last piece is pushed with `final`. */
export function inflatePieces(
  pieces: readonly Uint8Array[],
  options: InflaterOptions = {},
  final = true,
): Uint8Array {
  const inflater = new Inflater(options)
  const out: Uint8Array[] = []
  pieces.forEach((piece, index) => {
    out.push(...inflater.push(piece, final && index === pieces.length - 1))
  })
  if (pieces.length === 0) out.push(...inflater.push(new Uint8Array(0), final))
  return concat(out)
}

export const byteByByte = (data: Uint8Array): Uint8Array[] =>
  Array.from({ length: data.length }, (_, i) => data.subarray(i, i + 1))

export function randomPieces(random: Random, data: Uint8Array, maxPiece: number): Uint8Array[] {
  return random.chunks(data, maxPiece)
}

/** node:zlib's raw deflate of several messages, each ended with a sync flush, over one stream. */
export async function zlibSyncFlushed(
  messages: readonly Uint8Array[],
  options: ZlibOptions = {},
): Promise<Buffer[]> {
  const stream = createDeflateRaw(options)
  const pending: Buffer[] = []
  stream.on('data', (data: Buffer) => pending.push(data))
  const flushes: Buffer[] = []
  for (const message of messages) {
    stream.write(message)
    await new Promise<void>((resolve) => stream.flush(constants.Z_SYNC_FLUSH, () => resolve()))
    flushes.push(Buffer.concat(pending.splice(0)))
  }
  stream.close()
  return flushes
}

/** node:zlib inflating sync-flushed messages one by one over one stream (window kept). */
export async function zlibInflateMessages(
  flushes: readonly Uint8Array[],
  windowBits = 15,
): Promise<Buffer[]> {
  const stream = createInflateRaw({ windowBits })
  const pending: Buffer[] = []
  let failure: Error | null = null
  stream.on('data', (data: Buffer) => pending.push(data))
  stream.on('error', (error) => {
    failure = error
  })
  const messages: Buffer[] = []
  for (const flush of flushes) {
    stream.write(flush)
    await new Promise<void>((resolve) => stream.flush(constants.Z_SYNC_FLUSH, () => resolve()))
    if (failure) throw failure
    messages.push(Buffer.concat(pending.splice(0)))
  }
  stream.close()
  return messages
}
