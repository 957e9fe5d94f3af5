// The fuzzing endpoint: runs one case over one connection whose opening handshake is done, a TCP
// socket or an HTTP/2 stream (see channel.ts for how TCP closes map onto a stream).
// It behaves like the Autobahn fuzzer: frames go out exactly as the case says (chopped, one
// write each, trickled); what comes back is checked strictly (masking, RSV bits, opcodes,
// control frame rules, UTF-8, the close payload) and recorded for the case; the closing
// handshake and the TCP teardown are tracked for the close verdict.
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib'
import { bytesOf, concat } from '../bytes.ts'
import type { Case, ConnectionOutcome, Peer, PeerState, SendFrameOptions } from './case.ts'
import type { Channel } from './channel.ts'
import { applyMask, encodeFrame, FrameReader, frameHeader, newMaskKey, repeatTo } from './wire.ts'

/** permessage-deflate as agreed, from the fuzzer's side. */
export interface DeflateSettings {
  sendWindowBits: number
  sendNoContextTakeover: boolean
  receiveWindowBits: number
  receiveNoContextTakeover: boolean
}

/** Autobahn's defaults: how long the fuzzer waits for a close reply, and for a server to drop TCP. */
const CLOSE_HANDSHAKE_TIMEOUT_MS = 1000
const SERVER_DROP_TIMEOUT_MS = 1000
/** The peer refuses frames beyond this (the largest case message is 16 MiB). */
const MAX_FRAME = 64 * 1024 * 1024
const TAIL = new Uint8Array([0, 0, 0xff, 0xff])

function flushThrough(stream: DeflateRaw | InflateRaw, data: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const onData = (chunk: Buffer) => chunks.push(chunk)
    const onError = (error: Error) => {
      stream.off('data', onData)
      reject(error)
    }
    stream.on('data', onData)
    stream.once('error', onError)
    stream.write(data)
    stream.flush(constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData)
      stream.off('error', onError)
      resolve(concat(chunks))
    })
  })
}

/** The fuzzer's permessage-deflate codec, on node:zlib (independent of @ws/deflate). */
class PeerCodec {
  private deflater: DeflateRaw | null = null
  private inflater: InflateRaw | null = null

  constructor(private readonly settings: DeflateSettings) {}

  async compress(data: Uint8Array): Promise<Uint8Array> {
    this.deflater ??= createDeflateRaw({ windowBits: this.settings.sendWindowBits })
    const out = await flushThrough(this.deflater, data)
    if (this.settings.sendNoContextTakeover) {
      this.deflater.close()
      this.deflater = null
    }
    const n = out.length
    if (n >= 4 && out[n - 4] === 0 && out[n - 3] === 0 && out[n - 2] === 0xff && out[n - 1] === 0xff) {
      return out.subarray(0, n - 4)
    }
    return out
  }

  async decompress(data: Uint8Array): Promise<Uint8Array> {
    this.inflater ??= createInflateRaw({ windowBits: this.settings.receiveWindowBits })
    const out = await flushThrough(this.inflater, concat([data, TAIL]))
    if (this.settings.receiveNoContextTakeover) {
      this.inflater.close()
      this.inflater = null
    }
    return out
  }

  close(): void {
    this.deflater?.close()
    this.inflater?.close()
  }
}

interface Write {
  bytes: Uint8Array
  sync: boolean
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true })

function isValidUtf8(data: Uint8Array): boolean {
  try {
    fatalUtf8.decode(data)
    return true
  } catch {
    return false
  }
}

function validCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  )
}

export class FuzzPeer implements Peer {
  state: PeerState = 'OPEN'
  autoFragmentSize = 0
  readonly outcome: ConnectionOutcome = {
    closedByMe: false,
    droppedByMe: false,
    wasClean: false,
    remoteCloseCode: null,
  }
  /** Why the fuzzer failed the connection, when the implementation broke a rule. */
  violation: string | null = null
  /** Resolves once the connection (TCP, or the HTTP/2 stream) is gone and the case is graded. */
  readonly finished: Promise<void>

