/**
 * `wsx connect URL`: stdin (lines, raw bytes, hex or base64) out as messages, messages received
 * in as stdout; on a terminal, an interactive prompt. With --reconnect, a lost connection is
 * opened again after a back-off, and what was typed meanwhile is sent then, in order.
 */
import type { Readable, Writable } from 'node:stream'
import { proxyForUrl } from '@ws/node-tcp'
import type { ClosedEvent } from '@ws/proto'
import type { ConnectNetwork, ConnectOptions, ConnectSettings } from './args.ts'
import { reconnectDelay } from './backoff.ts'
import type { Input, Outgoing } from './connect-input.ts'
import { StdinInput } from './connect-input.ts'
import { Printer, type Sink, streamSink } from './connect-output.ts'
import { describeConnectError, formatClosed } from './format.ts'
import { isInteractive, startTerminal } from './interactive.ts'
import { readOptionFile } from './option-file.ts'
import { openClient, type WsConnection } from './transport.ts'

export interface ConnectIo {
  stdin: Readable
  stdout: Writable
  stderr: Writable
  /** Aborted on SIGINT or SIGTERM: close with 1000 as at the end of stdin. */
  shutdown?: AbortSignal
  env?: NodeJS.ProcessEnv
}

/** How long to wait for the server's close frame after ours (then the socket is destroyed). */
export const CLOSE_TIMEOUT = 5000

/** stdin is paused while more than this many bytes wait for a reconnection. */
const PENDING_LIMIT = 16 * 1024 * 1024

/** Runs the client until the connection is over; resolves with the exit status. */
export async function runConnect(
  options: ConnectOptions,
  settings: ConnectSettings,
  io: ConnectIo,
  network: ConnectNetwork = { h2: false, proxy: 'none' },
): Promise<number> {
  let ca: Buffer | undefined
  if (options.ca !== undefined) {
    const read = await readOptionFile('--ca', options.ca, io.stderr)
    if (read === null) return 1
    ca = read
  }
  // As curl does: --proxy, else HTTPS_PROXY (wss://), HTTP_PROXY (ws://) or ALL_PROXY unless NO_PROXY.
  const proxy =
    network.proxy === 'none'
      ? undefined
      : network.proxy === 'env'
        ? proxyForUrl(options.url, io.env ?? {})
        : network.proxy.href
  const session = new Session(options, settings, io, ca, { h2: network.h2, proxy })
  return session.run()
}

/** One run of `wsx connect`: one connection, or several with --reconnect. */
class Session {
  readonly #options: ConnectOptions
  readonly #settings: ConnectSettings
  readonly #io: ConnectIo
  readonly #ca: Buffer | undefined
  readonly #route: { h2: boolean; proxy: string | undefined }
  readonly #sink: Sink
  readonly #printer: Printer
  readonly #input: Input
  readonly #closeScreen: () => void
  #started = false
  #inputEnded = false
  /** Messages waiting for a connection (with --reconnect). */
  readonly #pending: Outgoing[] = []
  #pendingBytes = 0
  #current: WsConnection | undefined
  /** We started the close of the current connection (end of input, /close, /quit, a signal). */
  #weClosed = false
  /** The code of our close frame, when we sent one. */
  #sentCode = 0
  /** Wakes the back-off wait early, when there is nothing left to reconnect for. */
  #wake: (() => void) | undefined

  constructor(
    options: ConnectOptions,
    settings: ConnectSettings,
    io: ConnectIo,
    ca: Buffer | undefined,
    route: { h2: boolean; proxy: string | undefined },
  ) {
    this.#options = options
    this.#route = route
    this.#settings = settings
    this.#io = io
    this.#ca = ca
    if (isInteractive(io, settings)) {
      const terminal = startTerminal(io, settings)
      this.#sink = terminal.sink
      this.#input = terminal.input
      this.#closeScreen = terminal.close
    } else {
      this.#sink = streamSink(io.stdout, io.stderr)
      this.#input = new StdinInput(io.stdin, settings.input, settings.chunk)
      this.#closeScreen = () => {}
    }
    this.#printer = new Printer(settings, this.#sink)
  }

