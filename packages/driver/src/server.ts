/**
 * The server handshake runner: takes a byte transport whose peer is a client, runs @ws/proto's
 * ServerHandshake on it within a deadline, asks the application's hooks, and answers with 101
 * and an open Connection, or with an error response. Transports (TCP, TLS, HTTP/1.1 upgrades from
 * an HTTP server, an in-memory pair) hand their transports to one Acceptor.
 */
import {
  type ExtensionFactory,
  type HeaderInput,
  type HttpHeadLimits,
  type ParsedRequestHead,
  type PerMessageDeflateOptions,
  PreparedMessage,
  ServerHandshake,
  type ServerHandshakeResult,
  type UpgradeRequest,
  type WebSocketConnection,
} from '@ws/proto'
import type { MakeConnection } from './client.ts'
import { Connection } from './connection.ts'
import {
  coreOptions,
  deflateFactories,
  type ResolvedSocketOptions,
  resolveHandshakeTimeout,
  resolveSocketOptions,
  type SocketOptions,
} from './options.ts'
import { startTimeout, stopTimeout } from './timers.ts'
import type { ByteTransport, TransportSink } from './transport.ts'

export type VerifyClientResult = boolean | { status: number; headers?: HeaderInput; body?: string }

export interface ServerOptions extends SocketOptions {
  /** Accept permessage-deflate when offered (default true), with these options when an object. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions
  /** Picks a subprotocol from the client's offer; by default none is chosen. */
  handleProtocols?: (offered: readonly string[], request: UpgradeRequest) => string | undefined
  /**
   * Accept (true) or refuse (false: 403, or the status given) a request, e.g. by its Origin, now
   * or through a promise (e.g. a token looked up in a database). The handshake timeout runs on
   * while a promise is pending; a hook that throws or rejects refuses the request with 500.
   */
  verifyClient?: (request: UpgradeRequest) => VerifyClientResult | PromiseLike<VerifyClientResult>
  /** Milliseconds a client has to send its whole request, and the hooks to answer (default 10000). */
  handshakeTimeout?: number
  /** Limits on the request head (default 8 KiB lines, 100 fields, 16 KiB in all). */
  handshakeLimits?: Partial<HttpHeadLimits>
}

/** What the application's hooks decided about a request. */
export type Verdict =
  | { accept: true; protocol: string | undefined }
  | { accept: false; status: number; headers?: HeaderInput; body?: string }

/** A hook that threw or rejected: the request is refused as the server's own failure. */
const HOOK_FAILED: Verdict = { accept: false, status: 500 }

/**
 * Asks `verifyClient`, then `handleProtocols` (whose answer counts only if the client offered
 * it). Every handshake runner (HTTP/1.1 here, HTTP/2 in @ws/node-h2) decides the same way. The
 * verdict is a promise only when `verifyClient` answered with one.
 */
export function screenRequest(options: ServerOptions, request: UpgradeRequest): Verdict | Promise<Verdict> {
  let answer: VerifyClientResult | PromiseLike<VerifyClientResult>
  try {
    answer = options.verifyClient ? options.verifyClient(request) : true
  } catch {
    return HOOK_FAILED
  }
  if (
    typeof answer === 'object' &&
    answer !== null &&
    typeof (answer as PromiseLike<unknown>).then === 'function'
  ) {
    return Promise.resolve(answer).then(
      (verdict) => decide(options, request, verdict),
      () => HOOK_FAILED,
    )
  }
  return decide(options, request, answer as VerifyClientResult)
}

function decide(options: ServerOptions, request: UpgradeRequest, verdict: VerifyClientResult): Verdict {
  if (verdict !== true) {
    const refusal = verdict === false ? { status: 403 } : verdict
    return { accept: false, ...refusal }
  }
  let chosen: string | undefined
  try {
    chosen = options.handleProtocols?.(request.protocols, request)
  } catch {
    return HOOK_FAILED
  }
  return {
    accept: true,
    protocol: chosen !== undefined && request.protocols.includes(chosen) ? chosen : undefined,
  }
}

/**
 * Sends one message to every open connection of `connections` (those `filter` accepts), encoding
 * it once: plain connections share one frame, permessage-deflate connections without context
 * takeover on our side share one compressed frame, the others compress it themselves. What one
 * turn of the event loop broadcasts leaves each connection in one write. A connection that
 * cannot take it now (closing, or over `maxBufferedAmount`) is skipped. Returns how many
 * connections it was sent to. Any server (HTTP/1.1, HTTP/2) can use it on its connections.
 */
export function broadcast(
  connections: Iterable<Connection>,
  data: string | Uint8Array | PreparedMessage,
  options: { filter?: (connection: Connection) => boolean } = {},
): number {
  const message = data instanceof PreparedMessage ? data : new PreparedMessage(data)
  const filter = options.filter
  let sent = 0
  for (const connection of connections) {
    if (connection.state !== 'open' || (filter !== undefined && !filter(connection))) continue
    try {
      // Broadcasts made in the same turn leave each connection in one write.
      connection.holdWrites()
      connection.sendPrepared(message)
      sent++
    } catch {
      // Over maxBufferedAmount: this one misses the message; the others still get it.
    }
  }
  return sent
}

/** Called with each connection whose handshake succeeded. */
export type OnConnection = (connection: Connection, request: UpgradeRequest) => void

const defaultMake: MakeConnection = (transport, core, options) => new Connection(transport, core, options)

const IGNORE: TransportSink = { data() {}, end() {}, closed() {}, drain() {} }

