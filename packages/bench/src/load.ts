/**
 * The load generator for the network scenarios: clients of either stack behind one small
 * interface, and windowed pipelining (each connection keeps `window` messages in flight).
 */
import { createRequire } from 'node:module'
import type { Socket } from 'node:net'
import { connect } from '@ws/node-tcp'
import { openRawEchoClient } from './raw-echo.ts'
import { openWebClient, type WebClientKind } from './web-clients.ts'

/** The servers under test, and the clients of the plain (non-WHATWG) APIs. */
export type Implementation = 'ours' | 'ws'
/** Every client: ours (a Connection), ws's, the WHATWG ones (web-clients.ts) and a bare one (raw-echo.ts). */
export type ClientKind = Implementation | WebClientKind | 'raw'
export type Message = string | Uint8Array

export interface EchoClient {
  send(message: Message): void
  /** The one listener for incoming messages (text as a string, binary as bytes). */
  listener: (message: Message) => void
  /** Set by a running pipeline: a client that fails (an error, an unexpected close) reports it here. */
  onError?: ((error: Error) => void) | undefined
  /** Bytes read plus bytes written on the TCP socket so far. */
  wireBytes(): { read: number; written: number }
  close(): Promise<void>
}

interface WsClient {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void
  once(event: 'open' | 'close', listener: () => void): void
  once(event: 'error', listener: (error: Error) => void): void
  send(data: Message): void
  close(code: number): void
  readyState: number
  _socket: Socket
}
type WsClientClass = new (
  url: string,
  options: { perMessageDeflate: false | { threshold: number }; maxPayload: number },
) => WsClient
const WebSocket = createRequire(import.meta.url)('ws') as WsClientClass

/** Opens one client; `deflate` makes it offer permessage-deflate and compress every message. */
export async function openClient(
  implementation: ClientKind,
  port: number,
  deflate: boolean,
): Promise<EchoClient> {
  const url = `ws://127.0.0.1:${port}/`
  if (implementation === 'raw') {
    if (deflate) throw new Error('the bare echo client does not offer permessage-deflate')
    return openRawEchoClient(port)
  }
  if (implementation !== 'ours' && implementation !== 'ws') return openWebClient(implementation, url, deflate)
  if (implementation === 'ours') {
    const connection = await connect(url, { perMessageDeflate: deflate ? { threshold: 0 } : false })
    const socket = connection.socket as Socket
    const client: EchoClient = {
      send: (message) =>
        typeof message === 'string' ? connection.sendText(message) : connection.sendBinary(message),
      listener: () => {},
      wireBytes: () => ({ read: socket.bytesRead, written: socket.bytesWritten }),
      close: async () => {
        connection.close(1000)
        await connection.closed
      },
    }
    connection.on('text', (event) => client.listener(event.data))
    connection.on('binary', (event) => client.listener(event.data))
    return client
  }
  const ws = new WebSocket(url, {
    perMessageDeflate: deflate ? { threshold: 0 } : false,
    maxPayload: 16 << 20,
  })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const client: EchoClient = {
    send: (message) => ws.send(message),
    listener: () => {},
    wireBytes: () => ({ read: ws._socket.bytesRead, written: ws._socket.bytesWritten }),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === 3) return resolve()
        ws.once('close', resolve)
        ws.close(1000)
      }),
  }
  ws.on('message', (data, isBinary) => client.listener(isBinary ? data : data.toString()))
  return client
}

/** Opens `count` clients, at most 50 handshakes at a time. */
export async function openClients(
  implementation: ClientKind,
  port: number,
  deflate: boolean,
  count: number,
): Promise<EchoClient[]> {
  const clients: EchoClient[] = []
  try {
    while (clients.length < count) {
      const batch = Math.min(50, count - clients.length)
      clients.push(
        ...(await Promise.all(
          Array.from({ length: batch }, () => openClient(implementation, port, deflate)),
        )),
      )
    }
  } catch (error) {
    await closeClients(clients)
    throw error
  }
  return clients
}

export async function closeClients(clients: readonly EchoClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.close()))
}

const same = (a: Message, b: Message): boolean =>
  typeof a === 'string' || typeof b === 'string'
    ? a === b
    : a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b)

export interface WindowResult {
  /** Echoes received (and checked). */
  completed: number
  elapsedMs: number
}

/**
 * Pipelines `messages` (in order, cycling) through every client, keeping `window` in flight on
 * each, until `ms` have passed or each client has sent `limit` messages; then waits for the
 * echoes still in flight. Every echo must equal what was sent, in order (exactly when `exact`,
 * else by type and length, which is cheaper); a wrong echo rejects.
 */
export function pipeline(
  clients: readonly EchoClient[],
  messages: readonly Message[],
  {
    window,
    ms = Infinity,
    limit = Infinity,
    exact = false,
  }: { window: number; ms?: number; limit?: number; exact?: boolean },
): Promise<WindowResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const deadline = start + ms
    let completed = 0
    let active = clients.length
    let failed = false
    for (const [index, client] of clients.entries()) {
      let sent = 0
      let received = 0
      // Each client starts at a different place in the list, so the connections carry different messages.
      const offset = index * 7
      const at = (n: number): Message => messages[(offset + n) % messages.length] as Message
      const sendNext = (): void => {
        client.send(at(sent))
        sent++
      }
      client.onError = (error) => {
        if (failed) return
        failed = true
        reject(error)
      }
      client.listener = (message) => {
        if (failed) return
        const expected = at(received)
        const ok = exact
          ? same(message, expected)
          : typeof message === typeof expected && message.length === expected.length
        if (!ok) {
          failed = true
          reject(new Error(`echo ${received} on connection ${index} differs from what was sent`))
          return
        }
        received++
        completed++
        if (sent < limit && performance.now() < deadline) sendNext()
        else if (received === sent) {
          client.listener = () => {}
          client.onError = undefined
          if (--active === 0) resolve({ completed, elapsedMs: performance.now() - start })
        }
      }
      for (let i = 0; i < Math.min(window, limit); i++) sendNext()
    }
  })
}

/** A timed round for `compareAsync`: messages per second over all clients. */
export function echoRound(
  clients: readonly EchoClient[],
  messages: readonly Message[],
  window: number,
): (ms: number) => Promise<number> {
  return async (ms) => {
    const { completed, elapsedMs } = await pipeline(clients, messages, { window, ms })
    return (completed * 1000) / elapsedMs
  }
}
