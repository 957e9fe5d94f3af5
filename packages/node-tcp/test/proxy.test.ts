/**
 * CONNECT tunnels through proxies: a real one (Debian's tinyproxy, started here with its own
 * configuration on an ephemeral port) and a test proxy of our own for every refusal.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createNetServer, connect as netConnect, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import { createServer as createTlsServer, type TLSSocket, connect as tlsConnect } from 'node:tls'
import { ClientHandshake, type WebSocketConnection } from '@ws/proto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { openProxyTunnel, ProxyError, WebSocketServer } from '../src/index.ts'
import { deadline, echo, echoServer } from './helpers.ts'

const fixture = (name: string): string =>
  readFileSync(new URL(`../../node-tls/test/fixtures/${name}`, import.meta.url), 'utf8')
const CA = fixture('ca.pem')
const CERT = fixture('server.pem')
const KEY = fixture('server-key.pem')

/** Runs an opening handshake and one text echo over `socket` with @ws/proto alone. */
function echoOver(socket: Duplex, url: string, message: string): Promise<string> {
  const handshake = new ClientHandshake({ url })
  let connection: WebSocketConnection | undefined
  const result = new Promise<string>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      if (connection === undefined) {
        const step = handshake.receive(new Uint8Array(chunk))
        if (step.kind === 'incomplete') return
        if (step.kind === 'failed') {
          reject(step.error)
          return
        }
        connection = step.connection
        connection.sendText(message)
        for (const out of connection.takeOutgoing()) socket.write(out)
      } else {
        connection.receive(new Uint8Array(chunk))
      }
      for (const event of connection.takeEvents()) {
        if (event.type === 'text') {
          resolve(event.data)
          socket.destroy()
        }
      }
    })
    socket.once('error', reject)
    socket.once('close', () => reject(new Error('the socket closed before the echo')))
  })
  socket.write(handshake.request)
  return deadline(result, 5000, 'the echo through the tunnel')
}

/** A wss:// echo server on 127.0.0.1 with the test certificate. */
async function secureEchoServer() {
  const server = new WebSocketServer()
  server.on('connection', (connection) => echo(connection))
  const tls = createTlsServer({ cert: CERT, key: KEY })
  server.attach(tls, 'secureConnection')
  tls.listen(0, '127.0.0.1')
  await once(tls, 'listening')
  const port = (tls.address() as { port: number }).port
  return { server, tls, port, url: `wss://127.0.0.1:${port}/echo` }
}

/** Runs TLS over a tunnelled socket, as a wss:// client does, and waits for the handshake. */
async function startTls(socket: Socket): Promise<TLSSocket> {
  const secure = tlsConnect({ socket, ca: CA, servername: 'localhost', ALPNProtocols: ['http/1.1'] })
  await deadline(once(secure, 'secureConnect'), 5000, 'TLS through the tunnel')
  return secure
}

async function listening(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as { port: number }).port
}

type Behaviour =
  | { kind: 'tunnel'; credentials?: string; early?: string }
  | { kind: 'answer'; head: string }
  | { kind: 'close'; partial: string }
  | { kind: 'silent' }

