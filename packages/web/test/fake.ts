/**
 * A fake connection (the DriverConnection interface) and a connector whose attempts the test
 * settles by hand: for the state machine, conversions and object shape without sockets.
 */
import type { ClosedEvent, WebSocketEvent } from '@ws/proto'
import type { Connector, ConnectRequest, DriverConnection } from '../src/driver-types.ts'
import { defineWebSocket } from '../src/websocket.ts'
import { defineWebSocketStream } from '../src/websocket-stream.ts'

type Sent = string | Uint8Array | { close: [code?: number, reason?: string] }

export class FakeConnection implements DriverConnection {
  role: 'client' | 'server' = 'client'
  protocol = ''
  extensions = ''
  bufferedAmount = 0
  /** What the WebSocket handed over, in order. */
  readonly sent: Sent[] = []
  readonly closed: Promise<ClosedEvent>
  terminated = false
  /** Make send*() throw this. */
  sendError: unknown = null
  private resolveClosed!: (event: ClosedEvent) => void
  private readonly listeners = new Map<string, Set<(...args: never[]) => void>>()
  private over = false

  constructor() {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve
    })
  }

  sendText(text: string): boolean {
    if (this.sendError !== null) throw this.sendError
    this.sent.push(text)
    return true
  }

  sendBinary(data: Uint8Array): boolean {
    if (this.sendError !== null) throw this.sendError
    this.sent.push(data.slice())
    return true
  }

  close(code?: number, reason?: string): void {
    const args: [code?: number, reason?: string] = []
    if (code !== undefined) args.push(code)
    if (reason !== undefined) args.push(reason)
    this.sent.push({ close: args })
  }

  terminate(): void {
    this.terminated = true
    this.finish({ type: 'closed', code: 1006, reason: '', wasClean: false })
  }

  drained(): Promise<void> {
    return Promise.resolve()
  }

  on(name: string, listener: (...args: never[]) => void): this {
    let set = this.listeners.get(name)
    if (set === undefined) {
      set = new Set()
      this.listeners.set(name, set)
    }
    set.add(listener)
    return this
  }

  off(name: string, listener: (...args: never[]) => void): this {
    this.listeners.get(name)?.delete(listener)
    return this
  }

  /** The driver delivers an event (to 'event' listeners). */
  emit(event: WebSocketEvent): void {
    for (const listener of this.listeners.get('event') ?? [])
      (listener as (event: WebSocketEvent) => void)(event)
  }

  emitDrain(): void {
    for (const listener of this.listeners.get('drain') ?? []) (listener as () => void)()
  }

  /** The connection ends: `closed` for listeners and the promise. */
  finish(event: ClosedEvent): void {
    if (this.over) return
    this.over = true
    this.emit(event)
    this.resolveClosed(event)
  }

  listenerCount(name: string): number {
    return this.listeners.get(name)?.size ?? 0
  }

  [Symbol.asyncIterator](): AsyncIterator<WebSocketEvent> {
    throw new Error('the fake connection has no iterator')
  }
}

/** A connector whose attempts wait for the test: `attempts[i].resolve(connection)` or `.reject()`. */
export function manualConnector(): {
  connector: Connector
  attempts: (ConnectRequest & { resolve(connection: DriverConnection): void; reject(error: unknown): void })[]
} {
  const attempts: (ConnectRequest & {
    resolve(connection: DriverConnection): void
    reject(error: unknown): void
  })[] = []
  const connector: Connector = (request) =>
    new Promise((resolve, reject) => {
      attempts.push({ ...request, resolve, reject })
      if (request.signal.aborted) reject(request.signal.reason)
      request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true })
    })
  return { connector, attempts }
}

/** WebSocket and WebSocketStream classes over a manual connector. */
export function fakeClasses() {
  const { connector, attempts } = manualConnector()
  return {
    WebSocket: defineWebSocket(connector),
    WebSocketStream: defineWebSocketStream(connector),
    attempts,
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Waits until `condition()` holds, polling each millisecond, for at most `ms` (default 2000). */
export async function until(condition: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting for a condition')
    await sleep(1)
  }
}

/** Records the events a target fires, with the readyState at each. */
export function record(
  target: { addEventListener(type: string, listener: (event: Event) => void): void; readyState?: number },
  types = ['open', 'message', 'error', 'close'],
): { type: string; readyState: number | undefined; event: Record<string, unknown> }[] {
  const log: { type: string; readyState: number | undefined; event: Record<string, unknown> }[] = []
  for (const type of types) {
    target.addEventListener(type, (event: Event) => {
      log.push({ type, readyState: target.readyState, event: event as unknown as Record<string, unknown> })
    })
  }
  return log
}
