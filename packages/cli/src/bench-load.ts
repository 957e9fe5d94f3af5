/**
 * The load of `wsx bench` in one thread: its share of the connections, each keeping `inFlight`
 * messages on the way, every echo checked (type, length, content) and timed.
 */
import type { ClosedEvent } from '@ws/proto'
import { Histogram } from './histogram.ts'
import { openClient, type WsConnection } from './transport.ts'

export interface LoadPlan {
  url: string
  /** Index of this thread's first connection (payloads differ per connection). */
  first: number
  connections: number
  inFlight: number
  size: number
  binary: boolean
  deflate: boolean
  ca: Uint8Array | undefined
  insecure: boolean
}

export interface LoadResult {
  /** Echoes received and checked while the load ran (the measured window). */
  messages: number
  bytes: number
  /** How long the window lasted, in milliseconds (shorter than asked when stopped early). */
  windowMs: number
  /** Every message sent, and every echo received, including the in-flight ones after the window. */
  sent: number
  received: number
  errors: number
  /** A few error descriptions, for the summary. */
  samples: string[]
  closes: Record<string, number>
  connected: number
  histogram: { counts: Uint32Array; max: number }
}

const encoder = new TextEncoder()

/** How long the in-flight echoes get after the load stops, and the close after them. */
const DRAIN_TIMEOUT = 10_000

/** The seq-th payload of a connection: 12 hex digits of seq, then a pattern that depends on the connection. */
export function payloadText(connection: number, seq: number, size: number): string {
  const fill = `${connection.toString(36)}-abcdefghijklmnopqrstuvwxyz0123456789/`
  const head = seq.toString(16).padStart(12, '0')
  return head + fill.repeat(Math.ceil((size - 12) / fill.length)).slice(0, size - 12)
}

