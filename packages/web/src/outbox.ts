/**
 * What WebSocket.send() and close() hand to the connection, in call order, and the
 * `bufferedAmount` they add up to.
 *
 * Order: a Blob is read asynchronously, so while one is being read everything sent (or a close)
 * after it waits behind it; otherwise data goes to the connection at once.
 *
 * bufferedAmount (the Standard: application bytes queued and, as of the last turn of the event
 * loop, not yet transmitted): it grows synchronously by each message's size. It shrinks only in
 * a later macrotask, as the connection reports that the bytes left its buffer: each message
 * remembers how many bytes it added to the connection's `bufferedAmount`, and it is counted as
 * sent once the bytes still buffered fit in the messages after it. Data dropped because the
 * connection is closing still counts, for good (the Standard says the value never resets).
 */
import { type DriverConnection, errorCode, SEND_BUFFER_FULL } from './driver-types.ts'
import { type WebBlob, web } from './globals.ts'
import { nextMacrotask } from './tasks.ts'

type Item =
  | { kind: 'text'; text: string; size: number }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'blob'; blob: WebBlob }
  | { kind: 'close'; args: [code?: number, reason?: string] }

interface InFlight {
  size: number
  wire: number
}

/** Poll delays (ms) while the connection still holds our bytes and has not said it drained. */
const POLL_DELAYS = [1, 2, 4, 8, 16, 32, 64]

export class Outbox {
  /** What bufferedAmount reports. */
  amount = 0
  private connection: DriverConnection | null = null
  private readonly waiting: Item[] = []
  private pumping = false
  /** Messages handed to the connection and not yet counted as sent, from `inFlightHead` on. */
  private inFlight: InFlight[] = []
  private inFlightHead = 0
  private wireTotal = 0
  private watching = false
  private frozen = false
  private readonly onFull: () => void

  /** `onFull`: the connection refused data because its buffer is full (flag as full, then close). */
  constructor(onFull: () => void) {
    this.onFull = onFull
  }

  /** The connection data goes to, once it is open. */
  attach(connection: DriverConnection): void {
    this.connection = connection
  }

  /** Counts data dropped because the closing handshake has started. */
  drop(size: number): void {
    this.amount += size
  }

  text(text: string, size: number): void {
    this.amount += size
    this.push({ kind: 'text', text, size })
  }

  /** `bytes` is sent as it is now: copy it first if the caller may change it later. */
  bytes(bytes: Uint8Array): void {
    this.amount += bytes.byteLength
    this.push({ kind: 'bytes', bytes })
  }

  blob(blob: WebBlob): void {
    this.amount += blob.size
    this.push({ kind: 'blob', blob })
  }

  /** Sends the close frame after everything sent before it. */
  close(args: [code?: number, reason?: string]): void {
    this.push({ kind: 'close', args })
  }

  /** The connection is over: bufferedAmount keeps its value from now on. */
  freeze(): void {
    this.frozen = true
  }

  /** True while a Blob is being read, with data behind it. */
  get busy(): boolean {
    return this.waiting.length > 0
  }

  private push(item: Item): void {
    if (this.waiting.length > 0 || item.kind === 'blob') {
      this.waiting.push(item)
      if (!this.pumping) void this.pump()
      return
    }
    this.transmit(item)
  }

  private async pump(): Promise<void> {
    this.pumping = true
    try {
      while (this.waiting.length > 0) {
        const item = this.waiting[0] as Item
        if (item.kind === 'blob') {
          let buffer: ArrayBuffer | null
          try {
            buffer = await item.blob.arrayBuffer()
          } catch {
            // An unreadable Blob sends nothing, and is no longer waiting to be sent.
            buffer = null
            if (!this.frozen) this.amount -= item.blob.size
          }
          if (buffer !== null) this.transmit({ kind: 'bytes', bytes: new Uint8Array(buffer) })
        } else {
          this.transmit(item)
        }
        this.waiting.shift()
      }
    } finally {
      this.pumping = false
    }
  }

  private transmit(item: Item): void {
    const connection = this.connection
    if (connection === null || this.frozen) return
    if (item.kind === 'close') {
      try {
        connection.close(...item.args)
      } catch {
        // The connection is already closing or closed: nothing more to do.
      }
      return
    }
    if (item.kind === 'blob') return
    const before = connection.bufferedAmount
    // Messages sent from one turn's tasks (say, replies from message handlers) leave in one write.
    connection.holdWrites?.()
    try {
      if (item.kind === 'text') connection.sendText(item.text)
      else connection.sendBinary(item.bytes)
    } catch (error) {
      // The closing handshake started under us (the peer's close arrived): dropped, as the
      // Standard says. A full buffer flags the WebSocket as full and closes the connection.
      if (errorCode(error) === SEND_BUFFER_FULL) this.onFull()
      return
    }
    const size = item.kind === 'text' ? item.size : item.bytes.byteLength
    const wire = Math.max(0, connection.bufferedAmount - before)
    this.inFlight.push({ size, wire })
    this.wireTotal += wire
    this.watch()
  }

  /** Lowers `amount` in later macrotasks as the connection's buffer empties. */
  private watch(): void {
    if (this.watching) return
    this.watching = true
    void this.settle()
  }

  private async settle(): Promise<void> {
    const connection = this.connection as DriverConnection
    let drained = false
    const onDrain = (): void => {
      drained = true
    }
    connection.on('drain', onDrain)
    try {
      await nextMacrotask()
      let attempt = 0
      while (this.inFlightHead < this.inFlight.length && !this.frozen) {
        this.release(connection.bufferedAmount)
        if (this.inFlightHead === this.inFlight.length) break
        const delay = POLL_DELAYS[Math.min(attempt++, POLL_DELAYS.length - 1)] as number
        await new Promise<void>((resolve) => {
          if (drained) {
            drained = false
            resolve()
            return
          }
          web.setTimeout(resolve, delay)
        })
      }
    } finally {
      connection.off('drain', onDrain)
      this.watching = false
    }
  }

  /** Counts as sent every message whose bytes are no longer among the `buffered` ones. */
  private release(buffered: number): void {
    const inFlight = this.inFlight
    let head = this.inFlightHead
    while (head < inFlight.length) {
      const first = inFlight[head] as InFlight
      if (this.wireTotal - first.wire < buffered) break
      head++
      this.wireTotal -= first.wire
      this.amount -= first.size
    }
    if (head === inFlight.length) {
      this.inFlight = []
      this.inFlightHead = 0
    } else if (head > 1024 && head * 2 > inFlight.length) {
      this.inFlight = inFlight.slice(head)
      this.inFlightHead = 0
    } else {
      this.inFlightHead = head
    }
  }
}
