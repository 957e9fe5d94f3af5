/** Shared test helpers: the shipped TLS fixtures, a wss:// echo server on 127.0.0.1, deadlines. */
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net'
import * as assert from 'uvu/assert'
import { deadline, echo } from '../../node-tcp/test/helpers.ts'
import {
  ConnectError,
  type Connection,
  type SecureServerOptions,
  SecureWebSocketServer,
} from '../src/index.ts'

// The TCP adapter's helpers serve here too: the same Connection, the same events.
export { deadline, nextEvent } from '../../node-tcp/test/helpers.ts'

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')

/** The PEM files in test/fixtures (see its README; test-only keys). */
export const PEM = {
  ca: fixture('ca.pem'),
  otherCa: fixture('other-ca.pem'),
  server: fixture('server.pem'),
  serverKey: fixture('server-key.pem'),
  wrongName: fixture('wrong-name.pem'),
  client: fixture('client.pem'),
  clientKey: fixture('client-key.pem'),
}

/** What a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  let value: unknown
  try {
    value = await deadline(promise, 5000, 'the expected rejection')
  } catch (error) {
    return error
  }
  if (value && typeof (value as Connection).terminate === 'function') (value as Connection).terminate()
  return assert.unreachable('expected a rejection, but the promise resolved')
}

/** Asserts that `error` is a ConnectError of this kind (and code, if given); returns it. */
export function assertConnectError(error: unknown, kind: ConnectError['kind'], code?: string): ConnectError {
  assert.instance(error, ConnectError)
  const e = error as ConnectError
  assert.is(e.kind, kind, `kind of: ${e.message}`)
  if (code !== undefined) assert.is(e.code, code, `code of: ${e.message}`)
  return e
}

/** What a synchronous call throws; fails the test when it returns. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  return assert.unreachable('expected a throw, but the call returned')
}

/**
 * A wss:// echo server with the shipped localhost certificate (text and binary back with the same
 * type); returns it, its URL and the accepted connections.
 */
export async function secureEchoServer(options: Partial<SecureServerOptions> = {}) {
  const server = new SecureWebSocketServer({ key: PEM.serverKey, cert: PEM.server, ...options })
  const accepted: Connection[] = []
  server.on('connection', (connection: Connection) => {
    accepted.push(connection)
    echo(connection)
  })
  const { port } = await server.listen(0, '127.0.0.1')
  return { server, url: `wss://127.0.0.1:${port}/echo`, port, accepted }
}

/** A plain TCP server on 127.0.0.1 that keeps what connects to it and never answers. */
export async function silentServer(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = []
  const server = createNetServer((socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, port: (server.address() as AddressInfo).port, sockets }
}

/** Closes a net/tls server and destroys the sockets it kept. */
export async function stop(server: Server, sockets: Socket[] = []): Promise<void> {
  for (const socket of sockets) socket.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}