/** Our test proxy: records each request head, then tunnels, answers as told, or closes. */
async function testProxy(behaviour: Behaviour, secure = false) {
  const heads: string[] = []
  const sockets = new Set<Socket>()
  const onClient = (client: Socket): void => {
    sockets.add(client)
    client.on('error', () => {})
    let head = Buffer.alloc(0)
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) return
      client.off('data', onData)
      const text = head.subarray(0, end).toString('latin1')
      heads.push(text)
      if (behaviour.kind === 'silent') return
      if (behaviour.kind === 'answer') {
        client.end(behaviour.head)
        return
      }
      if (behaviour.kind === 'close') {
        client.write(behaviour.partial, () => client.destroy())
        return
      }
      const authorization = /\r\nproxy-authorization: ([^\r]*)/i.exec(text)?.[1]
      if (behaviour.credentials !== undefined && authorization !== behaviour.credentials) {
        client.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
        )
        return
      }
      const [host, port] = (text.split(' ')[1] ?? '').split(/:(?=[0-9]+$)/)
      const upstream = netConnect({ host: host?.replace(/^\[|\]$/g, ''), port: Number(port) })
      sockets.add(upstream)
      upstream.on('error', () => client.destroy())
      upstream.once('connect', () => {
        client.write(`HTTP/1.1 200 Connection established\r\n\r\n${behaviour.early ?? ''}`)
        client.pipe(upstream).pipe(client)
      })
    }
    client.on('data', onData)
  }
  const server = secure ? createTlsServer({ cert: CERT, key: KEY }, onClient) : createNetServer(onClient)
  const port = await listening(server)
  return {
    heads,
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    close() {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}

async function rejection(promise: Promise<unknown>): Promise<ProxyError> {
  try {
    await deadline(promise, 5000, 'the tunnel')
  } catch (error) {
    assert.instance(error, ProxyError)
    return error as ProxyError
  }
  throw new Error('expected the tunnel to fail')
}

const ours = suite('CONNECT through our test proxy')

ours('ws:// through an http:// proxy: the exact CONNECT request, then the echo', async () => {
  const proxy = await testProxy({ kind: 'tunnel' })
  const target = await echoServer()
  try {
    const socket = await openProxyTunnel(proxy.url, { host: '127.0.0.1', port: target.port })
    assert.is(socket.remotePort, proxy.port, 'the socket goes to the proxy')
    assert.is(await echoOver(socket, target.url, 'through the proxy'), 'through the proxy')
    assert.equal(proxy.heads, [`CONNECT 127.0.0.1:${target.port} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}`])
  } finally {
    proxy.close()
    await target.server.close()
  }
})

ours('wss:// through an https:// proxy: TLS to the proxy, TLS to the server inside the tunnel', async () => {
  const proxy = await testProxy({ kind: 'tunnel' }, true)
  const target = await secureEchoServer()
  try {
    const tunnel = await openProxyTunnel(
      proxy.url,
      { host: '127.0.0.1', port: target.port },
      { tls: { ca: CA, servername: 'localhost' }, headers: { 'User-Agent': 'wsx-test' } },
    )
    const secure = await startTls(tunnel)
    assert.is(secure.authorized, true)
    assert.is(await echoOver(secure, target.url, 'tls in tls'), 'tls in tls')
    assert.match(proxy.heads[0] ?? '', /\r\nUser-Agent: wsx-test$/)
  } finally {
    proxy.close()
    await target.server.close()
    target.tls.close()
  }
})

ours('credentials in the proxy URL become Proxy-Authorization: Basic (percent-decoded, UTF-8)', async () => {
  const expected = `Basic ${Buffer.from('üser@x:p:ss', 'utf8').toString('base64')}`
  const proxy = await testProxy({ kind: 'tunnel', credentials: expected })
  const target = await echoServer()
  try {
    const good = proxy.url.replace('http://', 'http://%C3%BCser%40x:p%3Ass@')
    const socket = await openProxyTunnel(good, { host: '127.0.0.1', port: target.port })
    assert.is(await echoOver(socket, target.url, 'authenticated'), 'authenticated')
    const none = await rejection(openProxyTunnel(proxy.url, { host: '127.0.0.1', port: target.port }))
    assert.is(none.code, 'WS_ERR_PROXY_STATUS')
    assert.is(none.status, 407)
    assert.is(
      none.message,
      `proxy ${proxy.url} refused CONNECT 127.0.0.1:${target.port}: 407 Proxy Authentication Required`,
    )
    const wrong = await rejection(
      openProxyTunnel(proxy.url.replace('http://', 'http://user:secret@'), {
        host: '127.0.0.1',
        port: target.port,
      }),
    )
    assert.is(wrong.status, 407)
    assert.is(wrong.proxy, proxy.url, 'the proxy is named without its credentials')
    assert.not.match(wrong.message, /secret/)
  } finally {
    proxy.close()
    await target.server.close()
  }
})

for (const [status, reason] of [
  [403, 'Forbidden'],
  [502, 'Bad Gateway'],
  [301, 'Moved Permanently'],
  [500, ''],
] as const) {
  ours(`a proxy that answers ${status}: rejected with its status`, async () => {
    const line = `HTTP/1.1 ${status}${reason === '' ? '' : ` ${reason}`}`
    const proxy = await testProxy({ kind: 'answer', head: `${line}\r\nContent-Length: 0\r\n\r\n` })
    try {
      const error = await rejection(openProxyTunnel(proxy.url, { host: 'example.org', port: 443 }))
      assert.is(error.code, 'WS_ERR_PROXY_STATUS')
      assert.is(error.status, status)
      assert.is(error.proxy, proxy.url)
      assert.is(
        error.message,
        `proxy ${proxy.url} refused CONNECT example.org:443: ${status}${reason === '' ? '' : ` ${reason}`}`,
      )
    } finally {
      proxy.close()
    }
  })
}

ours('a proxy that closes mid-handshake, or before answering', async () => {
  for (const partial of ['HTTP/1.1 200 Connection est', '']) {
    const proxy = await testProxy({ kind: 'close', partial })
    try {
      const error = await rejection(openProxyTunnel(proxy.url, { host: 'example.org', port: 80 }))
      assert.is(error.code, 'WS_ERR_PROXY_CLOSED')
      assert.is(error.status, undefined)
      assert.is(
        error.message,
        `proxy ${proxy.url} closed the connection before answering CONNECT example.org:80`,
      )
    } finally {
      proxy.close()
    }
  }
})

ours('a proxy that does not speak HTTP, or whose head never ends', async () => {
  const ssh = await testProxy({ kind: 'answer', head: 'SSH-2.0-OpenSSH_9.2\r\n\r\n' })
  const endless = await testProxy({
    kind: 'answer',
    head: `HTTP/1.1 200 OK\r\n${'X-Filler: 0123456789\r\n'.repeat(1000)}`,
  })
  try {
    const bad = await rejection(openProxyTunnel(ssh.url, { host: 'example.org', port: 80 }))
    assert.is(bad.code, 'WS_ERR_PROXY_RESPONSE')
    assert.match(bad.message, /malformed response: "SSH-2.0-OpenSSH_9.2"/)
    const big = await rejection(openProxyTunnel(endless.url, { host: 'example.org', port: 80 }))
    assert.is(big.code, 'WS_ERR_PROXY_RESPONSE')
    assert.match(big.message, /over 16 KiB/)
  } finally {
    ssh.close()
    endless.close()
  }
})

ours('bytes that follow the 200 head belong to the tunnel', async () => {
  const proxy = await testProxy({ kind: 'tunnel', early: 'EARLY' })
  const target = await echoServer()
  try {
    const socket = await openProxyTunnel(proxy.url, { host: '127.0.0.1', port: target.port })
    const [first] = (await deadline(once(socket, 'data'), 5000, 'early bytes')) as [Buffer]
    assert.is(first.toString('latin1'), 'EARLY')
    socket.destroy()
  } finally {
    proxy.close()
    await target.server.close()
  }
})

ours('an IPv6 target is written in brackets', async () => {
  const proxy = await testProxy({ kind: 'answer', head: 'HTTP/1.1 403 Forbidden\r\n\r\n' })
  try {
    await rejection(openProxyTunnel(proxy.url, { host: '::1', port: 8443 }))
    assert.equal(proxy.heads, ['CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443'])
  } finally {
    proxy.close()
  }
})

ours('an unreachable proxy: the socket error, naming the proxy', async () => {
  const closed = createNetServer()
  const port = await listening(closed)
  closed.close()
  await once(closed, 'close')
  const error = await rejection(
    openProxyTunnel(`http://user:pw@127.0.0.1:${port}`, { host: 'example.org', port: 80 }),
  )
  assert.is(error.code, 'ECONNREFUSED')
  assert.is(error.message.startsWith(`cannot reach proxy http://127.0.0.1:${port}: `), true, error.message)
})

ours('an https:// proxy whose certificate is not trusted', async () => {
  const proxy = await testProxy({ kind: 'tunnel' }, true)
  try {
    const error = await rejection(openProxyTunnel(proxy.url, { host: 'example.org', port: 80 }))
    assert.is(error.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')
    assert.match(error.message, new RegExp(`^cannot reach proxy ${proxy.url}: `))
  } finally {
    proxy.close()
  }
})

ours('abort: before and while connecting', async () => {
  const proxy = await testProxy({ kind: 'silent' })
  try {
    const early = AbortSignal.abort(new Error('stop early'))
    await openProxyTunnel(proxy.url, { host: 'x', port: 1 }, { signal: early }).then(
      () => assert.unreachable('it should reject'),
      (error: Error) => assert.is(error.message, 'stop early'),
    )
    const controller = new AbortController()
    const pending = openProxyTunnel(proxy.url, { host: 'x', port: 1 }, { signal: controller.signal })
    setTimeout(() => controller.abort(new Error('stop now')), 50)
    await pending.then(
      () => assert.unreachable('it should reject'),
      (error: Error) => assert.is(error.message, 'stop now'),
    )
  } finally {
    proxy.close()
  }
})

ours('bad arguments', async () => {
  const rejects = async (
    promise: Promise<unknown>,
    kind: new (...args: never[]) => Error,
    pattern: RegExp,
  ) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    )
    assert.instance(error, kind)
    assert.match((error as Error).message, pattern)
  }
  await rejects(
    openProxyTunnel('socks5://127.0.0.1:1080', { host: 'x', port: 1 }),
    TypeError,
    /http: or https:, got socks5:/,
  )
  await rejects(openProxyTunnel('not a url', { host: 'x', port: 1 }), TypeError, /invalid proxy URL/)
  await rejects(openProxyTunnel('http://127.0.0.1:1', { host: 'x', port: 0 }), RangeError, /1-65535/)
  await rejects(
    openProxyTunnel('http://127.0.0.1:1', { host: 'x', port: 1 }, { headers: { 'X-A': 'a\r\nb' } }),
    TypeError,
    /invalid proxy request header/,
  )
})

