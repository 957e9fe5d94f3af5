// HTTP/2 through the real command: wsx serve answering WebSockets over HTTP/2 (RFC 8441) and
// HTTP/1.1 on one port, --h2c, 426 for other requests on both protocols (node:http and
// node:http2 clients), and wsx connect --h2 against hand-written node:http2 servers and
// HTTP/1.1-only ones. 127.0.0.1 and ephemeral ports only.
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import type { ClientHttp2Session, IncomingHttpHeaders } from 'node:http2'
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import type { Connection } from '@ws/driver'
import { H2SessionPool, connect as h2Connect } from '@ws/node-h2'
import { connect as tlsConnect } from '@ws/node-tls'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { CA, h2Echo, h2Session, type RawH2Server, rawH2Server } from './h2-helpers.ts'
import { fixtures, killAll, runWsx, startServe, Wsx, within } from './harness.ts'
import { loadWs, stderrOf, waitUntil } from './helpers.ts'
import { testProxy } from './proxy-helpers.ts'

const h2 = suite('HTTP/2')
const cleanups: (() => Promise<void> | void)[] = []
h2.after.each(async () => {
  killAll()
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

const tlsArgs = ['--tls-cert', join(fixtures, 'server.pem'), '--tls-key', join(fixtures, 'server-key.pem')]
const caFile = join(fixtures, 'ca.pem')

/** The parts of ws 8's client these tests use. */
interface WsClient {
  on(event: 'open', listener: () => void): void
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void
  on(event: 'error', listener: (error: Error) => void): void
  send(data: string): void
  close(code?: number): void
}
type WsClientClass = new (url: string, options?: Record<string, unknown>) => WsClient

/** One text message to `url` and back with ws 8 (HTTP/1.1 Upgrade only). */
async function wsEcho(url: string, text: string, options: Record<string, unknown> = {}): Promise<string> {
  const WebSocket = (loadWs() as unknown as { WebSocket: WsClientClass }).WebSocket
  const socket = new WebSocket(url, options)
  const reply = await within(
    new Promise<string>((resolve, reject) => {
      socket.on('error', reject)
      socket.on('open', () => socket.send(text))
      socket.on('message', (data) => resolve(data.toString('utf8')))
    }),
    5000,
    `ws 8 echo from ${url}`,
  )
  socket.close(1000)
  return reply
}

/** A GET with node:http (or node:https with the test CA): status, content type and body. */
function http1Get(url: string): Promise<{ status: number; type: string; body: string }> {
  return within(
    new Promise((resolve, reject) => {
      const done = (response: IncomingMessage): void => {
        let body = ''
        response.setEncoding('utf8').on('data', (text: string) => {
          body += text
        })
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            type: String(response.headers['content-type']),
            body,
          }),
        )
      }
      const request = url.startsWith('https:') ? httpsRequest(url, { ca: CA }, done) : httpRequest(url, done)
      request.on('error', reject)
      request.end()
    }),
    5000,
    `GET ${url} over HTTP/1.1`,
  )
}

/** A GET on an HTTP/2 session: status, content type and body. */
function http2Get(session: ClientHttp2Session): Promise<{ status: number; type: string; body: string }> {
  return within(
    new Promise((resolve, reject) => {
      const stream = session.request({ ':method': 'GET', ':path': '/' })
      let headers: IncomingHttpHeaders = {}
      let body = ''
      stream.on('response', (received) => {
        headers = received
      })
      stream.setEncoding('utf8').on('data', (text: string) => {
        body += text
      })
      stream.on('end', () =>
        resolve({ status: Number(headers[':status']), type: String(headers['content-type']), body }),
      )
      stream.on('error', reject)
      stream.end()
    }),
    5000,
    'GET over HTTP/2',
  )
}

async function session(origin: string): Promise<ClientHttp2Session> {
  const opened = await h2Session(origin)
  cleanups.push(() => {
    opened.destroy()
  })
  return opened
}

async function raw(secure: boolean, connectProtocol: boolean): Promise<RawH2Server> {
  const server = await rawH2Server(secure, connectProtocol)
  cleanups.push(() => server.close())
  return server
}