export class Acceptor {
  private readonly options: ServerOptions
  private readonly socketOptions: ResolvedSocketOptions
  private readonly extensions: ExtensionFactory[]
  private readonly handshakeTimeout: number
  private readonly open = new Set<Connection>()
  private readonly handshaking = new Set<ByteTransport>()
  private closing = false

  private readonly make: MakeConnection

  constructor(options: ServerOptions = {}, make: MakeConnection = defaultMake) {
    this.options = options
    this.make = make
    this.socketOptions = resolveSocketOptions(options)
    this.handshakeTimeout = resolveHandshakeTimeout(options.handshakeTimeout)
    this.extensions = deflateFactories(options.perMessageDeflate)
  }

  /** Open connections. */
  get connections(): ReadonlySet<Connection> {
    return this.open
  }

  /** True once close() was called: new transports are refused. */
  get isClosing(): boolean {
    return this.closing
  }

  /**
   * Runs the handshake on `transport` (reading the request from it, or taking `parsed`, a request
   * head an HTTP server already read, with the bytes that followed it). Resolves with the open
   * connection, after `onConnection` was called, or null when the request was refused or the
   * transport went away (the transport then carries the error response, or is destroyed).
   */
  accept(
    transport: ByteTransport,
    onConnection: OnConnection,
    parsed?: { head: ParsedRequestHead; rest: Uint8Array },
  ): Promise<Connection | null> {
    return new Promise((resolve) => this.run(transport, onConnection, parsed, resolve))
  }

  /** broadcast() (below) to this acceptor's open connections. */
  broadcast(
    data: string | Uint8Array | PreparedMessage,
    options: { filter?: (connection: Connection) => boolean } = {},
  ): number {
    return broadcast(this.open, data, options)
  }

  /** Closes every open connection with `code` (default 1001) and waits for them to end. */
  async close(code = 1001, reason = ''): Promise<void> {
    this.closing = true
    for (const transport of this.handshaking) transport.destroy()
    for (const connection of this.open) {
      if (connection.state === 'open') connection.close(code, reason)
    }
    await Promise.all([...this.open].map((connection) => connection.closed))
  }

  /**
   * The open connection, tracked until it closes. A method of its own so that what the
   * tracking keeps alive is the connection only, not the handshake's scope (its parser, header
   * strings, timer and closures would otherwise live as long as the connection).
   */
  private adopt(transport: ByteTransport, core: WebSocketConnection): Connection {
    const connection = this.make(transport, core, this.socketOptions)
    if (!connection.isFinished) {
      this.open.add(connection)
      connection.tracker = this.open
    }
    return connection
  }

  private run(
    transport: ByteTransport,
    onConnection: OnConnection,
    parsed: { head: ParsedRequestHead; rest: Uint8Array } | undefined,
    done: (connection: Connection | null) => void,
  ): void {
    if (this.closing) {
      transport.destroy()
      done(null)
      return
    }
    const handshake = new ServerHandshake({
      extensions: this.extensions,
      connection: coreOptions(this.socketOptions),
      ...(this.options.handshakeLimits === undefined
        ? {}
        : { handshakeLimits: this.options.handshakeLimits }),
    })
    this.handshaking.add(transport)
    let settled = false
    const finish = (connection: Connection | null, destroy: boolean): void => {
      if (settled) return
      settled = true
      stopTimeout(timer)
      this.handshaking.delete(transport)
      if (destroy) transport.destroy()
      done(connection)
    }
    const timer = startTimeout(() => finish(null, true), this.handshakeTimeout)
    const refuse = (response: Uint8Array): void => {
      transport.attach(IGNORE)
      transport.write(response)
      transport.end()
      // A client that never closes its side is cut off after the close timeout.
      startTimeout(() => transport.destroy(), this.socketOptions.closeTimeout)
      finish(null, false)
    }
    const onResult = (result: ServerHandshakeResult): void => {
      if (settled || result.kind === 'incomplete') return
      if (result.kind === 'rejected') {
        refuse(result.response)
        return
      }
      const request = result.request
      const verdict = screenRequest(this.options, request)
      if (!(verdict instanceof Promise)) {
        answer(request, verdict, null)
        return
      }
      // The hook answers later: stop reading meanwhile, and keep what was read all the same (a
      // client may send frames right behind its request) for the connection.
      transport.pause()
      const early: Uint8Array[] = []
      transport.attach({ data: (chunk) => early.push(chunk), end: gone, closed: gone, drain() {} })
      void verdict.then((decided) => {
        if (settled) return
        // Reading again before answering: whatever a transport delivers at once goes to `early`.
        transport.resume()
        if (!settled) answer(request, decided, early)
      })
    }
    const answer = (request: UpgradeRequest, verdict: Verdict, early: Uint8Array[] | null): void => {
      if (!verdict.accept) {
        refuse(
          handshake.reject(verdict.status, {
            ...(verdict.headers === undefined ? {} : { headers: verdict.headers }),
            ...(verdict.body === undefined ? {} : { body: verdict.body }),
          }),
        )
        return
      }
      const protocol = verdict.protocol
      const { response, connection: core } = handshake.accept(protocol === undefined ? {} : { protocol })
      if (early !== null) for (const chunk of early) core.receive(chunk)
      transport.write(response)
      const connection = this.adopt(transport, core)
      finish(connection, false)
      onConnection(connection, request)
    }
    const gone = (): void => finish(null, true)
    transport.attach({
      data: (chunk) => onResult(handshake.receive(chunk)),
      end: gone,
      closed: gone,
      drain() {},
    })
    if (parsed !== undefined) onResult(handshake.receiveParsed(parsed.head, parsed.rest))
  }
}