  private readonly reader = new FrameReader(MAX_FRAME)
  private codec: PeerCodec | null = null
  private readonly timers = new Set<NodeJS.Timeout>()
  private sentClose = false
  private receivedClose = false
  private writes: Write[] = []
  private writing = false
  /** Sends that wait for compression keep their order through this chain. */
  private sendChain: Promise<void> = Promise.resolve()
  /** Received frames are handled in order through this chain (inflating is asynchronous). */
  private receiveChain: Promise<void> = Promise.resolve()
  private message: { opcode: number; compressed: boolean; parts: Uint8Array[] } | null = null
  private trickle: { mask: Uint8Array | null; offset: number; binary: boolean } | null = null
  private resolveFinished!: () => void
  /** Set by `start`. */
  private channel!: Channel

  constructor(
    readonly isServer: boolean,
    private readonly kase: Case,
  ) {
    kase.p = this
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve
    })
  }

  /** The state, read afresh (TypeScript narrows `state` across awaits as if it could not change). */
  private closed(): boolean {
    return this.state === 'CLOSED'
  }

  get compressing(): boolean {
    return this.codec !== null
  }

  /**
   * Starts the case on `channel` once the opening handshake is done: `deflate` is what was
   * agreed (null for nothing), `leftover` whatever followed the handshake in the same read.
   */
  start(channel: Channel, deflate: DeflateSettings | null, leftover: Uint8Array): void {
    this.channel = channel
    this.codec = deflate === null ? null : new PeerCodec(deflate)
    channel.onData((chunk) => this.onData(chunk))
    channel.onClose(() => {
      this.state = 'CLOSED'
      for (const timer of this.timers) clearTimeout(timer)
      this.timers.clear()
      this.receiveChain = this.receiveChain.then(() => {
        this.codec?.close()
        try {
          this.kase.onConnectionLost(this.outcome)
        } finally {
          this.resolveFinished()
        }
      })
    })
    this.kase.onOpen()
    if (leftover.length > 0) this.onData(leftover)
  }

  // --- Sending ---------------------------------------------------------------------------------

  private mask(): Uint8Array | null {
    return this.isServer ? null : newMaskKey()
  }

  private write(bytes: Uint8Array, sync: boolean): void {
    if (this.state === 'CLOSED') return
    this.writes.push({ bytes, sync })
    if (!this.writing) void this.pumpWrites()
  }

  /** Writes in order; a sync write goes out on its own, with an event-loop turn either side. */
  private async pumpWrites(): Promise<void> {
    this.writing = true
    const pause = () => new Promise<void>((resolve) => setImmediate(resolve))
    while (this.writes.length > 0 && this.state !== 'CLOSED' && !this.channel.destroyed) {
      const first = this.writes[0] as Write
      if (first.sync) {
        this.writes.shift()
        await pause()
        if (this.closed() || this.channel.destroyed) break
        this.channel.write(first.bytes)
        await pause()
        continue
      }
      const batch: Uint8Array[] = []
      while (this.writes.length > 0 && !(this.writes[0] as Write).sync)
        batch.push((this.writes.shift() as Write).bytes)
      this.channel.write(batch.length === 1 ? (batch[0] as Uint8Array) : concat(batch))
    }
    this.writes = []
    this.writing = false
  }

  /** Queues an action behind any send still waiting for the compressor. */
  private inOrder(action: () => void | Promise<void>): void {
    this.sendChain = this.sendChain.then(action).catch((error: unknown) => {
      this.violation ??= `fuzzer send failed: ${(error as Error).message}`
      this.channel.destroy()
    })
  }

  sendFrame(options: SendFrameOptions): void {
    this.inOrder(() => this.sendFrameNow(options))
  }

  private sendFrameNow(options: SendFrameOptions): void {
    let payload = bytesOf(options.payload ?? new Uint8Array(0))
    if (options.payloadLen !== undefined) payload = repeatTo(payload, options.payloadLen)
    const frame = encodeFrame({
      opcode: options.opcode,
      fin: options.fin ?? true,
      rsv: options.rsv ?? 0,
      payload,
      mask: this.mask(),
    })
    const chop = options.chopsize ?? 0
    if (chop > 0) {
      for (let at = 0; at < frame.length; at += chop) this.write(frame.subarray(at, at + chop), true)
    } else {
      this.write(frame, options.sync ?? false)
    }
  }

  sendMessage(payload: Uint8Array | string, binary: boolean): void {
    const data = bytesOf(payload)
    const opcode = binary ? 2 : 1
    const size = this.autoFragmentSize
    this.inOrder(async () => {
      let body = data
      let rsv = 0
      if (this.codec !== null) {
        body = await this.codec.compress(data)
        rsv = 4
      }
      if (size <= 0 || body.length <= size) {
        this.sendFrameNow({ opcode, rsv, payload: body })
        return
      }
      for (let at = 0; at < body.length; at += size) {
        const last = at + size >= body.length
        this.sendFrameNow({
          opcode: at === 0 ? opcode : 0,
          fin: last,
          rsv: at === 0 ? rsv : 0,
          payload: body.subarray(at, at + size),
        })
      }
    })
  }

  sendClose(code?: number, reason?: Uint8Array | string): void {
    this.inOrder(() => this.sendCloseNow(code, reason, false))
  }

  sendCloseFrame(payload: Uint8Array | string): void {
    this.inOrder(() => {
      if (this.state !== 'OPEN') return
      this.startedClose()
      this.sendFrameNow({ opcode: 8, payload })
    })
  }

  private sendCloseNow(
    code: number | undefined,
    reason: Uint8Array | string | undefined,
    isReply: boolean,
  ): void {
    if (this.state !== 'OPEN') return
    let payload = new Uint8Array(0)
    if (code !== undefined) {
      const text = reason === undefined ? new Uint8Array(0) : bytesOf(reason)
      payload = new Uint8Array(2 + text.length)
      payload[0] = code >>> 8
      payload[1] = code & 0xff
      payload.set(text, 2)
    }
    if (isReply) {
      this.state = 'CLOSING'
      this.sentClose = true
    } else {
      this.startedClose()
    }
    this.sendFrameNow({ opcode: 8, payload })
  }

  /** A close frame is going out while open: the fuzzer starts the closing handshake. */
  private startedClose(): void {
    this.state = 'CLOSING'
    this.sentClose = true
    this.outcome.closedByMe = true
    this.later(CLOSE_HANDSHAKE_TIMEOUT_MS, () => this.drop())
  }

  beginMessage(binary = false): void {
    this.inOrder(() => {
      this.trickle = { mask: null, offset: 0, binary }
    })
  }

  beginMessageFrame(length: number): void {
    this.inOrder(() => {
      const trickle = this.trickle ?? { mask: null, offset: 0, binary: false }
      trickle.mask = this.mask()
      trickle.offset = 0
      this.trickle = trickle
      this.write(frameHeader(trickle.binary ? 2 : 1, true, 0, length, trickle.mask), false)
    })
  }

  sendMessageFrameData(data: Uint8Array | string, sync = false): void {
    this.inOrder(() => {
      const trickle = this.trickle
      if (trickle === null) throw new Error('sendMessageFrameData without beginMessageFrame')
      const bytes = bytesOf(data).slice()
      if (trickle.mask !== null) applyMask(bytes, trickle.mask, trickle.offset)
      trickle.offset += bytes.length
      this.write(bytes, sync)
    })
  }

  endMessage(): void {
    this.inOrder(() => {
      this.trickle = null
    })
  }

  // --- Timers ----------------------------------------------------------------------------------

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      if (this.state !== 'CLOSED') fn()
    }, ms)
    this.timers.add(timer)
  }

  continueLater(seconds: number, fn: () => void): void {
    this.later(seconds * 1000, fn)
  }

  killAfter(seconds: number): void {
    this.later(seconds * 1000, () => this.failConnection(1001, 'Going Away'))
  }

  closeAfter(seconds: number): void {
    this.later(seconds * 1000, () => this.sendClose())
  }

  /** Autobahn's `_fail_connection` (not by drop): a close frame when open, else drop TCP. */
  private failConnection(code: number, reason: string): void {
    if (this.state === 'OPEN') this.inOrder(() => this.sendCloseNow(code, reason, false))
    else this.drop()
  }

  private violate(message: string, code: number): void {
    this.violation ??= message
    this.failConnection(code, '')
  }

  /** The runner gave up on the case: drop the connection now. */
  abort(): void {
    this.drop()
  }

  /** Drops the connection from the fuzzer's side (TCP closed, or the stream reset). */
  private drop(): void {
    if (this.state === 'CLOSED' || this.channel.destroyed) return
    this.outcome.droppedByMe = true
    this.channel.destroy()
  }

  // --- Receiving -------------------------------------------------------------------------------

  private onData(chunk: Uint8Array): void {
    if (this.state === 'CLOSED') return
    let frames: ReturnType<FrameReader['push']>
    try {
      frames = this.reader.push(chunk)
    } catch (error) {
      this.violate(`malformed frame: ${(error as Error).message}`, 1002)
      return
    }
    for (const frame of frames) {
      this.receiveChain = this.receiveChain.then(() => this.onFrame(frame))
    }
  }

  private async onFrame(frame: ReturnType<FrameReader['push']>[number]): Promise<void> {
    if (this.receivedClose || this.state === 'CLOSED') return
    if (frame.masked !== this.isServer) {
      this.violate(this.isServer ? 'unmasked frame from a client' : 'masked frame from a server', 1002)
      return
    }
    const opcode = frame.opcode
    const compressedStart = (frame.rsv & 4) !== 0 && this.codec !== null && (opcode === 1 || opcode === 2)
    if ((frame.rsv & 4 && !compressedStart) || frame.rsv & 3) {
      this.violate(`RSV bits ${frame.rsv} on opcode ${opcode}`, 1002)
      return
    }
    if (opcode >= 8) {
      if (!frame.fin || frame.payload.length > 125) {
        this.violate('fragmented or oversized control frame', 1002)
        return
      }
      if (opcode === 8) this.onClose(frame.payload)
      else if (opcode === 9) this.inOrder(() => this.sendFrameNow({ opcode: 10, payload: frame.payload }))
      else if (opcode === 10) this.kase.onPong(frame.payload)
      else this.violate(`reserved opcode ${opcode}`, 1002)
      return
    }
    if (opcode === 0) {
      if (this.message === null) {
        this.violate('continuation frame without a message', 1002)
        return
      }
      this.message.parts.push(frame.payload)
    } else if (opcode === 1 || opcode === 2) {
      if (this.message !== null) {
        this.violate('new message inside a fragmented one', 1002)
        return
      }
      this.message = { opcode, compressed: compressedStart, parts: [frame.payload] }
    } else {
      this.violate(`reserved opcode ${opcode}`, 1002)
      return
    }
    if (!frame.fin) return
    const message = this.message
    this.message = null
    let data = message.parts.length === 1 ? (message.parts[0] as Uint8Array) : concat(message.parts)
    if (message.compressed && this.codec !== null) {
      try {
        data = await this.codec.decompress(data)
      } catch (error) {
        this.violate(`corrupt compressed message: ${(error as Error).message}`, 1007)
        return
      }
    }
    if (this.closed() || this.receivedClose) return
    if (message.opcode === 1 && !isValidUtf8(data)) {
      this.violate('text message that is not UTF-8', 1007)
      return
    }
    this.kase.onMessage(data, message.opcode === 2)
  }

  private onClose(payload: Uint8Array): void {
    this.receivedClose = true
    let code: number | null = null
    if (payload.length === 1) {
      this.violate('close frame with a 1-byte payload', 1002)
      return
    }
    if (payload.length >= 2) {
      code = ((payload[0] as number) << 8) | (payload[1] as number)
      this.outcome.remoteCloseCode = code
      if (!validCloseCode(code) || !isValidUtf8(payload.subarray(2))) {
        this.violate(`invalid close frame (code ${code})`, 1002)
        return
      }
    }
    if (this.sentClose) {
      // The reply to our close: the handshake is complete.
      this.outcome.wasClean = true
    } else {
      this.inOrder(() => this.sendCloseNow(code ?? undefined, undefined, true))
      this.inOrder(() => {
        this.outcome.wasClean = true
      })
    }
    this.inOrder(async () => {
      if (this.isServer) {
        // A server closes the TCP connection (ends its stream) once the close handshake is done.
        while (this.writing) await new Promise<void>((resolve) => setImmediate(resolve))
        if (this.closed()) return
        this.outcome.droppedByMe = true
        this.channel.end()
      } else {
        this.later(SERVER_DROP_TIMEOUT_MS, () => this.drop())
      }
    })
  }
}
