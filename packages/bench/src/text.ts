/**
 * Text messages, server role: parse masked text frames, validate the UTF-8 and decode to a
 * string. Ours: WebSocketConnection `text` events (their `data` is the string). ws: its
 * Receiver validates and emits 'message' with a Buffer, and the listener calls `toString()`, as
 * its users do. Messages of 32 B and 64 KiB of mixed ASCII and multi-byte text.
 *
 * Both parsers unmask in place, which would leave the next pass with unmasked (garbled, often
 * invalid) text, so every operation first copies the pristine stream into the working buffers
 * (a memcpy of about 256 KiB, the same for both sides, included in both timings).
 */
import { WebSocketConnection } from '@ws/proto'
import { maskedFrameStream, Receiver } from './frames.ts'
import { type Comparison, compare, type MeasureOptions } from './harness.ts'

export interface TextRow extends Comparison {
  messageBytes: number
  messagesPerOp: number
}

export const TEXT_SIZES = [32, 65536] as const

const TOKENS = [
  'hello',
  'world',
  'message',
  'frame',
  '42',
  'naïve',
  'café',
  'Grüße',
  'Ελλάδα',
  'Москва',
  '東京',
  '漢字テキスト',
  '😀',
  '🚀✨',
  'ok',
  'the',
  'and',
]

/** Mixed ASCII and multi-byte text of exactly `bytes` bytes of UTF-8 (padded with ASCII). */
export function mixedText(bytes: number, seed = 7): string {
  let x = seed
  let text = ''
  let length = 0
  for (;;) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    const token = `${TOKENS[(x >>> 16) % TOKENS.length]} `
    const tokenBytes = Buffer.byteLength(token)
    if (length + tokenBytes > bytes) break
    text += token
    length += tokenBytes
  }
  return text + '.'.repeat(bytes - length)
}

/** Masked text frames of one message each, about 256 KiB in all, cut into 64 KiB chunks. */
export function maskedTextStream(text: string): { chunks: Buffer[]; messages: number } {
  const data = Buffer.from(text)
  const size = data.length
  const frameBytes = (size < 126 ? 2 : size < 65536 ? 4 : 10) + 4 + size
  const messages = Math.max(1, Math.floor((256 * 1024) / frameBytes))
  return { chunks: maskedFrameStream(0x1, messages, size, data), messages }
}

interface TextParser {
  /** Parses the stream once; returns the number of messages and keeps the last. */
  feed(): number
  last(): string
}

function working(chunks: readonly Buffer[]): { refresh(): Buffer[] } {
  const copies = chunks.map((chunk) => Buffer.from(chunk))
  return {
    refresh() {
      for (let i = 0; i < copies.length; i++) (copies[i] as Buffer).set(chunks[i] as Buffer)
      return copies
    },
  }
}

export function oursTextParser(chunks: readonly Buffer[]): TextParser {
  const connection = new WebSocketConnection({ role: 'server', limits: { maxMessageSize: 2 << 20 } })
  const buffers = working(chunks)
  let last = ''
  return {
    feed() {
      let count = 0
      for (const chunk of buffers.refresh()) {
        connection.receive(chunk)
        for (let events = connection.takeEvents(); events.length > 0; events = connection.takeEvents()) {
          for (const event of events) {
            if (event.type === 'text') {
              last = event.data
              count++
            } else if (event.type === 'closed') throw event.error ?? new Error('closed')
          }
        }
      }
      return count
    },
    last: () => last,
  }
}

export function wsTextParser(chunks: readonly Buffer[]): TextParser {
  const receiver = new Receiver({ isServer: true, maxPayload: 2 << 20, allowSynchronousEvents: true })
  const buffers = working(chunks)
  let count = 0
  let last = ''
  receiver.on('message', (data, isBinary) => {
    if (!isBinary) {
      last = data.toString()
      count++
    }
  })
  receiver.on('error', (error) => {
    throw error
  })
  return {
    feed() {
      count = 0
      for (const chunk of buffers.refresh()) receiver.write(chunk)
      return count
    },
    last: () => last,
  }
}

export function benchText(options: MeasureOptions, sizes: readonly number[] = TEXT_SIZES): TextRow[] {
  return sizes.map((size) => {
    const text = mixedText(size)
    const { chunks, messages } = maskedTextStream(text)
    const ours = oursTextParser(chunks)
    const peer = wsTextParser(chunks)
    // Correctness, twice each (the second pass proves the refresh restores the masked bytes).
    for (let pass = 0; pass < 2; pass++) {
      if (ours.feed() !== messages || peer.feed() !== messages) {
        throw new Error(`text parsing of ${size}-byte messages: a parser lost messages`)
      }
      if (ours.last() !== text || peer.last() !== text) {
        throw new Error(`text parsing of ${size}-byte messages: a parser decoded the wrong text`)
      }
    }
    const comparison = compare({ run: () => ours.feed() }, { run: () => peer.feed() }, options)
    return { messageBytes: size, messagesPerOp: messages, ...comparison }
  })
}