h2('serve with TLS: an HTTP/2 WebSocket (ALPN h2) and an HTTP/1.1 one on the same port', async () => {
  const { server, port } = await startServe(tlsArgs)
  const h2s = await session(`https://localhost:${port}`)
  assert.is(h2s.alpnProtocol, 'h2')
  // RFC 8441 section 3: the server advertises SETTINGS_ENABLE_CONNECT_PROTOCOL = 1.
  assert.is(h2s.remoteSettings.enableConnectProtocol, true)
  const overH2 = await h2Echo(h2s, 'over HTTP/2')
  assert.is(overH2.status, 200)
  assert.equal(overH2.reply, { opcode: 1, payload: 'over HTTP/2', masked: false })
  // ws 8 speaks HTTP/1.1 only; it asks for http/1.1 by ALPN here, and offers no ALPN at all below.
  assert.is(
    await wsEcho(`wss://localhost:${port}/`, 'over HTTP/1.1', { ca: CA, ALPNProtocols: ['http/1.1'] }),
    'over HTTP/1.1',
  )
  assert.is(await wsEcho(`wss://localhost:${port}/`, 'no ALPN', { ca: CA }), 'no ALPN')
  server.kill('SIGTERM')
  const exit = await server.exited
  assert.is(exit.code, 0)
  assert.is(exit.stdout, `listening on wss://127.0.0.1:${port}\n`)
})

h2('serve --h2c: HTTP/2 with prior knowledge and HTTP/1.1 on the same cleartext port', async () => {
  const { server, url, port } = await startServe(['--h2c'])
  assert.is(url, `ws://127.0.0.1:${port}/`)
  const h2s = await session(`http://127.0.0.1:${port}`)
  assert.is(h2s.remoteSettings.enableConnectProtocol, true)
  const overH2 = await h2Echo(h2s, 'h2c')
  assert.is(overH2.status, 200)
  assert.equal(overH2.reply, { opcode: 1, payload: 'h2c', masked: false })
  assert.is(await wsEcho(url, 'http/1.1 too'), 'http/1.1 too')
  server.kill('SIGTERM')
  assert.is((await server.exited).code, 0)
  // Without --h2c, the cleartext server speaks HTTP/1.1 only: the HTTP/2 preface is refused.
  const plain = await startServe()
  const refused = await h2Session(`http://127.0.0.1:${plain.port}`).then(
    () => 'opened',
    () => 'refused',
  )
  assert.is(refused, 'refused')
  plain.server.kill('SIGTERM')
  await plain.server.exited
})

h2(
  'serve: a request that is not a WebSocket handshake gets 426 and a text body, on both protocols',
  async () => {
    const secure = await startServe(tlsArgs)
    const clear = await startServe(['--h2c'])
    const answers = [
      await http1Get(`https://localhost:${secure.port}/`),
      await http2Get(await session(`https://localhost:${secure.port}`)),
      await http1Get(`http://127.0.0.1:${clear.port}/page`),
      await http2Get(await session(`http://127.0.0.1:${clear.port}`)),
    ]
    for (const answer of answers) {
      assert.is(answer.status, 426)
      assert.match(answer.type, /^text\/plain/)
      assert.match(answer.body, /Upgrade Required/)
    }
    secure.server.kill('SIGTERM')
    clear.server.kill('SIGTERM')
    await Promise.all([secure.server.exited, clear.server.exited])
  },
)

h2(
  'connect --h2: RFC 8441 to a hand-written node:http2 server, over TLS (wss://) and h2c (ws://)',
  async () => {
    for (const secure of [true, false]) {
      const server = await raw(secure, true)
      const url = secure ? `wss://localhost:${server.port}/chat` : `ws://127.0.0.1:${server.port}/chat`
      const exit = await runWsx(['connect', '--h2', url, '--ca', caFile, '--no-deflate'], 'one\ntwo\n')
      assert.is(exit.stderr, '')
      assert.is(exit.stdout, 'one\ntwo\n')
      assert.is(exit.code, 0)
      assert.is(server.requests.length, 1)
      const request = server.requests[0] as IncomingHttpHeaders
      // RFC 8441 section 4: an extended CONNECT with :protocol websocket, :scheme and :path.
      assert.is(request[':method'], 'CONNECT')
      assert.is(request[':protocol'], 'websocket')
      assert.is(request[':scheme'], secure ? 'https' : 'http')
      assert.is(request[':path'], '/chat')
      assert.is(request['sec-websocket-version'], '13')
    }
  },
)

