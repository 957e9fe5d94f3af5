/**
 * Node-only options of the WHATWG classes: `proxy` (a CONNECT tunnel) and `http2` (RFC 8441 on
 * the origin's shared session, with or without falling back to HTTP/1.1).
 */
import { readFileSync } from 'node:fs'
import { createServer as createNetServer, connect as netConnect, type Socket } from 'node:net'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  connectNode,
  createH2Server,
  openNodeTransport,
  WebSocket,
  WebSocketServer,
  WebSocketStream,
} from '../src/index.ts'

const fixture = (name: string): string =>
  readFileSync(new URL(`../../node-tls/test/fixtures/${name}`, import.meta.url), 'utf8')
const PEM = { ca: fixture('ca.pem'), cert: fixture('server.pem'), key: fixture('server-key.pem') }

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

/** A CONNECT proxy that records the request lines and tunnels. */
async function tunnelProxy(): Promise<{ url: string; lines: string[]; close(): void }> {
  const lines: string[] = []
  const sockets = new Set<Socket>()
  const server = createNetServer((client) => {
    sockets.add(client)
    client.on('error', () => {})
    client.once('data', (chunk: Buffer) => {
      const head = chunk.toString('latin1')
      lines.push(head.slice(0, head.indexOf('\r\n')))
      const [host, port] = (head.split(' ')[1] ?? '').split(':')
      const upstream = netConnect({ host, port: Number(port) }, () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n')
        client.pipe(upstream).pipe(client)
      })
      sockets.add(upstream)
      upstream.on('error', () => client.destroy())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    lines,
    close() {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}

const proxy = suite('WebSocket options: proxy')

proxy('ws:// through a proxy: the CONNECT line, then the echo', async () => {
  const tunnel = await tunnelProxy()
  const server = new WebSocketServer()
  server.on('connection', (connection) =>
    connection.on('text', (event) => connection.sendText(`+${event.data}`)),
  )
  const { port } = await server.listen(0)
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { proxy: tunnel.url })
    await next(ws, 'open')
    ws.send('a')
    assert.is((await next<MessageEvent>(ws, 'message')).data, '+a')
    assert.equal(tunnel.lines, [`CONNECT 127.0.0.1:${port} HTTP/1.1`])
    ws.close()
    await next(ws, 'close')
  } finally {
    tunnel.close()
    await server.close()
  }
})

proxy('wss:// through a proxy, the certificate checked against the target', async () => {
  const tunnel = await tunnelProxy()
  const server = createH2Server({}, (connection) =>
    connection.on('text', (e) => connection.sendText(`!${e.data}`)),
  )
  const { port } = await server.listen({ tls: { cert: PEM.cert, key: PEM.key } })
  try {
    const stream = new WebSocketStream(`wss://localhost:${port}/`, { proxy: tunnel.url, ca: PEM.ca })
    const { readable, writable } = await stream.opened
    const writer = writable.getWriter()
    const reader = readable.getReader()
    await writer.write('b')
    assert.equal(await reader.read(), { value: '!b', done: false })
    assert.equal(tunnel.lines, [`CONNECT localhost:${port} HTTP/1.1`])
    stream.close()
    await stream.closed
  } finally {
    tunnel.close()
    await server.close()
  }
})

const http2 = suite('WebSocket options: http2')

http2("http2: 'require' opens the WebSocket as an HTTP/2 stream; two share one session", async () => {
  const methods: string[] = []
  const sessions = new Set<unknown>()
  const server = createH2Server({}, (connection, request) => {
    methods.push(request.method)
    sessions.add(
      (connection.transport.info as { session?: unknown } | undefined)?.session ?? connection.transport,
    )
    connection.on('text', (event) => connection.sendText(`h2 ${event.data}`))
  })
  const { port } = await server.listen({ tls: { cert: PEM.cert, key: PEM.key } })
  try {
    const first = new WebSocket(`wss://localhost:${port}/a`, { http2: 'require', ca: PEM.ca })
    const second = new WebSocket(`wss://localhost:${port}/b`, { http2: 'require', ca: PEM.ca })
    await Promise.all([next(first, 'open'), next(second, 'open')])
    first.send('one')
    second.send('two')
    const [a, b] = await Promise.all([
      next<MessageEvent>(first, 'message'),
      next<MessageEvent>(second, 'message'),
    ])
    assert.equal([a.data, b.data], ['h2 one', 'h2 two'])
    assert.equal(methods, ['CONNECT', 'CONNECT'])
    assert.is(sessions.size, 1, 'both streams belong to one HTTP/2 session')
    assert.ok([...sessions][0], 'the server saw a session')
    assert.is(first.extensions, 'permessage-deflate; client_max_window_bits=13')
    first.close()
    second.close()
    await Promise.all([next(first, 'close'), next(second, 'close')])
  } finally {
    await server.close()
  }
})

http2("http2: true falls back to HTTP/1.1 against a server without RFC 8441; 'require' fails", async () => {
  const server = new WebSocketServer()
  server.on('connection', (connection) => connection.on('text', (event) => connection.sendText(event.data)))
  const { port } = await server.listen(0)
  try {
    const fallback = new WebSocket(`ws://127.0.0.1:${port}/`, { http2: true })
    await next(fallback, 'open')
    fallback.close()
    await next(fallback, 'close')
    const strict = new WebSocket(`ws://127.0.0.1:${port}/`, { http2: 'require' })
    const order: string[] = []
    strict.onerror = () => order.push('error')
    const closed = await next<{ code: number }>(strict, 'close')
    order.push(`close ${closed.code}`)
    assert.equal(order, ['error', 'close 1006'])
  } finally {
    await server.close()
  }
})

const checks = suite('WebSocket options: checks')

checks('bad proxy and http2 values, and the two together, are TypeErrors from connectNode', () => {
  assert.is(connectNode('ws://x/', {}), null)
  assert.is(connectNode('ws://x/', { http2: false }), null)
  assert.throws(() => connectNode('ws://x/', { http2: 'yes' }), /http2 must be true, false or 'require'/)
  assert.throws(() => connectNode('ws://x/', { http2: true, proxy: 'http://p/' }), /cannot be used together/)
  assert.throws(
    () =>
      openNodeTransport({ host: 'x', port: 1, secure: false }, new AbortController().signal, { proxy: 5 }),
    /proxy must be a URL string or a URL/,
  )
})

checks('http2 over TLS with rejectUnauthorized: false and a URL proxy object are accepted', async () => {
  const server = createH2Server({}, (connection) => connection.on('text', (e) => connection.sendText(e.data)))
  const { port } = await server.listen({ tls: { cert: PEM.cert, key: PEM.key } })
  try {
    const ws = new WebSocket(`wss://localhost:${port}/`, { http2: 'require', rejectUnauthorized: false })
    await next(ws, 'open')
    ws.close()
    await next(ws, 'close')
    // IPv6 literal hosts are bracketed in the TLS opener's URL; a refused one still fails cleanly.
    const refused = new WebSocket('wss://[::1]:1/', { proxy: new URL('http://127.0.0.1:1/') })
    const closed = await next<{ code: number }>(refused, 'close')
    assert.is(closed.code, 1006)
  } finally {
    await server.close()
  }
})

proxy.run()
http2.run()
checks.run()
