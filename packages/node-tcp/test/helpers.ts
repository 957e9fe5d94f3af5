/** Shared test helpers: servers on 127.0.0.1 with ephemeral ports, waiting for events with deadlines. */
import { type EventEmitter, once } from 'node:events'
import { connect as netConnect, type Socket } from 'node:net'
import type { BinaryEvent, TextEvent, WebSocketEvent } from '@ws/proto'
import { type Connection, type ServerOptions, WebSocketServer } from '../src/index.ts'

/** Rejects after `ms` (unref'd) so no test can hang. */
export function deadline<T>(promise: Promise<T>, ms = 5000, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
    timer.unref()
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** What `echo` needs of a connection (structural, so @ws/node-tls's tests can pass theirs). */
interface Echoing {
  readonly state: string
  on(event: 'text', listener: (event: TextEvent) => void): unknown
  on(event: 'binary', listener: (event: BinaryEvent) => void): unknown
  sendText(text: string): boolean
  sendBinary(data: Uint8Array): boolean
}

/** Makes a connection echo every text and binary message back with the same type. */
export function echo(connection: Echoing): void {
  connection.on('text', (event) => {
    if (connection.state === 'open') connection.sendText(event.data)
  })
  connection.on('binary', (event) => {
    if (connection.state === 'open') connection.sendBinary(event.data)
  })
}

/** An echo server (text and binary back with the same type); returns it and its ws:// URL. */
export async function echoServer(options: ServerOptions = {}) {
  const server = new WebSocketServer(options)
  const accepted: Connection[] = []
  server.on('connection', (connection: Connection) => {
    accepted.push(connection)
    echo(connection)
  })
  const { port } = await server.listen(0)
  return { server, url: `ws://127.0.0.1:${port}/echo`, port, accepted }
}

/** The next event of `type` from a connection (via listeners). */
export function nextEvent<T extends WebSocketEvent['type']>(
  connection: Pick<EventEmitter, 'once'>,
  type: T,
  ms = 5000,
): Promise<Extract<WebSocketEvent, { type: T }>> {
  return deadline(
    new Promise((resolve) => connection.once(type, resolve)),
    ms,
    `waiting for ${type}`,
  ) as Promise<Extract<WebSocketEvent, { type: T }>>
}

/** A raw TCP socket to the port, connected. */
export async function rawSocket(port: number): Promise<Socket> {
  const socket = netConnect({ host: '127.0.0.1', port })
  await deadline(once(socket, 'connect'), 5000, 'raw connect')
  return socket
}

export const UPGRADE_REQUEST = [
  'GET / HTTP/1.1',
  'Host: 127.0.0.1',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version: 13',
  '',
  '',
].join('\r\n')

/** Reads from a raw socket until `pattern` has appeared in the text received so far. */
export function readUntil(socket: Socket, pattern: RegExp, ms = 5000): Promise<string> {
  let text = ''
  return deadline(
    new Promise((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        text += chunk.toString('latin1')
        if (pattern.test(text)) {
          socket.off('data', onData)
          resolve(text)
        }
      }
      socket.on('data', onData)
      socket.once('close', () =>
        reject(new Error(`socket closed before ${pattern}; got ${JSON.stringify(text)}`)),
      )
    }),
    ms,
    `reading ${pattern}`,
  )
}