h2('connect --h2 to wsx serve (TLS and --h2c); the proxy variables are not read with --h2', async () => {
  const refusing = await testProxy('403 Forbidden')
  cleanups.push(() => refusing.close())
  const secure = await startServe(tlsArgs)
  const clear = await startServe(['--h2c', '--log'])
  const env = { HTTPS_PROXY: refusing.url, HTTP_PROXY: refusing.url }
  const overTls = await new Wsx(
    ['connect', '--h2', `wss://localhost:${secure.port}/`, '--ca', caFile],
    'source',
    env,
  ).input('secure h2\n').exited
  assert.is(overTls.stderr, '')
  assert.is(overTls.stdout, 'secure h2\n')
  assert.is(overTls.code, 0)
  const overH2c = await new Wsx(['connect', '--h2', clear.url], 'source', env).input('h2c\n').exited
  assert.is(overH2c.stdout, 'h2c\n', overH2c.stderr)
  assert.is(overH2c.code, 0)
  assert.is(refusing.requests.length, 0)
  // --log gives the remote address of an HTTP/2 stream's connection too.
  await waitUntil(stderrOf(clear.server), /^close 127\.0\.0\.1:\d+ \/ code=1000 /m, 'the --log lines')
  secure.server.kill('SIGTERM')
  clear.server.kill('SIGTERM')
  await Promise.all([secure.server.exited, clear.server.exited])
})

h2('connect --h2 without extended CONNECT on the server: one stderr line, exit 1', async () => {
  const http1Only = await startServe()
  const noRfc8441 = await raw(true, false)
  const noRfc8441Clear = await raw(false, false)
  // An HTTPS server with ws 8: TLS without ALPN h2, WebSockets over HTTP/1.1 only.
  const https = createHttpsServer({
    cert: readFileSync(join(fixtures, 'server.pem')),
    key: readFileSync(join(fixtures, 'server-key.pem')),
  })
  const wss = new (loadWs().WebSocketServer)({ server: https })
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(data.toString('utf8'))))
  https.listen(0, '127.0.0.1')
  await once(https, 'listening')
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        https.closeAllConnections()
        https.close(() => resolve())
      }),
  )
  const httpsPort = (https.address() as { port: number }).port
  for (const url of [
    http1Only.url,
    `wss://localhost:${httpsPort}/`,
    `wss://localhost:${noRfc8441.port}/`,
    noRfc8441Clear.url,
  ]) {
    const exit = await runWsx(['connect', '--h2', url, '--ca', caFile], 'never sent\n')
    assert.is(exit.code, 1, `${url}: ${exit.stderr}`)
    assert.is(exit.stdout, '')
    assert.match(exit.stderr, /^wsx: [^\n]*HTTP\/2 extended CONNECT is not available[^\n]*\n$/, url)
  }
  // Without --h2 the same servers are fine (over HTTP/1.1): the failure was about HTTP/2 alone.
  for (const url of [http1Only.url, `wss://localhost:${httpsPort}/`]) {
    const fallback = await runWsx(['connect', url, '--ca', caFile], 'http/1.1\n')
    assert.is(fallback.stdout, 'http/1.1\n', fallback.stderr)
    assert.is(fallback.code, 0)
  }
  http1Only.server.kill('SIGTERM')
  await http1Only.server.exited
})