  async run(): Promise<number> {
    const onShutdown = (): void => this.#end()
    this.#io.shutdown?.addEventListener('abort', onShutdown, { once: true })
    try {
      return await this.#loop()
    } finally {
      this.#io.shutdown?.removeEventListener('abort', onShutdown)
      this.#input.stop()
      this.#closeScreen()
    }
  }

  async #loop(): Promise<number> {
    const { reconnect, maxRetries } = this.#settings
    let failures = 0
    for (;;) {
      let connection: WsConnection
      try {
        connection = await this.#open()
      } catch (error) {
        this.#sink.err(describeConnectError(error, this.#options.url.href), 'error')
        if (!reconnect || !(await this.#backOff(++failures, maxRetries))) return 1
        continue
      }
      failures = 0
      const status = await this.#serve(connection)
      if (this.#weClosed || !reconnect || this.#nothingLeft()) return status
      if (!(await this.#backOff(++failures, maxRetries))) return 1
    }
  }

  /** Waits before attempt number `attempt`; false when there are no attempts left. */
  async #backOff(attempt: number, maxRetries: number): Promise<boolean> {
    if (attempt > maxRetries) {
      this.#sink.err(`wsx: giving up after ${maxRetries} ${maxRetries === 1 ? 'retry' : 'retries'}`, 'error')
      return false
    }
    if (this.#nothingLeft()) return false
    const delay = reconnectDelay(attempt)
    const limit = Number.isFinite(maxRetries) ? ` of ${maxRetries}` : ''
    this.#sink.err(`wsx: reconnecting in ${(delay / 1000).toFixed(1)} s (attempt ${attempt}${limit})`, 'info')
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay)
      this.#wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    this.#wake = undefined
    return !this.#nothingLeft()
  }

  /** The input has ended and everything it gave was sent: no reason to connect again. */
  #nothingLeft(): boolean {
    return this.#inputEnded && this.#pending.length === 0
  }

  #open(): Promise<WsConnection> {
    const settings = this.#settings
    const headers = [...this.#options.headers]
    if (settings.auth !== undefined) {
      headers.push(['Authorization', `Basic ${Buffer.from(settings.auth, 'utf8').toString('base64')}`])
    }
    return openClient(this.#options.url, {
      perMessageDeflate: this.#options.deflate,
      protocols: this.#options.protocols,
      headers,
      closeTimeout: CLOSE_TIMEOUT,
      ca: this.#ca,
      insecure: this.#options.insecure,
      origin: settings.origin,
      handshakeTimeout: settings.timeout,
      keepAlive: settings.keepalive,
      h2: this.#route.h2,
      proxy: this.#route.proxy,
      ...(settings.maxMessage === undefined
        ? {}
        : {
            limits: {
              maxMessageSize: settings.maxMessage,
              maxFrameSize: Math.max(settings.maxMessage, 16 * 1024 * 1024),
            },
          }),
    })
  }

  /** Runs one open connection to its end; resolves with the exit status it gives. */
  async #serve(connection: WsConnection): Promise<number> {
    this.#current = connection
    this.#weClosed = false
    this.#printer.open(connection)
    const pending = this.#pending.splice(0)
    this.#pendingBytes = 0
    for (const item of pending) this.#send(connection, item)
    if (!this.#started) {
      this.#started = true
      this.#input.start({
        item: (item) => this.#deliver(item),
        end: () => this.#end(),
        warn: (line) => this.#sink.err(line, 'error'),
      })
    } else {
      this.#input.resume()
    }
    if (this.#inputEnded && connection.state === 'open') this.#close(connection, 1000, '')

    /** The server's close frame, and whether it came before ours. */
    let peerClose: { code: number; reason: string; first: boolean } | undefined
    try {
      for await (const event of connection) {
        const wait = this.#printer.event(event)
        if (wait !== undefined) await wait
        if (event.type === 'close') {
          peerClose = { code: event.code, reason: event.reason, first: !this.#weClosed }
          if (!this.#settings.reconnect) this.#input.stop()
        } else if (event.type === 'closed') {
          if (!this.#settings.reconnect) this.#input.stop()
          return this.#finish(event, peerClose)
        }
      }
    } finally {
      this.#current = undefined
    }
    /* c8 ignore next 2: the iterator always ends with a closed event */
    return 1
  }

  /** An item from the input: sent now, kept for the next connection, or dropped when there is none. */
  #deliver(item: Outgoing): void {
    const connection = this.#current
    if (connection !== undefined && connection.state === 'open') {
      this.#send(connection, item)
      return
    }
    if (!this.#settings.reconnect) {
      this.#input.stop()
      return
    }
    this.#pending.push(item)
    this.#pendingBytes +=
      item.kind === 'binary' ? item.data.byteLength : item.kind === 'close' ? 0 : item.data.length
    if (this.#pendingBytes > PENDING_LIMIT) this.#input.pause()
  }

  #send(connection: WsConnection, item: Outgoing): void {
    if (connection.state !== 'open') return
    let ok = true
    switch (item.kind) {
      case 'text':
        ok = connection.sendText(item.data)
        break
      case 'binary':
        ok = connection.sendBinary(item.data)
        break
      case 'ping':
        connection.ping(item.data)
        this.#printer.sentPing(item.data)
        break
      case 'close':
        this.#inputEnded = true
        this.#input.stop()
        this.#close(connection, item.code, item.reason)
        return
    }
    if (!ok) {
      this.#input.pause()
      void connection.drained().then(() => this.#input.resume())
    }
  }

  /** The end of the input (or a signal): close with 1000 once everything typed has been sent. */
  #end(): void {
    this.#inputEnded = true
    this.#input.stop()
    const connection = this.#current
    if (connection !== undefined && connection.state === 'open') this.#close(connection, 1000, '')
    else if (this.#nothingLeft()) this.#wake?.()
  }

  #close(connection: WsConnection, code: number, reason: string): void {
    this.#weClosed = true
    this.#sentCode = code
    connection.close(code, reason)
  }

  /**
   * The exit status once the connection is over, and the line to print on stderr:
   * - the server closed first: `closed CODE REASON`, 0 for 1000 and 1001, 1 otherwise;
   * - we closed at the end of stdin (or with /close): 0, unless the server answered with a code
   *   that reports a problem (anything but 1000, 1001, our own code or an empty close): then that
   *   `closed` line and 1, as when a message we sent was too big (1009);
   * - the connection failed or was lost: one `wsx:` line and 1.
   */
  #finish(
    closed: ClosedEvent,
    peerClose: { code: number; reason: string; first: boolean } | undefined,
  ): number {
    const report = (line: string): void => this.#sink.err(line, 'error')
    if (peerClose !== undefined) {
      const { code, reason, first } = peerClose
      const normal = code === 1000 || code === 1001
      // After our close, the server's answer reports a problem unless it is normal or our own code.
      if (first || !(normal || code === 1005 || code === this.#sentCode)) {
        report(formatClosed(code, reason))
        return normal ? 0 : 1
      }
      return 0
    }
    if (this.#weClosed) return 0
    if (closed.error !== undefined) {
      report(`wsx: connection failed: ${closed.error.message} (${formatClosed(closed.code, '')})`)
    } else if (closed.code !== 1006) {
      // We failed it ourselves: no pong in time for --keepalive (1011).
      report(`wsx: connection failed: ${closed.reason || 'closed by us'} (${formatClosed(closed.code, '')})`)
    } else {
      report(`wsx: connection lost: the server ended it without a close frame (${closed.code})`)
    }
    return 1
  }
}