const tinyproxy = suite('CONNECT through tinyproxy')

/** Starts Debian's tinyproxy with a configuration in a temporary folder on a free port. */
async function startTinyproxy(extra: string[] = []) {
  const folder = mkdtempSync(join(tmpdir(), 'tinyproxy-'))
  const probe = createNetServer()
  const port = await listening(probe)
  probe.close()
  await once(probe, 'close')
  const config = join(folder, 'tinyproxy.conf')
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Allow 127.0.0.1',
      'Timeout 30',
      'MaxClients 20',
      'LogLevel Info',
      `LogFile "${join(folder, 'log')}"`,
      `PidFile "${join(folder, 'pid')}"`,
      ...extra,
      '',
    ].join('\n'),
  )
  const child: ChildProcess = spawn(TINYPROXY, ['-d', '-c', config], { stdio: 'ignore' })
  // Ready once it accepts connections (bounded).
  const started = Date.now()
  while (true) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = netConnect({ host: '127.0.0.1', port })
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) break
    if (child.exitCode !== null || Date.now() - started > 5000) {
      child.kill()
      throw new Error(`tinyproxy did not start on port ${port} (exit code ${child.exitCode})`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log: () => readFileSync(join(folder, 'log'), 'utf8'),
    async stop() {
      if (child.exitCode === null) {
        child.kill()
        await once(child, 'exit')
      }
      rmSync(folder, { recursive: true, force: true })
    },
  }
}

