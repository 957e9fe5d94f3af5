/**
 * The `proxy` option of connect() (ws://, here) and of @ws/node-tls's connect() (wss://): the
 * whole WebSocket runs through a CONNECT tunnel, and a refusing proxy is a ConnectError that
 * names the proxy and its status.
 */
import { readFileSync } from 'node:fs'
import { createServer as createNetServer, connect as netConnect, type Socket } from 'node:net'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { connect as connectSecure, createSecureServer } from '../../node-tls/src/index.ts'
import { ConnectError, connect, ProxyError, WebSocketServer } from '../src/index.ts'

const fixture = (name: string): string =>
  readFileSync(new URL(`../../node-tls/test/fixtures/${name}`, import.meta.url), 'utf8')

/** A CONNECT proxy that records each request line and tunnels, or refuses with 407. */
async function proxyServer(refuse = false): Promise<{ url: string; lines: string[]; close(): void }> {
  const lines: string[] = []
  const sockets = new Set<Socket>()
  const server = createNetServer((client) => {
    sockets.add(client)
    client.on('error', () => {})
    client.once('data', (chunk: Buffer) => {
      const head = chunk.toString('latin1')
      lines.push(head.slice(0, head.indexOf('\r\n')))
      if (refuse) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n')
        return
      }
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
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    lines,
    close() {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}

const wired = suite('connect({ proxy })')

wired('ws:// through the proxy: the CONNECT line names the target, then the echo', async () => {
  const proxy = await proxyServer()
  const server = new WebSocketServer()
  server.on('connection', (connection) =>
    connection.on('text', (event) => connection.sendText(`<${event.data}>`)),
  )
  const { port } = await server.listen(0)
  try {
    const connection = await connect(`ws://127.0.0.1:${port}/`, { proxy: proxy.url })
    connection.sendText('via proxy')
    const reply = await new Promise<string>((resolve) =>
      connection.once('text', (event) => resolve(event.data)),
    )
    assert.is(reply, '<via proxy>')
    assert.equal(proxy.lines, [`CONNECT 127.0.0.1:${port} HTTP/1.1`])
    connection.close(1000)
    await connection.closed
  } finally {
    proxy.close()
    await server.close()
  }
})

wired(
  'wss:// through the proxy: TLS inside the tunnel, the certificate checked against the target',
  async () => {
    const proxy = await proxyServer()
    const server = createSecureServer({ key: fixture('server-key.pem'), cert: fixture('server.pem') }, (c) =>
      c.on('text', (event) => c.sendText(`tls ${event.data}`)),
    )
    const { port } = await server.listen(0)
    try {
      const connection = await connectSecure(`wss://localhost:${port}/`, {
        proxy: proxy.url,
        ca: fixture('ca.pem'),
      })
      connection.sendText('x')
      const reply = await new Promise<string>((resolve) =>
        connection.once('text', (event) => resolve(event.data)),
      )
      assert.is(reply, 'tls x')
      assert.equal(proxy.lines, [`CONNECT localhost:${port} HTTP/1.1`])
      connection.close(1000)
      await connection.closed
    } finally {
      proxy.close()
      await server.close()
    }
  },
)

wired(
  'a refusing proxy: a ConnectError (ProxyError) naming the proxy and its status, never a direct connection',
  async () => {
    const proxy = await proxyServer(true)
    const server = new WebSocketServer()
    let reachedDirectly = 0
    server.on('connection', () => reachedDirectly++)
    const { port } = await server.listen(0)
    try {
      const error = await connect(`ws://127.0.0.1:${port}/`, { proxy: proxy.url }).then(
        () => assert.unreachable('connected through a refusing proxy'),
        (reason: unknown) => reason,
      )
      assert.instance(error, ProxyError)
      assert.instance(error, ConnectError)
      const refused = error as ProxyError
      assert.is(refused.kind, 'network')
      assert.is(refused.status, 407)
      assert.is(refused.proxy, proxy.url)
      assert.match(refused.message, `proxy ${proxy.url} refused CONNECT 127.0.0.1:${port}: 407`)
      assert.is(reachedDirectly, 0)
    } finally {
      proxy.close()
      await server.close()
    }
  },
)

wired.run()
