/**
 * Real sockets for the tests: Node classes made with createWebSocketClasses over node:net and
 * node:tls (as a Node entry package would), our server, ws's server, and a raw node:net server
 * that answers the handshake however a test says. Everything listens on 127.0.0.1, port 0.
 */
import { readFileSync } from 'node:fs'
import {
  type AddressInfo,
  isIP,
  connect as netConnect,
  createServer as netServer,
  type Server,
  type Socket,
} from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { acceptKey } from '@ws/proto'
import {
  type Connection,
  type ServerOptions,
  socketTransport,
  WebSocketServer,
} from '../../node-tcp/src/index.ts'
import { createWebSocketClasses, type WebOpenTransport, type WebSocketDefaults } from '../src/index.ts'

export const FIXTURES = new URL('../../node-tls/test/fixtures/', import.meta.url)
export const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8')

/** The opener a Node entry would pass: TCP, or TLS with the constructor's TLS options. */
export const openNode: WebOpenTransport = (target, signal, options) =>
  new Promise((resolve, reject) => {
    const socket = target.secure
      ? tlsConnect({
          host: target.host,
          port: target.port,
          servername:
            (options.servername as string | undefined) ?? (isIP(target.host) ? undefined : target.host),
          ca: options.ca as string | undefined,
          cert: options.cert as string | undefined,
          key: options.key as string | undefined,
          rejectUnauthorized: options.rejectUnauthorized !== false,
        })
      : netConnect({ host: target.host, port: target.port })
    const onAbort = (): void => {
      socket.destroy()
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    socket.once(target.secure ? 'secureConnect' : 'connect', () => {
      signal.removeEventListener('abort', onAbort)
      socket.removeListener('error', reject)
      resolve(socketTransport(socket))
    })
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort)
      reject(error)
    })
  })

export function nodeClasses(defaults?: WebSocketDefaults) {
  return createWebSocketClasses({ open: openNode, ...(defaults ? { defaults } : {}) })
}

/** Rejects after `ms` (unref'd) so no test can hang. */
export function deadline<T>(promise: Promise<T>, ms = 5000, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
    timer.unref()
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Resolves with the event `type` from an EventTarget, within `ms`. */
export function nextEvent<T = Event>(
  target: {
    addEventListener(type: string, listener: (event: Event) => void, options?: { once: boolean }): void
  },
  type: string,
  ms = 5000,
): Promise<T> {
  return deadline(
    new Promise<T>((resolve) =>
      target.addEventListener(type, (event) => resolve(event as T), { once: true }),
    ),
    ms,
    `waiting for ${type}`,
  )
}

/** Our server; `onConnection` gets each accepted connection. */
export async function ourServer(onConnection: (connection: Connection) => void, options: ServerOptions = {}) {
  const server = new WebSocketServer(options)
  server.on('connection', onConnection)
  const { port } = await server.listen(0)
  return { server, port, url: `ws://127.0.0.1:${port}/`, close: () => server.close() }
}

/** A raw TCP server: `respond(socket, request)` runs once the request head has arrived. */
export async function rawServer(respond: (socket: Socket, request: { key: string; head: string }) => void) {
  const sockets = new Set<Socket>()
  const server: Server = netServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let head = ''
    let answered = false
    socket.on('data', (chunk) => {
      if (answered) return
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      answered = true
      const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1] ?? ''
      respond(socket, { key, head })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    url: `ws://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A 101 response for a request key, with extra header lines. */
export function switching(key: string, extra: string[] = []): string {
  return [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptKey(key)}`,
    ...extra,
    '',
    '',
  ].join('\r\n')
}

/** An unmasked server frame. */
export function frame(opcode: number, payload: Uint8Array | string): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload)
  if (data.length > 125) throw new Error('test frames are short')
  return Buffer.concat([Buffer.from([0x80 | opcode, data.length]), data])
}
