/**
 * The Node entry: the WHATWG classes with ws:// and wss:// wired, TLS options from the options
 * object, and the server side taking accepted connections as the same API. Real sockets on
 * 127.0.0.1; the TLS server uses the project's test certificates (packages/node-tls/test/fixtures).
 */
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  CloseEvent,
  createSecureServer,
  streamFromConnection,
  tlsOptionsOf,
  WebSocket,
  WebSocketError,
  WebSocketServer,
  WebSocketStream,
  websocketFromConnection,
} from '../src/index.ts'

const fixture = (name: string): string =>
  readFileSync(new URL(`../../node-tls/test/fixtures/${name}`, import.meta.url), 'utf8')
const PEM = { ca: fixture('ca.pem'), server: fixture('server.pem'), key: fixture('server-key.pem') }

/** Resolves with the first event of `type` on a WebSocket, within 5 s. */
function next<T = Event>(ws: EventTarget, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within 5 s`)), 5000)
    ws.addEventListener(
      type,
      (event) => {
        clearTimeout(timer)
        resolve(event as unknown as T)
      },
      { once: true },
    )
  })
}

/** An echo server of ours whose handler uses the WHATWG WebSocket API. */
const served: boolean[] = []

async function whatwgEchoServer(): Promise<{ server: WebSocketServer; port: number; paths: string[] }> {
  const server = new WebSocketServer({ handleProtocols: (offered) => offered[0] })
  const paths: string[] = []
  server.on('connection', (connection, request) => {
    paths.push(request.resource)
    const ws = websocketFromConnection(connection, { url: `ws://127.0.0.1${request.resource}` })
    served.push(ws instanceof WebSocket)
    ws.binaryType = 'arraybuffer'
    ws.onmessage = (event) =>
      ws.send(typeof event.data === 'string' ? event.data.toUpperCase() : (event.data as ArrayBuffer))
  })
  const { port } = await server.listen(0)
  return { server, port, paths }
}

const entry = suite('@ws/node: WebSocket over ws://')

entry('echoes text and binary through our server, whose handler is a WHATWG WebSocket too', async () => {
  const { server, port, paths } = await whatwgEchoServer()
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat?room=1`, ['chat.v2', 'chat'])
    ws.binaryType = 'arraybuffer'
    assert.is(ws.readyState, WebSocket.CONNECTING)
    await next(ws, 'open')
    assert.is(ws.protocol, 'chat.v2')
    assert.is(ws.extensions, 'permessage-deflate; client_max_window_bits=13')
    ws.send('hello')
    const text = await next<MessageEvent>(ws, 'message')
    assert.is(text.data, 'HELLO')
    assert.is(text.origin, `ws://127.0.0.1:${port}`)
    ws.send(new Uint16Array([1, 0x0203]))
    const binary = await next<MessageEvent>(ws, 'message')
    assert.instance(binary.data, ArrayBuffer)
    assert.equal([...new Uint8Array(binary.data as ArrayBuffer)], [1, 0, 3, 2])
    ws.close(1000, 'done')
    const closed = await next<CloseEvent>(ws, 'close')
    assert.instance(closed, CloseEvent)
    assert.is(closed.code, 1000)
    assert.ok(closed.wasClean)
    assert.equal(paths, ['/chat?room=1'])
    assert.equal(served, [true], 'the server side is an instance of the same WebSocket class')
  } finally {
    await server.close()
  }
})

entry('permessage-deflate can be turned off, and headers reach the server', async () => {
  const seen: string[] = []
  const server = new WebSocketServer({
    verifyClient: (request) => {
      seen.push(request.headers.get('x-token') ?? '')
      return true
    },
  })
  const { port } = await server.listen(0)
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, {
      perMessageDeflate: false,
      headers: { 'X-Token': 'abc' },
    })
    await next(ws, 'open')
    assert.is(ws.extensions, '')
    assert.equal(seen, ['abc'])
    ws.close()
    await next(ws, 'close')
  } finally {
    await server.close()
  }
})