export class Load {
  readonly #plan: LoadPlan
  readonly #histogram = new Histogram()
  readonly #result: Omit<LoadResult, 'histogram'> = {
    messages: 0,
    bytes: 0,
    windowMs: 0,
    sent: 0,
    received: 0,
    errors: 0,
    samples: [],
    closes: {},
    connected: 0,
  }
  readonly #open: WsConnection[] = []
  #measuring = false
  #stopped = false
  #stopNow: () => void = () => {}

  constructor(plan: LoadPlan) {
    this.#plan = plan
  }

  /** Progress counters since the start, for the live line. */
  get progress(): { messages: number; bytes: number; errors: number } {
    return { messages: this.#result.messages, bytes: this.#result.bytes, errors: this.#result.errors }
  }

  /** Ends the load now, before its duration (SIGINT). */
  stop(): void {
    this.#stopNow()
  }

  /** Opens every connection of this thread (failures are counted as errors). */
  async connect(): Promise<void> {
    const plan = this.#plan
    const attempts = Array.from({ length: plan.connections }, async () => {
      try {
        const connection = await openClient(new URL(plan.url), {
          perMessageDeflate: plan.deflate,
          protocols: [],
          headers: [],
          closeTimeout: DRAIN_TIMEOUT,
          ca: plan.ca === undefined ? undefined : Buffer.from(plan.ca),
          insecure: plan.insecure,
        })
        this.#open.push(connection)
        this.#result.connected++
      } catch (error) {
        this.#error(`cannot connect: ${error instanceof Error ? error.message : String(error)}`)
      }
    })
    await Promise.all(attempts)
  }

  /** Runs the load for `duration` ms, then lets the in-flight echoes in and closes with 1000. */
  async run(duration: number): Promise<LoadResult> {
    this.#measuring = true
    const runs = this.#open.map((connection, index) => this.#drive(connection, this.#plan.first + index))
    const started = performance.now()
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, duration)
      this.#stopNow = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    this.#result.windowMs = performance.now() - started
    this.#measuring = false
    this.#stopped = true
    const closed = await Promise.all(runs)
    for (const event of closed) {
      const key = String(event.code)
      this.#result.closes[key] = (this.#result.closes[key] ?? 0) + 1
      if (event.code !== 1000) this.#error(`connection closed with ${event.code} ${event.reason}`.trim())
    }
    return { ...this.#result, histogram: { counts: this.#histogram.counts, max: this.#histogram.max } }
  }

  #error(text: string): void {
    this.#result.errors++
    if (this.#result.samples.length < 5) this.#result.samples.push(text)
  }

  /** One connection's traffic; resolves with its closed event. */
  #drive(connection: WsConnection, id: number): Promise<ClosedEvent> {
    const { inFlight, size, binary } = this.#plan
    const result = this.#result
    const sentAt = new Float64Array(inFlight)
    const pattern = encoder.encode(payloadText(id, 0, size)).subarray(12)
    let nextSeq = 0
    let expected = 0
    let drainTimer: NodeJS.Timeout | undefined
    const makeBinary = (seq: number): Uint8Array => {
      const data = new Uint8Array(size)
      data.set(encoder.encode(seq.toString(16).padStart(12, '0')))
      data.set(pattern, 12)
      return data
    }
    const send = (): void => {
      const seq = nextSeq++
      sentAt[seq % inFlight] = performance.now()
      result.sent++
      try {
        if (binary) connection.sendBinary(makeBinary(seq))
        else connection.sendText(payloadText(id, seq, size))
      } catch (error) {
        this.#error(`cannot send: ${error instanceof Error ? error.message : String(error)}`)
        connection.terminate()
      }
    }
    const finishIfDone = (): void => {
      if (this.#stopped && expected === nextSeq && connection.state === 'open') {
        clearTimeout(drainTimer)
        connection.close(1000)
      }
    }
    const check = (type: 'text' | 'binary', data: string | Uint8Array): void => {
      const seq = expected++
      result.received++
      const latency = performance.now() - (sentAt[seq % inFlight] as number)
      const problem = mismatch(type, data, binary, size, seq, id, pattern)
      if (problem !== undefined) this.#error(`echo ${seq} of connection ${id}: ${problem}`)
      else if (this.#measuring) {
        this.#histogram.record(latency)
        result.messages++
        result.bytes += size
      }
      if (!this.#stopped && connection.state === 'open') send()
      else finishIfDone()
    }
    connection.on('text', (event) => check('text', event.data))
    connection.on('binary', (event) => check('binary', event.data))
    for (let i = 0; i < inFlight; i++) send()
    const stop = setInterval(() => {
      if (!this.#stopped) return
      clearInterval(stop)
      finishIfDone()
      // An echo that never comes: close anyway after the drain timeout, counting the missing ones.
      drainTimer = setTimeout(() => {
        if (expected < nextSeq) this.#error(`connection ${id}: ${nextSeq - expected} echoes never came`)
        if (connection.state === 'open') connection.close(1000)
      }, DRAIN_TIMEOUT)
    }, 20)
    return connection.closed.then((event) => {
      clearInterval(stop)
      clearTimeout(drainTimer)
      return event
    })
  }
}

/** Why an echo is not the message sent, or undefined when it is. */
function mismatch(
  type: 'text' | 'binary',
  data: string | Uint8Array,
  binary: boolean,
  size: number,
  seq: number,
  id: number,
  pattern: Uint8Array,
): string | undefined {
  if ((type === 'binary') !== binary) return `a ${type} message instead of ${binary ? 'binary' : 'text'}`
  if (typeof data === 'string') {
    if (data.length !== size) return `${data.length} characters instead of ${size}`
    return data === payloadText(id, seq, size) ? undefined : 'different content'
  }
  if (data.byteLength !== size) return `${data.byteLength} bytes instead of ${size}`
  const head = Buffer.from(data.buffer, data.byteOffset, 12).toString('latin1')
  if (head !== seq.toString(16).padStart(12, '0')) return 'different content (sequence number)'
  return Buffer.from(data.buffer, data.byteOffset + 12, size - 12).equals(pattern)
    ? undefined
    : 'different content'
}