const TINYPROXY = '/usr/bin/tinyproxy'
const haveTinyproxy = existsSync(TINYPROXY)
if (!haveTinyproxy && !process.env.CI) {
  console.log(`skipping the tinyproxy tests: ${TINYPROXY} is not installed (apt-get install tinyproxy)`)
}

if (haveTinyproxy || process.env.CI) {
  tinyproxy('ws:// and wss:// to our servers through tinyproxy', async () => {
    const proxy = await startTinyproxy()
    const plain = await echoServer()
    const secure = await secureEchoServer()
    try {
      const socket = await openProxyTunnel(proxy.url, { host: '127.0.0.1', port: plain.port })
      assert.is(socket.remotePort, proxy.port)
      assert.is(await echoOver(socket, plain.url, 'ws via tinyproxy'), 'ws via tinyproxy')
      const tunnel = await openProxyTunnel(proxy.url, { host: '127.0.0.1', port: secure.port })
      const tls = await startTls(tunnel)
      assert.is(await echoOver(tls, secure.url, 'wss via tinyproxy'), 'wss via tinyproxy')
      const log = proxy.log()
      assert.match(log, new RegExp(`CONNECT 127\\.0\\.0\\.1:${plain.port}`))
      assert.match(log, new RegExp(`CONNECT 127\\.0\\.0\\.1:${secure.port}`))
    } finally {
      await proxy.stop()
      await plain.server.close()
      await secure.server.close()
      secure.tls.close()
    }
  })

  tinyproxy('tinyproxy with BasicAuth: 407 without credentials, a tunnel with them', async () => {
    const proxy = await startTinyproxy(['BasicAuth alice s3cret'])
    const target = await echoServer()
    try {
      const refused = await rejection(openProxyTunnel(proxy.url, { host: '127.0.0.1', port: target.port }))
      assert.is(refused.status, 407)
      assert.match(
        refused.message,
        new RegExp(`^proxy ${proxy.url} refused CONNECT 127.0.0.1:${target.port}: 407`),
      )
      const url = proxy.url.replace('http://', 'http://alice:s3cret@')
      const socket = await openProxyTunnel(url, { host: '127.0.0.1', port: target.port })
      assert.is(await echoOver(socket, target.url, 'authorized'), 'authorized')
    } finally {
      await proxy.stop()
      await target.server.close()
    }
  })

  tinyproxy('tinyproxy refuses a port it is told not to connect to', async () => {
    const proxy = await startTinyproxy(['ConnectPort 443'])
    const target = await echoServer()
    try {
      const refused = await rejection(openProxyTunnel(proxy.url, { host: '127.0.0.1', port: target.port }))
      assert.is(refused.code, 'WS_ERR_PROXY_STATUS')
      assert.is(refused.status, 403)
    } finally {
      await proxy.stop()
      await target.server.close()
    }
  })
}

ours.run()
tinyproxy.run()
