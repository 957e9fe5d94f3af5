/**
 * What `wsx connect` prints for each event: messages on stdout (as lines, raw bytes, hex, base64
 * or JSON lines), and with --show-control the pings, pongs and close frame on stderr.
 */
import type { WebSocketEvent } from '@ws/proto'
import type { ConnectSettings } from './args.ts'
import { describePayload, encode } from './encoding.ts'
import { formatBinary } from './format.ts'
import type { WsConnection } from './transport.ts'

/** Styles the interactive screen colours; other sinks ignore them. */
export type Style = 'text' | 'binary' | 'control' | 'error' | 'info'

/** Where the output goes: stdout (with backpressure) and stderr lines. */
export interface Sink {
  /** Writes to stdout; returns a promise when stdout is full, to wait on before the next write. */
  out(data: string | Uint8Array, style: Style): Promise<void> | undefined
  /** Writes one line (given without its newline) on stderr. */
  err(line: string, style: Style): void
}

const now = (): string => new Date().toISOString()

export class Printer {
  readonly #settings: ConnectSettings
  readonly #sink: Sink

  constructor(settings: ConnectSettings, sink: Sink) {
    this.#settings = settings
    this.#sink = sink
  }

  /** The connection is open (first time or after a reconnect). */
  open(connection: WsConnection): void {
    if (this.#settings.jsonl) {
      this.#json({
        type: 'open',
        protocol: connection.protocol,
        extensions: connection.extensions,
        status: 101,
      })
    }
  }

  /** A ping we sent ourselves (`/ping`). */
  sentPing(text: string): void {
    if (this.#settings.showControl) this.#sink.err(`> ping ${text}`.trimEnd(), 'control')
  }

  /** One event from the connection; the promise (if any) is stdout's backpressure. */
  event(event: WebSocketEvent): Promise<void> | undefined {
    const { jsonl, showControl, input } = this.#settings
    if (showControl) {
      if (event.type === 'ping' || event.type === 'pong') {
        this.#sink.err(`< ${event.type} ${describePayload(event.data)}`.trimEnd(), 'control')
      } else if (event.type === 'close') {
        this.#sink.err(`< close ${event.code} ${event.reason}`.trimEnd(), 'control')
      }
    }
    if (jsonl) {
      switch (event.type) {
        case 'text':
          return this.#json({ type: 'text', data: event.data })
        case 'binary':
          return this.#json({ type: 'binary', base64: encode(event.data, 'base64') })
        case 'ping':
        case 'pong':
          return this.#json({ type: event.type, base64: encode(event.data, 'base64') })
        case 'closed':
          return this.#json({
            type: 'close',
            code: event.code,
            reason: event.reason,
            wasClean: event.wasClean,
          })
        default:
          return undefined
      }
    }
    if (event.type === 'text') return this.#sink.out(`${event.data}\n`, 'text')
    if (event.type !== 'binary') return undefined
    // A copy: the event's bytes may be a view of a buffer the library reuses, and stdout may
    // hold a chunk a while before writing it.
    if (input === 'binary') return this.#sink.out(event.data.slice(), 'binary')
    if (input === 'hex' || input === 'base64')
      return this.#sink.out(`${encode(event.data, input)}\n`, 'binary')
    return this.#sink.out(`${formatBinary(event.data)}\n`, 'binary')
  }

  #json(fields: Record<string, unknown>): Promise<void> | undefined {
    return this.#sink.out(`${JSON.stringify({ time: now(), ...fields })}\n`, 'text')
  }
}

/** The sink of the non-interactive modes: plain writes, waiting for 'drain' when stdout is full. */
export function streamSink(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Sink {
  return {
    out: (data) => write(stdout, data),
    err: (line) => {
      stderr.write(`${line}\n`)
    },
  }
}

/** Writes, waiting for 'drain' when the stream's buffer is full (backpressure to the socket). */
function write(stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> | undefined {
  if (stream.write(data)) return undefined
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done)
      stream.off('close', done)
      stream.off('error', done)
      resolve()
    }
    stream.on('drain', done)
    stream.on('close', done)
    stream.on('error', done)
  })
}
