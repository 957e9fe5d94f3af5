/**
 * The receiving half of a connection: an incremental frame parser (RFC 6455 section 5.2) and
 * the message assembler on top of it. It validates everything a header says before reading any
 * payload, streams data payload through extensions and the UTF-8 validator as it arrives
 * (unmasked in place), and buffers only what a message needs. Binary payload is left masked
 * until the message is complete: it is unmasked while being joined (one pass over each byte),
 * or in place when the message is one piece. It reports to a `ReceiverSink` and never throws for
 * anything the peer sent (an `allocate` function that breaks its contract does throw).
 */
import { ExtensionError } from './errors.ts'
import type { FragmentEvent } from './events.ts'
import type { Extension } from './extension.ts'
import { MAX_CONTROL_PAYLOAD, MAX_HEADER_BYTES, Opcode, RSV_MASK } from './frame.ts'
import type { Limits } from './limits.ts'
import { maskInPlace, rotateMask } from './mask.ts'
import { type Allocate, MessageBuffer } from './message-buffer.ts'
import { decodeUtf8Strict, Utf8StreamDecoder } from './web.ts'

/** Where the receiver's results go. */
export interface ReceiverSink {
  text(data: string): void
  binary(data: Uint8Array): void
  fragment(event: FragmentEvent): void
  /** A complete control frame; `payload` is the receiver's own copy. */
  control(opcode: number, payload: Uint8Array): void
  /** The peer broke the protocol; the receiver has stopped. */
  fail(closeCode: number, code: string, message: string): void
  /** False when the sink wants the receiver to stop at the next frame boundary. */
  readonly acceptsMore: boolean
}

/** Parser stages: reading a header, reading payload, or stopped for good. */
const HEADER = 0
const PAYLOAD = 1
const STOPPED = 2

export class Receiver {
  #stage = HEADER
  // The header being read when it is split across chunks.
  #headerScratch: Uint8Array | null = null
  #headerHave = 0
  #headerNeed = 2
  // The frame being read.
  #fin = false
  #opcode = 0
  #masked = false
  /** The frame's masking key as a word (key byte 0 lowest), for phase 0. */
  #maskKey = 0
  #maskPhase = 0
  #remaining = 0
  #control: Uint8Array | null = null
  #controlHave = 0
  // The data message being assembled.
  #messageOpcode = 0
  #messageExtension: Extension | null = null
  #messageBytes = 0
  #messageFrames = 0
  readonly #buffer: MessageBuffer
  /**
   * Validates and decodes whole text messages natively, piece by piece, or only validates text
   * delivered as fragment events (their data stays bytes); created on first use.
   */
  #textDecoder: Utf8StreamDecoder | null = null
  /** A text message that arrived whole in one piece, decoded (and validated) at its end. */
  #wholeText: Uint8Array | null = null
  #firstFragment = true
  readonly #claimedRsv: number

  readonly #sink: ReceiverSink
  readonly #limits: Limits
  readonly #expectMasked: boolean
  readonly #extensions: readonly Extension[]
  readonly #fragmentEvents: boolean

  constructor(
    sink: ReceiverSink,
    limits: Limits,
    expectMasked: boolean,
    extensions: readonly Extension[],
    fragmentEvents: boolean,
    allocate?: Allocate,
  ) {
    this.#sink = sink
    this.#limits = limits
    this.#expectMasked = expectMasked
    this.#extensions = extensions
    this.#fragmentEvents = fragmentEvents
    this.#buffer = new MessageBuffer(allocate)
    let claimed = 0
    for (const extension of extensions) claimed |= extension.rsvBits
    this.#claimedRsv = claimed
  }

  /** True once the receiver failed or was stopped; it ignores all further input. */
  get stopped(): boolean {
    return this.#stage === STOPPED
  }

  /** Stops for good and drops any partial message. */
  stop(): void {
    this.#stage = STOPPED
    this.#buffer.clear()
    this.#textDecoder?.reset()
    this.#wholeText = null
    this.#control = null
  }

