/** Turns stdin into outgoing messages for `wsx connect`: lines of text, hex or base64, or raw bytes. */
import type { Readable } from 'node:stream'
import type { InputMode } from './args.ts'
import { decode, ENCODING_WORDS } from './encoding.ts'
import { LineSplitter } from './lines.ts'

/** What the input asks the connection to do. */
export type Outgoing =
  | { kind: 'text'; data: string }
  | { kind: 'binary'; data: Uint8Array }
  | { kind: 'ping'; data: string }
  | { kind: 'close'; code: number; reason: string }

export interface InputHandlers {
  item(item: Outgoing): void
  /** The end of the input (end of stdin, Ctrl-D): close with 1000. */
  end(): void
  /** A line on stderr about input that was not sent. */
  warn(line: string): void
}

export interface Input {
  start(handlers: InputHandlers): void
  pause(): void
  resume(): void
  /** Stops reading for good. */
  stop(): void
}

/** stdin as a stream of bytes (a pipe or a file). */
export class StdinInput implements Input {
  readonly #stdin: Readable
  readonly #mode: InputMode
  readonly #chunk: number
  readonly #splitter = new LineSplitter()
  #line = 0
  #stopped = false
  #handlers: InputHandlers | undefined

  constructor(stdin: Readable, mode: InputMode, chunk: number) {
    this.#stdin = stdin
    this.#mode = mode
    this.#chunk = chunk
  }

  start(handlers: InputHandlers): void {
    this.#handlers = handlers
    this.#stdin.on('data', this.#onData)
    this.#stdin.once('end', this.#onEnd)
    this.#stdin.once('error', this.#onEnd)
  }

  pause(): void {
    if (!this.#stopped) this.#stdin.pause()
  }

  resume(): void {
    if (!this.#stopped) this.#stdin.resume()
  }

  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#stdin.off('data', this.#onData)
    this.#stdin.off('end', this.#onEnd)
    this.#stdin.off('error', this.#onEnd)
    this.#stdin.pause()
  }

  readonly #onData = (chunk: Uint8Array | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    if (this.#mode === 'binary') {
      for (let start = 0; start < bytes.byteLength && !this.#stopped; start += this.#chunk) {
        this.#handlers?.item({ kind: 'binary', data: bytes.subarray(start, start + this.#chunk) })
      }
      return
    }
    this.#lines(this.#splitter.push(bytes))
  }

  readonly #onEnd = (): void => {
    if (this.#mode !== 'binary') this.#lines(this.#splitter.end())
    if (this.#stopped) return
    const handlers = this.#handlers
    this.stop()
    handlers?.end()
  }

  #lines(lines: string[]): void {
    const handlers = this.#handlers
    for (const line of lines) {
      if (this.#stopped || handlers === undefined) return
      this.#line++
      const mode = this.#mode
      if (mode === 'lines' || mode === 'binary') {
        handlers.item({ kind: 'text', data: line })
        continue
      }
      const data = decode(line, mode)
      if (data === undefined) {
        handlers.warn(`wsx: stdin line ${this.#line} is not valid ${ENCODING_WORDS[mode]}: not sent`)
      } else {
        handlers.item({ kind: 'binary', data })
      }
    }
  }
}