h2('serve --broadcast with TLS: messages cross between HTTP/2 and HTTP/1.1 clients, never back', async () => {
  const { server, port } = await startServe([...tlsArgs, '--broadcast', '--log'])
  const url = `wss://localhost:${port}/`
  const overH2 = await h2Connect(url, { requireHttp2: true, tls: { ca: CA }, pool: new H2SessionPool() })
  const overH1 = await tlsConnect(url, { ca: CA })
  const third = await h2Connect(url, { requireHttp2: true, tls: { ca: CA }, pool: new H2SessionPool() })
  const next = (connection: Connection): Promise<string> =>
    within(
      new Promise((resolve) => connection.once('text', (event) => resolve(event.data))),
      5000,
      'a broadcast message',
    )
  const [toH1, toThird] = [next(overH1), next(third)]
  overH2.sendText('from h2')
  assert.equal(await Promise.all([toH1, toThird]), ['from h2', 'from h2'])
  const [toH2, toThirdAgain] = [next(overH2), next(third)]
  overH1.sendText('from h1')
  // The sender's own message never came back: its next message is the other's.
  assert.equal(await Promise.all([toH2, toThirdAgain]), ['from h1', 'from h1'])
  for (const connection of [overH2, overH1, third]) connection.close(1000)
  await Promise.all([overH2.closed, overH1.closed, third.closed])
  // --log counted what each sent and got: the two senders 1 in and 1 out, the third 2 out.
  const closes = await waitUntil(stderrOf(server), /(^close .*\n){3}/m, 'three close lines')
  const counts = closes[0].split('\n').map((line) => /in=\S+ out=\S+/.exec(line)?.[0])
  assert.equal(counts.filter(Boolean).sort(), [
    'in=0msg/0B out=2msg/14B',
    'in=1msg/7B out=1msg/7B',
    'in=1msg/7B out=1msg/7B',
  ])
  server.kill('SIGTERM')
  assert.is((await server.exited).code, 0)
})

h2('connect --h2 --insecure over TLS; serve --max-connections counts HTTP/2 connections too', async () => {
  const { server, port } = await startServe([...tlsArgs, '--max-connections', '1'])
  const insecure = await runWsx(['connect', '--h2', `wss://127.0.0.1:${port}/`, '--insecure'], 'trusting\n')
  assert.is(insecure.stdout, 'trusting\n', insecure.stderr)
  assert.is(insecure.code, 0)
  const untrusted = await runWsx(['connect', '--h2', `wss://127.0.0.1:${port}/`], 'never\n')
  assert.is(untrusted.code, 1)
  assert.match(untrusted.stderr, /^wsx: cannot connect to wss:\/\/127\.0\.0\.1:\d+\/: TLS: [^\n]*\n$/)
  const first = await h2Connect(`wss://localhost:${port}/`, {
    requireHttp2: true,
    tls: { ca: CA },
    pool: new H2SessionPool(),
  })
  // The second handshake, over HTTP/2 too, is refused with 503 while the first is open.
  const second = await session(`https://localhost:${port}`)
  const refused = await within(
    new Promise<{ headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const stream = second.request(
        {
          ':method': 'CONNECT',
          ':protocol': 'websocket',
          ':scheme': 'https',
          ':path': '/',
          ':authority': 'localhost',
          'sec-websocket-version': '13',
        },
        { endStream: false },
      )
      let headers: IncomingHttpHeaders = {}
      let body = ''
      stream.on('response', (received) => {
        headers = received
      })
      stream.setEncoding('utf8').on('data', (text: string) => {
        body += text
      })
      stream.on('end', () => resolve({ headers, body }))
      stream.on('error', reject)
    }),
    5000,
    'the 503 over HTTP/2',
  )
  assert.is(refused.headers[':status'], 503)
  assert.match(String(refused.headers['content-type']), /^text\/plain/)
  assert.is(refused.body, 'too many connections: this server takes at most 1\n')
  // Over HTTP/1.1 the same refusal, with one Content-Type field.
  const overH1 = await within(
    new Promise<IncomingMessage>((resolve, reject) => {
      const request = httpsRequest(`https://localhost:${port}/`, {
        ca: CA,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version': '13',
        },
      })
      request.on('response', resolve)
      request.on('error', reject)
      request.end()
    }),
    5000,
    'the 503 over HTTP/1.1',
  )
  assert.is(overH1.statusCode, 503)
  const types = overH1.rawHeaders.filter(
    (_, index) => index % 2 === 0 && /^content-type$/i.test(overH1.rawHeaders[index] as string),
  )
  assert.is(types.length, 1)
  overH1.resume()
  first.close(1000)
  await first.closed
  server.kill('SIGTERM')
  assert.is((await server.exited).code, 0)
})

h2('bad HTTP/2 command lines: --h2c with TLS is a usage error', async () => {
  const exit = await runWsx(['serve', '--h2c', ...tlsArgs])
  assert.is(exit.code, 2)
  assert.match(exit.stderr, /^wsx: --h2c is for cleartext[^\n]*\(see 'wsx serve --help'\)\n$/)
})

h2.run()