  /**
   * Parses `chunk` from `position`. Returns the position where it stopped: `chunk.length`, or
   * earlier when the sink stopped accepting at a frame boundary (the caller keeps the rest), or
   * when the receiver stopped. Payload bytes may be unmasked in place.
   */
  parse(chunk: Uint8Array, position: number): number {
    const end = chunk.length
    while (position < end) {
      const stage = this.#stage
      if (stage === HEADER) {
        if (!this.#sink.acceptsMore) return position
        position = this.#readHeader(chunk, position)
      } else if (stage === PAYLOAD) {
        const available = end - position
        const take = Math.min(this.#remaining, available)
        const piece = chunk.subarray(position, position + take)
        position += take
        this.#payload(piece)
        if (this.#remaining === 0 && this.#stage === PAYLOAD) this.#endFrame()
      } else {
        return position
      }
    }
    return position
  }

  #readHeader(chunk: Uint8Array, position: number): number {
    const available = chunk.length - position
    let header: Uint8Array
    let offset: number
    if (this.#headerHave === 0 && available >= 2) {
      if (!this.#checkStart(chunk[position], chunk[position + 1])) return position
      const need = headerSize(chunk[position + 1])
      if (available >= need) {
        header = chunk
        offset = position
        position += need
      } else {
        // Made on first use: most connections never see a header split across reads.
        if (this.#headerScratch === null) this.#headerScratch = new Uint8Array(MAX_HEADER_BYTES)
        this.#headerScratch.set(chunk.subarray(position))
        this.#headerHave = available
        this.#headerNeed = need
        return chunk.length
      }
    } else {
      if (this.#headerScratch === null) this.#headerScratch = new Uint8Array(MAX_HEADER_BYTES)
      const scratch = this.#headerScratch
      while (position < chunk.length && this.#headerHave < this.#headerNeed) {
        scratch[this.#headerHave++] = chunk[position++]
        if (this.#headerHave === 2) {
          if (!this.#checkStart(scratch[0], scratch[1])) return position
          this.#headerNeed = headerSize(scratch[1])
        }
      }
      if (this.#headerHave < this.#headerNeed) return position
      header = scratch
      offset = 0
      this.#headerHave = 0
      this.#headerNeed = 2
    }
    this.#startFrame(header, offset)
    return position
  }

  /** Checks what the first two header bytes say; fails the connection and returns false if bad. */
  #checkStart(byte0: number, byte1: number): boolean {
    const opcode = byte0 & 0x0f
    const rsv = byte0 & RSV_MASK
    const isControl = (opcode & 0x08) !== 0
    if (opcode > Opcode.BINARY && !(isControl && opcode <= Opcode.PONG)) {
      return this.#failed(1002, 'WS_ERR_INVALID_OPCODE', `reserved opcode 0x${opcode.toString(16)}`)
    }
    if (isControl) {
      if ((byte0 & 0x80) === 0)
        return this.#failed(1002, 'WS_ERR_FRAGMENTED_CONTROL', 'fragmented control frame')
      if ((byte1 & 0x7f) > MAX_CONTROL_PAYLOAD) {
        return this.#failed(1002, 'WS_ERR_CONTROL_TOO_LONG', 'control frame payload over 125 bytes')
      }
      if (rsv !== 0) return this.#failed(1002, 'WS_ERR_UNEXPECTED_RSV', 'RSV bit set on a control frame')
    } else if (opcode === Opcode.CONTINUATION) {
      if (this.#messageOpcode === 0) {
        return this.#failed(
          1002,
          'WS_ERR_UNEXPECTED_CONTINUATION',
          'continuation frame without a message to continue',
        )
      }
      if (rsv !== 0) return this.#failed(1002, 'WS_ERR_UNEXPECTED_RSV', 'RSV bit set on a continuation frame')
    } else {
      if (this.#messageOpcode !== 0) {
        return this.#failed(
          1002,
          'WS_ERR_EXPECTED_CONTINUATION',
          'new data frame inside a fragmented message',
        )
      }
      if ((rsv & ~this.#claimedRsv) !== 0) {
        return this.#failed(1002, 'WS_ERR_UNEXPECTED_RSV', 'RSV bit set that no negotiated extension defines')
      }
    }
    const masked = (byte1 & 0x80) !== 0
    if (masked !== this.#expectMasked) {
      return masked
        ? this.#failed(1002, 'WS_ERR_MASKED_FRAME', 'masked frame from a server')
        : this.#failed(1002, 'WS_ERR_UNMASKED_FRAME', 'unmasked frame from a client')
    }
    return true
  }

  #startFrame(header: Uint8Array, offset: number): void {
    const byte0 = header[offset]
    const byte1 = header[offset + 1]
    let length = byte1 & 0x7f
    let cursor = offset + 2
    if (length === 126) {
      length = (header[cursor] << 8) | header[cursor + 1]
      cursor += 2
      if (length < 126) {
        this.#failed(1002, 'WS_ERR_NON_MINIMAL_LENGTH', 'payload length not minimally encoded')
        return
      }
    } else if (length === 127) {
      const high = readUint32(header, cursor)
      const low = readUint32(header, cursor + 4)
      cursor += 8
      if (high >= 0x80000000) {
        this.#failed(1002, 'WS_ERR_INVALID_LENGTH', 'payload length has its most significant bit set')
        return
      }
      length = high * 0x100000000 + low
      if (length < 65536) {
        this.#failed(1002, 'WS_ERR_NON_MINIMAL_LENGTH', 'payload length not minimally encoded')
        return
      }
    }
    const opcode = byte0 & 0x0f
    this.#fin = (byte0 & 0x80) !== 0
    this.#opcode = opcode
    this.#remaining = length
    this.#masked = (byte1 & 0x80) !== 0
    if (this.#masked) {
      this.#maskKey =
        header[cursor] | (header[cursor + 1] << 8) | (header[cursor + 2] << 16) | (header[cursor + 3] << 24)
      this.#maskPhase = 0
    }
    if (opcode >= Opcode.CLOSE) {
      this.#control = new Uint8Array(length)
      this.#controlHave = 0
    } else {
      if (length > this.#limits.maxFrameSize) {
        this.#failed(
          1009,
          'WS_ERR_FRAME_TOO_BIG',
          `frame of ${length} bytes is over the ${this.#limits.maxFrameSize}-byte limit`,
        )
        return
      }
      if (opcode !== Opcode.CONTINUATION) this.#startMessage(opcode, byte0 & RSV_MASK)
      if (++this.#messageFrames > this.#limits.maxFragments) {
        this.#failed(
          1008,
          'WS_ERR_TOO_MANY_FRAGMENTS',
          `message split into more than ${this.#limits.maxFragments} frames`,
        )
        return
      }
      if (this.#messageExtension === null && this.#messageBytes + length > this.#limits.maxMessageSize) {
        this.#tooBig()
        return
      }
    }
    if (length > 0) this.#stage = PAYLOAD
    else this.#endFrame()
  }

  #startMessage(opcode: number, rsv: number): void {
    this.#messageOpcode = opcode
    this.#messageBytes = 0
    this.#messageFrames = 0
    this.#firstFragment = true
    this.#messageExtension = null
    if (rsv !== 0) {
      for (const extension of this.#extensions) {
        if (extension.startMessage(rsv)) {
          this.#messageExtension = extension
          break
        }
      }
    }
  }

  #payload(piece: Uint8Array): void {
    this.#remaining -= piece.length
    const extension = this.#messageExtension
    if (extension === null && this.#messageOpcode === Opcode.BINARY && this.#control === null) {
      // Binary data stays masked until the message buffer copies it (unmasking as it copies) or
      // returns it as it is (unmasking it in place). Its size was checked with the frame header.
      this.#messageBytes += piece.length
      if (this.#masked) {
        this.#buffer.pushMasked(piece, rotateMask(this.#maskKey, this.#maskPhase))
        this.#maskPhase = (this.#maskPhase + piece.length) & 3
      } else this.#buffer.push(piece)
      return
    }
    if (this.#masked) {
      maskInPlace(piece, rotateMask(this.#maskKey, this.#maskPhase))
      this.#maskPhase = (this.#maskPhase + piece.length) & 3
    }
    const control = this.#control
    if (control !== null) {
      control.set(piece, this.#controlHave)
      this.#controlHave += piece.length
      return
    }
    if (extension === null) {
      const whole = this.#remaining === 0 && this.#fin && this.#messageBytes === 0
      if (whole && this.#messageOpcode === Opcode.TEXT && !this.#fragmentEvents) {
        // A whole text message in one piece: one native pass validates and decodes it. (Its
        // size was checked against the limits with the frame header.)
        this.#messageBytes = piece.length
        this.#wholeText = piece
        return
      }
      this.#accept(piece)
      return
    }
    let decoded: Uint8Array[]
    try {
      decoded = extension.decode(piece, this.#limits.maxMessageSize - this.#messageBytes)
    } catch (error) {
      this.#extensionFailed(error)
      return
    }
    for (const part of decoded) if (!this.#accept(part)) return
  }

  /** Takes decoded message bytes; returns false if the connection failed. */
  #accept(bytes: Uint8Array): boolean {
    this.#messageBytes += bytes.length
    if (this.#messageBytes > this.#limits.maxMessageSize) return this.#tooBig()
    if (this.#messageOpcode !== Opcode.TEXT) {
      this.#buffer.push(bytes)
      return true
    }
    this.#textDecoder ??= new Utf8StreamDecoder(!this.#fragmentEvents)
    if (!this.#textDecoder.push(bytes)) return this.#invalidText()
    if (this.#fragmentEvents) this.#buffer.push(bytes)
    return true
  }

  #endFrame(): void {
    this.#stage = HEADER
    const control = this.#control
    if (control !== null) {
      this.#control = null
      this.#sink.control(this.#opcode, control)
      return
    }
    if (!this.#fin) {
      if (this.#fragmentEvents) this.#emitFragment(false)
      return
    }
    const extension = this.#messageExtension
    if (extension !== null) {
      let decoded: Uint8Array[]
      try {
        decoded = extension.endMessage(this.#limits.maxMessageSize - this.#messageBytes)
      } catch (error) {
        this.#extensionFailed(error)
        return
      }
      for (const part of decoded) if (!this.#accept(part)) return
    }
    if (this.#messageOpcode !== Opcode.TEXT) {
      if (this.#fragmentEvents) this.#emitFragment(true)
      else this.#sink.binary(this.#buffer.finish())
    } else if (this.#fragmentEvents) {
      if (this.#textDecoder !== null && this.#textDecoder.end() === null)
        return void this.#endsInsideSequence()
      this.#emitFragment(true)
    } else if (this.#wholeText !== null) {
      const text = decodeUtf8Strict(this.#wholeText)
      this.#wholeText = null
      if (text === null) return void this.#invalidText()
      this.#sink.text(text)
    } else {
      // A text message with no payload never created the decoder.
      const text = this.#textDecoder === null ? '' : this.#textDecoder.end()
      if (text === null) return void this.#endsInsideSequence()
      this.#sink.text(text)
    }
    this.#messageOpcode = 0
  }

  #emitFragment(last: boolean): void {
    const first = this.#firstFragment
    this.#firstFragment = false
    this.#sink.fragment({
      type: 'fragment',
      kind: this.#messageOpcode === Opcode.TEXT ? 'text' : 'binary',
      data: this.#buffer.finish(),
      first,
      last,
    })
  }

  #invalidText(): false {
    return this.#failed(1007, 'WS_ERR_INVALID_UTF8', 'text message is not valid UTF-8')
  }

  #endsInsideSequence(): false {
    return this.#failed(1007, 'WS_ERR_INVALID_UTF8', 'text message ends inside a UTF-8 sequence')
  }

  #tooBig(): false {
    return this.#failed(
      1009,
      'WS_ERR_MESSAGE_TOO_BIG',
      `message is over the ${this.#limits.maxMessageSize}-byte limit`,
    )
  }

  #extensionFailed(error: unknown): void {
    if (error instanceof ExtensionError) {
      // What was decoded before the failure is checked first (invalid UTF-8 in it wins).
      for (const part of error.output) if (!this.#accept(part)) return
      this.#failed(error.closeCode, error.code, error.message)
    } else this.#failed(1011, 'WS_ERR_EXTENSION_FAILED', 'an extension failed unexpectedly')
  }

  #failed(closeCode: number, code: string, message: string): false {
    this.stop()
    this.#sink.fail(closeCode, code, message)
    return false
  }
}

/** Header bytes announced by the second header byte: length field and mask key. */
function headerSize(byte1: number): number {
  const length = byte1 & 0x7f
  return 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + (byte1 & 0x80 ? 4 : 0)
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0
  )
}