entry('a node:http server hands its upgrade to our server, taken as a WebSocketStream', async () => {
  const wss = new WebSocketServer()
  let serverSaw: Promise<{ code: number; reason: string }> = Promise.reject(new Error('no connection'))
  serverSaw.catch(() => {})
  const http = createHttpServer((_request, response) => response.end('plain http'))
  http.on('upgrade', async (request, socket, head) => {
    const connection = await wss.handleUpgrade(request, socket, head)
    if (connection === null) return
    serverSaw = connection.closed
    const stream = streamFromConnection(connection)
    const { readable, writable } = await stream.opened
    const writer = writable.getWriter()
    for await (const message of readable as ReadableStream<string | Uint8Array>) {
      await writer.write(typeof message === 'string' ? `echo ${message}` : message)
    }
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  try {
    const client = new WebSocketStream(`ws://127.0.0.1:${port}/stream`)
    const { readable, writable } = await client.opened
    const writer = writable.getWriter()
    const reader = readable.getReader()
    await writer.write('one')
    assert.equal(await reader.read(), { value: 'echo one', done: false })
    await writer.write(new Uint8Array([9, 8]))
    const { value } = await reader.read()
    assert.equal([...(value as Uint8Array)], [9, 8])
    client.close({ closeCode: 4000, reason: 'bye' })
    // The server's echo carries the code (RFC 6455 section 5.5.1); the server saw our reason.
    assert.is((await client.closed).closeCode, 4000)
    const saw = await serverSaw
    assert.equal([saw.code, saw.reason], [4000, 'bye'])
  } finally {
    await wss.close()
    await new Promise((resolve) => http.close(resolve))
  }
})

entry(
  'connection refused: error then close 1006, and WebSocketStream rejects with a WebSocketError',
  async () => {
    const probe = createHttpServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as AddressInfo
    await new Promise((resolve) => probe.close(resolve))
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`)
    const order: string[] = []
    ws.onerror = (event) => order.push(`${event.type} ${ws.readyState}`)
    const closed = await next<CloseEvent>(ws, 'close')
    order.push(`close ${closed.code} ${closed.wasClean}`)
    assert.equal(order, ['error 3', 'close 1006 false'])
    const stream = new WebSocketStream(`ws://127.0.0.1:${port}/`)
    const [opened, ended] = await Promise.allSettled([stream.opened, stream.closed])
    assert.is(opened.status, 'rejected')
    assert.is(ended.status, 'rejected')
    assert.instance((opened as PromiseRejectedResult).reason, WebSocketError)
  },
)

const secure = suite('@ws/node: WebSocket over wss://')

secure('verifies the server with the ca option, and fails without it', async () => {
  const server = createSecureServer({ key: PEM.key, cert: PEM.server }, (connection) => {
    connection.on('text', (event) => connection.sendText(`tls ${event.data}`))
  })
  const { port } = await server.listen(0)
  try {
    const ws = new WebSocket(`wss://localhost:${port}/`, { ca: PEM.ca })
    await next(ws, 'open')
    ws.send('hi')
    assert.is((await next<MessageEvent>(ws, 'message')).data, 'tls hi')
    ws.close()
    await next(ws, 'close')

    const untrusted = new WebSocket(`wss://localhost:${port}/`)
    const events: string[] = []
    untrusted.onerror = () => events.push('error')
    const closed = await next<CloseEvent>(untrusted, 'close')
    events.push(`close ${closed.code}`)
    assert.equal(events, ['error', 'close 1006'])

    // https: maps to wss:, and rejectUnauthorized: false skips verification (development only).
    const insecure = new WebSocket(`https://localhost:${port}/`, { rejectUnauthorized: false })
    assert.is(insecure.url, `wss://localhost:${port}/`)
    await next(insecure, 'open')
    insecure.close()
    await next(insecure, 'close')
  } finally {
    await server.close()
  }
})

secure('TLS options are read from the options object and checked', () => {
  assert.equal(tlsOptionsOf({ ca: 'x', servername: 'a', headers: {}, rejectUnauthorized: true }), {
    ca: 'x',
    servername: 'a',
  })
  assert.equal(tlsOptionsOf({ rejectUnauthorized: false }), { insecure: true })
  assert.throws(() => tlsOptionsOf({ rejectUnauthorized: 'no' }), /rejectUnauthorized must be a boolean/)
})

entry.run()
secure.run()
